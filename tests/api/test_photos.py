"""Photos: upload and re-encoding, hostile files, duplicates, access role by role, tablets."""

from __future__ import annotations

import io
import itertools
import os
import struct
import zlib
from pathlib import Path
from typing import Any

import pillow_heif
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select

from backend import security
from backend.models import Change, CircleMember, Photo, User
from tests.api.conftest import MakeClient
from tests.api.factories import (
    API,
    PASSWORD,
    CareManager,
    care_manager,
    create_beneficiary,
    device_headers,
    login,
    pair_device,
    session_of,
    state_of,
    sync,
)

_numbers = itertools.count(1)
ALLOWED_JPEG_INFO = {
    "jfif",
    "jfif_version",
    "jfif_unit",
    "jfif_density",
    "progressive",
    "progression",
}


# --- helpers ---------------------------------------------------------------------------------


def member(client: TestClient, beneficiary_id: int, relation: str, **user: Any) -> dict[str, str]:
    """A person invited into the circle (family, friend, professional…); their auth headers."""
    email = f"member{next(_numbers)}@foyer.test"
    with session_of(client) as session, session.begin():
        person = User(
            email=email,
            name=user.pop("name", "Paul Martin"),
            role="member",
            password_hash=security.hash_password(PASSWORD),
            **user,
        )
        session.add(person)
        session.flush()
        session.add(
            CircleMember(beneficiary_id=beneficiary_id, user_id=person.id, relation=relation)
        )
    return login(client, email)


