### The pages every user sees.

login-title = Sign in
login-submit = Sign in

dash-title = My machines
dash-quota = Quota
dash-quota-machines = Machines
dash-quota-cpus = CPUs
dash-quota-memory = Memory
dash-quota-disk = Disk
dash-quota-hint = Pending requests count against your quota, and so do machines stopped because their lease ended, until they are deleted.
dash-machines = Machines
dash-no-machines = No machines yet.
dash-request-one = Request one; an administrator approves it, then it is built for you.
dash-requests = Requests
dash-no-requests = You have not asked for a machine yet.
dash-cancel = Cancel

req-title = Request a machine
req-catalogue-empty = The catalogue is empty: an administrator has to add a template first.
req-left-machines = Left in your quota: { $count ->
    [one] one machine,
   *[other] { $count } machines,
}
req-left-resources = { $cpus } CPUs, { $memory } MiB memory, { $disk } GiB disk.
req-template = Template
req-up-to = Up to { $cpus } CPUs, { $memory } MiB, { $disk } GiB.
req-name = Name
req-name-help = Becomes the host name: letters, digits and '-'.
req-purpose = Purpose
req-send = Send request

machine-owner = Owner
machine-provider = Provider
machine-node = node { $node }
machine-created = Created
machine-last-error = Last error
machine-sign-in = Sign in to the machine
machine-protocol = Protocol
machine-host = Host
machine-port = Port
machine-show-password = Show the password
machine-in-progress = In progress: { $kind }
machine-last-action = Last action: { $kind }
machine-start = Start
machine-console = Console
machine-shutdown = Shut down
machine-reboot = Reboot
machine-power-off = Power off
machine-delete = Delete…

delete-title = Delete { $name }
delete-question = Delete { $name }?
delete-warning = This cannot be undone
delete-explain = The machine is powered off and its disk is destroyed, with every file on it. It counts against { $owner }'s quota until the deletion ends.
delete-confirm = Delete { $name } for good
delete-keep = Keep it

console-title = Console of { $name }
console-of = Console of
console-connecting = Connecting…
console-connected = Connected.
console-closed = The console closed.
console-cut-off = The console was cut off.
console-failed = The console cannot open:

account-title = My account
account-name = Name
account-role = Role
account-signs-in-with = Signs in with
account-password-changed = Your password was changed; your other sessions have ended.

prefs-title = Language and e-mail
prefs-language = Language
prefs-language-browser = As my browser asks
prefs-mail = Send me an e-mail when
prefs-new-request = someone requests a machine (to approve)
prefs-daily-digest = instead, once a day: the requests waiting for a decision
prefs-decision = my request is approved or rejected
prefs-machine-ready = my machine is ready
prefs-job-failed = an action on my machine failed
prefs-save = Save preferences

ssh-title = SSH public key
ssh-hint = Machines built for you from now on accept this key for your login, besides the password.
ssh-key = Public key
ssh-save = Save key

tokens-title = API tokens
# Markup allowed here (no variables): it is shown as HTML.
tokens-hint = For scripts: send <code>Authorization: Bearer &lt;token&gt;</code> to <code>/api/v1</code>. A token acts as you, except that it cannot make tokens, change your password or sign out.
tokens-new = Your new token. Copy it now: it is not shown again.
tokens-none = No tokens.
tokens-made = Made
tokens-last-used = Last used
tokens-expires = Expires
tokens-revoke = Revoke
tokens-name-example = grading script
tokens-expires-days = Expires after (days)
tokens-expires-help = 1 to 730; empty for a token that lives until you revoke it.
tokens-make = Make a token

password-title = Change password
password-current = Current password
password-new = New password
password-help = At least 10 characters. Your other sessions end.

