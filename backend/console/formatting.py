"""Dates, times and recurrences in plain words, as people say them (pure functions, no I/O).

"tous les lundis et jeudis à 11 h", "mercredi 2 décembre à 14 h 05"; in English (the console's
footer) "every Monday and Thursday at 11:00", "Wednesday 2 December at 14:05": the console
shows the rule, never its RFC 5545 spelling. Times are shown in the beneficiary's zone.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
# The console in English (its footer's choice) says dates the English way.
EN_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
ORDINALS = {1: "premier", 2: "deuxième", 3: "troisième", 4: "quatrième", -1: "dernier"}


def hour(moment: datetime | time, tz: ZoneInfo | None = None, *, lang: str = "fr") -> str:
    """11:00 → "11 h", 14:05 → "14 h 05" (the French way, with no-break spaces); "14:05" in
    English."""
    if isinstance(moment, datetime) and tz is not None and moment.tzinfo is not None:
        moment = moment.astimezone(tz)
    if lang == "en":
        return f"{moment.hour}:{moment.minute:02d}"
    # No-break spaces: "11 h 30" never splits across lines.
    if moment.minute == 0:
        return f"{moment.hour}\u00a0h"
    return f"{moment.hour}\u00a0h\u00a0{moment.minute:02d}"


def day(
    moment: datetime | date, tz: ZoneInfo | None = None, *, year: bool = False, lang: str = "fr"
) -> str:
    """ "mercredi 2 décembre" (with the year on demand); "1er" for the first of the month;
    "Wednesday 2 December" in English."""
    if isinstance(moment, datetime) and tz is not None and moment.tzinfo is not None:
        moment = moment.astimezone(tz)
    if lang == "en":
        text = f"{EN_WEEKDAYS[moment.weekday()]} {moment.day} {EN_MONTHS[moment.month - 1]}"
        return f"{text} {moment.year}" if year else text
    number = "1er" if moment.day == 1 else str(moment.day)
    text = f"{WEEKDAYS[moment.weekday()]} {number} {MONTHS[moment.month - 1]}"
    return f"{text} {moment.year}" if year else text


def when(moment: datetime | None, tz: ZoneInfo, *, lang: str = "fr") -> str:
    if moment is None:
        return "never" if lang == "en" else "jamais"
    at = "at" if lang == "en" else "à"
    return f"{day(moment, tz, lang=lang)} {at} {hour(moment, tz, lang=lang)}"


# never, just now, minutes, hours, one day, days — in French and in English.
_AGO = {
    "fr": (
        "jamais",
        "à l'instant",
        "il y a {} min",
        "il y a {} h",
        "il y a 1 jour",
        "il y a {} jours",
    ),
    "en": ("never", "just now", "{} min ago", "{} h ago", "1 day ago", "{} days ago"),
}


def ago(moment: datetime | None, now: datetime, *, lang: str = "fr") -> str:
    """ "il y a 5 min", "il y a 3 h", "il y a 2 jours": how long since the tablet was seen."""
    never, instant, minutes, hours, one_day, days = _AGO["en" if lang == "en" else "fr"]
    if moment is None:
        return never
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 60:
        return instant
    if seconds < 3600:
        return minutes.format(seconds // 60)
    if seconds < 86400:
        return hours.format(seconds // 3600)
    count = seconds // 86400
    return one_day if count == 1 else days.format(count)


# How a recurrence is said, in French and in English (the console's footer chooses).
_RULE_WORDS = {
    "fr": {
        "and": " et ",
        "once": "le {day} {at}",
        "at": "à {hour}",
        "custom": "récurrence personnalisée",
        "every_day": "tous les jours",
        "every_n_days": "tous les {n} jours",
        "weekdays": "du lundi au vendredi",
        "on_days": "tous les {days}",
        "every_other_week": "{days}, une semaine sur deux",
        "every_n_weeks": "{days}, toutes les {n} semaines",
        "every_month": "de chaque mois",
        "every_n_months": "tous les {n} mois",
        "nth_weekday": "le {nth} {weekday} {every}",
        "month_day": "le {number} {every}",
        "every_year": "chaque année le {number} {month}",
        "once_only": ", 1 fois",
        "times": ", {n} fois",
        "until": ", jusqu'au {date}",
    },
    "en": {
        "and": " and ",
        "once": "on {day} {at}",
        "at": "at {hour}",
        "custom": "custom recurrence",
        "every_day": "every day",
        "every_n_days": "every {n} days",
        "weekdays": "Monday to Friday",
        "on_days": "every {days}",
        "every_other_week": "{days}, every other week",
        "every_n_weeks": "{days}, every {n} weeks",
        "every_month": "of every month",
        "every_n_months": "every {n} months",
        "nth_weekday": "the {nth} {weekday} {every}",
        "month_day": "the {number} {every}",
        "every_year": "every year on {number} {month}",
        "once_only": ", once",
        "times": ", {n} times",
        "until": ", until {date}",
    },
}
EN_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}


def _join(words: Sequence[str], lang: str = "fr") -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + _RULE_WORDS[lang]["and"] + words[-1]


def _parse(rule: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for item in rule.removeprefix("RRULE:").split(";"):
        key, sep, value = item.partition("=")
        if sep:
            parts[key.strip().upper()] = value.strip().upper()
    return parts


def _until(value: str, lang: str) -> str:
    try:
        parsed = date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        return ""
    # The date without its weekday: "31 décembre 2026", "31 December 2026".
    said = day(parsed, year=True, lang=lang).split(" ", 1)[1]
    return _RULE_WORDS[lang]["until"].format(date=said)


def _day_number(number: str, lang: str) -> str:
    """The day of the month: "1er", "23" in French; "1st", "23rd" in English."""
    if lang != "en":
        return "1er" if number == "1" else number
    if not number.isdigit():
        return number
    value = int(number)
    suffix = "th" if 11 <= value % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(value % 10, "th")
    return f"{value}{suffix}"


def _weekly_days(codes: list[str], lang: str) -> str | None:
    if any(c not in RRULE_DAYS for c in codes):
        return None
    words = _RULE_WORDS[lang]
    ordered = sorted(set(codes), key=RRULE_DAYS.index)
    if ordered == list(RRULE_DAYS[:5]):
        return words["weekdays"]
    if ordered == list(RRULE_DAYS):
        return words["every_day"]
    if lang == "en":
        names = [EN_WEEKDAYS[RRULE_DAYS.index(c)] for c in ordered]
    else:
        names = [WEEKDAYS[RRULE_DAYS.index(c)] + "s" for c in ordered]
    return words["on_days"].format(days=_join(names, lang))


def describe_rrule(rule: str | None, start: datetime, *, lang: str = "fr") -> str:
    """An RRULE (RFC 5545) in words, with the time of `start` (wall clock), in French or in
    English.

    "FREQ=WEEKLY;BYDAY=MO,TH" at 11:00 → "tous les lundis et jeudis à 11 h", "every Monday and
    Thursday at 11:00". A rule this does not know how to say is named as such rather than
    said wrongly."""
    lang = "en" if lang == "en" else "fr"
    words = _RULE_WORDS[lang]
    at = words["at"].format(hour=hour(start, lang=lang))
    if not rule:
        return words["once"].format(day=day(start, year=True, lang=lang), at=at)
    parts = _parse(rule)
    freq = parts.get("FREQ")
    try:
        interval = int(parts.get("INTERVAL", "1"))
    except ValueError:
        return words["custom"]
    days = [d for d in parts.get("BYDAY", "").split(",") if d]
    weekdays = EN_WEEKDAYS if lang == "en" else WEEKDAYS
    if freq == "DAILY":
        text = words["every_day"] if interval == 1 else words["every_n_days"].format(n=interval)
    elif freq == "WEEKLY":
        said = _weekly_days(days or [RRULE_DAYS[start.weekday()]], lang)
        if said is None:
            return words["custom"]
        if interval == 1:
            text = said
        elif interval == 2:
            text = words["every_other_week"].format(days=said)
        else:
            text = words["every_n_weeks"].format(days=said, n=interval)
    elif freq == "MONTHLY":
        every = (
            words["every_month"] if interval == 1 else words["every_n_months"].format(n=interval)
        )
        if days:
            code = days[0]
            weekday, number = code[-2:], code[:-2]
            try:
                nth = (EN_ORDINALS if lang == "en" else ORDINALS)[int(number)]
            except (ValueError, KeyError):
                return words["custom"]
            if weekday not in RRULE_DAYS:
                return words["custom"]
            text = words["nth_weekday"].format(
                nth=nth, weekday=weekdays[RRULE_DAYS.index(weekday)], every=every
            )
        else:
            month_day = parts.get("BYMONTHDAY", str(start.day))
            text = words["month_day"].format(number=_day_number(month_day, lang), every=every)
    elif freq == "YEARLY":
        months = EN_MONTHS if lang == "en" else MONTHS
        text = words["every_year"].format(
            number=str(start.day) if lang == "en" else _day_number(str(start.day), lang),
            month=months[start.month - 1],
        )
    else:
        return words["custom"]
    text = f"{text} {at}"
    if "COUNT" in parts and parts["COUNT"].isdigit():
        count = int(parts["COUNT"])
        text += words["once_only"] if count == 1 else words["times"].format(n=parts["COUNT"])
    elif "UNTIL" in parts:
        text += _until(parts["UNTIL"], lang)
    return text


def rrule_from_form(repeat: str, weekdays: Sequence[str], until: date | None) -> str | None:
    """The rule the event form describes: "never", "daily", "weekly" on the days ticked (the
    start's weekday when none is), or "monthly"; ending on `until` (inclusive) if given."""
    if repeat in ("", "never"):
        return None
    if repeat == "daily":
        rule = "FREQ=DAILY"
    elif repeat == "weekly":
        chosen = [d for d in RRULE_DAYS if d in weekdays]
        rule = "FREQ=WEEKLY" + (f";BYDAY={','.join(chosen)}" if chosen else "")
    elif repeat == "monthly":
        rule = "FREQ=MONTHLY"
    else:
        raise ValueError(repeat)
    if until is not None:
        rule += f";UNTIL={until:%Y%m%d}T235959"
    return rule


def week_start(moment: date) -> date:
    return moment - timedelta(days=moment.weekday())


def folded(text: str) -> str:
    """Lower case without accents, as the dashboard's search: "Hélène" is found by "helene"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def name_matches(first: str, last: str, q: str) -> bool:
    name = folded(f"{first} {last}")
    return all(word in name for word in folded(q).split())