def jpeg(size: tuple[int, int] = (640, 480), **save: Any) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    # A marker to check orientation: the top-left quarter is blue.
    image.paste((20, 20, 220), (0, 0, size[0] // 2, size[1] // 2))
    out = io.BytesIO()
    image.save(out, "JPEG", **save)
    return out.getvalue()


def exif_with_gps(orientation: int = 6) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Appareil de Paul"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (48.0, 51.0, 24.0)
    gps[3] = "E"
    gps[4] = (2.0, 21.0, 3.0)
    return exif


def encoded(image: Image.Image, fmt: str, **save: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def upload(
    client: TestClient,
    headers: dict[str, str],
    beneficiary_id: int,
    *files: tuple[str, bytes],
    caption: str | None = None,
) -> Any:
    data = {"caption": caption} if caption is not None else None
    return client.post(
        f"{API}/beneficiaries/{beneficiary_id}/photos",
        files=[("files", (name, content, "image/jpeg")) for name, content in files],
        data=data,
        headers=headers,
    )


def pixel(image: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    value = image.getpixel(xy)
    assert isinstance(value, tuple)
    return value


def stored(client: TestClient, key: str) -> bytes:
    root = state_of(client).settings.photo_dir
    return (root / key[:2] / key[2:4] / f"{key}.jpg").read_bytes()


def photo_count(client: TestClient) -> int:
    with session_of(client) as session:
        count: int = session.scalar(select(func.count()).select_from(Photo)) or 0
    return count


def files_on_disk(client: TestClient) -> list[Path]:
    root = state_of(client).settings.photo_dir
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def assert_clean_jpeg(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert set(image.info) <= ALLOWED_JPEG_INFO, image.info.keys()
    assert dict(image.getexif()) == {}
    assert b"Exif" not in data and b"http://ns.adobe.com/xap" not in data
    assert b"ICC_PROFILE" not in data
    assert b"\xff\xfe" not in data.split(b"\xff\xda", 1)[0]  # no COM marker before the scan
    return image


@pytest.fixture
def bid(client: TestClient, cm: CareManager) -> int:
    created: int = create_beneficiary(client, cm)["id"]
    return created


# --- upload and re-encoding ------------------------------------------------------------------


def test_jpeg_is_rotated_and_stripped_of_exif_gps_and_comment(
    client: TestClient, cm: CareManager, bid: int
) -> None:
    family = member(client, bid, "family", name="Sophie Martin")
    original = jpeg((640, 480), exif=exif_with_gps(6), comment=b"secret comment")

    response = upload(client, family, bid, ("IMG_0001.jpg", original), caption=" Noël 2026 ")

    assert response.status_code == 201, response.text
    [result] = response.json()
    assert result["status"] == "created" and result["filename"] == "IMG_0001.jpg"
    photo = result["photo"]
    assert photo["caption"] == "Noël 2026"
    assert photo["sender_name"] == "Sophie Martin"
    assert (photo["width"], photo["height"]) == (480, 640)  # orientation 6 applied
    display = stored(client, photo["display_hash"])
    image = assert_clean_jpeg(display)
    assert image.size == (480, 640)
    # Rotated 90° clockwise: the blue top-left quarter is now at the top right.
    assert pixel(image, (400, 80))[2] > 150
    assert pixel(image, (80, 80))[0] > 150
    assert b"secret comment" not in display and b"Appareil" not in display
    thumb = assert_clean_jpeg(stored(client, photo["thumb_hash"]))
    assert max(thumb.size) == 320

    served = client.get(f"{API}/photos/{photo['id']}/display", headers=family)
    assert served.status_code == 200
    assert served.content == display
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["etag"] == f'"{photo["display_hash"]}"'
    assert served.headers["cache-control"] == "private, max-age=31536000, immutable"
    again = client.get(
        f"{API}/photos/{photo['id']}/display",
        headers={**family, "If-None-Match": f'W/"{photo["display_hash"]}"'},
    )
    assert again.status_code == 304 and again.content == b""


def test_large_photo_fits_the_display_box(client: TestClient, cm: CareManager, bid: int) -> None:
    response = upload(client, cm.headers, bid, ("big.jpg", jpeg((4000, 3000))))

    photo = response.json()[0]["photo"]
    assert (photo["width"], photo["height"]) == (1440, 1080)


def test_png_with_alpha_is_flattened_on_white(
    client: TestClient, cm: CareManager, bid: int
) -> None:
    image = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    image.paste((0, 0, 255, 255), (0, 0, 100, 100))

    response = upload(client, cm.headers, bid, ("a.png", encoded(image, "PNG")))

    assert response.status_code == 201, response.text
    out = assert_clean_jpeg(stored(client, response.json()[0]["photo"]["display_hash"]))
    assert out.mode == "RGB"
    assert min(pixel(out, (150, 50))) > 240  # transparent → white
    assert pixel(out, (50, 50))[2] > 200


def test_webp_and_heic_are_accepted(client: TestClient, cm: CareManager, bid: int) -> None:
    webp = encoded(Image.new("RGB", (300, 200), (10, 200, 10)), "WEBP")
    heif = pillow_heif.from_pillow(Image.new("RGB", (320, 240), (10, 10, 200)))
    heic = io.BytesIO()
    heif.save(heic, quality=80)

    response = upload(client, cm.headers, bid, ("a.webp", webp), ("b.heic", heic.getvalue()))

    assert response.status_code == 201, response.text
    results = response.json()
    assert [r["status"] for r in results] == ["created", "created"]
    assert [(r["photo"]["width"], r["photo"]["height"]) for r in results] == [
        (300, 200),
        (320, 240),
    ]
    for r in results:
        assert_clean_jpeg(stored(client, r["photo"]["display_hash"]))


def png_bomb(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + chunk(b"IEND", b"")
    )


HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)


@pytest.mark.parametrize(
    ("name", "content", "status", "words"),
    [
        ("cut.jpg", jpeg((640, 480))[:2000], 422, "endommagée"),
        ("bomb.png", png_bomb(30000, 30000), 422, "trop grande"),
        ("big.png", png_bomb(8000, 7000), 422, "8000 × 7000"),
        ("empty.jpg", b"", 422, "vide"),
        ("page.jpg", HTML, 415, "JPEG, PNG, WebP ou HEIC"),
        ("drawing.jpg", SVG, 415, "JPEG, PNG, WebP ou HEIC"),
        ("tiff.jpg", encoded(Image.new("RGB", (10, 10)), "TIFF"), 415, "JPEG"),
    ],
    ids=["truncated", "pixel-bomb", "over-50-megapixels", "empty", "html", "svg", "tiff"],
)
def test_bad_files_are_refused_and_nothing_is_stored(
    client: TestClient,
    cm: CareManager,
    bid: int,
    name: str,
    content: bytes,
    status: int,
    words: str,
) -> None:
    response = upload(client, cm.headers, bid, (name, content))

    assert response.status_code == status, response.text
    assert words in response.json()["detail"]
    assert response.json()["results"][0]["status"] == "error"
    assert photo_count(client) == 0
    assert files_on_disk(client) == []


def test_several_files_get_per_file_results(client: TestClient, cm: CareManager, bid: int) -> None:
    response = upload(client, cm.headers, bid, ("ok.jpg", jpeg()), ("page.jpg", HTML))

    assert response.status_code == 201
    results = response.json()
    assert [r["status"] for r in results] == ["created", "error"]
    assert results[1]["photo"] is None and "JPEG" in results[1]["error"]
    assert photo_count(client) == 1
    assert len(files_on_disk(client)) == 2  # display + thumbnail of the good one


def test_all_files_refused_answers_with_every_reason(
    client: TestClient, cm: CareManager, bid: int
) -> None:
    response = upload(client, cm.headers, bid, ("a.jpg", HTML), ("b.jpg", b""))

    assert response.status_code == 422
    assert "a.jpg" in response.json()["detail"] and "b.jpg" in response.json()["detail"]


def test_html_jpeg_polyglot_is_reencoded_without_the_html(
    client: TestClient, cm: CareManager, bid: int
) -> None:
    polyglot = jpeg((320, 240)) + HTML

    response = upload(client, cm.headers, bid, ("poly.jpg", polyglot))

    assert response.status_code == 201
    photo = response.json()[0]["photo"]
    for key in (photo["display_hash"], photo["thumb_hash"]):
        data = stored(client, key)
        assert b"<script" not in data and b"<html" not in data
        assert data.endswith(b"\xff\xd9")


def test_file_over_the_size_limit_is_refused_early(make_client: MakeClient) -> None:
    client = make_client(photo_max_bytes=50_000)
    cm = care_manager(client)
    bid = create_beneficiary(client, cm)["id"]
    noisy = Image.effect_noise((800, 800), 100).convert("RGB")
    big = encoded(noisy, "JPEG", quality=95)
    assert len(big) > 50_000

    response = upload(client, cm.headers, bid, ("small.jpg", jpeg((64, 64))), ("big.jpg", big))

    assert response.status_code == 413
    assert "big.jpg" in response.json()["detail"]
    assert "rien n'a été enregistré" in response.json()["detail"]
    assert photo_count(client) == 0
    assert files_on_disk(client) == []
    # A Content-Length far beyond any legitimate upload is refused without reading the body.
    declared = client.post(
        f"{API}/beneficiaries/{bid}/photos",
        content=b"x" * 10,
        headers={
            **cm.headers,
            "Content-Type": "multipart/form-data; boundary=abc",
            "Content-Length": str(10**9),
        },
    )
    assert declared.status_code == 413


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"caption": "x" * 501}, "500"),
        ({"caption": "nul\x00"}, "La légende contient un caractère de contrôle (U+0000)"),
        ({"other": "1"}, "inattendu"),
    ],
)
def test_bad_caption_or_fields(
    client: TestClient, cm: CareManager, bid: int, body: dict[str, str], words: str
) -> None:
    response = client.post(
        f"{API}/beneficiaries/{bid}/photos",
        files=[("files", ("a.jpg", jpeg(), "image/jpeg"))],
        data=body,
        headers=cm.headers,
    )

    assert response.status_code == 422
    assert words in response.json()["detail"]
    assert photo_count(client) == 0


