"""The site's URLs plus a view that fails while handling posted data (for the log tests)."""

from django.db import IntegrityError
from django.urls import path

from hartrehab.urls import urlpatterns as site_urlpatterns


def fail_with_posted_data(request):
    try:
        # What PostgreSQL says about a unique violation: it repeats the value.
        raise IntegrityError(f"Key (email)=({request.POST.get('email')}) already exists.")
    except IntegrityError as error:
        raise ValueError(f"could not store {request.POST.get('message')!r}") from error


urlpatterns = [path("test-failure/", fail_with_posted_data), *site_urlpatterns]
