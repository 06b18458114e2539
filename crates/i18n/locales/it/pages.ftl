### Le pagine che vede ogni utente.

login-title = Accedi
login-submit = Accedi

dash-title = Le mie macchine
dash-quota = Quota
dash-quota-machines = Macchine
dash-quota-cpus = CPU
dash-quota-memory = Memoria
dash-quota-disk = Disco
dash-quota-hint = Le richieste in attesa contano nella tua quota, e così le macchine spente perché scadute, finché non vengono eliminate.
dash-machines = Macchine
dash-no-machines = Non hai ancora nessuna macchina.
dash-request-one = Richiedine una: un amministratore la approva e la macchina viene creata per te.
dash-requests = Richieste
dash-no-requests = Non hai ancora richiesto nessuna macchina.
dash-cancel = Annulla

req-title = Richiedi una macchina
req-catalogue-empty = Il catalogo è vuoto: prima un amministratore deve aggiungere un modello.
req-left-machines = Ti restano nella quota: { $count ->
    [one] una macchina,
   *[other] { $count } macchine,
}
req-left-resources = { $cpus } CPU, { $memory } MiB di memoria, { $disk } GiB di disco.
req-template = Modello
req-up-to = Fino a { $cpus } CPU, { $memory } MiB, { $disk } GiB.
req-name = Nome
req-name-help = Diventa il nome host: lettere, cifre e '-'.
req-purpose = Motivazione
req-send = Invia la richiesta

machine-owner = Proprietario
machine-provider = Hypervisor
machine-node = nodo { $node }
machine-created = Creata il
machine-last-error = Ultimo errore
machine-sign-in = Accesso alla macchina
machine-protocol = Protocollo
machine-host = Host
machine-port = Porta
machine-show-password = Mostra la password
machine-in-progress = In corso: { $kind }
machine-last-action = Ultima operazione: { $kind }
machine-start = Avvia
machine-console = Console
machine-shutdown = Arresta
machine-reboot = Riavvia
machine-power-off = Spegni
machine-delete = Elimina…

delete-title = Elimina { $name }
delete-question = Eliminare { $name }?
delete-warning = L'operazione è irreversibile
delete-explain = La macchina viene spenta e il suo disco distrutto, con tutti i file che contiene. Resta nella quota di { $owner } finché l'eliminazione non è terminata.
delete-confirm = Elimina { $name } definitivamente
delete-keep = Tienila

console-title = Console di { $name }
console-of = Console di
console-connecting = Connessione in corso…
console-connected = Connesso.
console-closed = La console è stata chiusa.
console-cut-off = La connessione alla console si è interrotta.
console-failed = Impossibile aprire la console:

account-title = Il mio account
account-name = Nome
account-role = Ruolo
account-signs-in-with = Accede con
account-password-changed = La password è stata cambiata; le tue altre sessioni sono state chiuse.

prefs-title = Lingua ed e-mail
prefs-language = Lingua
prefs-language-browser = Come chiede il mio browser
prefs-mail = Mandami un'e-mail quando
prefs-new-request = qualcuno richiede una macchina (da approvare)
prefs-daily-digest = invece, una volta al giorno: le richieste in attesa di decisione
prefs-decision = la mia richiesta viene approvata o respinta
prefs-machine-ready = la mia macchina è pronta
prefs-job-failed = un'operazione sulla mia macchina non è riuscita
prefs-save = Salva le preferenze

ssh-title = Chiave pubblica SSH
ssh-hint = Le macchine create per te da adesso in poi accettano questa chiave per il tuo accesso, oltre alla password.
ssh-key = Chiave pubblica
ssh-save = Salva la chiave

tokens-title = Token API
tokens-hint = Per gli script: invia <code>Authorization: Bearer &lt;token&gt;</code> a <code>/api/v1</code>. Un token agisce a nome tuo, ma non può creare token, cambiare la tua password né chiudere la sessione.
tokens-new = Il tuo nuovo token. Copialo subito: non verrà più mostrato.
tokens-none = Nessun token.
tokens-made = Creato il
tokens-last-used = Ultimo utilizzo
tokens-expires = Scade il
tokens-revoke = Revoca
tokens-name-example = script di correzione
tokens-expires-days = Scade dopo (giorni)
tokens-expires-help = Da 1 a 730; vuoto per un token valido finché non lo revochi.
tokens-make = Crea un token

password-title = Cambia password
password-current = Password attuale
password-new = Nuova password
password-help = Almeno 10 caratteri. Le tue altre sessioni vengono chiuse.

