# ruff: noqa: E501 - catalogue entries are whole sentences, kept on one line to be greppable
"""The English of an organisation's fleet pages (issue 18): its tablets (fleet.html), their
updates (updates.html), the menu's link (base.html), a tablet's update settings
(tablets.html). Merged into `i18n.ENGLISH` by `backend.console.fleet`."""

from __future__ import annotations

FLEET_ENGLISH: dict[str, str] = {
    # The menu, the organisation's tabs.
    "Parc de tablettes": "Tablet fleet",
    "Mises à jour": "Updates",
    "Vous gérez plusieurs organisations : choisissez celle dont vous voulez voir les tablettes.": "You manage several organisations: choose the one whose tablets you want to see.",
    # The fleet page.
    "En chiffres": "In numbers",
    "tablette": "tablet",
    "tablettes": "tablets",
    "{n} en ligne": "{n} online",
    "{n} hors ligne depuis plus de 24 h": "{n} offline for more than 24 h",
    "{n} en version ancienne": "{n} on an old version",
    "{n} en échec de mise à jour": "{n} with a failed update",
    "Version attendue : {v} (déploiement en cours) ; la plus récente installée : {n}.": "Expected version: {v} (rollout under way); the newest installed: {n}.",
    "Version attendue : {v} (déploiement en cours).": "Expected version: {v} (rollout under way).",
    "Version la plus récente installée : {v}.": "Newest version installed: {v}.",
    "Afficher": "Show",
    "Trier": "Sort",
    "Appliquer": "Apply",
    "Toutes les tablettes": "All tablets",
    "Hors ligne depuis plus de 24 h": "Offline for more than 24 h",
    "Version ancienne": "Old version",
    "Mise à jour en échec": "Update failed",
    "Dernier contact le plus ancien d'abord": "Oldest last contact first",
    "Dernier contact le plus récent d'abord": "Latest last contact first",
    "Par personne (nom)": "By person (name)",
    "1 tablette": "1 tablet",
    "{n} tablettes": "{n} tablets",
    "page {p} sur {n}": "page {p} of {n}",
    "Les tablettes de l'organisation": "The organisation's tablets",
    "Personne": "Person",
    "Tablette": "Tablet",
    "Dernier contact": "Last contact",
    "sans nom": "no name",
    "pas encore de rapport": "no report yet",
    "mise à jour en échec": "update failed",
    "Aucune tablette ici.": "No tablet here.",
    "Pages": "Pages",
    "← Page précédente": "← Previous page",
    "Page suivante →": "Next page →",
}
