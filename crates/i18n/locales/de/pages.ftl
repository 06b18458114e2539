### Die Seiten, die alle Benutzer sehen.

login-title = Anmelden
login-submit = Anmelden

dash-title = Meine Maschinen
dash-quota = Kontingent
dash-quota-machines = Maschinen
dash-quota-cpus = CPUs
dash-quota-memory = Arbeitsspeicher
dash-quota-disk = Festplatte
dash-quota-hint = Offene Anträge zählen zu Ihrem Kontingent, ebenso Maschinen, die nach Ablauf ihrer Laufzeit ausgeschaltet wurden, bis sie gelöscht sind.
dash-machines = Maschinen
dash-no-machines = Noch keine Maschinen.
dash-request-one = Beantragen Sie eine: Ein Administrator genehmigt sie, dann wird sie für Sie eingerichtet.
dash-requests = Anträge
dash-no-requests = Sie haben noch keine Maschine beantragt.
dash-cancel = Zurückziehen

req-title = Maschine beantragen
req-catalogue-empty = Der Katalog ist leer: Zuerst muss ein Administrator eine Vorlage anlegen.
req-left-machines = In Ihrem Kontingent frei: { $count ->
    [one] eine Maschine,
   *[other] { $count } Maschinen,
}
req-left-resources = { $cpus } CPUs, { $memory } MiB Arbeitsspeicher, { $disk } GiB Festplatte.
req-template = Vorlage
req-up-to = Bis zu { $cpus } CPUs, { $memory } MiB, { $disk } GiB.
req-name = Name
req-name-help = Wird zum Hostnamen: Buchstaben, Ziffern und „-“.
req-purpose = Zweck
req-send = Antrag senden

machine-owner = Besitzer
machine-provider = Hypervisor
machine-node = Knoten { $node }
machine-created = Angelegt
machine-last-error = Letzter Fehler
machine-sign-in = Anmeldung an der Maschine
machine-protocol = Protokoll
machine-host = Host
machine-port = Port
machine-show-password = Passwort anzeigen
machine-in-progress = Läuft: { $kind }
machine-last-action = Letzte Aktion: { $kind }
machine-start = Starten
machine-console = Konsole
machine-shutdown = Herunterfahren
machine-reboot = Neu starten
machine-power-off = Ausschalten
machine-delete = Löschen…

delete-title = { $name } löschen
delete-question = { $name } löschen?
delete-warning = Das lässt sich nicht rückgängig machen
delete-explain = Die Maschine wird ausgeschaltet und ihre Festplatte mit allen Dateien darauf vernichtet. Bis das Löschen abgeschlossen ist, zählt sie zum Kontingent von { $owner }.
delete-confirm = { $name } endgültig löschen
delete-keep = Behalten

console-title = Konsole von { $name }
console-of = Konsole von
console-connecting = Verbindung wird aufgebaut…
console-connected = Verbunden.
console-closed = Die Konsole wurde geschlossen.
console-cut-off = Die Verbindung zur Konsole wurde unterbrochen.
console-failed = Die Konsole lässt sich nicht öffnen:

account-title = Mein Konto
account-name = Name
account-role = Rolle
account-signs-in-with = Meldet sich an mit
account-password-changed = Ihr Passwort wurde geändert; Ihre anderen Sitzungen wurden beendet.

prefs-title = Sprache und E-Mail
prefs-language = Sprache
prefs-language-browser = Wie mein Browser es wünscht
prefs-mail = Mir eine E-Mail senden, wenn
prefs-new-request = jemand eine Maschine beantragt (zur Genehmigung)
prefs-daily-digest = stattdessen einmal täglich: die Anträge, die auf eine Entscheidung warten
prefs-decision = mein Antrag genehmigt oder abgelehnt wird
prefs-machine-ready = meine Maschine bereit ist
prefs-job-failed = eine Aktion auf meiner Maschine fehlgeschlagen ist
prefs-save = Einstellungen speichern

ssh-title = Öffentlicher SSH-Schlüssel
ssh-hint = Maschinen, die ab jetzt für Sie eingerichtet werden, akzeptieren diesen Schlüssel für Ihre Anmeldung, zusätzlich zum Passwort.
ssh-key = Öffentlicher Schlüssel
ssh-save = Schlüssel speichern

