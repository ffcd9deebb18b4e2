from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    """Which articles and calls to action lead patients to ask for help, counted here."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "outcomes"
    verbose_name = "Outcomes"

    def ready(self):
        from outcomes import receivers

        receivers.connect()
