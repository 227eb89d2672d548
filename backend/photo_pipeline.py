"""Decode an uploaded photo and re-encode it for the tablet, with Pillow. No database here.

What comes out is two JPEGs made from the pixels only:
- a *display* variant that fits 1920×1080 (tablet screens are 1280×800 or 800×480, both
  landscape; the aspect ratio is kept, small images are never enlarged);
- a *thumbnail* whose longest side is at most 320 px.

Both are progressive JPEGs (quality 85, optimized) with no metadata at all: no
EXIF (so no GPS position), no XMP, no ICC profile (colours are converted to sRGB first), no
JPEG comment. The EXIF orientation is applied to the pixels before it is dropped. Transparent
images are flattened on white.

Hostile or broken input is refused with a `PhotoError` before anything is stored:
- only JPEG, PNG, WebP and HEIC/HEIF decoders are ever tried (`Image.open(formats=…)`), so
  SVG, HTML, TIFF, PSD… are "unsupported" (415), whatever the file is called;
- decompression bombs: Pillow's `DecompressionBombWarning` is turned into an error, and
  anything above `MAX_PIXELS` is refused from its header, before any pixel is decoded (422);
- truncated or corrupt files fail to decode (422): truncated images are never "completed".

Large JPEGs are decoded with DCT scaling (`draft()`), before the pixels are loaded: a 48 Mpx
photo is then decoded at a quarter or an eighth of its size. The EXIF orientation is applied
after resizing, to the small image (PSNR 44 dB against turning first: the same picture;
bench/photo_pipeline.py measures the gain). The decoded image is resized without being copied
first and is freed as soon as it is resized, before the next images are allocated.
"""

from __future__ import annotations

import hashlib
import io
import struct
import warnings
import zlib
from dataclasses import dataclass
from typing import IO

import pillow_heif
from PIL import Image, ImageCms, ImageFile, UnidentifiedImageError

pillow_heif.register_heif_opener()

# The decoders we allow. "HEIF" is pillow-heif's (HEIC photos from phones).
FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
# A 48 Mpx phone photo (8064×6048) passes; a pixel bomb does not.
MAX_PIXELS = 50_000_000
DISPLAY_BOX = (1920, 1080)
THUMB_BOX = (320, 320)
JPEG_QUALITY = 85

# Decoding errors Pillow and its plugins raise for broken files (truncated data, bad
# Huffman tables, absurd chunk lengths, bad EXIF…).
_DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    KeyError,
    TypeError,
    struct.error,
    zlib.error,
    RuntimeError,
    Image.DecompressionBombError,
)

_ORIENTATION_TAG = 0x0112
_SWAPS_AXES = {5, 6, 7, 8}  # orientations that turn the image by 90°


class PhotoError(Exception):
    """A file we will not store; `message` is in French, for the person who sent it."""

    status_code = 422

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnsupportedFormat(PhotoError):
    status_code = 415


class CorruptImage(PhotoError):
    status_code = 422


class TooManyPixels(PhotoError):
    status_code = 422


UNSUPPORTED_MESSAGE = (
    "Ce fichier n'est pas une photo prise en charge : envoyez une image JPEG, PNG, WebP ou HEIC."
)
CORRUPT_MESSAGE = "Cette photo est endommagée ou incomplète : elle n'a pas pu être lue."


def too_many_pixels_message(width: int | None = None, height: int | None = None) -> str:
    limit = MAX_PIXELS // 1_000_000
    if width and height:
        return (
            f"Cette image est trop grande ({width} × {height} pixels) : {limit} mégapixels au plus."
        )
    return f"Cette image est trop grande : {limit} mégapixels au plus."


@dataclass(frozen=True)
class Variant:
    data: bytes
    width: int
    height: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class ProcessedPhoto:
    display: Variant
    thumbnail: Variant
    source_format: str
    source_size: tuple[int, int]  # as stored in the file, before orientation
    decoded_size: tuple[int, int]  # what was actually decoded (smaller with JPEG draft mode)


