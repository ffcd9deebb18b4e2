"""A per-client limit on form posts that holds across every gunicorn worker.

Counters live in Redis when REDIS_URL is set (MULTI: SET NX EX then INCR, one atomic step),
otherwise in the database (an UPDATE count = count + 1 under a unique key). A per-process
cache would give each worker its own limit. Clients are known by a keyed hash of REMOTE_ADDR,
so no address is stored; a proxy in front must set REMOTE_ADDR to the real client.
"""

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import redis
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.crypto import salted_hmac

from intake.models import RateLimitCounter

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int  # seconds until the current window ends


class DatabaseCounter:
    def incr(self, key: str, *, window: int, now: float) -> int:
        with transaction.atomic():
            if not RateLimitCounter.objects.filter(key=key).update(count=F("count") + 1):
                self._create(key, window, now)
            # Inside the transaction the row is still locked by our UPDATE, so this is our count.
            return RateLimitCounter.objects.get(key=key).count

    def _create(self, key: str, window: int, now: float) -> None:
        current = datetime.fromtimestamp(now, tz=UTC)
        try:
            with transaction.atomic():
                RateLimitCounter.objects.create(
                    key=key, count=1, expires_at=current + timedelta(seconds=window)
                )
        except IntegrityError:  # another worker created it first
            RateLimitCounter.objects.filter(key=key).update(count=F("count") + 1)
            return
        # Once per client and window: clear counters of windows that are over.
        RateLimitCounter.objects.filter(expires_at__lt=current).delete()


class RedisCounter:
    def __init__(self, client: redis.Redis, prefix: str):
        self.client = client
        self.prefix = prefix

    def incr(self, key: str, *, window: int, now: float) -> int:
        name = f"{self.prefix}:{key}"
        pipe = self.client.pipeline(transaction=True)
        pipe.set(name, 0, ex=window + 1, nx=True)
        pipe.incr(name)
        return int(pipe.execute()[1])


@lru_cache(maxsize=1)
def _redis_counter(url: str, prefix: str) -> RedisCounter:
    client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    return RedisCounter(client, prefix)


def default_counter():
    if settings.REDIS_URL:
        return _redis_counter(settings.REDIS_URL, settings.INTAKE_RATE_LIMIT_KEY_PREFIX)
    return DatabaseCounter()


def client_key(remote_addr: str, window_index: int) -> str:
    digest = salted_hmac("intake.ratelimit", remote_addr or "unknown", algorithm="sha256")
    return f"{window_index}:{digest.hexdigest()}"


def hit(remote_addr: str, *, counter=None, now: float | None = None) -> Decision:
    """Count one form post from this client; allowed while under INTAKE_RATE_LIMIT per window."""
    window = settings.INTAKE_RATE_LIMIT_WINDOW_SECONDS
    now = time.time() if now is None else now
    index = int(now // window)
    key = client_key(remote_addr, index)
    counter = counter or default_counter()
    try:
        count = counter.incr(key, window=window, now=now)
    except redis.RedisError as error:
        # Redis down must not turn a patient away: count in the database instead.
        logger.warning(
            "intake rate limit: Redis unavailable (%s), using the database", type(error).__name__
        )
        count = DatabaseCounter().incr(key, window=window, now=now)
    retry_after = max(int((index + 1) * window - now), 1)
    return Decision(allowed=count <= settings.INTAKE_RATE_LIMIT, retry_after=retry_after)
