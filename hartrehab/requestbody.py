"""Request bodies the site cannot use are refused from their headers, before anything reads them.

No page takes files except the editors' image upload (settings.REQUEST_BODY_UPLOAD_PATHS).
Django would stream a multipart body's files to memory and then to a temporary file, and
CsrfViewMiddleware reads the body before any view runs, so a view cannot refuse in time: this
middleware sits before it. Refused here: a multipart body on a public page (415: the patient's
form is never sent that way), a body over DATA_UPLOAD_MAX_MEMORY_SIZE by its Content-Length
(413), and a chunked body with no length (411: browsers send a length, and Django under WSGI
would read such a body as empty). Staff forms may be multipart, but only the upload paths
keep files: everywhere else the upload handlers are off, so a file part is read and dropped.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.shortcuts import render

from hartrehab.csp import staff_prefixes
from hartrehab.headers import with_security_headers


class DropFileUploadHandler(FileUploadHandler):
    """Reads a file part and keeps nothing of it: no memory, no temporary file."""

    def receive_data_chunk(self, raw_data, start):
        return None  # and no later handler sees the chunk

    def file_complete(self, file_size):
        return None  # and the form gets no file


def _content_length(request) -> int | None:
    """The declared body length; None when it is missing or not a number."""
    value = request.META.get("CONTENT_LENGTH") or ""
    return int(value) if value.isascii() and value.isdigit() else None


class RequestBodyLimitMiddleware:
    """Refuses bodies by their headers; everywhere but the upload paths, uploads are off."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        upload_limit = settings.REQUEST_BODY_UPLOAD_PATHS.get(request.path_info)
        if upload_limit is None:
            # An empty list would bring Django's default handlers back.
            request.upload_handlers = [DropFileUploadHandler(request)]
        status = self._refusal(request, upload_limit)
        if status is not None:
            response = render(request, "400.html", status=status)
            return with_security_headers(request, response)
        return self.get_response(request)

    @staticmethod
    def _refusal(request, upload_limit: int | None) -> int | None:
        content_type = request.META.get("CONTENT_TYPE", "").strip().lower()
        if content_type.startswith("multipart/") and not request.path_info.startswith(
            staff_prefixes()
        ):
            return 415
        length = _content_length(request)
        limit = upload_limit or settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if length is not None and limit is not None and length > limit:
            return 413
        if length is None and request.META.get("HTTP_TRANSFER_ENCODING"):
            return 411
        if length is None and request.META.get("CONTENT_LENGTH"):
            return 400  # a length that is not a number
        return None
