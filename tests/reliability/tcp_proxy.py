"""A TCP proxy on loopback that a test controls: forward, black-hole, cut, resume.

    with TcpProxy(("127.0.0.1", backend_port)) as proxy:
        url = proxy.url                  # give this to the tablet instead of the backend's
        proxy.blackhole()                # packets vanish: connections hang, nothing answers
        proxy.cut()                      # every connection reset, new ones closed at once
        proxy.resume()                   # the network is back

Threads, one pair per connection; every wait is bounded (0.05 s polls), and `close()` ends
everything, so a test using it always stops by itself.
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading
from enum import Enum
from types import TracebackType

POLL = 0.05


class Mode(Enum):
    OPEN = "open"  # bytes flow both ways
    BLACKHOLE = "blackhole"  # connections accepted, bytes held back (a dead link, a sleeping NAT)
    CUT = "cut"  # connections reset (a cable pulled, a router rebooting)


def _reset(sock: socket.socket) -> None:
    """Close with RST (SO_LINGER 0): the peer sees 'connection reset', as on a real cut."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


class TcpProxy:
    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self._mode = Mode.OPEN
        self._lock = threading.Lock()
        self._conns: set[socket.socket] = set()
        self._closed = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(POLL)
        self.port = int(self._listener.getsockname()[1])
        self.connections = 0  # accepted so far (tests check that the tablet retried)
        self._threads: list[threading.Thread] = []
        self._start(self._accept_loop)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def mode(self) -> Mode:
        return self._mode

    def blackhole(self) -> None:
        self._mode = Mode.BLACKHOLE

    def cut(self) -> None:
        self._mode = Mode.CUT
        with self._lock:
            conns, self._conns = list(self._conns), set()
        for conn in conns:
            _reset(conn)

    def resume(self) -> None:
        self._mode = Mode.OPEN

    def close(self) -> None:
        self._closed.set()
        self.cut()
        with contextlib.suppress(OSError):
            self._listener.close()
        for thread in self._threads:
            thread.join(timeout=2)

    def __enter__(self) -> TcpProxy:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- internals ---------------------------------------------------------------------------
    def _start(self, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)  # type: ignore[arg-type]
        thread.start()
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]

    def _accept_loop(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            if self._mode is Mode.CUT:
                _reset(client)
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=2)
            except OSError:
                _reset(client)  # the backend itself is down: the tablet sees a refusal
                continue
            with self._lock:
                self._conns.update((client, server))
            self._start(self._pump, client, server)

    def _pump(self, client: socket.socket, server: socket.socket) -> None:
        peers = {client: server, server: client}
        try:
            while not self._closed.is_set():
                if self._mode is Mode.CUT:
                    return
                if self._mode is Mode.BLACKHOLE:
                    self._closed.wait(POLL)  # hold everything back, answer nothing
                    continue
                readable, _, _ = select.select(list(peers), [], [], POLL)
                for sock in readable:
                    if self._mode is not Mode.OPEN:
                        # Cut or black-holed while select waited: what arrived meanwhile
                        # stays unread (it passes after resume(), or dies with cut()).
                        break
                    data = sock.recv(65536)
                    if not data:
                        return
                    peers[sock].sendall(data)
        except (OSError, ValueError):
            return
        finally:
            with self._lock:
                self._conns.difference_update((client, server))
            for sock in (client, server):
                with contextlib.suppress(OSError):
                    sock.close()
