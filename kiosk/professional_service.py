"""Runs the professional's PIN check off the GUI thread and reports by Qt signal.

The same way as `kiosk.background`: the blocking call runs on the APScheduler thread pool,
signals are queued onto the GUI thread by Qt's automatic connection. One check at a time: a
PIN typed while one is under way is ignored (the pad shows "Vérification…" meanwhile).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from apscheduler.schedulers.background import BackgroundScheduler
from PySide6.QtCore import QCoreApplication, QObject, Signal

from kiosk.professional_client import (
    Identified,
    PinRefused,
    ProfessionalClient,
    Revoked,
    Unreachable,
)
from kiosk.professional_view import IdentifiedView

if TYPE_CHECKING:
    from kiosk.screens.professional_screen import ProfessionalScreen

log = logging.getLogger(__name__)

JOB = "professional-pin"


class ProfessionalService(QObject):
    identified = Signal(object)  # kiosk.professional_client.Identified
    refused = Signal(int, str, float)  # HTTP status, French message, seconds to wait (429)
    unreachable = Signal()  # no network or no backend: the PIN could not be checked
    revoked = Signal()  # 401: the controller wipes and shows pairing, as for sync

    def __init__(
        self,
        client: ProfessionalClient | Callable[[], ProfessionalClient],
        scheduler: BackgroundScheduler,
    ) -> None:
        """`client`: a client, or a function making one (the credential may change)."""
        super().__init__()
        self._client = client
        self._scheduler = scheduler
        self._lock = threading.Lock()
        self._busy = False

    @property
    def busy(self) -> bool:
        with self._lock:
            return self._busy

    def identify(self, pin: str) -> bool:
        """Check `pin` in the background; False (nothing started) while a check is under way."""
        with self._lock:
            if self._busy:
                return False
            self._busy = True
        try:
            self._scheduler.add_job(
                self._run, args=[pin], trigger="date", run_date=datetime.now(UTC), name=JOB
            )
        except Exception:
            with self._lock:
                self._busy = False
            log.exception("could not start the PIN check")
            self.unreachable.emit()
            return False
        return True

    def _run(self, pin: str) -> None:
        try:
            client = (
                self._client if isinstance(self._client, ProfessionalClient) else self._client()
            )
            result: Identified = client.identify(pin)
        except PinRefused as refusal:
            self._done()
            self.refused.emit(refusal.status, refusal.message, refusal.retry_after)
        except Revoked:
            self._done()
            self.revoked.emit()
        except Unreachable as exc:
            log.info("PIN check: backend unreachable (%s)", exc)
            self._done()
            self.unreachable.emit()
        except Exception:  # never a silent death of the worker, never a stuck "busy"
            log.exception("PIN check failed")
            self._done()
            self.unreachable.emit()
        else:
            self._done()
            self.identified.emit(result)

    def _done(self) -> None:
        with self._lock:
            self._busy = False


def connect_screen(
    service: ProfessionalService,
    screen: ProfessionalScreen,
    build: Callable[[Identified], IdentifiedView],
) -> None:
    """Wire the screen's PIN to the check and the answers back to the screen.

    `build` turns the backend's answer into what the screen shows, e.g.
    `lambda found: build_identified_view(view, found.professional, found.messages, now())`.
    Arrival and departure (`screen.arrival_requested`…) go to the outbox: the controller's.
    `service.revoked` is the controller's too (wipe, pairing).
    """

    def refused(status: int, message: str, retry_after: float) -> None:
        if status == 403:
            screen.show_pin_wrong()
        else:
            screen.show_pin_error(
                message
                or QCoreApplication.translate(
                    "ProfessionalScreen", "Ce code ne peut pas être utilisé."
                ),
                retry_after,
            )

    screen.pin_entered.connect(service.identify)
    service.identified.connect(lambda found: screen.show_identified(build(found)))
    service.refused.connect(refused)
    service.unreachable.connect(screen.show_unreachable)
