"""The site's answer when the database gives up (a statement or lock limit, or no database).

A timed-out read must not become gunicorn's bare 500: the visitor gets a 503 page with the
clinic's phone and the crisis lines. The intake form keeps its own 503 page, which also keeps
what the patient typed (intake/views.py).
"""

import logging
import sys

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views import defaults

logger = logging.getLogger(__name__)


def server_error(request, template_name="500.html"):
    """Django's 500 handler, except that a database failure answers 503 (Retry-After)."""
    error = sys.exc_info()[1]  # Django calls this handler while handling the exception
    if not isinstance(error, DatabaseError):
        return defaults.server_error(request, template_name)
    # The class name only: database messages can quote the row being read or written.
    logger.error("database unavailable for a page (%s)", type(error).__name__)
    # Rendered without the request: its context processors could ask the database again.
    context = {"clinic_name": settings.CLINIC_NAME, "clinic_phone": settings.CLINIC_PHONE}
    response = HttpResponse(render_to_string("503.html", context), status=503)
    response["Retry-After"] = "60"
    return response
