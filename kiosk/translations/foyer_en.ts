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
        <location filename="../../widgets/agenda_list.py" line="408"/>
        <source>+ 1 visite plus tôt</source>
        <translation>+ 1 earlier visit</translation>
    </message>
    <message>
        <location filename="../../widgets/agenda_list.py" line="409"/>
        <source>+ {n} visites plus tôt</source>
        <translation>+ {n} earlier visits</translation>
    </message>
    <message>
        <location filename="../../widgets/agenda_list.py" line="411"/>
        <source>+ 1 visite plus tard</source>
        <translation>+ 1 later visit</translation>
    </message>
    <message>
        <location filename="../../widgets/agenda_list.py" line="412"/>
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
        <location filename="../screens/agenda_screen.py" line="97"/>
        <source>En retard</source>
        <translation>Late</translation>
    </message>
    <message>
        <location filename="../screens/agenda_screen.py" line="97"/>
        <source>En cours</source>
        <translation>In progress</translation>
    </message>
    <message>
        <location filename="../screens/agenda_screen.py" line="99"/>
        <source>En ce moment</source>
        <translation>Right now</translation>
    </message>
    <message>
        <location filename="../screens/agenda_screen.py" line="101"/>
        <source>Prochaine visite</source>
        <translation>Next visit</translation>
    </message>
    <message>
        <location filename="../screens/agenda_screen.py" line="108"/>
        <source>Agenda</source>
        <translation>Calendar</translation>
    </message>
    <message>
        <location filename="../screens/agenda_screen.py" line="109"/>
        <source>Avant</source>
        <translation>Before</translation>
    </message>
    <message>
        <location filename="../screens/agenda_screen.py" line="110"/>
        <source>Après</source>
        <translation>After</translation>
    </message>
    <message>
        <location filename="../screens/agenda_screen.py" line="111"/>
        <source>Aucune visite ce jour-là</source>
        <translation>No visit that day</translation>
    </message>
</context>
<context>
    <name>AlbumPage</name>
    <message>
        <location filename="../screens/photos_screen.py" line="224"/>
        <source>Photos</source>
        <translation>Photos</translation>
    </message>
    <message>
        <location filename="../screens/photos_screen.py" line="225"/>
        <source>Précédentes</source>
        <translation>Previous</translation>
    </message>
    <message>
        <location filename="../screens/photos_screen.py" line="226"/>
        <source>Suivantes</source>
        <translation>Next</translation>
    </message>
    <message>
        <location filename="../screens/photos_screen.py" line="292"/>
        <source>Nouvelle</source>
        <translation>New</translation>
    </message>
    <message>
        <location filename="../screens/photos_screen.py" line="309"/>
        <source>Pas encore de photos.
Les photos envoyées par vos proches apparaîtront ici.</source>
        <translation>No photos yet.
Photos sent by your family and friends will appear here.</translation>
    </message>
    <message>
        <location filename="../screens/photos_screen.py" line="318"/>
        <source>Page {page} sur {count}</source>
        <translation>Page {page} of {count}</translation>
    </message>
</context>
<context>
    <name>CallRingingScreen</name>
    <message>
        <location filename="../screens/call_ringing_screen.py" line="160"/>
        <source>{name} vous appelle</source>
        <translation>{name} is calling you</translation>
    </message>
    <message numerus="yes">
        <location filename="../screens/call_ringing_screen.py" line="167"/>
        <source>L&apos;appel s&apos;ouvre tout seul dans %n seconde.</source>
        <translation>
            <numerusform>The call opens by itself in %n second.</numerusform>
            <numerusform>The call opens by itself in %n seconds.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../screens/call_ringing_screen.py" line="169"/>
        <source>L&apos;appel s&apos;ouvre tout seul dans %n secondes.</source>
        <translation>
            <numerusform>The call opens by itself in %n second.</numerusform>
            <numerusform>The call opens by itself in %n seconds.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../screens/call_ringing_screen.py" line="171"/>
        <source>Non merci</source>
        <translation>No thanks</translation>
    </message>
    <message>
        <location filename="../screens/call_ringing_screen.py" line="171"/>
        <source>Refuser</source>
        <translation>Decline</translation>
    </message>
    <message>
        <location filename="../screens/call_ringing_screen.py" line="177"/>
        <source>Décrocher</source>
        <translation>Answer</translation>
    </message>
