"""Passwords, bearer secrets and pairing codes (backend/security.py)."""

from __future__ import annotations

import hashlib

import argon2
import pytest

from backend.security import (
    USER_CODE_ALPHABET,
    display_user_code,
    hash_password,
    new_secret,
    new_user_code,
    normalize_user_code,
    secret_digest,
    verify_password,
)

# --- user codes (RFC 8628 §6.1) -------------------------------------------------------------


def test_alphabet_is_the_rfc_8628_consonants() -> None:
    assert USER_CODE_ALPHABET == "BCDFGHJKLMNPQRSTVWXZ"
    assert not set("AEIOUY0123456789") & set(USER_CODE_ALPHABET)


@pytest.mark.parametrize(
    "typed",
    [
        "WDJB-MJHT",
        "WDJBMJHT",
        "wdjb-mjht",
        "wdjbmjht",
        "WdJb-mJhT",
        " wdjb mjht ",
        "WDJB - MJHT",
        "\twdjb-mjht\t",
        "W-D-J-B-M-J-H-T",
    ],
)
def test_user_code_ignores_case_dashes_and_spaces(typed: str) -> None:
    assert normalize_user_code(typed) == "WDJBMJHT"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "----",
        "WDJB-MJH",  # 7 letters
        "WDJB-MJHTB",  # 9 letters
        "WDJA-MJHT",  # vowel
        "WDJB-MJHE",
        "WDJY-MJHT",  # Y is not in the alphabet either
        "WDJB-MJH1",  # digit
        "WDJB_MJHT",  # underscore is not a separator
        "WDJB.MJHT",
        "WDJB\nMJHT",
        "WDJB–MJHT",  # en dash
        "ＷＤＪＢＭＪＨＴ",  # full-width letters
    ],
)
def test_user_code_rejects_what_cannot_be_a_code(typed: str) -> None:
    assert normalize_user_code(typed) is None


def test_new_user_codes_are_eight_letters_of_the_alphabet_and_vary() -> None:
    codes = [new_user_code() for _ in range(200)]

    assert all(len(c) == 8 and set(c) <= set(USER_CODE_ALPHABET) for c in codes)
    assert all(normalize_user_code(c) == c for c in codes)
    assert len(set(codes)) == 200
    # Every letter of the alphabet is used (1600 draws out of 20 letters).
    assert set("".join(codes)) == set(USER_CODE_ALPHABET)


def test_display_puts_a_dash_in_the_middle() -> None:
    assert display_user_code("WDJBMJHT") == "WDJB-MJHT"
    assert normalize_user_code(display_user_code("WDJBMJHT")) == "WDJBMJHT"


# --- passwords ------------------------------------------------------------------------------


def test_password_hash_verifies_only_the_right_password() -> None:
    stored = hash_password("correct horse battery")

    assert stored.startswith("$argon2id$")
    assert "correct horse battery" not in stored
    assert verify_password(stored, "correct horse battery") is True
    assert verify_password(stored, "correct horse batterY") is False
    assert verify_password(stored, "") is False


def test_password_hashes_are_salted() -> None:
    assert hash_password("même mot de passe") != hash_password("même mot de passe")


def test_password_hash_has_a_real_cost() -> None:
    params = argon2.extract_parameters(hash_password("correct horse battery"))

    assert params.type is argon2.Type.ID
    assert params.memory_cost >= 64 * 1024  # KiB: RFC 9106's second recommended profile
    assert params.time_cost >= 3


@pytest.mark.parametrize("garbage", ["", "not a hash", "$argon2id$v=19$m=65536,t=3,p=4$broken"])
def test_unreadable_stored_hash_never_verifies(garbage: str) -> None:
    assert verify_password(garbage, "anything at all") is False


def test_unicode_passwords() -> None:
    stored = hash_password("élève à l'école 🏠")

    assert verify_password(stored, "élève à l'école 🏠")
    assert not verify_password(stored, "eleve a l'ecole 🏠")


# --- bearer secrets -------------------------------------------------------------------------


def test_secret_digest_is_sha256_hex() -> None:
    assert secret_digest("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
    secret = new_secret("fyd_")
    assert secret_digest(secret) == hashlib.sha256(secret.encode()).hexdigest()
    assert len(secret_digest(secret)) == 64  # fits the String(64) columns
    assert secret_digest(secret) != secret_digest(secret + "x")


def test_new_secrets_have_their_prefix_and_full_entropy() -> None:
    secrets = {new_secret("fyu_") for _ in range(100)}

    assert len(secrets) == 100
    for secret in secrets:
        assert secret.startswith("fyu_")
        body = secret.removeprefix("fyu_")
        assert len(body) >= 43  # 32 random bytes, URL-safe base64
        assert set(body) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
