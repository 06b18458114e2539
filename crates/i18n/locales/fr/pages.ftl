### Les pages que voit chaque utilisateur.

login-title = Connexion
login-submit = Se connecter

dash-title = Mes machines
dash-quota = Quota
dash-quota-machines = Machines
dash-quota-cpus = Processeurs
dash-quota-memory = Mémoire
dash-quota-disk = Disque
dash-quota-hint = Les demandes en attente comptent dans votre quota, tout comme les machines arrêtées parce que leur bail a pris fin, jusqu'à leur suppression.
dash-machines = Machines
dash-no-machines = Vous n'avez encore aucune machine.
dash-request-one = Demandez-en une : un administrateur l'approuve, puis elle est créée pour vous.
dash-requests = Demandes
dash-no-requests = Vous n'avez encore demandé aucune machine.
dash-cancel = Annuler

req-title = Demander une machine
req-catalogue-empty = Le catalogue est vide : un administrateur doit d'abord ajouter un modèle.
# En français, 0 prend le singulier : « aucune » le dit mieux.
req-left-machines = Il vous reste : { $count ->
    [0] aucune machine,
    [one] une machine,
   *[other] { $count } machines,
}
req-left-resources = { $cpus } processeurs, { $memory } Mio de mémoire, { $disk } Gio de disque.
req-template = Modèle
req-up-to = Jusqu'à { $cpus } processeurs, { $memory } Mio, { $disk } Gio.
req-name = Nom
req-name-help = Devient le nom d'hôte : lettres, chiffres et « - ».
req-purpose = Motif
req-send = Envoyer la demande

machine-owner = Propriétaire
machine-provider = Hyperviseur
machine-node = nœud { $node }
machine-created = Créée le
machine-last-error = Dernière erreur
machine-sign-in = Se connecter à la machine
machine-protocol = Protocole
machine-host = Hôte
machine-port = Port
machine-show-password = Afficher le mot de passe
machine-in-progress = En cours : { $kind }
machine-last-action = Dernière opération : { $kind }
machine-start = Démarrer
machine-console = Console
machine-shutdown = Arrêter
machine-reboot = Redémarrer
machine-power-off = Forcer l'extinction
machine-delete = Supprimer…

delete-title = Supprimer { $name }
delete-question = Supprimer { $name } ?
delete-warning = Cette opération est irréversible
delete-explain = La machine est éteinte et son disque détruit, avec tous les fichiers qu'il contient. Elle compte dans le quota de { $owner } jusqu'à la fin de la suppression.
delete-confirm = Supprimer { $name } définitivement
delete-keep = La garder

console-title = Console de { $name }
console-of = Console de
console-connecting = Connexion…
console-connected = Connecté.
console-closed = La console s'est fermée.
console-cut-off = La connexion à la console a été coupée.
console-failed = Impossible d'ouvrir la console :

account-title = Mon compte
account-name = Nom
account-role = Rôle
account-signs-in-with = Se connecte avec
account-password-changed = Votre mot de passe a été changé ; vos autres sessions ont été fermées.

prefs-title = Langue et courriels
prefs-language = Langue
prefs-language-browser = Celle que demande mon navigateur
prefs-mail = M'envoyer un courriel quand
prefs-new-request = quelqu'un demande une machine (à approuver)
prefs-daily-digest = plutôt, une fois par jour : les demandes en attente de décision
prefs-decision = ma demande est approuvée ou refusée
prefs-machine-ready = ma machine est prête
prefs-job-failed = une opération sur ma machine a échoué
prefs-save = Enregistrer les préférences

ssh-title = Clé publique SSH
ssh-hint = Les machines créées pour vous à partir de maintenant acceptent cette clé pour votre connexion, en plus du mot de passe.
ssh-key = Clé publique
ssh-save = Enregistrer la clé

tokens-title = Jetons d'API
tokens-hint = Pour les scripts : envoyez <code>Authorization: Bearer &lt;jeton&gt;</code> à <code>/api/v1</code>. Un jeton agit en votre nom, sauf qu'il ne peut ni créer de jetons, ni changer votre mot de passe, ni vous déconnecter.
tokens-new = Votre nouveau jeton. Copiez-le maintenant : il ne sera plus affiché.
tokens-none = Aucun jeton.
tokens-made = Créé le
tokens-last-used = Dernière utilisation
tokens-expires = Expire le
tokens-revoke = Révoquer
tokens-name-example = script de correction
tokens-expires-days = Expire après (jours)
tokens-expires-help = De 1 à 730 ; vide pour un jeton valable jusqu'à ce que vous le révoquiez.
tokens-make = Créer un jeton

password-title = Changer le mot de passe
password-current = Mot de passe actuel
password-new = Nouveau mot de passe
password-help = Au moins 10 caractères. Vos autres sessions sont fermées.

