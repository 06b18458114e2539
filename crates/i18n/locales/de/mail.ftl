### E-Mails. Betreffzeilen sind einzeilig; was Benutzer eingegeben haben, kommt nur als Argument.

notify-new-request = neuer Antrag
notify-daily-digest = tägliche Übersicht
notify-decision = Entscheidung über einen Antrag
notify-machine-ready = Maschine bereit
notify-job-failed = Aktion fehlgeschlagen

mail-footer = Gesendet von vmportal. Unter „Mein Konto“ wählen Sie, welche E-Mails Sie erhalten.
mail-decide = Im Portal entscheiden
mail-open-portal = Portal öffnen
mail-open-machine = Seite der Maschine öffnen
mail-purpose = Zweck: { $purpose }
mail-reason = Begründung: { $reason }

mail-new-request-subject = Neuer Antrag: { $name } von { $user }
mail-new-request-body = { $user } beantragt eine Maschine namens { $name } aus der Vorlage { $template }.

mail-digest-subject = { $count ->
    [one] Ein Antrag wartet auf eine Entscheidung
   *[other] { $count } Anträge warten auf eine Entscheidung
}
mail-digest-body = { $count ->
    [one] Dieser Antrag wartet noch auf eine Entscheidung:
   *[other] Diese { $count } Anträge warten noch auf eine Entscheidung:
}

mail-approved-subject = Ihr Antrag { $name } wurde genehmigt
mail-approved-body = Ihr Antrag auf die Maschine { $name } wurde genehmigt. Sie wird jetzt eingerichtet; Sie erhalten eine weitere E-Mail, sobald sie bereit ist.
mail-rejected-subject = Ihr Antrag { $name } wurde abgelehnt
mail-rejected-body = Ihr Antrag auf die Maschine { $name } wurde abgelehnt.

mail-ready-subject = Ihre Maschine { $name } ist bereit
mail-ready-body = Ihre Maschine { $name } ist eingerichtet und läuft.
mail-ready-address = Adresse: { $address }
mail-ready-credentials = Benutzername und Passwort finden Sie nach der Anmeldung auf ihrer Seite im Portal.

mail-failed-subject = Eine Aktion auf { $name } ist fehlgeschlagen
mail-failed-body = { $action } Ihrer Maschine { $name } ist fehlgeschlagen.
mail-failed-error = Was schiefging: { $error }
mail-failed-next = Sie können es auf der Seite der Maschine erneut versuchen. Schlägt es wieder fehl, wenden Sie sich an einen Administrator: Er sieht die Einzelheiten.

notify-lease = Laufzeit einer Maschine
mail-failed-error-id = Ein Administrator kann den Fehler unter { $id } nachschlagen.
mail-lease-warning-subject = Die Laufzeit von { $name } endet am { $end }
mail-lease-warning-body = Die Laufzeit Ihrer Maschine { $name } endet am { $end }. Sie wird dann ausgeschaltet.
mail-lease-expired-subject = Die Laufzeit von { $name } ist abgelaufen
mail-lease-expired-body = Die Laufzeit Ihrer Maschine { $name } ist am { $end } abgelaufen. Sie ist ausgeschaltet und zählt zu Ihrem Kontingent, bis sie gelöscht wird.
mail-lease-deleting-subject = { $name } wird gelöscht
mail-lease-deleting-body = Die Karenzzeit Ihrer Maschine { $name } ist vorbei: Sie wird jetzt gelöscht.
mail-idle-stop-subject = { $name } wurde ausgeschaltet
mail-idle-stop-body = Ihre Maschine { $name } war untätig und wurde ausgeschaltet. Starten Sie sie auf ihrer Seite neu, wenn Sie sie brauchen.
mail-lease-deleted-on = Sie wird am { $when } gelöscht.
mail-lease-extend = Wenn Sie sie noch brauchen, verlängern Sie die Laufzeit auf ihrer Seite.
