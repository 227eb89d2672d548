<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="fr">
<context>
    <name></name>
    <message>
        <source>Accueil</source>
        <translation type="obsolete">Home</translation>
    </message>
</context>
<context>
    <name>AgendaList</name>
    <message>
        <location filename="../../widgets/agenda_list.py" line="362"/>
        <source>+ 1 visite plus tôt</source>
        <translation>+ 1 earlier visit</translation>
    </message>
    <message>
        <location filename="../../widgets/agenda_list.py" line="363"/>
        <source>+ {n} visites plus tôt</source>
        <translation>+ {n} earlier visits</translation>
    </message>
    <message>
        <location filename="../../widgets/agenda_list.py" line="365"/>
        <source>+ 1 visite plus tard</source>
        <translation>+ 1 later visit</translation>
    </message>
    <message>
        <location filename="../../widgets/agenda_list.py" line="366"/>
        <source>+ {n} visites plus tard</source>
        <translation>+ {n} later visits</translation>
    </message>
</context>
<context>
    <name>AgendaScreen</name>
    <message>
        <location filename="../screens/agenda_screen.py" line="87"/>
        <source>Aujourd&apos;hui</source>
        <translation>Today</translation>
    </message>
    <message>
        <location filename="../screens/agenda_screen.py" line="89"/>
        <source>Demain</source>
        <translation>Tomorrow</translation>
    </message>
    <message>
        <location filename="../screens/agenda_screen.py" line="96"/>
        <source>En ce moment</source>
        <translation>Right now</translation>
    </message>
    <message>
        <location filename="../screens/agenda_screen.py" line="98"/>
        <source>Prochaine visite</source>
        <translation>Next visit</translation>
    </message>
    <message>
        <location filename="../screens/agenda_screen.py" line="105"/>
        <source>Agenda</source>
        <translation>Calendar</translation>
    </message>
    <message>
        <location filename="../screens/agenda_screen.py" line="106"/>
        <source>Avant</source>
        <translation>Before</translation>
    </message>
    <message>
        <location filename="../screens/agenda_screen.py" line="107"/>
        <source>Après</source>
        <translation>After</translation>
    </message>
    <message>
        <location filename="../screens/agenda_screen.py" line="108"/>
        <source>Aucune visite ce jour-là</source>
        <translation>No visit that day</translation>
    </message>
</context>
<context>
    <name>AlbumPage</name>
    <message>
        <location filename="../screens/photos_screen.py" line="223"/>
        <source>Photos</source>
        <translation>Photos</translation>
    </message>
    <message>
        <location filename="../screens/photos_screen.py" line="224"/>
        <source>Précédentes</source>
        <translation>Previous</translation>
    </message>
    <message>
        <location filename="../screens/photos_screen.py" line="225"/>
        <source>Suivantes</source>
        <translation>Next</translation>
    </message>
    <message>
        <location filename="../screens/photos_screen.py" line="290"/>
        <source>Nouvelle</source>
        <translation>New</translation>
    </message>
    <message>
        <location filename="../screens/photos_screen.py" line="307"/>
        <source>Pas encore de photos.
Les photos envoyées par vos proches apparaîtront ici.</source>
        <translation>No photos yet.
Photos sent by your family and friends will appear here.</translation>
    </message>
    <message>
        <location filename="../screens/photos_screen.py" line="316"/>
        <source>Page {page} sur {count}</source>
        <translation>Page {page} of {count}</translation>
    </message>
