"""Remove a person's authenticator (two-step sign-in), e.g. after a lost phone."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from agency.twofactor import totp_remove


class Command(BaseCommand):
    help = "Turn two-step sign-in off for a person: their password alone signs them in again."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No person with the username {options['username']!r}.")
        removed = totp_remove(user=user)
        if not removed:
            self.stdout.write(f"{user.username} has no authenticator; nothing to remove.")
        else:
            self.stdout.write(f"Removed the authenticator of {user.username}: the password alone signs them in now.")
