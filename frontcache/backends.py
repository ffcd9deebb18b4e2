"""Where purges go: each configured edge cache, as Wagtail's `frontend_cache` backends do.

Each backend takes the site's paths that changed and makes its cache forget them, or raises
`PurgeFailed` saying why. Which backends run is read from settings (`configured()`):

- HTTP PURGE, for Varnish (deploy/varnish.vcl) or any cache that takes the PURGE method:
  FRONTCACHE_PURGE_LOCATIONS, one base URL per cache;
- Cloudflare's purge by URL: FRONTCACHE_CLOUDFLARE_ZONE_ID and FRONTCACHE_CLOUDFLARE_API_TOKEN;
- CloudFront invalidations: FRONTCACHE_CLOUDFRONT_DISTRIBUTION_ID, with AWS credentials found
  the usual boto3 way (environment, instance role).

Every call has FRONTCACHE_TIMEOUT_SECONDS to answer; none runs inside a request.
"""

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Sequence

from django.conf import settings


class PurgeFailed(Exception):
    """A cache did not confirm the purge; the message says which and why (no patient data)."""


class Backend(ABC):
    name = "backend"

    @abstractmethod
    def purge(self, paths: Sequence[str], *, reference: str) -> None:
        """`reference` names this purge, the same on every retry (CloudFront wants one)."""


def site_url(path: str) -> str:
    return settings.SITE_URL + path


class HTTPPurgeBackend(Backend):
    """One `PURGE <path>` per path to a cache that listens for it (deploy/varnish.vcl)."""

    def __init__(self, location: str):
        parsed = urllib.parse.urlsplit(location)
        if parsed.scheme not in {"http", "https"} or not parsed.hostname:
            raise ValueError(f"FRONTCACHE_PURGE_LOCATIONS: {location!r} is not an http(s) URL")
        self.location = parsed
        self.name = f"PURGE {parsed.hostname}:{parsed.port or ''}".rstrip(":")

    def purge(self, paths: Sequence[str], *, reference: str) -> None:
        kind = (
            http.client.HTTPSConnection
            if self.location.scheme == "https"
            else http.client.HTTPConnection
        )
        host = urllib.parse.urlsplit(settings.SITE_URL).netloc
        for path in paths:
            conn = kind(
                self.location.hostname,
                self.location.port,
                timeout=settings.FRONTCACHE_TIMEOUT_SECONDS,
            )
            try:
                conn.request("PURGE", path, headers={"Host": host})
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as error:
                raise PurgeFailed(f"{self.name}: {type(error).__name__}: {error}") from None
            finally:
                conn.close()
            if response.status != 200:
                raise PurgeFailed(f"{self.name}: {path} answered {response.status}")


class CloudflareBackend(Backend):
    """Cloudflare's "purge files by URL" (at most 30 URLs a call; a publish has three)."""

    name = "Cloudflare"
    BATCH = 30

    def __init__(self, *, zone_id: str, api_token: str, api_url: str):
        self.endpoint = f"{api_url.rstrip('/')}/zones/{zone_id}/purge_cache"
        self.api_token = api_token

    def purge(self, paths: Sequence[str], *, reference: str) -> None:
        for start in range(0, len(paths), self.BATCH):
            self._purge([site_url(p) for p in paths[start : start + self.BATCH]])

    def _purge(self, urls: list[str]) -> None:
        request = urllib.request.Request(  # noqa: S310 - the scheme comes from settings
            self.endpoint,
            data=json.dumps({"files": urls}).encode(),
            method="POST",
            headers={
                "Authorization": f"Bearer {self.api_token}",
                "Content-Type": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(  # noqa: S310
                request, timeout=settings.FRONTCACHE_TIMEOUT_SECONDS
            ) as response:
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            raise PurgeFailed(f"Cloudflare answered {error.code}") from None
        except (OSError, ValueError, http.client.HTTPException) as error:
            raise PurgeFailed(f"Cloudflare: {type(error).__name__}: {error}") from None
        if not answer.get("success"):
            codes = [str(e.get("code")) for e in answer.get("errors", [])]
            raise PurgeFailed(f"Cloudflare refused the purge (errors {', '.join(codes)})")


class CloudFrontBackend(Backend):
    """One CloudFront invalidation per purge, signed by boto3."""

    name = "CloudFront"

    def __init__(self, *, distribution_id: str, endpoint_url: str = ""):
        self.distribution_id = distribution_id
        self.endpoint_url = endpoint_url or None

    def purge(self, paths: Sequence[str], *, reference: str) -> None:
        import boto3
        from botocore.config import Config
        from botocore.exceptions import BotoCoreError, ClientError

        timeout = settings.FRONTCACHE_TIMEOUT_SECONDS
        client = boto3.client(
            "cloudfront",
            endpoint_url=self.endpoint_url,
            region_name="us-east-1",
            config=Config(
                connect_timeout=timeout, read_timeout=timeout, retries={"max_attempts": 1}
            ),
        )
        try:
            client.create_invalidation(
                DistributionId=self.distribution_id,
                InvalidationBatch={
                    "Paths": {"Quantity": len(paths), "Items": list(paths)},
                    "CallerReference": reference,
                },
            )
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "error")
            raise PurgeFailed(f"CloudFront refused the invalidation ({code})") from None
        except BotoCoreError as error:
            raise PurgeFailed(f"CloudFront: {type(error).__name__}: {error}") from None


def configured() -> list[Backend]:
    """The backends the settings ask for; none means the site runs without an edge cache."""
    found: list[Backend] = [HTTPPurgeBackend(url) for url in settings.FRONTCACHE_PURGE_LOCATIONS]
    if settings.FRONTCACHE_CLOUDFLARE_ZONE_ID:
        found.append(
            CloudflareBackend(
                zone_id=settings.FRONTCACHE_CLOUDFLARE_ZONE_ID,
                api_token=settings.FRONTCACHE_CLOUDFLARE_API_TOKEN,
                api_url=settings.FRONTCACHE_CLOUDFLARE_API_URL,
            )
        )
    if settings.FRONTCACHE_CLOUDFRONT_DISTRIBUTION_ID:
        found.append(
            CloudFrontBackend(
                distribution_id=settings.FRONTCACHE_CLOUDFRONT_DISTRIBUTION_ID,
                endpoint_url=settings.FRONTCACHE_CLOUDFRONT_ENDPOINT_URL,
            )
        )
    return found