</context>
<context>
    <name>HomeScreen</name>
    <message>
        <location filename="../screens/home_screen.py" line="248"/>
        <source>Bonjour {name}</source>
        <translation>Hello {name}</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="248"/>
        <source>Bonjour</source>
        <translation>Hello</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="250"/>
        <source>Bonsoir {name}</source>
        <translation>Good evening {name}</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="250"/>
        <source>Bonsoir</source>
        <translation>Good evening</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="271"/>
        <location filename="../screens/home_screen.py" line="296"/>
        <source>En ce moment</source>
        <translation>Right now</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="273"/>
        <location filename="../screens/home_screen.py" line="296"/>
        <source>Prochaine visite</source>
        <translation>Next visit</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="289"/>
        <source>Pas d&apos;autre visite prévue</source>
        <translation>No other visit planned</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="301"/>
        <source>demain à {time}</source>
        <translation>tomorrow at {time}</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="304"/>
        <source>{day} à {time}</source>
        <translation>{day} at {time}</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="333"/>
        <source>Hors connexion depuis {time}</source>
        <translation>Offline since {time}</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="335"/>
        <source>Hors connexion depuis hier, {time}</source>
        <translation>Offline since yesterday, {time}</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="337"/>
        <source>Hors connexion depuis le {day}</source>
        <translation>Offline since {day}</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="343"/>
        <source>Agenda</source>
        <translation>Calendar</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="344"/>
        <source>Messages</source>
        <translation>Messages</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="345"/>
        <source>Photos</source>
        <translation>Photos</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="346"/>
        <source>Météo</source>
        <translation>Weather</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="347"/>
        <source>Mon humeur</source>
        <translation>My mood</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="353"/>
        <source>Aujourd&apos;hui</source>
        <translation>Today</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="354"/>
        <source>Je suis un professionnel</source>
        <translation>I&apos;m a professional</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="357"/>
        <source>Aucune visite aujourd&apos;hui</source>
        <translation>No visit today</translation>
    </message>
</context>
<context>
    <name>KioskController</name>
    <message>
        <location filename="../controller.py" line="225"/>
        <source>Connexion au service Foyer…</source>
        <translation>Connecting to the Foyer service…</translation>
    </message>
    <message numerus="yes">
        <location filename="../controller.py" line="317"/>
        <source>Le service Foyer ne répond pas. Nouvel essai dans %n seconde(s).</source>
        <translation>
            <numerusform>The Foyer service does not answer. Trying again in %n second.</numerusform>
            <numerusform>The Foyer service does not answer. Trying again in %n seconds.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../controller.py" line="325"/>
        <source>L&apos;association a été refusée. Un nouveau code va s&apos;afficher.</source>
        <translation>Pairing was refused. A new code will appear.</translation>
    </message>
