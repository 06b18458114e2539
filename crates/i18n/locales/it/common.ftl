### Parole usate in molte pagine: la cornice, le intestazioni delle tabelle, gli stati, i campi, le date.

skip-to-content = Vai al contenuto
nav-label = Principale
nav-my-machines = Le mie macchine
nav-request = Richiedi una macchina
nav-requests = Richieste
nav-users = Utenti
nav-templates = Modelli
nav-providers = Hypervisor
nav-drift = Discrepanze
nav-directory = Directory
nav-audit = Registro attività
nav-account-title = Il mio account ({ $username })
nav-sign-out = Esci

col-name = Nome
col-state = Stato
col-size = Dimensioni
col-address = Indirizzo
col-progress = Avanzamento
col-template = Modello
col-asked = Richiesta il
col-actions = Azioni

field-username = Nome utente
field-password = Password
field-email = E-mail
field-cpus = CPU
field-memory-mib = Memoria (MiB)
field-disk-gib = Disco (GiB)

size = { $cpus } CPU · { $memory } MiB · { $disk } GiB
# Tipo, poi sistema operativo: "macchina virtuale Linux".
os-kind = { $kind } { $os }
used-of = { $used } su { $total }
used-of-mib = { $used } su { $total } MiB
used-of-gib = { $used } su { $total } GiB
job-progress = { $kind }: { $state } ({ $percent }%)

yes = sì
no = no
none = nessuno
none-yet = Nessuna.
never = mai
not-known-yet = non ancora noto
save = Salva
form-correct-fields = Correggi i campi segnalati qui sotto.

request-state-pending = in attesa
request-state-approved = approvata
request-state-rejected = respinta
request-state-cancelled = annullata
machine-state-provisioning = in preparazione
machine-state-running = accesa
machine-state-stopped = spenta
machine-state-failed = in errore
machine-state-deleting = in eliminazione
machine-state-deleted = eliminata
job-state-queued = in coda
job-state-running = in corso
job-state-succeeded = riuscita
job-state-failed = non riuscita
job-provision = creazione
job-start = avvio
job-shutdown = arresto
job-stop = spegnimento forzato
job-reboot = riavvio
job-delete = eliminazione
job-reconcile = riallineamento
role-admin = amministratore
role-user = utente
source-local = una password del portale
source-ldap = la directory della scuola
kind-vm = macchina virtuale
kind-container = container
os-linux = Linux
os-windows = Windows

date = { $day } { $month } { $year }
datetime = { $date }, ore { $time } UTC
month-1 = gen
month-2 = feb
month-3 = mar
month-4 = apr
month-5 = mag
month-6 = giu
month-7 = lug
month-8 = ago
month-9 = set
month-10 = ott
month-11 = nov
month-12 = dic

col-lease-ends = Scadenza
col-machine = Macchina
mib = { $n } MiB
gib = { $n } GiB
expiry-action-stop = spegnimento
expiry-action-delete = eliminazione
notice-warning = scadenza vicina
notice-expired = scaduta
notice-deleting = da eliminare
notice-idle-stop = spenta perché inattiva
job-cause-expiry = la macchina è scaduta
job-cause-idle = la macchina era inattiva
nav-expiring = In scadenza

nav-courses = Corsi
nav-my-courses = I miei corsi
course-part-teacher = docente
course-part-student = studente

list-any = qualsiasi
list-state = { $state }
list-search = Cerca
list-pages = Pagine
list-first = Prima
list-previous = Precedente
list-page-of = Pagina { $page } di { $pages } ({ $total } in tutto)
list-next = Successiva
list-last = Ultima
list-no-match = Nessun risultato.
nav-all-machines = Tutte le macchine
nav-jobs = Operazioni
