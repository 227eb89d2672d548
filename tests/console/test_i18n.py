"""The English catalogue covers every string the templates mark for translation."""

from __future__ import annotations

import ast
import re

from backend import database_errors
from backend.console import FIELD_LABELS, TITLES, i18n
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


def _sentences(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value:
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _sentences(node.body) + _sentences(node.orelse)
    if isinstance(node, ast.BoolOp):
        return [s for value in node.values for s in _sentences(value)]
    if isinstance(node, ast.Dict):
        return [s for value in node.values if value is not None for s in _sentences(value)]
    return []


def said_by_the_routes() -> set[str]:
    """The French sentences the console's routes pass as a page's `error`, `notice` or error
    page `message` (keyword, variable or the NOTICES table), and error_page's own."""
    names = {"error", "notice", "message", "NOTICES"}
    found: set[str] = set()
    for path in sorted((TEMPLATES_DIR.parent / "console").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg in names:
                found.update(_sentences(node.value))
            elif isinstance(node, ast.Assign | ast.AugAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id in names for t in targets):
                    found.update(_sentences(node.value))
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "error_page"
                and len(node.args) >= 3
            ):
                found.update(_sentences(node.args[2]))
    return found


def test_what_the_routes_say_has_its_english() -> None:
    said = said_by_the_routes()
    said |= {database_errors.CONFLICT, database_errors.INVALID, "« {field} » {reason}."}
    said |= set(FIELD_LABELS.values())
    assert "Adresse e-mail ou mot de passe incorrect." in said and len(said) > 30
    missing = sorted(s for s in said if s not in i18n.ENGLISH)
    assert missing == []
    # A sentence with a {placeholder} keeps it in English.
    fields = re.compile(r"\{(\w*)\}")
    wrong = [s for s in said if set(fields.findall(s)) != set(fields.findall(i18n.ENGLISH[s]))]
    assert wrong == []
