### Mots employés sur de nombreuses pages : le cadre, les en-têtes de tableau, les états, les champs, les dates.

skip-to-content = Aller au contenu
nav-label = Navigation principale
nav-my-machines = Mes machines
nav-request = Demander une machine
nav-requests = Demandes
nav-users = Utilisateurs
nav-templates = Modèles
nav-providers = Hyperviseurs
nav-drift = Écarts
nav-directory = Annuaire
nav-audit = Journal d'audit
nav-account-title = Mon compte ({ $username })
nav-sign-out = Se déconnecter

col-name = Nom
col-state = État
col-size = Taille
col-address = Adresse
col-progress = Progression
col-template = Modèle
col-asked = Demandée le
col-actions = Actions

field-username = Nom d'utilisateur
field-password = Mot de passe
field-email = Courriel
field-cpus = Processeurs
field-memory-mib = Mémoire (Mio)
field-disk-gib = Disque (Gio)

size = { $cpus } proc. · { $memory } Mio · { $disk } Gio
# Type, puis système : « machine virtuelle Linux ».
os-kind = { $kind } { $os }
used-of = { $used } sur { $total }
used-of-mib = { $used } sur { $total } Mio
used-of-gib = { $used } sur { $total } Gio
job-progress = { $kind } : { $state } ({ $percent } %)

yes = oui
no = non
none = aucun
none-yet = Aucune.
never = jamais
not-known-yet = pas encore connue
save = Enregistrer
form-correct-fields = Veuillez corriger les champs signalés ci-dessous.

request-state-pending = en attente
request-state-approved = approuvée
request-state-rejected = refusée
request-state-cancelled = annulée
machine-state-provisioning = en préparation
machine-state-running = allumée
machine-state-stopped = éteinte
machine-state-failed = en échec
machine-state-deleting = en cours de suppression
machine-state-deleted = supprimée
job-state-queued = en file d'attente
job-state-running = en cours
job-state-succeeded = réussie
job-state-failed = échouée
job-provision = création
job-start = démarrage
job-shutdown = arrêt
job-stop = extinction forcée
job-reboot = redémarrage
job-delete = suppression
job-reconcile = rapprochement
role-admin = administrateur
role-user = utilisateur
source-local = un mot de passe du portail
source-ldap = l'annuaire de l'établissement
kind-vm = machine virtuelle
kind-container = conteneur
os-linux = Linux
os-windows = Windows

date = { $day } { $month } { $year }
datetime = { $date } à { $time } UTC
month-1 = janv.
month-2 = févr.
month-3 = mars
month-4 = avr.
month-5 = mai
month-6 = juin
month-7 = juil.
month-8 = août
month-9 = sept.
month-10 = oct.
month-11 = nov.
month-12 = déc.

col-lease-ends = Fin du bail
col-machine = Machine
mib = { $n } Mio
gib = { $n } Gio
expiry-action-stop = arrêt
expiry-action-delete = suppression
notice-warning = fin du bail proche
notice-expired = bail terminé
notice-deleting = à supprimer
notice-idle-stop = arrêtée car inactive
job-cause-expiry = le bail a pris fin
job-cause-idle = la machine était inactive
nav-expiring = Baux à échéance

nav-courses = Cours
nav-my-courses = Mes cours
course-part-teacher = enseignant
course-part-student = élève

list-any = tous
list-state = { $state }
list-search = Rechercher
list-pages = Pages
list-first = Première
list-previous = Précédente
list-page-of = Page { $page } sur { $pages } ({ $total } en tout)
list-next = Suivante
list-last = Dernière
list-no-match = Aucun résultat.
nav-all-machines = Toutes les machines
nav-jobs = Tâches
