"""Signed releases (docs/updates.md): the backend keeps only a release signed by a trusted key,
stores it whole under its SHA-256, and serves it to paired tablets, resumably."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backend import cli
from backend.errors import Conflict, Invalid
from backend.models import Device, Release
from backend.services import releases
from tests.api.factories import state_of
from tests.api.rollout_helpers import (
    ReleaseKeys,
    Tablet,
    add_person,
    add_release,
    add_tablets,
    new_organisation,
    release_file,
    service,
    sign_file,
)

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def keys() -> ReleaseKeys:
    return ReleaseKeys.new()


def _add(client: TestClient, path: Path, version: str, signature: str, trusted: list[bytes]) -> int:
    with service(client) as session:
        return releases.add_release(
            session,
            source=path,
            version=version,
            signature_b64=signature,
            trusted_keys=trusted,
            data_dir=state_of(client).settings.data_dir,
            notes="Appels vidéo plus fiables",
            now=NOW,
        ).id


def _stored(client: TestClient) -> list[str]:
    directory = state_of(client).settings.release_dir
    return sorted(p.name for p in directory.iterdir()) if directory.is_dir() else []


def test_a_signed_release_is_kept_whole_under_its_digest(
    client: TestClient, keys: ReleaseKeys, tmp_path: Path
) -> None:
    path = release_file(tmp_path, "0.2.0")
    signature = sign_file(keys, path, "0.2.0")
    release_id = _add(client, path, "0.2.0", signature, [keys.public])
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with service(client) as session:
        release = session.get(Release, release_id)
        assert release is not None
        assert (release.version, release.filename, release.size, release.sha256) == (
            "0.2.0",
            "foyer-0.2.0-py3-none-any.whl",
            path.stat().st_size,
            digest,
        )
        assert release.signature == signature
        assert release.notes == "Appels vidéo plus fiables"
    stored = state_of(client).settings.release_dir / digest
    assert stored.read_bytes() == path.read_bytes()
    assert _stored(client) == [digest]  # no temporary file left beside it


def test_newest_first(client: TestClient, keys: ReleaseKeys) -> None:
    first = add_release(client, keys, "0.2.0")
    second = add_release(client, keys, "0.3.0")
    with service(client) as session:
        assert [r.id for r in releases.list_releases(session)] == [second, first]


@pytest.mark.parametrize("forgery", ["other_key", "other_version", "tampered", "garbage"])
def test_a_forged_or_invalid_signature_is_refused_with_a_clear_message(
    client: TestClient, keys: ReleaseKeys, tmp_path: Path, forgery: str
) -> None:
    path = release_file(tmp_path, "0.2.0")
    signature = sign_file(keys, path, "0.2.0")
    if forgery == "other_key":
        signature = sign_file(ReleaseKeys.new(), path, "0.2.0")
    elif forgery == "other_version":
        signature = sign_file(keys, path, "0.1.9")
    elif forgery == "tampered":
        path.write_bytes(path.read_bytes() + b"\x00")
    else:
        signature = "pas une signature"
    with pytest.raises(Invalid) as refused:
        _add(client, path, "0.2.0", signature, [keys.public])
    assert refused.value.message == (
        "Signature refusée : ce fichier n'est pas signé par une clé de publication de "
        "confiance pour la version 0.2.0 (fichier modifié, autre version ou autre clé)."
    )
    assert refused.value.status_code == 422
    with service(client) as session:
        assert releases.list_releases(session) == []
    assert _stored(client) == []  # neither the file nor a temporary copy


def test_no_trusted_key_means_nothing_can_be_added(
    client: TestClient, keys: ReleaseKeys, tmp_path: Path
) -> None:
    path = release_file(tmp_path, "0.2.0")
    with pytest.raises(Invalid, match="Aucune clé de publication de confiance"):
        _add(client, path, "0.2.0", sign_file(keys, path, "0.2.0"), [])


def test_a_version_is_added_once(client: TestClient, keys: ReleaseKeys, tmp_path: Path) -> None:
    add_release(client, keys, "0.2.0")
    path = release_file(tmp_path, "0.2.0", b"another build")
    with pytest.raises(Conflict, match=r"La version 0\.2\.0 existe déjà\."):
        _add(client, path, "0.2.0", sign_file(keys, path, "0.2.0"), [keys.public])


@pytest.mark.parametrize(
    "version", ["", "v0.2", "0.2 0", "0.2/../x", "1" * 41, "0.2.0-nightly_x", "1..2", "0.2+"]
)
def test_a_bad_version_is_refused(
    client: TestClient, keys: ReleaseKeys, tmp_path: Path, version: str
) -> None:
    path = release_file(tmp_path, "x")
    with pytest.raises(Invalid, match="Numéro de version invalide"):
        _add(client, path, version, sign_file(keys, path, version), [keys.public])


# --- download ----------------------------------------------------------------------------------


@pytest.fixture
def tablet(client: TestClient) -> Tablet:
    organisation = new_organisation(client)
    return add_tablets(client, add_person(client, organisation))[0]


def _file_url(release_id: int) -> str:
    return f"/api/v1/device/releases/{release_id}/file"


def test_download_whole_and_resumed(client: TestClient, keys: ReleaseKeys, tablet: Tablet) -> None:
    content = bytes(range(256)) * 2000  # larger than one streamed chunk
    release_id = add_release(client, keys, "0.2.0", content)
    digest = hashlib.sha256(content).hexdigest()

    whole = client.get(_file_url(release_id), headers=tablet.headers)
    assert whole.status_code == 200
    assert whole.content == content
    assert whole.headers["ETag"] == f'"{digest}"'
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert whole.headers["Content-Length"] == str(len(content))

    resumed = client.get(_file_url(release_id), headers={**tablet.headers, "Range": "bytes=1000-"})
    assert resumed.status_code == 206
    assert resumed.headers["Content-Range"] == f"bytes 1000-{len(content) - 1}/{len(content)}"
    assert resumed.content == content[1000:]
    assert resumed.headers["ETag"] == f'"{digest}"'

    last_byte = client.get(
        _file_url(release_id), headers={**tablet.headers, "Range": f"bytes={len(content) - 1}-"}
    )
    assert (last_byte.status_code, last_byte.content) == (206, content[-1:])

    bounded = client.get(_file_url(release_id), headers={**tablet.headers, "Range": "bytes=10-19"})
    assert (bounded.status_code, bounded.content) == (206, content[10:20])


@pytest.mark.parametrize("start", ["size", "size+5"])
def test_a_range_past_the_end_is_416(
    client: TestClient, keys: ReleaseKeys, tablet: Tablet, start: str
) -> None:
    content = b"x" * 100
    release_id = add_release(client, keys, "0.2.0", content)
    first = 100 if start == "size" else 105
    response = client.get(
        _file_url(release_id), headers={**tablet.headers, "Range": f"bytes={first}-"}
    )
    assert response.status_code == 416
    assert response.headers["Content-Range"] == "bytes */100"
    assert "hors du fichier" in response.json()["detail"]


def test_an_unparsable_range_gets_the_whole_file(
    client: TestClient, keys: ReleaseKeys, tablet: Tablet
) -> None:
    release_id = add_release(client, keys, "0.2.0", b"abcdef")
    response = client.get(_file_url(release_id), headers={**tablet.headers, "Range": "lines=1-"})
    assert (response.status_code, response.content) == (200, b"abcdef")


def test_download_needs_a_paired_unrevoked_tablet(
    client: TestClient, keys: ReleaseKeys, tablet: Tablet
) -> None:
    release_id = add_release(client, keys, "0.2.0")
    assert client.get(_file_url(release_id)).status_code == 401
    wrong = client.get(_file_url(release_id), headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    with service(client) as session:
        device = session.get(Device, tablet.device_id)
        assert device is not None
        device.revoked_at = NOW
    revoked = client.get(_file_url(release_id), headers=tablet.headers)
    assert revoked.status_code == 401


def test_an_unknown_release_is_404(client: TestClient, tablet: Tablet) -> None:
    response = client.get(_file_url(999), headers=tablet.headers)
    assert response.status_code == 404
    assert response.json()["detail"] == "Version introuvable."


# --- the operator's command line ---------------------------------------------------------------


def test_the_command_line_adds_lists_and_rolls_out(
    database_url: str, keys: ReleaseKeys, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "backend"
    keys_dir = tmp_path / "keys"
    keys_dir.mkdir()
    (keys_dir / "foyer-release-key.pub").write_bytes(keys.public)
    path = release_file(tmp_path / "dist", "0.2.0")
    signature = sign_file(keys, path, "0.2.0")
    base = ["--data", str(data), "--database-url", database_url]
    add = ["release", "add", str(path), "--version", "0.2.0", "--keys-dir", str(keys_dir)]

    forged = sign_file(ReleaseKeys.new(), path, "0.2.0")
    assert cli.main([*add, "--signature", forged, *base]) == 2
    assert "Signature refusée" in capsys.readouterr().err

    assert cli.main([*add, "--signature", signature, *base]) == 0
    assert "release 1: 0.2.0" in capsys.readouterr().out
    assert cli.main(["release", "list", *base]) == 0
    assert "foyer-0.2.0-py3-none-any.whl" in capsys.readouterr().out

    create = ["rollout", "create", "--version", "0.2.0", "--stages", "10,100"]
    assert cli.main([*create, *base]) == 0
    assert "rollout 1" in capsys.readouterr().out
    assert cli.main(["rollout", "advance", "1", *base]) == 0
    assert "active, stage 100 %" in capsys.readouterr().out
    assert cli.main(["rollout", "halt", "1", "--reason", "Écran noir", *base]) == 0
    assert cli.main(["rollout", "list", *base]) == 0
    listed = capsys.readouterr().out
    assert "halted" in listed and "Écran noir" in listed
    assert cli.main(["rollout", "advance", "1", *base]) == 2
    assert "ce déploiement est arrêté" in capsys.readouterr().err
