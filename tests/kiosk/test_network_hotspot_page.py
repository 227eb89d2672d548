"""The phone's one-time page on its own: the token, one use, bad forms in French, rate limit,
and a request log that never holds the token or the password."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from kiosk.network import hotspot_page
from kiosk.network.hotspot_page import HotspotPage


@pytest.fixture
def chosen() -> list[tuple[str, str, bool]]:
    return []


@pytest.fixture
def page(chosen: list[tuple[str, str, bool]]) -> Iterator[HotspotPage]:
    served = HotspotPage(
        "127.0.0.1", 0, ["Maison", "Voisin"], lambda s, p, h: chosen.append((s, p, h))
    )
    yield served
    served.close()


def ask(url: str, form: dict[str, str] | None = None) -> tuple[int, str]:
    data = None if form is None else urllib.parse.urlencode(form).encode()
    try:
        with urllib.request.urlopen(url, data, timeout=10) as response:
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_a_bad_form_is_told_in_french_and_the_good_one_is_taken_once(
    page: HotspotPage, chosen: list[tuple[str, str, bool]], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    url = page.url("127.0.0.1")
    base = url.split("?")[0]
    assert ask(base + "ailleurs?t=" + page.token)[0] == 404
    status, text = ask(base, {"t": page.token, "choice": "", "ssid": "", "password": ""})
    assert status == 400 and "Choisissez le réseau Wi-Fi de la maison" in text
    status, text = ask(base, {"t": page.token, "choice": "Maison", "password": "court"})
    assert status == 400 and "entre 8 et 63 caractères" in text
    assert chosen == []
    form = {"t": page.token, "choice": "", "ssid": "Grenier", "password": "s3cret-du-grenier"}
    assert ask(base, form)[0] == 200
    assert chosen == [("Grenier", "s3cret-du-grenier", True)]
    assert ask(base, form)[0] == 410  # one shot
    assert ask(url)[0] == 410
    assert chosen == [("Grenier", "s3cret-du-grenier", True)]
    assert "s3cret" not in caplog.text and page.token not in caplog.text


def test_a_typed_name_wins_over_the_lists_selection(
    page: HotspotPage, chosen: list[tuple[str, str, bool]]
) -> None:
    """A browser always sends the selected entry (the first by default): a name typed in
    « Ou le nom du réseau » is the one meant, and joined as hidden when it was not scanned."""
    base = page.url("127.0.0.1").split("?")[0]
    form = {"t": page.token, "choice": "Maison", "ssid": "Grenier", "password": "s3cret-du-grenier"}
    assert ask(base, form)[0] == 200
    assert chosen == [("Grenier", "s3cret-du-grenier", True)]


def test_a_listed_choice_and_a_64_hex_digit_key_are_taken(
    page: HotspotPage, chosen: list[tuple[str, str, bool]]
) -> None:
    base = page.url("127.0.0.1").split("?")[0]
    status, text = ask(base, {"t": page.token, "choice": "Voisin", "password": "x" * 64})
    assert status == 400 and "64 chiffres hexadécimaux" in text
    key = "0123456789abcdefABCDEF" * 2 + "0123456789abcdefABCD"
    assert len(key) == 64
    assert ask(base, {"t": page.token, "choice": "Voisin", "ssid": " ", "password": key})[0] == 200
    assert chosen == [("Voisin", key, False)]


def test_guessing_is_rate_limited(page: HotspotPage, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hotspot_page, "MAX_REQUESTS_PER_MINUTE", 5)
    base = page.url("127.0.0.1").split("?")[0]
    answers = [ask(f"{base}?t=guess{i}")[0] for i in range(7)]
    assert answers[:5] == [403] * 5 and answers[5:] == [429, 429]
    # Guesses from another phone do not lock out the family, who hold the token.
    assert ask(page.url("127.0.0.1"))[0] == 200


def raw(page: HotspotPage, request: bytes) -> bytes:
    """Send `request` as is; what comes back until the server closes (10 s at most)."""
    with socket.create_connection(("127.0.0.1", page.port), timeout=10) as conn:
        conn.sendall(request)
        answer = b""
        while chunk := conn.recv(4096):
            answer += chunk
        return answer


@pytest.mark.parametrize("declared", ["-1", "abc", " 12x", "99999999999999999999"])
def test_a_bad_content_length_is_answered_in_french(page: HotspotPage, declared: str) -> None:
    """ "-1" used to read until the phone hung up, "abc" to raise; too big is 413."""
    answer = raw(
        page,
        f"POST /?t={page.token} HTTP/1.1\r\nHost: x\r\nContent-Length: {declared}\r\n\r\n"
        "t=x".encode(),
    ).decode()
    status = answer.split(" ", 2)[1]
    assert status in ("400", "413")
    assert "rechargez la page" in answer
    assert "Traceback" not in answer


def test_a_silent_connection_is_closed_and_connections_are_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(hotspot_page, "HANDLER_TIMEOUT", 0.5)
    monkeypatch.setattr(hotspot_page, "MAX_HANDLERS", 3)
    served = HotspotPage("127.0.0.1", 0, ["Maison"], lambda s, p, h: None)
    try:
        before = threading.active_count()
        idle = [socket.create_connection(("127.0.0.1", served.port), timeout=10) for _ in range(10)]
        for conn in idle:
            conn.sendall(b"GET / HTTP/1.1\r\n")  # and nothing more
        # Each is closed: seven at once (no room), three after their silence.
        assert [conn.recv(100) for conn in idle].count(b"") >= 7
        assert threading.active_count() - before <= 3
        for conn in idle:
            conn.close()
        # Once they are gone, the family is served again.
        for _ in range(50):
            with contextlib.suppress(OSError):
                if ask(served.url("127.0.0.1"))[0] == 200:
                    break
        else:
            pytest.fail("the page never answered again")
    finally:
        served.close()
