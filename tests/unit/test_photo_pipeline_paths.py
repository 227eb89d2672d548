"""The photo pipeline's decode paths keep colours and orientation: RGB JPEGs (DCT-scaled or
not, every EXIF orientation), CMYK and greyscale JPEGs; and the caller's file stays open."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageOps, ImageStat

from backend import photo_pipeline as pp

RED, GREEN, BLUE, WHITE = (220, 30, 30), (30, 200, 40), (30, 40, 210), (250, 250, 250)
TOLERANCE = 8  # per channel, on a quadrant's mean (JPEG at q85, twice)


def quadrants(size: tuple[int, int]) -> Image.Image:
    """Red top left, green top right, blue bottom left, white bottom right."""
    width, height = size
    image = Image.new("RGB", size, WHITE)
    image.paste(RED, (0, 0, width // 2, height // 2))
    image.paste(GREEN, (width // 2, 0, width, height // 2))
    image.paste(BLUE, (0, height // 2, width // 2, height))
    return image


def jpeg(image: Image.Image, orientation: int = 1) -> io.BytesIO:
    exif = Image.Exif()
    if orientation != 1:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95, exif=exif.tobytes())
    out.seek(0)
    return out


def quadrant_means(image: Image.Image) -> list[tuple[float, ...]]:
    """Mean RGB of each quadrant's inner half (away from the edges JPEG blurs)."""
    width, height = image.size
    rgb = image.convert("RGB")
    means = []
    for left, top in ((0, 0), (width // 2, 0), (0, height // 2), (width // 2, height // 2)):
        box = (
            left + width // 8,
            top + height // 8,
            left + width // 2 - width // 8,
            top + height // 2 - height // 8,
        )
        means.append(tuple(ImageStat.Stat(rgb.crop(box)).mean))
    return means


def assert_close(
    got: list[tuple[float, ...]], expected: list[tuple[float, ...]], tolerance: float = TOLERANCE
) -> None:
    for got_mean, expected_mean in zip(got, expected, strict=True):
        assert all(abs(a - b) <= tolerance for a, b in zip(got_mean, expected_mean, strict=True)), (
            got,
            expected,
        )


def shown(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_orientation_is_turned_upright_with_its_colours(orientation: int) -> None:
    source = jpeg(quadrants((640, 480)), orientation)
    with Image.open(jpeg(quadrants((640, 480)), orientation)) as reference_source:
        upright = ImageOps.exif_transpose(reference_source)

    result = pp.process(source)

    for variant in (result.display, result.thumbnail):
        image = shown(variant.data)
        assert image.mode == "RGB"
        assert image.size == pp.fit(upright.size, image.size)  # same aspect as the upright source
        assert image.size == (variant.width, variant.height)
        assert_close(quadrant_means(image), quadrant_means(upright))


def test_a_large_turned_jpeg_is_dct_scaled_and_keeps_colours_and_orientation() -> None:
    source = jpeg(quadrants((4000, 3000)), 6)
    with Image.open(jpeg(quadrants((4000, 3000)), 6)) as reference_source:
        upright = ImageOps.exif_transpose(reference_source)

    result = pp.process(source)

    assert result.decoded_size == (2000, 1500)
    display = shown(result.display.data)
    assert display.size == (810, 1080)
    assert_close(quadrant_means(display), quadrant_means(upright))
    assert_close(quadrant_means(shown(result.thumbnail.data)), quadrant_means(upright))


def test_cmyk_jpeg_comes_out_rgb_with_its_colours() -> None:
    cmyk = Image.new("CMYK", (800, 600), (0, 0, 0, 0))  # white
    cmyk.paste((0, 230, 230, 0), (0, 0, 400, 300))  # red
    out = io.BytesIO()
    cmyk.save(out, "JPEG", quality=95)
    expected = quadrant_means(cmyk.convert("RGB"))

    result = pp.process(io.BytesIO(out.getvalue()))

    for variant in (result.display, result.thumbnail):
        image = shown(variant.data)
        assert image.mode == "RGB"
        assert_close(quadrant_means(image), expected)


def test_greyscale_jpeg_comes_out_grey() -> None:
    grey = Image.new("L", (4000, 2400), 40)
    grey.paste(200, (0, 0, 2000, 1200))
    out = io.BytesIO()
    grey.save(out, "JPEG", quality=95)

    result = pp.process(io.BytesIO(out.getvalue()))

    assert result.decoded_size == (2000, 1200)  # DCT-scaled too
    image = shown(result.display.data)
    assert image.mode == "RGB"
    assert_close(quadrant_means(image), quadrant_means(grey.convert("RGB")))


def test_the_callers_file_stays_open() -> None:
    source = jpeg(quadrants((640, 480)), 6)

    pp.process(source)

    assert not source.closed
    source.seek(0)
    assert source.read(2) == b"\xff\xd8"
