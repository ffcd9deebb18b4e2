"""A test client that posts forms the way browsers do.

Django's test client posts multipart bodies by default; browsers post a form without a file
field urlencoded, and the site refuses multipart bodies on public pages
(hartrehab/requestbody.py). `FormClient` is the `client` fixture (tests/conftest.py).
"""

from urllib.parse import urlencode

from django.test import Client
from django.test.client import MULTIPART_CONTENT

URLENCODED = "application/x-www-form-urlencoded"


class FormClient(Client):
    """Posts a dict urlencoded unless it holds a file (then multipart, like a browser)."""

    def post(self, path, data=None, content_type=MULTIPART_CONTENT, **kwargs):
        data = {} if data is None else data
        if (
            content_type == MULTIPART_CONTENT
            and isinstance(data, dict)
            and not any(hasattr(value, "read") for value in data.values())
        ):
            data, content_type = urlencode(data, doseq=True), URLENCODED
        return super().post(path, data, content_type, **kwargs)
