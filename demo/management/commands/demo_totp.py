"""The current two-step sign-in code of a demo person (``seed_demo`` gives the demo's agency admins
an authenticator with a published secret). Only with DEBUG on: never on a real deployment."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from agency.twofactor import totp_device


class Command(BaseCommand):
    help = "Print the current sign-in code of a demo person's authenticator (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("demo_totp works only with DEBUG on: it is for the demo, not a real deployment.")
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No person with the username {options['username']!r}.")
        device = totp_device(user)
        if device is None:
            raise CommandError(f"{user.username} has no authenticator: two-step sign-in is not set up for them.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        remaining = device.step - (int(totp.time) - device.t0) % device.step
        self.stdout.write(f"{totp.token():0{device.digits}d}")
        self.stderr.write(f"(valid for {remaining} more seconds; each code signs in once)")