def test_upload_without_files_or_not_multipart(
    client: TestClient, cm: CareManager, bid: int
) -> None:
    no_file = client.post(
        f"{API}/beneficiaries/{bid}/photos",
        files={"caption": (None, "juste une légende")},
        headers=cm.headers,
    )
    assert no_file.status_code == 422
    assert "Aucune photo" in no_file.json()["detail"]
    form = client.post(f"{API}/beneficiaries/{bid}/photos", data={"a": "b"}, headers=cm.headers)
    assert form.status_code == 415
    as_json = client.post(f"{API}/beneficiaries/{bid}/photos", json={}, headers=cm.headers)
    assert as_json.status_code == 415


def test_same_bytes_twice_is_a_duplicate(client: TestClient, cm: CareManager, bid: int) -> None:
    content = jpeg()
    first = upload(client, cm.headers, bid, ("a.jpg", content)).json()[0]

    again = upload(client, cm.headers, bid, ("a-copy.jpg", content), caption="autre")

    assert again.status_code == 200
    [result] = again.json()
    assert result["status"] == "duplicate"
    assert result["photo"]["id"] == first["photo"]["id"]
    assert result["photo"]["caption"] == ""
    assert photo_count(client) == 1
    # Another beneficiary may receive the same photo: a photo of its own.
    other = create_beneficiary(client, cm, first_name="Louis")["id"]
    assert upload(client, cm.headers, other, ("a.jpg", content)).json()[0]["status"] == "created"


