from tests.notifications.bot_stub import bot  # noqa: F401  (the stub bot fixture)
