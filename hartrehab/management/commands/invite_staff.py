"""Invite a staff member from the server: the same as "Invite a staff member" in the admin.

Creates an inactive staff account in the role's group (linking a medical reviewer's
"Name, Credentials"), then emails the one-time set-up link, or prints it with --print-link for
when mail is not set up. Running it again for someone who has not set up yet sends a new link
and the old one stops working.
"""

import smtplib

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from hartrehab.roles import ROLE_SLUGS
from hartrehab.services import invite_staff, send_invitation


class Command(BaseCommand):
    help = "Invite a staff member: an account they set up themselves from a one-time link."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--role", required=True, choices=sorted(ROLE_SLUGS))
        parser.add_argument("--name", default="", help='Full name, e.g. "Ray Hamilton".')
        parser.add_argument(
            "--reviewer",
            default="",
            help='Medical reviewers: "Name, Credentials" as patients see them (created if new).',
        )
        parser.add_argument(
            "--print-link",
            action="store_true",
            help="Print the one-time link instead of emailing it (show it only to its owner).",
        )

    def handle(self, *args, email, role, name, reviewer, print_link, **options):
        try:
            user, url = invite_staff(email, role=role, name=name, reviewer=reviewer, by=None)
        except ValidationError as error:
            problems = [
                f"{field}: {message}" if field != "__all__" else message
                for field, messages in getattr(
                    error, "message_dict", {"__all__": error.messages}
                ).items()
                for message in messages
            ]
            raise CommandError("; ".join(problems)) from None
        who = f"{user.get_username()} ({ROLE_SLUGS[role]})"
        if print_link:
            self.stdout.write(self.style.SUCCESS(f"Invited {who}. One-time set-up link:"))
            self.stdout.write(url)
            return
        try:
            send_invitation(user, url)
        except (OSError, smtplib.SMTPException) as error:
            raise CommandError(
                f"Invited {who}, but the email could not be sent ({type(error).__name__}). "
                "Run again with --print-link and give the link to its owner."
            ) from None
        self.stdout.write(self.style.SUCCESS(f"Invited {who}; the set-up link was emailed."))
