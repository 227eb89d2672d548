"""The call process's command line, exactly as docs/calls.md gives it, and its timings."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Timings:
    """Seconds; each may be set through its environment variable (tests shorten them)."""

    recover: float = 15.0  # FOYER_CALL_RECOVER_SECONDS: a lost connection, before giving up
    silence: float = 2.0  # FOYER_CALL_SILENCE_SECONDS: no media that long = connection lost
    connect: float = 20.0  # FOYER_CALL_CONNECT_SECONDS: from the answer sent to "connected"
    offer: float = 30.0  # FOYER_CALL_OFFER_SECONDS: answered, the console's offer not come
    sentence: float = 4.0  # FOYER_CALL_SENTENCE_SECONDS: the final sentence stays on screen

    @classmethod
    def from_environment(cls) -> Timings:
        def read(name: str, default: float) -> float:
            try:
                return max(0.0, float(os.environ.get(name, default)))
            except ValueError:
                return default

        return cls(
            recover=read("FOYER_CALL_RECOVER_SECONDS", cls.recover),
            silence=read("FOYER_CALL_SILENCE_SECONDS", cls.silence),
            connect=read("FOYER_CALL_CONNECT_SECONDS", cls.connect),
            offer=read("FOYER_CALL_OFFER_SECONDS", cls.offer),
            sentence=read("FOYER_CALL_SENTENCE_SECONDS", cls.sentence),
        )


@dataclass(frozen=True)
class CallOptions:
    backend: str
    data: Path
    answer: int | None
    place: int | None
    caller_name: str | None
    windowed: bool
    size: tuple[int, int]
    fake_media: bool
    stats: Path | None
    lang: str
    font_scale: float


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError("size must look like 1280x800") from exc
    if width < 320 or height < 240:
        raise argparse.ArgumentTypeError("size must be at least 320x240")
    return width, height


def _scale(text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError("font scale must be a number such as 1.2") from exc
    if not 0.5 <= value <= 2.0:
        raise argparse.ArgumentTypeError("font scale must be between 0.5 and 2.0")
    return value


def parse(argv: list[str] | None) -> CallOptions:
    parser = argparse.ArgumentParser(
        prog="python -m kiosk.call", description="The tablet's video call (docs/calls.md)."
    )
    parser.add_argument("--backend", required=True, help="backend URL")
    parser.add_argument("--data", type=Path, required=True, help="the tablet's data directory")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--answer", type=int, metavar="CALL_ID", help="answer this call")
    which.add_argument("--place", type=int, metavar="USER_ID", help="call this person")
    parser.add_argument("--caller-name", help="the other person's name, as the tablet shows it")
    parser.add_argument("--windowed", action="store_true", help="a window, not full screen")
    parser.add_argument("--size", type=_size, default=(1280, 800), help="window size, WxH")
    parser.add_argument("--fake-media", action="store_true", help="a test pattern and a tone")
    parser.add_argument("--stats", type=Path, help="write the call's statistics here on exit")
    parser.add_argument("--lang", choices=("fr", "en"), default="fr")
    parser.add_argument("--font-scale", type=_scale, default=1.0)
    args = parser.parse_args(argv)
    return CallOptions(
        backend=args.backend,
        data=args.data,
        answer=args.answer,
        place=args.place,
        caller_name=args.caller_name,
        windowed=args.windowed,
        size=args.size,
        fake_media=args.fake_media,
        stats=args.stats,
        lang=args.lang,
        font_scale=args.font_scale,
    )
