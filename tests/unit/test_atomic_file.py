"""The one atomic whole-file write (common.atomic_file): content, mode, durability calls, and
nothing half-written or temporary left behind when the disk refuses."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from common import atomic_file
from common.atomic_file import fsync_dir, leftovers, write_atomically


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_writes_the_content_and_replaces_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "settings.json"
    write_atomically(target, b"first")
    write_atomically(target, b"second, longer")
    assert target.read_bytes() == b"second, longer"
    assert list(tmp_path.iterdir()) == [target]


def test_mode_from_the_first_byte_whatever_the_umask(tmp_path: Path) -> None:
    secret = tmp_path / "device.json"
    old = os.umask(0)
    try:
        write_atomically(secret, b"token", mode=0o600)
        plain = tmp_path / "weather.json"
        write_atomically(plain, b"{}")
    finally:
        os.umask(old)
    assert mode_of(secret) == 0o600
    assert mode_of(plain) == 0o644
    # Replacing a file takes the new mode too (a 0644 file rewritten as a credential).
    write_atomically(plain, b"token", mode=0o600)
    assert mode_of(plain) == 0o600


def test_temporary_file_is_private_and_beside_the_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[Path, int]] = []
    real_replace = os.replace

    def spy(src: str, dst: str) -> None:
        seen.append((Path(src), mode_of(Path(src))))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    write_atomically(tmp_path / "device.json", b"token", mode=0o600)
    ((tmp, tmp_mode),) = seen
    assert tmp.parent == tmp_path and tmp.name.startswith(".device.json.")
    assert tmp_mode == 0o600


def test_file_and_directory_are_flushed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real_fsync = os.fsync
    real_replace = os.replace

    def fsync(fd: int) -> None:
        kind = "dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file"
        calls.append(kind)
        real_fsync(fd)

    def replace(src: str, dst: str) -> None:
        calls.append("replace")
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    write_atomically(tmp_path / "config.json", b"{}")
    assert calls == ["file", "replace", "dir"]


@pytest.mark.parametrize("where", ["write", "fsync", "replace"])
def test_a_refused_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    target = tmp_path / "config.json"
    write_atomically(target, b"old")

    def refuse(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    if where == "replace":
        monkeypatch.setattr(os, "replace", refuse)
    elif where == "fsync":
        monkeypatch.setattr(os, "fsync", refuse)
    else:
        monkeypatch.setattr(atomic_file.os, "fdopen", lambda fd, _mode: _Full(fd))
    with pytest.raises(OSError, match="No space left"):
        write_atomically(target, b"new")
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [target]


class _Full:
    """A file object whose disk is full."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    def __enter__(self) -> _Full:
        return self

    def __exit__(self, *_exc: object) -> None:
        os.close(self._fd)

    def fileno(self) -> int:
        return self._fd

    def write(self, _data: bytes) -> int:
        raise OSError(28, "No space left on device")


def test_missing_directory_is_an_error_not_a_silent_loss(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_atomically(tmp_path / "nowhere" / "x.json", b"{}")


def test_leftovers_of_a_power_cut_are_found(tmp_path: Path) -> None:
    write_atomically(tmp_path / "weather.json", b"{}")
    cut = tmp_path / ".weather.json.abc123.tmp"
    cut.write_bytes(b"half")
    assert leftovers(tmp_path) == [cut]


def test_fsync_dir_of_a_missing_directory_is_harmless(tmp_path: Path) -> None:
    fsync_dir(tmp_path / "gone")


def test_exclusive_creates_once_and_the_first_writer_wins(tmp_path: Path) -> None:
    target = tmp_path / "device-id"
    write_atomically(target, b"first\n", mode=0o600, exclusive=True)
    assert target.read_bytes() == b"first\n" and mode_of(target) == 0o600
    with pytest.raises(FileExistsError):
        write_atomically(target, b"second\n", mode=0o600, exclusive=True)
    assert target.read_bytes() == b"first\n"
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left either way


def test_a_note_that_need_not_survive_a_power_cut_is_written_whole_without_fsync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_fsync(fd: int) -> None:
        raise AssertionError("fsync called")

    monkeypatch.setattr(os, "fsync", no_fsync)
    target = tmp_path / "last_screen.json"
    write_atomically(target, b'{"screen": "photos"}', durable=False)
    assert target.read_bytes() == b'{"screen": "photos"}'
    assert leftovers(tmp_path) == []
