### Posta. Gli oggetti stanno su una riga; ciò che scrivono gli utenti arriva solo come argomento.

notify-new-request = nuova richiesta
notify-daily-digest = riepilogo giornaliero
notify-decision = decisione su una richiesta
notify-machine-ready = macchina pronta
notify-job-failed = operazione non riuscita

mail-footer = Inviato da vmportal. Puoi scegliere quali e-mail ricevere in «Il mio account».
mail-decide = Decidi sul portale
mail-open-portal = Apri il portale
mail-open-machine = Apri la pagina della macchina
mail-purpose = Motivazione: { $purpose }
mail-reason = Motivo: { $reason }

mail-new-request-subject = Nuova richiesta: { $name } da { $user }
mail-new-request-body = { $user } chiede una macchina di nome { $name } dal modello { $template }.

mail-digest-subject = { $count ->
    [one] Una richiesta attende una decisione
   *[other] { $count } richieste attendono una decisione
}
mail-digest-body = { $count ->
    [one] Questa richiesta attende ancora una decisione:
   *[other] Queste { $count } richieste attendono ancora una decisione:
}

mail-approved-subject = La tua richiesta { $name } è stata approvata
mail-approved-body = La tua richiesta per la macchina { $name } è stata approvata. La macchina è in preparazione: riceverai un'altra e-mail quando sarà pronta.
mail-rejected-subject = La tua richiesta { $name } è stata respinta
mail-rejected-body = La tua richiesta per la macchina { $name } è stata respinta.

mail-ready-subject = La tua macchina { $name } è pronta
mail-ready-body = La tua macchina { $name } è stata creata ed è accesa.
mail-ready-address = Indirizzo: { $address }
mail-ready-credentials = Nome utente e password si trovano nella sua pagina sul portale, dopo l'accesso.

mail-failed-subject = Un'operazione su { $name } non è riuscita
mail-failed-body = L'operazione «{ $action }» sulla tua macchina { $name } non è riuscita.
mail-failed-error = Che cosa è successo: { $error }
mail-failed-next = Puoi riprovare dalla pagina della macchina. Se non riesce di nuovo, avvisa un amministratore: vede i dettagli.

notify-lease = scadenza di una macchina
mail-failed-error-id = Un amministratore può consultare cosa è successo come errore { $id }.
mail-lease-warning-subject = { $name } scade il { $end }
mail-lease-warning-body = La tua macchina { $name } scade il { $end }. Verrà allora spenta.
mail-lease-expired-subject = { $name } è scaduta
mail-lease-expired-body = La tua macchina { $name } è scaduta il { $end }. È spenta e conta ancora nella tua quota finché non viene eliminata.
mail-lease-deleting-subject = { $name } sta per essere eliminata
mail-lease-deleting-body = Il periodo di tolleranza della tua macchina { $name } è finito: ora viene eliminata.
mail-idle-stop-subject = { $name } è stata spenta
mail-idle-stop-body = La tua macchina { $name } era inattiva ed è stata spenta. Riavviala dalla sua pagina quando ti serve.
mail-lease-deleted-on = Verrà eliminata il { $when }.
mail-lease-extend = Se ti serve ancora, prorogala dalla sua pagina.
