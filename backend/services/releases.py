"""Signed releases of Foyer kept by the backend, for the tablets to download (docs/updates.md).

A release is one file (a wheel, or a .tar of wheels) named by a version and signed by the
release key (`common.release_signature`). It is refused here unless one of the trusted public
keys (`Settings.release_keys_dir`) verifies its signature: a release nobody can install is not
offered. The tablet verifies again before installing; it does not trust this backend.

The file is kept as <data>/releases/<sha256>: copied to a temporary file beside it, its digest
taken from that copy (what is checked is what is served, even if the source changes
meanwhile), then renamed into place — never half a file under the final name.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from packaging.version import InvalidVersion, Version
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.errors import Conflict, Invalid, NotFound
from backend.models import Release
from backend.text import check
from common import release_signature

# What `pip` and file names accept without surprise: "0.2.0", "0.3.0rc1", "1.0.0+local.1".
VERSION = re.compile(r"^[0-9][0-9A-Za-z.+\-_]{0,39}$")
FILENAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+\-]{0,199}$")
MAX_NOTES = 2000


def release_dir(data_dir: Path) -> Path:
    return data_dir / "releases"


def release_path(data_dir: Path, release: Release) -> Path:
    return release_dir(data_dir) / release.sha256


def check_version(version: str) -> str:
    version = version.strip()
    if not VERSION.match(version) or not _pep440(version):
        # PEP 440: the tablet compares versions to refuse going back; one it cannot read is
        # never installed, so it is never offered.
        raise Invalid(
            "Numéro de version invalide : {version} (chiffres, lettres et . + - _, "
            "40 caractères au plus, par exemple 0.2.0).",
            version=version[:60],
        )
    return version


def _pep440(version: str) -> bool:
    try:
        Version(version)
    except InvalidVersion:
        return False
    return True


def _copy_to_temporary(source: Path, directory: Path) -> Path:
    fd, name = tempfile.mkstemp(dir=directory, prefix=".incoming.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out, source.open("rb") as src:
            shutil.copyfileobj(src, out, 1024 * 1024)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise
    return Path(name)


def add_release(
    session: Session,
    *,
    source: Path,
    version: str,
    signature_b64: str,
    trusted_keys: list[bytes],
    data_dir: Path,
    notes: str = "",
    now: datetime,
) -> Release:
    """Keep `source` as the release `version`. Invalid when the signature does not verify
    with any trusted key (or there is none), when the version or the file name is not
    acceptable; Conflict when the version exists already."""
    version = check_version(version)
    notes = check(notes.strip(), "La note de version", multiline=True)
    if len(notes) > MAX_NOTES:
        raise Invalid("La note de version dépasse {limit} caractères.", limit=MAX_NOTES)
    if not FILENAME.match(source.name):
        raise Invalid(
            "Nom de fichier refusé : {name} (lettres, chiffres et . _ + - seulement).",
            name=source.name[:80],
        )
    if not source.is_file():
        raise NotFound("Fichier introuvable : {name}.", name=source.name[:80])
    if session.scalar(select(Release.id).where(Release.version == version)) is not None:
        raise Conflict("La version {version} existe déjà.", version=version)
    if not trusted_keys:
        raise Invalid(
            "Aucune clé de publication de confiance n'est configurée "
            "(release_keys_dir) : aucune version ne peut être ajoutée."
        )
    directory = release_dir(data_dir)
    directory.mkdir(parents=True, exist_ok=True)
    temporary = _copy_to_temporary(source, directory)
    try:
        sha256, size = release_signature.file_digest(temporary)
        if not release_signature.verify(trusted_keys, version, sha256, size, signature_b64):
            raise Invalid(
                "Signature refusée : ce fichier n'est pas signé par une clé de publication "
                "de confiance pour la version {version} (fichier modifié, autre version ou "
                "autre clé).",
                version=version,
            )
        os.replace(temporary, directory / sha256)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    with contextlib.suppress(OSError):  # the rename itself survives a power cut
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    release = Release(
        version=version,
        filename=source.name,
        size=size,
        sha256=sha256,
        signature=signature_b64.strip(),
        notes=notes,
        created_at=now,
    )
    session.add(release)
    session.flush()
    return release


def list_releases(session: Session) -> list[Release]:
    """Newest first."""
    return list(session.scalars(select(Release).order_by(Release.id.desc())).all())


def get_release(session: Session, release_id: int) -> Release:
    release = session.get(Release, release_id)
    if release is None:
        raise NotFound("Version introuvable.")
    return release


def by_version(session: Session, version: str) -> Release:
    release = session.scalar(select(Release).where(Release.version == version.strip()))
    if release is None:
        raise NotFound("Version {version} introuvable.", version=version.strip()[:60])
    return release
