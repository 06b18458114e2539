### Words used on many pages: the frame, table headings, states, fields, dates.

skip-to-content = Skip to content
nav-label = Main
nav-my-machines = My machines
nav-request = Request a machine
nav-requests = Requests
nav-users = Users
nav-templates = Templates
nav-providers = Providers
nav-drift = Drift
nav-directory = Directory
nav-audit = Audit log
nav-account-title = My account ({ $username })
nav-sign-out = Sign out

col-name = Name
col-state = State
col-size = Size
col-address = Address
col-progress = Progress
col-template = Template
col-asked = Asked
col-actions = Actions

field-username = Username
field-password = Password
field-email = E-mail
field-cpus = CPUs
field-memory-mib = Memory (MiB)
field-disk-gib = Disk (GiB)

# A machine's size in a table cell.
size = { $cpus } CPU · { $memory } MiB · { $disk } GiB
# Operating system, then kind: "linux virtual machine".
os-kind = { $os } { $kind }
used-of = { $used } of { $total }
used-of-mib = { $used } of { $total } MiB
used-of-gib = { $used } of { $total } GiB
# A job in a table cell: "provision: running (40%)".
job-progress = { $kind }: { $state } ({ $percent }%)

yes = yes
no = no
none = none
none-yet = None.
never = never
not-known-yet = not known yet
save = Save
form-correct-fields = Please correct the fields marked below.

request-state-pending = pending
request-state-approved = approved
request-state-rejected = rejected
request-state-cancelled = cancelled
machine-state-provisioning = provisioning
machine-state-running = running
machine-state-stopped = stopped
machine-state-failed = failed
machine-state-deleting = deleting
machine-state-deleted = deleted
job-state-queued = queued
job-state-running = running
job-state-succeeded = succeeded
job-state-failed = failed
job-provision = build
job-start = start
job-shutdown = shut down
job-stop = power off
job-reboot = reboot
job-delete = delete
job-reconcile = reconcile
role-admin = administrator
role-user = user
source-local = a portal password
source-ldap = the school directory
kind-vm = virtual machine
kind-container = container
os-linux = Linux
os-windows = Windows

# Dates: the portal's times are in UTC.
date = { $day } { $month } { $year }
datetime = { $date }, { $time } UTC
month-1 = Jan
month-2 = Feb
month-3 = Mar
month-4 = Apr
month-5 = May
month-6 = Jun
month-7 = Jul
month-8 = Aug
month-9 = Sep
month-10 = Oct
month-11 = Nov
month-12 = Dec

col-lease-ends = Lease ends
col-machine = Machine
mib = { $n } MiB
gib = { $n } GiB
expiry-action-stop = stop
expiry-action-delete = delete
notice-warning = lease ends soon
notice-expired = lease ended
notice-deleting = to be deleted
notice-idle-stop = stopped while idle
job-cause-expiry = the lease ended
job-cause-idle = the machine sat idle
nav-expiring = Expiring

nav-courses = Courses
nav-my-courses = My courses
course-part-teacher = teacher
course-part-student = student

list-any = any
list-state = { $state }
list-search = Search
list-pages = Pages
list-first = First
list-previous = Previous
list-page-of = Page { $page } of { $pages } ({ $total } in all)
list-next = Next
list-last = Last
list-no-match = Nothing matches.
nav-all-machines = All machines
nav-jobs = Jobs
job-snapshot = snapshot
job-revert-snapshot = revert to a snapshot
job-delete-snapshot = snapshot deletion
source-oidc = single sign-on
