"""Every message a service raises has its English: the console in English never shows French.

A service raises `Invalid("Fuseau horaire inconnu : {name}.", name=name)`: the French template
is the message id, the API answers it formatted, the console looks it up in
`backend/console/service_messages.py`. The templates are found in the code itself (an AST
walk, no import), so that a new raise without its English fails here, and an f-string, which
would make every message its own id, is refused.
"""

from __future__ import annotations

import ast
import string
from dataclasses import dataclass
from pathlib import Path

import pytest

from backend.console import i18n, service_messages
from backend.errors import Conflict, Invalid, NotFound, ServiceError, TooManyAttempts
from common.recurrence import RecurrenceError, normalize_rrule

ROOT = Path(__file__).resolve().parents[2]
# The backend's errors, and the recurrence rule's own (common/): a service passes its template
# on (`raise Invalid(exc.template, **exc.params)`).
SOURCES = (
    *sorted((ROOT / "backend").rglob("*.py")),
    ROOT / "common" / "recurrence.py",
    ROOT / "common" / "reminders.py",
)
BASES = {"ServiceError", "RecurrenceError"}
# Arguments that are not the message's params.
NOT_PARAMS = {"headers", "keep_changes"}
# Not yet converted, in files this change does not own: said in the report of issue 14.
# backend/text.py: `check(value, label)` builds "{label} {reason}." from a French label and
# common/text.py's French reason.
NOT_YET = {"backend/text.py"}


@dataclass(frozen=True)
class Site:
    where: str  # path:line
    template: str | None  # None: not a template (the problem says why)
    params: frozenset[str] | None  # None: passed on with **, not checked
    problem: str = ""


def _error_classes(trees: dict[Path, ast.Module]) -> set[str]:
    """ServiceError, RecurrenceError and every class that derives from them, by name."""
    names = set(BASES)
    while True:
        more = {
            node.name
            for tree in trees.values()
            for node in ast.walk(tree)
            if isinstance(node, ast.ClassDef)
            and any(
                (base.id if isinstance(base, ast.Name) else getattr(base, "attr", None)) in names
                for base in node.bases
            )
        }
        if more <= names:
            return names
        names |= more


def _constants(tree: ast.Module) -> dict[str, str]:
    """Module-level `NAME = "text"` (a message kept in a constant, e.g. NOT_FOUND)."""
    found = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value.value
    return found


