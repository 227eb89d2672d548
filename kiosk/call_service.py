"""Refusing a call (« Refuser », « Non merci », or `busy` while in a call), off the GUI thread.

The request runs on the scheduler's thread pool (as `kiosk.background`); what came of it
comes back as Qt signals on the GUI thread. A refusal that cannot reach the backend changes
nothing on the tablet: the ringing has stopped already, and the backend ends the call at its
`ring_until` (a missed call, then) — so a failure is only logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from kiosk.client_errors import Revoked, Unreachable

if TYPE_CHECKING:
    from apscheduler.schedulers.background import BackgroundScheduler

    from kiosk.device_client import DeviceClient

log = logging.getLogger(__name__)

JOB = "call-refuse"


class CallService(QObject):
    refused = Signal(int, int)  # call id, HTTP status
    unreachable = Signal(int)  # call id: the backend could not be told
    revoked = Signal()  # 401: the controller wipes and pairs again

    def __init__(
        self, client: Callable[[], DeviceClient | None], scheduler: BackgroundScheduler
    ) -> None:
        """`client`: the client of the credential in force (None when unpaired)."""
        super().__init__()
        self._client = client
        self._scheduler = scheduler

    def refuse(self, call_id: int, reason: str) -> None:
        try:
            self._scheduler.add_job(
                self._refuse,
                args=[call_id, reason],
                trigger="date",
                run_date=datetime.now(UTC),
                name=JOB,
                # Several refusals may be under way at once (a second call while busy).
                max_instances=10,
            )
        except Exception:  # a stopped scheduler (shutdown): nothing to tell then
            log.exception("could not queue the refusal of call %s", call_id)
            self.unreachable.emit(call_id)

    def _refuse(self, call_id: int, reason: str) -> None:
        client = self._client()
        if client is None:
            self.unreachable.emit(call_id)
            return
        try:
            status = client.refuse_call(call_id, reason)
        except Revoked:
            self.revoked.emit()
            return
        except Unreachable as exc:
            log.warning("call %s: the refusal (%s) did not reach the backend: %s", call_id,
                        reason, exc)  # fmt: skip
            self.unreachable.emit(call_id)
            return
        except Exception:
            log.exception("call %s: the refusal failed", call_id)
            self.unreachable.emit(call_id)
            return
        if status != 200:
            log.info("call %s: refusal answered %s (no longer ringing)", call_id, status)
        self.refused.emit(call_id, status)
