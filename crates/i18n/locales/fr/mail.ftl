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

notify-lease = bail d'une machine
mail-failed-error-id = Un administrateur peut retrouver ce qui s'est passé sous l'erreur { $id }.
mail-lease-warning-subject = Le bail de { $name } prend fin le { $end }
mail-lease-warning-body = Le bail de votre machine { $name } prend fin le { $end }. Elle sera alors arrêtée.
mail-lease-expired-subject = Le bail de { $name } a pris fin
mail-lease-expired-body = Le bail de votre machine { $name } a pris fin le { $end }. Elle est arrêtée et compte dans votre quota jusqu'à sa suppression.
mail-lease-deleting-subject = { $name } va être supprimée
mail-lease-deleting-body = Le délai de grâce de votre machine { $name } est écoulé : elle est en cours de suppression.
mail-idle-stop-subject = { $name } a été arrêtée
mail-idle-stop-body = Votre machine { $name } était inactive et a été arrêtée. Redémarrez-la depuis sa page quand vous en avez besoin.
mail-lease-deleted-on = Elle sera supprimée le { $when }.
mail-lease-extend = Si vous en avez encore besoin, prolongez le bail depuis sa page.
