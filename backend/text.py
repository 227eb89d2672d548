"""The rule for text (common/text.py) where the backend receives text: request models, query,
path and form parameters, and the services the console and the tablet's writes go through.

- In a request model or a parameter, use a type: `PlainLine` (one line) or `MultiLineText`
  (line breaks and tabs allowed). With bounds, put them first and the rule last, so that the
  rule sees the stripped text and a too long text gets the length message:

      Name100 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100), LINE]

  A refused text is a 422 whose message names the field (backend/app.py):
  "Données invalides — first_name : contient un caractère de contrôle (U+0000)".
- In a service (the console's forms, the tablet's actions): `check(value, "La légende")` raises
  `Invalid` ("La légende contient un caractère de contrôle (U+0000).").
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from backend.errors import Invalid
from common import text

# The error type of a refused text in a 422's `errors` (tests look for it).
ERROR_TYPE = "foyer_text"


def _validator(multiline: bool) -> AfterValidator:
    def validate(value: str | None) -> str | None:
        # None passes: `Annotated[str | None, Query(), LINE]` is an optional text.
        reason = None if value is None else text.problem(value, multiline=multiline)
        if reason is not None:
            raise PydanticCustomError(ERROR_TYPE, reason)
        return value

    validate.__name__ = "multiline_text" if multiline else "plain_line"
    return AfterValidator(validate)


LINE = _validator(multiline=False)
MULTILINE = _validator(multiline=True)

PlainLine = Annotated[str, LINE]
MultiLineText = Annotated[str, MULTILINE]


def check(value: str, label: str, *, multiline: bool = False) -> str:
    """`value` unchanged, or Invalid naming the field: `label` starts the French sentence
    ("Le message", "La note")."""
    reason = text.problem(value, multiline=multiline)
    if reason is not None:
        raise Invalid(f"{label} {reason}.")
    return value