def test_crash_during_store_leaves_no_file_and_no_row(
    client: TestClient, cm: CareManager, bid: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)

    response = upload(client, cm.headers, bid, ("a.jpg", jpeg()))

    assert response.status_code == 503
    assert "stockage" in response.json()["detail"]
    assert photo_count(client) == 0
    assert files_on_disk(client) == []  # neither at the final path nor as a temporary
    monkeypatch.undo()
    assert upload(client, cm.headers, bid, ("a.jpg", jpeg())).status_code == 201


# --- access, role by role --------------------------------------------------------------------


def test_who_may_post(client: TestClient, cm: CareManager, bid: int) -> None:
    family = member(client, bid, "family")
    friend = member(client, bid, "neighbour")
    volunteer = member(client, bid, "professional", profession="volunteer")
    nurse = member(client, bid, "professional", profession="nurse")
    stranger = care_manager(client)

    assert upload(client, family, bid, ("a.jpg", jpeg((10, 10)))).status_code == 201
    assert upload(client, friend, bid, ("a.jpg", jpeg((11, 10)))).status_code == 201
    assert upload(client, cm.headers, bid, ("a.jpg", jpeg((12, 10)))).status_code == 201
    assert upload(client, volunteer, bid, ("a.jpg", jpeg((13, 10)))).status_code == 403
    assert upload(client, nurse, bid, ("a.jpg", jpeg((14, 10)))).status_code == 403
    assert upload(client, stranger.headers, bid, ("a.jpg", jpeg((15, 10)))).status_code == 404
    assert photo_count(client) == 3
    # Everyone in the circle sees them (volunteers and nurses included), newest first.
    for headers in (family, friend, volunteer, nurse, cm.headers):
        listed = client.get(f"{API}/beneficiaries/{bid}/photos", headers=headers)
        assert listed.status_code == 200
        assert [p["width"] for p in listed.json()] == [12, 11, 10]
    assert (
        client.get(f"{API}/beneficiaries/{bid}/photos", headers=stranger.headers).status_code == 404
    )


def test_moderation_and_deletion_rights(client: TestClient, cm: CareManager, bid: int) -> None:
    sender = member(client, bid, "family")
    sister = member(client, bid, "family")
    friend = member(client, bid, "friend")
    stranger = care_manager(client)
    photo = upload(client, sender, bid, ("a.jpg", jpeg())).json()[0]["photo"]
    url = f"{API}/photos/{photo['id']}"

    # Someone else in the family may neither edit nor delete it; outsiders do not see it.
    assert client.patch(url, json={"caption": "x"}, headers=sister).status_code == 403
    assert client.delete(url, headers=sister).status_code == 403
    assert client.patch(url, json={"hidden": True}, headers=friend).status_code == 403
    assert client.delete(url, headers=stranger.headers).status_code == 404
    assert client.get(f"{url}/display", headers=stranger.headers).status_code == 404

    # The sender edits the caption; the care manager hides it.
    edited = client.patch(url, json={"caption": "Au jardin"}, headers=sender)
    assert edited.status_code == 200 and edited.json()["caption"] == "Au jardin"
    hidden = client.patch(url, json={"hidden": True}, headers=cm.headers)
    assert hidden.status_code == 200 and hidden.json()["hidden"] is True

    # Hidden: seen by the moderator and the sender only.
    def listed(headers: dict[str, str]) -> list[int]:
        return [
            p["id"] for p in client.get(f"{API}/beneficiaries/{bid}/photos", headers=headers).json()
        ]

    assert listed(cm.headers) == [photo["id"]]
    assert listed(sender) == [photo["id"]]
    assert listed(sister) == []
    assert client.get(f"{url}/display", headers=sister).status_code == 404
    assert client.get(f"{url}/thumbnail", headers=sender).status_code == 200

    # The sender deletes their own photo: gone for everyone, files removed.
    assert client.delete(url, headers=sender).status_code == 204
    assert listed(cm.headers) == []
    assert client.get(url, headers=cm.headers).status_code == 404
    assert files_on_disk(client) == []