</context>
<context>
    <name>MaintenanceScreen</name>
    <message>
        <location filename="../screens/maintenance_screen.py" line="181"/>
        <source>Code incorrect.</source>
        <translation>Wrong code.</translation>
    </message>
    <message numerus="yes">
        <location filename="../screens/maintenance_screen.py" line="184"/>
        <source>Trop d&apos;essais. Réessayez dans %n seconde(s).</source>
        <translation>
            <numerusform>Too many tries. Try again in %n second.</numerusform>
            <numerusform>Too many tries. Try again in %n seconds.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="197"/>
        <source>jamais</source>
        <translation>never</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="200"/>
        <source>Réseau : {state}</source>
        <translation>Network: {state}</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="201"/>
        <source>connecté</source>
        <translation>connected</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="201"/>
        <source>hors connexion</source>
        <translation>offline</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="203"/>
        <source>Service : {url}</source>
        <translation>Service: {url}</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="204"/>
        <source>Tablette n° {id}</source>
        <translation>Tablet no. {id}</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="207"/>
        <source>Version : {version}</source>
        <translation>Version: {version}</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="208"/>
        <source>Dernière synchronisation : {when}</source>
        <translation>Last sync: {when}</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="209"/>
        <source>Envois en attente : {count}</source>
        <translation>Waiting to be sent: {count}</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="214"/>
        <source>Maintenance</source>
        <translation>Maintenance</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="215"/>
        <source>Code de maintenance</source>
        <translation>Maintenance code</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="216"/>
        <source>Effacer</source>
        <translation>Clear</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="217"/>
        <source>Valider</source>
        <translation>OK</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="218"/>
        <source>Ré-associer</source>
        <translation>Pair again</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="221"/>
        <source>Ré-associer efface les données de la tablette et affiche un nouveau code d&apos;association. Continuer ?</source>
        <translation>Pairing again erases the data on this tablet and shows a new pairing code. Continue?</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="225"/>
        <source>Oui, ré-associer</source>
        <translation>Yes, pair again</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="226"/>
        <source>Annuler</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>MessagesScreen</name>
    <message>
        <location filename="../screens/messages_screen.py" line="247"/>
        <source>Messages</source>
        <translation>Messages</translation>
    </message>
    <message>
        <source>Accueil</source>
        <translation type="obsolete">Home</translation>
    </message>
    <message>
        <location filename="../screens/messages_screen.py" line="248"/>
        <source>Aucun message pour le moment.</source>
        <translation>No messages for now.</translation>
    </message>
    <message>
        <location filename="../screens/messages_screen.py" line="249"/>
        <location filename="../screens/messages_screen.py" line="250"/>
        <source>Retour aux messages</source>
        <translation>Back to messages</translation>
    </message>
    <message>
        <location filename="../screens/messages_screen.py" line="251"/>
        <source>Réponse envoyée</source>
        <translation>Reply sent</translation>
    </message>
    <message>
        <location filename="../screens/messages_screen.py" line="252"/>
        <location filename="../screens/messages_screen.py" line="254"/>
        <source>Plus haut</source>
        <translation>Scroll up</translation>
    </message>
    <message>
        <location filename="../screens/messages_screen.py" line="253"/>
        <location filename="../screens/messages_screen.py" line="255"/>
        <source>Plus bas</source>
        <translation>Scroll down</translation>
    </message>
    <message>
        <location filename="../screens/messages_screen.py" line="264"/>
        <source>aujourd&apos;hui à {time}</source>
        <translation>today at {time}</translation>
    </message>
    <message>
        <location filename="../screens/messages_screen.py" line="266"/>
        <source>hier à {time}</source>
        <translation>yesterday at {time}</translation>
    </message>
    <message>
        <location filename="../screens/messages_screen.py" line="273"/>
        <source>Vous</source>
        <translation>You</translation>
    </message>
    <message>
        <location filename="../screens/messages_screen.py" line="274"/>
        <source>Un proche</source>
        <translation>A relative</translation>
    </message>
    <message>
        <location filename="../screens/messages_screen.py" line="279"/>
        <source>Nouveau</source>
        <translation>New</translation>
    </message>
    <message>
        <location filename="../screens/messages_screen.py" line="281"/>
        <source>Santé</source>
        <translation>Health</translation>
    </message>
    <message>
        <location filename="../screens/messages_screen.py" line="341"/>
        <source>Arrêter la lecture</source>
        <translation>Stop reading</translation>
    </message>
    <message>
        <location filename="../screens/messages_screen.py" line="343"/>
        <source>Lire à voix haute</source>
        <translation>Read aloud</translation>
    </message>
