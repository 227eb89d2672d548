"""A corpus of hostile files and texts, built by code (nothing binary in the repository).

Files: what a careless or malicious sender could upload as a "photo". Texts: what they could
type as a message, a caption or a name.
"""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass

from PIL import Image

SCRIPT = b"<html><body><script>alert(document.cookie)</script></body></html>"


def jpeg(size: tuple[int, int] = (320, 240), **save: object) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((20, 20, 220), (0, 0, size[0] // 2, size[1] // 2))
    out = io.BytesIO()
    image.save(out, "JPEG", **save)  # type: ignore[arg-type]
    return out.getvalue()


def exif_with_gps() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Appareil de Paul"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (48.0, 51.0, 24.0)
    gps[3] = "E"
    gps[4] = (2.0, 21.0, 3.0)
    return exif


def jpeg_bomb(width: int = 60_000, height: int = 60_000) -> bytes:
    """A small JPEG whose frame header (SOF0) claims width × height pixels."""
    data = bytearray(jpeg((16, 16)))
    sof = data.index(b"\xff\xc0")
    # SOF0: marker, length (2), precision (1), height (2), width (2).
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG of a few hundred bytes declaring 10 gigapixels (a zlib stream of zeros)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 100_000, 9)
    chunks = _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" '
    b'onload="alert(1)"><script>alert(2)</script><rect width="10" height="10"/></svg>'
)


@dataclass(frozen=True)
class HostileFile:
    name: str
    filename: str
    content: bytes
    refused_with: int | None  # the 4xx expected; None: accepted, re-encoded clean


def files() -> list[HostileFile]:
    whole = jpeg()
    return [
        HostileFile("truncated_jpeg", "coupee.jpg", whole[: len(whole) // 2], 422),
        HostileFile("jpeg_pixel_bomb", "bombe.jpg", jpeg_bomb(), 422),
        HostileFile("png_pixel_bomb", "bombe.png", png_bomb(), 422),
        HostileFile("html_jpeg_polyglot", "poly.jpg", jpeg(comment=SCRIPT) + SCRIPT, None),
        HostileFile("svg_with_script", "image.svg", SVG, 415),
        HostileFile("html_named_jpg", "page.jpg", SCRIPT, 415),
        HostileFile("empty_file", "vide.jpg", b"", 422),
        HostileFile("exif_with_gps", "gps.jpg", jpeg(exif=exif_with_gps().tobytes()), None),
    ]


# -- texts ---------------------------------------------------------------------------------

TEXTS: dict[str, str] = {
    "html_and_script": '<b>gras</b><script>alert("x")</script><img src=x onerror=alert(1)>',
    "rtl_override": "Facture \u202egpj.exe\u202c payée",
    "emoji_sequences": "Bisous 👩‍👩‍👧‍👦 🇫🇷 👍🏽 ❤️‍🔥 de la famille",
    "long_100000": "long " * 20_000,
    "nul_byte": "avant\x00après",
}