account-must-change = La tua password è stata impostata da qualcun altro. Scegline una tua qui sotto per continuare.
tokens-password = La tua password
totp-title = Accesso a due fattori
totp-recovery-intro = L'accesso a due fattori è attivo. Conserva questi codici di recupero in un posto sicuro: ognuno vale una sola volta al posto di un codice, e non verranno più mostrati.
totp-on = Attivo: all'accesso, dopo la password, ti viene chiesto un codice della tua app di autenticazione. Se la perdi, usa un codice di recupero o chiedi a un amministratore di rimuoverlo.
totp-scan = Scansiona questo codice QR con un'app di autenticazione, oppure inserisci il segreto a mano; poi digita il codice che mostra.
totp-qr-label = Codice QR del segreto
totp-secret = Segreto:
totp-code = Codice
totp-turn-on = Attiva
totp-off = Disattivato: per accedere basta la password. Un'app di autenticazione aggiunge un codice che cambia ogni 30 secondi.
totp-begin = Configura l'accesso a due fattori
prefs-lease = la mia macchina sta per scadere o è scaduta
lease-banner-idle = Questa macchina è stata spenta il { $when } perché era inattiva.
lease-banner-warning = La macchina scade il { $end }: verrà allora spenta. Se ti serve ancora, prorogala qui sotto.
lease-banner-warning-delete = La macchina scade il { $end }: verrà allora spenta, ed eliminata il { $deleted }. Se ti serve ancora, prorogala qui sotto.
lease-banner-expired = La macchina è scaduta il { $end }: è spenta e conta ancora nella tua quota finché non viene eliminata. Prorogala per usarla di nuovo.
lease-banner-expired-delete = La macchina è scaduta il { $end }: è spenta e conta ancora nella tua quota finché non viene eliminata. Verrà eliminata il { $deleted }. Prorogala per usarla di nuovo.
machine-lease-then = poi { $action }
machine-deleted-from = eliminata dal
machine-error-id = errore { $id }
machine-show-credentials = Mostra i dati di accesso
machine-credentials-recorded = Ogni consultazione della password viene registrata.
extend-title = Proroga la scadenza
extend-days = Giorni
extend-reason = Motivo (necessario oltre quanto consente il modello)
extend-submit = Proroga
login-as = Accesso come { $username }.
login-code = Codice della tua app di autenticazione (o un codice di recupero)
login-too-long = l'accesso ha richiesto troppo tempo; ricomincia

console-connected-view-only = Connesso, solo visualizzazione.
req-course = Per un corso
req-course-none = No: per me
req-course-help = Una richiesta per un corso viene approvata dai docenti del corso e conta nella quota del corso.
courses-none = Ancora nessun corso.
courses-none-for-you = Ancora nessun corso per te.
course-code = Codice
course-term-ends = Fine del periodo
course-you-are = Il tuo ruolo
course-part-admin = amministratore
course-new = Nuovo corso
course-code-help = Lettere, cifre e '-': è l'inizio del nome di ogni macchina degli studenti.
course-term-end-field = Fine del periodo (AAAA-MM-GG, facoltativa)
course-quota = Quota per tutto il corso
course-teacher = Docente (nome utente)
course-create = Crea il corso
course-quota-of = Quota del corso: { $machines ->
    [one] una macchina
   *[other] { $machines } macchine
}, { $size }.
course-size = { $cpus } CPU, { $memory } MiB, { $disk } GiB
course-term-ends-on = Il periodo finisce il { $date }.
course-new-accounts = Nuovi account
course-passwords-once = Queste password vengono mostrate una sola volta: consegnale subito agli studenti.
course-directory-password = (password della directory)
course-deployment = Distribuzione { $id }
course-deployment-progress = { $done } su { $total } completate, { $failed } non riuscite,
course-deployment-running = { $count } in corso.
course-refresh = Aggiorna
course-machine-failed = non riuscita: { $error }
course-machines = Macchine degli studenti
course-machines-none = Ancora nessuna.
course-student = Studente
course-screen = Schermo
course-view-screen = Guarda lo schermo
course-deploy-title = Distribuisci una macchina a ogni studente
course-no-template = Nessun modello è offerto a questo corso.
course-up-to = fino a { $cpus } CPU, { $memory } MiB, { $disk } GiB
course-deploy-hint = Gli studenti che hanno già una macchina in questo corso non ne ricevono una seconda.
course-deploy = Distribuisci
course-roster = Iscritti
course-teachers = Docenti:
course-students = Studenti ({ $count }):
course-add-students = Aggiungi studenti: uno per riga,
course-add-help = Gli account che non esistono vengono creati: dalla directory se conosce il nome, altrimenti come account locali con una password mostrata una sola volta.
course-add = Aggiungi

machines-find = Cerca una macchina
machines-none = Nessuna macchina.

dash-all-machines = Tutte le mie { $total } macchine
dash-newest-requests = Le { $shown } richieste più recenti su { $total }, prima quelle in attesa.
snap-title = Snapshot
snap-hint = Uno snapshot conserva la macchina com'è ora (se accesa, con la sua memoria); ripristinarlo la riporta a quel momento e perde ciò che è cambiato dopo. Questa macchina può conservarne { $max }.
snap-col-description = Descrizione
snap-col-taken = Creato
snap-with-memory = con la memoria
snap-revert = Ripristina
snap-delete = Elimina
snap-name = Nome (lettere minuscole, cifre, _)
snap-take = Crea uno snapshot
snap-state-creating = in creazione
snap-state-ready = pronto
snap-state-deleting = in eliminazione
sso-button = Accedi con { $provider }
sso-unavailable = { $provider } non è raggiungibile; riprova più tardi
sso-denied = { $provider } non ha effettuato l'accesso
sso-rejected = l'accesso con { $provider } non è stato verificato; ricomincia
