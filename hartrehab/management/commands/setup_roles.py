"""Create or update the staff groups, each with exactly the permissions its work needs.

Each app declares its part in `<app>/roles.py` as ROLE_PERMISSIONS
(group name → ["app_label.codename", ...]); this command merges them. Safe to run on every
deploy: a second run changes nothing.
"""

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from hartrehab.roles import ROLE_NAMES, role_permissions


class Command(BaseCommand):
    help = "Create or update the staff groups (Editors, Medical reviewers, Intake staff, …)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report without writing.")

    @transaction.atomic
    def handle(self, *args, dry_run, **options):
        for name in ROLE_NAMES:
            wanted = self._permissions(role_permissions(name))
            group = Group.objects.filter(name=name).first()
            current = set(group.permissions.all()) if group else set()
            if group and current == wanted:
                self.stdout.write(f"{name}: unchanged ({len(wanted)} permissions)")
                continue
            verb = "updated" if group else "created"
            if not dry_run:
                group = group or Group.objects.create(name=name)
                group.permissions.set(wanted)
            self.stdout.write(self.style.SUCCESS(f"{name}: {verb} ({len(wanted)} permissions)"))
        if dry_run:
            transaction.set_rollback(True)
            self.stdout.write("Dry run: nothing was written.")

    def _permissions(self, codes: set[str]) -> set[Permission]:
        found = set()
        for code in sorted(codes):
            app_label, _, codename = code.partition(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is None:
                raise CommandError(f"Unknown permission {code!r}: run migrate first?")
            found.add(permission)
        return found
