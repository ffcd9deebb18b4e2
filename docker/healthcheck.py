"""The image's HEALTHCHECK: exit 0 when /healthz answers 200, 1 otherwise.

It asks over plain HTTP inside the container (SECURE_REDIRECT_EXEMPT lets /healthz through)
and sends the first allowed host name, so ALLOWED_HOSTS does not refuse it. Standard library
only: the slim image has no curl.
"""

import os
import sys
import urllib.request


def health_url() -> str:
    port = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000").rsplit(":", 1)[-1]
    return os.environ.get("HEALTHCHECK_URL", f"http://127.0.0.1:{port}/healthz")


def host_header() -> str:
    hosts = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost").split(",")
    names = [host.strip().lstrip(".") for host in hosts if host.strip() not in ("", "*")]
    return names[0] if names else "localhost"


def main() -> int:
    url = health_url()
    request = urllib.request.Request(url, headers={"Host": host_header()})
    # No proxy: the check is about this container, whatever http_proxy says.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=4) as response:
            return 0 if response.status == 200 else 1
    except OSError as error:  # refused, timed out, or an HTTP error status such as 503
        sys.stderr.write(f"healthcheck: {url}: {error}\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())