</context>
<context>
    <name>CallersScreen</name>
    <message>
        <location filename="../screens/callers_screen.py" line="305"/>
        <source>Vous décrochez vous-même.</source>
        <translation>You answer yourself.</translation>
    </message>
    <message>
        <location filename="../screens/callers_screen.py" line="306"/>
        <location filename="../screens/callers_screen.py" line="315"/>
        <source>Rétablir</source>
        <translation>Allow again</translation>
    </message>
    <message>
        <location filename="../screens/callers_screen.py" line="308"/>
        <source>L&apos;appel s&apos;ouvre tout seul.</source>
        <translation>The call opens by itself.</translation>
    </message>
    <message>
        <location filename="../screens/callers_screen.py" line="309"/>
        <location filename="../screens/callers_screen.py" line="315"/>
        <source>Arrêter</source>
        <translation>Stop</translation>
    </message>
    <message>
        <location filename="../screens/callers_screen.py" line="325"/>
        <source>Appeler</source>
        <translation>Call</translation>
    </message>
    <message>
        <location filename="../screens/callers_screen.py" line="326"/>
        <location filename="../screens/callers_screen.py" line="328"/>
        <source>Qui peut décrocher tout seul</source>
        <translation>Who can answer by themselves</translation>
    </message>
    <message>
        <location filename="../screens/callers_screen.py" line="327"/>
        <source>Personne ne peut encore être appelé.</source>
        <translation>There is nobody to call yet.</translation>
    </message>
    <message>
        <location filename="../screens/callers_screen.py" line="331"/>
        <source>Quand ces personnes appellent, l&apos;appel s&apos;ouvre tout seul après 10 secondes, sauf la nuit.</source>
        <translation>When these people call, the call opens by itself after 10 seconds, except at night.</translation>
    </message>
    <message>
        <location filename="../screens/callers_screen.py" line="336"/>
        <source>Votre choix sera transmis dès que la tablette sera connectée.</source>
        <translation>Your choice will be sent as soon as the tablet is connected.</translation>
    </message>
    <message>
        <location filename="../screens/callers_screen.py" line="338"/>
        <source>Retour</source>
        <translation>Back</translation>
    </message>
</context>
<context>
    <name>CallsFeature</name>
    <message>
        <location filename="../features/calls.py" line="308"/>
        <source>{name} a raccroché.</source>
        <translation>{name} hung up.</translation>
    </message>
    <message>
        <location filename="../features/calls.py" line="492"/>
        <source>L&apos;appel s&apos;est interrompu.</source>
        <translation>The call broke off.</translation>
    </message>
</context>
<context>
    <name>CircleScreen</name>
    <message>
        <location filename="../screens/circle_screen.py" line="168"/>
        <source>Votre famille et vos amis voient votre humeur.</source>
        <translation>Your family and friends see your mood.</translation>
    </message>
    <message>
        <location filename="../screens/circle_screen.py" line="169"/>
        <source>Mettre en pause</source>
        <translation>Pause sharing</translation>
    </message>
    <message>
        <location filename="../screens/circle_screen.py" line="174"/>
        <source>En pause depuis le {day} : votre famille et vos amis ne voient plus votre humeur.</source>
        <translation>Paused since {day}: your family and friends no longer see your mood.</translation>
    </message>
    <message>
        <location filename="../screens/circle_screen.py" line="176"/>
        <location filename="../screens/circle_screen.py" line="179"/>
        <source>Partager à nouveau</source>
        <translation>Share again</translation>
    </message>
    <message>
        <location filename="../screens/circle_screen.py" line="178"/>
        <source>En pause : votre famille et vos amis ne voient plus votre humeur.</source>
        <translation>Paused: your family and friends no longer see your mood.</translation>
    </message>
    <message>
        <location filename="../screens/circle_screen.py" line="185"/>
        <source>Ce que mes proches voient</source>
        <translation>What my circle can see</translation>
    </message>
    <message>
        <location filename="../screens/circle_screen.py" line="186"/>
        <source>Personne n&apos;est encore dans votre cercle.</source>
        <translation>No one is in your circle yet.</translation>
    </message>
    <message>
        <location filename="../screens/circle_screen.py" line="187"/>
        <source>Partager mon humeur</source>
        <translation>Share my mood</translation>
    </message>
    <message>
        <location filename="../screens/circle_screen.py" line="189"/>
        <source>Votre choix sera transmis dès que la tablette sera connectée.</source>
        <translation>Your choice will be sent as soon as the tablet is connected.</translation>
    </message>