def _called(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def collect(sources: tuple[Path, ...] = SOURCES, root: Path = ROOT) -> list[Site]:
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in sources}
    classes = _error_classes(trees)
    sites = []
    for path, tree in trees.items():
        constants = _constants(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or _called(node) not in classes:
                continue
            where = f"{path.relative_to(root)}:{node.lineno}"
            keywords = {k.arg for k in node.keywords}
            params = None if None in keywords else frozenset(keywords - NOT_PARAMS - {None})
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                sites.append(Site(where, first.value, params))
            elif isinstance(first, ast.Name) and first.id in constants:
                sites.append(Site(where, constants[first.id], params))
            elif isinstance(first, ast.Attribute) and first.attr == "template":
                continue  # another error's template passed on: collected where it is raised
            elif isinstance(first, ast.JoinedStr):
                problem = "an f-string: write a template with params"
                sites.append(Site(where, None, params, problem))
            else:
                shown = ast.unparse(first) if first is not None else "nothing"
                problem = f"{shown}: the message must be a string literal (or a constant)"
                sites.append(Site(where, None, params, problem))
    return sites


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


SITES = collect()


def test_every_message_is_a_template() -> None:
    refused = [
        f"{s.where}: {s.problem}"
        for s in SITES
        if s.template is None and s.where.split(":")[0] not in NOT_YET
    ]
    assert refused == []
    assert len({s.template for s in SITES if s.template}) > 150


def test_every_template_is_given_its_params() -> None:
    """`Invalid("… {name} …")` without `name=` would fail at the raise (KeyError)."""
    wrong = [
        f"{s.where}: {s.template!r} given {sorted(s.params)}"
        for s in SITES
        if s.template is not None
        and s.params is not None
        and placeholders(s.template) != set(s.params)
    ]
    assert wrong == []


def test_every_template_has_its_english() -> None:
    templates = {s.template: s.where for s in SITES if s.template is not None}
    missing = sorted(
        f"{where}: {t!r}" for t, where in templates.items() if t not in service_messages.ENGLISH
    )
    assert missing == [], "add them to backend/console/service_messages.py"
    wrong = [
        f"{t!r} → {service_messages.ENGLISH[t]!r}"
        for t in templates
        if placeholders(service_messages.ENGLISH[t]) != placeholders(t)
    ]
    assert wrong == [], "the English must use the same placeholders as the French"


def test_no_english_without_its_french() -> None:
    """An entry whose French is no longer raised anywhere is a leftover (reworded French)."""
    templates = {s.template for s in SITES}
    stale = sorted(t for t in service_messages.ENGLISH if t not in templates)
    assert stale == []


def test_the_walk_refuses_what_it_should(tmp_path: Path) -> None:
    source = tmp_path / "service.py"
    source.write_text(
        "NOT_FOUND = 'Introuvable.'\n"
        "class Mine(Invalid):\n    pass\n"
        "def f(name, exc, text):\n"
        "    raise Invalid(f'Inconnu : {name}.')\n"
        "    raise Mine(text)\n"
        "    raise NotFound(NOT_FOUND)\n"
        "    raise Invalid('Inconnu : {name}.', name=name)\n"
        "    raise errors.Conflict('Déjà là.', keep_changes=True)\n"
        "    raise Invalid(exc.template, **exc.params)\n"
        "class Invalid(ServiceError):\n    pass\n"
        "class NotFound(ServiceError):\n    pass\n"
        "class Conflict(ServiceError):\n    pass\n",
        encoding="utf-8",
    )
    found = collect((source,), tmp_path)
    assert [(s.where, s.template, s.params) for s in found if s.template] == [
        ("service.py:7", "Introuvable.", frozenset()),
        ("service.py:8", "Inconnu : {name}.", frozenset({"name"})),
        ("service.py:9", "Déjà là.", frozenset()),
    ]
    assert [s.where for s in found if s.template is None] == ["service.py:5", "service.py:6"]


# --- the errors themselves and the console's lookup --------------------------------------------


def test_an_error_keeps_its_template_and_its_params() -> None:
    exc = Invalid("Fuseau horaire inconnu : {name}.", name="Mars/Olympus")
    assert exc.template == "Fuseau horaire inconnu : {name}."
    assert exc.params == {"name": "Mars/Olympus"}
    assert exc.message == str(exc) == "Fuseau horaire inconnu : Mars/Olympus."
    assert exc.status_code == 422
    plain = NotFound("Rendez-vous introuvable.")
    assert (plain.template, plain.params, plain.message) == (
        "Rendez-vous introuvable.",
        {},
        "Rendez-vous introuvable.",
    )


def test_braces_without_params_are_left_alone() -> None:
    assert Conflict("Un {littéral} sans paramètre.").message == "Un {littéral} sans paramètre."


def test_too_many_attempts_passes_its_params_on() -> None:
    exc = TooManyAttempts("Réessayez dans {minutes} minute(s).", 120, minutes=2)
    assert exc.message == "Réessayez dans 2 minute(s)."
    assert (exc.retry_after, exc.headers, exc.keep_changes) == (120, {"Retry-After": "120"}, True)


def test_a_lone_surrogate_in_a_param_cannot_break_the_answer() -> None:
    exc = Invalid("Champ inconnu : {name}.", name="a\udcff")
    assert exc.message == "Champ inconnu : a?."
    assert exc.message.encode("utf-8")


def test_the_console_says_it_in_english_and_falls_back_to_french() -> None:
    exc = Invalid("Fuseau horaire inconnu : {name}.", name="Mars/Olympus")
    assert i18n.service_message(exc, "en") == "Unknown time zone: Mars/Olympus."
    assert i18n.service_message(exc, "fr") == "Fuseau horaire inconnu : Mars/Olympus."
    new = ServiceError("Une phrase que personne n'a encore traduite : {x}.", x=1)
    assert i18n.service_message(new, "en") == "Une phrase que personne n'a encore traduite : 1."


def test_a_recurrence_error_is_translated_as_the_service_passes_it_on() -> None:
    with pytest.raises(RecurrenceError) as caught:
        normalize_rrule("FREQ=WEEKLY;BYDAY")
    exc = Invalid(caught.value.template, **caught.value.params)
    assert exc.message == "Élément de règle illisible : « BYDAY »."
    assert i18n.service_message(exc, "en") == "Unreadable rule part: “BYDAY”."


def test_no_two_areas_translate_the_same_french_differently() -> None:
    """The console has one catalogue: an area's English for a word must not replace another's
    (the fleet's « terminé » once turned the call log's "ended" into "done")."""
    from backend.console.calls_i18n import CALLS_ENGLISH
    from backend.console.fleet_i18n import FLEET_ENGLISH
    from backend.console.health_i18n import HEALTH_ENGLISH
    from backend.console.reminders_i18n import REMINDERS_ENGLISH

    areas = {
        "calls": CALLS_ENGLISH,
        "fleet": FLEET_ENGLISH,
        "health": HEALTH_ENGLISH,
        "reminders": REMINDERS_ENGLISH,
    }
    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for area, table in areas.items():
        for french, english in table.items():
            if french in seen and seen[french][1] != english:
                clashes.append((french, seen[french], (area, english)))
            seen.setdefault(french, (area, english))
    assert clashes == []
