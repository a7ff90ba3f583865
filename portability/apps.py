from django.apps import AppConfig


class PortabilityConfig(AppConfig):
    """An agency's data and files as one archive, and its import into another installation or
    beside the other agencies of this one (``manage.py export_agency`` and ``import_agency``)."""

    name = "portability"
