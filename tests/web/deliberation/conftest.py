import pytest


@pytest.fixture(autouse=True)
def _fresh_vote_caches():
    """Each test starts without the votes' per-process assembly cache (tests roll back)."""
    from minipublic.web.deliberation.views import forget_assemblies

    forget_assemblies()
    yield
    forget_assemblies()
