"""The console speaks French first; English is available (a cookie set from the footer).

The French text in the templates is the message id: `_("Connexion")` is "Connexion" in French
and looks it up in `ENGLISH` otherwise, falling back to the French when a string has no
translation yet (so a page is never blank). Messages from the services are French only.
"""

from __future__ import annotations

from collections.abc import Callable

LANGUAGES = ("fr", "en")
DEFAULT = "fr"

ENGLISH: dict[str, str] = {
    "Foyer — console": "Foyer — console",
    "Aller au contenu": "Skip to content",
    "Tableau de bord": "Dashboard",
    "Mes proches": "People I follow",
    "Associer une tablette": "Pair a tablet",
    "Mon compte": "My account",
    "Se déconnecter": "Sign out",
    "Connexion": "Sign in",
    "Se connecter": "Sign in",
    "Adresse e-mail": "E-mail address",
    "Mot de passe": "Password",
    "Langue": "Language",
    "Changer": "Change",
    "Changer de mot de passe": "Change password",
    "Mot de passe actuel": "Current password",
    "Nouveau mot de passe": "New password",
    "Confirmez le nouveau mot de passe": "Confirm the new password",
    "Enregistrer": "Save",
    "Envoyer": "Send",
    "Rechercher": "Search",
    "Retour": "Back",
    "Accueil": "Home",
    "Agenda": "Agenda",
    "Messages": "Messages",
    "Espace santé": "Health space",
    "Quotidien": "Daily space",
    "Photos": "Photos",
    "Bien-être": "Well-being",
    "Entourage": "Circle",
    "Visites": "Visits",
    "Tablettes": "Tablets",
    "Accepter l'invitation": "Accept the invitation",
    "Votre nom": "Your name",
    "Choisissez un mot de passe": "Choose a password",
    "Code affiché sur la tablette": "Code shown on the tablet",
    "Bénéficiaire": "Beneficiary",
    "Vérifier le code": "Check the code",
    "Associer": "Pair",
    "Refuser": "Refuse",
    "Désolé, une erreur est survenue": "Sorry, something went wrong",
    "Page introuvable": "Page not found",
    "Accès refusé": "Access denied",
    "Aucun bénéficiaire.": "Nobody yet.",
    "Prochaine visite": "Next visit",
    "Humeur": "Mood",
    "Alertes": "Alerts",
    "en ligne": "online",
    "hors ligne": "offline",
}


def translator(lang: str) -> Callable[[str], str]:
    if lang == "en":
        return lambda text: ENGLISH.get(text, text)
    return lambda text: text


def pick(cookie: str | None, accept_language: str | None) -> str:
    """The cookie's choice; else English only when the browser prefers it to French."""
    if cookie in LANGUAGES:
        return cookie
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT
