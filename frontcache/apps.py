from django.apps import AppConfig


class FrontcacheConfig(AppConfig):
    name = "frontcache"
    verbose_name = "Front cache"
    default_auto_field = "django.db.models.BigAutoField"
