"""The tablet's remote configuration: one schema, declared once, with no Qt.

The care manager edits one JSON document per tablet in the console; the backend validates it
with this module before storing it (`backend.services.device_config`), sync delivers it, and
the tablet validates it again on arrival and keeps the last good one if it is refused (a newer
backend, a hand-edited database). Every key has a kind (`Kind`), numeric bounds or a tuple of
choices, a default and a French description; the console draws its form from those types, and
the French words of `docs/configuration.md` are derived from them, generated from here
(`python -m common.tablet_config > docs/configuration.md`) and a test fails when it drifts.

A document may leave keys out (they take their default); an unknown key is an error, so that
a typo in the console ("font_scal") is reported instead of silently ignored.

The maintenance PIN is never stored or delivered in clear: the document holds a salted
PBKDF2 hash (`hash_pin`), which the tablet checks offline (`verify_pin`).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from common import text as text_rule

MODULES = ("agenda", "messages", "photos", "weather", "mood")
LANGUAGES = ("fr", "en")
# Choices as a person reads them (the values stay the identifiers above).
CHOICE_WORDS = {
    "agenda": "agenda",
    "messages": "messages",
    "photos": "photos",
    "weather": "météo",
    "mood": "humeur",
    "fr": "français",
    "en": "anglais",
}
# Documented in docs/configuration.md: a technician's first visit works before the care
# manager has chosen one. The console asks for a PIN of its own when a tablet is paired.
DEFAULT_MAINTENANCE_PIN = "2580"
PIN_DIGITS = (4, 8)  # fewest and most digits of a maintenance PIN
PIN_PATTERN = re.compile(rf"[0-9]{{{PIN_DIGITS[0]},{PIN_DIGITS[1]}}}")
_HHMM = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
_PIN_HASH = re.compile(r"pbkdf2_sha256\$([0-9]{4,7})\$([0-9a-f]{32})\$([0-9a-f]{64})")
# Few iterations: the hash is checked on the GUI thread (a few ms), and it is there so the PIN
# is never shown back in clear, not to resist an offline search of 10^4 to 10^8 codes.
PIN_ITERATIONS = 10_000
QUICK_REPLY_MAX = 6  # more buttons than this do not fit under a message at 800×480
QUICK_REPLY_LENGTH = 40
# The quick replies offered when the care manager has chosen none (the tablet's one truth).
DEFAULT_QUICK_REPLIES = ("Merci !", "Appelle-moi", "Tout va bien", "Je t'embrasse")
# Under a health message (a nurse's, a doctor's): neutral words, never "Je t'embrasse".
DEFAULT_HEALTH_QUICK_REPLIES = ("Merci", "Bien reçu", "Rappelez-moi")
MOOD_TIMES_MAX = 6

Errors = dict[str, str]


class Kind(Enum):
    """What a key holds: its check, its console field and its words in the docs follow."""

    BOOL = "bool"  # true or false
    NUMBER = "number"  # a decimal number within low..high
    INTEGER = "integer"  # a whole number within low..high
    TIME = "time"  # "HH:MM"
    TIME_LIST = "time_list"  # at most max_items "HH:MM", sorted, once each
    TEXT_LIST = "text_list"  # at most max_items lines of plain text, max_length each
    MODULE_LIST = "module_list"  # some of `choices`, in the order shown, once each
    CHOICE = "choice"  # one of `choices`
    PIN = "pin"  # low..high digits, given in clear, kept as a salted hash


@dataclass(frozen=True)
class Setting:
    """One key of the document. `check` returns the normalized value or raises ValueError
    with the French reason."""

    key: str
    kind: Kind
    default: Any
    description: str
    low: float | None = None  # NUMBER, INTEGER: the bounds; PIN: the number of digits
    high: float | None = None
    step: float | None = None  # NUMBER, INTEGER: the console's step between two values
    choices: tuple[str, ...] = ()  # CHOICE, MODULE_LIST
    max_items: int | None = None  # TIME_LIST, TEXT_LIST
    max_length: int | None = None  # TEXT_LIST: characters per item
    unit: str = ""  # INTEGER: what it counts, for the docs ("secondes", "minutes")
    label: str = ""  # its name in French, for people: "Taille du texte" (errors start with it)

    def check(self, value: Any) -> Any:
        return _CHECKS[self.kind](self, value)

    @property
    def kind_text(self) -> str:
        """The kind in French words, for the docs: "nombre", "liste d'heures"…"""
        if self.kind is Kind.INTEGER and self.unit:
            return self.unit
        return _KIND_WORDS[self.kind]

    @property
    def bounds_text(self) -> str:
        """The values allowed in French words, for the docs and the console's help."""
        kind = self.kind
        if kind in (Kind.NUMBER, Kind.INTEGER):
            return f"{_fr(self._low)} à {_fr(self._high)}"
        if kind is Kind.BOOL:
            return "oui ou non"
        if kind is Kind.TIME:
            return "HH:MM"
        if kind is Kind.TIME_LIST:
            return f"au plus {self.max_items} heures HH:MM"
        if kind is Kind.TEXT_LIST:
            return f"au plus {self.max_items}, {self.max_length} caractères chacun, texte simple"
        if kind is Kind.PIN:
            return f"{_fr(self._low)} à {_fr(self._high)} chiffres"
        return _choice_words(self.choices)

    @property
    def _low(self) -> float:
        if self.low is None:
            raise TypeError(f"{self.key}: a {self.kind.name} setting needs `low`")
        return self.low

    @property
    def _high(self) -> float:
        if self.high is None:
            raise TypeError(f"{self.key}: a {self.kind.name} setting needs `high`")
        return self.high


