"""The appliance layout: files, modes, owners and enabled units in a temporary root, exactly as
the image build lays them out; and shellcheck on every shell script of the repository."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from appliance import update
from appliance.firstboot import run_firstboot
from tests.appliance.conftest import REPO, VERSION, fake_slot, run_installer
from tests.appliance.unprivileged import skip_unless_others_can_import_the_checkout

BUILD_FILES = REPO / "images/stage-foyer/00-foyer/files"
SKIP_DIRS = {".git", ".venv", "var", "node_modules", "build", "__pycache__", ".mypy_cache"}


def manifest(root: Path) -> dict[str, tuple[str, str, str]]:
    """path → (mode, user:group, uid:gid) as the installer meant them."""
    rows = {}
    for line in (root / "usr/share/foyer/install-manifest").read_text().splitlines():
        fields = line.split(" ")
        if fields[1] != "->":  # symlinks are listed as "path -> target"
            path, mode, owner, ids = fields
            rows[path] = (mode, owner, ids)
    return rows


def passwd(root: Path) -> dict[str, list[str]]:
    lines = (root / "etc/passwd").read_text().splitlines()
    return {line.split(":")[0]: line.split(":") for line in lines}


def as_user(uid: str, gid: str) -> list[str]:
    return ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups"]


def test_files_modes_and_owners(appliance_root: Path) -> None:
    rows = manifest(appliance_root)
    expected = {
        "/etc/systemd/system/foyer-kiosk.service": "0644",
        "/etc/systemd/system/foyer-firstboot.service": "0644",
        "/etc/systemd/system/foyer-backend.service": "0644",
        "/etc/systemd/system/foyer-update.path": "0644",
        "/etc/systemd/system/foyer-update.service": "0644",
        "/etc/systemd/system/foyer-update.timer": "0644",
        "/usr/share/foyer/release-keys/foyer-release-key.pub": "0644",
        "/etc/polkit-1/rules.d/50-foyer-network.rules": "0644",
        "/etc/systemd/journald.conf.d/foyer.conf": "0644",
        "/etc/systemd/system.conf.d/foyer-watchdog.conf": "0644",
        "/etc/udev/rules.d/70-foyer-backlight.rules": "0644",
        "/etc/udev/rules.d/71-foyer-i2c.rules": "0644",
        "/etc/modules-load.d/foyer-i2c.conf": "0644",
        "/usr/local/sbin/foyer-factory-reset": "0755",
        "/usr/share/doc/foyer/appliance.md": "0644",
        "/usr/share/doc/foyer/updates-tablet.md": "0644",
        "/boot/firmware/foyer.toml.example": "0644",
        "/var/lib/foyer": "0700",
        "/opt/foyer/slots": "0755",
        "/opt/foyer/wheels": "0755",
    }
    assert {path: mode for path, (mode, _, _) in rows.items()} == expected
    for path, (mode, _owner, ids) in rows.items():
        st = (appliance_root / path.lstrip("/")).stat()
        assert f"{stat.S_IMODE(st.st_mode):04o}" == mode, path
        if os.geteuid() == 0:  # only root can give files away; the manifest says it anyway
            assert f"{st.st_uid}:{st.st_gid}" == ids, path
    for doc in ("appliance.md", "updates-tablet.md"):  # the units' Documentation=
        assert (appliance_root / "usr/share/doc/foyer" / doc).read_bytes() == (
            REPO / "docs" / doc
        ).read_bytes()


def test_the_kiosk_user(appliance_root: Path) -> None:
    users = passwd(appliance_root)
    foyer = users["foyer"]
    assert int(foyer[2]) != 0 and foyer[5] == "/var/lib/foyer"
    assert foyer[6].strip() == "/usr/sbin/nologin"
    assert manifest(appliance_root)["/var/lib/foyer"][2] == f"{foyer[2]}:{foyer[3]}"
    groups = {
        line.split(":")[0]: line.strip().split(":")[3].split(",")
        for line in (appliance_root / "etc/group").read_text().splitlines()
    }
    # Display and camera, GPU, touch screen; DDC/CI (night mode on HDMI); sound for the chime
    # and calls whichever VT is in front.
    for group in ("video", "render", "input", "i2c", "audio"):
        assert "foyer" in groups[group], group
    assert "foyer" not in groups.get("sudo", []) and "foyer" not in groups.get("root", [])


def test_the_i2c_devices_are_opened_to_their_group(appliance_root: Path) -> None:
    """ddcutil's own rule opens only PCI graphics adapters; the Pi's HDMI ones need ours."""
    rule = (appliance_root / "etc/udev/rules.d/71-foyer-i2c.rules").read_text()
    assert 'SUBSYSTEM=="i2c-dev", GROUP="i2c", MODE="0660"' in rule
    modules = (appliance_root / "etc/modules-load.d/foyer-i2c.conf").read_text().split()
    assert "i2c-dev" in modules


def test_enabled_units(appliance_root: Path) -> None:
    system = appliance_root / "etc/systemd/system"
    wants = system / "multi-user.target.wants"
    for unit in ("foyer-kiosk.service", "foyer-firstboot.service"):
        assert os.readlink(wants / unit) == f"/etc/systemd/system/{unit}"
    assert not (wants / "foyer-backend.service").exists(), "a tablet uses a remote backend"
    # The updater runs when the tablet asks (path) and now and then (timer), not at boot.
    assert os.readlink(system / "paths.target.wants/foyer-update.path") == (
        "/etc/systemd/system/foyer-update.path"
    )
    assert os.readlink(system / "timers.target.wants/foyer-update.timer") == (
        "/etc/systemd/system/foyer-update.timer"
    )
    assert not (wants / "foyer-update.service").exists()


def test_the_release_key_is_where_the_updater_looks(appliance_root: Path) -> None:
    installed = appliance_root / "usr/share/foyer/release-keys/foyer-release-key.pub"
    assert installed.read_bytes() == (REPO / "images/files/foyer-release-key.pub").read_bytes()
    service = (appliance_root / "etc/systemd/system/foyer-update.service").read_text()
    assert "--trusted-keys /usr/share/foyer/release-keys" in service


def test_the_first_slot_is_what_the_updater_expects(appliance_root: Path) -> None:
    opt = appliance_root / "opt/foyer"
    assert update.current_version(opt) == VERSION
    assert os.access(opt / "current/bin/foyer-kiosk", os.X_OK)
    assert (opt / "slots" / VERSION / update.COMPLETE_MARK).exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="acting as the kiosk user needs root")
def test_the_kiosk_user_writes_its_credential_private(appliance_root: Path) -> None:
    """What pairing does on the device: the credential lands owned by foyer, mode 0600, in a
    folder nobody else may enter."""
    skip_unless_others_can_import_the_checkout()
    uid, gid = passwd(appliance_root)["foyer"][2:4]
    data = appliance_root / "var/lib/foyer"
    code = (
        "import sys; from pathlib import Path; from provisioning import credentials as c;"
        "c.save(Path(sys.argv[1]), c.DeviceCredential('https://f.example', 1, 2, 'secret'))"
    )
    # The temporary root's parents are root's 0700 folders: enter by the data folder's fd.
    fd = os.open(data, os.O_RDONLY)
    try:
        subprocess.run(
            [*as_user(uid, gid), sys.executable, "-c", code, f"/proc/self/fd/{fd}"],
            check=True,
            pass_fds=(fd,),
            cwd=REPO,
            timeout=60,
        )
    finally:
        os.close(fd)
    st = (data / "device.json").stat()
    assert (st.st_uid, stat.S_IMODE(st.st_mode)) == (int(uid), 0o600)
    (data / "device.json").unlink()


def test_installing_again_changes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "root"
    fake_slot(root)
    assert run_installer(root, "--slot", VERSION).returncode == 0
    first = (root / "etc/passwd").read_text()
    done = run_installer(root, "--slot", VERSION)
    assert done.returncode == 0, done.stderr
    assert (root / "etc/passwd").read_text() == first


def test_the_organisations_settings_go_on_the_boot_partition(tmp_path: Path) -> None:
    settings = tmp_path / "foyer.toml"
    settings.write_text('backend_url = "https://foyer.example.org"\n')
    root = tmp_path / "root"
    fake_slot(root)
    done = run_installer(root, "--slot", VERSION, "--settings", str(settings))
    assert done.returncode == 0, done.stderr
    on_card = root / "boot/firmware/foyer.toml"
    assert on_card.read_text() == settings.read_text()
    assert manifest(root)["/boot/firmware/foyer.toml"][0] == "0644"
    # What the first boot then makes of it.
    assert run_firstboot(root / "boot/firmware", root / "var/lib/foyer").settings.backend_url == (
        "https://foyer.example.org"
    )


def with_libraries(root: Path, program: str) -> None:
    """Copy a host program and the shared libraries it loads into root, same paths."""
    listed = subprocess.run(["ldd", program], capture_output=True, text=True, check=True).stdout
    paths = [program] + [w for w in listed.split() if w.startswith("/")]
    for path in paths:
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(Path(path).resolve(), target)


@pytest.mark.skipif(os.geteuid() != 0, reason="chroot needs root")
def test_a_root_with_systemd_uses_its_own_sysusers_and_systemctl(tmp_path: Path) -> None:
    """pi-gen's Docker container has no systemd: on a rootfs that has it, the installer runs
    the target's own systemd-sysusers and systemctl inside it (chroot), never the host's."""
    root = tmp_path / "root"
    fake_slot(root)
    with_libraries(root, "/bin/sh")
    calls = root / "calls"
    # Stand-ins that say how they were called, and make the user as sysusers would.
    (root / "usr/bin").mkdir(parents=True, exist_ok=True)
    sysusers = root / "usr/bin/systemd-sysusers"
    sysusers.write_text(
        '#!/bin/sh\necho "sysusers $*" >> /calls\n'
        'echo "foyer:x:990:990:Foyer tablet:/var/lib/foyer:/usr/sbin/nologin" > /etc/passwd\n'
    )
    systemctl = root / "usr/bin/systemctl"
    systemctl.write_text('#!/bin/sh\necho "systemctl $*" >> /calls\n')
    sysusers.chmod(0o755)
    systemctl.chmod(0o755)
    done = run_installer(root, "--slot", VERSION)
    assert done.returncode == 0, done.stderr
    assert calls.read_text().splitlines() == [
        "sysusers /usr/lib/sysusers.d/foyer.conf",
        "systemctl enable foyer-firstboot.service foyer-kiosk.service foyer-update.path "
        "foyer-update.timer",
    ]
    assert manifest(root)["/var/lib/foyer"][2] == "990:990"


def test_the_installer_refuses_what_would_break_a_machine(tmp_path: Path) -> None:
    done = run_installer(Path("/"))
    assert done.returncode == 2 and "refusing" in done.stderr
    done = run_installer(tmp_path / "root", "--slot", "9.9")
    assert done.returncode == 1 and "build the venv first" in done.stderr


def is_shell_script(path: Path) -> bool:
    if path.suffix == ".sh":
        return True
    try:
        with path.open("rb") as f:
            first = f.readline(200)
    except OSError:
        return False
    if not first.startswith(b"#!"):
        return False
    words = first[2:].decode(errors="replace").split()
    interpreter = Path(words[0]).name if words else ""
    if interpreter == "env" and len(words) > 1:
        interpreter = words[1]
    return interpreter in ("sh", "bash", "dash")


def shell_scripts() -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(REPO):
        here = Path(dirpath)
        # The build's snapshot of the sources (images/build.sh) would be checked twice.
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and here / d != BUILD_FILES]
        found += [here / name for name in filenames if is_shell_script(here / name)]
    return sorted(found)


def test_every_shell_script_passes_shellcheck() -> None:
    shellcheck = shutil.which("shellcheck")
    assert shellcheck, (
        "shellcheck is missing: scripts/setup installs it (apt-get install shellcheck)"
    )
    scripts = shell_scripts()
    names = {p.relative_to(REPO).as_posix() for p in scripts}
    assert {"images/install-appliance.sh", "images/build.sh", "scripts/setup"} <= names
    done = subprocess.run(
        [shellcheck, "--external-sources", *map(str, scripts)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout


def test_scripts_are_executable() -> None:
    for path in shell_scripts():
        assert os.access(path, os.X_OK), path
