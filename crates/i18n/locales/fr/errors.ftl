### Erreurs : le `message` de l'API et les avis des pages. Les messages de champ suivent l'étiquette du champ.

err-unauthenticated = connectez-vous d'abord
err-bad-credentials = nom d'utilisateur ou mot de passe incorrect
err-forbidden = réservé aux administrateurs
err-session-only = il faut une session ouverte par connexion, pas un jeton d'API
err-not-found = introuvable
err-invalid-input = données non valides
err-bad-request = la requête est illisible : { $detail }
err-too-many-attempts = trop de connexions échouées ; réessayez dans { $seconds } secondes
err-directory-unavailable = l'annuaire de connexion est injoignable ; réessayez plus tard (les comptes locaux fonctionnent toujours)
err-directory-answer = impossible d'interroger l'annuaire : { $detail }
err-internal = une erreur s'est produite de notre côté ; réessayez plus tard
err-json-field = n'a pas le bon type : { $detail }

err-required = est obligatoire
err-too-long = ne doit pas dépasser { $max ->
    [one] un caractère
   *[other] { $max } caractères
}
err-too-short = doit comporter au moins { $min } caractères
err-control-characters = ne doit pas contenir de caractères de contrôle
err-only-spaces = ne doit pas contenir que des espaces
err-between = doit être compris entre { $min } et { $max }
err-negative = ne doit pas être négatif
err-whole-number = doit être un nombre entier
err-one-of = doit être l'une des valeurs : { $choices }
err-email = n'est pas une adresse électronique valide
err-username = doit commencer par une lettre minuscule et ne contenir que a-z, 0-9, « . », « _ » ou « - »
err-username-taken = est déjà pris
err-hostname-chars = ne peut contenir que des lettres, des chiffres et « - » (il devient le nom d'hôte de la machine)
err-hostname-dash = ne doit ni commencer ni finir par « - »
err-hostname-digits = ne doit pas contenir que des chiffres
err-ssh-key = doit être une clé publique OpenSSH, par exemple « ssh-ed25519 AAAA... vous@portable »
err-token-days = doit être compris entre 1 et 730 jours
err-locale = doit être une étiquette de langue comme fr-FR ou en-US
err-shutdown-timeout = doit être compris entre 0 et 3600 secondes
err-no-provider = aucun hyperviseur n'est configuré
err-template-name-taken = un autre modèle porte déjà ce nom
err-template-withdrawn = ce modèle n'est plus proposé
err-no-such-template = modèle inexistant
err-language = doit être l'une des langues du portail
err-quota-machines = { $allowed ->
    [0] votre quota n'autorise aucune machine
    [one] votre quota autorise une machine et vous en avez déjà { $used }, demandes comprises
   *[other] votre quota autorise { $allowed } machines et vous en avez déjà { $used }, demandes comprises
}
err-quota-cpus = dépasse votre quota de processeurs : il en reste { $left }, vous en demandez { $asked }
err-quota-memory = dépasse votre quota de mémoire : il reste { $left } Mio, vous en demandez { $asked }
err-quota-disk = dépasse votre quota de disque : il reste { $left } Gio, vous en demandez { $asked }
err-wrong-current-password = n'est pas votre mot de passe actuel
err-password-in-directory = votre compte se connecte par l'annuaire ; changez-y votre mot de passe
err-reset-password-in-directory = ce compte se connecte par l'annuaire ; le mot de passe se change là-bas
err-disable-self = vous ne pouvez pas désactiver votre propre compte
err-demote-self = vous ne pouvez pas vous retirer le rôle d'administrateur
err-already-decided = la demande est déjà { $state }
err-machine-busy = une autre opération sur cette machine est encore en cours
err-machine-cannot = la machine est { $state } : l'opération « { $action } » est impossible pour l'instant
err-credentials-not-ready = les identifiants de la machine ne sont pas encore prêts
err-console-not-running = la machine est { $state } : sa console ne s'ouvre que lorsqu'elle est allumée
err-console-unreachable = la console de cette machine est injoignable pour l'instant

error-title-forbidden = Non autorisé
error-title-not-found = Introuvable
error-title-conflict = Déjà tranché
error-title-invalid = Données non valides
error-title-slow-down = Doucement
error-title-other = Une erreur s'est produite
error-back = Retour à mes machines

err-busy = le portail est occupé ; réessayez dans un instant
err-totp-required = saisissez le code de votre application d'authentification (ou un code de secours)
err-totp-setup-required = configurez d'abord la connexion à deux facteurs (Mon compte)
err-password-change-required = changez d'abord votre mot de passe
err-unavailable = le service est momentanément indisponible ; réessayez dans un moment
err-max-lease-short = ne doit pas être plus court que lease_days
err-max-lease-alone = nécessite lease_days
err-grace-needed = doit valoir au moins 1 si les machines arrivées à échéance sont supprimées : elles sont d'abord arrêtées
err-utf8 = doit être un texte UTF-8 valide
err-one-line = doit tenir sur une seule ligne
err-at-most = doit valoir au plus { $max }
err-windows-name = doit compter au plus { $max } caractères pour une machine Windows
err-windows-locale = les modèles Windows acceptent l'une de ces valeurs : { $tags }
err-totp-already = la connexion à deux facteurs est déjà configurée
err-machine-is = la machine est { $state }
err-no-lease = cette machine n'a pas d'échéance
err-extension-reason = cette prolongation dépasse ce que prévoit le modèle : indiquez pourquoi vous en avez besoin
err-lease-ended = le bail a pris fin le { $date } : prolongez-le d'abord
err-totp-directory = votre compte se connecte par l'annuaire, qui en décide
err-totp-not-begun = commencez d'abord à configurer la connexion à deux facteurs
err-totp-wrong-code = n'est pas le code actuel de votre application d'authentification
err-totp-none = ce compte n'a pas de connexion à deux facteurs
err-source-refused = le fournisseur ne peut pas utiliser cette source : { $detail }
err-not-your-password = n'est pas votre mot de passe
err-hypervisor-plain = l'hyperviseur n'a pas pu le faire ; un administrateur peut le retrouver sous l'erreur { $id }
job-failed-plain = échec : l'hyperviseur n'a pas pu le faire ; un administrateur peut le retrouver sous l'erreur { $id }
job-retry-plain = nouvel essai prévu : l'hyperviseur n'a pas pu le faire ; un administrateur peut le retrouver sous l'erreur { $id }

err-course-code-taken = un autre cours a ce code
err-no-template-id = aucun modèle { $id }
err-course-not-empty = le cours a encore { $count } machine(s) ou demande(s) en attente : supprimez-les ou décidez-en d'abord
err-course-quota-machines = le quota du cours permet { $limit } machines, il en reste { $left } ; il en faut { $count }
err-course-quota-cpus = le quota du cours permet { $limit } CPU, il en reste { $left } ; { $count } machines en demandent { $asked }
err-course-quota-memory = le quota du cours permet { $limit } Mio de mémoire, il en reste { $left } Mio ; { $count } machines en demandent { $asked } Mio
err-course-quota-disk = le quota du cours permet { $limit } Gio de disque, il en reste { $left } Gio ; { $count } machines en demandent { $asked } Gio
err-csv-cells = a plus de trois champs (identifiant, nom affiché, courriel)
err-date = doit être une date, AAAA-MM-JJ
err-is-teacher = { $name } enseigne dans ce cours
err-no-user = aucun utilisateur { $name }
err-not-a-student = vous n'êtes pas élève de ce cours
err-not-course-template = n'est pas un modèle de ce cours
err-teacher-and-student = l'utilisateur { $id } ne peut pas être à la fois enseignant et élève d'un même cours

err-at-least = doit valoir au moins { $min }
err-no-state-filter = cette liste n'a pas de filtre d'état

err-roster-follows-group = les élèves suivent le groupe de l'annuaire { $group } : enregistrez d'abord une liste à la main
err-no-group = l'annuaire n'a pas de groupe { $group }
err-no-directory = le portail n'a pas d'annuaire configuré
err-no-course-group = les élèves du cours ne suivent aucun groupe
err-students-or-group = indiquez des élèves ou un ldap_group, pas les deux
err-snapshot-start = doit commencer par une lettre minuscule
err-snapshot-chars = ne peut contenir que des lettres minuscules, des chiffres et des tirets bas
err-snapshot-length = doit compter de 2 à 40 caractères
err-snapshot-reserved = est réservé par l'hyperviseur
err-busy-snapshot = un instantané de cette machine est en cours ; réessayez quand il sera terminé
err-busy-revert = cette machine revient à un instantané ; réessayez quand ce sera terminé
err-identity-linked = est déjà liée à un compte
err-snapshots-disabled = les instantanés sont désactivés pour le modèle de cette machine
err-snapshots-full = cette machine garde déjà { $kept } instantanés, autant que son modèle le permet : supprimez-en un d'abord
err-snapshot-taken = cette machine a déjà un instantané de ce nom
err-snapshot-unusable = l'instantané « { $name } » est { $state } : il ne peut pas servir maintenant
