"""Enrol a staff user's authenticator app and print its provisioning URI (otpauth://...).

Every staff user needs this before the admin lets them in. Run on the server, it is also the
emergency path for a user (a superuser too) who lost their phone: `--replace` removes the old
authenticator and issues a new one. The URI is the secret: show it only to its owner.
"""

import segno
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from hartrehab.services import AlreadyEnrolled, NotStaff, enrol_totp


class Command(BaseCommand):
    help = "Enrol a staff user's authenticator app (TOTP) and print the provisioning URI."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Remove the user's existing authenticators first (lost or new phone).",
        )
        parser.add_argument("--name", default="Authenticator app", help="A name for the device.")
        parser.add_argument(
            "--qr", action="store_true", help="Also draw the URI as a QR code in the terminal."
        )
        parser.add_argument("--dry-run", action="store_true", help="Check, but change nothing.")

    def handle(self, *args, username, replace, name, qr, dry_run, **options):
        User = get_user_model()  # noqa: N806 - Django's own idiom
        try:
            user = User.objects.get_by_natural_key(username)
        except User.DoesNotExist:
            raise CommandError(f"{username}: no such user (create it first)") from None
        try:
            with transaction.atomic():
                device = enrol_totp(user, replace=replace, name=name[:64])
                transaction.set_rollback(dry_run)
        except NotStaff as error:
            raise CommandError(f"{error}; set is_staff and is_active first") from error
        except AlreadyEnrolled as error:
            raise CommandError(f"{error}; run again with --replace to issue a new one") from error
        if dry_run:
            self.stdout.write(f"{username}: would enrol a new authenticator (dry run)")
            return
        self.stdout.write(self.style.SUCCESS(f"{username}: authenticator enrolled"))
        self.stdout.write("Scan a QR code of this URI in the authenticator app, or paste it:")
        self.stdout.write(device.config_url)
        if qr:
            segno.make(device.config_url, micro=False).terminal(out=self.stdout, compact=True)
