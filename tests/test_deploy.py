"""deploy/: the HAProxy configuration `make cluster-test` runs, checked without running it."""

import os
import re
import shutil
import subprocess
from email.parser import BytesParser
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.conf import settings

from tools import varnish

DEPLOY = Path(settings.BASE_DIR) / "deploy"
ERROR_PAGE = DEPLOY / "errors" / "unavailable.http"


def backend_lines() -> list[str]:
    text = (DEPLOY / "haproxy.cfg").read_text()
    section = text.split("\nbackend nodes\n", 1)[1]
    return [line.strip() for line in section.splitlines() if line.strip()[:1] not in ("", "#")]


def test_haproxy_accepts_the_configuration(tmp_path):
    haproxy = shutil.which("haproxy")
    if haproxy is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but haproxy is not installed (apt-get install haproxy)")
        pytest.skip("haproxy is not installed: apt-get install haproxy to check deploy/")
    pem = tmp_path / "site.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=127.0.0.1", "-keyout", str(pem), "-out", str(pem)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    env = {
        "PATH": os.environ["PATH"],
        "HAPROXY_BIND": "127.0.0.1:8443",
        "HAPROXY_CERT": str(pem),
        "HAPROXY_SOCKET": str(tmp_path / "haproxy.sock"),
        "HAPROXY_ERRORS": str(DEPLOY / "errors"),
        "HAPROXY_EDGE_BIND": "127.0.0.1:8081",
        **{f"NODE{i}": f"127.0.0.1:{8000 + i}" for i in (1, 2, 3)},
    }

    result = subprocess.run(
        [haproxy, "-c", "-f", str(DEPLOY / "haproxy.cfg")],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr


def test_after_a_request_reached_a_node_only_get_and_head_are_retried():
    lines = backend_lines()
    retry_on = next(line for line in lines if line.startswith("retry-on "))

    assert "conn-failure" in retry_on.split()  # never reached a node: safe for any method
    assert "http-request disable-l7-retry unless METH_GET || METH_HEAD" in lines


def test_every_node_is_health_checked_and_told_the_patients_address():
    lines = backend_lines()
    defaults = next(line for line in lines if line.startswith("default-server "))
    servers = [line for line in lines if line.startswith("server ")]

    assert "http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host localhost" in lines
    assert {"check", "send-proxy-v2"} <= set(defaults.split())
    assert len(servers) == 3


def test_the_proxys_error_page_says_what_happened_and_gives_the_crisis_lines():
    status_line, _, rest = ERROR_PAGE.read_bytes().partition(b"\r\n")
    headers = BytesParser().parsebytes(rest.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n")
    page = BeautifulSoup(rest.split(b"\r\n\r\n", 1)[1], "html.parser")

    assert re.fullmatch(rb"HTTP/1\.[01] 503 Service Unavailable", status_line)
    assert headers["Cache-Control"] == "no-store"
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "may not have reached us" in page.get_text(" ", strip=True)
    links = {a["href"] for a in page.find_all("a")}
    assert {"tel:911", "tel:988", "sms:988", "tel:+18006624357"} <= links


def test_varnish_compiles_the_vcl():
    if not varnish.available():
        if os.environ.get("CI"):
            pytest.fail("CI is set but varnish is not installed (apt-get install varnish)")
        pytest.skip("varnish is not installed: apt-get install varnish to check deploy/")

    with varnish.readable_folder() as folder:
        result = subprocess.run(
            [varnish.binary(), "-C", "-f", str(varnish.write_vcl(folder, 8081))]
            + ["-n", str(folder / "work")],
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert result.returncode == 0, result.stderr[-2000:]
