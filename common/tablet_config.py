"""The tablet's remote configuration: one schema, declared once, with no Qt.

The care manager edits one JSON document per tablet in the console; the backend validates it
with this module before storing it (`backend.services.device_config`), sync delivers it, and
the tablet validates it again on arrival and keeps the last good one if it is refused (a newer
backend, a hand-edited database). Every key has a type, bounds or choices, a default and a
French description; `docs/configuration.md` is generated from here
(`python -m common.tablet_config > docs/configuration.md`) and a test fails when it drifts.

A document may leave keys out (they take their default); an unknown key is an error, so that
a typo in the console ("font_scal") is reported instead of silently ignored.

The maintenance PIN is never stored or delivered in clear: the document holds a salted
PBKDF2 hash (`hash_pin`), which the tablet checks offline (`verify_pin`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from common import text as text_rule

MODULES = ("agenda", "messages", "photos", "weather", "mood")
LANGUAGES = ("fr", "en")
# Documented in docs/configuration.md: a technician's first visit works before the care
# manager has chosen one. The console asks for a PIN of its own when a tablet is paired.
DEFAULT_MAINTENANCE_PIN = "2580"
PIN_PATTERN = re.compile(r"[0-9]{4,8}")
_HHMM = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
_PIN_HASH = re.compile(r"pbkdf2_sha256\$([0-9]{4,7})\$([0-9a-f]{32})\$([0-9a-f]{64})")
# Few iterations: the hash is checked on the GUI thread (a few ms), and it is there so the PIN
# is never shown back in clear, not to resist an offline search of 10^4 to 10^8 codes.
PIN_ITERATIONS = 10_000
QUICK_REPLY_MAX = 6  # more buttons than this do not fit under a message at 800×480
QUICK_REPLY_LENGTH = 40
# The quick replies offered when the care manager has chosen none (the tablet's one truth).
DEFAULT_QUICK_REPLIES = ("Merci !", "Appelle-moi", "Tout va bien", "Je t'embrasse")
MOOD_TIMES_MAX = 6

Errors = dict[str, str]


@dataclass(frozen=True)
class Setting:
    """One key of the document. `check` returns the normalized value or raises ValueError
    with the French reason."""

    key: str
    kind: str  # for the docs: "liste de modules", "nombre", "heure"…
    default: Any
    bounds: str  # for the docs: "0,8 à 1,6", "fr, en"…
    description: str
    check: Callable[[Any], Any]


# --- checks ---------------------------------------------------------------------------------


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("doit valoir true ou false.")
    return value


def _number(low: float, high: float, *, integer: bool) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("doit être un nombre.")
        if integer and value != int(value):
            raise ValueError("doit être un nombre entier.")
        if not low <= value <= high:
            raise ValueError(f"doit être compris entre {_fr(low)} et {_fr(high)}.")
        return int(value) if integer else float(value)

    return check


def _fr(number: float) -> str:
    """1.6 → "1,6": numbers in messages are written the French way."""
    text = f"{number:g}"
    return text.replace(".", ",")


def _hhmm(value: Any) -> str:
    if not isinstance(value, str) or not _HHMM.fullmatch(value):
        raise ValueError("doit être une heure au format HH:MM (par exemple 21:30).")
    return value


def _choice(choices: tuple[str, ...]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in choices:
            raise ValueError(f"doit être l'une de ces valeurs : {', '.join(choices)}.")
        return str(value)

    return check


def _modules(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("doit être une liste de modules.")
    unknown = [v for v in value if v not in MODULES]
    if unknown:
        raise ValueError(
            f"module inconnu : {unknown[0]} (modules possibles : {', '.join(MODULES)})."
        )
    if len(set(value)) != len(value):
        raise ValueError("un module ne peut apparaître qu'une fois.")
    return list(value)


def _mood_times(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise ValueError("doit être une liste d'heures HH:MM.")
    if len(value) > MOOD_TIMES_MAX:
        raise ValueError(f"au plus {MOOD_TIMES_MAX} heures par jour.")
    times = []
    for item in value:
        try:
            times.append(_hhmm(item))
        except ValueError as exc:
            raise ValueError(f"« {item} » {exc}") from None
    return sorted(set(times))


def plain_line(text: str) -> str:
    """One line of plain text: spaces collapsed; raises ValueError on control characters."""
    return text_rule.plain_line(text)  # the one rule for text: common/text.py


def _quick_replies(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("doit être une liste de textes.")
    if len(value) > QUICK_REPLY_MAX:
        raise ValueError(f"au plus {QUICK_REPLY_MAX} réponses rapides.")
    replies = []
    for item in value:
        try:
            reply = plain_line(item)
        except ValueError as exc:
            raise ValueError(f"« {item[:20]} » {exc}") from None
        if not reply:
            raise ValueError("une réponse rapide ne peut pas être vide.")
        if len(reply) > QUICK_REPLY_LENGTH:
            raise ValueError(f"« {reply[:20]}… » dépasse {QUICK_REPLY_LENGTH} caractères.")
        if reply not in replies:
            replies.append(reply)
    return replies


def _pin_hash(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _PIN_HASH.fullmatch(value):
        raise ValueError("doit être un code de 4 à 8 chiffres (conservé haché).")
    return value


# --- the schema -----------------------------------------------------------------------------

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "modules",
        "liste",
        list(MODULES),
        ", ".join(MODULES),
        "Modules proposés sur l'accueil, dans cet ordre (une tuile chacun).",
        _modules,
    ),
    Setting(
        "font_scale",
        "nombre",
        1.0,
        "0,8 à 1,3",
        "Taille du texte : 1 = normale (déjà grande), 1,3 = 30 % plus grand.",
        # Beyond 1.3 the day no longer fits an 800×480 screen without cutting words.
        _number(0.8, 1.3, integer=False),
    ),
    Setting(
        "high_contrast",
        "oui/non",
        False,
        "true, false",
        "Contraste renforcé : texte noir sur fond blanc pur.",
        _bool,
    ),
    Setting(
        "night_start",
        "heure",
        "21:30",
        "HH:MM",
        "Début du mode nuit (horloge seule, atténuée). Égal à la fin : pas de mode nuit.",
        _hhmm,
    ),
    Setting(
        "night_end",
        "heure",
        "07:00",
        "HH:MM",
        "Fin du mode nuit.",
        _hhmm,
    ),
    Setting(
        "slideshow_seconds",
        "secondes",
        10,
        "3 à 120",
        "Durée d'affichage de chaque photo dans le diaporama.",
        _number(3, 120, integer=True),
    ),
    Setting(
        "idle_minutes",
        "minutes",
        5,
        "0 à 120",
        "Inactivité sur l'accueil avant de passer en cadre photo (0 = jamais).",
        _number(0, 120, integer=True),
    ),
    Setting(
        "screen_timeout_minutes",
        "minutes",
        3,
        "1 à 30",
        "Inactivité sur un autre écran avant de revenir à l'accueil.",
        _number(1, 30, integer=True),
    ),
    Setting(
        "mood_times",
        "liste d'heures",
        ["10:30"],
        f"au plus {MOOD_TIMES_MAX} heures HH:MM",
        "Heures où la tablette demande « Comment allez-vous ? » (une fois par heure prévue).",
        _mood_times,
    ),
    Setting(
        "mood_second_question",
        "oui/non",
        True,
        "true, false",
        "Après l'humeur, proposer une seconde question (sommeil, douleur, visite…).",
        _bool,
    ),
    Setting(
        "quick_replies",
        "liste de textes",
        list(DEFAULT_QUICK_REPLIES),
        f"au plus {QUICK_REPLY_MAX}, {QUICK_REPLY_LENGTH} caractères chacune, texte simple",
        "Réponses rapides proposées sous un message, en gros boutons.",
        _quick_replies,
    ),
    Setting(
        "read_aloud",
        "oui/non",
        False,
        "true, false",
        "Bouton « Lire à voix haute » sur les messages (synthèse vocale hors ligne).",
        _bool,
    ),
    Setting(
        "language",
        "choix",
        "fr",
        ", ".join(LANGUAGES),
        "Langue de la tablette (français ou anglais).",
        _choice(LANGUAGES),
    ),
    Setting(
        "professional_entry",
        "oui/non",
        True,
        "true, false",
        "Afficher l'entrée « Je suis un professionnel » sur l'accueil.",
        _bool,
    ),
    Setting(
        "maintenance_pin",
        "code",
        None,
        "4 à 8 chiffres",
        "Code de l'écran de maintenance. Envoyé en clair à la console, conservé haché "
        f"et jamais renvoyé. Sans code choisi : {DEFAULT_MAINTENANCE_PIN}.",
        _pin_hash,
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
            errors[key] = f"{key} : {exc}"
    if not errors and not result["modules"]:
        errors["modules"] = "modules : au moins un module doit rester affiché."
    return (None, errors) if errors else (result, {})


def describe(errors: Errors) -> str:
    """All reasons in one readable sentence list (for a 422 or a log line)."""
    return " ".join(errors[k] for k in sorted(errors))


# --- the PIN --------------------------------------------------------------------------------


def hash_pin(pin: str, *, salt: bytes | None = None, iterations: int = PIN_ITERATIONS) -> str:
    if not PIN_PATTERN.fullmatch(pin):
        raise ValueError("Le code doit compter de 4 à 8 chiffres.")
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, iterations)
    return f"pbkdf2_sha256${iterations}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, pin_hash: str | None) -> bool:
    """Check a typed PIN against the configured hash (None: the documented default)."""
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
            f"| `{s.key}` | {s.kind} | {s.bounds} | {_shown(s.default)} | {s.description} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown())
