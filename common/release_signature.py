"""Signed releases: what the release key signs, and how a tablet or the backend checks it.

A release is one file (a wheel, or a .tar of wheels) named by a version. The release key
(ed25519, made offline by the project owner: docs/updates.md) signs a small manifest naming
the version, the file's SHA-256 and its size. A verifier checks the signature over the
manifest, then that the file it holds has that digest and size. The backend that stores and
serves the file is not trusted by the tablet: only the release key is.

Shared by the backend (refuses a release whose signature does not verify), the appliance's
update agent (refuses to install one) and scripts/release.py (makes keys, signs).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

MAGIC = b"foyer-release-v1\n"
_CHUNK = 1024 * 1024


def manifest(version: str, sha256_hex: str, size: int) -> bytes:
    """The bytes the release key signs. The digest is lower-cased so that a manifest made
    from an upper-case hex digest is the same one."""
    return MAGIC + f"{version}\n{sha256_hex.lower()}\n{int(size)}\n".encode()


def generate_keypair() -> tuple[bytes, bytes]:
    """(private PEM, public PEM) of a new ed25519 key; the private PEM is not encrypted: keep
    it offline (docs/updates.md)."""
    private = Ed25519PrivateKey.generate()
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_pem, public_pem


def sign(private_pem: bytes, version: str, sha256_hex: str, size: int) -> str:
    """The base64 signature of the manifest. ValueError when `private_pem` is not an
    ed25519 private key."""
    key = serialization.load_pem_private_key(private_pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the release key must be an ed25519 private key")
    return base64.b64encode(key.sign(manifest(version, sha256_hex, size))).decode("ascii")


def _public_key(pem: bytes) -> Ed25519PublicKey | None:
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError):
        return None
    return key if isinstance(key, Ed25519PublicKey) else None


def verify(
    public_pems: Iterable[bytes], version: str, sha256_hex: str, size: int, signature_b64: str
) -> bool:
    """True when one of the public keys verifies the signature over the manifest. Never
    raises on bad input (a malformed key, signature or base64 is simply False): a forged
    release and a garbled one are refused the same way."""
    try:
        signature = base64.b64decode(signature_b64.strip(), validate=True)
        message = manifest(version, sha256_hex, size)
    except (binascii.Error, ValueError, TypeError, AttributeError):
        return False
    for pem in public_pems:
        key = _public_key(pem)
        if key is None:
            continue
        try:
            key.verify(signature, message)
        except InvalidSignature:
            continue
        return True
    return False


def load_public_keys(directory: Path) -> list[bytes]:
    """The contents of every *.pub file of `directory`, sorted by name; none when the
    directory does not exist (then nothing verifies: a missing key refuses, never admits)."""
    if not directory.is_dir():
        return []
    return [path.read_bytes() for path in sorted(directory.glob("*.pub")) if path.is_file()]


def file_digest(path: Path) -> tuple[str, int]:
    """(sha256 hex, size) of a file, read in chunks: a release may be tens of megabytes and
    a tablet has little memory."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
