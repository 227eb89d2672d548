"""The release signature (common.release_signature): a release signed by the release key
verifies; anything else — another key, another version, digest or size, a garbled signature or
key — is refused without an exception, so a forged update is never installed."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from common.release_signature import (
    file_digest,
    generate_keypair,
    load_public_keys,
    manifest,
    sign,
    verify,
)

SHA = hashlib.sha256(b"wheel").hexdigest()


@pytest.fixture(scope="module")
def keys() -> tuple[bytes, bytes]:
    return generate_keypair()


def test_manifest_is_the_documented_bytes() -> None:
    assert manifest("0.2.0", "AB" * 32, 1234) == (
        b"foyer-release-v1\n0.2.0\n" + b"ab" * 32 + b"\n1234\n"
    )


def test_a_signed_release_verifies(keys: tuple[bytes, bytes]) -> None:
    private, public = keys
    signature = sign(private, "0.2.0", SHA, 5)
    assert len(base64.b64decode(signature)) == 64
    assert verify([public], "0.2.0", SHA, 5, signature)
    assert verify([public], "0.2.0", SHA.upper(), 5, signature)  # hex case is not meaning


def test_any_change_to_the_manifest_is_refused(keys: tuple[bytes, bytes]) -> None:
    private, public = keys
    signature = sign(private, "0.2.0", SHA, 5)
    assert not verify([public], "0.2.1", SHA, 5, signature)
    assert not verify([public], "0.2.0", hashlib.sha256(b"other").hexdigest(), 5, signature)
    assert not verify([public], "0.2.0", SHA, 6, signature)


def test_another_key_is_refused_and_one_trusted_key_among_several_is_enough(
    keys: tuple[bytes, bytes],
) -> None:
    private, public = keys
    other_private, other_public = generate_keypair()
    forged = sign(other_private, "0.2.0", SHA, 5)
    assert not verify([public], "0.2.0", SHA, 5, forged)
    assert verify([public, other_public], "0.2.0", SHA, 5, forged)
    assert verify([other_public, public], "0.2.0", SHA, 5, sign(private, "0.2.0", SHA, 5))
    assert not verify([], "0.2.0", SHA, 5, forged)


@pytest.mark.parametrize(
    "signature", ["", "not base64 !", "QUJD", base64.b64encode(b"\0" * 64).decode(), "===="]
)
def test_garbled_signatures_are_false_not_exceptions(
    keys: tuple[bytes, bytes], signature: str
) -> None:
    assert not verify([keys[1]], "0.2.0", SHA, 5, signature)


def test_garbled_or_wrong_kind_of_keys_are_skipped(keys: tuple[bytes, bytes]) -> None:
    private, public = keys
    signature = sign(private, "0.2.0", SHA, 5)
    assert not verify([b"", b"garbage", private], "0.2.0", SHA, 5, signature)
    assert verify([b"garbage", public], "0.2.0", SHA, 5, signature)


def test_signing_with_a_public_key_is_a_clear_error(keys: tuple[bytes, bytes]) -> None:
    with pytest.raises(ValueError):
        sign(keys[1], "0.2.0", SHA, 5)


def test_load_public_keys_reads_every_pub_file_sorted(tmp_path: Path) -> None:
    assert load_public_keys(tmp_path / "missing") == []
    (tmp_path / "b.pub").write_bytes(b"B")
    (tmp_path / "a.pub").write_bytes(b"A")
    (tmp_path / "c.pem").write_bytes(b"private, not read")
    assert load_public_keys(tmp_path) == [b"A", b"B"]


def test_file_digest_streams_a_large_file(tmp_path: Path) -> None:
    data = bytes(range(256)) * 10_000  # larger than one read chunk
    path = tmp_path / "foyer.whl"
    path.write_bytes(data)
    assert file_digest(path) == (hashlib.sha256(data).hexdigest(), len(data))
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert file_digest(empty) == (hashlib.sha256(b"").hexdigest(), 0)


def test_the_projects_public_key_is_an_ed25519_key() -> None:
    """images/files/foyer-release-key.pub is what the appliance trusts: it must load."""
    path = Path(__file__).resolve().parents[2] / "images" / "files" / "foyer-release-key.pub"
    private, _ = generate_keypair()
    signature = sign(private, "0.2.0", SHA, 5)
    # A key that loads but does not verify another key's signature: the file is a real key.
    assert not verify([path.read_bytes()], "0.2.0", SHA, 5, signature)
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    assert isinstance(serialization.load_pem_public_key(path.read_bytes()), Ed25519PublicKey)