account-must-change = Your password was set by someone else. Choose your own below to go on.
tokens-password = Your password
totp-title = Two-factor sign-in
totp-recovery-intro = Two-factor sign-in is on. Keep these recovery codes somewhere safe: each works once in place of a code, and they are not shown again.
totp-on = On: signing in asks for a code of your authenticator app after the password. If you lose it, use a recovery code, or ask an administrator to remove it.
totp-scan = Scan this QR code with an authenticator app, or type the secret into it; then enter the code it shows.
totp-qr-label = QR code of the secret
totp-secret = Secret:
totp-code = Code
totp-turn-on = Turn on
totp-off = Off: a password alone signs you in. An authenticator app adds a code that changes every 30 seconds.
totp-begin = Set up two-factor sign-in
prefs-lease = the lease of my machine ends soon or has ended
lease-banner-idle = This machine was shut down on { $when } because it sat idle.
lease-banner-warning = The lease ends on { $end }: the machine will then be stopped. Extend it below if you still need it.
lease-banner-warning-delete = The lease ends on { $end }: the machine will then be stopped, and deleted on { $deleted }. Extend it below if you still need it.
lease-banner-expired = The lease ended on { $end }: the machine is stopped and still counts toward your quota until it is deleted. Extend the lease to use it again.
lease-banner-expired-delete = The lease ended on { $end }: the machine is stopped and still counts toward your quota until it is deleted. It will be deleted on { $deleted }. Extend the lease to use it again.
machine-lease-then = then { $action }
machine-deleted-from = deleted from
machine-error-id = error { $id }
machine-show-credentials = Show the sign-in details
machine-credentials-recorded = Each look at the password is recorded.
extend-title = Extend the lease
extend-days = Days
extend-reason = Reason (needed beyond what the template allows)
extend-submit = Extend
login-as = Signing in as { $username }.
login-code = Code of your authenticator app (or a recovery code)
login-too-long = the sign-in took too long; start again

console-connected-view-only = Connected, view only.
req-course = For a course
req-course-none = No: for myself
req-course-help = A course request is decided by the course's teachers and counts against the course's quota.
courses-none = No courses yet.
courses-none-for-you = No courses for you yet.
course-code = Code
course-term-ends = Term ends
course-you-are = You are
course-part-admin = administrator
course-new = New course
course-code-help = Letters, digits and '-': it starts the name of every student's machine.
course-term-end-field = Term ends (YYYY-MM-DD, optional)
course-quota = Quota for the whole course
course-teacher = Teacher (username)
course-create = Create the course
course-quota-of = Quota for the course: { $machines ->
    [one] one machine
   *[other] { $machines } machines
}, { $size }.
course-size = { $cpus } CPUs, { $memory } MiB, { $disk } GiB
course-term-ends-on = The term ends on { $date }.
course-new-accounts = New accounts
course-passwords-once = These passwords are shown once: hand them to the students now.
course-directory-password = (directory password)
course-deployment = Deployment { $id }
course-deployment-progress = { $done } of { $total } done, { $failed } failed,
course-deployment-running = { $count } in progress.
course-refresh = Refresh
course-machine-failed = failed: { $error }
course-machines = Students' machines
course-machines-none = None yet.
course-student = Student
course-screen = Screen
course-view-screen = View screen
course-deploy-title = Deploy a machine to every student
course-no-template = No template is offered to this course.
course-up-to = up to { $cpus } CPUs, { $memory } MiB, { $disk } GiB
course-deploy-hint = Students who already have a machine in this course get no second one.
course-deploy = Deploy
course-roster = Roster
course-teachers = Teachers:
course-students = Students ({ $count }):
course-add-students = Add students: one per line,
course-add-help = Accounts that do not exist are created: from the directory when it knows the name, otherwise local ones with a password shown once.
course-add = Add

machines-find = Find a machine
machines-none = No machines.

dash-all-machines = All { $total } of my machines
dash-newest-requests = The { $shown } newest of { $total } requests, pending first.
snap-title = Snapshots
snap-hint = A snapshot keeps the machine as it is now (a running machine with its memory); reverting brings it back and loses what changed since. This machine may keep { $max }.
snap-col-description = Description
snap-col-taken = Taken
snap-with-memory = with memory
snap-revert = Revert
snap-delete = Delete
snap-name = Name (lowercase letters, digits, _)
snap-take = Take a snapshot
snap-state-creating = being taken
snap-state-ready = ready
snap-state-deleting = being deleted
sso-button = Sign in with { $provider }
sso-unavailable = { $provider } cannot be reached; try again later
sso-denied = { $provider } did not sign you in
sso-rejected = the sign-in with { $provider } could not be verified; start again