</context>
<context>
    <name>CircleWords</name>
    <message>
        <location filename="../circle_view.py" line="38"/>
        <source>votre agenda</source>
        <translation>your calendar</translation>
    </message>
    <message>
        <location filename="../circle_view.py" line="39"/>
        <source>vos messages</source>
        <translation>your messages</translation>
    </message>
    <message>
        <location filename="../circle_view.py" line="40"/>
        <source>vos photos</source>
        <translation>your photos</translation>
    </message>
    <message>
        <location filename="../circle_view.py" line="41"/>
        <source>votre humeur</source>
        <translation>your mood</translation>
    </message>
    <message>
        <location filename="../circle_view.py" line="42"/>
        <source>les visites chez vous</source>
        <translation>the visits to your home</translation>
    </message>
    <message>
        <location filename="../circle_view.py" line="44"/>
        <source>voit {things}.</source>
        <translation>sees {things}.</translation>
    </message>
    <message>
        <location filename="../circle_view.py" line="45"/>
        <source>ne voit rien pour le moment.</source>
        <translation>sees nothing for now.</translation>
    </message>
    <message>
        <location filename="../circle_view.py" line="46"/>
        <source>{first} et {last}</source>
        <translation>{first} and {last}</translation>
    </message>
    <message>
        <location filename="../circle_view.py" line="51"/>
        <source>votre fille</source>
        <translation>your daughter</translation>
    </message>
    <message>
        <location filename="../circle_view.py" line="52"/>
        <source>votre fils</source>
        <translation>your son</translation>
    </message>
    <message>
        <location filename="../circle_view.py" line="53"/>
        <source>de votre famille</source>
        <translation>from your family</translation>
    </message>
    <message>
        <location filename="../circle_view.py" line="54"/>
        <source>votre ami·e</source>
        <translation>your friend</translation>
    </message>
    <message>
        <location filename="../circle_view.py" line="55"/>
        <source>votre voisin·e</source>
        <translation>your neighbour</translation>
    </message>
    <message>
        <location filename="../circle_view.py" line="56"/>
        <source>votre ami ou voisin</source>
        <translation>your friend or neighbour</translation>
    </message>
    <message>
        <location filename="../circle_view.py" line="57"/>
        <source>votre infirmière</source>
        <translation>your nurse</translation>
    </message>
    <message>
        <location filename="../circle_view.py" line="58"/>
        <source>votre infirmier</source>
        <translation>your nurse</translation>
    </message>
    <message>
        <location filename="../circle_view.py" line="59"/>
        <source>votre médecin</source>
        <translation>your doctor</translation>
    </message>
    <message>
        <location filename="../circle_view.py" line="60"/>
        <source>votre kinésithérapeute</source>
        <translation>your physiotherapist</translation>
    </message>
    <message>
        <location filename="../circle_view.py" line="61"/>
        <source>votre orthophoniste</source>
        <translation>your speech therapist</translation>
    </message>
    <message>
        <location filename="../circle_view.py" line="62"/>
        <source>votre aide à domicile</source>
        <translation>your home help</translation>
    </message>
    <message>
        <location filename="../circle_view.py" line="63"/>
        <source>bénévole auprès de vous</source>
        <translation>a volunteer who visits you</translation>
    </message>
    <message>
        <location filename="../circle_view.py" line="64"/>
        <source>votre conseiller autonomie</source>
        <translation>your care manager</translation>
    </message>
    <message>
        <location filename="../circle_view.py" line="65"/>
        <source>professionnel de santé</source>
        <translation>health professional</translation>
    </message>
    <message>
        <location filename="../circle_view.py" line="67"/>
        <source>{name}, {role},</source>
        <translation>{name}, {role},</translation>
    </message>
    <message>
        <location filename="../circle_view.py" line="68"/>
        <source>{name} ({label})</source>
        <translation>{name} ({label})</translation>
    </message>
