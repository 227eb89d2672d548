"""The photo pipeline on its own: draft decoding, orientation, sizes, metadata, hostile input."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageCms

from backend import photo_pipeline as pp
from backend.photo_store import PhotoStore, key_of

CLEAN_INFO = {"jfif", "jfif_version", "jfif_unit", "jfif_density", "progressive", "progression"}


def encoded(image: Image.Image, fmt: str = "JPEG", **save: Any) -> io.BytesIO:
    out = io.BytesIO()
    image.save(out, fmt, **save)
    out.seek(0)
    return out


def reopened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert set(image.info) <= CLEAN_INFO, image.info
    assert dict(image.getexif()) == {}
    return image


def test_large_jpeg_is_decoded_reduced_with_draft_mode() -> None:
    source = encoded(Image.new("RGB", (8000, 6000), (90, 120, 30)), quality=70)

    result = pp.process(source)

    assert result.source_size == (8000, 6000)
    # 1/4 scale covers 1440×1080: decoded at 2000×1500, not 48 megapixels.
    assert result.decoded_size == (2000, 1500)
    assert (result.display.width, result.display.height) == (1440, 1080)
    assert (result.thumbnail.width, result.thumbnail.height) == (320, 240)
    assert result.display.data.startswith(b"\xff\xd8")
    reopened(result.display.data)
    reopened(result.thumbnail.data)


def test_draft_accounts_for_a_quarter_turn() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6
    source = encoded(Image.new("RGB", (8000, 6000)), exif=exif)

    result = pp.process(source)

    # Shown as 6000×8000 → 810×1080; in the file's axes that is 1080×810: 1/4 scale (2000×1500)
    # still covers it, 1/8 (1000×750) would not.
    assert result.decoded_size == (2000, 1500)
    assert (result.display.width, result.display.height) == (810, 1080)


def test_small_images_are_not_enlarged_and_png_does_not_use_draft() -> None:
    result = pp.process(encoded(Image.new("RGB", (300, 100)), "PNG"))

    assert result.decoded_size == (300, 100)
    assert (result.display.width, result.display.height) == (300, 100)
    assert (result.thumbnail.width, result.thumbnail.height) == (300, 100)


def test_output_has_no_metadata_and_keeps_colours_through_icc() -> None:
    exif = Image.Exif()
    exif[0x0112] = 3
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    source = encoded(
        Image.new("RGB", (400, 300), (250, 10, 10)),
        exif=exif,
        comment=b"hello",
        icc_profile=srgb,
        xmp=b"<x:xmpmeta>secret</x:xmpmeta>",
    )

    result = pp.process(source)

    for variant in (result.display, result.thumbnail):
        assert b"hello" not in variant.data and b"secret" not in variant.data
        image = reopened(variant.data)
        red, green, blue = image.getpixel((10, 10))  # type: ignore[misc]
        assert red > 230 and green < 30 and blue < 30


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", pp.UnsupportedFormat),
        (b"GIF89a" + b"\x00" * 100, pp.UnsupportedFormat),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", pp.UnsupportedFormat),
    ],
)
def test_unsupported_input(data: bytes, error: type[pp.PhotoError]) -> None:
    with pytest.raises(error) as raised:
        pp.process(io.BytesIO(data))
    assert raised.value.status_code == 415


def test_truncated_jpeg_is_corrupt() -> None:
    data = encoded(Image.effect_noise((400, 400), 50).convert("RGB")).getvalue()

    with pytest.raises(pp.CorruptImage):
        pp.process(io.BytesIO(data[: len(data) // 2]))


def test_decompression_bomb_warning_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # Between Pillow's warning threshold and ours: the warning alone must refuse it.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)
    with pytest.raises(pp.TooManyPixels):
        pp.process(encoded(Image.new("RGB", (200, 100)), "PNG"))


def test_fit_keeps_aspect_and_never_enlarges() -> None:
    assert pp.fit((4000, 3000), (1920, 1080)) == (1440, 1080)
    assert pp.fit((3000, 4000), (1920, 1080)) == (810, 1080)
    assert pp.fit((100, 50), (1920, 1080)) == (100, 50)
    assert pp.fit((10000, 10), (320, 320)) == (320, 1)


def test_store_writes_atomically_and_by_content(tmp_path: Path) -> None:
    store = PhotoStore(tmp_path / "photos")
    key = store.put(b"jpeg bytes")

    assert key == key_of(b"jpeg bytes")
    path = tmp_path / "photos" / key[:2] / key[2:4] / f"{key}.jpg"
    assert path.read_bytes() == b"jpeg bytes"
    assert store.read(key) == b"jpeg bytes"
    assert store.put(b"jpeg bytes") == key
    with pytest.raises(ValueError, match="content key"):
        store.path_for("../../etc/passwd")
    # A temporary left by a crash is never served and is cleaned up.
    stale = path.parent / ".tmp-abc.part"
    stale.write_bytes(b"half")
    os.utime(stale, (0, 0))
    assert store.remove_stale_temporaries() == 1
    store.remove(key)
    assert store.read(key) is None


def test_store_crash_before_rename_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = PhotoStore(tmp_path / "photos")

    def crash(src: object, dst: object) -> None:
        raise OSError("power cut")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="power cut"):
        store.put(b"data")
    assert [p for p in (tmp_path / "photos").rglob("*") if p.is_file()] == []
