"""One log line per request, a request id on every log line, and no patient data in either.

The request line carries method, path, status and duration only: never the query string or
the body, which is where anything a patient typed would be. Tracebacks keep their frames but
withhold exception messages, which can quote input (PostgreSQL repeats a violating value).
"""

import contextvars
import logging
import re
import time
import traceback
import uuid

logger = logging.getLogger("hartrehab.request")

REQUEST_ID_HEADER = "X-Request-ID"
# An id from the proxy is kept only if it cannot smuggle anything into a log line.
INCOMING_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
WITHHELD = "(message withheld: it may contain personal data)"

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def current_request_id() -> str:
    return _request_id.get()


class RequestLogMiddleware:
    """Tags the request with an id, returns it as X-Request-ID and logs the outcome."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if INCOMING_ID_RE.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            logger.info(
                "%s %s %s %.1fms",
                request.method,
                request.path,
                response.status_code,
                (time.perf_counter() - started) * 1000,
            )
            return response
        finally:
            _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class WithheldMessageFormatter(logging.Formatter):
    """Formats tracebacks with their frames and exception types, but not their messages."""

    def formatException(self, ei) -> str:  # noqa: N802 - logging's API name
        exception = traceback.TracebackException(*ei, capture_locals=False)
        return "".join(_format_withheld(exception, seen=set())).rstrip("\n")


def _format_withheld(exception: traceback.TracebackException, *, seen: set[int]) -> list[str]:
    seen.add(id(exception))
    lines: list[str] = []
    cause, context = exception.__cause__, exception.__context__
    if cause is not None and id(cause) not in seen:
        lines += _format_withheld(cause, seen=seen)
        lines.append("\nThe above exception was the direct cause of the following exception:\n\n")
    elif context is not None and not exception.__suppress_context__ and id(context) not in seen:
        lines += _format_withheld(context, seen=seen)
        lines.append("\nDuring handling of the above exception, another exception occurred:\n\n")
    lines.append("Traceback (most recent call last):\n")
    lines.extend(exception.stack.format())
    exc_type = exception.exc_type
    name = f"{exc_type.__module__}.{exc_type.__qualname__}" if exc_type else "Exception"
    lines.append(f"{name}: {WITHHELD}\n")
    return lines
