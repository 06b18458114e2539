### Errori: il `message` dell'API e gli avvisi delle pagine. I messaggi dei campi seguono l'etichetta del campo.

err-unauthenticated = accedi prima di continuare
err-bad-credentials = nome utente o password errati
err-forbidden = riservato agli amministratori
err-session-only = serve una sessione con accesso, non un token API
err-not-found = non trovato
err-invalid-input = dati non validi
err-bad-request = impossibile leggere la richiesta: { $detail }
err-too-many-attempts = troppi accessi non riusciti; riprova tra { $seconds } secondi
err-directory-unavailable = la directory per l'accesso non è raggiungibile; riprova più tardi (gli account locali funzionano comunque)
err-directory-answer = impossibile interrogare la directory: { $detail }
err-internal = qualcosa è andato storto da parte nostra; riprova più tardi
err-json-field = ha un tipo errato: { $detail }

err-required = è obbligatorio
err-too-long = può contenere al massimo { $max ->
    [one] un carattere
   *[other] { $max } caratteri
}
err-too-short = deve contenere almeno { $min } caratteri
err-control-characters = non deve contenere caratteri di controllo
err-only-spaces = non può essere composto solo da spazi
err-between = deve essere compreso tra { $min } e { $max }
err-negative = non può essere negativo
err-whole-number = deve essere un numero intero
err-one-of = deve essere uno tra: { $choices }
err-email = non è un indirizzo e-mail valido
err-username = deve iniziare con una lettera minuscola e contenere solo a-z, 0-9, '.', '_' o '-'
err-username-taken = è già in uso
err-hostname-chars = può contenere solo lettere, cifre e '-' (diventa il nome host della macchina)
err-hostname-dash = non può iniziare o finire con '-'
err-hostname-digits = non può essere composto solo da cifre
err-ssh-key = deve essere una chiave pubblica OpenSSH, ad esempio "ssh-ed25519 AAAA... tu@portatile"
err-token-days = deve essere tra 1 e 730 giorni
err-locale = deve essere un codice di lingua come it-IT o fr-FR
err-shutdown-timeout = deve essere tra 0 e 3600 secondi
err-no-provider = non è configurato alcun hypervisor
err-template-name-taken = esiste già un modello con questo nome
err-template-withdrawn = questo modello non è più disponibile
err-no-such-template = modello inesistente
err-language = deve essere una delle lingue del portale
err-quota-machines = la tua quota consente { $allowed ->
    [one] una macchina
   *[other] { $allowed } macchine
} e ne hai già { $used } tra macchine e richieste
err-quota-cpus = supera la tua quota di CPU: ne restano { $left }, ne hai chieste { $asked }
err-quota-memory = supera la tua quota di memoria: restano { $left } MiB, ne hai chiesti { $asked }
err-quota-disk = supera la tua quota di disco: restano { $left } GiB, ne hai chiesti { $asked }
err-wrong-current-password = non è la tua password attuale
err-password-in-directory = il tuo account accede tramite la directory: cambia lì la password
err-reset-password-in-directory = questo account accede tramite la directory: la password si cambia lì
err-disable-self = non puoi disattivare il tuo stesso account
err-demote-self = non puoi toglierti il ruolo di amministratore
err-already-decided = la richiesta è già { $state }
err-machine-busy = un'altra operazione su questa macchina è ancora in corso
err-machine-cannot = la macchina è { $state }: l'operazione «{ $action }» non è possibile ora
err-credentials-not-ready = le credenziali della macchina non sono ancora pronte
err-console-not-running = la macchina è { $state }: la console si apre solo quando è accesa
err-console-unreachable = la console di questa macchina non è raggiungibile ora

error-title-forbidden = Non consentito
error-title-not-found = Non trovato
error-title-conflict = Già deciso
error-title-invalid = Dati non validi
error-title-slow-down = Rallenta
error-title-other = Qualcosa è andato storto
error-back = Torna alle mie macchine