</context>
<context>
    <name>MoodScreen</name>
    <message>
        <location filename="../screens/mood_screen.py" line="183"/>
        <source>Comment allez-vous ?</source>
        <translation>How are you?</translation>
    </message>
    <message>
        <location filename="../screens/mood_screen.py" line="184"/>
        <source>Touchez le visage qui vous ressemble aujourd&apos;hui.</source>
        <translation>Touch the face that looks like you today.</translation>
    </message>
    <message>
        <location filename="../screens/mood_screen.py" line="185"/>
        <source>Qu&apos;est-ce qui compte aujourd&apos;hui ?</source>
        <translation>What matters today?</translation>
    </message>
    <message>
        <location filename="../screens/mood_screen.py" line="186"/>
        <source>Terminé</source>
        <translation>Done</translation>
    </message>
    <message>
        <location filename="../screens/mood_screen.py" line="188"/>
        <source>Sommeil</source>
        <translation>Sleep</translation>
    </message>
    <message>
        <location filename="../screens/mood_screen.py" line="189"/>
        <source>Douleur</source>
        <translation>Pain</translation>
    </message>
    <message>
        <location filename="../screens/mood_screen.py" line="190"/>
        <source>Appétit</source>
        <translation>Appetite</translation>
    </message>
    <message>
        <location filename="../screens/mood_screen.py" line="191"/>
        <source>Fatigue</source>
        <translation>Tiredness</translation>
    </message>
    <message>
        <location filename="../screens/mood_screen.py" line="192"/>
        <source>Solitude</source>
        <translation>Loneliness</translation>
    </message>
    <message>
        <location filename="../screens/mood_screen.py" line="193"/>
        <source>Inquiétude</source>
        <translation>Worry</translation>
    </message>
    <message>
        <location filename="../screens/mood_screen.py" line="194"/>
        <source>Tristesse</source>
        <translation>Sadness</translation>
    </message>
    <message>
        <location filename="../screens/mood_screen.py" line="195"/>
        <source>Ennui</source>
        <translation>Boredom</translation>
    </message>
    <message>
        <location filename="../screens/mood_screen.py" line="196"/>
        <source>Joie</source>
        <translation>Joy</translation>
    </message>
    <message>
        <location filename="../screens/mood_screen.py" line="197"/>
        <source>Sérénité</source>
        <translation>Calm</translation>
    </message>
    <message>
        <location filename="../screens/mood_screen.py" line="198"/>
        <source>Visite</source>
        <translation>Visit</translation>
    </message>
    <message>
        <location filename="../screens/mood_screen.py" line="199"/>
        <source>Famille</source>
        <translation>Family</translation>
    </message>
    <message>
        <location filename="../screens/mood_screen.py" line="205"/>
        <source>Merci {name} !</source>
        <translation>Thank you {name}!</translation>
    </message>
    <message>
        <location filename="../screens/mood_screen.py" line="205"/>
        <source>Merci !</source>
        <translation>Thank you!</translation>
    </message>
</context>
<context>
    <name>PagedScroll</name>
    <message>
        <location filename="../../widgets/paged_scroll.py" line="52"/>
        <source>Plus haut</source>
        <translation>Scroll up</translation>
    </message>
    <message>
        <location filename="../../widgets/paged_scroll.py" line="54"/>
        <source>Plus bas</source>
        <translation>Scroll down</translation>
    </message>
</context>
<context>
    <name>PairingScreen</name>
    <message>
        <location filename="../screens/pairing_screen.py" line="113"/>
        <source>Connexion au service Foyer…</source>
        <translation>Connecting to the Foyer service…</translation>
    </message>
    <message>
        <location filename="../screens/pairing_screen.py" line="200"/>
        <source>Nouveau code en préparation…</source>
        <translation>Preparing a new code…</translation>
    </message>
    <message>
        <location filename="../screens/pairing_screen.py" line="204"/>
        <source>Ce code est valable encore {m} min {s} s</source>
        <translation>This code is valid for {m} min {s} s more</translation>
    </message>
    <message>
        <location filename="../screens/pairing_screen.py" line="205"/>
        <source>Ce code est valable encore {s} s</source>
        <translation>This code is valid for {s} s more</translation>
    </message>
    <message>
        <location filename="../screens/pairing_screen.py" line="223"/>
        <source>Bienvenue sur Foyer</source>
        <translation>Welcome to Foyer</translation>
    </message>
    <message>
        <location filename="../screens/pairing_screen.py" line="224"/>
        <source>Votre conseiller ou votre proche saisit ce code sur</source>
        <translation>Your care manager or relative types this code at</translation>
    </message>
    <message>
        <location filename="../screens/pairing_screen.py" line="226"/>
        <source>ou scanne le carré avec un téléphone.</source>
        <translation>or scans the square with a phone.</translation>
    </message>
