"""First boot: the optional settings file on the boot partition, and the device's identity.

Whoever prepares the SD card may drop `foyer.toml` on the boot partition (`/boot/firmware`,
the FAT partition any computer can write, beside cloud-init's `user-data`)::

    backend_url = "https://foyer.example.org"   # where the tablet pairs and syncs
    timezone = "Europe/Paris"                     # the clock until the beneficiary's arrives
    locale = "fr_FR.UTF-8"

    [[wifi]]                                      # the home's Wi-Fi (several allowed)
    ssid = "Maison"
    password = "mot de passe du Wi-Fi"            # none: an open network
    hidden = false                                # true: a network that does not broadcast

Every key is optional. `foyer firstboot` (run by systemd/foyer-firstboot.service as root,
before the tablet) validates it, keeps the validated copy in the data directory
(`settings.json`, so the tablet never parses the FAT partition and keeps working if the file
goes), applies the time zone and locale to the system, and generates the device identity once.
A bad file is refused with a message saying which key is wrong and why; the previous settings
stay in force.

The Wi-Fi networks are not kept in `settings.json`: with `--apply-system` each becomes a
NetworkManager keyfile, `/etc/NetworkManager/system-connections/foyer-toml-<n>.nmconnection`
(root, mode 0600, the way NetworkManager wants it), which NetworkManager then joins by itself
(docs/network.md). A password is never logged.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import subprocess
import tomllib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from appliance.layout import DEVICE_ID_FILE
from common.atomic_file import write_atomically
from provisioning.saved_settings import KEYS, SAVED_SETTINGS, FirstBootSettings, saved_settings

log = logging.getLogger(__name__)

BOOT_DIR = Path("/boot/firmware")
SETTINGS_FILE = "foyer.toml"
# A file of this name on the boot partition asks for a factory reset at the next boot (for a
# family without a keyboard or SSH: take the card out, add an empty file, put it back).
RESET_TRIGGER = "foyer-factory-reset"
MAX_FILE_BYTES = 64 * 1024
_LOCALE = re.compile(r"^[a-z]{2,3}_[A-Z]{2}(\.[A-Za-z0-9-]+)?(@[a-z]+)?$")
_UUID = re.compile(r"^[0-9a-f]{32}$")
NM_CONNECTIONS = Path("/etc/NetworkManager/system-connections")
WIFI_KEY = "wifi"
WIFI_FIELDS = ("ssid", "password", "hidden")
MAX_WIFI = 8
KEYFILE_PREFIX = "foyer-toml-"  # the tablet's own joins are "foyer-<name>": never touched here


class SettingsError(ValueError):
    """The settings file is unusable; the message says why, in French, for whoever wrote it."""


@dataclass(frozen=True)
class WifiNetwork:
    """A Wi-Fi the care manager wrote in foyer.toml (never saved in settings.json)."""

    ssid: str
    password: str = ""  # "" for an open network
    hidden: bool = False

    def __repr__(self) -> str:  # a password never reaches a log line through a repr
        return f"WifiNetwork(ssid={self.ssid!r}, hidden={self.hidden})"


def parse_settings(text: str, source: str = SETTINGS_FILE) -> FirstBootSettings:
    return parse_file(text, source)[0]


def parse_file(
    text: str, source: str = SETTINGS_FILE
) -> tuple[FirstBootSettings, list[WifiNetwork] | None]:
    """The settings and the Wi-Fi networks of a foyer.toml (None: no `wifi` key at all);
    SettingsError when it is bad."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{source} : ce n’est pas du TOML valide ({exc})") from exc
    wifi = _wifi(raw.pop(WIFI_KEY, None), source)
    unknown = sorted(set(raw) - set(KEYS))
    if unknown:
        known = ", ".join((*KEYS, WIFI_KEY))
        raise SettingsError(f"{source} : clé inconnue « {unknown[0]} » (clés possibles : {known})")
    for key, value in raw.items():
        if not isinstance(value, str):
            raise SettingsError(f"{source} : « {key} » doit être un texte entre guillemets")
    settings = FirstBootSettings(
        backend_url=_backend_url(raw.get("backend_url"), source),
        timezone=_timezone(raw.get("timezone"), source),
        locale=_locale(raw.get("locale"), source),
    )
    return settings, wifi


