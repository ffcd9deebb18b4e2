"""Each purge backend, against a local server that records what it was sent."""

import json
import xml.etree.ElementTree as ET

import pytest

from frontcache import backends
from frontcache.backends import PurgeFailed
from tests.frontcache.recorder import recording

PATHS = ["/articles/a/", "/", "/sitemap.xml"]
CLOUDFRONT_OK = b"""<?xml version="1.0" encoding="UTF-8"?>
<Invalidation xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">
<Id>I2J0I21PCUYOIK</Id><Status>InProgress</Status><CreateTime>2026-11-30T12:00:00Z</CreateTime>
<InvalidationBatch><Paths><Quantity>3</Quantity><Items><Path>/</Path></Items></Paths>
<CallerReference>ref</CallerReference></InvalidationBatch></Invalidation>"""
CLOUDFRONT_REFUSED = b"""<?xml version="1.0" encoding="UTF-8"?>
<ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Error><Type>Sender</Type>
<Code>NoSuchDistribution</Code><Message>The specified distribution does not exist.</Message>
</Error><RequestId>1</RequestId></ErrorResponse>"""


@pytest.fixture
def server():
    with recording() as recorder:
        yield recorder


@pytest.fixture
def aws(monkeypatch, tmp_path):
    """Test credentials, and no AWS config file of this machine's."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-a-secret")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))


def test_http_backend_sends_one_purge_per_path_with_the_site_host(server, settings):
    settings.SITE_URL = "https://clinic.example"
    backend = backends.HTTPPurgeBackend(server.url)

    backend.purge(PATHS, reference="r")

    assert [(c.method, c.path, c.headers["Host"]) for c in server.calls] == [
        ("PURGE", path, "clinic.example") for path in PATHS
    ]


def test_http_backend_reports_a_refused_purge(server):
    server.answer(405, b"Not allowed", "text/plain")

    with pytest.raises(PurgeFailed, match="405"):
        backends.HTTPPurgeBackend(server.url).purge(PATHS, reference="r")


def test_cloudflare_backend_posts_full_urls_with_the_token(server, settings):
    settings.SITE_URL = "https://clinic.example"
    server.answer(200, json.dumps({"success": True, "errors": []}).encode())
    backend = backends.CloudflareBackend(zone_id="zone1", api_token="tok", api_url=server.url)

    backend.purge(PATHS, reference="r")

    (call,) = server.calls
    assert (call.method, call.path) == ("POST", "/zones/zone1/purge_cache")
    assert call.headers["Authorization"] == "Bearer tok"
    assert json.loads(call.body) == {"files": [f"https://clinic.example{p}" for p in PATHS]}


@pytest.mark.parametrize(
    "status, body",
    [
        (403, b'{"success": false, "errors": [{"code": 10000}]}'),
        (200, b'{"success": false, "errors": [{"code": 1012}]}'),
        (200, b"not json"),
    ],
)
def test_cloudflare_backend_reports_a_refusal(server, status, body):
    server.answer(status, body)
    backend = backends.CloudflareBackend(zone_id="z", api_token="t", api_url=server.url)

    with pytest.raises(PurgeFailed, match="Cloudflare"):
        backend.purge(PATHS, reference="r")


def test_cloudfront_backend_sends_one_signed_invalidation(server, aws):
    server.answer(201, CLOUDFRONT_OK, "text/xml")
    backend = backends.CloudFrontBackend(distribution_id="EDFDVBD6", endpoint_url=server.url)

    backend.purge(PATHS, reference="hartrehab-purge-7")

    (call,) = server.calls
    assert (call.method, call.path) == ("POST", "/2020-05-31/distribution/EDFDVBD6/invalidation")
    assert call.headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    batch = ET.fromstring(call.body)  # noqa: S314 - our own test's request
    ns = {"cf": "http://cloudfront.amazonaws.com/doc/2020-05-31/"}
    assert [p.text for p in batch.findall(".//cf:Path", ns)] == PATHS
    assert batch.find("cf:CallerReference", ns).text == "hartrehab-purge-7"


def test_cloudfront_backend_reports_a_refusal_once_without_retrying(server, aws):
    server.answer(404, CLOUDFRONT_REFUSED, "text/xml")
    backend = backends.CloudFrontBackend(distribution_id="nope", endpoint_url=server.url)

    with pytest.raises(PurgeFailed, match="NoSuchDistribution"):
        backend.purge(PATHS, reference="r")
    assert len(server.calls) == 1


def test_settings_choose_the_backends(settings):
    settings.FRONTCACHE_PURGE_LOCATIONS = ["http://127.0.0.1:6081"]
    settings.FRONTCACHE_CLOUDFLARE_ZONE_ID = "zone"
    settings.FRONTCACHE_CLOUDFRONT_DISTRIBUTION_ID = "dist"

    kinds = [type(b) for b in backends.configured()]

    assert kinds == [
        backends.HTTPPurgeBackend,
        backends.CloudflareBackend,
        backends.CloudFrontBackend,
    ]