def fit(size: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    """`size` scaled down (never up) to fit inside `box`, keeping the aspect ratio."""
    width, height = size
    scale = min(1.0, box[0] / width, box[1] / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def process(source: IO[bytes]) -> ProcessedPhoto:
    """Decode `source` (any seekable binary file) and make the display and thumbnail JPEGs."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return _process(source)
        except PhotoError:
            raise
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise TooManyPixels(too_many_pixels_message()) from exc
        except UnidentifiedImageError as exc:
            raise UnsupportedFormat(UNSUPPORTED_MESSAGE) from exc
        except MemoryError as exc:
            raise TooManyPixels(too_many_pixels_message()) from exc
        except _DECODE_ERRORS as exc:
            raise CorruptImage(CORRUPT_MESSAGE) from exc


def _process(source: IO[bytes]) -> ProcessedPhoto:
    # Never decode what a truncated file lacks (this is Pillow's default; be explicit).
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        raise RuntimeError("ImageFile.LOAD_TRUNCATED_IMAGES must stay False")
    # The decoded pixels live only inside _decoded_and_resized: they are freed when it returns,
    # before the next images are allocated.
    resized, orientation, source_format, source_size, decoded_size = _decoded_and_resized(source)
    display_image = _upright(resized, orientation)
    thumb_image = _resized(display_image, THUMB_BOX)
    display = _encode(display_image)
    display_image.close()
    thumbnail = _encode(thumb_image)
    thumb_image.close()
    return ProcessedPhoto(
        display=display,
        thumbnail=thumbnail,
        source_format=source_format,
        source_size=source_size,
        decoded_size=decoded_size,
    )


def _decoded_and_resized(
    source: IO[bytes],
) -> tuple[Image.Image, int, str, tuple[int, int], tuple[int, int]]:
    """(the image resized to the display size in the file's own axes, its EXIF orientation,
    the source format, the source size, the decoded size)."""
    with Image.open(source, formats=FORMATS) as image:
        source_format = image.format or "?"
        source_size = image.size
        width, height = image.size
        if width < 1 or height < 1:
            raise CorruptImage(CORRUPT_MESSAGE)
        if width * height > MAX_PIXELS:
            raise TooManyPixels(too_many_pixels_message(width, height))
        orientation = _orientation(image)
        if source_format in ("JPEG", "MPO"):
            _draft_for_display(image, orientation)
        decoded_size = image.size
        image.load()  # after draft()
        rgb = _to_srgb(image)  # the decoded image itself when it already is plain sRGB
        # Resized in the file's own axes, then turned upright: turning the display-sized image
        # instead of the decoded one (a 12 Mpx photo decoded at 1/2 is 3 Mpx) saves its copy.
        box = DISPLAY_BOX[::-1] if orientation in _SWAPS_AXES else DISPLAY_BOX
        resized = _resized(rgb, box)
    # Not image.close(): that would also close the caller's file.
    return resized, orientation, source_format, source_size, decoded_size


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(_ORIENTATION_TAG, 1)
    except _DECODE_ERRORS:
        return 1
    return value if isinstance(value, int) else 1


# What ImageOps.exif_transpose does for each EXIF orientation.
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _upright(image: Image.Image, orientation: int) -> Image.Image:
    """`image` turned upright: a new image (and `image` closed), or `image` itself."""
    method = _UPRIGHT.get(orientation)
    if method is None:
        return image
    upright = image.transpose(method)
    image.close()
    return upright


def _draft_for_display(image: Image.Image, orientation: int) -> None:
    """Ask libjpeg to decode at 1/2, 1/4 or 1/8 scale when that still covers the display size.

    The target is the display size in the file's own axes (an image turned by 90° through its
    EXIF orientation is stored with width and height swapped). draft() only picks a scale whose
    result is at least the target in both dimensions, so no quality is lost."""
    width, height = image.size
    oriented = (height, width) if orientation in _SWAPS_AXES else (width, height)
    target_w, target_h = fit(oriented, DISPLAY_BOX)
    target = (target_h, target_w) if orientation in _SWAPS_AXES else (target_w, target_h)
    image.draft("RGB", target)


def _to_srgb(image: Image.Image) -> Image.Image:
    """An RGB image in sRGB, transparency flattened on white, with no `info`: `image` itself when
    it already is one (no copy), else a new image."""
    icc = image.info.get("icc_profile")
    if image.mode.startswith("I;16"):
        # 16-bit greyscale (PNG): scale to 8 bits rather than clip.
        image = image.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in ("RGBA", "LA", "La", "RGBa", "PA"):
        rgba = image.convert("RGBA")
        flattened = Image.new("RGB", rgba.size, (255, 255, 255))
        flattened.paste(rgba, mask=rgba.getchannel("A"))
        image = flattened
    elif image.mode == "CMYK" and icc:
        pass  # converted through its profile below
    elif image.mode != "RGB":
        image = image.convert("RGB")
    if icc:
        converted = _from_profile(image, icc)
        if converted is not None:
            image = converted
    if image.mode != "RGB":
        image = image.convert("RGB")
    image.info = {}
    return image


def _from_profile(image: Image.Image, icc: bytes) -> Image.Image | None:
    """Convert from the embedded ICC profile to sRGB (so that the profile can be dropped
    without changing the colours); None if the profile cannot be used."""
    try:
        source_profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        srgb = ImageCms.createProfile("sRGB")
        converted = ImageCms.profileToProfile(image, source_profile, srgb, outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return None
    return converted


def _resized(image: Image.Image, box: tuple[int, int]) -> Image.Image:
    """A new image fitting `box` (a copy when `image` already fits)."""
    size = fit(image.size, box)
    if size == image.size:
        return image.copy()
    return image.resize(size, Image.Resampling.LANCZOS)


def _encode(image: Image.Image) -> Variant:
    image.info = {}  # nothing from the source travels: no comment, EXIF, XMP or ICC
    out = io.BytesIO()
    image.save(
        out,
        "JPEG",
        quality=JPEG_QUALITY,
        optimize=True,
        progressive=True,
        comment=b"",
        exif=b"",
        icc_profile=None,
    )
    return Variant(data=out.getvalue(), width=image.width, height=image.height)
