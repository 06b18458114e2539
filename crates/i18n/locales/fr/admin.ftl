### Les pages des administrateurs.

admin-requests-none = Aucune demande pour l'instant.
admin-requests-user = Utilisateur
admin-requests-decision = Décision
admin-requests-approve = Approuver
admin-requests-reject = Refuser
admin-requests-reason = Motif
admin-requests-reason-for = Motif du refus de { $name }
admin-requests-by = par { $name }

users-created = Compte { $name } créé. Son mot de passe n'est affiché que cette fois :
users-source = Origine
users-status = Statut
users-disabled = désactivé
users-active = actif
users-new = Nouveau compte local
users-display-name = Nom affiché
users-password-help = Laisser vide pour en générer un robuste.
users-create = Créer le compte

user-new-password = Nouveau mot de passe, affiché une seule fois. Toutes les sessions de cet utilisateur ont été fermées.
user-account = Compte
user-quota = Quota (vide : celui du rôle)
user-in-use-machines = Utilisé : { $count ->
    [0] aucune machine,
    [one] une machine,
   *[other] { $count } machines,
}
user-in-use-resources = { $cpus } processeurs, { $memory } Mio, { $disk } Gio.
user-enable = Réactiver le compte
user-disable = Désactiver le compte
user-reset-password = Réinitialiser le mot de passe

tpl-new = Nouveau modèle
tpl-edit = Modifier le modèle
tpl-none = Le catalogue est vide.
tpl-kind = Type
tpl-source = Source
tpl-default = Par défaut
tpl-maximum = Maximum
tpl-offered = Proposé
tpl-no-provider = Aucun hyperviseur n'est configuré : ajoutez-en un dans le fichier de configuration.
tpl-description = Description
tpl-os = Système
tpl-source-help = libvirt : le volume de base ; Proxmox : le vmid du modèle ou une archive de modèle de système.
tpl-default-size = Taille par défaut
tpl-maximum-size = Taille maximale
tpl-shutdown-timeout = Délai d'arrêt (secondes avant l'extinction forcée)
tpl-locale = Langue et clavier (machines Windows)
tpl-locale-help = Une étiquette de langue comme fr-FR (français, clavier AZERTY) ; vide pour garder celle de l'image.
tpl-enabled = Proposé dans le catalogue
tpl-save = Enregistrer le modèle

providers-none = Aucun hyperviseur n'est configuré. Ajoutez une entrée <code>[[providers]]</code> au fichier de configuration.
providers-reachable = Joignable

drift-hint = Ce que le dernier rapprochement a trouvé sur chaque hyperviseur. Les changements d'état faits hors du portail (une machine éteinte de l'intérieur) se corrigent d'eux-mêmes ; ceux-ci demandent l'intervention d'un administrateur.
drift-none = Aucun : chaque hyperviseur correspond aux données du portail.
drift-kind = Type
drift-machine = Machine
drift-external-id = Identifiant sur l'hyperviseur
drift-found = Constaté le
drift-missing = disparue de l'hyperviseur
drift-unknown = inconnue du portail

directory-title = Annuaire de connexion
directory-none = Aucun annuaire n'est configuré : seuls les comptes locaux peuvent se connecter. Ajoutez une section <code>[ldap]</code> au fichier de configuration pour que chacun se connecte avec son compte de l'annuaire.
directory-help = Affiche ce à quoi ce nom correspond, sans mot de passe : un test des réglages de l'annuaire.
directory-look-up = Rechercher
directory-caption = Ce à quoi { $username } correspond
directory-groups = Groupes
directory-no-role = aucun : dans aucun groupe autorisé, ne peut pas se connecter
directory-missing = L'annuaire n'a aucune entrée pour « { $username } ».

audit-when = Quand
audit-who = Qui
audit-from = Depuis
audit-action = Action
audit-object = Objet
audit-detail = Détail

mail-title = Courriel
mail-relay = Les notifications partent par { $relay }.
mail-off = Le courriel est désactivé : la configuration n'a pas de section <code>[mail]</code>, personne n'est donc prévenu par courriel des demandes, des décisions ou des échecs.
mail-no-failures = Aucun envoi n'a échoué.
mail-failures = Envois abandonnés après toutes les tentatives
mail-recipient = Destinataire
mail-attempts = Tentatives

expiring-title = Machines arrivant à échéance
expiring-intro = Machines dont le bail prend fin dans les 30 jours ou a déjà pris fin, la plus proche en premier. Pour changer un bail :
expiring-all = tous
expiring-filter = Filtrer
expiring-none = Aucun bail ne prend fin dans les 30 jours.
expiring-then = Ensuite
expiring-deleted-from = Supprimée à partir du
expiring-kept = conservée
hosts-of = Hôtes de { $provider }
hosts-host = Hôte
hosts-guests = Machines invitées
hosts-free-memory = Mémoire libre
hosts-free-disk = Disque libre
user-totp-reset = Retirer la connexion à deux facteurs
tpl-lease = Bail
tpl-lease-help = Bail vide : les machines n'arrivent pas à échéance. À l'échéance, une machine est toujours d'abord arrêtée ; elle n'est supprimée qu'après le délai de grâce.
tpl-lease-days = Bail (jours)
tpl-max-lease-days = Durée de vie maximale (jours)
tpl-extend-days = Le propriétaire peut prolonger de (jours)
tpl-expiry-action = À l'échéance
tpl-expiry-stop = arrêter (supprimer après le délai de grâce, s'il y en a un)
tpl-expiry-delete = arrêter, puis supprimer après le délai de grâce
tpl-grace-days = Délai de grâce (jours)
tpl-idle-stop = Arrêt pour inactivité (minutes)
tpl-idle-off = désactivé

audit-find = Rechercher un événement
drift-find = Rechercher une machine ou un invité
requests-find = Rechercher une demande
jobs-find = Machine ou propriétaire
users-find = Rechercher un utilisateur
jobs-none = Aucune tâche.
jobs-job = Tâche
jobs-updated = Mise à jour
tpl-max-snapshots = Instantanés qu'un propriétaire peut garder (0 les désactive)
