"""Rate limits and the map version in Django's cache (``web/deliberation/cached.py``).

The rate limit is checked twice: with this process's memory cache, and with
Redis shared by two separate processes, whose hits must add up (the point of
``REDIS_URL``: the limit is per browser, not per web process). The second is
skipped when Redis is not reachable on 127.0.0.1:6379.
"""

import os
import subprocess
import sys
import uuid

import pytest

from minipublic.web.deliberation import cached

from ..redis_server import REDIS, redis_up


def test_rate_limit_in_a_local_cache():
    key = f"test:{uuid.uuid4().hex}"
    # A window of 10**6 s: the test does not straddle two windows (but once in 11 days).
    hits = [cached.rate_ok(key, 3, 10**6) for _ in range(5)]
    assert hits == [True, True, True, False, False]
    assert cached.rate_ok(f"{key}:other", 3, 10**6)


COUNT_HITS = """
import sys
import django
from django.conf import settings
settings.configure(CACHES={"default": {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": sys.argv[1], "KEY_PREFIX": "test-rate"}})
django.setup()
from minipublic.web.deliberation.cached import rate_ok
print(sum(rate_ok(sys.argv[2], 10, 10**6) for _ in range(8)))
"""


@pytest.mark.skipif(not redis_up(), reason="Redis is not running on 127.0.0.1:6379")
def test_rate_limit_counts_across_processes_with_redis():
    """Two processes hit the same key 8 times each with a limit of 10: 10 pass in all."""
    key = f"test:{uuid.uuid4().hex}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    url = f"redis://{REDIS[0]}:{REDIS[1]}/9"
    procs = [
        subprocess.run(
            [sys.executable, "-c", COUNT_HITS, url, key],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        for _ in range(2)
    ]
    for proc in procs:
        assert proc.returncode == 0, proc.stderr
    allowed = [int(proc.stdout.strip()) for proc in procs]
    assert allowed == [8, 2]
