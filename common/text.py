"""Text that people type: the one rule of Foyer, for the API, the console and the tablet.

Whatever a person may type into a field is stored and shown as plain text. What no keyboard
types, and what the database or the screen cannot hold, is refused rather than cleaned:

- control characters (Unicode category Cc: NUL, the other C0 codes, DEL and the C1 codes),
  except line breaks and tabs where the text is multi-line (a message, a caption, a note);
- lone surrogates (category Cs): half of a UTF-16 pair, which has no UTF-8 form (a JSON
  "\\ud800" gives one).

Everything else passes: accents, emoji and their joiners, right-to-left marks (format
characters, Cf) are text people write. `problem` says why a text is refused, in French, for a
message that names the field; `check_line` and `check_multiline` raise `TextRefused`.

Pure Python (no Qt, no server library): the tablet and the backend share it (`common/`).
"""

from __future__ import annotations

import unicodedata

# Where text is multi-line: line feed, carriage return (browsers send CRLF) and tab.
MULTILINE_CONTROLS = frozenset("\n\r\t")


class TextRefused(ValueError):
    """A text the rule refuses; `str(exc)` is the French reason, without the field's name."""


def _describe(char: str) -> str:
    return f"U+{ord(char):04X}"


def problem(text: str, *, multiline: bool = False) -> str | None:
    """Why `text` is refused (French, e.g. "contient un caractère de contrôle (U+0000)"), or
    None when it is acceptable."""
    allowed = MULTILINE_CONTROLS if multiline else frozenset()
    if text.isprintable():
        return None  # the common case, checked in C (Cc and Cs are never printable)
    for char in text:
        category = unicodedata.category(char)
        if category == "Cs":
            return f"contient un caractère invalide (demi-paire de substitution {_describe(char)})"
        if category == "Cc" and char not in allowed:
            if char in MULTILINE_CONTROLS:
                return (
                    "doit tenir sur une ligne : ni retour à la ligne ni tabulation "
                    f"({_describe(char)})"
                )
            return f"contient un caractère de contrôle ({_describe(char)})"
    return None


def check_line(text: str) -> str:
    """`text` unchanged if it is one line of plain text; raises TextRefused otherwise."""
    reason = problem(text, multiline=False)
    if reason is not None:
        raise TextRefused(f"{reason}.")
    return text


def check_multiline(text: str) -> str:
    """`text` unchanged if it is plain text where line breaks and tabs are allowed."""
    reason = problem(text, multiline=True)
    if reason is not None:
        raise TextRefused(f"{reason}.")
    return text


def plain_line(text: str) -> str:
    """One line of plain text with its spaces collapsed; raises TextRefused (a ValueError)."""
    return " ".join(check_line(text).split())
