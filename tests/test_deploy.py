"""deploy/: the HAProxy configuration `make cluster-test` runs, checked without running it."""

import os
import re
import shutil
import socket
import ssl
import subprocess
import time
from email.parser import BytesParser
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.conf import settings

DEPLOY = Path(settings.BASE_DIR) / "deploy"
ERROR_PAGE = DEPLOY / "errors" / "unavailable.http"


def backend_lines() -> list[str]:
    text = (DEPLOY / "haproxy.cfg").read_text()
    section = text.split("\nbackend nodes\n", 1)[1]
    return [line.strip() for line in section.splitlines() if line.strip()[:1] not in ("", "#")]


def haproxy_env(tmp_path, port: int = 8443) -> dict:
    """The environment deploy/haproxy.cfg reads, with a self-signed certificate; nodes that
    nobody serves."""
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
    return {
        "PATH": os.environ["PATH"],
        "HAPROXY_BIND": f"127.0.0.1:{port}",
        "HAPROXY_CERT": str(pem),
        "HAPROXY_SOCKET": str(tmp_path / "haproxy.sock"),
        "HAPROXY_ERRORS": str(DEPLOY / "errors"),
        **{f"NODE{i}": f"127.0.0.1:{free_port()}" for i in (1, 2, 3)},
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_haproxy_accepts_the_configuration(tmp_path):
    env = haproxy_env(tmp_path)

    result = subprocess.run(
        [shutil.which("haproxy"), "-c", "-f", str(DEPLOY / "haproxy.cfg")],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr


def https_head_of_answer(port: int, request: bytes) -> bytes:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    deadline = time.monotonic() + 20
    while True:
        try:
            raw = socket.create_connection(("127.0.0.1", port), timeout=10)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    with raw, context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
        tls.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = tls.recv(65536)
            if not chunk:
                break
            answer += chunk
        while chunk := tls.recv(65536):
            answer += chunk
    return answer


def test_haproxy_refuses_an_oversized_body_before_reading_it(tmp_path):
    port = free_port()
    env = haproxy_env(tmp_path, port)
    proxy = subprocess.Popen(
        [shutil.which("haproxy"), "-db", "-f", str(DEPLOY / "haproxy.cfg")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    headers = (
        "POST /contact/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n"
    )
    try:
        # 300 MB announced, none of it sent: the answer comes from the header alone.
        too_large = https_head_of_answer(port, headers.format(300_000_000).encode())
        small = https_head_of_answer(port, headers.format(9).encode() + b"name=Zoe&")
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)

    assert re.match(rb"HTTP/1\.[01] 413 ", too_large), too_large[:80]
    assert b"Your message was not sent" in too_large and b'href="tel:988"' in too_large
    assert re.match(rb"HTTP/1\.[01] 503 ", small)  # passed on; no node runs here


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
