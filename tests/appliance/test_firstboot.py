"""First boot: the settings file from the boot partition, the device identity, factory reset."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Sequence
from pathlib import Path

import pytest

from appliance.cli import main as foyer
from appliance.factory_reset import factory_reset
from appliance.firstboot import (
    SettingsError,
    apply_to_system,
    ensure_device_id,
    parse_file,
    parse_settings,
    read_settings,
    run_firstboot,
)
from kiosk.outbox import Outbox
from kiosk.store import LocalStore
from provisioning import credentials
from provisioning.credentials import DeviceCredential
from provisioning.saved_settings import KEYS, FirstBootSettings, saved_settings

GOOD = """
# written by the care manager
backend_url = "https://foyer.example.org/"
timezone = "Europe/Paris"
locale = "fr_FR.UTF-8"
"""


def test_a_complete_file() -> None:
    assert parse_settings(GOOD) == FirstBootSettings(
        "https://foyer.example.org", "Europe/Paris", "fr_FR.UTF-8"
    )


def test_every_key_is_optional(tmp_path: Path) -> None:
    assert parse_settings("") == FirstBootSettings()
    assert parse_settings('timezone = "America/Martinique"').timezone == "America/Martinique"
    assert read_settings(tmp_path / "absent.toml") is None


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("backend_url = https://x", "pas du TOML valide"),
        ('backend_url = "foyer.example.org"', "adresse http:// ou https://"),
        ('backend_url = "ftp://foyer.example.org"', "adresse http:// ou https://"),
        ('backend_url = "https://"', "adresse http:// ou https://"),
        ('backend_url = "https://a:b@foyer.example.org"', "ni identifiant"),
        ('backend_url = "https://foyer.example.org:99999"', "port invalide"),
        ('timezone = "Europe/Lutece"', "fuseau horaire « Europe/Lutece » inconnu"),
        ('timezone = "../../etc/passwd"', "fuseau horaire"),
        ('locale = "français"', "langue « français » invalide"),
        ("timezone = 3", "« timezone » doit être un texte"),
        ('backend = "https://foyer.example.org"', "clé inconnue « backend »"),
    ],
)
def test_bad_files_are_refused_with_a_clear_reason(text: str, says: str) -> None:
    with pytest.raises(SettingsError, match=says):
        parse_settings(text)


def test_byte_order_mark_big_and_binary_files(tmp_path: Path) -> None:
    path = tmp_path / "foyer.toml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())  # Notepad
    settings = read_settings(path)
    assert settings is not None and settings.timezone == "Europe/Paris"
    path.write_bytes(b"\xff\xfe" + "x".encode("utf-16-le"))
    with pytest.raises(SettingsError, match="UTF-8"):
        read_settings(path)
    path.write_bytes(b"#" * 70_000)
    with pytest.raises(SettingsError, match="trop gros"):
        read_settings(path)


def test_device_identity_is_made_once_private_and_never_again(tmp_path: Path) -> None:
    first = ensure_device_id(tmp_path)
    assert len(first) == 32
    assert stat.S_IMODE((tmp_path / "device-id").stat().st_mode) == 0o600
    assert ensure_device_id(tmp_path) == first
    assert ensure_device_id(tmp_path / "other") != first
    (tmp_path / "device-id").write_text("garbage")
    with pytest.raises(SettingsError, match="identifiant valide"):
        ensure_device_id(tmp_path)
    assert (tmp_path / "device-id").read_text() == "garbage", "never overwritten"


def test_firstboot_keeps_the_last_good_settings(tmp_path: Path) -> None:
    boot, data = tmp_path / "boot", tmp_path / "data"
    boot.mkdir()
    (boot / "foyer.toml").write_text(GOOD)
    result = run_firstboot(boot, data)
    assert result.settings_error is None
    assert saved_settings(data).backend_url == "https://foyer.example.org"

    (boot / "foyer.toml").write_text('backend_url = "oops"')
    again = run_firstboot(boot, data)
    assert again.device_id == result.device_id
    assert again.settings_error is not None and "backend_url" in again.settings_error
    assert saved_settings(data).backend_url == "https://foyer.example.org"

    (boot / "foyer.toml").unlink()  # the card's file went: what was validated stays
    assert run_firstboot(boot, data).settings.backend_url == "https://foyer.example.org"


def test_system_time_zone_and_locale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[list[str]] = []

    def run(argv: Sequence[str]) -> bool:
        ran.append([Path(argv[0]).name, *argv[1:]])
        return True

    monkeypatch.setattr("shutil.which", lambda name: f"/usr/bin/{name}")
    assert apply_to_system(FirstBootSettings(None, "Europe/Paris", "fr_FR.UTF-8"), run)
    assert ran == [
        ["timedatectl", "set-timezone", "Europe/Paris"],
        ["localectl", "set-locale", "LANG=fr_FR.UTF-8"],
    ]
    ran.clear()
    assert apply_to_system(FirstBootSettings(), run) and ran == []


def paired_tablet(data: Path) -> None:
    credentials.save(data, DeviceCredential("https://foyer.example.org", 7, 3, "secret-token"))
    LocalStore(data).apply(
        {
            "full": True,
            "cursor": "c1",
            "beneficiary": {
                "id": 3,
                "first_name": "Jeanne",
                "last_name": "Martin",
                "timezone": "Europe/Paris",
            },
            "upserts": {"messages": [{"id": 1, "body": "Bonjour maman"}]},
        }
    )
    Outbox(data).enqueue("mood", {"mood": "good"})
    (data / "photos").mkdir()
    (data / "photos" / "ab.jpg").write_bytes(b"\xff\xd8")


def test_factory_reset_forgets_the_home_but_not_the_device(tmp_path: Path) -> None:
    data = tmp_path / "data"
    device_id = ensure_device_id(data)
    paired_tablet(data)
    (tmp_path / "boot").mkdir()
    (tmp_path / "boot" / "foyer.toml").write_text(GOOD)
    run_firstboot(tmp_path / "boot", data)

    assert foyer(["factory-reset", "--data", str(data)]) == 0

    assert credentials.load(data) is None
    assert sorted(p.name for p in data.iterdir()) == ["device-id", "settings.json"]
    assert LocalStore(data).load().beneficiary is None
    assert Outbox(data).pending_count() == 0
    assert ensure_device_id(data) == device_id
    assert saved_settings(data).backend_url == "https://foyer.example.org"
    assert factory_reset(tmp_path / "never-existed") == []


def test_a_damaged_store_does_not_stop_a_reset(tmp_path: Path) -> None:
    paired_tablet(tmp_path)
    (tmp_path / "store.sqlite3").write_bytes(b"not a database at all" * 100)
    factory_reset(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_file_on_the_boot_partition_asks_for_a_reset(tmp_path: Path) -> None:
    boot, data = tmp_path / "boot", tmp_path / "data"
    boot.mkdir()
    paired_tablet(data)
    (boot / "foyer-factory-reset").touch()
    assert foyer(["firstboot", "--boot", str(boot), "--data", str(data)]) == 0
    assert credentials.load(data) is None
    assert not (boot / "foyer-factory-reset").exists(), "once, not at every boot"
    assert sorted(p.name for p in data.iterdir()) == ["device-id"]


def test_firstboot_command_reports_a_bad_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    boot = tmp_path / "boot"
    boot.mkdir()
    (boot / "foyer.toml").write_text('timezone = "Mars/Olympus"')
    assert foyer(["firstboot", "--boot", str(boot), "--data", str(tmp_path / "d")]) == 1
    assert "Mars/Olympus" in capsys.readouterr().err
    assert (tmp_path / "d" / "device-id").exists(), "the identity is made anyway"
    assert foyer(["firstboot", "--data", str(tmp_path / "d"), "--owner", "nobody-here"]) == 2


@pytest.mark.skipif(os.geteuid() != 0, reason="chown needs root")
def test_firstboot_gives_the_data_to_the_kiosk_user(tmp_path: Path) -> None:
    boot, data = tmp_path / "boot", tmp_path / "data"
    boot.mkdir()
    assert foyer(["firstboot", "--boot", str(boot), "--data", str(data), "--owner", "nobody"]) == 0
    for path in (data, data / "device-id"):
        assert path.stat().st_uid == 65534


def test_every_settings_key_is_documented_where_people_look() -> None:
    repo = Path(__file__).resolve().parents[2]
    docs = (repo / "docs/appliance.md").read_text()
    example = (repo / "images/files/foyer.toml.example").read_text()
    for key in KEYS:
        assert f"{key} = " in docs, key
        assert f"#{key} = " in example, key
    assert "#wifi = " in example and "[[wifi]]" in (repo / "docs/network.md").read_text()
    # The example, once its lines are uncommented, is a valid file.
    uncommented = "\n".join(
        line.removeprefix("#")
        for line in example.splitlines()
        if line.startswith("#") and " = " in line
    )
    assert parse_settings(uncommented).backend_url == "https://foyer.example.org"
    assert [n.ssid for n in parse_file(uncommented)[1]] == ["Maison"]


# -- the home's Wi-Fi, written by the care manager before shipping ---------------------------

WIFI = """
backend_url = "https://foyer.example.org"

