# ruff: noqa: E501 - catalogue entries are whole sentences, kept on one line to be greppable
"""The services' messages in English, for the console in English (`i18n.service_message`).

A service raises `Invalid("Fuseau horaire inconnu : {name}.", name=name)`: the French template
is the key, the English uses the same placeholders, filled with the error's params. The API
answers in French whatever this says. `tests/unit/test_service_messages.py` finds every
template in the code and fails when one has no entry here (or its placeholders differ), and
when an entry here is no longer raised anywhere. Grouped by the module that raises it.
"""

from __future__ import annotations

from backend.console.health_i18n import SERVICE_ENGLISH as HEALTH_SERVICE_ENGLISH
from backend.console.reminders_i18n import REMINDERS_SCHEDULE_ENGLISH, REMINDERS_SERVICE_ENGLISH

ENGLISH: dict[str, str] = {
    # backend/api/beneficiaries.py, visits.py, wellbeing.py
    "Les dates doivent être entre {first} et {last}.": "Dates must be between {first} and {last}.",
    "La période doit être positive et d'au plus un an.": "The period must be positive and at most one year.",
    "Donnez ensemble place_name, latitude et longitude.": "Give place_name, latitude and longitude together.",
    "Le champ {field} ne peut pas être vide.": "The field {field} cannot be empty.",
    # backend/api/device_actions.py
    "Action inconnue : {action}. Actions possibles : {actions}.": "Unknown action: {action}. Possible actions: {actions}.",
    "Cette clé d'idempotence a déjà servi pour une autre demande.": "This idempotency key was already used for another request.",
    "Cette demande est déjà en cours de traitement.": "This request is already being processed.",
    # backend/api/device_config.py
    'If-Match doit contenir le numéro de version lu, par exemple "3".': 'If-Match must hold the version number read, for example "3".',
    "Tablette introuvable.": "Tablet not found.",
    # backend/api/ics.py
    "Le fichier doit être un calendrier iCalendar (.ics).": "The file must be an iCalendar calendar (.ics).",
    "Le fichier dépasse 1 Mo.": "The file is larger than 1 MB.",
    "Calendrier introuvable.": "Calendar not found.",
    "Un autre import de ce planning est en cours : réessayez.": "Another import of this planning is under way: try again.",
    # backend/api/photos.py
    "Envoyez les photos en multipart/form-data (champ « files »).": "Send the photos as multipart/form-data (field “files”).",
    "Envoi trop volumineux : {size} au plus par photo.": "Upload too large: at most {size} per photo.",
    "Le fichier de cette photo est introuvable.": "This photo's file cannot be found.",
    "Envoi multipart illisible.": "Unreadable multipart upload.",
    "Aucune photo reçue : joignez au moins un fichier dans « files ».": "No photo received: attach at least one file in “files”.",
    "Champ inattendu : {name}. Utilisez « files ».": "Unexpected field: {name}. Use “files”.",
    "{n} photos au plus par envoi.": "At most {n} photos per upload.",
    "Champ inattendu : {name}.": "Unexpected field: {name}.",
    "« {name} » dépasse la taille maximale de {size} : rien n'a été enregistré.": "“{name}” is larger than the maximum size of {size}: nothing was saved.",
    "La légende est trop longue.": "The caption is too long.",
    # backend/api/weather.py
    "Cette tablette ne peut pas afficher la météo.": "This tablet cannot show the weather.",
    # backend/console/agenda.py, beneficiary.py
    "Cette semaine est hors du calendrier.": "This week is outside the calendar.",
    "Indiquez la date et l'heure du rendez-vous.": "Give the date and time of the appointment.",
    "La date de fin de la répétition est illisible.": "The end date of the repetition cannot be read.",
    "Donnez un titre au rendez-vous (par exemple « Soins infirmiers »).": "Give the appointment a title (for example “Nursing care”).",
    "Choisissez une répétition dans la liste.": "Choose a repetition from the list.",
    "Cette date d'occurrence est illisible.": "This occurrence date cannot be read.",
    "Aucune commune trouvée pour « {typed} ». Vérifiez l'orthographe, ou indiquez le code postal.": "No town found for “{typed}”. Check the spelling, or give the postcode.",
    # backend/console/agenda_ics.py
    "Choisissez le fichier .ics du planning à importer.": "Choose the planning's .ics file to import.",
    # backend/console/circle.py
    "Donnez un nom à l'organisation.": "Give the organisation a name.",
    # backend/console/dashboard.py
    "Indiquez le prénom et le nom de la personne.": "Give the person's first name and last name.",
    # backend/console/tablets.py
    "Cette tablette est révoquée.": "This tablet is revoked.",
    "Certaines valeurs ne conviennent pas : voyez les champs signalés.": "Some values are not suitable: see the fields marked.",
    # backend/services/access.py
    "Bénéficiaire introuvable.": "Beneficiary not found.",
    "Votre rôle auprès de cette personne ne permet pas cette action.": "Your role with this person does not allow this action.",
    # backend/services/accounts.py, passwords.py
    "Adresse e-mail invalide.": "Invalid e-mail address.",
    "Rôle inconnu : {role}. Rôles possibles : {roles}.": "Unknown role: {role}. Possible roles: {roles}.",
    "Le mot de passe doit faire au moins {n} caractères.": "The password must be at least {n} characters long.",
    "Le nom est obligatoire.": "The name is required.",
    "Un compte existe déjà avec cette adresse e-mail.": "An account already exists with this e-mail address.",
    "Trop d'essais de connexion. Réessayez plus tard.": "Too many sign-in attempts. Try again later.",
    "Ce mot de passe est trop long.": "This password is too long.",
    "Le mot de passe actuel est incorrect.": "The current password is incorrect.",
    "Personne introuvable.": "Person not found.",
    "Le mot de passe d'un conseiller autonomie ne se réinitialise pas ici : changez le vôtre dans « Mon compte ».": "A care manager's password is not reset here: change your own in “My account”.",
    # backend/services/agenda.py
    "Fuseau horaire inconnu : {name}.": "Unknown time zone: {name}.",
    "Type de rendez-vous inconnu : {kind}.": "Unknown appointment type: {kind}.",
    "La durée doit être comprise entre 1 minute et 24 heures.": "The duration must be between 1 minute and 24 hours.",
    "Les consignes ne peuvent dépasser {n} caractères.": "The instructions cannot be longer than {n} characters.",
    "Cette personne ne fait pas partie de l'entourage du bénéficiaire.": "This person is not part of the beneficiary's circle.",
    "Cette organisation n'intervient pas auprès du bénéficiaire.": "This organisation does not work with the beneficiary.",
    "Ce rendez-vous n'est pas récurrent : modifiez-le directement.": "This appointment does not repeat: edit it directly.",
    "Cette série n'a pas d'occurrence à cette date et heure.": "This series has no occurrence at this date and time.",
    "Champ inconnu : {name}.": "Unknown field: {name}.",
    "Rendez-vous introuvable.": "Appointment not found.",
    "Une occurrence modifiée ne peut pas devenir récurrente.": "A changed occurrence cannot become a repeating one.",
    # backend/services/beneficiaries.py
    "Le nom ne peut pas être vide.": "The last name cannot be empty.",
    "Le nom ne peut dépasser {n} caractères.": "The last name cannot be longer than {n} characters.",
    "Le prénom ne peut pas être vide.": "The first name cannot be empty.",
    "Le prénom ne peut dépasser {n} caractères.": "The first name cannot be longer than {n} characters.",
    "La commune ne peut dépasser {n} caractères.": "The town cannot be longer than {n} characters.",
    "La latitude et la longitude vont ensemble.": "Latitude and longitude go together.",
    # backend/services/circle.py
    "Type d'organisation inconnu : {kind}. Types possibles : {kinds}.": "Unknown organisation type: {kind}. Possible types: {kinds}.",
    "Organisation introuvable.": "Organisation not found.",
    "Seuls les responsables de l'organisation peuvent faire cela.": "Only the organisation's managers can do this.",
    "Aucun compte avec cette adresse : invitez d'abord cette personne dans le cercle d'un bénéficiaire.": "No account with this address: first invite this person into a beneficiary's circle.",
    "Cette personne fait déjà partie de l'organisation.": "This person already belongs to the organisation.",
    "Cette personne ne fait pas partie de l'organisation.": "This person does not belong to the organisation.",
    "Ce bénéficiaire est déjà partagé avec cette organisation.": "This beneficiary is already shared with this organisation.",
    "Ce bénéficiaire n'est pas partagé avec cette organisation.": "This beneficiary is not shared with this organisation.",
    "Cette personne n'a pas été invitée personnellement dans ce cercle.": "This person was not invited into this circle personally.",
    "Relation inconnue : {relation}. Relations possibles : {relations}.": "Unknown relation: {relation}. Possible relations: {relations}.",
    "Profession inconnue : {profession}. Professions possibles : {professions}.": "Unknown profession: {profession}. Possible professions: {professions}.",
    "Indiquez la profession de ce professionnel.": "Give this professional's profession.",
    "La profession ne s'indique que pour un professionnel.": "A profession is only given for a professional.",
    "Cette personne fait déjà partie du cercle.": "This person is already part of the circle.",
    "Invitation introuvable.": "Invitation not found.",
    "Cette invitation a déjà été acceptée : retirez la personne du cercle à la place.": "This invitation was already accepted: remove the person from the circle instead.",
    "Trop de liens d'invitation inconnus. Réessayez plus tard.": "Too many unknown invitation links. Try again later.",
    "Invitation introuvable : vérifiez le lien.": "Invitation not found: check the link.",
    "Cette invitation a été annulée. Demandez-en une nouvelle.": "This invitation was cancelled. Ask for a new one.",
    "Cette invitation a déjà été utilisée. Connectez-vous avec votre compte.": "This invitation was already used. Sign in with your account.",
    "Cette invitation a expiré. Demandez-en une nouvelle.": "This invitation has expired. Ask for a new one.",
    "L'organisation doit garder au moins un responsable.": "The organisation must keep at least one manager.",
    "Un compte existe déjà avec cette adresse e-mail : connectez-vous, puis acceptez l'invitation.": "An account already exists with this e-mail address: sign in, then accept the invitation.",
    "Indiquez votre nom et choisissez un mot de passe.": "Give your name and choose a password.",
    "Cette invitation a été envoyée à une autre adresse e-mail que celle de votre compte.": "This invitation was sent to another e-mail address than your account's.",
    "Cette invitation a déjà été utilisée.": "This invitation was already used.",
    "Cette profession donnerait plus de droits : demandez à votre conseiller autonomie de vous inviter avec elle.": "This profession would give more rights: ask your care manager to invite you with it.",
    # backend/services/device_config.py: the reasons are the configuration schema's, in French
    # (common/tablet_config.py).
    "{reasons}": "{reasons}",
    "{key} : {reason}": "{key}: {reason}",
    "La configuration a changé entre-temps (version {version}, vous aviez la version {expected}) : rechargez-la avant de l'enregistrer.": "The configuration changed in the meantime (version {version}, you had version {expected}): reload it before saving it.",
    "La configuration a changé entre-temps : rechargez-la.": "The configuration changed in the meantime: reload it.",
    # backend/services/device_professional.py, visits.py
    "Le code personnel fait de 4 à 8 chiffres.": "The personal PIN has 4 to 8 digits.",
    "Trop de codes erronés. Réessayez dans {minutes} minute(s).": "Too many wrong PINs. Try again in {minutes} minute(s).",
    "Code personnel incorrect.": "Wrong personal PIN.",
    "Ce code personnel est aussi celui d'une autre personne : choisissez-en un autre dans la console Foyer.": "This personal PIN is someone else's too: choose another one in the Foyer console.",
    "Le code personnel doit faire de 4 à 8 chiffres.": "The personal PIN must have 4 to 8 digits.",
    "user_id : identifiant de personne attendu.": "user_id: a person's id is expected.",
    "pin : code personnel attendu.": "pin: a personal PIN is expected.",
    "Une arrivée est déjà en cours : enregistrez d'abord le départ.": "An arrival is already open: record the departure first.",
    "Aucune arrivée en cours pour cette personne : enregistrez l'arrivée.": "No open arrival for this person: record the arrival.",
    "Le départ ne peut pas précéder l'arrivée.": "The departure cannot come before the arrival.",
    "Cette personne ne peut pas enregistrer de visite chez ce bénéficiaire.": "This person cannot record a visit at this beneficiary's home.",
    "La période doit être positive et d'au plus 366 jours.": "The period must be positive and at most 366 days.",
    "occurrence_start : une heure avec son décalage est attendue.": "occurrence_start: a time with its offset is expected.",
    "Cette visite n'est pas prévue à l'agenda.": "This visit is not planned in the agenda.",
    "Motif inconnu. Motifs possibles : {choices}.": "Unknown reason. Possible reasons: {choices}.",
    "Une arrivée est enregistrée pour cette visite : elle a eu lieu.": "An arrival is recorded for this visit: it took place.",
    "Cette visite n'a pas encore commencé : seule « annulée » se dit d'avance.": "This visit has not started yet: only “cancelled” can be said in advance.",
    "Aucun motif n'est enregistré pour cette visite.": "No reason is recorded for this visit.",
    # backend/services/geocoding.py
    "Le service de localisation (Open-Meteo) ne répond pas pour le moment : la commune n'a pas pu être située. Réessayez dans quelques minutes.": "The location service (Open-Meteo) is not answering at the moment: the town could not be located. Try again in a few minutes.",
    # backend/services/ics.py
    "Ce fichier n'est pas un calendrier iCalendar (.ics).": "This file is not an iCalendar calendar (.ics).",
    "Le fichier contient plus de {n} rendez-vous.": "The file holds more than {n} appointments.",
    "Calendrier illisible : le fichier .ics est mal formé.": "Unreadable calendar: the .ics file is malformed.",
    "Le fichier n'est pas un texte lisible (encodage inconnu).": "The file is not readable text (unknown encoding).",
    # backend/services/messages.py
    "Le message est vide.": "The message is empty.",
    "Le message est trop long (au plus {n} caractères).": "The message is too long (at most {n} characters).",
    "Espace de messages inconnu : {space}. Espaces possibles : daily, health.": "Unknown message space: {space}. Possible spaces: daily, health.",
    "Message introuvable.": "Message not found.",
    "Identifiant de message invalide.": "Invalid message id.",
    "Trop de destinataires (au plus {n}).": "Too many recipients (at most {n}).",
    "Destinataire {user_id} inconnu : les destinataires doivent faire partie de l'entourage de la personne.": "Unknown recipient {user_id}: recipients must be part of the person's circle.",
    "Le message auquel vous répondez est introuvable.": "The message you are replying to cannot be found.",
    "Une réponse reste dans l'espace du message auquel elle répond.": "A reply stays in the space of the message it answers.",
    "L'espace du quotidien est lu par tout l'entourage : pas de destinataires.": "The daily space is read by the whole circle: no recipients.",
    "Un message santé doit avoir au moins un destinataire.": "A health message must have at least one recipient.",
    "Seuls l'auteur et le conseiller autonomie peuvent supprimer ce message.": "Only the author and the care manager can delete this message.",
    "Seul l'auteur peut supprimer un message santé.": "Only the author can delete a health message.",
    "Seul l'auteur du message voit qui l'a lu.": "Only the message's author sees who read it.",
    "Données attendues : message_id.": "Expected data: message_id.",
    "Données attendues : reply_to_id (entier) et body (texte).": "Expected data: reply_to_id (integer) and body (text).",
    "Plus personne de l'entourage ne peut recevoir cette réponse.": "Nobody in the circle can receive this reply any more.",
    # backend/services/pairing.py
    "Trop de codes erronés. Patientez quelques minutes avant de réessayer.": "Too many wrong codes. Wait a few minutes before trying again.",
    "Ce code ne correspond à aucune tablette en attente. Vérifiez-le sur l'écran de la tablette : il est peut-être expiré.": "This code matches no waiting tablet. Check it on the tablet's screen: it may have expired.",
    # backend/services/photos.py
    "La légende doit faire au plus {n} caractères.": "The caption must be at most {n} characters long.",
    "Photo introuvable.": "Photo not found.",
    "Le fichier est vide.": "The file is empty.",
    "La photo n'a pas pu être enregistrée (stockage indisponible). Réessayez plus tard.": "The photo could not be saved (storage unavailable). Try again later.",
    "Cette photo est en cours d'envoi par ailleurs : réessayez.": "This photo is being uploaded elsewhere right now: try again.",
    "Seule la personne qui a envoyé cette photo, ou le conseiller autonomie, peut la modifier ou la supprimer.": "Only the person who sent this photo, or the care manager, can change or delete it.",
    # backend/services/sync.py
    "Curseur de synchronisation invalide.": "Invalid synchronisation cursor.",
    "Curseur inconnu : resynchronisation complète nécessaire.": "Unknown cursor: a full resynchronisation is needed.",
    # backend/services/weather.py
    "Météo indisponible pour le moment. Nouvel essai dans quelques minutes.": "Weather unavailable at the moment. Trying again in a few minutes.",
    "Commune du domicile non renseignée : la météo s'affichera quand le conseiller l'aura indiquée dans la console (page « Modifier ses informations »).": "The home town is not given: the weather will show once the care manager has entered it in the console (page “Edit their details”).",
    # backend/services/wellbeing.py
    "La note doit être un nombre entier de 1 à 5.": "The score must be a whole number from 1 to 5.",
    "La note doit être comprise entre 1 et 5.": "The score must be between 1 and 5.",
    "Les mots-clés doivent être une liste de mots.": "The keywords must be a list of words.",
    "Au plus {n} mots-clés.": "At most {n} keywords.",
    "Mot-clé inconnu : {tag}. Mots possibles : {tags}.": "Unknown keyword: {tag}. Possible words: {tags}.",
    "{field} : date et heure ISO 8601 attendues.": "{field}: an ISO 8601 date and time is expected.",
    "{field} : date et heure ISO 8601 illisibles.": "{field}: unreadable ISO 8601 date and time.",
    "{field} : le fuseau horaire (décalage) est obligatoire.": "{field}: the time zone (offset) is required.",
    "{field} : cette heure est dans le futur (horloge de la tablette ?).": "{field}: this time is in the future (the tablet's clock?).",
    "{field} : plus de 30 jours, trop ancien pour être enregistré.": "{field}: more than 30 days ago, too old to be recorded.",
    "La note fait plus de {n} caractères.": "The note is longer than {n} characters.",
    "Le nombre de semaines doit être compris entre 1 et {n}.": "The number of weeks must be between 1 and {n}.",
    "Alerte introuvable.": "Alert not found.",
    # backend/services/alerts.py
    "Dites en quelques mots ce qui a été fait pour clore l'alerte.": "Say in a few words what was done to close the alert.",
    "Cette alerte est close : rouvrez-la pour la prendre en charge.": "This alert is closed: reopen it to take it on.",
    "Cette alerte est déjà close.": "This alert is already closed.",
    "Cette alerte n'est pas close.": "This alert is not closed.",
    # backend/services/mail.py
    "Heure invalide : {value}. Attendu : HH:MM, par exemple 21:00.": "Invalid time: {value}. Expected: HH:MM, for example 21:00.",
    "Mode d'envoi inconnu : {mode}. Modes possibles : {modes}.": "Unknown sending mode: {mode}. Possible modes: {modes}.",
    "L'heure du résumé doit être un nombre entier de 0 à 23.": "The digest's hour must be a whole number from 0 to 23.",
    "Indiquez le début et la fin des heures calmes, ou aucun des deux.": "Give both the start and the end of the quiet hours, or neither.",
    # backend/services/calls.py, backend/console/calls_api.py (video calls, issue 17)
    "L'appel a été annulé.": "The call was cancelled.",
    "L'appel est déjà décroché : raccrochez pour y mettre fin.": "The call is already answered: hang up to end it.",
    "L'appel est terminé.": "The call has ended.",
    "Trop de signaux pour cet appel.": "Too many signals for this call.",
    "Un appel est déjà en cours sur la tablette.": "A call is already under way on the tablet.",
    "{name} est déjà en communication.": "{name} is already in a call.",
    "Votre place dans l'entourage ne permet pas d'ouvrir l'appel d'une autre personne.": "Your place in the circle does not allow opening someone else's call.",
    "Cette personne ne fait pas partie des personnes à appeler.": "This person is not among the people to call.",
    "Cette tablette ne peut pas passer d'appel.": "This tablet cannot place calls.",
    "Seule la personne appelée peut décrocher.": "Only the person called can answer.",
    "Seule la personne appelée peut refuser l'appel.": "Only the person called can decline the call.",
    "Vous ne faites plus partie des personnes qui peuvent appeler.": "You are no longer among the people who can call.",
    "Vous ne pouvez pas appeler {name} : son conseiller autonomie doit d'abord vous ajouter aux personnes qui peuvent l'appeler.": "You cannot call {name}: their care manager must first add you to the people who can call them.",
    "Le corps de la demande doit être un objet JSON.": "The request's body must be a JSON object.",
    "Le rôle de cette personne ne permet pas les appels vidéo.": "This person's role does not allow video calls.",
    "Signal trop long : 64 Ko au plus.": "Signal too long: 64 KB at most.",
    "« declined » doit valoir true ou false.": "“declined” must be true or false.",
    "« sdp » doit être un texte non vide.": "“sdp” must be a non-empty text.",
    "« user_id » doit être un nombre entier.": "“user_id” must be a whole number.",
    "Appel introuvable.": "Call not found.",
    "Cette personne ne fait pas partie de l'entourage.": "This person is not in the circle.",
    "Cette personne ne fait pas partie des personnes qui peuvent appeler.": "This person is not among the people who can call.",
    "Raison inconnue : {reason}. Raisons possibles : {reasons}.": "Unknown reason: {reason}. Possible reasons: {reasons}.",
    "Type de signal inconnu : {kind}. Types possibles : offer, answer.": "Unknown signal kind: {kind}. Possible kinds: offer, answer.",
    "Ce côté de l'appel envoie « {expected} », pas « {kind} ».": "This side of the call sends “{expected}”, not “{kind}”.",
    # backend/services/reminders.py, backend/console/reminders.py and common/reminders.py: their
    # English is kept beside the reminders' pages (backend/console/reminders_i18n.py).
    **REMINDERS_SERVICE_ENGLISH,
    **REMINDERS_SCHEDULE_ENGLISH,
    # backend/services/{signs_of_life,engagement,consent,wellbeing}.py and their console pages
    # (issue 16): their English is kept beside those pages (backend/console/health_i18n.py).
    **HEALTH_SERVICE_ENGLISH,
    # common/recurrence.py (passed on by backend/services/agenda.py); dateutil's own reason is
    # in English already.
    "La règle de récurrence est vide.": "The recurrence rule is empty.",
    "La règle de récurrence est trop longue ou contient plusieurs lignes.": "The recurrence rule is too long or holds several lines.",
    "Élément de règle illisible : « {part} ».": "Unreadable rule part: “{part}”.",
    "La fréquence doit être DAILY, WEEKLY, MONTHLY ou YEARLY (quotidienne, hebdomadaire, mensuelle ou annuelle).": "The frequency must be DAILY, WEEKLY, MONTHLY or YEARLY.",
    "Une règle ne peut avoir à la fois COUNT et UNTIL.": "A rule cannot have both COUNT and UNTIL.",
    "Règle de récurrence invalide : {reason}": "Invalid recurrence rule: {reason}",
}
