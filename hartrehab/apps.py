from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class HartrehabConfig(AppConfig):
    """The project package as an app: staff account commands and admin templates."""

    default = True
    name = "hartrehab"
    verbose_name = "Hart Rehab"


class StaffAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with StaffAdminSite as `admin.site`, so every app's
    @admin.register lands on the site that demands a second factor."""

    default = False
    default_site = "hartrehab.admin_site.StaffAdminSite"
