"""The photo cache on disk: content addressing, the budget and LRU eviction, atomic writes,
damaged files detected and fetched again, an index that survives restarts."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from kiosk.photo_cache import CorruptDownload, PhotoCache


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        self.t += 1.0
        return self.t


def blob(n: int, size: int = 100) -> tuple[str, bytes]:
    data = bytes([n % 256]) * size
    return hashlib.sha256(data).hexdigest(), data


def leftovers(root: Path) -> list[Path]:
    """Anything in the cache that is neither a photo nor the index: temporary files."""
    return [
        p
        for p in root.rglob("*")
        if p.is_file() and p.suffix != ".jpg" and not p.name.startswith("index.sqlite3")
    ]


def test_put_then_read_by_content_hash(tmp_path: Path) -> None:
    cache = PhotoCache(tmp_path)
    key, data = blob(1)
    path = cache.put(key, data)
    assert path == tmp_path / "files" / key[:2] / f"{key}.jpg"
    assert cache.read(key) == data
    assert cache.contains(key)
    assert cache.total_bytes() == 100
    assert leftovers(tmp_path) == []


def test_bytes_that_do_not_match_their_hash_are_refused(tmp_path: Path) -> None:
    cache = PhotoCache(tmp_path)
    key, _ = blob(1)
    with pytest.raises(CorruptDownload):
        cache.put(key, b"a truncated download")
    assert not cache.contains(key)
    assert cache.keys() == set()
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("bad", ["../../etc/passwd", "ABC", "g" * 64, ""])
def test_keys_that_are_not_hashes_never_become_paths(tmp_path: Path, bad: str) -> None:
    cache = PhotoCache(tmp_path)
    assert cache.read(bad) is None
    assert not cache.contains(bad)
    with pytest.raises(ValueError, match="SHA-256"):
        cache.put(bad, b"x")


def test_a_truncated_file_is_detected_dropped_and_downloaded_again(tmp_path: Path) -> None:
    cache = PhotoCache(tmp_path)
    key, data = blob(7, 5000)
    path = cache.put(key, data)
    with path.open("r+b") as f:  # what a lying SD card leaves after a power cut
        f.truncate(1234)
    assert cache.read(key) is None  # never shown
    assert not path.exists()
    assert cache.keys() == set()
    downloads: list[str] = []

    def download() -> bytes:
        downloads.append(key)
        return data

    assert cache.fetch(key, download) == data
    assert downloads == [key]
    assert cache.fetch(key, download) == data  # now from disk
    assert downloads == [key]


def test_a_flipped_byte_is_detected_too(tmp_path: Path) -> None:
    cache = PhotoCache(tmp_path)
    key, data = blob(3)
    path = cache.put(key, data)
    path.write_bytes(b"\x00" + data[1:])
    assert cache.read(key) is None


def test_least_recently_used_files_go_first_when_over_budget(tmp_path: Path) -> None:
    cache = PhotoCache(tmp_path, budget_bytes=350, clock=Clock())
    keys = []
    for n in range(3):
        key, data = blob(n)
        cache.put(key, data)
        keys.append(key)
    assert cache.read(keys[0]) is not None  # 0 was used last; 1 is now the oldest use
    key3, data3 = blob(3)
    cache.put(key3, data3)
    assert cache.keys() == {keys[0], keys[2], key3}
    assert cache.total_bytes() <= 350
    assert not cache.path_for(keys[1]).exists()


def test_pinned_files_and_the_new_one_are_spared(tmp_path: Path) -> None:
    cache = PhotoCache(tmp_path, budget_bytes=150, clock=Clock())
    a, data_a = blob(1)
    b, data_b = blob(2)
    cache.put(a, data_a)
    cache.put(b, data_b, keep={a})  # over budget, but both must stay
    assert cache.keys() == {a, b}
    cache.set_budget(150)
    assert cache.keys() == {b}  # now a is the least recently used one


def test_a_write_that_fails_midway_leaves_neither_file_nor_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = PhotoCache(tmp_path)
    key, data = blob(5)

    def power_cut(src: str, dst: str) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", power_cut)
    with pytest.raises(OSError, match="disk gone"):
        cache.put(key, data)
    monkeypatch.undo()
    assert not cache.path_for(key).exists()
    assert leftovers(tmp_path) == []
    assert cache.keys() == set()


def test_the_index_survives_a_restart_and_heals_after_a_crash(tmp_path: Path) -> None:
    cache = PhotoCache(tmp_path)
    kept, data = blob(1)
    lost, lost_data = blob(2)
    cache.put(kept, data)
    cache.put(lost, lost_data)
    cache.path_for(lost).unlink()  # file gone, row still there
    orphan, orphan_data = blob(3)  # file there (renamed just before a crash), row missing
    cache.path_for(orphan).parent.mkdir(parents=True, exist_ok=True)
    cache.path_for(orphan).write_bytes(orphan_data)
    # Cut mid-write: a temporary file beside the photos, and one where older versions put them.
    (cache.path_for(kept).parent / f".{kept}.jpg.x1y2.tmp").write_bytes(b"half a photo")
    (tmp_path / "tmp").mkdir()
    (tmp_path / "tmp" / "half.part").write_bytes(b"half a photo")

    again = PhotoCache(tmp_path)
    assert again.keys() == {kept, orphan}
    assert again.read(kept) == data
    assert again.read(orphan) == orphan_data
    assert again.total_bytes() == 200
    assert leftovers(tmp_path) == []


def test_retain_only_removes_photos_that_left_the_album(tmp_path: Path) -> None:
    cache = PhotoCache(tmp_path)
    a, data_a = blob(1)
    b, data_b = blob(2)
    cache.put(a, data_a)
    cache.put(b, data_b)
    assert cache.retain_only({a}) == 1
    assert cache.keys() == {a}
    assert not cache.path_for(b).exists()
    cache.wipe()
    assert cache.keys() == set()
    assert not cache.path_for(a).exists()
