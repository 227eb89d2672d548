"""The tablet's languages: French (the source strings) and English (a Qt catalogue).

Catalogues are Qt's own: `kiosk/translations/foyer_<lang>.ts` (XML, edited by people or
Qt Linguist) compiled to `foyer_<lang>.qm`, which is committed so that the tablet needs no Qt
tools at run time. After adding or changing a `self.tr()` string anywhere in `kiosk/` or
`widgets/`, run the one command

    .venv/bin/python -m kiosk.i18n update

which re-extracts every string (`pyside6-lupdate`), keeps the translations already made, and
recompiles the catalogues (`pyside6-lrelease`). `set_language()` switches live: Qt sends every
widget a LanguageChange event and the screens re-label themselves.
"""

from __future__ import annotations

import logging
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
SOURCE_LANGUAGE = "fr"
LANGUAGES = ("fr", "en")
SOURCES = ("kiosk", "widgets")

_installed: QTranslator | None = None
_current = SOURCE_LANGUAGE


def catalogue(language: str) -> Path:
    return TRANSLATIONS / f"foyer_{language}.qm"


def in_context(context: str) -> Callable[[str], str]:
    """The translation of a view's French words marked in `context`, in the language in force
    when it is called (the views stay free of Qt; their screens and features pass this)."""

    def translate(text: str) -> str:
        return QCoreApplication.translate(context, text)

    return translate


def current_language() -> str:
    return _current


def locale() -> QLocale:
    """Day and month names in the language in force ("dimanche 22 novembre", "Sunday 22
    November"); screens given no locale of their own follow it on LanguageChange."""
    if _current == "en":
        return QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)
    return QLocale(QLocale.Language.French, QLocale.Country.France)


def set_language(language: str) -> bool:
    """Install `language` for the whole application; False (and French) if it cannot be."""
    global _installed, _current  # one language for the whole tablet
    app = QCoreApplication.instance()
    if app is None:
        return False
    if language == _current:
        return True
    if _installed is not None:
        app.removeTranslator(_installed)
        _installed = None
    _current = SOURCE_LANGUAGE
    if language == SOURCE_LANGUAGE:
        return True
    translator = QTranslator(app)
    if language not in LANGUAGES or not translator.load(str(catalogue(language))):
        log.error("no usable catalogue for language %r; staying in French", language)
        return False
    app.installTranslator(translator)
    _installed, _current = translator, language
    return True


def _tool(name: str) -> str:
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found (it comes with PySide6)")
    return found


def update() -> None:
    """Re-extract the strings into every .ts, then compile each into its .qm."""
    import subprocess  # a developer's command: the tablet's start does not pay for it

    files = sorted(str(p.relative_to(ROOT)) for d in SOURCES for p in (ROOT / d).rglob("*.py"))
    for language in LANGUAGES:
        if language == SOURCE_LANGUAGE:
            continue
        ts = TRANSLATIONS / f"foyer_{language}.ts"
        subprocess.run(
            [_tool("pyside6-lupdate"), *files, "-source-language", "fr", "-target-language",
             language, "-ts", str(ts.relative_to(ROOT))],
            check=True,
            cwd=ROOT,
        )  # fmt: skip
        subprocess.run(
            [_tool("pyside6-lrelease"), str(ts), "-qm", str(catalogue(language))], check=True
        )


if __name__ == "__main__":
    if sys.argv[1:] != ["update"]:
        raise SystemExit("usage: python -m kiosk.i18n update")
    update()