tokens-title = API-Tokens
tokens-hint = Für Skripte: Senden Sie <code>Authorization: Bearer &lt;Token&gt;</code> an <code>/api/v1</code>. Ein Token handelt in Ihrem Namen, kann aber keine Tokens anlegen, Ihr Passwort nicht ändern und Sie nicht abmelden.
tokens-new = Ihr neues Token. Kopieren Sie es jetzt: Es wird nicht noch einmal angezeigt.
tokens-none = Keine Tokens.
tokens-made = Angelegt
tokens-last-used = Zuletzt benutzt
tokens-expires = Läuft ab
tokens-revoke = Widerrufen
tokens-name-example = Bewertungsskript
tokens-expires-days = Läuft ab nach (Tagen)
tokens-expires-help = 1 bis 730; leer für ein Token, das gilt, bis Sie es widerrufen.
tokens-make = Token anlegen

password-title = Passwort ändern
password-current = Aktuelles Passwort
password-new = Neues Passwort
password-help = Mindestens 10 Zeichen. Ihre anderen Sitzungen werden beendet.

account-must-change = Ihr Passwort wurde von jemand anderem festgelegt. Wählen Sie unten Ihr eigenes, um fortzufahren.
tokens-password = Ihr Passwort
totp-title = Zwei-Faktor-Anmeldung
totp-recovery-intro = Die Zwei-Faktor-Anmeldung ist aktiv. Bewahren Sie diese Wiederherstellungscodes sicher auf: Jeder ersetzt einmal einen Code, und sie werden nicht wieder angezeigt.
totp-on = Aktiv: Nach dem Passwort fragt die Anmeldung nach einem Code Ihrer Authenticator-App. Wenn Sie sie verlieren, verwenden Sie einen Wiederherstellungscode oder bitten Sie einen Administrator, sie zu entfernen.
totp-scan = Scannen Sie diesen QR-Code mit einer Authenticator-App oder geben Sie das Geheimnis dort ein; geben Sie dann den angezeigten Code ein.
totp-qr-label = QR-Code des Geheimnisses
totp-secret = Geheimnis:
totp-code = Code
totp-turn-on = Aktivieren
totp-off = Aus: Zur Anmeldung genügt das Passwort. Eine Authenticator-App fügt einen Code hinzu, der sich alle 30 Sekunden ändert.
totp-begin = Zwei-Faktor-Anmeldung einrichten
prefs-lease = die Laufzeit meiner Maschine bald endet oder abgelaufen ist
lease-banner-idle = Diese Maschine wurde am { $when } ausgeschaltet, weil sie untätig war.
lease-banner-warning = Die Laufzeit endet am { $end }: Die Maschine wird dann ausgeschaltet. Verlängern Sie sie unten, wenn Sie sie noch brauchen.
lease-banner-warning-delete = Die Laufzeit endet am { $end }: Die Maschine wird dann ausgeschaltet und am { $deleted } gelöscht. Verlängern Sie sie unten, wenn Sie sie noch brauchen.
lease-banner-expired = Die Laufzeit ist am { $end } abgelaufen: Die Maschine ist ausgeschaltet und zählt zu Ihrem Kontingent, bis sie gelöscht wird. Verlängern Sie die Laufzeit, um sie wieder zu nutzen.
lease-banner-expired-delete = Die Laufzeit ist am { $end } abgelaufen: Die Maschine ist ausgeschaltet und zählt zu Ihrem Kontingent, bis sie gelöscht wird. Sie wird am { $deleted } gelöscht. Verlängern Sie die Laufzeit, um sie wieder zu nutzen.
machine-lease-then = danach { $action }
machine-deleted-from = gelöscht ab
machine-error-id = Fehler { $id }
machine-show-credentials = Anmeldedaten anzeigen
machine-credentials-recorded = Jeder Blick auf das Passwort wird protokolliert.
extend-title = Laufzeit verlängern
extend-days = Tage
extend-reason = Begründung (nötig über das hinaus, was die Vorlage erlaubt)
extend-submit = Verlängern
login-as = Anmeldung als { $username }.
login-code = Code Ihrer Authenticator-App (oder ein Wiederherstellungscode)
login-too-long = die Anmeldung hat zu lange gedauert; bitte neu beginnen

