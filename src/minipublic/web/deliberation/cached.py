"""What the voting hot path keeps in Django's cache: rate-limit counters and the map version.

Both live in the ``default`` cache, which is Redis when ``REDIS_URL`` is set
(one cache for every web process and the task worker) and otherwise each
process's own memory.

Rate limits count in fixed windows (``limit`` hits per window of ``seconds``,
the window numbered from the epoch), so a hit costs one round trip to Redis
(``INCR`` and ``EXPIRE`` in one pipeline) instead of the three of Django's
``add`` then ``incr``. A browser can get up to twice the limit across the
boundary of two windows; that is the usual price of a fixed window.

The map version a page polls is read from the cache; a miss reads the
conversation row and stores it for :data:`MAP_VERSION_TTL` seconds with
``add``. Every save of a conversation (a new map saves ``map_version``) sets
the cached version once its transaction commits (:func:`remember_map_version`,
connected in ``apps.py``). Because a poll only ever *adds*, a poll that read
the old row just before the commit cannot overwrite the new version.
"""

import re
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

#: Seconds a cached map version lives without a save: the bound on staleness
#: when the cache is per process (no Redis) and the new map was stored by the
#: task worker, a different process.
MAP_VERSION_TTL = 5


_CLIENTS: dict[str, object] = {}


def _redis(backend):
    """One Redis client per server for the process, or None when the cache is not Redis.

    Why not through the cache API: Django's RedisCache builds a new client
    object for every call (a tenth of a millisecond, three times what the
    command costs) and has no one-trip increment, so the hot path talks to
    Redis itself, with the cache's own key names and integer encoding (ints
    are stored as such). The server is the first of the cache's configured
    ``LOCATION``, the one Django writes to.
    """
    if not isinstance(backend, RedisCache):
        return None
    configured = settings.CACHES["default"]["LOCATION"]
    servers = re.split("[;,]", configured) if isinstance(configured, str) else list(configured)
    location = servers[0].strip()
    client = _CLIENTS.get(location)
    if client is None:
        import redis

        client = _CLIENTS[location] = redis.Redis.from_url(location)
    return client


def rate_ok(key: str, limit: int, seconds: int) -> bool:
    """Count one hit for *key*; whether it is within *limit* hits in this *seconds* window."""
    backend = caches["default"]
    key = f"{key}:{int(time.time()) // seconds}"
    client = _redis(backend)
    if client is not None:
        full_key = backend.make_and_validate_key(key)
        pipe = client.pipeline(transaction=False)
        pipe.incr(full_key)
        pipe.expire(full_key, seconds + 1)
        count, _expiry = pipe.execute()
        return count <= limit
    backend.add(key, 0, seconds + 1)
    try:
        return backend.incr(key) <= limit
    except ValueError:  # expired between add and incr: the window just ended
        return True


def _version_key(conversation_id: int) -> str:
    return f"delib:mapv:{conversation_id}"


def map_version(conversation_id: int) -> int | None:
    """The conversation's current map version, from the cache when it is there."""
    from minipublic.web.deliberation.models import Conversation

    backend = caches["default"]
    client = _redis(backend)
    key = _version_key(conversation_id)
    if client is not None:
        raw = client.get(backend.make_and_validate_key(key))
        version = None if raw is None else int(raw)
    else:
        version = backend.get(key)
    if version is None:
        version = (
            Conversation.objects.filter(pk=conversation_id)
            .values_list("map_version", flat=True)
            .first()
        )
        if version is not None:
            backend.add(key, version, MAP_VERSION_TTL)
    return version


def remember_map_version(sender, instance, update_fields=None, **_kwargs) -> None:
    """``post_save`` of a conversation: set its cached map version when the save commits."""
    from django.db import transaction

    if update_fields is not None and "map_version" not in update_fields:
        return
    conversation_id, version = instance.pk, instance.map_version
    transaction.on_commit(
        lambda: caches["default"].set(_version_key(conversation_id), version, MAP_VERSION_TTL)
    )
