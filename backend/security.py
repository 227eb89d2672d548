"""Passwords, bearer secrets and pairing codes."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2-cffi's defaults follow RFC 9106's second recommended profile (64 MiB, t=3, p=4).
_hasher = PasswordHasher()

# RFC 8628 §6.1: consonants only, no look-alikes, no vowels (no accidental words).
USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"
USER_CODE_LENGTH = 8

MIN_PASSWORD_LENGTH = 10

_dummy_hashes: dict[str, str] = {}


def dummy_hash() -> str:
    """Checked against when the account does not exist, to spend the same time as a real check.

    Made on first use, not at import: hashing costs as much as a login (64 MiB, t=3), and every
    backend process and CLI command would pay it before doing anything. Kept per hasher
    parameters, so it always costs what a real hash made now costs."""
    key = repr((_hasher.time_cost, _hasher.memory_cost, _hasher.parallelism))
    if key not in _dummy_hashes:
        _dummy_hashes[key] = _hasher.hash("no such account: this hash only burns time")
    return _dummy_hashes[key]


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_secret(prefix: str) -> str:
    """A bearer secret with 256 bits of entropy; the prefix tells what it is in logs."""
    return prefix + secrets.token_urlsafe(32)


def secret_digest(secret: str) -> str:
    """Secrets have full entropy, so a plain SHA-256 is enough to store them (no salt needed)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_user_code() -> str:
    return "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(USER_CODE_LENGTH))


def normalize_user_code(typed: str) -> str | None:
    """What a person typed, as stored: case, dashes and spaces ignored. None if it cannot be one."""
    cleaned = "".join(ch for ch in typed.upper() if ch not in "- \t")
    if len(cleaned) != USER_CODE_LENGTH or any(ch not in USER_CODE_ALPHABET for ch in cleaned):
        return None
    return cleaned


def display_user_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"
