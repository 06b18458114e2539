### Le pagine degli amministratori.

admin-requests-none = Ancora nessuna richiesta.
admin-requests-user = Utente
admin-requests-decision = Decisione
admin-requests-approve = Approva
admin-requests-reject = Respingi
admin-requests-reason = Motivo
admin-requests-reason-for = Motivo per respingere { $name }
admin-requests-by = da { $name }

users-created = Account { $name } creato. La sua password viene mostrata solo ora:
users-source = Origine
users-status = Stato
users-disabled = disattivato
users-active = attivo
users-new = Nuovo account locale
users-display-name = Nome visualizzato
users-password-help = Lascia vuoto per generarne una sicura.
users-create = Crea l'account

user-new-password = Nuova password, mostrata solo ora. Tutte le sessioni di questo utente sono state chiuse.
user-account = Account
user-quota = Quota (vuoto: quella predefinita del ruolo)
user-in-use-machines = In uso: { $count ->
    [one] una macchina,
   *[other] { $count } macchine,
}
user-in-use-resources = { $cpus } CPU, { $memory } MiB, { $disk } GiB.
user-enable = Riattiva l'account
user-disable = Disattiva l'account
user-reset-password = Reimposta la password

tpl-new = Nuovo modello
tpl-edit = Modifica il modello
tpl-none = Il catalogo è vuoto.
tpl-kind = Tipo
tpl-source = Sorgente
tpl-default = Predefinite
tpl-maximum = Massime
tpl-offered = Offerto
tpl-no-provider = Non è configurato alcun hypervisor: aggiungine uno nel file di configurazione.
tpl-description = Descrizione
tpl-os = Sistema operativo
tpl-source-help = libvirt: il volume di base; Proxmox: il vmid del modello o un archivio di modello del sistema operativo.
tpl-default-size = Dimensioni predefinite
tpl-maximum-size = Dimensioni massime
tpl-shutdown-timeout = Attesa per l'arresto (secondi prima dello spegnimento forzato)
tpl-locale = Lingua e tastiera (macchine Windows)
tpl-locale-help = Un codice di lingua come it-IT (italiano, tastiera italiana); vuoto per lasciare quella dell'immagine.
tpl-enabled = Offerto nel catalogo
tpl-save = Salva il modello

providers-none = Non è configurato alcun hypervisor. Aggiungi una voce <code>[[providers]]</code> al file di configurazione.
providers-reachable = Raggiungibile

drift-hint = Ciò che l'ultimo riallineamento ha trovato su ogni hypervisor. Gli stati cambiati fuori dal portale (una macchina spenta dall'interno) si correggono da soli; questi richiedono un amministratore.
drift-none = Nessuna: ogni hypervisor corrisponde ai dati del portale.
drift-kind = Tipo
drift-machine = Macchina
drift-external-id = Id nell'hypervisor
drift-found = Rilevata il
drift-missing = sparita dall'hypervisor
drift-unknown = sconosciuta al portale

directory-title = Directory per l'accesso
directory-none = Non è configurata alcuna directory: accedono solo gli account locali. Aggiungi una sezione <code>[ldap]</code> al file di configurazione per far accedere le persone con il loro account della directory.
directory-help = Mostra a cosa corrisponde questo nome, senza password: una prova delle impostazioni della directory.
directory-look-up = Cerca
directory-caption = A cosa corrisponde { $username }
directory-groups = Gruppi
directory-no-role = nessuno: non è in alcun gruppo ammesso, non può accedere
directory-missing = La directory non ha alcuna voce per "{ $username }".

audit-when = Quando
audit-who = Chi
audit-from = Da
audit-action = Azione
audit-object = Oggetto
audit-detail = Dettaglio

mail-title = Posta
mail-relay = Le notifiche vengono inviate tramite { $relay }.
mail-off = La posta è disattivata: la configurazione non ha una sezione <code>[mail]</code>, quindi nessuno riceve e-mail su richieste, decisioni o errori.
mail-no-failures = Nessun invio non riuscito.
mail-failures = Invii abbandonati dopo tutti i tentativi
mail-recipient = Destinatario
mail-attempts = Tentativi

expiring-title = Macchine in scadenza
expiring-intro = Macchine che scadono entro 30 giorni o già scadute, dalla più vicina. Per cambiare una scadenza:
expiring-all = tutti
expiring-filter = Filtra
expiring-none = Nessuna macchina scade entro 30 giorni.
expiring-then = Poi
expiring-deleted-from = Eliminata dal
expiring-kept = conservata
hosts-of = Host di { $provider }
hosts-host = Host
hosts-guests = Macchine ospitate
hosts-free-memory = Memoria libera
hosts-free-disk = Disco libero
user-totp-reset = Rimuovi l'accesso a due fattori
tpl-lease = Scadenza
tpl-lease-help = Senza scadenza le macchine non scadono. Alla scadenza una macchina viene sempre prima spenta; viene eliminata solo dopo il periodo di tolleranza.
tpl-lease-days = Durata (giorni)
tpl-max-lease-days = Durata massima (giorni)
tpl-extend-days = Il proprietario può prorogare di (giorni)
tpl-expiry-action = Alla scadenza
tpl-expiry-stop = spegnere (eliminare dopo il periodo di tolleranza, se previsto)
tpl-expiry-delete = spegnere, poi eliminare dopo il periodo di tolleranza
tpl-grace-days = Periodo di tolleranza (giorni)
tpl-idle-stop = Spegnimento per inattività (minuti)
tpl-idle-off = disattivato

audit-find = Cerca un evento
drift-find = Cerca una macchina o un guest
requests-find = Cerca una richiesta
jobs-find = Macchina o proprietario
users-find = Cerca un utente
jobs-none = Nessuna operazione.
jobs-job = Operazione
jobs-updated = Aggiornata
tpl-max-snapshots = Snapshot che il proprietario può conservare (0 li disattiva)
