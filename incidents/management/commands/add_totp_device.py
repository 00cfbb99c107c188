"""Give a staff member a TOTP device for the admin's two-factor login."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = (
        "Create a TOTP device for a user and print its otpauth:// URL, to be entered in an "
        "authenticator app (as a QR code or by hand). Run it once per person, on the server."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="Username of the staff member.")
        parser.add_argument("--name", default="authenticator", help="A label for the device.")

    def handle(self, *args, user: str, name: str, **options) -> None:
        try:
            account = get_user_model().objects.get(username=user)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named {user!r}.") from None
        device = TOTPDevice.objects.create(user=account, name=name, confirmed=True)
        self.stdout.write(device.config_url)
