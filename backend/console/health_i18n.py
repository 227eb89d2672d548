# ruff: noqa: E501 - catalogue entries are whole sentences, kept on one line to be greppable
"""Issue 16's pages in English (signs of life, the tablet's health, news from the relatives,
who read what): every string `backend/templates/{_care_nav,tablets,signs_of_life,engagement,
audit}.html` marks that the shared catalogue lacks, and what `backend/console/{tablets,
signs_of_life,engagement,audit}.py` say themselves (`HEALTH_ENGLISH`, French is the message id,
as in `i18n.ENGLISH`); and the English of the services' new messages (`SERVICE_ENGLISH`, for
`service_messages.ENGLISH`). Kept apart so that these pages did not edit the shared catalogues;
merged there with

    ENGLISH.update(health_i18n.HEALTH_ENGLISH)            # backend/console/i18n.py
    ENGLISH.update(health_i18n.SERVICE_ENGLISH)           # backend/console/service_messages.py

The tablet's health itself is said in English by `backend.services.device_health` (its `lang`).
"""

from __future__ import annotations

HEALTH_ENGLISH: dict[str, str] = {
    # The second row of links under the tablets.
    "Suivi à domicile": "At home",
    "Signes de vie": "Signs of life",
    "Nouvelles des proches": "News from the relatives",
    "Qui a consulté quoi": "Who read what",
    # The tablets page.
    "{name} a mis en pause le partage de son humeur depuis le {since}, sur sa tablette : sa famille et ses amis ne voient plus ses humeurs ; vous, et les professionnels, les voyez encore.": "{name} paused the sharing of their mood on {since}, on their tablet: their family and friends no longer see their moods; you, and the professionals, still do.",
    "État de la tablette": "The tablet's state",
    # Signs of life.
    "Sans caméra : la tablette dit seulement si on l'a touchée, heure par heure, et si la personne a répondu « Oui, je vais bien ». Chaque règle est à activer pour cette personne, avec son accord.": "No camera: the tablet only says whether it was touched, hour by hour, and whether the person answered “Yes, I am fine”. Each rule is switched on for this person, with their consent.",
    "Aujourd'hui": "Today",
    "« Je vais bien »": "“I am fine”",
    "non demandé (règle désactivée)": "not asked (rule switched off)",
    "réponse « Oui, je vais bien » à": "answered “Yes, I am fine” at",
    "pas encore de réponse ; la tablette pose la question jusqu'à": "no answer yet; the tablet asks until",
    "pas de réponse : une alerte a été envoyée": "no answer: an alert was sent",
    "pas de réponse, sans alerte : la tablette était hors ligne ou en mode nuit": "no answer, no alert: the tablet was offline or in night mode",
    "Premier signe de vie": "First sign of life",
    "non surveillé (règle désactivée)": "not watched (rule switched off)",
    "dernier signe de vie à": "last sign of life at",
    "apprentissage en cours : pas d'alerte aujourd'hui": "still learning: no alert today",
    "rien pour l'instant ; alerte si rien avant": "nothing yet; an alert if nothing before",
    "aucun signe de vie : une alerte a été envoyée": "no sign of life: an alert was sent",
    "aucun signe de vie, sans alerte : la tablette était hors ligne ou en mode nuit": "no sign of life, no alert: the tablet was offline or in night mode",
    "Ce que la tablette a appris de ses matins": "What the tablet learnt of their mornings",
    "Jours de semaine": "Weekdays",
    "Week-end": "Weekends",
    "premier toucher habituel vers": "usually first touched around",
    "sur": "over",
    "jours": "days",
    "apprentissage en cours (encore {n} jours)": "still learning ({n} more days)",
    "Appris sur les deux dernières semaines : la médiane de l'heure du premier toucher de chaque jour (à partir de 4 h), les jours de semaine et le week-end à part ; il faut 3 jours de chaque sorte.": "Learnt over the last two weeks: the median hour of each day's first touch (from 4:00), weekdays and weekends apart; it takes 3 days of each kind.",
    "« Tout va bien aujourd'hui ? »": "“Is all well today?”",
    "Chaque jour, demander sur la tablette « Tout va bien aujourd'hui ? »": "Every day, ask on the tablet “Is all well today?”",
    "À partir de": "From",
    "Alerter sans réponse à": "Alert without an answer at",
    "Pas d'alerte si la tablette est hors ligne (une autre alerte le dit) ni pendant son mode nuit.": "No alert when the tablet is offline (another alert says so) nor during its night mode.",
    "Pas de signe de vie le matin": "No sign of life in the morning",
    "Alerter quand la tablette n'a pas été touchée à l'heure habituelle": "Alert when the tablet was not touched by the usual time",
    "Délai de grâce (minutes)": "Grace (minutes)",
    "Ou une heure fixe": "Or a fixed time",
    "Avec une heure fixe (par exemple 11:00), l'alerte part si rien avant cette heure, sans attendre l'apprentissage. Laissez vide pour l'heure habituelle apprise.": "With a fixed time (for example 11:00), the alert goes out when nothing came before it, without waiting for the learning. Leave it empty for the usual time learnt.",
    "Réglages enregistrés : la tablette les reçoit à sa prochaine synchronisation.": "Settings saved: the tablet receives them at its next synchronisation.",
    # News from the relatives.
    "Dernier contact": "Last contact",
    "Un message, une photo ou une réponse à la personne, dans Foyer. Une tablette à qui personne n'écrit paraît vite « en panne » : un petit mot suffit.": "A message, a photo or an answer to the person, in Foyer. A tablet nobody writes to soon looks “broken”: a short word is enough.",
    "Proche": "Relative",
    "Dernier message": "Last message",
    "Dernière photo": "Last photo",
    "Dernière réponse": "Last answer",
    "E-mail de rappel": "Reminder e-mail",
    "Après combien de jours sans nouvelles ? (vide : jamais)": "After how many days without news? (empty: never)",
    "dernier e-mail :": "last e-mail:",
    "L'e-mail est doux et ne dit rien de la santé : « Jeanne n'a pas eu de vos nouvelles depuis 3 semaines ; un petit message lui ferait plaisir ». Un seul par silence ; jamais à qui a choisi de ne pas recevoir d'e-mails.": "The e-mail is gentle and says nothing of health: “Jeanne has not heard from you for 3 weeks; a short message would please her”. One per silence; never to someone who chose to receive no e-mail.",
    "Personne de la famille ni des amis n'est encore dans l'entourage.": "Nobody from the family or friends is in the circle yet.",
    "ami·e": "friend",
    "voisin·e": "neighbour",
    "C'est noté.": "Noted.",
    # Who read what.
    "Chaque consultation et chaque modification des données de santé : qui, quoi, quand, et par où (la console ou l'API, la tablette, ou la tablette avec le code personnel d'un professionnel).": "Every reading and every change of health data: who, what, when, and the way in (the console or the API, the tablet, or the tablet with a professional's personal PIN).",
    "Tout le monde": "Everyone",
    "La tablette (la personne elle-même)": "The tablet (the person themselves)",
    "Tout": "Everything",
    "Du": "From",
    "Au": "To",
    "Exporter en CSV": "Export as CSV",
    "Tout afficher": "Show everything",
    "Action": "Action",
    "Par": "Through",
    "Rien pour ces critères.": "Nothing for these criteria.",
    "Plus anciennes →": "Older →",
    "Les traces sont conservées un an ({days} jours), puis effacées chaque nuit. Consulter cette page est noté aussi.": "Entries are kept one year ({days} days), then deleted every night. Reading this page is noted too.",
}

