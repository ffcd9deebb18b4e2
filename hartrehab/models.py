"""The staff-account audit trail: who invited, enrolled, reset or offboarded whom, and when."""

from django.conf import settings
from django.db import models


class AccountEvent(models.Model):
    """One thing that happened to a staff account. Rows are only ever added.

    Never holds a secret: not the invitation link, not a code, not a password.
    """

    class Action(models.TextChoices):
        INVITED = "invited", "Invited"
        ACCEPTED = "accepted", "Set up the account"
        RECOVERY_CODE_USED = "recovery_code_used", "Logged in with a recovery code"
        SECOND_FACTOR_RESET = "second_factor_reset", "Second factor reset"
        OFFBOARDED = "offboarded", "Deactivated"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="account_events"
    )
    action = models.CharField(max_length=32, choices=Action.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who did it; empty for the person themselves or a server command.",
    )
    at = models.DateTimeField(auto_now_add=True)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        permissions = [("invite_staff", "Can invite staff members and reset their second factor")]

    def __str__(self):
        return f"{self.user} — {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Account events are append-only.")
        super().save(*args, **kwargs)
