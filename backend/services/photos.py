"""Photos for the tablet: the rules (who may post, see, caption, hide, delete) and the journal.

- Posting needs POST_PHOTOS (care manager, family, friends and neighbours). Each file is
  decoded and re-encoded by `backend.photo_pipeline` (orientation applied, every piece of
  metadata dropped) and the two JPEGs are stored by content address (`backend.photo_store`).
  A file that is refused leaves nothing behind: no row, no file.
- The same uploaded bytes (SHA-256 of the original file) for the same beneficiary are a
  *duplicate*: the existing photo is returned and nothing new is stored. A photo that was
  deleted comes back as a new upload of the person who sends it again.
- Seeing photos needs VIEW_PHOTOS. A hidden photo is seen only by moderators (MODERATE_PHOTOS:
  the care manager) and by its sender; the tablet never receives it. A deleted photo is gone
  for everyone, and its files are removed from disk once no other photo uses them.
- Changing the caption, hiding/showing and deleting: the sender, or a moderator. Anyone else
  in the circle gets 403; anyone outside it, 404.
- Every upload, change, hide/show and delete is journaled (`record_change`) for the tablets,
  which sync the visible photos as kind "photos" (entity "photo").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend import photo_pipeline
from backend.errors import Conflict, Forbidden, Invalid, NotFound, ServiceError
from backend.models import Beneficiary, Device, Photo, User
from backend.photo_store import PhotoStore
from backend.policy import Permission, allowed
from backend.services import access, sync
from backend.services.changes import record_change
from backend.text import check as check_text

ENTITY = "photo"
CAPTION_MAX = 500
DEFAULT_PAGE = 50
MAX_PAGE = 100

NOT_FOUND = "Photo introuvable."


class StorageUnavailable(ServiceError):
    """The disk refused the write: nothing was recorded; the sender may try again later."""

    status_code = 503


class EmptyFile(ServiceError):
    status_code = 422


@dataclass
class IncomingFile:
    """One uploaded file, already received in full and within the size limit."""

    filename: str
    content: IO[bytes]  # seekable
    size: int
    sha256: str  # of the bytes as uploaded


@dataclass
class UploadResult:
    filename: str
    status: str  # "created", "duplicate" or "error"
    photo: Photo | None = None
    error: str | None = None
    error_status: int | None = None


# --- plain text ------------------------------------------------------------------------------


def clean_caption(raw: str | None) -> str:
    """A caption is plain text: at most 500 characters, line feeds (CRLF made LF) and tabs but
    no other control character (the text rule, common/text.py: NUL, which PostgreSQL refuses)."""
    if raw is None:
        return ""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").strip()
    check_text(text, "La légende", multiline=True)
    if len(text) > CAPTION_MAX:
        raise Invalid("La légende doit faire au plus {n} caractères.", n=CAPTION_MAX)
    return text


def safe_filename(raw: str | None) -> str:
    """The sent file name, for the answer only (never stored nor used as a path)."""
    name = "".join(c for c in (raw or "") if unicodedata.category(c)[0] != "C").strip()
    return name[:255] or "photo"


# --- reading ---------------------------------------------------------------------------------


def is_moderator(session: Session, user: User, beneficiary: Beneficiary) -> bool:
    return allowed(access.roles_of(session, user, beneficiary), Permission.MODERATE_PHOTOS)


def _visible_to(photo: Photo, user: User, moderator: bool) -> bool:
    if photo.deleted_at is not None:
        return False
    return photo.hidden_at is None or moderator or photo.sender_user_id == user.id


def photo_for(session: Session, user: User, photo_id: int) -> tuple[Photo, bool]:
    """The photo if `user` may see it, and whether they moderate this beneficiary's photos.

    404 for a photo that does not exist, is deleted, is outside the user's circles, or is
    hidden from them; 403 for a circle member without VIEW_PHOTOS."""
    photo = session.get(Photo, photo_id)
    if photo is None or photo.deleted_at is not None:
        raise NotFound(NOT_FOUND)
    try:
        beneficiary = access.require(session, user, photo.beneficiary_id, Permission.VIEW_PHOTOS)
    except NotFound as exc:
        raise NotFound(NOT_FOUND) from exc
    moderator = is_moderator(session, user, beneficiary)
    if not _visible_to(photo, user, moderator):
        raise NotFound(NOT_FOUND)
    return photo, moderator


def list_photos(
    session: Session,
    user: User,
    beneficiary: Beneficiary,
    *,
    before_id: int | None,
    limit: int,
) -> list[Photo]:
    """Newest first; `before_id` is the cursor (the last id of the previous page)."""
    query = select(Photo).where(Photo.beneficiary_id == beneficiary.id, Photo.deleted_at.is_(None))
    if not is_moderator(session, user, beneficiary):
        query = query.where(or_(Photo.hidden_at.is_(None), Photo.sender_user_id == user.id))
    if before_id is not None:
        query = query.where(Photo.id < before_id)
    return list(session.scalars(query.order_by(Photo.id.desc()).limit(limit)))


def sender_names(session: Session, photos: Iterable[Photo]) -> dict[int, str]:
    ids = {p.sender_user_id for p in photos if p.sender_user_id is not None}
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.name).where(User.id.in_(ids)))
    return {user_id: name for user_id, name in rows}


def device_photo(session: Session, device: Device, photo_id: int) -> Photo:
    """A photo the tablet may show: of its own beneficiary, neither hidden nor deleted."""
    photo = session.get(Photo, photo_id)
    if (
        photo is None
        or photo.beneficiary_id != device.beneficiary_id
        or photo.hidden_at is not None
        or photo.deleted_at is not None
    ):
        raise NotFound(NOT_FOUND)
    return photo


# --- writing ---------------------------------------------------------------------------------


def upload(
    session: Session,
    store: PhotoStore,
    sender: User,
    beneficiary: Beneficiary,
    files: list[IncomingFile],
    caption: str,
    now: datetime,
) -> list[UploadResult]:
    """Process and store each file; one result per file, in order.

    The caller has checked POST_PHOTOS. A refused file (empty, unsupported, corrupt, too
    many pixels) gets an "error" result and leaves nothing behind; a disk failure aborts the
    whole request (StorageUnavailable, the transaction is rolled back)."""
    results = []
    for incoming in files:
        name = safe_filename(incoming.filename)
        try:
            results.append(_upload_one(session, store, sender, beneficiary, incoming, caption, now))
        except (photo_pipeline.PhotoError, EmptyFile) as exc:
            status = exc.status_code
            results.append(UploadResult(name, "error", error=exc.message, error_status=int(status)))
    return results


def _upload_one(
    session: Session,
    store: PhotoStore,
    sender: User,
    beneficiary: Beneficiary,
    incoming: IncomingFile,
    caption: str,
    now: datetime,
) -> UploadResult:
    name = safe_filename(incoming.filename)
    if incoming.size == 0:
        raise EmptyFile("Le fichier est vide.")
    existing = session.scalar(
        select(Photo).where(
            Photo.beneficiary_id == beneficiary.id, Photo.content_hash == incoming.sha256
        )
    )
    if existing is not None and existing.deleted_at is None:
        return UploadResult(name, "duplicate", photo=existing)
    incoming.content.seek(0)
    processed = photo_pipeline.process(incoming.content)
    try:
        display_key = store.put(processed.display.data)
        thumb_key = store.put(processed.thumbnail.data)
    except OSError as exc:
        raise StorageUnavailable(
            "La photo n'a pas pu être enregistrée (stockage indisponible). Réessayez plus tard."
        ) from exc
    if existing is not None:
        # Sent again after it was deleted: it comes back as this person's new photo.
        photo = existing
        photo.deleted_at = None
        photo.hidden_at = None
        photo.created_at = now
    else:
        photo = Photo(beneficiary_id=beneficiary.id, content_hash=incoming.sha256, created_at=now)
        session.add(photo)
    photo.display_key = display_key
    photo.thumb_key = thumb_key
    photo.width = processed.display.width
    photo.height = processed.display.height
    photo.caption = caption
    photo.sender_user_id = sender.id
    try:
        session.flush()
    except IntegrityError as exc:
        # The same file for the same person, committed by a concurrent request just now.
        raise Conflict("Cette photo est en cours d'envoi par ailleurs : réessayez.") from exc
    record_change(session, beneficiary.id, ENTITY, photo.id, "upsert")
    return UploadResult(name, "created", photo=photo)


def _require_sender_or_moderator(user: User, photo: Photo, moderator: bool) -> None:
    if not moderator and photo.sender_user_id != user.id:
        raise Forbidden(
            "Seule la personne qui a envoyé cette photo, ou le conseiller autonomie, "
            "peut la modifier ou la supprimer."
        )


def update_photo(
    session: Session,
    user: User,
    photo: Photo,
    moderator: bool,
    *,
    caption: str | None,
    hidden: bool | None,
    now: datetime,
) -> Photo:
    _require_sender_or_moderator(user, photo, moderator)
    changed = False
    if caption is not None:
        text = clean_caption(caption)
        changed = changed or text != photo.caption
        photo.caption = text
    if hidden is not None and hidden != (photo.hidden_at is not None):
        photo.hidden_at = now if hidden else None
        changed = True
    if changed:
        op = "delete" if photo.hidden_at is not None else "upsert"
        record_change(session, photo.beneficiary_id, ENTITY, photo.id, op)
    return photo


def delete_photo(
    session: Session, user: User, photo: Photo, moderator: bool, now: datetime
) -> list[str]:
    """Mark the photo deleted; returns its file keys, to purge once this is committed."""
    _require_sender_or_moderator(user, photo, moderator)
    photo.deleted_at = now
    record_change(session, photo.beneficiary_id, ENTITY, photo.id, "delete")
    return [photo.display_key, photo.thumb_key]


def purge_files(session: Session, store: PhotoStore, keys: Iterable[str]) -> None:
    """Remove the files of `keys` that no live photo (of any beneficiary) still uses.

    Call after the deletion is committed. Best effort: a file left behind is only disk space."""
    for key in set(keys):
        in_use = session.scalar(
            select(Photo.id)
            .where(
                Photo.deleted_at.is_(None),
                or_(Photo.display_key == key, Photo.thumb_key == key),
            )
            .limit(1)
        )
        if in_use is None:
            try:
                store.remove(key)
            except OSError:
                continue


# --- tablets ---------------------------------------------------------------------------------


def photo_payload(photo: Photo, sender_name: str) -> dict[str, Any]:
    return {
        "id": photo.id,
        "caption": photo.caption,
        "sender_name": sender_name,
        "created_at": photo.created_at.isoformat(),
        "width": photo.width,
        "height": photo.height,
        "display_hash": photo.display_key,
        "thumb_hash": photo.thumb_key,
    }


def _payloads(session: Session, photos: list[Photo]) -> list[dict[str, Any]]:
    names = sender_names(session, photos)
    return [photo_payload(p, names.get(p.sender_user_id or 0, "")) for p in photos]


def _visible_for_tablet(beneficiary: Beneficiary) -> Any:
    return select(Photo).where(
        Photo.beneficiary_id == beneficiary.id,
        Photo.hidden_at.is_(None),
        Photo.deleted_at.is_(None),
    )


def _sync_all(session: Session, beneficiary: Beneficiary, _device: Device) -> list[dict[str, Any]]:
    photos = list(session.scalars(_visible_for_tablet(beneficiary).order_by(Photo.id)))
    return _payloads(session, photos)


def _sync_some(
    session: Session, beneficiary: Beneficiary, _device: Device, ids: set[int]
) -> list[dict[str, Any]]:
    photos = list(
        session.scalars(
            _visible_for_tablet(beneficiary).where(Photo.id.in_(ids)).order_by(Photo.id)
        )
    )
    return _payloads(session, photos)


sync.register(sync.SyncedKind("photos", ENTITY, _sync_all, _sync_some))
