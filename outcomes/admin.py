"""An entry on the admin index that leads to the outcomes page (/staff/outcomes/).

Counts are never listed or edited in the admin: the page shows them with small counts hidden.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from outcomes.models import PageDay
from outcomes.roles import VIEW_OUTCOMES


@admin.register(PageDay)
class OutcomesEntry(admin.ModelAdmin):
    def has_module_permission(self, request):
        return request.user.has_perm(VIEW_OUTCOMES)

    def has_view_permission(self, request, obj=None):
        return obj is None and request.user.has_perm(VIEW_OUTCOMES)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return redirect("outcomes:page")
