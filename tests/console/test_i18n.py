"""The English catalogue covers every string the templates mark for translation."""

from __future__ import annotations

import re

from backend.console import TITLES, i18n
from backend.console.web import TEMPLATES_DIR

MARKED = re.compile(r"""_\(\s*(["'])(.+?)\1\s*\)""")


def test_every_marked_string_has_an_english_translation() -> None:
    marked = {
        match.group(2).replace('\\"', '"')
        for path in TEMPLATES_DIR.glob("*.html")
        for match in MARKED.finditer(path.read_text())
    }
    marked |= set(TITLES.values())
    assert len(marked) > 100
    missing = sorted(m for m in marked if m not in i18n.ENGLISH)
    assert missing == []


def test_french_unless_english_was_chosen() -> None:
    assert i18n.pick(None) == "fr"
    assert i18n.pick("en") == "en"
    assert i18n.pick("xx") == "fr"
    assert i18n.translator("en")("Connexion") == "Sign in"
    assert i18n.translator("fr")("Connexion") == "Connexion"
