"""The tablet's side of updates (docs/updates.md, docs/device-protocol.md):

- `GET /api/v1/device/releases/{release_id}/file`: the release's file, resumable
  (`Range: bytes=N-` → 206 with Content-Range; 416 when N is past the end). ETag: its SHA-256.
  Any paired tablet may download any release: the file is public (signed, not secret).
- `POST /api/v1/device/updates/report`: what the tablet did with a rollout (installed, failed,
  rolled_back); idempotent per (tablet, rollout); too many failures halt the rollout.

The target itself reaches the tablet through sync (kind "updates", backend.services.rollouts).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Request, status
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field, StringConstraints

from backend.api.deps import MAX_ID, CurrentDevice, NowDep, PathId, SessionDep, StateDep
from backend.errors import NotFound, ServiceError
from backend.services import releases, rollouts
from backend.text import LINE, MULTILINE

router = APIRouter(prefix="/api/v1/device", tags=["device"])

CHUNK = 256 * 1024
# One range from N to the end, or from N to M: what a resuming download sends.
RANGE = re.compile(r"^\s*bytes\s*=\s*(\d{1,19})\s*-\s*(\d{0,19})\s*$")

Version = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), LINE
]
# The version a tablet ran before: "" (an updater that did not know it) is taken as none.
FromVersion = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40), LINE]
Outcome = Annotated[str, StringConstraints(max_length=40), LINE]
# Line breaks and tabs are accepted (an error message often has them) and kept as one line;
# other control characters are refused, as everywhere (backend/text.py).
Reason = Annotated[str, StringConstraints(max_length=500), MULTILINE]


class RangeNotSatisfiable(ServiceError):
    status_code = 416


class ReportIn(BaseModel):
    rollout_id: int = Field(ge=1, le=MAX_ID, examples=[7])
    version: Version = Field(examples=["0.2.0"])
    outcome: Outcome = Field(examples=["installed"])
    from_version: FromVersion | None = Field(default=None, examples=["0.1.0"])
    reason: Reason | None = Field(default=None, examples=["santé non confirmée"])


class ReportOut(BaseModel):
    recorded: bool


def _chunks(path: Path, start: int, length: int) -> Iterator[bytes]:
    with path.open("rb") as stream:
        stream.seek(start)
        left = length
        while left > 0:
            chunk = stream.read(min(CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk


@router.get(
    "/releases/{release_id}/file",
    response_class=Response,
    responses={
        200: {"content": {"application/octet-stream": {}}, "description": "the whole file"},
        206: {"content": {"application/octet-stream": {}}, "description": "from the range on"},
        416: {"description": "the range starts past the end of the file"},
    },
)
def download(
    release_id: PathId,
    request: Request,
    session: SessionDep,
    device: CurrentDevice,
    state: StateDep,
) -> Response:
    release = releases.get_release(session, release_id)
    path = releases.release_path(state.settings.data_dir, release)
    if not path.is_file():
        raise NotFound("Fichier de la version {version} introuvable.", version=release.version)
    size = release.size
    headers = {
        "ETag": f'"{release.sha256}"',
        "Accept-Ranges": "bytes",
        "Content-Disposition": f'attachment; filename="{release.filename}"',
    }
    start, end = 0, size - 1
    code = status.HTTP_200_OK
    match = RANGE.match(request.headers.get("Range", ""))
    # A Range that is not one byte range is ignored (RFC 9110 §14.2): the whole file.
    if match is not None:
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) else size - 1
        if first >= size or last < first:
            raise RangeNotSatisfiable(
                "Plage demandée hors du fichier ({size} octets).",
                size=size,
                headers={"Content-Range": f"bytes */{size}"},
            )
        start, end = first, min(last, size - 1)
        code = status.HTTP_206_PARTIAL_CONTENT
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    length = end - start + 1 if size else 0
    headers["Content-Length"] = str(length)
    return StreamingResponse(
        _chunks(path, start, length),
        status_code=code,
        media_type="application/octet-stream",
        headers=headers,
    )


@router.post("/updates/report", response_model=ReportOut)
def report(body: ReportIn, session: SessionDep, device: CurrentDevice, now: NowDep) -> ReportOut:
    """What the tablet did with a rollout. 404 for a rollout it does not know, 422 for an
    unknown outcome or another version than the rollout's."""
    rollouts.report(
        session,
        device,
        rollout_id=body.rollout_id,
        version=body.version,
        outcome=body.outcome,
        from_version=body.from_version,
        reason=body.reason,
        now=now,
    )
    return ReportOut(recorded=True)
