### Erreurs : le `message` de l'API et les avis des pages. Les messages de champ suivent l'étiquette du champ.

err-unauthenticated = connectez-vous d'abord
err-bad-credentials = nom d'utilisateur ou mot de passe incorrect
err-forbidden = réservé aux administrateurs
err-session-only = il faut une session ouverte par connexion, pas un jeton d'API
err-not-found = introuvable
err-invalid-input = données non valides
err-bad-request = la requête est illisible : { $detail }
err-too-many-attempts = trop de tentatives de connexion ; patientez une minute puis réessayez
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