_KIND_WORDS = {
    Kind.BOOL: "oui/non",
    Kind.NUMBER: "nombre",
    Kind.INTEGER: "nombre entier",
    Kind.TIME: "heure",
    Kind.TIME_LIST: "liste d'heures",
    Kind.TEXT_LIST: "liste de textes",
    Kind.MODULE_LIST: "liste de modules",
    Kind.CHOICE: "choix",
    Kind.PIN: "code",
}


# --- checks ---------------------------------------------------------------------------------


def _bool(_setting: Setting, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("doit valoir oui ou non.")
    return value


def _number(setting: Setting, value: Any) -> Any:
    integer = setting.kind is Kind.INTEGER
    low, high = setting._low, setting._high
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("doit être un nombre.")
    if integer and value != int(value):
        raise ValueError("doit être un nombre entier.")
    if not low <= value <= high:
        raise ValueError(f"doit être compris entre {_fr(low)} et {_fr(high)}.")
    return int(value) if integer else float(value)


def _choice_words(choices: tuple[str, ...]) -> str:
    return ", ".join(CHOICE_WORDS.get(c, c) for c in choices)


def _fr(number: float) -> str:
    """1.6 → "1,6": numbers in messages are written the French way."""
    text = f"{number:g}"
    return text.replace(".", ",")


def _hhmm(_setting: Setting | None, value: Any) -> str:
    if not isinstance(value, str) or not _HHMM.fullmatch(value):
        raise ValueError("doit être une heure au format HH:MM (par exemple 21:30).")
    return value


def _choice(setting: Setting, value: Any) -> str:
    if value not in setting.choices:
        raise ValueError(f"doit être l'une de ces valeurs : {_choice_words(setting.choices)}.")
    return str(value)


def _module_list(setting: Setting, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("doit être une liste de modules.")
    unknown = [v for v in value if v not in setting.choices]
    if unknown:
        raise ValueError(
            f"module inconnu : « {unknown[0]} » (modules possibles : "
            f"{_choice_words(setting.choices)})."
        )
    if len(set(value)) != len(value):
        raise ValueError("un module ne peut apparaître qu'une fois.")
    return list(value)


def _time_list(setting: Setting, value: Any) -> list[str]:
    if not isinstance(value, list):
        raise ValueError("doit être une liste d'heures HH:MM.")
    if setting.max_items is not None and len(value) > setting.max_items:
        raise ValueError(f"au plus {setting.max_items} heures par jour.")
    times = []
    for item in value:
        try:
            times.append(_hhmm(None, item))
        except ValueError as exc:
            raise ValueError(f"« {item} » {exc}") from None
    return sorted(set(times))


def plain_line(text: str) -> str:
    """One line of plain text: spaces collapsed; raises ValueError on control characters."""
    return text_rule.plain_line(text)  # the one rule for text: common/text.py


def _text_list(setting: Setting, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("doit être une liste de textes.")
    if setting.max_items is not None and len(value) > setting.max_items:
        raise ValueError(f"au plus {setting.max_items} textes.")
    texts: list[str] = []
    for item in value:
        try:
            text = plain_line(item)
        except ValueError as exc:
            raise ValueError(f"« {item[:20]} » {exc}") from None
        if not text:
            raise ValueError("un texte ne peut pas être vide.")
        if setting.max_length is not None and len(text) > setting.max_length:
            raise ValueError(f"« {text[:20]}… » dépasse {setting.max_length} caractères.")
        if text not in texts:
            texts.append(text)
    return texts


def _pin_hash(setting: Setting, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _PIN_HASH.fullmatch(value):
        raise ValueError(f"doit être un code de {setting.bounds_text} (conservé haché).")
    return value


_CHECKS: dict[Kind, Callable[[Setting, Any], Any]] = {
    Kind.BOOL: _bool,
    Kind.NUMBER: _number,
    Kind.INTEGER: _number,
    Kind.TIME: _hhmm,
    Kind.TIME_LIST: _time_list,
    Kind.TEXT_LIST: _text_list,
    Kind.MODULE_LIST: _module_list,
    Kind.CHOICE: _choice,
    Kind.PIN: _pin_hash,
}


# --- the schema -----------------------------------------------------------------------------

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "modules",
        Kind.MODULE_LIST,
        list(MODULES),
        "Modules proposés sur l'accueil, dans cet ordre (une tuile chacun).",
        choices=MODULES,
        label="Modules de l'accueil",
    ),
    Setting(
        "font_scale",
        Kind.NUMBER,
        1.0,
        "Taille du texte : 1 = normale (déjà grande), 1,3 = 30 % plus grand.",
        # Beyond 1.3 the day no longer fits an 800×480 screen without cutting words.
        low=0.8,
        high=1.3,
        step=0.1,
        label="Taille du texte",
    ),
    Setting(
        "high_contrast",
        Kind.BOOL,
        False,
        "Contraste renforcé : texte noir sur fond blanc pur.",
        label="Contraste renforcé",
    ),
    Setting(
        "night_start",
        Kind.TIME,
        "21:30",
        "Début du mode nuit (horloge seule, atténuée). Égal à la fin : pas de mode nuit.",
        label="Début du mode nuit",
    ),
    Setting(
        "night_end",
        Kind.TIME,
        "07:00",
        "Fin du mode nuit.",
        label="Fin du mode nuit",
    ),
    Setting(
        "slideshow_seconds",
        Kind.INTEGER,
        10,
        "Durée d'affichage de chaque photo dans le diaporama.",
        low=3,
        high=120,
        step=1,
        unit="secondes",
        label="Durée de chaque photo",
    ),
    Setting(
        "idle_minutes",
        Kind.INTEGER,
        5,
        "Inactivité sur l'accueil avant de passer en cadre photo (0 = jamais).",
        low=0,
        high=120,
        step=1,
        unit="minutes",
        label="Cadre photo après",
    ),
    Setting(
        "screen_timeout_minutes",
        Kind.INTEGER,
        3,
        "Inactivité sur un autre écran avant de revenir à l'accueil.",
        low=1,
        high=30,
        step=1,
        unit="minutes",
        label="Retour à l'accueil après",
    ),
    Setting(
        "mood_times",
        Kind.TIME_LIST,
        ["10:30"],
        "Heures où la tablette demande « Comment allez-vous ? » (une fois par heure prévue).",
        max_items=MOOD_TIMES_MAX,
        label="Heures de la question d'humeur",
    ),
    Setting(
        "mood_second_question",
        Kind.BOOL,
        True,
        "Après l'humeur, proposer une seconde question (sommeil, douleur, visite…).",
        label="Seconde question",
    ),
    Setting(
        "quick_replies",
        Kind.TEXT_LIST,
        list(DEFAULT_QUICK_REPLIES),
        "Réponses rapides proposées sous un message du quotidien, en gros boutons.",
        max_items=QUICK_REPLY_MAX,
        max_length=QUICK_REPLY_LENGTH,
        label="Réponses rapides",
    ),
    Setting(
        "health_quick_replies",
        Kind.TEXT_LIST,
        list(DEFAULT_HEALTH_QUICK_REPLIES),
        "Réponses rapides proposées sous un message de l'espace santé (d'une infirmière, "
        "d'un médecin) : des mots neutres, lus par des professionnels.",
        max_items=QUICK_REPLY_MAX,
        max_length=QUICK_REPLY_LENGTH,
    ),
    Setting(
        "read_aloud",
        Kind.BOOL,
        False,
        "Bouton « Lire à voix haute » sur les messages (synthèse vocale hors ligne).",
        label="Lecture à voix haute",
    ),
    Setting(
        "reminder_chime",
        Kind.BOOL,
        True,
        "Un carillon discret quand un rappel s'affiche (jamais pendant les heures de nuit).",
        label="Carillon des rappels",
    ),
    Setting(
        "reminder_read_aloud",
        Kind.BOOL,
        False,
        "Lire à voix haute le titre d'un rappel quand il s'affiche (synthèse vocale hors ligne).",
        label="Rappels lus à voix haute",
    ),
    Setting(
        "language",
        Kind.CHOICE,
        "fr",
        "Langue de la tablette (français ou anglais).",
        choices=LANGUAGES,
        label="Langue",
    ),
    Setting(
        "professional_entry",
        Kind.BOOL,
        True,
        "Afficher l'entrée « Je suis un professionnel » sur l'accueil.",
        label="Entrée « Je suis un professionnel »",
    ),
    Setting(
        "maintenance_pin",
        Kind.PIN,
        None,
        "Code de l'écran de maintenance. Envoyé en clair à la console, conservé haché "
        f"et jamais renvoyé. Sans code choisi : {DEFAULT_MAINTENANCE_PIN}.",
        low=PIN_DIGITS[0],
        high=PIN_DIGITS[1],
        label="Code de maintenance",
    ),
)
BY_KEY: dict[str, Setting] = {s.key: s for s in SETTINGS}


def defaults() -> dict[str, Any]:
    return {s.key: _copy(s.default) for s in SETTINGS}


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


def validate(document: Any) -> tuple[dict[str, Any] | None, Errors]:
    """(the full normalized document, {}) or (None, {key: French reason})."""
    if not isinstance(document, Mapping):
        return None, {"": "La configuration doit être un objet JSON."}
    errors: Errors = {}
    result = defaults()
    for key, value in document.items():
        setting = BY_KEY.get(key)
        if setting is None:
            errors[str(key)] = f"Clé inconnue : {key}."
            continue
        try:
            result[key] = setting.check(value)
        except ValueError as exc:
            errors[key] = f"{setting.label or key} : {exc}"
    if not errors and not result["modules"]:
        errors["modules"] = f"{BY_KEY['modules'].label} : au moins un module doit rester affiché."
    return (None, errors) if errors else (result, {})


def describe(errors: Errors) -> str:
    """All reasons in one readable sentence list (for a 422 or a log line)."""
    return " ".join(errors[k] for k in sorted(errors))


# --- the PIN --------------------------------------------------------------------------------


# hashlib, hmac and secrets are imported where the PIN is hashed or checked: the tablet reads
# this module before its first picture, and only the maintenance screen needs them (≈ 3 ms of
# imports; tablet start, docs/performance.md).


def hash_pin(pin: str, *, salt: bytes | None = None, iterations: int = PIN_ITERATIONS) -> str:
    import hashlib
    import secrets

    if not PIN_PATTERN.fullmatch(pin):
        raise ValueError(f"Le code doit compter de {PIN_DIGITS[0]} à {PIN_DIGITS[1]} chiffres.")
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, iterations)
    return f"pbkdf2_sha256${iterations}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, pin_hash: str | None) -> bool:
    """Check a typed PIN against the configured hash (None: the documented default)."""
    import hashlib
    import hmac

    if pin_hash is None:
        return hmac.compare_digest(pin.encode(), DEFAULT_MAINTENANCE_PIN.encode())
    match = _PIN_HASH.fullmatch(pin_hash)
    if match is None or not PIN_PATTERN.fullmatch(pin):
        return False
    iterations, salt, expected = int(match[1]), bytes.fromhex(match[2]), match[3]
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, iterations).hex()
    return hmac.compare_digest(digest, expected)