</context>
<context>
    <name>HomeScreen</name>
    <message>
        <location filename="../screens/home_screen.py" line="474"/>
        <source>Bonjour {name}</source>
        <translation>Hello {name}</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="474"/>
        <source>Bonjour</source>
        <translation>Hello</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="476"/>
        <source>Bonsoir {name}</source>
        <translation>Good evening {name}</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="476"/>
        <source>Bonsoir</source>
        <translation>Good evening</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="575"/>
        <source>En ce moment</source>
        <translation>Right now</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="562"/>
        <location filename="../screens/home_screen.py" line="592"/>
        <source>Prochaine visite</source>
        <translation>Next visit</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="576"/>
        <source>En retard</source>
        <translation>Late</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="576"/>
        <source>En cours</source>
        <translation>In progress</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="585"/>
        <source>Pas d&apos;autre visite prévue</source>
        <translation>No other visit planned</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="597"/>
        <source>demain à {time}</source>
        <translation>tomorrow at {time}</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="600"/>
        <source>{day} à {time}</source>
        <translation>{day} at {time}</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="629"/>
        <source>Hors connexion depuis {time}</source>
        <translation>Offline since {time}</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="631"/>
        <source>Hors connexion depuis hier, {time}</source>
        <translation>Offline since yesterday, {time}</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="633"/>
        <source>Hors connexion depuis le {day}</source>
        <translation>Offline since {day}</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="639"/>
        <source>Agenda</source>
        <translation>Calendar</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="640"/>
        <source>Messages</source>
        <translation>Messages</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="641"/>
        <source>Photos</source>
        <translation>Photos</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="642"/>
        <source>Météo</source>
        <translation>Weather</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="643"/>
        <source>Mon humeur</source>
        <translation>My mood</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="654"/>
        <source>Appeler</source>
        <translation>Call</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="649"/>
        <source>Aujourd&apos;hui</source>
        <translation>Today</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="650"/>
        <source>Je suis un professionnel</source>
        <translation>I&apos;m a professional</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="659"/>
        <source>Aucune visite aujourd&apos;hui</source>
        <translation>No visit today</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="504"/>
        <source>Prochain rappel : {when}</source>
        <translation>Next reminder: {when}</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="506"/>
        <source>{next} — {title}</source>
        <translation>{next} — {title}</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="517"/>
        <source>{hour} h {minute}</source>
        <translation>{hour}:{minute}</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="519"/>
        <source>{hour} h</source>
        <translation>{hour}:00</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="521"/>
        <source>demain {time}</source>
        <translation>tomorrow {time}</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="524"/>
        <source>{day} {time}</source>
        <translation>{day} {time}</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="531"/>
        <source>1 fait</source>
        <translation>1 done</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="531"/>
        <source>{n} faits</source>
        <translation>{n} done</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="534"/>
        <source>1 pas fait</source>
        <translation>1 not done</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="536"/>
        <source>{n} pas faits</source>
        <translation>{n} not done</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="540"/>
        <source>Rappels du jour : {counts}</source>
        <translation>Today&apos;s reminders: {counts}</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="546"/>
        <source>Merci, bonne journée !</source>
        <translation>Thank you, have a nice day!</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="548"/>
        <source>Tout va bien aujourd&apos;hui ?</source>
        <translation>Is everything all right today?</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="549"/>
        <source>Oui, je vais bien</source>
        <translation>Yes, I am fine</translation>
    </message>
    <message>
        <location filename="../screens/home_screen.py" line="652"/>
        <source>Mes proches</source>
        <translation>My circle</translation>
    </message>
</context>
<context>
    <name>KioskController</name>
    <message>
        <location filename="../controller.py" line="260"/>
        <location filename="../controller.py" line="316"/>
        <source>Connexion au service Foyer…</source>
        <translation>Connecting to the Foyer service…</translation>
    </message>
    <message numerus="yes">
        <location filename="../controller.py" line="419"/>
        <source>Le service Foyer ne répond pas. Nouvel essai dans %n seconde.</source>
        <translation>
            <numerusform>The Foyer service does not answer. Trying again in %n second.</numerusform>
            <numerusform>The Foyer service does not answer. Trying again in %n seconds.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../controller.py" line="421"/>
        <source>Le service Foyer ne répond pas. Nouvel essai dans %n secondes.</source>
        <translation>
            <numerusform>The Foyer service does not answer. Trying again in %n second.</numerusform>
            <numerusform>The Foyer service does not answer. Trying again in %n seconds.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Le service Foyer ne répond pas. Nouvel essai dans %n seconde(s).</source>
        <translation type="vanished">
            <numerusform>The Foyer service does not answer. Trying again in %n second.</numerusform>
            <numerusform>The Foyer service does not answer. Trying again in %n seconds.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../controller.py" line="426"/>
        <source>L&apos;association a été refusée. Un nouveau code va s&apos;afficher.</source>
        <translation>Pairing was refused. A new code will appear.</translation>
    </message>
