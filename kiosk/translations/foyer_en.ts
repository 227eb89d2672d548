<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="fr">
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
        <location filename="../screens/agenda_screen.py" line="85"/>
        <source>Aujourd&apos;hui</source>
        <translation>Today</translation>
    </message>
    <message>
        <location filename="../screens/agenda_screen.py" line="87"/>
        <source>Demain</source>
        <translation>Tomorrow</translation>
    </message>
    <message>
        <location filename="../screens/agenda_screen.py" line="94"/>
        <source>En ce moment</source>
        <translation>Right now</translation>
    </message>
    <message>
        <location filename="../screens/agenda_screen.py" line="96"/>
        <source>Prochaine visite</source>
        <translation>Next visit</translation>
    </message>
    <message>
        <location filename="../screens/agenda_screen.py" line="103"/>
        <source>Agenda</source>
        <translation>Calendar</translation>
    </message>
    <message>
        <location filename="../screens/agenda_screen.py" line="104"/>
        <source>Avant</source>
        <translation>Before</translation>
    </message>
    <message>
        <location filename="../screens/agenda_screen.py" line="105"/>
        <source>Après</source>
        <translation>After</translation>
    </message>
    <message>
        <location filename="../screens/agenda_screen.py" line="106"/>
        <source>Aucune visite ce jour-là</source>
        <translation>No visit that day</translation>
    </message>
</context>
<context>
    <name>AlbumPage</name>
    <message>
        <location filename="../screens/photos_screen.py" line="187"/>
        <source>Photos</source>
        <translation type="unfinished">Photos</translation>
    </message>
    <message>
        <location filename="../screens/photos_screen.py" line="203"/>
        <source>Précédentes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../screens/photos_screen.py" line="205"/>
        <source>Suivantes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../screens/photos_screen.py" line="278"/>
        <source>Nouvelle</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../screens/photos_screen.py" line="295"/>
        <source>Pas encore de photos.
Les photos envoyées par vos proches apparaîtront ici.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../screens/photos_screen.py" line="304"/>
        <source>Page {page} sur {count}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HomeScreen</name>
    <message>
        <location filename="../screens/home_screen.py" line="237"/>
        <source>Bonjour {name}</source>
        <translation>Good morning {name}</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="237"/>
        <source>Bonjour</source>
        <translation>Good morning</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="239"/>
        <source>Bonsoir {name}</source>
        <translation>Good evening {name}</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="239"/>
        <source>Bonsoir</source>
        <translation>Good evening</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="260"/>
        <location filename="../screens/home_screen.py" line="285"/>
        <source>En ce moment</source>
        <translation>Right now</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="262"/>
        <location filename="../screens/home_screen.py" line="285"/>
        <source>Prochaine visite</source>
        <translation>Next visit</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="278"/>
        <source>Pas d&apos;autre visite prévue</source>
        <translation>No other visit planned</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="290"/>
        <source>demain à {time}</source>
        <translation>tomorrow at {time}</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="293"/>
        <source>{day} à {time}</source>
        <translation>{day} at {time}</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="322"/>
        <source>Hors connexion depuis {time}</source>
        <translation>Offline since {time}</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="324"/>
        <source>Hors connexion depuis hier, {time}</source>
        <translation>Offline since yesterday, {time}</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="326"/>
        <source>Hors connexion depuis le {day}</source>
        <translation>Offline since {day}</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="332"/>
        <source>Agenda</source>
        <translation>Calendar</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="333"/>
        <source>Messages</source>
        <translation>Messages</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="334"/>
        <source>Photos</source>
        <translation>Photos</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="335"/>
        <source>Météo</source>
        <translation>Weather</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="336"/>
        <source>Mon humeur</source>
        <translation>My mood</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="342"/>
        <source>Aujourd&apos;hui</source>
        <translation>Today</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="343"/>
        <source>Je suis un professionnel</source>
        <translation>I&apos;m a professional</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="346"/>
        <source>Aucune visite aujourd&apos;hui</source>
        <translation>No visit today</translation>
    </message>
</context>
<context>
    <name>KioskController</name>
    <message>
        <location filename="../controller.py" line="200"/>
        <source>Connexion au service Foyer…</source>
        <translation>Connecting to the Foyer service…</translation>
    </message>
    <message numerus="yes">
        <location filename="../controller.py" line="288"/>
        <source>Le service Foyer ne répond pas. Nouvel essai dans %n seconde(s).</source>
        <translation>
            <numerusform>The Foyer service does not answer. Trying again in %n second.</numerusform>
            <numerusform>The Foyer service does not answer. Trying again in %n seconds.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../controller.py" line="296"/>
        <source>L&apos;association a été refusée. Un nouveau code va s&apos;afficher.</source>
        <translation>Pairing was refused. A new code will appear.</translation>
    </message>
