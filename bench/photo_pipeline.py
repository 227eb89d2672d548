"""Photo pipeline: a 12-megapixel phone JPEG to its display variant, against a naive path.

    .venv/bin/python -m bench.photo_pipeline [--repeat 7]

The source is generated (4000×3000, a photo-like mix of gradients, shapes and sensor noise,
EXIF orientation 6 as a phone held upright writes it, quality 90). Both paths make the same two
JPEGs (display variant and thumbnail, same encoder settings):

- *optimized*: `backend.photo_pipeline.process` (JPEG draft decoding, then resizing);
- *naive*: full decode, `exif_transpose`, one Lanczos resize, then the thumbnail.

Each path is timed in two memory states, interleaved, because on this kind of VM a page touched
for the first time costs ≈ 3.5 µs (12 MiB: ≈ 10 ms) and whether glibc hands freed image buffers
back to the kernel depends on the process's allocation history (one path's frees decide whether
the next run of the other faults its pages in again):
- *warm*: freed memory is kept (mallopt), so a run reuses pages already mapped: the CPU work;
- *cold*: malloc_trim(0) before each run, so every page a run touches is faulted in fresh.

Printed: the median time of each path in each state with its page faults per run, the peak RSS of
each in a fresh subprocess (VmHWM: Pillow's C buffers are invisible to tracemalloc), the PSNR
between the two display variants, and last the speed-up ratio in each state.
"""

from __future__ import annotations

import argparse
import ctypes
import functools
import io
import json
import math
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps, ImageStat

from backend import photo_pipeline
from bench.measure import median_seconds, status_kib

SOURCE_SIZE = (4000, 3000)  # 12 Mpx, 4:3 as phones take them
ORIENTATION_TAG = 0x0112
STATES = ("warm", "cold")
# glibc's mallopt parameters (malloc.h).
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3