</context>
<context>
    <name>MaintenanceScreen</name>
    <message>
        <location filename="../screens/maintenance_screen.py" line="190"/>
        <source>Code incorrect.</source>
        <translation>Wrong code.</translation>
    </message>
    <message numerus="yes">
        <source>Trop d&apos;essais. Réessayez dans %n seconde(s).</source>
        <translation type="vanished">
            <numerusform>Too many tries. Try again in %n second.</numerusform>
            <numerusform>Too many tries. Try again in %n seconds.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../screens/maintenance_screen.py" line="196"/>
        <source>Trop d&apos;essais. Réessayez dans %n seconde.</source>
        <translation>
            <numerusform>Too many tries. Try again in %n second.</numerusform>
            <numerusform>Too many tries. Try again in %n seconds.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../screens/maintenance_screen.py" line="197"/>
        <source>Trop d&apos;essais. Réessayez dans %n secondes.</source>
        <translation>
            <numerusform>Too many tries. Try again in %n second.</numerusform>
            <numerusform>Too many tries. Try again in %n seconds.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="202"/>
        <source>le service Foyer ne répondait pas.</source>
        <translation>the Foyer service did not answer.</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="204"/>
        <source>une configuration reçue a été refusée (elle est gardée telle quelle).</source>
        <translation>a configuration received was refused (the previous one is kept).</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="218"/>
        <source>jamais</source>
        <translation>never</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="221"/>
        <source>Réseau : {state}</source>
        <translation>Network: {state}</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="222"/>
        <source>connecté</source>
        <translation>connected</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="222"/>
        <source>hors connexion</source>
        <translation>offline</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="224"/>
        <source>Service : {url}</source>
        <translation>Service: {url}</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="225"/>
        <source>Tablette n° {id}</source>
        <translation>Tablet no. {id}</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="228"/>
        <source>Version : {version}</source>
        <translation>Version: {version}</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="229"/>
        <source>Dernière synchronisation : {when}</source>
        <translation>Last sync: {when}</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="230"/>
        <source>Envois en attente : {count}</source>
        <translation>Waiting to be sent: {count}</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="234"/>
        <source>Dernier problème : {what}</source>
        <translation>Last problem: {what}</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="239"/>
        <source>Maintenance</source>
        <translation>Maintenance</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="240"/>
        <source>Code de maintenance</source>
        <translation>Maintenance code</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="241"/>
        <source>Effacer</source>
        <translation>Clear</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="242"/>
        <source>Valider</source>
        <translation>OK</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="243"/>
        <source>Ré-associer</source>
        <translation>Pair again</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="244"/>
        <source>Réseau Wi-Fi</source>
        <translation>Wi-Fi network</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="247"/>
        <source>Ré-associer efface les données de la tablette et affiche un nouveau code d&apos;association. Continuer ?</source>
        <translation>Pairing again erases the data on this tablet and shows a new pairing code. Continue?</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="251"/>
        <source>Oui, ré-associer</source>
        <translation>Yes, pair again</translation>
    </message>
    <message>
        <location filename="../screens/maintenance_screen.py" line="252"/>
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
        <location filename="../screens/messages_screen.py" line="342"/>
        <source>Arrêter la lecture</source>
        <translation>Stop reading</translation>
    </message>
    <message>
        <location filename="../screens/messages_screen.py" line="344"/>
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
    <name>NetworkScreen</name>
    <message>
        <location filename="../screens/network_screen.py" line="293"/>
        <location filename="../screens/network_screen.py" line="320"/>
        <location filename="../screens/network_screen.py" line="450"/>
        <source>Connexion à Internet</source>
        <translation>Connecting to the Internet</translation>
    </message>
    <message>
        <location filename="../screens/network_screen.py" line="302"/>
        <location filename="../screens/network_screen.py" line="398"/>
        <source>Avec un téléphone</source>
        <translation>With a phone</translation>
    </message>
    <message>
        <location filename="../screens/network_screen.py" line="347"/>
        <source>Mot de passe de « {name} »</source>
        <translation>Password for “{name}”</translation>
    </message>
    <message>
        <location filename="../screens/network_screen.py" line="358"/>
        <source>Nom du réseau Wi-Fi</source>
        <translation>Wi-Fi network name</translation>
    </message>
    <message>
        <location filename="../screens/network_screen.py" line="375"/>
        <source>Au moins 8 caractères</source>
        <translation>At least 8 characters</translation>
    </message>
    <message>
        <location filename="../screens/network_screen.py" line="377"/>
        <source>63 caractères au plus</source>
        <translation>63 characters at most</translation>
    </message>
    <message>
        <location filename="../screens/network_screen.py" line="410"/>
        <source>La tablette n&apos;est pas connectée. Touchez le Wi-Fi de la maison :</source>
        <translation>The tablet is not connected. Touch the home Wi-Fi:</translation>
    </message>
    <message>
        <location filename="../screens/network_screen.py" line="412"/>
        <source>La tablette n&apos;est pas connectée. Recherche des réseaux Wi-Fi…</source>
        <translation>The tablet is not connected. Looking for Wi-Fi networks…</translation>
    </message>
    <message>
        <location filename="../screens/network_screen.py" line="415"/>
        <source>La tablette n&apos;est pas connectée. Aucun réseau trouvé. Touchez « Actualiser ».</source>
        <translation>The tablet is not connected. No network found. Touch “Refresh”.</translation>
    </message>
    <message>
        <location filename="../screens/network_screen.py" line="420"/>
        <source>1. Avec un téléphone, scannez ce code.</source>
        <translation>1. With a phone, scan this code.</translation>
    </message>
    <message>
        <location filename="../screens/network_screen.py" line="421"/>
        <source>2. Puis celui-ci : une page s&apos;ouvre.</source>
        <translation>2. Then this one: a page opens.</translation>
    </message>
    <message>
        <location filename="../screens/network_screen.py" line="425"/>
        <source>Wi-Fi « {ssid} », mot de passe {password}</source>
        <translation>Wi-Fi “{ssid}”, password {password}</translation>
    </message>
    <message>
        <location filename="../screens/network_screen.py" line="434"/>
        <source>La tablette prépare son Wi-Fi provisoire…</source>
        <translation>The tablet is preparing its temporary Wi-Fi…</translation>
    </message>
    <message>
        <location filename="../screens/network_screen.py" line="436"/>
        <source>Connexion à « {name} »…</source>
        <translation>Connecting to “{name}”…</translation>
    </message>
    <message>
        <location filename="../screens/network_screen.py" line="438"/>
        <source>La tablette est connectée à « {name} ».</source>
        <translation>The tablet is connected to “{name}”.</translation>
    </message>
    <message>
        <location filename="../screens/network_screen.py" line="440"/>
        <source>Mot de passe refusé par « {name} ». Vérifiez-le et réessayez.</source>
        <translation>Password refused by “{name}”. Check it and try again.</translation>
    </message>
    <message>
        <location filename="../screens/network_screen.py" line="444"/>
        <source>La connexion à « {name} » n&apos;a pas abouti.</source>
        <translation>Could not connect to “{name}”.</translation>
    </message>
    <message>
        <location filename="../screens/network_screen.py" line="451"/>
        <source>Autre réseau</source>
        <translation>Other network</translation>
    </message>
    <message>
        <location filename="../screens/network_screen.py" line="452"/>
        <source>Par téléphone</source>
        <translation>By phone</translation>
    </message>
    <message>
        <location filename="../screens/network_screen.py" line="453"/>
        <source>Actualiser</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../screens/network_screen.py" line="454"/>
        <source>Réseaux suivants</source>
        <translation>More networks</translation>
    </message>
    <message>
        <location filename="../screens/network_screen.py" line="455"/>
        <source>Retour</source>
        <translation>Back</translation>
    </message>
    <message>
        <location filename="../screens/network_screen.py" line="456"/>
        <source>Annuler</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../screens/network_screen.py" line="457"/>
        <source>Réessayer</source>
        <translation>Try again</translation>
    </message>
    <message>
        <location filename="../screens/network_screen.py" line="458"/>
        <source>Autres réseaux</source>
        <translation>Other networks</translation>
    </message>