def _wifi(value: object, source: str) -> list[WifiNetwork] | None:
    """[wifi] (one network) or [[wifi]] (several, the first preferred); None when the file
    says nothing of Wi-Fi (`wifi = []` says "none": the networks written before go)."""
    if value is None:
        return None
    entries = [value] if isinstance(value, dict) else value
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise SettingsError(
            f"{source} : « wifi » doit être une section [wifi] ou des sections [[wifi]]"
        )
    if len(entries) > MAX_WIFI:
        raise SettingsError(f"{source} : {MAX_WIFI} réseaux Wi-Fi au plus")
    networks: list[WifiNetwork] = []
    for number, entry in enumerate(entries, 1):
        where = f"{source} : réseau Wi-Fi n° {number}"
        unknown = sorted(set(entry) - set(WIFI_FIELDS))
        if unknown:
            raise SettingsError(
                f"{where} : clé inconnue « {unknown[0]} » (clés possibles : "
                f"{', '.join(WIFI_FIELDS)})"
            )
        ssid, password, hidden = (
            entry.get("ssid"),
            entry.get("password", ""),
            entry.get("hidden", False),
        )
        if not isinstance(ssid, str) or not ssid.strip():
            raise SettingsError(
                f"{where} : « ssid » (le nom du réseau) est obligatoire, entre guillemets"
            )
        if len(ssid.encode("utf-8")) > 32 or any(ord(c) < 32 for c in ssid):
            raise SettingsError(
                f"{where} : « ssid » a 32 octets au plus, sans caractère de contrôle"
            )
        if not isinstance(password, str):
            raise SettingsError(f"{where} : « password » doit être un texte entre guillemets")
        if password and not _valid_psk(password):
            # The password itself is never repeated: this message goes to the journal.
            raise SettingsError(
                f"{where} : le mot de passe doit avoir de 8 à 63 caractères (lettres sans "
                "accent, chiffres, signes), ou 64 chiffres hexadécimaux"
            )
        if not isinstance(hidden, bool):
            raise SettingsError(f"{where} : « hidden » vaut true ou false (sans guillemets)")
        if any(n.ssid == ssid for n in networks):
            # One name, one connection: two would race for it (and share a UUID).
            raise SettingsError(f"{where} : le réseau « {ssid} » est déjà donné plus haut")
        networks.append(WifiNetwork(ssid, password, hidden))
    return networks


def _valid_psk(password: str) -> bool:
    if len(password) == 64:
        return all(c in "0123456789abcdefABCDEF" for c in password)
    return 8 <= len(password) <= 63 and all(32 <= ord(c) <= 126 for c in password)