[[wifi]]
ssid = "Maison; salon"
password = "correct horse battery"

[[wifi]]
ssid = "Box de secours"
hidden = true
"""


def test_wifi_networks_are_read_one_or_several() -> None:
    settings, wifi = parse_file(WIFI)
    assert settings.backend_url == "https://foyer.example.org"
    assert [(n.ssid, n.password, n.hidden) for n in wifi] == [
        ("Maison; salon", "correct horse battery", False),
        ("Box de secours", "", True),
    ]
    single = parse_file('[wifi]\nssid = "Maison"\npassword = "12345678"')[1]
    assert [n.ssid for n in single] == ["Maison"]
    assert "correct horse" not in repr(wifi)  # a password never reaches a log through repr


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('[wifi]\npassword = "12345678"', "« ssid » (le nom du réseau) est obligatoire"),
        ('[wifi]\nssid = "M"\npassword = "court77"', "de 8 à 63 caractères"),
        ('[wifi]\nssid = "M"\npassword = "' + "x" * 64 + '"', "de 8 à 63 caractères"),
        ('[wifi]\nssid = "M"\npassword = "mot de passé"', "de 8 à 63 caractères"),
        ('[wifi]\nssid = "M"\npassword = "ligne un\\nligne deux"', "de 8 à 63 caractères"),
        ('[wifi]\nssid = "Mai\\nson"', "sans caractère de contrôle"),
        (
            '[[wifi]]\nssid = "Maison"\n[[wifi]]\nssid = "Maison"\npassword = "12345678"',
            "réseau Wi-Fi n° 2 : le réseau « Maison » est déjà donné plus haut",
        ),
        ('[wifi]\nssid = "' + "é" * 17 + '"', "32 octets au plus"),
        ('[wifi]\nssid = "M"\nhidden = "oui"', "« hidden » vaut true ou false"),
        ('[wifi]\nssid = "M"\npsk = "12345678"', "clé inconnue « psk »"),
        ('wifi = "Maison"', "section [wifi]"),
        ('wiif = "Maison"', "clés possibles : backend_url, timezone, locale, wifi"),
    ],
)
def test_bad_wifi_is_refused_in_french_without_repeating_the_password(text: str, says: str) -> None:
    with pytest.raises(SettingsError) as refused:
        parse_file(text)
    assert says in str(refused.value)
    assert "court77" not in str(refused.value) and "passé" not in str(refused.value)


def test_firstboot_writes_wifi_for_network_manager_and_keeps_no_password(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    boot, data, nm = tmp_path / "boot", tmp_path / "data", tmp_path / "system-connections"
    boot.mkdir()
    nm.mkdir()
    (nm / "foyer-toml-7.nmconnection").write_text("an older file's network")
    (nm / "foyer-Maison.nmconnection").write_text("joined on the tablet: not ours to remove")
    (boot / "foyer.toml").write_text(WIFI)
    caplog.set_level("DEBUG")
    ran: list[Sequence[str]] = []
    result = run_firstboot(
        boot, data, apply_system=True, run=lambda argv: ran.append(argv) or True, nm_connections=nm
    )
    assert result.settings_error is None
    assert sorted(p.name for p in nm.iterdir()) == [
        "foyer-Maison.nmconnection",
        "foyer-toml-1.nmconnection",
        "foyer-toml-2.nmconnection",
    ]
    first = (nm / "foyer-toml-1.nmconnection").read_text()
    assert stat.S_IMODE((nm / "foyer-toml-1.nmconnection").stat().st_mode) == 0o600
    assert "type=wifi" in first and "key-mgmt=wpa-psk" in first
    assert "psk=correct horse battery" in first
    assert "ssid=" + "".join(f"{b};" for b in b"Maison; salon") in first
    assert "autoconnect-priority=2" in first  # the first listed is preferred
    second = (nm / "foyer-toml-2.nmconnection").read_text()
    assert "hidden=true" in second and "wifi-security" not in second
    assert "correct horse" not in (data / "settings.json").read_text()
    assert "correct horse" not in caplog.text
    # Without a [wifi] section the networks written before stay.
    (boot / "foyer.toml").write_text('timezone = "Europe/Paris"')
    run_firstboot(boot, data, apply_system=True, run=lambda argv: True, nm_connections=nm)
    assert (nm / "foyer-toml-2.nmconnection").exists()
    # `wifi = []` says "no network": those written before go (not the tablet's own).
    (boot / "foyer.toml").write_text("wifi = []")
    result = run_firstboot(boot, data, apply_system=True, run=lambda argv: True, nm_connections=nm)
    assert result.settings_error is None
    assert sorted(p.name for p in nm.iterdir()) == ["foyer-Maison.nmconnection"]


def read_keyfile_value(text: str, group: str, key: str) -> str:
    """A string as GLib's GKeyFile reads it (g_key_file_get_string, as NetworkManager does):
    a line "key=value" in [group], "#" starting a comment only at a line's start, and the
    escapes \\s \\n \\t \\r \\\\ (any other is an error)."""
    current = ""
    for line in text.split("\n"):
        if line.startswith("#") or not line.strip():
            continue
        if line.startswith("["):
            current = line.strip()[1:-1]
            continue
        name, _, raw = line.partition("=")
        if current != group or name.strip() != key:
            continue
        value, i = "", 0
        raw = raw.lstrip(" ")  # GKeyFile drops spaces after "=": hence "\\s" for a leading one
        while i < len(raw):
            if raw[i] == "\\":
                value += {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}[raw[i + 1]]
                i += 2
            else:
                value += raw[i]
                i += 1
        return value
    raise KeyError(f"[{group}] {key}")


@pytest.mark.parametrize("password", [" a\\b;c=d#", "#commence;"])
def test_a_password_with_keyfile_signs_reads_back(tmp_path: Path, password: str) -> None:
    """A password foyer.toml accepts, with the signs a keyfile treats specially, is the one
    NetworkManager reads back."""
    from appliance.firstboot import keyfile

    toml = '[wifi]\nssid = "M;a#i=son"\npassword = ' + json.dumps(password)
    (network,) = parse_file(toml)[1] or []
    assert network.password == password
    text = keyfile(network, priority=1)
    assert read_keyfile_value(text, "wifi-security", "psk") == password
    assert read_keyfile_value(text, "connection", "id") == "foyer-toml-M;a#i=son"


def test_networks_get_distinct_uuids() -> None:
    from appliance.firstboot import keyfile

    _, wifi = parse_file('[[wifi]]\nssid = "Maison"\n[[wifi]]\nssid = "Grenier"')
    assert wifi is not None
    uuids = {read_keyfile_value(keyfile(n, 1), "connection", "uuid") for n in wifi}
    assert len(uuids) == 2