def make_source(size: tuple[int, int] = SOURCE_SIZE, seed: int = 8) -> bytes:
    """A JPEG that compresses and decodes like a photo: smooth areas, edges and grain."""
    width, height = size
    horizontal = Image.linear_gradient("L").rotate(90).resize(size)
    vertical = Image.linear_gradient("L").resize(size)
    radial = Image.radial_gradient("L").resize(size)
    image = Image.merge("RGB", (horizontal, vertical, radial))
    draw = ImageDraw.Draw(image)
    step = max(1, width // 40)
    for i in range(40):  # some edges and textures, deterministic
        x = (i * 97 + seed * 13) % width
        y = (i * 61 + seed * 7) % height
        colour = ((i * 53) % 256, (i * 101) % 256, (i * 29) % 256)
        draw.ellipse((x, y, x + step * 3, y + step * 2), fill=colour)
        draw.line((0, y, width, (y + i * step) % height), fill=colour, width=max(1, step // 8))
    image = image.filter(ImageFilter.GaussianBlur(2))
    # Sensor grain; sigma 8 gives ≈ 4 MB at quality 90, what a 12 Mpx phone photo weighs.
    noise = Image.effect_noise(size, 8).convert("RGB")
    image = ImageChops.add(image, noise, scale=1.0, offset=-128)
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = 6
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def optimized(data: bytes) -> bytes:
    return photo_pipeline.process(io.BytesIO(data)).display.data


def naive(data: bytes) -> bytes:
    """What one writes first: decode everything, rotate, resize (same output sizes, encoder)."""
    with Image.open(io.BytesIO(data)) as image:
        oriented = ImageOps.exif_transpose(image)
    rgb = oriented.convert("RGB")
    display = rgb.resize(
        photo_pipeline.fit(rgb.size, photo_pipeline.DISPLAY_BOX), Image.Resampling.LANCZOS
    )
    thumb = display.resize(
        photo_pipeline.fit(display.size, photo_pipeline.THUMB_BOX), Image.Resampling.LANCZOS
    )
    encoded = []
    for variant in (display, thumb):
        out = io.BytesIO()
        variant.save(
            out, "JPEG", quality=photo_pipeline.JPEG_QUALITY, optimize=True, progressive=True
        )
        encoded.append(out.getvalue())
    return encoded[0]


PATHS = {"optimized": optimized, "naive": naive}


def psnr(a: bytes, b: bytes) -> float:
    """Peak signal-to-noise ratio in dB between two decoded JPEGs of the same size."""
    with Image.open(io.BytesIO(a)) as first, Image.open(io.BytesIO(b)) as second:
        if first.size != second.size:
            raise ValueError(f"sizes differ: {first.size} vs {second.size}")
        diff = ImageChops.difference(first.convert("RGB"), second.convert("RGB"))
    mse = sum(ImageStat.Stat(diff).sum2) / (3 * diff.width * diff.height)
    return math.inf if mse == 0 else 10 * math.log10(255**2 / mse)


def peak_rss_mib(path_name: str, source: Path) -> tuple[float, float]:
    """(peak RSS before, peak RSS after) one run of a path, in a fresh interpreter, in MiB."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.photo_pipeline", "--child", path_name, str(source)],
        check=True,
        capture_output=True,
        text=True,
    )
    before, after = json.loads(out.stdout.strip().splitlines()[-1])
    return before / 1024, after / 1024


def glibc_malloc() -> ctypes.CDLL:
    """glibc, set to keep freed memory: image buffers (Pillow allocates them in blocks of at most
    16 MiB) come from the heap, which is never trimmed unless malloc_trim() is called."""
    libc = ctypes.CDLL("libc.so.6")
    for parameter, value in ((M_MMAP_THRESHOLD, 32 << 20), (M_TRIM_THRESHOLD, 1 << 30)):
        if libc.mallopt(parameter, value) != 1:
            raise OSError(f"mallopt({parameter}, {value}) refused")
    return libc


def page_faults() -> int:
    """Minor page faults of this process so far (a page touched for the first time)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def _child(path_name: str, source: Path) -> None:
    data = source.read_bytes()
    PATHS["naive"](make_source((64, 48)))  # warm the code paths (imports, plugin registry)
    before = status_kib("VmHWM")
    PATHS[path_name](data)
    print(json.dumps([before, status_kib("VmHWM")]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.photo_pipeline", description=__doc__)
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per path (median)")
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "foyer-bench-photo"
    )
    parser.add_argument("--child", nargs=2, metavar=("PATH", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child[0], Path(args.child[1]))
        return 0
    args.work.mkdir(parents=True, exist_ok=True)
    source = args.work / "source-12mpx.jpg"
    data = make_source()
    source.write_bytes(data)
    print(
        f"source: {SOURCE_SIZE[0]}×{SOURCE_SIZE[1]} JPEG q90, orientation 6, "
        f"{len(data) / 1e6:.1f} MB"
    )
    libc = glibc_malloc()
    outputs = {name: run(data) for name, run in PATHS.items()}  # warm-up, and the results
    samples: dict[tuple[str, str], list[float]] = {}
    faults: dict[tuple[str, str], list[int]] = {}
    for _ in range(args.repeat):  # interleaved, so that a neighbour's burst hits both paths
        for state in STATES:
            for name, run in PATHS.items():
                if state == "cold":
                    libc.malloc_trim(0)  # every freed page goes back to the kernel
                start = page_faults()
                seconds = median_seconds(functools.partial(run, data), 1)
                faults.setdefault((name, state), []).append(page_faults() - start)
                samples.setdefault((name, state), []).append(seconds)
    medians = {key: statistics.median(values) for key, values in samples.items()}
    for name in PATHS:
        before, after = peak_rss_mib(name, source)
        with Image.open(io.BytesIO(outputs[name])) as shown:
            size = shown.size
        timings = ", ".join(
            f"{state} {medians[name, state] * 1000:5.1f} ms "
            f"({statistics.median(faults[name, state]):.0f} page faults)"
            for state in STATES
        )
        print(
            f"{name:>9}: {timings}; peak RSS {after:.1f} MiB "
            f"(+{after - before:.1f} MiB for the photo); display {size[0]}×{size[1]}"
        )
    print(
        f"visual sameness: PSNR {psnr(outputs['optimized'], outputs['naive']):.1f} dB "
        "between the two display variants (> 40 dB: indistinguishable)"
    )
    ratios = {state: medians["naive", state] / medians["optimized", state] for state in STATES}
    print(
        f"photo pipeline speed-up: {ratios['warm']:.2f}x warm (pages already mapped), "
        f"{ratios['cold']:.2f}x cold (pages faulted in) faster than the naive path "
        "(target ≥ 2.5x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
