"""A tablet's health in the words a person would use, in French or in English.

From what the tablet last reported (`DeviceStatus`: docs/device-protocol.md, "Status report"),
when it was last seen (`Device.last_seen_at`) and now: "Tablette hors ligne depuis 3 h (dernier
contact 8 h 12)", "Écran éteint (mode nuit jusqu'à 7 h)", "Pas touchée depuis 11 h", "Espace
presque plein (92 %)", "Redémarrée 4 fois aujourd'hui", "Mise à jour 0.3.1 appliquée
aujourd'hui à 9 h", its last error in words. Never the tablet's own text (it may be English or
an exception): an error is said from its code (`ERROR_CODES`), an unknown code as "a problem".

Each line has a severity, so that what needs a person comes first (the tablets page, the
dashboard): 3 urgent, 2 to look at, 1 for information, 0 all is well. What a report said is
only shown while it is fresh: the screen and the touches of a tablet offline are not news.
Pure reading: no write, nothing in the audit log (no health data of the person here).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.models import Beneficiary, Device, DeviceStatus

URGENT, ATTENTION, INFO, OK = 3, 2, 1, 0

# Seen within this, a tablet is online (the tablets page and the dashboard say the same).
ONLINE_WITHIN = timedelta(seconds=90)
# Offline this long is worth a look; this long, urgent.
OFFLINE_ATTENTION = timedelta(minutes=15)
OFFLINE_URGENT = timedelta(hours=1)
# Not touched this long (outside the night) is worth saying; this long, a look.
UNTOUCHED_INFO = timedelta(hours=3)
UNTOUCHED_ATTENTION = timedelta(hours=6)
DISK_ATTENTION_PERCENT, DISK_URGENT_PERCENT = 90, 97
LOW_DISK_BYTES, NO_DISK_BYTES = 500_000_000, 100_000_000
LOW_MEMORY_BYTES = 50_000_000
RESTARTS_ATTENTION = 3
OUTBOX_ATTENTION = 50
# An update is news for a week.
UPDATE_NEWS = timedelta(days=7)

# The codes a tablet may report as its last error, what each means and how much it matters.
# (severity, French, English). Another short code is said as "a problem (code …)".
ERROR_CODES: dict[str, tuple[int, str, str]] = {
    "backend_unreachable": (
        ATTENTION,
        "La tablette n'arrive pas à joindre le service Foyer.",
        "The tablet cannot reach the Foyer service.",
    ),
    "sync_refused": (
        ATTENTION,
        "Le service Foyer a refusé une synchronisation de la tablette.",
        "The Foyer service refused a synchronisation of the tablet.",
    ),
    "disk_full": (
        URGENT,
        "La mémoire de stockage de la tablette est pleine.",
        "The tablet's storage is full.",
    ),
    "clock_wrong": (
        ATTENTION,
        "L'horloge de la tablette n'est pas à l'heure.",
        "The tablet's clock is wrong.",
    ),
    "photo_download_failed": (
        INFO,
        "Des photos n'ont pas pu être téléchargées sur la tablette.",
        "Some photos could not be downloaded to the tablet.",
    ),
    "config_refused": (
        ATTENTION,
        "La tablette a refusé sa configuration.",
        "The tablet refused its configuration.",
    ),
    "update_failed": (
        ATTENTION,
        "La dernière mise à jour n'a pas pu s'installer.",
        "The last update could not be installed.",
    ),
    "audio_unavailable": (
        INFO,
        "Le son de la tablette ne fonctionne pas (lecture à voix haute).",
        "The tablet's sound does not work (reading aloud).",
    ),
    "unexpected_error": (
        INFO,
        "L'application de la tablette a rencontré une erreur ; elle est revenue d'elle-même "
        "à l'accueil.",
        "The tablet's application met an error; it went back to its home screen by itself.",
    ),
}

# Older tablets sent their last error as text; the few known ones have a code.
_LEGACY = {
    "backend unreachable": "backend_unreachable",
    "backend_unreachable": "backend_unreachable",
}

_WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "revoked": "Tablette retirée ({when})",
        "never_seen": "Tablette jamais connectée",
        "online": "En ligne",
        "offline": "Tablette hors ligne depuis {duration} (dernier contact {when})",
        "no_report": "Pas encore de nouvelles de la tablette (elle n'a rien rapporté)",
        "screen_night_until": "Écran éteint (mode nuit jusqu'à {hour})",
        "screen_night": "Écran éteint (mode nuit)",
        "screen_schedule_until": "Écran éteint (horaire d'extinction jusqu'à {hour})",
        "screen_schedule": "Écran éteint (horaire d'extinction)",
        "screen_off": "Écran éteint",
        "untouched": "Pas touchée depuis {when}",
        "touched": "Touchée à {when}",
        "disk_full": "Espace plein ({percent} %)",
        "disk_low": "Espace presque plein ({percent} %)",
        "disk_full_bytes": "Espace plein (il reste {size})",
        "disk_low_bytes": "Espace presque plein (il reste {size})",
        "memory_low": "Mémoire presque pleine (il reste {size})",
        "restarts_one": "Redémarrée 1 fois aujourd'hui",
        "restarts": "Redémarrée {n} fois aujourd'hui",
        "uptime": "En marche depuis {duration}",
        "updated": "Mise à jour {version} appliquée {when}",
        "outbox": "{n} envois en attente sur la tablette",
        "error_other": "La tablette signale un problème (code {code}).",
        "error_text": "La tablette a signalé une erreur.",
        # Pieces.
        "today_at": "aujourd'hui à {hour}",
        "yesterday_at": "hier à {hour}",
        "on_day_at": "le {day} à {hour}",
        "since_day": "le {day}",
        "minutes": "{n} min",
        "hours": "{n} h",
        "one_day": "1 jour",
        "days": "{n} jours",
        "gb": "{n} Go",
        "mb": "{n} Mo",
    },
    "en": {
        "revoked": "Tablet removed ({when})",
        "never_seen": "Tablet never connected",
        "online": "Online",
        "offline": "Tablet offline for {duration} (last contact {when})",
        "no_report": "No news from the tablet yet (it has reported nothing)",
        "screen_night_until": "Screen off (night mode until {hour})",
        "screen_night": "Screen off (night mode)",
        "screen_schedule_until": "Screen off (power schedule until {hour})",
        "screen_schedule": "Screen off (power schedule)",
        "screen_off": "Screen off",
        "untouched": "Not touched since {when}",
        "touched": "Touched at {when}",
        "disk_full": "Storage full ({percent}%)",
        "disk_low": "Storage almost full ({percent}%)",
        "disk_full_bytes": "Storage full ({size} left)",
        "disk_low_bytes": "Storage almost full ({size} left)",
        "memory_low": "Memory almost full ({size} left)",
        "restarts_one": "Restarted once today",
        "restarts": "Restarted {n} times today",
        "uptime": "Running for {duration}",
        "updated": "Update {version} applied {when}",
        "outbox": "{n} writes waiting on the tablet",
        "error_other": "The tablet reports a problem (code {code}).",
        "error_text": "The tablet reported an error.",
        "today_at": "today at {hour}",
        "yesterday_at": "yesterday at {hour}",
        "on_day_at": "on {day} at {hour}",
        "since_day": "{day}",
        "minutes": "{n} min",
        "hours": "{n} h",
        "one_day": "1 day",
        "days": "{n} days",
        "gb": "{n} GB",
        "mb": "{n} MB",
    },
}

_MONTHS = {
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}  # fmt: skip


@dataclass(frozen=True)
class Item:
    code: str  # "offline", "screen", "untouched", "disk", "error"…
    severity: int
    text: str


@dataclass(frozen=True)
class Health:
    device: Device
    items: list[Item]  # most severe first

    @property
    def severity(self) -> int:
        return max((i.severity for i in self.items), default=OK)

    @property
    def headline(self) -> Item | None:
        """The line that matters most (what a dashboard shows)."""
        return self.items[0] if self.items else None


# --- words --------------------------------------------------------------------------------------


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "fr"


def hour_words(moment: datetime, tz: ZoneInfo, lang: str) -> str:
    """8 h 12 / 8:12 (no-break spaces in French: never split)."""
    local = moment.astimezone(tz)
    if _lang(lang) == "en":
        return f"{local.hour}:{local.minute:02d}"
    if local.minute == 0:
        return f"{local.hour}\u00a0h"
    return f"{local.hour}\u00a0h\u00a0{local.minute:02d}"


def day_words(day: date, lang: str) -> str:
    lang = _lang(lang)
    month = _MONTHS[lang][day.month - 1]
    if lang == "fr":
        return f"{'1er' if day.day == 1 else day.day} {month}"
    return f"{day.day} {month}"


def when_words(moment: datetime, now: datetime, tz: ZoneInfo, lang: str, *,
               hour_today: bool = False) -> str:  # fmt: skip
    """ "8 h 12" (today; "aujourd'hui à 8 h 12" with `hour_today`), "hier à 18 h",
    "le 3 décembre à 18 h"."""
    words = _WORDS[_lang(lang)]
    local, today = moment.astimezone(tz), now.astimezone(tz).date()
    hour = hour_words(moment, tz, lang)
    if local.date() == today:
        return words["today_at"].format(hour=hour) if hour_today else hour
    if local.date() == today - timedelta(days=1):
        return words["yesterday_at"].format(hour=hour)
    return words["on_day_at"].format(day=day_words(local.date(), lang), hour=hour)


def since_words(moment: datetime, now: datetime, tz: ZoneInfo, lang: str) -> str:
    """ "11 h" (today), "hier à 18 h", "le 3 décembre" (the hour no longer matters)."""
    words = _WORDS[_lang(lang)]
    local, today = moment.astimezone(tz), now.astimezone(tz).date()
    if local.date() >= today - timedelta(days=1):
        return when_words(moment, now, tz, lang)
    return words["since_day"].format(day=day_words(local.date(), lang))


def duration_words(span: timedelta, lang: str) -> str:
    words = _WORDS[_lang(lang)]
    minutes = max(1, int(span.total_seconds() // 60))
    if minutes < 60:
        return words["minutes"].format(n=minutes)
    if minutes < 48 * 60:
        return words["hours"].format(n=minutes // 60)
    days = minutes // (24 * 60)
    return words["one_day"] if days == 1 else words["days"].format(n=days)


def size_words(size: int, lang: str) -> str:
    """0,4 Go / 0.4 GB; under a gigabyte, 80 Mo."""
    words = _WORDS[_lang(lang)]
    if size >= 1_000_000_000:
        number = f"{size / 1e9:.1f}"
        return words["gb"].format(n=number.replace(".", ",") if _lang(lang) == "fr" else number)
    return words["mb"].format(n=size // 1_000_000)


def error_words(code: str, lang: str) -> tuple[int, str]:
    known = ERROR_CODES.get(code)
    if known is None:
        return INFO, _WORDS[_lang(lang)]["error_other"].format(code=code)
    severity, french, english = known
    return severity, english if _lang(lang) == "en" else french


# --- the reading --------------------------------------------------------------------------------


def assess(
    device: Device, status: DeviceStatus | None, tz: ZoneInfo, now: datetime, lang: str = "fr"
) -> list[Item]:
    """Every line about one tablet, most severe first (ties: in the order below). Pure."""
    words = _WORDS[_lang(lang)]
    items: list[Item] = []
    if device.revoked_at is not None:
        when = when_words(device.revoked_at, now, tz, lang)
        return [Item("revoked", OK, words["revoked"].format(when=when))]
    seen = device.last_seen_at
    if seen is None:
        return [Item("never_seen", ATTENTION, words["never_seen"])]
    online = now - seen <= ONLINE_WITHIN
    if online:
        items.append(Item("online", OK, words["online"]))
    else:
        away = now - seen
        severity = (
            URGENT if away >= OFFLINE_URGENT else ATTENTION if away >= OFFLINE_ATTENTION else INFO
        )
        text = words["offline"].format(
            duration=duration_words(away, lang), when=when_words(seen, now, tz, lang)
        )
        items.append(Item("offline", severity, text))
    if status is None:
        items.append(Item("no_report", INFO, words["no_report"]))
        return _sorted(items)
    night = False
    if online and status.screen_on is False:
        until = (
            status.screen_off_until
            if status.screen_off_until and status.screen_off_until > now
            else None
        )
        reason = status.screen_off_reason
        night = reason == "night"
        if reason in ("night", "schedule"):
            key = f"screen_{reason}" + ("_until" if until else "")
            text = words[key].format(hour=hour_words(until, tz, lang) if until else "")
            items.append(Item("screen", OK, text))
        else:
            items.append(Item("screen", ATTENTION, words["screen_off"]))
    if online and status.last_touch_at is not None and status.last_touch_at <= now + ONLINE_WITHIN:
        quiet = now - status.last_touch_at
        if quiet >= UNTOUCHED_INFO:
            severity = OK if night else ATTENTION if quiet >= UNTOUCHED_ATTENTION else INFO
            text = words["untouched"].format(when=since_words(status.last_touch_at, now, tz, lang))
            items.append(Item("untouched", severity, text))
        else:
            text = words["touched"].format(when=when_words(status.last_touch_at, now, tz, lang))
            items.append(Item("touched", OK, text))
    items += _storage(status, lang)
    if (
        status.memory_available_bytes is not None
        and status.memory_available_bytes < LOW_MEMORY_BYTES
    ):
        text = words["memory_low"].format(size=size_words(status.memory_available_bytes, lang))
        items.append(Item("memory", ATTENTION, text))
    reported_today = status.reported_at.astimezone(tz).date() == now.astimezone(tz).date()
    if reported_today and status.restarts_today:
        n = status.restarts_today
        severity = ATTENTION if n >= RESTARTS_ATTENTION else INFO
        text = words["restarts_one"] if n == 1 else words["restarts"].format(n=n)
        items.append(Item("restarts", severity, text))
    if status.outbox_pending >= OUTBOX_ATTENTION:
        items.append(Item("outbox", ATTENTION, words["outbox"].format(n=status.outbox_pending)))
    error = _error(status, lang)
    if error is not None:
        items.append(error)
    if (
        status.previous_app_version
        and status.app_version_since is not None
        and now - status.app_version_since <= UPDATE_NEWS
    ):
        when = when_words(status.app_version_since, now, tz, lang, hour_today=True)
        text = words["updated"].format(version=status.app_version, when=when)
        items.append(Item("updated", OK, text))
    if online and status.started_at is not None and status.started_at <= now:
        text = words["uptime"].format(duration=duration_words(now - status.started_at, lang))
        items.append(Item("uptime", OK, text))
    return _sorted(items)


def _storage(status: DeviceStatus, lang: str) -> list[Item]:
    words = _WORDS[_lang(lang)]
    free, total = status.free_disk_bytes, status.disk_total_bytes
    if free is None:
        return []
    if total:
        percent = min(100, max(0, round(100 * (1 - free / total))))
        if percent >= DISK_URGENT_PERCENT:
            return [Item("disk", URGENT, words["disk_full"].format(percent=percent))]
        if percent >= DISK_ATTENTION_PERCENT:
            return [Item("disk", ATTENTION, words["disk_low"].format(percent=percent))]
        return []
    if free < NO_DISK_BYTES:
        return [Item("disk", URGENT, words["disk_full_bytes"].format(size=size_words(free, lang)))]
    if free < LOW_DISK_BYTES:
        return [
            Item("disk", ATTENTION, words["disk_low_bytes"].format(size=size_words(free, lang)))
        ]
    return []


def legacy_code(last_error: str | None) -> str | None:
    """The code of an older tablet's error text, when it is one of the known ones."""
    if not last_error:
        return None
    if last_error.startswith("configuration ") and " refusée" in last_error:
        return "config_refused"
    return _LEGACY.get(last_error.strip().lower())


