### Fehler: die `message` der API und die Hinweise der Seiten. Feldmeldungen folgen der Feldbezeichnung.

err-unauthenticated = bitte zuerst anmelden
err-bad-credentials = Benutzername oder Passwort falsch
err-forbidden = nur für Administratoren
err-session-only = dafür ist eine angemeldete Sitzung nötig, kein API-Token
err-not-found = nicht gefunden
err-invalid-input = ungültige Eingabe
err-bad-request = die Anfrage ist nicht lesbar: { $detail }
err-too-many-attempts = zu viele fehlgeschlagene Anmeldungen; versuchen Sie es in { $seconds } Sekunden erneut
err-directory-unavailable = das Anmeldeverzeichnis ist nicht erreichbar; bitte später erneut versuchen (lokale Konten funktionieren weiterhin)
err-directory-answer = das Verzeichnis kann nicht abgefragt werden: { $detail }
err-internal = bei uns ist etwas schiefgegangen; bitte später erneut versuchen
err-json-field = hat den falschen Typ: { $detail }

err-required = ist erforderlich
err-too-long = darf höchstens { $max ->
    [one] ein Zeichen
   *[other] { $max } Zeichen
} lang sein
err-too-short = muss mindestens { $min } Zeichen lang sein
err-control-characters = darf keine Steuerzeichen enthalten
err-only-spaces = darf nicht nur aus Leerzeichen bestehen
err-between = muss zwischen { $min } und { $max } liegen
err-negative = darf nicht negativ sein
err-whole-number = muss eine ganze Zahl sein
err-one-of = muss einer dieser Werte sein: { $choices }
err-email = ist keine gültige E-Mail-Adresse
err-username = muss mit einem Kleinbuchstaben beginnen und darf nur a-z, 0-9, „.“, „_“ oder „-“ enthalten
err-username-taken = ist bereits vergeben
err-hostname-chars = darf nur Buchstaben, Ziffern und „-“ enthalten (er wird zum Hostnamen der Maschine)
err-hostname-dash = darf nicht mit „-“ beginnen oder enden
err-hostname-digits = darf nicht nur aus Ziffern bestehen
err-ssh-key = muss ein öffentlicher OpenSSH-Schlüssel sein, z. B. „ssh-ed25519 AAAA... sie@laptop“
err-token-days = muss zwischen 1 und 730 Tagen liegen
err-locale = muss ein Sprachcode wie de-DE oder en-US sein
err-shutdown-timeout = muss zwischen 0 und 3600 Sekunden liegen
err-no-provider = es ist kein Hypervisor konfiguriert
err-template-name-taken = eine andere Vorlage hat bereits diesen Namen
err-template-withdrawn = diese Vorlage wird nicht mehr angeboten
err-no-such-template = diese Vorlage gibt es nicht
err-language = muss eine der Sprachen des Portals sein
err-quota-machines = Ihr Kontingent erlaubt { $allowed ->
    [one] eine Maschine
   *[other] { $allowed } Maschinen
} und Sie haben bereits { $used } (Anträge eingeschlossen)
err-quota-cpus = überschreitet Ihr CPU-Kontingent: { $left } frei, { $asked } beantragt
err-quota-memory = überschreitet Ihr Speicherkontingent: { $left } MiB frei, { $asked } MiB beantragt
err-quota-disk = überschreitet Ihr Festplattenkontingent: { $left } GiB frei, { $asked } GiB beantragt
err-wrong-current-password = ist nicht Ihr aktuelles Passwort
err-password-in-directory = Ihr Konto meldet sich über das Verzeichnis an; ändern Sie Ihr Passwort dort
err-reset-password-in-directory = dieses Konto meldet sich über das Verzeichnis an; das Passwort wird dort geändert
err-disable-self = Sie können Ihr eigenes Konto nicht deaktivieren
err-demote-self = Sie können sich die Administratorrolle nicht selbst entziehen
err-already-decided = der Antrag ist bereits { $state }
err-machine-busy = eine andere Aktion auf dieser Maschine läuft noch
err-machine-cannot = die Maschine ist im Zustand „{ $state }“: „{ $action }“ ist jetzt nicht möglich
err-credentials-not-ready = die Zugangsdaten der Maschine sind noch nicht bereit
err-console-not-running = die Maschine ist im Zustand „{ $state }“: die Konsole öffnet sich nur, solange sie läuft
err-console-unreachable = die Konsole dieser Maschine ist gerade nicht erreichbar

error-title-forbidden = Nicht erlaubt
error-title-not-found = Nicht gefunden
error-title-conflict = Bereits entschieden
error-title-invalid = Ungültige Eingabe
error-title-slow-down = Langsamer, bitte
error-title-other = Etwas ist schiefgegangen
error-back = Zurück zu meinen Maschinen

