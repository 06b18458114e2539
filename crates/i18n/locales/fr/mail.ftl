### Courriels. Les objets tiennent sur une ligne ; ce que les utilisateurs ont saisi n'arrive qu'en argument.

notify-new-request = nouvelle demande
notify-daily-digest = récapitulatif quotidien
notify-decision = décision sur une demande
notify-machine-ready = machine prête
notify-job-failed = opération échouée

mail-footer = Envoyé par vmportal. Vous pouvez choisir les courriels que vous recevez dans « Mon compte ».
mail-decide = Décider sur le portail
mail-open-portal = Ouvrir le portail
mail-open-machine = Ouvrir la page de la machine
mail-purpose = Motif : { $purpose }
mail-reason = Motif : { $reason }

mail-new-request-subject = Nouvelle demande : { $name } de { $user }
mail-new-request-body = { $user } demande une machine nommée { $name } à partir du modèle { $template }.

mail-digest-subject = { $count ->
    [one] Une demande attend une décision
   *[other] { $count } demandes attendent une décision
}
mail-digest-body = { $count ->
    [one] Cette demande attend toujours une décision :
   *[other] Ces { $count } demandes attendent toujours une décision :
}

mail-approved-subject = Votre demande { $name } a été approuvée
mail-approved-body = Votre demande de machine { $name } a été approuvée. Elle est en cours de création ; vous recevrez un autre courriel quand elle sera prête.
mail-rejected-subject = Votre demande { $name } a été refusée
mail-rejected-body = Votre demande de machine { $name } a été refusée.

mail-ready-subject = Votre machine { $name } est prête
mail-ready-body = Votre machine { $name } est créée et allumée.
mail-ready-address = Adresse : { $address }
mail-ready-credentials = Son nom d'utilisateur et son mot de passe sont sur sa page du portail, une fois connecté.

mail-failed-subject = Une opération sur { $name } a échoué
mail-failed-body = L'opération « { $action } » sur votre machine { $name } a échoué.
mail-failed-error = Ce qui s'est passé : { $error }
mail-failed-next = Vous pouvez réessayer depuis la page de la machine. Si cela échoue encore, prévenez un administrateur : il voit les détails.