</context>
<context>
    <name>OnScreenKeyboard</name>
    <message>
        <location filename="../../widgets/onscreen_keyboard.py" line="192"/>
        <location filename="../../widgets/onscreen_keyboard.py" line="215"/>
        <source>Maj</source>
        <translation>Shift</translation>
    </message>
    <message>
        <location filename="../../widgets/onscreen_keyboard.py" line="197"/>
        <source>Espace</source>
        <translation>Space</translation>
    </message>
    <message>
        <location filename="../../widgets/onscreen_keyboard.py" line="198"/>
        <source>Valider</source>
        <translation>OK</translation>
    </message>
    <message>
        <location filename="../../widgets/onscreen_keyboard.py" line="215"/>
        <source>MAJ</source>
        <translation>SHIFT</translation>
    </message>
    <message>
        <location filename="../../widgets/onscreen_keyboard.py" line="220"/>
        <source>Masquer</source>
        <translation>Hide</translation>
    </message>
    <message>
        <location filename="../../widgets/onscreen_keyboard.py" line="220"/>
        <source>Afficher</source>
        <translation>Show</translation>
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
        <location filename="../screens/pairing_screen.py" line="116"/>
        <source>Connexion au service Foyer…</source>
        <translation>Connecting to the Foyer service…</translation>
    </message>
    <message>
        <location filename="../screens/pairing_screen.py" line="206"/>
        <source>Nouveau code en préparation…</source>
        <translation>Preparing a new code…</translation>
    </message>
    <message>
        <location filename="../screens/pairing_screen.py" line="210"/>
        <source>Ce code est valable encore {m} min {s} s</source>
        <translation>This code is valid for {m} min {s} s more</translation>
    </message>
    <message>
        <location filename="../screens/pairing_screen.py" line="211"/>
        <source>Ce code est valable encore {s} s</source>
        <translation>This code is valid for {s} s more</translation>
    </message>
    <message>
        <location filename="../screens/pairing_screen.py" line="229"/>
        <source>Bienvenue sur Foyer</source>
        <translation>Welcome to Foyer</translation>
    </message>
    <message>
        <location filename="../screens/pairing_screen.py" line="232"/>
        <source>Votre conseiller autonomie saisit ce code sur</source>
        <translation>Your care manager types this code at</translation>
    </message>
    <message>
        <location filename="../screens/pairing_screen.py" line="234"/>
        <source>ou scanne le carré avec son téléphone.</source>
        <translation>or scans the square with their phone.</translation>
    </message>
    <message>
        <source>Votre conseiller ou votre proche saisit ce code sur</source>
        <translation type="vanished">Your care manager or relative types this code at</translation>
    </message>
    <message>
        <source>ou scanne le carré avec un téléphone.</source>
        <translation type="vanished">or scans the square with a phone.</translation>
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
        <location filename="../../widgets/pin_pad.py" line="134"/>
        <source>Votre code</source>
        <translation>Your code</translation>
    </message>
