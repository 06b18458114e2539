### Mail. Subjects are one line; what users typed only ever comes in as an argument.

notify-new-request = new request
notify-daily-digest = daily digest
notify-decision = decision on a request
notify-machine-ready = machine ready
notify-job-failed = action failed

mail-footer = Sent by vmportal. You can choose which e-mails you get on My account.
mail-decide = Decide on the portal
mail-open-portal = Open the portal
mail-open-machine = Open the machine's page
mail-purpose = Purpose: { $purpose }
mail-reason = Reason: { $reason }

mail-new-request-subject = New request: { $name } from { $user }
mail-new-request-body = { $user } asks for a machine named { $name } from the template { $template }.

mail-digest-subject = { $count ->
    [one] One request is waiting for a decision
   *[other] { $count } requests are waiting for a decision
}
mail-digest-body = { $count ->
    [one] This request is still waiting for a decision:
   *[other] These { $count } requests are still waiting for a decision:
}

mail-approved-subject = Your request { $name } was approved
mail-approved-body = Your request for the machine { $name } was approved. It is being built now; you will get another e-mail when it is ready.
mail-rejected-subject = Your request { $name } was rejected
mail-rejected-body = Your request for the machine { $name } was rejected.

mail-ready-subject = Your machine { $name } is ready
mail-ready-body = Your machine { $name } is built and running.
mail-ready-address = Address: { $address }
mail-ready-credentials = Its username and password are on its page in the portal, after you sign in.

mail-failed-subject = An action on { $name } failed
mail-failed-body = The { $action } of your machine { $name } failed.
mail-failed-error = What went wrong: { $error }
mail-failed-next = You can try again from the machine's page. If it fails again, tell an administrator: they see the details.

notify-lease = lease of a machine
mail-failed-error-id = An administrator can look up what went wrong as error { $id }.
mail-lease-warning-subject = The lease of { $name } ends on { $end }
mail-lease-warning-body = The lease of your machine { $name } ends on { $end }. It will then be stopped.
mail-lease-expired-subject = The lease of { $name } has ended
mail-lease-expired-body = The lease of your machine { $name } ended on { $end }. It is stopped and still counts toward your quota until it is deleted.
mail-lease-deleting-subject = { $name } is being deleted
mail-lease-deleting-body = The grace period of your machine { $name } is over: it is being deleted now.
mail-idle-stop-subject = { $name } was shut down
mail-idle-stop-body = Your machine { $name } sat idle and was shut down. Start it again from its page when you need it.
mail-lease-deleted-on = It will be deleted on { $when }.
mail-lease-extend = If you still need it, extend the lease on its page.
