### Wörter auf vielen Seiten: Rahmen, Tabellenköpfe, Zustände, Felder, Datumsangaben.

skip-to-content = Zum Inhalt springen
nav-label = Hauptnavigation
nav-my-machines = Meine Maschinen
nav-request = Maschine beantragen
nav-requests = Anträge
nav-users = Benutzer
nav-templates = Vorlagen
nav-providers = Hypervisoren
nav-drift = Abweichungen
nav-directory = Verzeichnis
nav-audit = Protokoll
nav-account-title = Mein Konto ({ $username })
nav-sign-out = Abmelden

col-name = Name
col-state = Zustand
col-size = Größe
col-address = Adresse
col-progress = Fortschritt
col-template = Vorlage
col-asked = Beantragt am
col-actions = Aktionen

field-username = Benutzername
field-password = Passwort
field-email = E-Mail
field-cpus = CPUs
field-memory-mib = Arbeitsspeicher (MiB)
field-disk-gib = Festplatte (GiB)

size = { $cpus } CPU · { $memory } MiB · { $disk } GiB
# Betriebssystem, dann Art: „Linux – virtuelle Maschine“.
os-kind = { $os } – { $kind }
used-of = { $used } von { $total }
used-of-mib = { $used } von { $total } MiB
used-of-gib = { $used } von { $total } GiB
job-progress = { $kind }: { $state } ({ $percent } %)

yes = ja
no = nein
none = keine
none-yet = Keine.
never = nie
not-known-yet = noch nicht bekannt
save = Speichern
form-correct-fields = Bitte korrigieren Sie die unten markierten Felder.

request-state-pending = offen
request-state-approved = genehmigt
request-state-rejected = abgelehnt
request-state-cancelled = zurückgezogen
machine-state-provisioning = wird eingerichtet
machine-state-running = läuft
machine-state-stopped = ausgeschaltet
machine-state-failed = fehlerhaft
machine-state-deleting = wird gelöscht
machine-state-deleted = gelöscht
job-state-queued = wartet
job-state-running = läuft
job-state-succeeded = erfolgreich
job-state-failed = fehlgeschlagen
job-provision = Einrichtung
job-start = Start
job-shutdown = Herunterfahren
job-stop = Ausschalten
job-reboot = Neustart
job-delete = Löschen
job-reconcile = Abgleich
role-admin = Administrator
role-user = Benutzer
source-local = einem Portal-Passwort
source-ldap = dem Schulverzeichnis
kind-vm = virtuelle Maschine
kind-container = Container
os-linux = Linux
os-windows = Windows

date = { $day }. { $month } { $year }
datetime = { $date }, { $time } UTC
month-1 = Jan.
month-2 = Feb.
month-3 = März
month-4 = Apr.
month-5 = Mai
month-6 = Juni
month-7 = Juli
month-8 = Aug.
month-9 = Sept.
month-10 = Okt.
month-11 = Nov.
month-12 = Dez.

col-lease-ends = Laufzeit endet
col-machine = Maschine
mib = { $n } MiB
gib = { $n } GiB
expiry-action-stop = Ausschalten
expiry-action-delete = Löschen
notice-warning = Laufzeit endet bald
notice-expired = Laufzeit abgelaufen
notice-deleting = wird gelöscht
notice-idle-stop = wegen Inaktivität ausgeschaltet
job-cause-expiry = die Laufzeit ist abgelaufen
job-cause-idle = die Maschine war untätig
nav-expiring = Ablaufend

nav-courses = Kurse
nav-my-courses = Meine Kurse
course-part-teacher = Lehrkraft
course-part-student = Schüler/in

list-any = alle
list-state = { $state }
list-search = Suchen
list-pages = Seiten
list-first = Erste
list-previous = Vorherige
list-page-of = Seite { $page } von { $pages } ({ $total } insgesamt)
list-next = Nächste
list-last = Letzte
list-no-match = Keine Treffer.
nav-all-machines = Alle Maschinen
nav-jobs = Aufträge
