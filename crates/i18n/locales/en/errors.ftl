### Errors: the API's `message` and the pages' notices. Field messages follow the field's label.

err-unauthenticated = sign in first
err-bad-credentials = wrong username or password
err-forbidden = administrators only
err-session-only = this needs a signed-in session, not an API token
err-not-found = not found
err-invalid-input = invalid input
err-bad-request = the request could not be read: { $detail }
err-too-many-attempts = too many failed sign-ins; try again in { $seconds } seconds
err-directory-unavailable = the sign-in directory cannot be reached; try again later (local accounts still work)
err-directory-answer = the directory cannot be asked: { $detail }
err-internal = something went wrong on our side; try again later
err-json-field = has the wrong type: { $detail }

err-required = is required
err-too-long = must be at most { $max } { $max ->
    [one] character
   *[other] characters
}
err-too-short = must be at least { $min } characters
err-control-characters = must not contain control characters
err-only-spaces = must not be only spaces
err-between = must be between { $min } and { $max }
err-negative = must not be negative
err-whole-number = must be a whole number
err-one-of = must be one of: { $choices }
err-email = is not a valid e-mail address
err-username = must start with a lower-case letter and contain only a-z, 0-9, '.', '_' or '-'
err-username-taken = is already taken
err-hostname-chars = may contain only letters, digits and '-' (it becomes the machine's host name)
err-hostname-dash = must not start or end with '-'
err-hostname-digits = must not be only digits
err-ssh-key = must be one OpenSSH public key, e.g. "ssh-ed25519 AAAA... you@laptop"
err-token-days = must be between 1 and 730 days
err-locale = must be a language tag like fr-FR or en-US
err-shutdown-timeout = must be between 0 and 3600 seconds
err-no-provider = no provider is configured
err-template-name-taken = another template has this name
err-template-withdrawn = this template is not offered any more
err-no-such-template = no such template
err-language = must be one of the portal's languages
err-quota-machines = your quota allows { $allowed ->
    [one] one machine
   *[other] { $allowed } machines
} and you already have or asked for { $used }
err-quota-cpus = exceeds your CPU quota: { $left } left, { $asked } asked
err-quota-memory = exceeds your memory quota: { $left } MiB left, { $asked } MiB asked
err-quota-disk = exceeds your disk quota: { $left } GiB left, { $asked } GiB asked
err-wrong-current-password = is not your current password
err-password-in-directory = your account signs in through the directory; change your password there
err-reset-password-in-directory = this account signs in through the directory; change the password there
err-disable-self = you cannot disable your own account
err-demote-self = you cannot remove your own administrator role
err-already-decided = the request is already { $state }
err-machine-busy = another action on this machine is still in progress
err-machine-cannot = the machine is { $state }: it cannot { $action } now
err-credentials-not-ready = the machine's credentials are not ready yet
err-console-not-running = the machine is { $state }: its console opens only while it runs
err-console-unreachable = the console of this machine cannot be reached now

error-title-forbidden = Not allowed
error-title-not-found = Not found
error-title-conflict = Already decided
error-title-invalid = Invalid input
error-title-slow-down = Slow down
error-title-other = Something went wrong
error-back = Back to my machines

err-busy = the portal is busy; try again in a moment
err-totp-required = enter the code of your authenticator app (or a recovery code)
err-totp-setup-required = set up two-factor sign-in first (My account)
err-password-change-required = change your password first
err-unavailable = the service is temporarily unavailable; try again shortly
err-max-lease-short = must not be shorter than lease_days
err-max-lease-alone = needs lease_days
err-grace-needed = must be at least 1 when expired machines are deleted: they are stopped first
err-utf8 = must be valid UTF-8 text
err-one-line = must be one line
err-at-most = must be at most { $max }
err-windows-name = must be at most { $max } characters for a Windows machine
err-windows-locale = Windows templates take one of: { $tags }
err-totp-already = two-factor sign-in is already set up
err-machine-is = the machine is { $state }
err-no-lease = this machine does not expire
err-extension-reason = this extension goes beyond the template's policy: say why you need it
err-lease-ended = the lease ended on { $date }: extend it first
err-totp-directory = your account signs in through the directory, which decides how
err-totp-not-begun = start setting up two-factor sign-in first
err-totp-wrong-code = is not the current code of your authenticator
err-totp-none = this account has no two-factor sign-in
err-source-refused = the provider cannot use this source: { $detail }
err-not-your-password = is not your password
err-hypervisor-plain = the hypervisor could not do it; an administrator can look it up as error { $id }
job-failed-plain = failed: the hypervisor could not do it; an administrator can look it up as error { $id }
job-retry-plain = will retry: the hypervisor could not do it; an administrator can look it up as error { $id }

err-course-code-taken = another course has this code
err-no-template-id = no template { $id }
err-course-not-empty = the course still has { $count } machine(s) or pending request(s): delete or decide them first
err-course-quota-machines = the course quota allows { $limit } machines, { $left } left; { $count } needed
err-course-quota-cpus = the course quota allows { $limit } CPUs, { $left } left; { $count } machines need { $asked }
err-course-quota-memory = the course quota allows { $limit } MiB of memory, { $left } MiB left; { $count } machines need { $asked } MiB
err-course-quota-disk = the course quota allows { $limit } GiB of disk, { $left } GiB left; { $count } machines need { $asked } GiB
err-csv-cells = has more than three cells (username, display name, email)
err-date = must be a date, YYYY-MM-DD
err-is-teacher = { $name } is a teacher of this course
err-no-user = no user { $name }
err-not-a-student = you are not a student of this course
err-not-course-template = not a template of this course
err-teacher-and-student = user { $id } cannot be both a teacher and a student of one course

err-at-least = must be at least { $min }
err-no-state-filter = this list has no state filter

err-roster-follows-group = the students follow the directory group { $group }: save a roster by hand first
err-no-group = the directory has no group { $group }
err-no-directory = the portal has no directory configured
err-no-course-group = the course's students follow no group
err-students-or-group = give students or an ldap_group, not both
err-snapshot-start = must start with a lowercase letter
err-snapshot-chars = may hold only lowercase letters, digits and underscores
err-snapshot-length = must be 2 to 40 characters long
err-snapshot-reserved = is reserved by the hypervisor
err-busy-snapshot = a snapshot of this machine is being taken; try again when it is done
err-busy-revert = this machine is being reverted to a snapshot; try again when it is done
err-identity-linked = is already linked to an account
err-snapshots-disabled = snapshots are disabled for this machine's template
err-snapshots-full = this machine already keeps { $kept } snapshots, as many as its template allows: delete one first
err-snapshot-taken = this machine already has a snapshot with this name
err-snapshot-unusable = the snapshot '{ $name }' is { $state }: it cannot be used now
