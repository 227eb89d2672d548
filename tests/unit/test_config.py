"""The configuration schema: defaults, French reasons per key, the hashed PIN, the docs."""

from __future__ import annotations

from pathlib import Path

import pytest

from common import tablet_config as config

DOCS = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_an_empty_document_is_every_default() -> None:
    document, errors = config.validate({})
    assert errors == {}
    assert document == config.defaults()
    assert document is not None and document["modules"] == list(config.MODULES)
    assert document["language"] == "fr"


def test_a_good_document_is_normalized() -> None:
    document, errors = config.validate(
        {
            "modules": ["mood", "agenda"],
            "font_scale": 1.3,
            "mood_times": ["16:00", "09:30", "16:00"],
            "quick_replies": ["  Merci   !  ", "Merci !", "À demain"],
            "language": "en",
        }
    )
    assert errors == {}
    assert document is not None
    assert document["modules"] == ["mood", "agenda"]
    assert document["font_scale"] == 1.3
    assert document["mood_times"] == ["09:30", "16:00"]
    assert document["quick_replies"] == ["Merci !", "À demain"]
    assert document["night_start"] == "21:30"  # left out: default


@pytest.mark.parametrize(
    ("document", "key", "words"),
    [
        ({"font_scale": 2}, "font_scale", "entre 0,8 et 1,3"),
        ({"font_scale": "grand"}, "font_scale", "nombre"),
        ({"high_contrast": 1}, "high_contrast", "Contraste renforcé : doit valoir oui ou non."),
        ({"night_start": "25:00"}, "night_start", "HH:MM"),
        ({"idle_minutes": 2.5}, "idle_minutes", "entier"),
        ({"modules": ["agenda", "tv"]}, "modules", "module inconnu : « tv »"),
        ({"modules": ["agenda", "agenda"]}, "modules", "qu'une fois"),
        ({"modules": []}, "modules", "au moins un module"),
        ({"mood_times": ["10h30"]}, "mood_times", "« 10h30 »"),
        ({"quick_replies": ["x" * 41]}, "quick_replies", "40 caractères"),
        ({"quick_replies": ["Merci\nà toi"]}, "quick_replies", "retour à la ligne"),
        ({"quick_replies": [""]}, "quick_replies", "vide"),
        ({"quick_replies": ["a"] * 7}, "quick_replies", "au plus 6"),
        ({"language": "de"}, "language", "français, anglais"),
        ({"maintenance_pin": "1234"}, "maintenance_pin", "haché"),
        ({"font_scal": 1.2}, "font_scal", "Clé inconnue"),
    ],
)
def test_bad_values_get_a_french_reason_per_key(
    document: dict[str, object], key: str, words: str
) -> None:
    result, errors = config.validate(document)
    assert result is None
    assert set(errors) == {key}
    assert words in errors[key]
    assert words in config.describe(errors)


def test_not_an_object_is_refused() -> None:
    assert config.validate(["modules"]) == (None, {"": "La configuration doit être un objet JSON."})


def test_pin_is_kept_hashed_and_checked() -> None:
    hashed = config.hash_pin("4821", iterations=1000)
    assert "4821" not in hashed
    document, errors = config.validate({"maintenance_pin": hashed})
    assert errors == {} and document is not None
    assert config.verify_pin("4821", document["maintenance_pin"])
    assert not config.verify_pin("4822", document["maintenance_pin"])
    assert not config.verify_pin("", document["maintenance_pin"])
    # Two hashes of the same PIN differ (salted).
    assert config.hash_pin("4821", iterations=1000) != hashed
    with pytest.raises(ValueError, match="4 à 8 chiffres"):
        config.hash_pin("12a4")


def test_without_a_pin_the_documented_default_opens() -> None:
    assert config.verify_pin(config.DEFAULT_MAINTENANCE_PIN, None)
    assert not config.verify_pin("0000", None)
    assert config.DEFAULT_MAINTENANCE_PIN in DOCS.read_text(encoding="utf-8")


def test_kinds_and_bounds_are_types_and_the_words_come_from_them() -> None:
    by_key = config.BY_KEY
    assert all(isinstance(s.kind, config.Kind) for s in config.SETTINGS)
    font = by_key["font_scale"]
    assert (font.kind, font.low, font.high) == (config.Kind.NUMBER, 0.8, 1.3)
    assert font.bounds_text == "0,8 à 1,3" and font.kind_text == "nombre"
    idle = by_key["idle_minutes"]
    assert (idle.kind, idle.low, idle.high, idle.step) == (config.Kind.INTEGER, 0, 120, 1)
    assert idle.kind_text == "minutes"
    assert by_key["language"].choices == config.LANGUAGES
    assert by_key["language"].bounds_text == "français, anglais"
    assert by_key["modules"].choices == config.MODULES
    assert by_key["maintenance_pin"].bounds_text == "4 à 8 chiffres"
    assert by_key["quick_replies"].max_items == config.QUICK_REPLY_MAX
    # The check follows the types: a new bound is enforced and described at once.
    narrow = config.Setting("x", config.Kind.INTEGER, 2, "", low=1, high=3)
    assert narrow.check(3) == 3
    with pytest.raises(ValueError, match="entre 1 et 3"):
        narrow.check(4)
    choice = config.Setting("y", config.Kind.CHOICE, "a", "", choices=("a", "b"))
    with pytest.raises(ValueError, match="a, b"):
        choice.check("c")
    # Every setting's words can be drawn (no kind without its bounds).
    for setting in config.SETTINGS:
        assert setting.kind_text and setting.bounds_text


def test_docs_are_generated_from_the_schema() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert text == config.markdown(), "run: python -m common.tablet_config > docs/configuration.md"
    for setting in config.SETTINGS:
        assert f"| `{setting.key}` |" in text