def _error(status: DeviceStatus, lang: str) -> Item | None:
    code = status.last_error_code or legacy_code(status.last_error)
    if code is not None:
        severity, text = error_words(code, lang)
        return Item("error", severity, text)
    if status.last_error:
        return Item("error", INFO, _WORDS[_lang(lang)]["error_text"])
    return None


def _sorted(items: list[Item]) -> list[Item]:
    return sorted(items, key=lambda i: -i.severity)  # stable: ties keep their order


def describe(session: Session, device: Device, now: datetime, lang: str = "fr") -> Health:
    beneficiary = session.get(Beneficiary, device.beneficiary_id)
    tz = ZoneInfo(beneficiary.timezone if beneficiary else "Europe/Paris")
    status = session.get(DeviceStatus, device.id)
    return Health(device, assess(device, status, tz, now.astimezone(UTC), lang))


def for_beneficiaries(
    session: Session, beneficiaries: Sequence[Beneficiary], now: datetime, lang: str = "fr"
) -> dict[int, list[Health]]:
    """The tablets (not the retired ones) of each of `beneficiaries`, by beneficiary id, the
    one that needs a person first (ties: by id). One statement whatever their number: the
    dashboard reads every person's tablets at once."""
    zones = {b.id: ZoneInfo(b.timezone) for b in beneficiaries}
    if not zones:
        return {}
    rows = session.execute(
        select(Device, DeviceStatus)
        .outerjoin(DeviceStatus, DeviceStatus.device_id == Device.id)
        .where(Device.beneficiary_id.in_(zones), Device.revoked_at.is_(None))
        .order_by(Device.id)
    ).all()
    found: dict[int, list[Health]] = {}
    utc_now = now.astimezone(UTC)
    for device, status in rows:
        items = assess(device, status, zones[device.beneficiary_id], utc_now, lang)
        found.setdefault(device.beneficiary_id, []).append(Health(device, items))
    return {b: sorted(health, key=lambda h: -h.severity) for b, health in found.items()}


def for_beneficiary(
    session: Session, beneficiary_id: int, now: datetime, lang: str = "fr"
) -> list[Health]:
    """The beneficiary's tablets (not the retired ones), the one that needs a person first."""
    beneficiary = session.get(Beneficiary, beneficiary_id)
    if beneficiary is None:
        return []
    return for_beneficiaries(session, [beneficiary], now, lang).get(beneficiary_id, [])
