### Die Seiten der Administratoren.

admin-requests-none = Noch keine Anträge.
admin-requests-user = Benutzer
admin-requests-decision = Entscheidung
admin-requests-approve = Genehmigen
admin-requests-reject = Ablehnen
admin-requests-reason = Begründung
admin-requests-reason-for = Begründung für die Ablehnung von { $name }
admin-requests-by = von { $name }

users-created = Konto { $name } angelegt. Sein Passwort wird nur dieses eine Mal angezeigt:
users-source = Herkunft
users-status = Status
users-disabled = deaktiviert
users-active = aktiv
users-new = Neues lokales Konto
users-display-name = Anzeigename
users-password-help = Leer lassen, um ein sicheres zu erzeugen.
users-create = Konto anlegen

user-new-password = Neues Passwort, nur dieses eine Mal angezeigt. Alle Sitzungen dieses Benutzers wurden beendet.
user-account = Konto
user-quota = Kontingent (leer: das der Rolle)
user-in-use-machines = Belegt: { $count ->
    [one] eine Maschine,
   *[other] { $count } Maschinen,
}
user-in-use-resources = { $cpus } CPUs, { $memory } MiB, { $disk } GiB.
user-enable = Konto aktivieren
user-disable = Konto deaktivieren
user-reset-password = Passwort zurücksetzen

tpl-new = Neue Vorlage
tpl-edit = Vorlage bearbeiten
tpl-none = Der Katalog ist leer.
tpl-kind = Art
tpl-source = Quelle
tpl-default = Standard
tpl-maximum = Maximum
tpl-offered = Angeboten
tpl-no-provider = Es ist kein Hypervisor konfiguriert: Tragen Sie zuerst einen in die Konfigurationsdatei ein.
tpl-description = Beschreibung
tpl-os = Betriebssystem
tpl-source-help = libvirt: das Basis-Volume; Proxmox: die vmid der Vorlage oder ein Betriebssystem-Vorlagenarchiv.
tpl-default-size = Standardgröße
tpl-maximum-size = Maximale Größe
tpl-shutdown-timeout = Wartezeit beim Herunterfahren (Sekunden bis zum harten Ausschalten)
tpl-locale = Sprache und Tastatur (Windows-Maschinen)
tpl-locale-help = Ein Sprachcode wie de-DE (Deutsch, QWERTZ-Tastatur); leer, um die des Abbilds zu behalten.
tpl-enabled = Im Katalog angeboten
tpl-save = Vorlage speichern

providers-none = Es ist kein Hypervisor konfiguriert. Tragen Sie einen <code>[[providers]]</code>-Eintrag in die Konfigurationsdatei ein.
providers-reachable = Erreichbar

drift-hint = Was der letzte Abgleich auf jedem Hypervisor gefunden hat. Zustände, die außerhalb des Portals geändert wurden (eine von innen heruntergefahrene Maschine), werden von selbst korrigiert; diese hier brauchen einen Administrator.
drift-none = Keine: Jeder Hypervisor stimmt mit den Daten des Portals überein.
drift-kind = Art
drift-machine = Maschine
drift-external-id = ID im Hypervisor
drift-found = Gefunden
drift-missing = auf dem Hypervisor verschwunden
drift-unknown = dem Portal unbekannt

directory-title = Anmeldeverzeichnis
directory-none = Es ist kein Verzeichnis konfiguriert: Nur lokale Konten können sich anmelden. Fügen Sie der Konfigurationsdatei einen Abschnitt <code>[ldap]</code> hinzu, damit sich alle mit ihrem Verzeichniskonto anmelden können.
directory-help = Zeigt ohne Passwort, worauf dieser Name verweist: ein Test der Verzeichniseinstellungen.
directory-look-up = Nachschlagen
directory-caption = Worauf { $username } verweist
directory-groups = Gruppen
directory-no-role = keine: in keiner zugelassenen Gruppe, kann sich nicht anmelden
directory-missing = Das Verzeichnis hat keinen Eintrag für „{ $username }“.

audit-when = Wann
audit-who = Wer
audit-from = Von
audit-action = Aktion
audit-object = Objekt
audit-detail = Detail

mail-title = E-Mail
mail-relay = Benachrichtigungen werden über { $relay } versandt.
mail-off = E-Mail ist aus: Die Konfiguration hat keinen Abschnitt <code>[mail]</code>, daher erfährt niemand per E-Mail von Anträgen, Entscheidungen oder Fehlern.
mail-no-failures = Keine Zustellung ist fehlgeschlagen.
mail-failures = Nach allen Versuchen aufgegebene Zustellungen
mail-recipient = Empfänger
mail-attempts = Versuche

expiring-title = Ablaufende Maschinen
expiring-intro = Maschinen, deren Laufzeit in 30 Tagen endet oder schon abgelaufen ist, die nächste zuerst. Eine Laufzeit ändern Sie mit
expiring-all = alle
expiring-filter = Filtern
expiring-none = Keine Laufzeit endet in den nächsten 30 Tagen.
expiring-then = Danach
expiring-deleted-from = Gelöscht ab
expiring-kept = behalten
hosts-of = Hosts von { $provider }
hosts-host = Host
hosts-guests = Gäste
hosts-free-memory = Freier Speicher
hosts-free-disk = Freier Plattenplatz
user-totp-reset = Zwei-Faktor-Anmeldung entfernen
tpl-lease = Laufzeit
tpl-lease-help = Leere Laufzeit: Maschinen laufen nicht ab. Bei Ablauf wird eine Maschine immer zuerst ausgeschaltet; gelöscht wird sie erst nach der Karenzzeit.
tpl-lease-days = Laufzeit (Tage)
tpl-max-lease-days = Längste Lebensdauer (Tage)
tpl-extend-days = Besitzer darf verlängern um (Tage)
tpl-expiry-action = Bei Ablauf
tpl-expiry-stop = ausschalten (nach der Karenzzeit löschen, falls vorhanden)
tpl-expiry-delete = ausschalten, dann nach der Karenzzeit löschen
tpl-grace-days = Karenzzeit (Tage)
tpl-idle-stop = Abschalten bei Inaktivität (Minuten)
tpl-idle-off = aus

audit-find = Ereignis suchen
drift-find = Maschine oder Gast suchen
requests-find = Antrag suchen
jobs-find = Maschine oder Besitzer
users-find = Benutzer suchen
jobs-none = Keine Aufträge.
jobs-job = Auftrag
jobs-updated = Aktualisiert
tpl-max-snapshots = Snapshots, die ein Besitzer behalten darf (0 schaltet sie ab)