</context>
<context>
    <name>MaintenanceScreen</name>
    <message>
        <location filename="../screens/maintenance_screen.py" line="179"/>
        <source>Code incorrect.</source>
        <translation>Wrong code.</translation>
    </message>
    <message numerus="yes">
        <location filename="../screens/maintenance_screen.py" line="182"/>
        <source>Trop d&apos;essais. Réessayez dans %n seconde(s).</source>
        <translation>
            <numerusform>Too many tries. Try again in %n second.</numerusform>
            <numerusform>Too many tries. Try again in %n seconds.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="195"/>
        <source>jamais</source>
        <translation>never</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="198"/>
        <source>Réseau : {state}</source>
        <translation>Network: {state}</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="199"/>
        <source>connecté</source>
        <translation>connected</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="199"/>
        <source>hors connexion</source>
        <translation>offline</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="201"/>
        <source>Service : {url}</source>
        <translation>Service: {url}</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="202"/>
        <source>Tablette n° {id}</source>
        <translation>Tablet no. {id}</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="205"/>
        <source>Version : {version}</source>
        <translation>Version: {version}</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="206"/>
        <source>Dernière synchronisation : {when}</source>
        <translation>Last sync: {when}</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="207"/>
        <source>Envois en attente : {count}</source>
        <translation>Waiting to be sent: {count}</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="212"/>
        <source>Maintenance</source>
        <translation>Maintenance</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="213"/>
        <source>Code de maintenance</source>
        <translation>Maintenance code</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="214"/>
        <source>Effacer</source>
        <translation>Clear</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="215"/>
        <source>Valider</source>
        <translation>OK</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="216"/>
        <source>Ré-associer</source>
        <translation>Pair again</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="219"/>
        <source>Ré-associer efface les données de la tablette et affiche un nouveau code d&apos;association. Continuer ?</source>
        <translation>Pairing again erases the data on this tablet and shows a new pairing code. Continue?</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="223"/>
        <source>Oui, ré-associer</source>
        <translation>Yes, pair again</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="224"/>
        <source>Annuler</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>MessagesScreen</name>
    <message>
        <location filename="../screens/messages_screen.py" line="243"/>
        <source>Messages</source>
        <translation type="unfinished">Messages</translation>
    </message>
    <message>
        <location filename="../screens/messages_screen.py" line="244"/>
        <source>Accueil</source>
        <translation type="unfinished">Home</translation>
    </message>
    <message>
        <location filename="../screens/messages_screen.py" line="245"/>
        <source>Aucun message pour le moment.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../screens/messages_screen.py" line="246"/>
        <location filename="../screens/messages_screen.py" line="247"/>
        <source>Retour aux messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../screens/messages_screen.py" line="248"/>
        <source>Réponse envoyée</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../screens/messages_screen.py" line="249"/>
        <location filename="../screens/messages_screen.py" line="251"/>
        <source>Plus haut</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../screens/messages_screen.py" line="250"/>
        <location filename="../screens/messages_screen.py" line="252"/>
        <source>Plus bas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../screens/messages_screen.py" line="261"/>
        <source>aujourd&apos;hui à {time}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../screens/messages_screen.py" line="263"/>
        <source>hier à {time}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../screens/messages_screen.py" line="270"/>
        <source>Vous</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../screens/messages_screen.py" line="271"/>
        <source>Un proche</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../screens/messages_screen.py" line="276"/>
        <source>Nouveau</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../screens/messages_screen.py" line="278"/>
        <source>Santé</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../screens/messages_screen.py" line="336"/>
        <source>Arrêter la lecture</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../screens/messages_screen.py" line="338"/>
        <source>Lire à voix haute</source>
        <translation type="unfinished"></translation>
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
        <location filename="../../widgets/paged_scroll.py" line="37"/>
        <source>Plus haut</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../widgets/paged_scroll.py" line="39"/>
        <source>Plus bas</source>
        <translation type="unfinished"></translation>
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
    <name>ScreenFrame</name>
    <message>
        <location filename="../screens/frame.py" line="37"/>
        <location filename="../screens/frame.py" line="59"/>
        <source>Accueil</source>
        <translation>Home</translation>
    </message>
</context>
<context>
    <name>Slideshow</name>
    <message>
        <location filename="../screens/photos_screen.py" line="372"/>
        <source>Pas encore de photos.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../screens/photos_screen.py" line="381"/>
        <source>Album</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../screens/photos_screen.py" line="382"/>
        <source>Accueil</source>
        <translation type="unfinished">Home</translation>
    </message>
    <message>
        <location filename="../screens/photos_screen.py" line="383"/>
        <source>Précédente</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../screens/photos_screen.py" line="384"/>
        <source>Suivante</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>WeatherScreen</name>
    <message>
        <location filename="../screens/weather_screen.py" line="36"/>
        <source>Météo</source>
        <translation type="unfinished">Weather</translation>
    </message>
    <message>
        <location filename="../screens/weather_screen.py" line="100"/>
        <source>Météo indisponible</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../screens/weather_screen.py" line="104"/>
        <source>Les prévisions reviendront dès que la tablette sera connectée.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