</context>
<context>
    <name>PhotoWords</name>
    <message>
        <location filename="../photos_view.py" line="27"/>
        <source>janvier</source>
        <translation>January</translation>
    </message>
    <message>
        <location filename="../photos_view.py" line="28"/>
        <source>février</source>
        <translation>February</translation>
    </message>
    <message>
        <location filename="../photos_view.py" line="29"/>
        <source>mars</source>
        <translation>March</translation>
    </message>
    <message>
        <location filename="../photos_view.py" line="30"/>
        <source>avril</source>
        <translation>April</translation>
    </message>
    <message>
        <location filename="../photos_view.py" line="31"/>
        <source>mai</source>
        <translation>May</translation>
    </message>
    <message>
        <location filename="../photos_view.py" line="32"/>
        <source>juin</source>
        <translation>June</translation>
    </message>
    <message>
        <location filename="../photos_view.py" line="33"/>
        <source>juillet</source>
        <translation>July</translation>
    </message>
    <message>
        <location filename="../photos_view.py" line="34"/>
        <source>août</source>
        <translation>August</translation>
    </message>
    <message>
        <location filename="../photos_view.py" line="35"/>
        <source>septembre</source>
        <translation>September</translation>
    </message>
    <message>
        <location filename="../photos_view.py" line="36"/>
        <source>octobre</source>
        <translation>October</translation>
    </message>
    <message>
        <location filename="../photos_view.py" line="37"/>
        <source>novembre</source>
        <translation>November</translation>
    </message>
    <message>
        <location filename="../photos_view.py" line="38"/>
        <source>décembre</source>
        <translation>December</translation>
    </message>
    <message>
        <location filename="../photos_view.py" line="41"/>
        <source>lundi</source>
        <translation>Monday</translation>
    </message>
    <message>
        <location filename="../photos_view.py" line="42"/>
        <source>mardi</source>
        <translation>Tuesday</translation>
    </message>
    <message>
        <location filename="../photos_view.py" line="43"/>
        <source>mercredi</source>
        <translation>Wednesday</translation>
    </message>
    <message>
        <location filename="../photos_view.py" line="44"/>
        <source>jeudi</source>
        <translation>Thursday</translation>
    </message>
    <message>
        <location filename="../photos_view.py" line="45"/>
        <source>vendredi</source>
        <translation>Friday</translation>
    </message>
    <message>
        <location filename="../photos_view.py" line="46"/>
        <source>samedi</source>
        <translation>Saturday</translation>
    </message>
    <message>
        <location filename="../photos_view.py" line="47"/>
        <source>dimanche</source>
        <translation>Sunday</translation>
    </message>
    <message>
        <location filename="../photos_view.py" line="49"/>
        <source>aujourd&apos;hui</source>
        <translation>today</translation>
    </message>
    <message>
        <location filename="../photos_view.py" line="50"/>
        <source>hier</source>
        <translation>yesterday</translation>
    </message>
    <message>
        <location filename="../photos_view.py" line="51"/>
        <source>le {day} {month}</source>
        <translation>on {day} {month}</translation>
    </message>
    <message>
        <location filename="../photos_view.py" line="52"/>
        <source>le {day} {month} {year}</source>
        <translation>on {day} {month} {year}</translation>
    </message>
    <message>
        <location filename="../photos_view.py" line="53"/>
        <source>1er</source>
        <translation>1</translation>
    </message>
    <message>
        <location filename="../photos_view.py" line="54"/>
        <source>Envoyée par {sender}, {when}</source>
        <translation>Sent by {sender}, {when}</translation>
    </message>
    <message>
        <location filename="../photos_view.py" line="55"/>
        <source>Envoyée {when}</source>
        <translation>Sent {when}</translation>
    </message>
</context>
<context>
    <name>PinPad</name>
    <message>
        <location filename="../../widgets/pin_pad.py" line="76"/>
        <source>Effacer</source>
        <translation>Delete</translation>
    </message>
    <message>
        <location filename="../../widgets/pin_pad.py" line="77"/>
        <source>Valider</source>
        <translation>OK</translation>
    </message>
    <message>
        <location filename="../../widgets/pin_pad.py" line="132"/>
        <source>Votre code</source>
        <translation>Your code</translation>
    </message>