def _backend_url(value: str | None, source: str) -> str | None:
    if value is None:
        return None
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(
            f"{source} : « backend_url » doit être une adresse http:// ou https:// "
            f"complète, par exemple https://foyer.example.org (reçu : {value!r})"
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise SettingsError(
            f"{source} : « backend_url » ne doit contenir ni identifiant, ni « ? », ni « # »"
        )
    try:
        parts.port  # noqa: B018 (raises on a port out of range)
    except ValueError as exc:
        raise SettingsError(f"{source} : « backend_url » a un port invalide") from exc
    return value.rstrip("/")


def _timezone(value: str | None, source: str) -> str | None:
    if value is None:
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(
            f"{source} : fuseau horaire « {value} » inconnu (exemple : Europe/Paris)"
        ) from exc
    return value


def _locale(value: str | None, source: str) -> str | None:
    if value is None:
        return None
    if not _LOCALE.match(value):
        raise SettingsError(f"{source} : langue « {value} » invalide (exemple : fr_FR.UTF-8)")
    return value


def read_settings(path: Path) -> FirstBootSettings | None:
    """The file's settings, None when there is no file; SettingsError when it is bad."""
    read = read_file(path)
    return None if read is None else read[0]


def read_file(path: Path) -> tuple[FirstBootSettings, list[WifiNetwork] | None] | None:
    """The file's settings and Wi-Fi networks, None when there is no file."""
    try:
        with path.open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SettingsError(f"{path.name} : illisible ({exc.strerror})") from exc
    if len(data) > MAX_FILE_BYTES:
        raise SettingsError(f"{path.name} : fichier trop gros (64 Kio au plus)")
    try:
        text = data.decode("utf-8-sig")  # Windows' Notepad adds a byte-order mark
    except UnicodeDecodeError as exc:
        raise SettingsError(f"{path.name} : le fichier doit être en UTF-8") from exc
    return parse_file(text, path.name)


# -- what the tablet keeps -------------------------------------------------------------------
def save_settings(data_dir: Path, settings: FirstBootSettings) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    write_atomically(data_dir / SAVED_SETTINGS, json.dumps(asdict(settings)).encode(), mode=0o644)


def ensure_device_id(data_dir: Path) -> str:
    """The device's stable identity: 128 random bits made on the first boot, mode 0600,
    and read back ever after (a factory reset keeps it: it names the hardware, not a home)."""
    path = data_dir / DEVICE_ID_FILE
    with contextlib.suppress(FileNotFoundError):
        existing = path.read_text().strip()
        if _UUID.match(existing):
            return existing
        # Something else is there: keep it for whoever investigates, never overwrite it.
        raise SettingsError(f"{path} existe mais ne contient pas un identifiant valide")
    device_id = uuid.uuid4().hex
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        # Whole or absent after a power cut (never an empty file that would stop every boot).
        write_atomically(path, (device_id + "\n").encode(), mode=0o600, exclusive=True)
    except FileExistsError:  # made by a concurrent run a moment ago: that one wins
        return path.read_text().strip()
    return device_id


# -- the system side (root only) ---------------------------------------------------------
Runner = Callable[[Sequence[str]], bool]


def run_command(argv: Sequence[str]) -> bool:
    try:
        done = subprocess.run(list(argv), capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("%s failed: %s", argv[0], exc)
        return False
    if done.returncode != 0:
        log.warning("%s exited %d: %s", argv[0], done.returncode, done.stderr.strip()[:300])
    return done.returncode == 0


def apply_to_system(settings: FirstBootSettings, run: Runner = run_command) -> bool:
    """Set the system time zone and locale. True when all that was asked was done."""
    ok = True
    timedatectl, localectl = shutil.which("timedatectl"), shutil.which("localectl")
    if settings.timezone and timedatectl:
        ok = run([timedatectl, "set-timezone", settings.timezone]) and ok
    if settings.locale and localectl:
        ok = run([localectl, "set-locale", f"LANG={settings.locale}"]) and ok
    return ok


def keyfile(network: WifiNetwork, priority: int) -> str:
    """The NetworkManager keyfile of `network` (its format: nm-settings-keyfile(5))."""
    lines = [
        "[connection]",
        f"id={_keyfile_value(KEYFILE_PREFIX + network.ssid)}",
        f"uuid={uuid.uuid5(uuid.NAMESPACE_URL, 'foyer-wifi:' + network.ssid)}",
        "type=wifi",
        "autoconnect=true",
        f"autoconnect-priority={priority}",
        "",
        "[wifi]",
        "mode=infrastructure",
        # As a list of bytes: any name at all (";", "\\", spaces) reads back exactly.
        "ssid=" + "".join(f"{b};" for b in network.ssid.encode("utf-8")),
    ]
    if network.hidden:
        lines.append("hidden=true")
    if network.password:
        lines += ["", "[wifi-security]", "key-mgmt=wpa-psk"]
        lines.append(f"psk={_keyfile_value(network.password)}")
    lines += ["", "[ipv4]", "method=auto", "", "[ipv6]", "method=auto", ""]
    return "\n".join(lines)


def _keyfile_value(text: str) -> str:
    """GKeyFile's escapes: a backslash, a leading space, and line breaks."""
    escaped = text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
    return "\\s" + escaped[1:] if escaped.startswith(" ") else escaped


def write_wifi(networks: Sequence[WifiNetwork], directory: Path, run: Runner) -> None:
    """The networks as keyfiles (root, 0600), replacing those of an older foyer.toml; then
    NetworkManager is asked to read them again (if it runs already)."""
    directory.mkdir(parents=True, exist_ok=True)
    wanted = {f"{KEYFILE_PREFIX}{n}.nmconnection" for n in range(1, len(networks) + 1)}
    for old in directory.glob(f"{KEYFILE_PREFIX}*.nmconnection"):
        if old.name not in wanted:
            old.unlink()
    for number, network in enumerate(networks, 1):
        # The first network listed is preferred when several are in range.
        text = keyfile(network, priority=len(networks) - number + 1)
        write_atomically(
            directory / f"{KEYFILE_PREFIX}{number}.nmconnection", text.encode(), mode=0o600
        )
        log.info("Wi-Fi « %s » written for NetworkManager", network.ssid)  # never its password
    nmcli = shutil.which("nmcli")
    if nmcli:
        run([nmcli, "connection", "reload"])


@dataclass(frozen=True)
class FirstBootResult:
    device_id: str
    settings: FirstBootSettings
    settings_error: str | None
    reset_done: bool


def run_firstboot(
    boot_dir: Path,
    data_dir: Path,
    owner: tuple[int, int] | None = None,
    apply_system: bool = False,
    run: Runner = run_command,
    nm_connections: Path = NM_CONNECTIONS,
) -> FirstBootResult:
    """Everything `foyer firstboot` does; safe to run at every boot."""
    data_dir.mkdir(parents=True, exist_ok=True)
    reset_done = False
    trigger = boot_dir / RESET_TRIGGER
    if trigger.exists():
        from appliance.factory_reset import factory_reset

        factory_reset(data_dir)
        trigger.unlink()
        reset_done = True
    device_id = ensure_device_id(data_dir)
    error = None
    wifi: list[WifiNetwork] | None = None
    try:
        read = read_file(boot_dir / SETTINGS_FILE)
    except SettingsError as exc:
        error = str(exc)
        log.error("%s — the previous settings stay in force", error)
        read = None
    if read is not None:
        save_settings(data_dir, read[0])
        wifi = read[1]
    current = saved_settings(data_dir)
    if apply_system:
        apply_to_system(current, run)
        # No `wifi` in the file: the keyfiles written before stay; `wifi = []` removes them.
        if wifi is not None:
            write_wifi(wifi, nm_connections, run)
    if owner is not None:
        _chown_tree(data_dir, *owner)
    return FirstBootResult(device_id, current, error, reset_done)


def _chown_tree(root: Path, uid: int, gid: int) -> None:
    """The kiosk user must own its data (the credential it writes is then its own, 0600)."""
    os.chown(root, uid, gid)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            os.chown(os.path.join(dirpath, name), uid, gid, follow_symlinks=False)
