"""Error reports that carry nothing from requests marked sensitive (the contact form)."""

from django.views.debug import SafeExceptionReporterFilter


class SensitiveRequestExceptionReporterFilter(SafeExceptionReporterFilter):
    """Hides every local variable of every frame when the request posted patient data.

    `sensitive_variables` only covers the frames it decorates; form, model and database
    frames below them hold the same values (cleaned_data, SQL params). Debug pages too.
    """

    def is_active(self, request):
        return True

    def get_traceback_frame_variables(self, request, tb_frame):
        if getattr(request, "sensitive_post_parameters", None):
            return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]
        return super().get_traceback_frame_variables(request, tb_frame)
