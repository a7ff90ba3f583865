from django.apps import AppConfig
from django.db.models.signals import pre_delete
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = _("Clients")
    # The topics every layer of this app is split by (docs/architecture.md), with the clause each serves.
    topics = {
        "clients": "the agency's clients, their people and platform accounts",
        "requirements": "4.1 client requirements",
    }

    def ready(self) -> None:
        from agency.models import register_client_model
        from clients.models import Client, delete_people_of_client

        # The core confines a client person to a client by its id; this is the model of those ids.
        register_client_model(Client)
        pre_delete.connect(delete_people_of_client, sender=Client, dispatch_uid="clients-delete-people")