</context>
<context>
    <name>ProfessionalScreen</name>
    <message>
        <location filename="../screens/professional_screen.py" line="264"/>
        <source>Vérification du code…</source>
        <translation>Checking the code…</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="273"/>
        <source>Code incorrect. Réessayez.</source>
        <translation>Wrong code. Please try again.</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="290"/>
        <source>Pas de connexion au service Foyer : le code ne peut pas être vérifié.</source>
        <translation>No connection to the Foyer service: the code cannot be checked.</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="322"/>
        <location filename="../screens/professional_screen.py" line="360"/>
        <source>Espace professionnel</source>
        <translation>Professionals</translation>
    </message>
    <message>
        <source>Accueil</source>
        <translation type="obsolete">Home</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="361"/>
        <source>Aujourd&apos;hui</source>
        <translation>Today</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="362"/>
        <location filename="../screens/professional_screen.py" line="502"/>
        <source>Aucune visite prévue aujourd&apos;hui.</source>
        <translation>No visit planned today.</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="365"/>
        <source>Arrivée</source>
        <translation>Arrival</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="366"/>
        <source>Départ</source>
        <translation>Departure</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="367"/>
        <source>Consignes</source>
        <translation>Instructions</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="370"/>
        <source>Plus haut</source>
        <translation>Up</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="371"/>
        <source>Plus bas</source>
        <translation>Down</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="378"/>
        <source>Tapez votre code personnel</source>
        <translation>Type your personal code</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="382"/>
        <source>Messages ({n})</source>
        <translation>Messages ({n})</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="387"/>
        <source>{text} · en cours</source>
        <translation>{text} · under way</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="389"/>
        <source>{text} · terminée</source>
        <translation>{text} · done</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="391"/>
        <source>{text} · {reason}</source>
        <translation>{text} · {reason}</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="393"/>
        <source>{text} · en ce moment</source>
        <translation>{text} · now</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="399"/>
        <source>n&apos;a pas eu lieu : pas de réponse</source>
        <translation>did not happen: no answer</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="400"/>
        <source>n&apos;a pas eu lieu : refusée par la personne</source>
        <translation>did not happen: refused by the person</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="401"/>
        <source>n&apos;a pas eu lieu : oubliée</source>
        <translation>did not happen: forgotten</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="402"/>
        <source>annulée</source>
        <translation>cancelled</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="404"/>
        <source>n&apos;a pas eu lieu</source>
        <translation>did not happen</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="409"/>
        <source>{h} h</source>
        <translation>{h}:00</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="410"/>
        <source>{h} h {m}</source>
        <translation>{h}:{m}</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="418"/>
        <source>Arrivée enregistrée à {time}, sans visite prévue à cette heure-là.</source>
        <translation>Arrival recorded at {time}, with no visit planned around then.</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="420"/>
        <source>Arrivée enregistrée à {time} pour la visite de {hour} ({title}).</source>
        <translation>Arrival recorded at {time} for the {hour} visit ({title}).</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="426"/>
        <source>aujourd&apos;hui à {time}</source>
        <translation>today at {time}</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="428"/>
        <source>hier à {time}</source>
        <translation>yesterday at {time}</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="455"/>
        <source>Consignes : tapez votre code pour les lire.</source>
        <translation>Instructions: type your code to read them.</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="487"/>
        <source>Nouveau</source>
        <translation>New</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="494"/>
        <source>Aucun message santé pour vous.</source>
        <translation>No health messages for you.</translation>
    </message>
    <message>
        <source>Arrivée enregistrée à {time}.</source>
        <translation type="vanished">Arrival recorded at {time}.</translation>
    </message>
    <message>
        <source>Départ enregistré à {time}. Bonne soirée !</source>
        <translation type="vanished">Departure recorded at {time}. Have a good evening!</translation>
    </message>
    <message>
        <source>Départ enregistré à {time}. Bonne journée !</source>
        <translation type="vanished">Departure recorded at {time}. Have a good day!</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="584"/>
        <source>Code incorrect. Réessayez dans 1 minute.</source>
        <translation>Wrong code. Try again in 1 minute.</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="586"/>
        <source>Code incorrect. Réessayez dans {n} minutes.</source>
        <translation>Wrong code. Try again in {n} minutes.</translation>
    </message>
    <message>
        <location filename="../screens/professional_screen.py" line="597"/>
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
    <name>ReminderCard</name>
    <message>
        <location filename="../screens/reminder_card.py" line="364"/>
        <source>C&apos;est noté. Merci !</source>
        <translation>Noted. Thank you!</translation>
    </message>
    <message>
        <location filename="../screens/reminder_card.py" line="369"/>
        <source>D&apos;accord, je vous le rappelle à {time}.</source>
        <translation>All right, I will remind you at {time}.</translation>
    </message>
    <message>
        <location filename="../screens/reminder_card.py" line="373"/>
        <source>D&apos;accord.</source>
        <translation>All right.</translation>
    </message>
    <message>
        <location filename="../screens/reminder_card.py" line="401"/>
        <source>Médicament</source>
        <translation>Medication</translation>
    </message>
    <message>
        <location filename="../screens/reminder_card.py" line="402"/>
        <source>Rendez-vous</source>
        <translation>Appointment</translation>
    </message>
    <message>
        <location filename="../screens/reminder_card.py" line="403"/>
        <source>Boire</source>
        <translation>Drink</translation>
    </message>
    <message>
        <location filename="../screens/reminder_card.py" line="404"/>
        <source>Rappel</source>
        <translation>Reminder</translation>
    </message>
    <message>
        <location filename="../screens/reminder_card.py" line="409"/>
        <source>✓ C&apos;est fait</source>
        <translation>✓ Done</translation>
    </message>
    <message>
        <location filename="../screens/reminder_card.py" line="410"/>
        <source>Plus tard</source>
        <translation>Later</translation>
    </message>
    <message>
        <location filename="../screens/reminder_card.py" line="411"/>
        <source>D&apos;accord</source>
        <translation>OK</translation>
    </message>
    <message>
        <location filename="../screens/reminder_card.py" line="424"/>
        <source>{kind} · {time}</source>
        <translation>{kind} · {time}</translation>
    </message>
    <message>
        <location filename="../screens/reminder_card.py" line="429"/>
        <source>1 autre rappel ensuite</source>
        <translation>1 more reminder after this one</translation>
    </message>
    <message>
        <location filename="../screens/reminder_card.py" line="432"/>
        <source>{n} autres rappels ensuite</source>
        <translation>{n} more reminders after this one</translation>
    </message>