# The services' messages of issue 16 (French template → English, same placeholders).
SERVICE_ENGLISH: dict[str, str] = {
    # backend/services/signs_of_life.py
    "La fenêtre « Je vais bien » doit commencer avant de finir, le même jour (par exemple de 8 h à 11 h).": "The “I am fine” window must start before it ends, the same day (for example from 8:00 to 11:00).",
    "Le délai de grâce doit être un nombre de minutes de 0 à {max}.": "The grace must be a number of minutes from 0 to {max}.",
    "L'heure limite doit être après 4 h du matin.": "The deadline must be after 4:00 in the morning.",
    "Réponse inconnue : seule « ok » (« Oui, je vais bien ») est attendue.": "Unknown answer: only “ok” (“Yes, I am fine”) is expected.",
    # backend/services/consent.py
    "« paused » doit valoir true ou false.": "“paused” must be true or false.",
    # backend/services/wellbeing.py
    "{name} a mis en pause le partage de son humeur depuis le {since} : ses humeurs ne sont plus visibles par la famille et les amis, jusqu'à ce que le partage reprenne depuis sa tablette.": "{name} paused the sharing of their mood on {since}: their moods are no longer visible to family and friends, until the sharing resumes from their tablet.",
    # backend/services/engagement.py
    "Cette personne n'est pas un proche de la famille ou des amis de ce cercle.": "This person is not a relative (family or friend) in this circle.",
    "Le nombre de jours doit être compris entre {low} et {high}.": "The number of days must be between {low} and {high}.",
}
