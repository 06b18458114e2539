### The administrators' pages.

admin-requests-none = No requests yet.
admin-requests-user = User
admin-requests-decision = Decision
admin-requests-approve = Approve
admin-requests-reject = Reject
admin-requests-reason = Reason
admin-requests-reason-for = Reason for rejecting { $name }
admin-requests-by = by { $name }

users-created = Account { $name } created. Its password is shown this once:
users-source = Source
users-status = Status
users-disabled = disabled
users-active = active
users-new = New local account
users-display-name = Display name
users-password-help = Leave empty to generate a strong one.
users-create = Create account

user-new-password = New password, shown this once. Every session of this user has been ended.
user-account = Account
user-quota = Quota (empty: the role's default)
user-in-use-machines = In use: { $count ->
    [one] one machine,
   *[other] { $count } machines,
}
user-in-use-resources = { $cpus } CPUs, { $memory } MiB, { $disk } GiB.
user-enable = Enable account
user-disable = Disable account
user-reset-password = Reset password

tpl-new = New template
tpl-edit = Edit template
tpl-none = The catalogue is empty.
tpl-kind = Kind
tpl-source = Source
tpl-default = Default
tpl-maximum = Maximum
tpl-offered = Offered
tpl-no-provider = No provider is configured: add one to the configuration file first.
tpl-description = Description
tpl-os = OS
tpl-source-help = libvirt: the base volume; Proxmox: the template's vmid or an OS template archive.
tpl-default-size = Default size
tpl-maximum-size = Maximum size
tpl-shutdown-timeout = Shutdown timeout (seconds before a hard stop)
tpl-locale = Locale and keyboard (Windows guests)
tpl-locale-help = A language tag like fr-FR (French, AZERTY keyboard); empty for the image's own.
tpl-enabled = Offered in the catalogue
tpl-save = Save template

# Markup allowed here (no variables): it is shown as HTML.
providers-none = No provider is configured. Add a <code>[[providers]]</code> entry to the configuration file.
providers-reachable = Reachable

drift-hint = What the last reconciliation found on each hypervisor. States changed outside the portal (a guest shut down from inside) are corrected on their own; these need an administrator.
drift-none = None: every hypervisor matches the portal's records.
drift-kind = Kind
drift-machine = Machine
drift-external-id = Hypervisor id
drift-found = Found
drift-missing = gone from the hypervisor
drift-unknown = unknown to the portal

directory-title = Sign-in directory
# Markup allowed here (no variables): it is shown as HTML.
directory-none = No directory is configured: only local accounts sign in. Add an <code>[ldap]</code> section to the configuration file to let people sign in with their directory account.
directory-help = Shows what this name resolves to, without a password: a test of the directory settings.
directory-look-up = Look up
directory-caption = What { $username } resolves to
directory-groups = Groups
directory-no-role = none: in no allowed group, cannot sign in
directory-missing = The directory has no entry for "{ $username }".

audit-when = When
audit-who = Who
audit-from = From
audit-action = Action
audit-object = Object
audit-detail = Detail

mail-title = Mail
mail-relay = Notifications are sent through { $relay }.
# Markup allowed here (no variables): it is shown as HTML.
mail-off = Mail is off: the configuration has no <code>[mail]</code> section, so nobody is told of requests, decisions or failures by e-mail.
mail-no-failures = No delivery has failed.
mail-failures = Deliveries given up after every retry
mail-recipient = Recipient
mail-attempts = Tries

expiring-title = Expiring machines
expiring-intro = Machines whose lease ends within 30 days, or has ended, soonest first. Change a lease with
expiring-all = all
expiring-filter = Filter
expiring-none = No lease ends within 30 days.
expiring-then = Then
expiring-deleted-from = Deleted from
expiring-kept = kept
hosts-of = Hosts of { $provider }
hosts-host = Host
hosts-guests = Guests
hosts-free-memory = Free memory
hosts-free-disk = Free disk
user-totp-reset = Remove two-factor sign-in
tpl-lease = Lease
tpl-lease-help = Empty lease: machines do not expire. At expiry a machine is always shut down first; it is deleted only after the grace period.
tpl-lease-days = Lease (days)
tpl-max-lease-days = Longest life (days)
tpl-extend-days = Owner may extend by (days)
tpl-expiry-action = At expiry
tpl-expiry-stop = stop (delete after the grace period, if any)
tpl-expiry-delete = stop, then delete after the grace period
tpl-grace-days = Grace period (days)
tpl-idle-stop = Idle shutdown (minutes)
tpl-idle-off = off

audit-find = Find an event
drift-find = Find a machine or guest
requests-find = Find a request
jobs-find = Machine or owner
users-find = Find a user
jobs-none = No jobs.
jobs-job = Job
jobs-updated = Updated
tpl-max-snapshots = Snapshots an owner may keep (0 disables them)