err-busy = das Portal ist ausgelastet; bitte gleich erneut versuchen
err-totp-required = Geben Sie den Code Ihrer Authenticator-App ein (oder einen Wiederherstellungscode)
err-totp-setup-required = richten Sie zuerst die Zwei-Faktor-Anmeldung ein (Mein Konto)
err-password-change-required = ändern Sie zuerst Ihr Passwort
err-unavailable = der Dienst ist vorübergehend nicht verfügbar; bitte in Kürze erneut versuchen
err-max-lease-short = darf nicht kürzer als lease_days sein
err-max-lease-alone = erfordert lease_days
err-grace-needed = muss mindestens 1 sein, wenn abgelaufene Maschinen gelöscht werden: Sie werden zuerst ausgeschaltet
err-utf8 = muss gültiger UTF-8-Text sein
err-one-line = muss einzeilig sein
err-at-most = darf höchstens { $max } sein
err-windows-name = darf für eine Windows-Maschine höchstens { $max } Zeichen lang sein
err-windows-locale = Windows-Vorlagen akzeptieren eines von: { $tags }
err-totp-already = die Zwei-Faktor-Anmeldung ist bereits eingerichtet
err-machine-is = die Maschine ist { $state }
err-no-lease = diese Maschine läuft nicht ab
err-extension-reason = diese Verlängerung geht über die Regeln der Vorlage hinaus: Begründen Sie, warum Sie sie brauchen
err-lease-ended = die Laufzeit ist am { $date } abgelaufen: verlängern Sie sie zuerst
err-totp-directory = Ihr Konto meldet sich über das Verzeichnis an, das darüber entscheidet
err-totp-not-begun = beginnen Sie zuerst mit der Einrichtung der Zwei-Faktor-Anmeldung
err-totp-wrong-code = ist nicht der aktuelle Code Ihrer Authenticator-App
err-totp-none = dieses Konto hat keine Zwei-Faktor-Anmeldung
err-source-refused = der Anbieter kann diese Quelle nicht verwenden: { $detail }
err-not-your-password = ist nicht Ihr Passwort
err-hypervisor-plain = der Hypervisor konnte es nicht ausführen; ein Administrator kann es als Fehler { $id } nachschlagen
job-failed-plain = fehlgeschlagen: der Hypervisor konnte es nicht ausführen; ein Administrator kann es als Fehler { $id } nachschlagen
job-retry-plain = wird erneut versucht: der Hypervisor konnte es nicht ausführen; ein Administrator kann es als Fehler { $id } nachschlagen

err-course-code-taken = ein anderer Kurs hat dieses Kürzel
err-no-template-id = keine Vorlage { $id }
err-course-not-empty = der Kurs hat noch { $count } Maschine(n) oder offene Anträge: Löschen oder entscheiden Sie diese zuerst
err-course-quota-machines = das Kontingent des Kurses erlaubt { $limit } Maschinen, { $left } übrig; { $count } benötigt
err-course-quota-cpus = das Kontingent des Kurses erlaubt { $limit } CPUs, { $left } übrig; { $count } Maschinen brauchen { $asked }
err-course-quota-memory = das Kontingent des Kurses erlaubt { $limit } MiB Speicher, { $left } MiB übrig; { $count } Maschinen brauchen { $asked } MiB
err-course-quota-disk = das Kontingent des Kurses erlaubt { $limit } GiB Plattenplatz, { $left } GiB übrig; { $count } Maschinen brauchen { $asked } GiB
err-csv-cells = hat mehr als drei Felder (Benutzername, Anzeigename, E-Mail)
err-date = muss ein Datum sein, JJJJ-MM-TT
err-is-teacher = { $name } ist Lehrkraft dieses Kurses
err-no-user = kein Benutzer { $name }
err-not-a-student = Sie sind kein Schüler dieses Kurses
err-not-course-template = ist keine Vorlage dieses Kurses
err-teacher-and-student = Benutzer { $id } kann nicht zugleich Lehrkraft und Schüler desselben Kurses sein

err-at-least = muss mindestens { $min } sein
err-no-state-filter = diese Liste hat keinen Statusfilter

err-roster-follows-group = die Schüler folgen der Verzeichnisgruppe { $group }: Speichern Sie zuerst eine Liste von Hand
err-no-group = das Verzeichnis hat keine Gruppe { $group }
err-no-directory = im Portal ist kein Verzeichnis eingerichtet
err-no-course-group = die Schüler des Kurses folgen keiner Gruppe
err-students-or-group = geben Sie Schüler oder eine ldap_group an, nicht beides
err-snapshot-start = muss mit einem Kleinbuchstaben beginnen
err-snapshot-chars = darf nur Kleinbuchstaben, Ziffern und Unterstriche enthalten
err-snapshot-length = muss 2 bis 40 Zeichen lang sein
err-snapshot-reserved = ist vom Hypervisor reserviert
err-busy-snapshot = Von dieser Maschine wird gerade ein Snapshot erstellt; versuchen Sie es danach erneut
err-busy-revert = Diese Maschine wird gerade auf einen Snapshot zurückgesetzt; versuchen Sie es danach erneut
err-identity-linked = ist bereits mit einem Konto verknüpft
err-snapshots-disabled = Snapshots sind für die Vorlage dieser Maschine abgeschaltet
err-snapshots-full = Diese Maschine hat bereits { $kept } Snapshots, so viele wie ihre Vorlage erlaubt: löschen Sie zuerst einen
err-snapshot-taken = Diese Maschine hat bereits einen Snapshot mit diesem Namen
err-snapshot-unusable = der Snapshot „{ $name }“ ist { $state }: er ist jetzt nicht verwendbar