err-busy = il portale è occupato; riprova tra un momento
err-totp-required = inserisci il codice della tua app di autenticazione (o un codice di recupero)
err-totp-setup-required = configura prima l'accesso a due fattori (Il mio account)
err-password-change-required = cambia prima la tua password
err-unavailable = il servizio non è disponibile al momento; riprova tra poco
err-max-lease-short = non deve essere inferiore a lease_days
err-max-lease-alone = richiede lease_days
err-grace-needed = deve essere almeno 1 se le macchine scadute vengono eliminate: prima vengono spente
err-utf8 = deve essere un testo UTF-8 valido
err-one-line = deve stare su una sola riga
err-at-most = deve essere al massimo { $max }
err-windows-name = per una macchina Windows deve avere al massimo { $max } caratteri
err-windows-locale = i modelli Windows accettano uno di questi: { $tags }
err-totp-already = l'accesso a due fattori è già configurato
err-machine-is = la macchina è { $state }
err-no-lease = questa macchina non scade
err-extension-reason = questa proroga va oltre quanto previsto dal modello: spiega perché ti serve
err-lease-ended = la macchina è scaduta il { $date }: prima prorogala
err-totp-directory = il tuo account accede tramite la directory, che decide come
err-totp-not-begun = inizia prima a configurare l'accesso a due fattori
err-totp-wrong-code = non è il codice attuale della tua app di autenticazione
err-totp-none = questo account non ha l'accesso a due fattori
err-source-refused = il provider non può usare questa sorgente: { $detail }
err-not-your-password = non è la tua password
err-hypervisor-plain = l'hypervisor non è riuscito a farlo; un amministratore può consultarlo come errore { $id }
job-failed-plain = non riuscita: l'hypervisor non è riuscito a farlo; un amministratore può consultarlo come errore { $id }
job-retry-plain = nuovo tentativo in arrivo: l'hypervisor non è riuscito a farlo; un amministratore può consultarlo come errore { $id }

err-course-code-taken = un altro corso ha questo codice
err-no-template-id = nessun modello { $id }
err-course-not-empty = il corso ha ancora { $count } macchine o richieste in attesa: prima eliminale o decidile
err-course-quota-machines = la quota del corso consente { $limit } macchine, ne restano { $left }; ne servono { $count }
err-course-quota-cpus = la quota del corso consente { $limit } CPU, ne restano { $left }; { $count } macchine ne richiedono { $asked }
err-course-quota-memory = la quota del corso consente { $limit } MiB di memoria, ne restano { $left } MiB; { $count } macchine ne richiedono { $asked } MiB
err-course-quota-disk = la quota del corso consente { $limit } GiB di disco, ne restano { $left } GiB; { $count } macchine ne richiedono { $asked } GiB
err-csv-cells = ha più di tre campi (nome utente, nome visualizzato, e-mail)
err-date = deve essere una data, AAAA-MM-GG
err-is-teacher = { $name } è docente di questo corso
err-no-user = nessun utente { $name }
err-not-a-student = non sei iscritto a questo corso
err-not-course-template = non è un modello di questo corso
err-teacher-and-student = l'utente { $id } non può essere sia docente sia studente dello stesso corso

err-at-least = deve essere almeno { $min }
err-no-state-filter = questo elenco non ha un filtro per stato

err-roster-follows-group = gli studenti seguono il gruppo della directory { $group }: prima salva un elenco a mano
err-no-group = la directory non ha il gruppo { $group }
err-no-directory = il portale non ha una directory configurata
err-no-course-group = gli studenti del corso non seguono alcun gruppo
err-students-or-group = indica gli studenti o un ldap_group, non entrambi
err-snapshot-start = deve iniziare con una lettera minuscola
err-snapshot-chars = può contenere solo lettere minuscole, cifre e trattini bassi
err-snapshot-length = deve essere lungo da 2 a 40 caratteri
err-snapshot-reserved = è riservato dall'hypervisor
err-busy-snapshot = è in corso uno snapshot di questa macchina; riprova quando è finito
err-busy-revert = questa macchina sta tornando a uno snapshot; riprova quando è finito
err-identity-linked = è già collegata a un account
err-snapshots-disabled = gli snapshot sono disattivati per il modello di questa macchina
err-snapshots-full = questa macchina ha già { $kept } snapshot, quanti ne consente il suo modello: eliminane uno prima
err-snapshot-taken = questa macchina ha già uno snapshot con questo nome
err-snapshot-unusable = lo snapshot '{ $name }' è { $state }: non si può usare ora