</context>
<context>
    <name>ScreenFrame</name>
    <message>
        <location filename="../screens/frame.py" line="27"/>
        <source>Accueil</source>
        <translation>Home</translation>
    </message>
</context>
<context>
    <name>Slideshow</name>
    <message>
        <location filename="../screens/photos_screen.py" line="415"/>
        <source>Pas encore de photos.</source>
        <translation>No photos yet.</translation>
    </message>
    <message>
        <location filename="../screens/photos_screen.py" line="417"/>
        <source>Album</source>
        <translation>Album</translation>
    </message>
    <message>
        <location filename="../screens/photos_screen.py" line="418"/>
        <source>Accueil</source>
        <translation>Home</translation>
    </message>
    <message>
        <location filename="../screens/photos_screen.py" line="419"/>
        <source>Précédente</source>
        <translation>Previous</translation>
    </message>
    <message>
        <location filename="../screens/photos_screen.py" line="420"/>
        <source>Suivante</source>
        <translation>Next</translation>
    </message>
</context>
<context>
    <name>WeatherScreen</name>
    <message>
        <location filename="../screens/weather_screen.py" line="103"/>
        <source>Météo</source>
        <translation>Weather</translation>
    </message>
    <message>
        <location filename="../screens/weather_screen.py" line="104"/>
        <source>Météo indisponible</source>
        <translation>Weather unavailable</translation>
    </message>
    <message>
        <location filename="../screens/weather_screen.py" line="108"/>
        <source>Les prévisions reviendront dès que la tablette sera de nouveau connectée.</source>
        <translation>The forecast will be back as soon as the tablet is connected again.</translation>
    </message>
    <message>
        <location filename="../screens/weather_screen.py" line="111"/>
        <source>Votre conseiller n&apos;a pas encore indiqué où se trouve le domicile : la météo s&apos;affichera dès qu&apos;il l&apos;aura fait.</source>
        <translation>Your care manager has not yet said where the home is: the weather will show as soon as they do.</translation>
    </message>
    <message>
        <location filename="../screens/weather_screen.py" line="115"/>
        <source>Le service météo ne répond pas pour le moment. Les prévisions reviendront d&apos;elles-mêmes.</source>
        <translation>The weather service does not answer for now. The forecast will come back by itself.</translation>
    </message>
    <message>
        <location filename="../screens/weather_screen.py" line="118"/>
        <source>Les prévisions s&apos;afficheront dès qu&apos;elles seront arrivées.</source>
        <translation>The forecast will show as soon as it arrives.</translation>
    </message>
    <message>
        <location filename="../screens/weather_screen.py" line="158"/>
        <source>Données météo : Open-Meteo.com (CC BY 4.0)</source>
        <translation>Weather data: Open-Meteo.com (CC BY 4.0)</translation>
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
