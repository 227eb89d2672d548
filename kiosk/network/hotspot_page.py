"""The page a family member's phone opens on the tablet's temporary hotspot: choose the home's
Wi-Fi (from the list the tablet scanned, or typed) and type its password.

A tiny HTTP server, run only while the hotspot is up and bound to the hotspot's own address
(never to every interface). The QR code carries a one-time token: without it every request is
403, so a neighbour on the hotspot cannot use the form, and the page's form carries it back
(it doubles as the CSRF token: another site cannot know it). Guesses at the token are rate
limited (never the family's own requests); a body is read only up to MAX_BODY, a silent
connection closed after HANDLER_TIMEOUT, and MAX_HANDLERS connections served at once. The
password goes to `on_submit` and nowhere else: not in a log line, not in the page sent back.
"""

from __future__ import annotations

import html
import logging
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger(__name__)

MAX_BODY = 4096
MAX_REQUESTS_PER_MINUTE = 30  # with a wrong token: guesses, not the family's own requests
HANDLER_TIMEOUT = 15.0  # seconds a connection may stay silent before it is closed
MAX_HANDLERS = 8  # connections served at once; more are closed at once (one thread each)
MAX_SSID_BYTES = 32  # IEEE 802.11
PSK_LENGTHS = range(8, 64)  # WPA2-PSK passphrase: 8 to 63 characters
HEX_DIGITS = frozenset("0123456789abcdefABCDEF")

PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Foyer : connexion à Internet</title>
<style>
body {{ font-family: sans-serif; font-size: 20px; margin: 16px; background: #FFF8EE; color: #111; }}
h1 {{ font-size: 26px; }}
label {{ display: block; margin-top: 18px; font-weight: bold; }}
select, input, button {{ font-size: 22px; width: 100%; box-sizing: border-box; padding: 12px;
  margin-top: 6px; border: 2px solid #4D4D4D; border-radius: 10px; }}
button {{ background: #0B4F8A; color: #fff; border-color: #0B4F8A; margin-top: 24px; }}
.error {{ color: #8A0B0B; font-weight: bold; }}
</style></head>
<body>
<h1>Connecter la tablette Foyer à Internet</h1>
{message}
<form method="post" action="/?t={token}">
<input type="hidden" name="t" value="{token}">
<label for="choice">Réseau Wi-Fi de la maison</label>
<select id="choice" name="choice">{options}
<option value="">Autre (saisir le nom ci-dessous)</option></select>
<label for="ssid">Ou le nom du réseau, s'il n'est pas dans la liste</label>
<input id="ssid" name="ssid" maxlength="32" autocomplete="off" autocapitalize="none">
<label for="password">Mot de passe du Wi-Fi</label>
<input id="password" name="password" type="password" autocomplete="off" autocapitalize="none">
<button type="submit">Connecter la tablette</button>
</form>
<p>La tablette quitte ce réseau provisoire et essaie de se connecter : regardez son écran.</p>
</body></html>
"""

DONE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Foyer</title></head>
<body style="font-family: sans-serif; font-size: 22px; margin: 16px;">
<h1>C'est envoyé.</h1>
<p>La tablette se connecte à « {ssid} ». Regardez son écran ; ce réseau provisoire va
disparaître.</p></body></html>
"""


class HotspotPage:
    """Serve the form on `host`:`port` (port 0: any free one) until `close()`.

    `on_submit(ssid, password, hidden)` is called once, from the server's thread, with what the
    family typed (`hidden`: a name typed that the tablet did not see in its scan); the page
    then stops accepting anything (one shot)."""

    def __init__(
        self,
        host: str,
        port: int,
        networks: Sequence[str],
        on_submit: Callable[[str, str, bool], None],
        *,
        token: str | None = None,
    ) -> None:
        self.token = token or secrets.token_urlsafe(16)
        self._networks = list(networks)
        self._on_submit = on_submit
        self._used = False
        self._lock = threading.Lock()
        self._hits: list[float] = []
        page = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "Foyer"
            sys_version = ""
            timeout = HANDLER_TIMEOUT  # a silent connection does not hold its thread for ever

            def log_message(self, format: str, *args: object) -> None:
                # The default logs the request line, token included: only method and result.
                log.info("hotspot page: %s %s", self.command, args[1] if len(args) > 1 else "")

            def do_GET(self) -> None:
                page._answer(self, None)

            def do_POST(self) -> None:
                # Only plain digits: "-1" would read until the phone hangs up, "abc" raise.
                declared = (self.headers.get("Content-Length") or "0").strip()
                if not declared.isascii() or not declared.isdigit():
                    self.close_connection = True
                    self._plain(400, "Demande mal formée : rechargez la page.")
                    return
                length = int(declared)
                if length > MAX_BODY:
                    self.close_connection = True
                    self._plain(413, "Ce formulaire est trop long : rechargez la page.")
                    return
                page._answer(self, self.rfile.read(length).decode("utf-8", "replace"))

            def _plain(self, status: int, text: str) -> None:
                page._send(self, status, text)

        self._server = _BoundedServer((host, port), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="hotspot-page", daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, host: str) -> str:
        return f"http://{host}:{self.port}/?t={self.token}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    # -- requests ----------------------------------------------------------------------------
    def _limited(self) -> bool:
        now = time.monotonic()
        with self._lock:
            self._hits = [t for t in self._hits if now - t < 60]
            self._hits.append(now)
            return len(self._hits) > MAX_REQUESTS_PER_MINUTE

    def _answer(self, handler: BaseHTTPRequestHandler, body: str | None) -> None:
        query = parse_qs(urlsplit(handler.path).query)
        form = parse_qs(body or "", keep_blank_values=True)
        token = (form.get("t") or query.get("t") or [""])[0]
        if not secrets.compare_digest(token.encode(), self.token.encode()):
            # Only guesses are counted: a second phone on the hotspot cannot lock the family
            # (who hold the token) out.
            if self._limited():
                self._send(handler, 429, "Trop de demandes. Réessayez dans une minute.")
            else:
                self._send(
                    handler, 403, "Ce lien n'est pas valable : scannez le code de la tablette."
                )
            return
        if urlsplit(handler.path).path != "/":
            self._send(handler, 404, "Page inconnue.")
            return
        if self._used:
            self._send(handler, 410, "La tablette a déjà reçu le réseau à utiliser.")
            return
        if body is None:
            self._send(handler, 200, self._form(""), html_page=True)
            return
        # A browser always sends the list's selected entry, so a name typed by hand wins.
        typed = (form.get("ssid") or [""])[0].strip()
        ssid = typed or (form.get("choice") or [""])[0].strip()
        hidden = ssid not in self._networks
        password = (form.get("password") or [""])[0]
        problem = _problem(ssid, password)
        if problem:
            self._send(handler, 400, self._form(problem), html_page=True)
            return
        with self._lock:
            if self._used:
                self._send(handler, 410, "La tablette a déjà reçu le réseau à utiliser.")
                return
            self._used = True
        log.info("hotspot page: a network was chosen (%d characters of password)", len(password))
        self._on_submit(ssid, password, hidden)  # first: the phone may close on the answer
        self._send(handler, 200, DONE.format(ssid=html.escape(ssid)), html_page=True)

    def _form(self, problem: str) -> str:
        options = "".join(
            f'<option value="{html.escape(n)}">{html.escape(n)}</option>' for n in self._networks
        )
        message = f'<p class="error">{html.escape(problem)}</p>' if problem else ""
        return PAGE.format(message=message, token=html.escape(self.token), options=options)

    def _send(
        self, handler: BaseHTTPRequestHandler, status: int, text: str, *, html_page: bool = False
    ) -> None:
        data = text.encode("utf-8")
        handler.send_response(status)
        kind = "text/html" if html_page else "text/plain"
        handler.send_header("Content-Type", f"{kind}; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        handler.send_header("Cache-Control", "no-store")
        handler.send_header("Referrer-Policy", "no-referrer")
        handler.send_header("X-Frame-Options", "DENY")
        handler.send_header(
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
        )
        handler.end_headers()
        handler.wfile.write(data)


class _BoundedServer(ThreadingHTTPServer):
    """A thread per connection, but MAX_HANDLERS at most: fifty idle connections from a
    phone on the hotspot do not become fifty threads on the tablet."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self._slots = threading.BoundedSemaphore(MAX_HANDLERS)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            self.shutdown_request(request)  # busy: closed at once, the phone may retry
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


def _problem(ssid: str, password: str) -> str:
    """What is wrong with the form, in French, or ""."""
    if not ssid:
        return "Choisissez le réseau Wi-Fi de la maison, ou écrivez son nom."
    if len(ssid.encode("utf-8")) > MAX_SSID_BYTES:
        return "Ce nom de réseau est trop long (32 caractères au plus)."
    if password and not valid_psk(password):
        return "Un mot de passe Wi-Fi a entre 8 et 63 caractères (ou 64 chiffres hexadécimaux)."
    return ""


def valid_psk(password: str) -> bool:
    """A WPA2 pre-shared key as NetworkManager checks it: a passphrase of 8 to 63 bytes, or
    the key itself as 64 hexadecimal digits."""
    if len(password) == 64 and set(password) <= HEX_DIGITS:
        return True
    return len(password.encode("utf-8")) in PSK_LENGTHS