</context>
<context>
    <name>ProfessionalScreen</name>
    <message>
        <location filename="../screens/professional_screen.py" line="253"/>
        <source>Vérification du code…</source>
        <translation>Checking the code…</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="262"/>
        <source>Code incorrect. Réessayez.</source>
        <translation>Wrong code. Please try again.</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="278"/>
        <source>Pas de connexion au service Foyer : le code ne peut pas être vérifié.</source>
        <translation>No connection to the Foyer service: the code cannot be checked.</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="306"/>
        <location filename="../screens/professional_screen.py" line="344"/>
        <source>Espace professionnel</source>
        <translation>Professionals</translation>
    </message>
    <message>
        <source>Accueil</source>
        <translation type="obsolete">Home</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="345"/>
        <source>Aujourd&apos;hui</source>
        <translation>Today</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="346"/>
        <location filename="../screens/professional_screen.py" line="452"/>
        <source>Aucune visite prévue aujourd&apos;hui.</source>
        <translation>No visit planned today.</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="349"/>
        <source>Arrivée</source>
        <translation>Arrival</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="350"/>
        <source>Départ</source>
        <translation>Departure</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="351"/>
        <source>Consignes</source>
        <translation>Instructions</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="354"/>
        <source>Plus haut</source>
        <translation>Up</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="355"/>
        <source>Plus bas</source>
        <translation>Down</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="362"/>
        <source>Tapez votre code personnel</source>
        <translation>Type your personal code</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="366"/>
        <source>Messages ({n})</source>
        <translation>Messages ({n})</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="371"/>
        <source>{text} · en ce moment</source>
        <translation>{text} · now</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="376"/>
        <source>aujourd&apos;hui à {time}</source>
        <translation>today at {time}</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="378"/>
        <source>hier à {time}</source>
        <translation>yesterday at {time}</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="405"/>
        <source>Consignes : tapez votre code pour les lire.</source>
        <translation>Instructions: type your code to read them.</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="437"/>
        <source>Nouveau</source>
        <translation>New</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="444"/>
        <source>Aucun message santé pour vous.</source>
        <translation>No health messages for you.</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="506"/>
        <source>Arrivée enregistrée à {time}.</source>
        <translation>Arrival recorded at {time}.</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="518"/>
        <source>Départ enregistré à {time}. Bonne journée !</source>
        <translation>Departure recorded at {time}. Have a good day!</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="533"/>
        <source>Code incorrect. Réessayez dans 1 minute.</source>
        <translation>Wrong code. Try again in 1 minute.</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="535"/>
        <source>Code incorrect. Réessayez dans {n} minutes.</source>
        <translation>Wrong code. Try again in {n} minutes.</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="546"/>
        <source>Vous pouvez réessayer.</source>
        <translation>You may try again.</translation>
    </message>
    <message>
        <location filename="../professional_service.py" line="125"/>
        <source>Ce code ne peut pas être utilisé.</source>
        <translation>This code cannot be used.</translation>
    </message>
</context>
<context>
    <name>ScreenFrame</name>
    <message>
        <location filename="../screens/frame.py" line="22"/>
        <source>Accueil</source>
        <translation>Home</translation>
    </message>
</context>
<context>
    <name>Slideshow</name>
    <message>
        <location filename="../screens/photos_screen.py" line="412"/>
        <source>Pas encore de photos.</source>
        <translation>No photos yet.</translation>
    </message>
    <message>
        <location filename="../screens/photos_screen.py" line="414"/>
        <source>Album</source>
        <translation>Album</translation>
    </message>
    <message>
        <location filename="../screens/photos_screen.py" line="415"/>
        <source>Accueil</source>
        <translation>Home</translation>
    </message>
    <message>
        <location filename="../screens/photos_screen.py" line="416"/>
        <source>Précédente</source>
        <translation>Previous</translation>
    </message>
    <message>
        <location filename="../screens/photos_screen.py" line="417"/>
        <source>Suivante</source>
        <translation>Next</translation>
    </message>
</context>
<context>
    <name>WeatherScreen</name>
    <message>
        <location filename="../screens/weather_screen.py" line="102"/>
        <source>Météo</source>
        <translation>Weather</translation>
    </message>
    <message>
        <location filename="../screens/weather_screen.py" line="103"/>
        <source>Météo indisponible</source>
        <translation>Weather unavailable</translation>
    </message>
    <message>
        <location filename="../screens/weather_screen.py" line="105"/>
        <source>Les prévisions reviendront dès que la tablette sera de nouveau connectée.</source>
        <translation>The forecast will be back as soon as the tablet is connected again.</translation>
    </message>
