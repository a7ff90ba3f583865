from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo and scale seeding over every app (``manage.py seed_demo``, ``seed_scale``,
    ``demo_totp``); each app contributes its own part of the demo from its ``demo.py``."""

    name = "demo"