# --- the documentation ----------------------------------------------------------------------


def _shown(value: Any) -> str:
    if value is None:
        return "aucun"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(f"{v}" for v in value) if value else "(vide)"
    if isinstance(value, float):
        return _fr(value)
    return str(value)


def markdown() -> str:
    lines = [
        "# Tablet configuration",
        "",
        "Generated from `common/tablet_config.py` by",
        "`python -m common.tablet_config > docs/configuration.md`;",
        "`tests/unit/test_config.py` fails when this file is out of date.",
        "",
        "One JSON document per tablet, edited by the beneficiary's care manager:",
        "`GET /api/v1/devices/{device_id}/config` reads it (with its `version`),",
        '`PUT /api/v1/devices/{device_id}/config` `{"document": {...}, "expected_version": n}`',
        "replaces it (422 with a French message per key when invalid, the last good document",
        "kept; 409 when `expected_version` or `If-Match` is not the current version). Keys left",
        "out take their default; unknown keys are refused. The tablet receives the document by",
        "sync (kind `config`), validates it again and applies it without a restart; a document",
        "it refuses is logged and the last good one kept.",
        "",
        "`maintenance_pin` is sent in clear (4 to 8 digits) and stored as a salted PBKDF2 hash;",
        "reads never return it (`maintenance_pin_set` says whether one is chosen). Without one,",
        f"the maintenance PIN is **{DEFAULT_MAINTENANCE_PIN}**. Five wrong PINs lock the",
        "maintenance screen for one minute.",
        "",
        "| key | type | values | default | description |",
        "|---|---|---|---|---|",
    ]
    for s in SETTINGS:
        lines.append(
            f"| `{s.key}` | {s.kind_text} | {s.bounds_text} | {_shown(s.default)} "
            f"| {s.description} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown())