account-must-change = Votre mot de passe a été défini par quelqu'un d'autre. Choisissez le vôtre ci-dessous pour continuer.
tokens-password = Votre mot de passe
totp-title = Connexion à deux facteurs
totp-recovery-intro = La connexion à deux facteurs est activée. Gardez ces codes de secours en lieu sûr : chacun remplace un code une seule fois, et ils ne seront plus affichés.
totp-on = Activée : après le mot de passe, la connexion demande un code de votre application d'authentification. Si vous la perdez, utilisez un code de secours ou demandez à un administrateur de la retirer.
totp-scan = Scannez ce code QR avec une application d'authentification, ou saisissez-y le secret ; puis entrez le code qu'elle affiche.
totp-qr-label = Code QR du secret
totp-secret = Secret :
totp-code = Code
totp-turn-on = Activer
totp-off = Désactivée : le mot de passe seul suffit pour se connecter. Une application d'authentification ajoute un code qui change toutes les 30 secondes.
totp-begin = Configurer la connexion à deux facteurs
prefs-lease = le bail de ma machine arrive à échéance ou a pris fin
lease-banner-idle = Cette machine a été arrêtée le { $when } car elle était inactive.
lease-banner-warning = Le bail prend fin le { $end } : la machine sera alors arrêtée. Prolongez-le ci-dessous si vous en avez encore besoin.
lease-banner-warning-delete = Le bail prend fin le { $end } : la machine sera alors arrêtée, puis supprimée le { $deleted }. Prolongez-le ci-dessous si vous en avez encore besoin.
lease-banner-expired = Le bail a pris fin le { $end } : la machine est arrêtée et compte dans votre quota jusqu'à sa suppression. Prolongez le bail pour l'utiliser à nouveau.
lease-banner-expired-delete = Le bail a pris fin le { $end } : la machine est arrêtée et compte dans votre quota jusqu'à sa suppression. Elle sera supprimée le { $deleted }. Prolongez le bail pour l'utiliser à nouveau.
machine-lease-then = puis { $action }
machine-deleted-from = supprimée à partir du
machine-error-id = erreur { $id }
machine-show-credentials = Afficher les informations de connexion
machine-credentials-recorded = Chaque consultation du mot de passe est enregistrée.
extend-title = Prolonger le bail
extend-days = Jours
extend-reason = Motif (nécessaire au-delà de ce que permet le modèle)
extend-submit = Prolonger
login-as = Connexion en tant que { $username }.
login-code = Code de votre application d'authentification (ou un code de secours)
login-too-long = la connexion a pris trop de temps ; recommencez

console-connected-view-only = Connecté, en lecture seule.
req-course = Pour un cours
req-course-none = Non : pour moi
req-course-help = Une demande pour un cours est décidée par les enseignants du cours et compte dans le quota du cours.
courses-none = Aucun cours pour l'instant.
courses-none-for-you = Aucun cours pour vous pour l'instant.
course-code = Code
course-term-ends = Fin du trimestre
course-you-are = Vous êtes
course-part-admin = administrateur
course-new = Nouveau cours
course-code-help = Lettres, chiffres et '-' : il commence le nom de la machine de chaque élève.
course-term-end-field = Fin du trimestre (AAAA-MM-JJ, facultatif)
course-quota = Quota pour tout le cours
course-teacher = Enseignant (identifiant)
course-create = Créer le cours
course-quota-of = Quota du cours : { $machines ->
    [one] une machine
   *[other] { $machines } machines
}, { $size }.
course-size = { $cpus } CPU, { $memory } Mio, { $disk } Gio
course-term-ends-on = Le trimestre se termine le { $date }.
course-new-accounts = Nouveaux comptes
course-passwords-once = Ces mots de passe ne sont affichés qu'une fois : remettez-les aux élèves maintenant.
course-directory-password = (mot de passe de l'annuaire)
course-deployment = Déploiement { $id }
course-deployment-progress = { $done } sur { $total } terminées, { $failed } en échec,
course-deployment-running = { $count } en cours.
course-refresh = Actualiser
course-machine-failed = échec : { $error }
course-machines = Machines des élèves
course-machines-none = Aucune pour l'instant.
course-student = Élève
course-screen = Écran
course-view-screen = Voir l'écran
course-deploy-title = Déployer une machine pour chaque élève
course-no-template = Aucun modèle n'est proposé à ce cours.
course-up-to = jusqu'à { $cpus } CPU, { $memory } Mio, { $disk } Gio
course-deploy-hint = Les élèves qui ont déjà une machine dans ce cours n'en reçoivent pas une deuxième.
course-deploy = Déployer
course-roster = Liste des élèves
course-teachers = Enseignants :
course-students = Élèves ({ $count }) :
course-add-students = Ajouter des élèves : un par ligne,
course-add-help = Les comptes qui n'existent pas sont créés : depuis l'annuaire s'il connaît le nom, sinon en comptes locaux avec un mot de passe affiché une seule fois.
course-add = Ajouter

machines-find = Rechercher une machine
machines-none = Aucune machine.

dash-all-machines = Mes { $total } machines
dash-newest-requests = Les { $shown } demandes les plus récentes sur { $total }, celles en attente d'abord.
snap-title = Instantanés
snap-hint = Un instantané garde la machine telle qu'elle est maintenant (allumée, avec sa mémoire) ; y revenir la ramène à cet instant et perd ce qui a changé depuis. Cette machine peut en garder { $max }.
snap-col-description = Description
snap-col-taken = Pris
snap-with-memory = avec la mémoire
snap-revert = Revenir
snap-delete = Supprimer
snap-name = Nom (lettres minuscules, chiffres, _)
snap-take = Prendre un instantané
snap-state-creating = en cours
snap-state-ready = prêt
snap-state-deleting = en suppression
sso-button = Se connecter avec { $provider }
sso-unavailable = { $provider } est injoignable ; réessayez plus tard
sso-denied = { $provider } ne vous a pas connecté
sso-rejected = la connexion avec { $provider } n'a pas pu être vérifiée ; recommencez
