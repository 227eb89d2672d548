"""Photos: upload from the console, moderation, and the JPEG files for people and tablets.

Upload — `POST /api/v1/beneficiaries/{id}/photos` (POST_PHOTOS), multipart/form-data with one
or more `files` parts (at most 10) and an optional `caption` (plain text, ≤ 500 characters,
applied to every file). The body is read as a stream, part by part:
- a file larger than `Settings.photo_max_bytes` stops the reading at once: 413 for the whole
  request, and nothing is stored (a request whose Content-Length is already too large is refused
  before a byte is read);
- every other file is judged on its own. The answer is **201** (at least one photo created) or
  **200** (only duplicates) with a list, in the order sent, of
  `{"filename", "status": "created" | "duplicate" | "error", "photo": {...} | null,
  "error": "message" | null}`;
- when no file at all is accepted, the answer is the 4xx of the refusal (415 unsupported
  format, 422 corrupt / empty / too many pixels; 422 if they differ) with
  `{"detail": "…", "results": [...]}`.

Files — `GET /api/v1/photos/{id}/display` and `/thumbnail` (VIEW_PHOTOS), and for the tablet
`GET /api/v1/device/photos/{id}/display` and `/thumbnail` (its own beneficiary's visible photos
only, 404 otherwise): the JPEG bytes, `ETag` = the content hash, `Cache-Control: private,
max-age=31536000, immutable`, 304 on a matching `If-None-Match`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from tempfile import SpooledTemporaryFile
from typing import IO, Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from backend.api.deps import (
    MAX_ID,
    CurrentDevice,
    CurrentUser,
    NowDep,
    PathId,
    SessionDep,
    StateDep,
)
from backend.errors import Invalid, NotFound, ServiceError
from backend.models import Photo, User
from backend.photo_store import PhotoStore
from backend.policy import Permission
from backend.services import access
from backend.services import photos as service
from backend.text import MultiLineText

router = APIRouter(prefix="/api/v1", tags=["photos"])

MAX_FILES = 10
MAX_FIELD_BYTES = 8 * 1024  # the caption: 500 characters, at most 4 bytes each
MULTIPART_OVERHEAD = 64 * 1024
CACHE_FOREVER = "private, max-age=31536000, immutable"


class PayloadTooLarge(ServiceError):
    status_code = 413


class UnsupportedMediaType(ServiceError):
    status_code = 415


class PhotoOut(BaseModel):
    id: int
    beneficiary_id: int
    caption: str
    sender_user_id: int | None
    sender_name: str
    created_at: datetime
    width: int
    height: int
    hidden: bool
    display_hash: str
    thumb_hash: str
    display_url: str
    thumbnail_url: str

    @classmethod
    def of(cls, p: Photo, sender_name: str) -> PhotoOut:
        return cls(
            id=p.id,
            beneficiary_id=p.beneficiary_id,
            caption=p.caption,
            sender_user_id=p.sender_user_id,
            sender_name=sender_name,
            created_at=p.created_at,
            width=p.width,
            height=p.height,
            hidden=p.hidden_at is not None,
            display_hash=p.display_key,
            thumb_hash=p.thumb_key,
            display_url=f"/api/v1/photos/{p.id}/display",
            thumbnail_url=f"/api/v1/photos/{p.id}/thumbnail",
        )


class UploadResultOut(BaseModel):
    filename: str
    status: Literal["created", "duplicate", "error"]
    photo: PhotoOut | None = None
    error: str | None = None


class PhotoUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    caption: MultiLineText | None = None
    hidden: bool | None = None


# --- receiving the multipart body as a stream ------------------------------------------------


@dataclass
class _Part:
    name: str = ""
    filename: str | None = None
    data: bytearray = field(default_factory=bytearray)
    file: IO[bytes] | None = None
    size: int = 0
    digest: Any = None


@dataclass
class ReceivedUpload:
    files: list[service.IncomingFile]
    caption: str

    def close(self) -> None:
        for f in self.files:
            f.content.close()


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} Mo" if size >= 1024 * 1024 else f"{size} octets"


async def receive_upload(request: Request, max_bytes: int) -> ReceivedUpload:
    """Parse the multipart body chunk by chunk; never hold more than `max_bytes` of one file."""
    content_type = request.headers.get("content-type", "")
    kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise UnsupportedMediaType("Envoyez les photos en multipart/form-data (champ « files »).")
    limit_total = MAX_FILES * (max_bytes + MULTIPART_OVERHEAD) + MAX_FIELD_BYTES
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit_total:
        raise PayloadTooLarge(
            "Envoi trop volumineux : {size} au plus par photo.", size=_mb(max_bytes)
        )

    parts: list[_Part] = []
    state: dict[str, Any] = {"part": _Part(), "hname": b"", "hvalue": b"", "headers": {}}
    errors: list[ServiceError] = []

    def on_part_begin() -> None:
        state["part"] = _Part()
        state["headers"] = {}

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["hname"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["hvalue"] += data[start:end]

    def on_header_end() -> None:
        state["headers"][state["hname"].lower()] = state["hvalue"]
        state["hname"], state["hvalue"] = b"", b""

    def on_headers_finished() -> None:
        part: _Part = state["part"]
        _, disp = parse_options_header(state["headers"].get(b"content-disposition", b""))
        part.name = disp.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" in disp:
            part.filename = disp[b"filename"].decode("utf-8", "replace")
            if part.name != "files":
                errors.append(
                    Invalid("Champ inattendu : {name}. Utilisez « files ».", name=part.name)
                )
                return
            if sum(1 for p in parts if p.file is not None) >= MAX_FILES:
                errors.append(Invalid("{n} photos au plus par envoi.", n=MAX_FILES))
                return
            part.file = SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115
            part.digest = hashlib.sha256()
        elif part.name != "caption":
            errors.append(Invalid("Champ inattendu : {name}.", name=part.name))
        parts.append(part)

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if errors:
            return
        part: _Part = state["part"]
        chunk = data[start:end]
        part.size += len(chunk)
        if part.file is not None:
            if part.size > max_bytes:
                name = service.safe_filename(part.filename)
                errors.append(
                    PayloadTooLarge(
                        "« {name} » dépasse la taille maximale de {size} : "
                        "rien n'a été enregistré.",
                        name=name,
                        size=_mb(max_bytes),
                    )
                )
                return
            part.file.write(chunk)
            part.digest.update(chunk)
        else:
            if part.size > MAX_FIELD_BYTES:
                errors.append(Invalid("La légende est trop longue."))
                return
            part.data.extend(chunk)

    callbacks: Any = {
        "on_part_begin": on_part_begin,
        "on_part_data": on_part_data,
        "on_header_field": on_header_field,
        "on_header_value": on_header_value,
        "on_header_end": on_header_end,
        "on_headers_finished": on_headers_finished,
    }
    parser = MultipartParser(boundary, callbacks)
    total = 0
    try:
        async for chunk in request.stream():
            total += len(chunk)
            if total > limit_total:
                raise PayloadTooLarge(
                    "Envoi trop volumineux : {size} au plus par photo.", size=_mb(max_bytes)
                )
            parser.write(chunk)
            if errors:
                raise errors[0]  # stop reading now
        parser.finalize()
    except MultipartParseError as exc:
        _close(parts)
        raise Invalid("Envoi multipart illisible.") from exc
    except BaseException:
        _close(parts)
        raise
    files = [
        service.IncomingFile(
            filename=p.filename or "",
            content=p.file,
            size=p.size,
            sha256=p.digest.hexdigest(),
        )
        for p in parts
        if p.file is not None
    ]
    captions = [p.data.decode("utf-8", "replace") for p in parts if p.name == "caption"]
    try:
        if not files:
            raise Invalid("Aucune photo reçue : joignez au moins un fichier dans « files ».")
        caption = service.clean_caption(captions[-1] if captions else None)
    except ServiceError:
        _close(parts)
        raise
    return ReceivedUpload(files=files, caption=caption)


def _close(parts: list[_Part]) -> None:
    for p in parts:
        if p.file is not None:
            p.file.close()


# --- routes ----------------------------------------------------------------------------------


def _store(state: StateDep) -> PhotoStore:
    return PhotoStore(state.settings.photo_dir)


def _out(session: SessionDep, photos: list[Photo]) -> list[PhotoOut]:
    names = service.sender_names(session, photos)
    return [PhotoOut.of(p, names.get(p.sender_user_id or 0, "")) for p in photos]


UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {
                        "files": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "maxItems": MAX_FILES,
                        },
                        "caption": {"type": "string", "maxLength": service.CAPTION_MAX},
                    },
                }
            }
        },
    }
}


@router.post(
    "/beneficiaries/{beneficiary_id}/photos",
    status_code=201,
    response_model=list[UploadResultOut],
    openapi_extra=UPLOAD_BODY,
    responses={200: {"description": "Only duplicates"}, 413: {}, 415: {}, 422: {}},
)
async def upload_photos(
    beneficiary_id: PathId,
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    state: StateDep,
    now: NowDep,
) -> Response:
    """See the module docstring for the request and the per-file answer."""
    beneficiary = await run_in_threadpool(
        access.require, session, user, beneficiary_id, Permission.POST_PHOTOS
    )
    received = await receive_upload(request, state.settings.photo_max_bytes)
    try:
        results = await run_in_threadpool(
            service.upload,
            session,
            _store(state),
            user,
            beneficiary,
            received.files,
            received.caption,
            now,
        )
        body = await run_in_threadpool(_results_body, session, user, results)
    finally:
        received.close()
    errors = [r for r in results if r.status == "error"]
    if len(errors) == len(results):
        codes = {r.error_status or 422 for r in errors}
        status = codes.pop() if len(codes) == 1 else 422
        if len(errors) == 1:
            detail = errors[0].error or ""
        else:
            detail = "Aucune photo n'a été acceptée : " + " ; ".join(
                f"{r.filename} : {r.error}" for r in errors
            )
        return JSONResponse({"detail": detail, "results": body}, status_code=status)
    created = any(r.status == "created" for r in results)
    return JSONResponse(body, status_code=201 if created else 200)


def _results_body(
    session: SessionDep, user: User, results: list[service.UploadResult]
) -> list[dict[str, Any]]:
    photos = [r.photo for r in results if r.photo is not None]
    names = service.sender_names(session, photos)
    out = []
    for r in results:
        photo = (
            PhotoOut.of(r.photo, names.get(r.photo.sender_user_id or 0, "")) if r.photo else None
        )
        out.append(
            {
                "filename": r.filename,
                "status": r.status,
                "photo": photo.model_dump(mode="json") if photo else None,
                "error": r.error,
            }
        )
    return out


@router.get("/beneficiaries/{beneficiary_id}/photos", response_model=list[PhotoOut])
def list_photos(
    beneficiary_id: PathId,
    user: CurrentUser,
    session: SessionDep,
    before_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = service.DEFAULT_PAGE,
) -> list[PhotoOut]:
    """Newest first. Next page: `before_id` = the last id received."""
    beneficiary = access.require(session, user, beneficiary_id, Permission.VIEW_PHOTOS)
    photos = service.list_photos(session, user, beneficiary, before_id=before_id, limit=limit)
    return _out(session, photos)


@router.get("/photos/{photo_id}", response_model=PhotoOut)
def get_photo(photo_id: PathId, user: CurrentUser, session: SessionDep) -> PhotoOut:
    photo, _ = service.photo_for(session, user, photo_id)
    return _out(session, [photo])[0]


@router.patch("/photos/{photo_id}", response_model=PhotoOut)
def update_photo(
    photo_id: PathId, body: PhotoUpdate, user: CurrentUser, session: SessionDep, now: NowDep
) -> PhotoOut:
    """Caption and/or hidden: the sender, or a moderator (care manager)."""
    photo, moderator = service.photo_for(session, user, photo_id)
    service.update_photo(
        session, user, photo, moderator, caption=body.caption, hidden=body.hidden, now=now
    )
    return _out(session, [photo])[0]


@router.delete("/photos/{photo_id}", status_code=204)
def delete_photo(
    photo_id: PathId, user: CurrentUser, session: SessionDep, state: StateDep, now: NowDep
) -> Response:
    photo, moderator = service.photo_for(session, user, photo_id)
    keys = service.delete_photo(session, user, photo, moderator, now)
    session.commit()  # the files go only once the deletion is certain
    service.purge_files(session, _store(state), keys)
    return Response(status_code=204)


def _matches(if_none_match: str | None, etag: str) -> bool:
    """Weak comparison (RFC 9110 §13.1.2)."""
    if not if_none_match:
        return False
    for tag in if_none_match.split(","):
        tag = tag.strip()
        if tag == "*" or tag.removeprefix("W/") == etag:
            return True
    return False


def _file_response(request: Request, store: PhotoStore, key: str) -> Response:
    etag = f'"{key}"'
    headers = {"ETag": etag, "Cache-Control": CACHE_FOREVER}
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    data = store.read(key)
    if data is None:
        raise NotFound("Le fichier de cette photo est introuvable.")
    return Response(data, media_type="image/jpeg", headers=headers)


Variant = Literal["display", "thumbnail"]


def _key(photo: Photo, variant: str) -> str:
    return photo.display_key if variant == "display" else photo.thumb_key


def _user_file(variant: str) -> Callable[..., Response]:
    def route(
        photo_id: PathId, request: Request, user: CurrentUser, session: SessionDep, state: StateDep
    ) -> Response:
        photo, _ = service.photo_for(session, user, photo_id)
        return _file_response(request, _store(state), _key(photo, variant))

    route.__name__ = f"photo_{variant}"
    return route


def _device_file(variant: str) -> Callable[..., Response]:
    def route(
        photo_id: PathId,
        request: Request,
        device: CurrentDevice,
        session: SessionDep,
        state: StateDep,
    ) -> Response:
        photo = service.device_photo(session, device, photo_id)
        return _file_response(request, _store(state), _key(photo, variant))

    route.__name__ = f"device_photo_{variant}"
    return route


JPEG = {200: {"content": {"image/jpeg": {}}, "description": "The JPEG"}, 304: {}}

for _variant in ("display", "thumbnail"):
    router.add_api_route(
        f"/photos/{{photo_id}}/{_variant}",
        _user_file(_variant),
        methods=["GET"],
        response_class=Response,
        responses=JPEG,  # type: ignore[arg-type]
    )
    router.add_api_route(
        f"/device/photos/{{photo_id}}/{_variant}",
        _device_file(_variant),
        methods=["GET"],
        response_class=Response,
        responses=JPEG,  # type: ignore[arg-type]
    )