def test_care_manager_may_delete_anyones_photo(
    client: TestClient, cm: CareManager, bid: int
) -> None:
    friend = member(client, bid, "friend")
    photo = upload(client, friend, bid, ("a.jpg", jpeg())).json()[0]["photo"]

    assert client.delete(f"{API}/photos/{photo['id']}", headers=cm.headers).status_code == 204
    # Sent again after deletion: it comes back.
    again = upload(client, friend, bid, ("a.jpg", jpeg()))
    assert again.status_code == 201 and again.json()[0]["photo"]["id"] == photo["id"]


def test_pagination(client: TestClient, cm: CareManager, bid: int) -> None:
    for n in range(5):
        upload(client, cm.headers, bid, (f"{n}.jpg", jpeg((10 + n, 10))))
    url = f"{API}/beneficiaries/{bid}/photos"

    first = client.get(url, params={"limit": 2}, headers=cm.headers).json()
    rest = client.get(url, params={"limit": 2, "before_id": first[-1]["id"]}, headers=cm.headers)

    assert [p["width"] for p in first] == [14, 13]
    assert [p["width"] for p in rest.json()] == [12, 11]
    assert client.get(url, params={"limit": 101}, headers=cm.headers).status_code == 422


# --- tablets ---------------------------------------------------------------------------------


def test_tablet_syncs_visible_photos_and_downloads_its_own(
    client: TestClient, cm: CareManager, bid: int
) -> None:
    credential = pair_device(client, cm, bid)["access_token"]
    other_bid = create_beneficiary(client, cm, first_name="Louis")["id"]
    family = member(client, bid, "family", name="Sophie")
    cursor = sync(client, credential).json()["cursor"]

    photo = upload(client, family, bid, ("a.jpg", jpeg()), caption="Bonjour").json()[0]["photo"]
    foreign = upload(client, cm.headers, other_bid, ("b.jpg", jpeg((50, 50)))).json()[0]["photo"]

    delta = sync(client, credential, cursor=cursor).json()
    [item] = delta["upserts"]["photos"]
    assert item == {
        "id": photo["id"],
        "caption": "Bonjour",
        "sender_name": "Sophie",
        "created_at": item["created_at"],
        "width": 640,
        "height": 480,
        "display_hash": photo["display_hash"],
        "thumb_hash": photo["thumb_hash"],
    }
    headers = device_headers(credential)
    got = client.get(f"{API}/device/photos/{photo['id']}/display", headers=headers)
    assert got.status_code == 200 and got.headers["etag"] == f'"{photo["display_hash"]}"'
    thumb = client.get(f"{API}/device/photos/{photo['id']}/thumbnail", headers=headers)
    assert thumb.content == stored(client, photo["thumb_hash"])
    assert (
        client.get(f"{API}/device/photos/{foreign['id']}/display", headers=headers).status_code
        == 404
    )
    assert client.get(f"{API}/device/photos/{photo['id']}/display").status_code == 401

    # Hidden → deleted on the tablet, and no longer downloadable; shown again → back.
    cursor = delta["cursor"]
    client.patch(f"{API}/photos/{photo['id']}", json={"hidden": True}, headers=cm.headers)
    delta = sync(client, credential, cursor=cursor).json()
    assert delta["deletes"]["photos"] == [photo["id"]]
    assert (
        client.get(f"{API}/device/photos/{photo['id']}/display", headers=headers).status_code == 404
    )
    client.patch(f"{API}/photos/{photo['id']}", json={"hidden": False}, headers=cm.headers)
    delta = sync(client, credential, cursor=delta["cursor"]).json()
    assert [p["id"] for p in delta["upserts"]["photos"]] == [photo["id"]]
    client.delete(f"{API}/photos/{photo['id']}", headers=family)
    delta = sync(client, credential, cursor=delta["cursor"]).json()
    assert delta["deletes"]["photos"] == [photo["id"]]
    full = sync(client, credential).json()
    assert full["upserts"]["photos"] == []
    with session_of(client) as session:
        ops = session.scalars(
            select(Change.op).where(Change.entity == "photo", Change.entity_id == photo["id"])
        ).all()
    assert list(ops) == ["upsert", "delete", "upsert", "delete"]
