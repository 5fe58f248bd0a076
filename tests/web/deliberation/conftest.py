import pytest


@pytest.fixture(autouse=True)
def _fresh_vote_caches():
    """Each test starts without the votes' cached assemblies, map versions and rate counts.

    Tests roll back their transactions; what a test left in the caches would
    otherwise describe rows that no longer exist.
    """
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    from minipublic.web.deliberation.views import forget_assemblies

    # Never flush a Redis database (clear() empties all of it, not only this site's keys).
    cache = caches["default"]
    local = not isinstance(cache, RedisCache)
    forget_assemblies()
    if local:
        cache.clear()
    yield
    forget_assemblies()
    if local:
        cache.clear()
