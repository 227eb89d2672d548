# ruff: noqa: E501 - catalogue entries are whole sentences, kept on one line to be greppable
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
    "Lu par": "Read by",
    "Suivre une nouvelle personne": "Follow someone new",
    "Prénom": "First name",
    "Nom": "Last name",
    "Ville (météo)": "Town (for the weather)",
    "Ajouter": "Add",
    "Pas de tablette associée": "No tablet paired",
    "Autres personnes dont vous faites partie de l'entourage": "Other people whose circle you belong to",
    "Vous ne faites encore partie de l'entourage de personne. Ouvrez le lien d'invitation que vous avez reçu.": "You are not in anyone's circle yet. Open the invitation link you received.",
    "Seul le conseiller autonomie d'une personne peut associer sa tablette.": "Only a person's care manager can pair their tablet.",
    "8 lettres, par exemple WDJB-MJHT. Majuscules, minuscules et tiret indifférents.": "8 letters, for example WDJB-MJHT. Case and dash do not matter.",
    "Le code ci-dessus est bien celui affiché en ce moment sur la tablette.": "The code above is the one the tablet shows right now.",
    "Association refusée": "Pairing refused",
    "La tablette affichera que l'association a été refusée.": "The tablet will show that the pairing was refused.",
    "Tablette associée": "Tablet paired",
    "Voir ses tablettes": "See their tablets",
    "← Semaine précédente": "← Previous week",
    "Cette semaine": "This week",
    "Semaine suivante →": "Next week →",
    "Nouveau rendez-vous": "New appointment",
    "Rien de prévu": "Nothing planned",
    "Consignes": "Instructions",
    "Modifier ce jour seulement": "Change this day only",
    "Modifier la série": "Change the series",
    "Modifier": "Edit",
    "aujourd'hui": "today",
    "Chaque message est lu seulement par les personnes choisies et par son auteur.": "Each message is read only by the people chosen and by its author.",
    "Lu par tout l'entourage et sur la tablette.": "Read by the whole circle and on the tablet.",
    "Message envoyé.": "Message sent.",
    "Destinataires (au moins un)": "Recipients (at least one)",
    "Votre message": "Your message",
    "Ouvrir": "Open",
    "Aucun message pour l'instant.": "No messages yet.",
    "Messages plus anciens": "Older messages",
    "non lu": "unread",
    "Photo supprimée.": "Photo deleted.",
    "Choisir des photos (10 au plus)": "Choose photos (10 at most)",
    "Légende (facultative, pour toutes)": "Caption (optional, for all)",
    "Aucune photo pour l'instant.": "No photos yet.",
    "Légende": "Caption",
    "Supprimer": "Delete",
    "Aucune tablette associée.": "No tablet paired.",
    "Configurer": "Configure",
    "Révoquer": "Revoke",
    "État": "State",
    "Vue": "Last seen",
    "Version": "Version",
    "Espace libre": "Free space",
    "Envois en attente": "Pending writes",
    "Dernière erreur": "Last error",
    "Rapport": "Report",
    "Conseiller autonomie": "Care manager",
    "Organisations": "Organisations",
    "Invité·es personnellement": "Invited personally",
    "Invitations": "Invitations",
    "Inviter quelqu'un": "Invite someone",
    "Créer le lien d'invitation": "Create the invitation link",
    "Retirer du cercle": "Remove from the circle",
    "Partager avec une organisation": "Share with an organisation",
    "Partager": "Share",
    "Créer et partager": "Create and share",
    "Personne pour l'instant.": "Nobody yet.",
    "Aucune invitation.": "No invitations.",
    "Annuler": "Cancel",
    "Mot de passe oublié ? Votre conseiller autonomie peut vous en donner un nouveau.": "Forgot your password? Your care manager can give you a new one.",
    "Aucune visite cette semaine.": "No visits this week.",
    "Prévue": "Planned",
    "Qui": "Who",
    "Arrivée": "Arrived",
    "Départ": "Left",
    "J'ai vu cette alerte": "I have seen this alert",
    "Les valeurs du graphique": "The chart's values",
    "Quand": "When",
    "Quoi": "What",
    "Note": "Score",
    "Détail": "Details",
    "Rien d'enregistré sur cette période.": "Nothing recorded in this period.",
    "Menu": "Menu",
    "Rubriques": "Sections",
    "Demande invalide": "Invalid request",
    "Connexion requise": "Sign-in required",
    "Action impossible": "Not possible",
    "Conflit": "Conflict",
    "Lien expiré": "Expired link",
    "Fichier trop volumineux": "File too large",
    "Format non pris en charge": "Unsupported format",
    "Données invalides": "Invalid data",
    "Trop d'essais": "Too many attempts",
    "Erreur": "Error",
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
