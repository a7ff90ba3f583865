"""The chapter apps' events this app listens to: ``post_save`` of their rows, connected by model
label in ``NotificationsConfig.ready`` (the chapter apps do not know this app). Each receiver
raises the notification when the saved row is in the state its kind is about; ``raise_event``
tells each event once, however often the row is saved."""

from __future__ import annotations

from django.db.models.signals import post_save

from notifications.services import notifications_events as events

# model label → the builder of its event
SENDERS = {
    "production.Script": events.script_waiting,
    "production.ReviewRound": events.cut_waiting,
    "accounts_ops.OpinionAlert": events.opinion_alert,
    "platforms.Connection": events.connection_reconnect,
    "production.Publication": events.publication_refused,
}


def _receiver(builder):
    def receive(sender, instance, raw=False, **kwargs):
        if raw:  # loaded from a fixture or an archive: history, not an event
            return
        events.raise_for_row(builder, instance)

    receive.__name__ = f"notify_{builder.__name__}"
    return receive


_RECEIVERS = {label: _receiver(builder) for label, builder in SENDERS.items()}


def connect() -> None:
    for label, receiver in _RECEIVERS.items():
        post_save.connect(receiver, sender=label, weak=False, dispatch_uid=f"notifications:{label}")