</context>
<context>
    <name>WeatherWords</name>
    <message>
        <location filename="../weather_view.py" line="29"/>
        <source>Ciel dégagé</source>
        <translation>Clear sky</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="30"/>
        <source>Ciel plutôt dégagé</source>
        <translation>Mainly clear</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="31"/>
        <source>Partiellement nuageux</source>
        <translation>Partly cloudy</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="32"/>
        <source>Couvert</source>
        <translation>Overcast</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="33"/>
        <source>Brouillard</source>
        <translation>Fog</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="34"/>
        <source>Brouillard givrant</source>
        <translation>Freezing fog</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="35"/>
        <source>Bruine légère</source>
        <translation>Light drizzle</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="36"/>
        <source>Bruine modérée</source>
        <translation>Drizzle</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="37"/>
        <source>Bruine dense</source>
        <translation>Heavy drizzle</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="38"/>
        <source>Bruine verglaçante légère</source>
        <translation>Light freezing drizzle</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="39"/>
        <source>Bruine verglaçante dense</source>
        <translation>Heavy freezing drizzle</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="40"/>
        <source>Pluie faible</source>
        <translation>Light rain</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="41"/>
        <source>Pluie modérée</source>
        <translation>Rain</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="42"/>
        <source>Pluie forte</source>
        <translation>Heavy rain</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="43"/>
        <source>Pluie verglaçante faible</source>
        <translation>Light freezing rain</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="44"/>
        <source>Pluie verglaçante forte</source>
        <translation>Heavy freezing rain</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="45"/>
        <source>Neige faible</source>
        <translation>Light snow</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="46"/>
        <source>Neige modérée</source>
        <translation>Snow</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="47"/>
        <source>Neige forte</source>
        <translation>Heavy snow</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="48"/>
        <source>Grains de neige</source>
        <translation>Snow grains</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="49"/>
        <source>Averses de pluie faibles</source>
        <translation>Light rain showers</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="50"/>
        <source>Averses de pluie modérées</source>
        <translation>Rain showers</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="51"/>
        <source>Averses de pluie violentes</source>
        <translation>Violent rain showers</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="52"/>
        <source>Averses de neige faibles</source>
        <translation>Light snow showers</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="53"/>
        <source>Averses de neige fortes</source>
        <translation>Heavy snow showers</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="54"/>
        <source>Orage</source>
        <translation>Thunderstorm</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="55"/>
        <source>Orage avec grêle</source>
        <translation>Thunderstorm with hail</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="56"/>
        <source>Orage avec forte grêle</source>
        <translation>Thunderstorm with heavy hail</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="58"/>
        <source>Temps inconnu</source>
        <translation>Unknown weather</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="59"/>
        <source>Météo indisponible</source>
        <translation>Weather unavailable</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="63"/>
        <source>Lundi</source>
        <translation>Monday</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="64"/>
        <source>Mardi</source>
        <translation>Tuesday</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="65"/>
        <source>Mercredi</source>
        <translation>Wednesday</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="66"/>
        <source>Jeudi</source>
        <translation>Thursday</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="67"/>
        <source>Vendredi</source>
        <translation>Friday</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="68"/>
        <source>Samedi</source>
        <translation>Saturday</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="69"/>
        <source>Dimanche</source>
        <translation>Sunday</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="71"/>
        <source>Aujourd&apos;hui</source>
        <translation>Today</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="72"/>
        <source>Demain</source>
        <translation>Tomorrow</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="122"/>
        <source>mis à jour il y a {n} min</source>
        <translation>updated {n} min ago</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="123"/>
        <source>mis à jour il y a {n} h</source>
        <translation>updated {n} h ago</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="124"/>
        <source>mis à jour hier</source>
        <translation>updated yesterday</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="125"/>
        <source>mis à jour il y a {n} jours</source>
        <translation>updated {n} days ago</translation>
    </message>
    <message>
        <location filename="../weather_view.py" line="126"/>
        <source>mise à jour impossible pour le moment</source>
        <translation>cannot be updated for now</translation>
    </message>
</context>
</TS>