console-connected-view-only = Verbunden, nur Ansicht.
req-course = Für einen Kurs
req-course-none = Nein: für mich
req-course-help = Über einen Kursantrag entscheiden die Lehrkräfte des Kurses; er zählt zum Kontingent des Kurses.
courses-none = Noch keine Kurse.
courses-none-for-you = Noch keine Kurse für Sie.
course-code = Kürzel
course-term-ends = Ende des Semesters
course-you-are = Sie sind
course-part-admin = Administrator
course-new = Neuer Kurs
course-code-help = Buchstaben, Ziffern und '-': Damit beginnt der Name jeder Maschine der Schüler.
course-term-end-field = Ende des Semesters (JJJJ-MM-TT, optional)
course-quota = Kontingent für den ganzen Kurs
course-teacher = Lehrkraft (Benutzername)
course-create = Kurs anlegen
course-quota-of = Kontingent des Kurses: { $machines ->
    [one] eine Maschine
   *[other] { $machines } Maschinen
}, { $size }.
course-size = { $cpus } CPUs, { $memory } MiB, { $disk } GiB
course-term-ends-on = Das Semester endet am { $date }.
course-new-accounts = Neue Konten
course-passwords-once = Diese Passwörter werden nur einmal angezeigt: Geben Sie sie jetzt den Schülern.
course-directory-password = (Passwort des Verzeichnisses)
course-deployment = Verteilung { $id }
course-deployment-progress = { $done } von { $total } fertig, { $failed } fehlgeschlagen,
course-deployment-running = { $count } laufen noch.
course-refresh = Aktualisieren
course-machine-failed = fehlgeschlagen: { $error }
course-machines = Maschinen der Schüler
course-machines-none = Noch keine.
course-student = Schüler/in
course-screen = Bildschirm
course-view-screen = Bildschirm ansehen
course-deploy-title = Jedem Schüler eine Maschine bereitstellen
course-no-template = Diesem Kurs wird keine Vorlage angeboten.
course-up-to = bis zu { $cpus } CPUs, { $memory } MiB, { $disk } GiB
course-deploy-hint = Schüler, die in diesem Kurs schon eine Maschine haben, bekommen keine zweite.
course-deploy = Bereitstellen
course-roster = Teilnehmerliste
course-teachers = Lehrkräfte:
course-students = Schüler ({ $count }):
course-add-students = Schüler hinzufügen: einer pro Zeile,
course-add-help = Nicht vorhandene Konten werden angelegt: aus dem Verzeichnis, wenn es den Namen kennt, sonst als lokale Konten mit einem einmal angezeigten Passwort.
course-add = Hinzufügen

machines-find = Maschine suchen
machines-none = Keine Maschinen.

dash-all-machines = Alle { $total } meiner Maschinen
dash-newest-requests = Die { $shown } neuesten von { $total } Anträgen, offene zuerst.
snap-title = Snapshots
snap-hint = Ein Snapshot hält die Maschine so fest, wie sie jetzt ist (eine laufende mit ihrem Speicher); die Rückkehr dorthin stellt sie wieder her und verwirft, was sich seitdem geändert hat. Diese Maschine darf { $max } behalten.
snap-col-description = Beschreibung
snap-col-taken = Erstellt
snap-with-memory = mit Speicher
snap-revert = Zurücksetzen
snap-delete = Löschen
snap-name = Name (Kleinbuchstaben, Ziffern, _)
snap-take = Snapshot erstellen
snap-state-creating = wird erstellt
snap-state-ready = bereit
snap-state-deleting = wird gelöscht
sso-button = Anmelden mit { $provider }
sso-unavailable = { $provider } ist nicht erreichbar; versuchen Sie es später erneut
sso-denied = { $provider } hat Sie nicht angemeldet
sso-rejected = die Anmeldung mit { $provider } konnte nicht geprüft werden; beginnen Sie erneut
