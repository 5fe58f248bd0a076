"""Table-driven access test: every page × every role → expected status (see page_access.py)."""

import re

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

from minipublic.web.demo import DEMO_SLUG, OTHER_SLUG

from .page_access import PAGES, PLACEHOLDERS, WHO


def _fill(url: str) -> str:
    values = {"demo": DEMO_SLUG, "other": OTHER_SLUG}
    for name in re.findall(r"{(\w+)}", url):
        if name not in values:
            values[name] = PLACEHOLDERS[name]()
    return url.format(**values)


CASES = [pytest.param(p, who, id=f"{p.method}:{p.url}:{who}") for p in PAGES for who in WHO]


@pytest.mark.django_db
@pytest.mark.parametrize(("page", "who"), CASES)
def test_page_access(page, who, client_as):
    """The person gets the status the table expects, and never a server error."""
    client = client_as(who)
    url = _fill(page.url)
    response = getattr(client, page.method)(url, data=page.data)
    assert response.status_code == page.expected[who], (
        f"{who} {page.method.upper()} {url}: got {response.status_code}, "
        f"expected {page.expected[who]}"
    )
    if response.status_code == 302 and who == "anonymous" and page.method == "get":
        assert response["Location"].startswith("/accounts/login/")


def _site_url_names() -> set[str]:
    """Every named URL of the site's own apps, as "namespace:name"."""
    apps = {app.rsplit(".", 1)[-1] for app in settings.MINIPUBLIC_APPS}
    names = set()
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace in apps:
            for pattern in entry.url_patterns:
                if isinstance(pattern, URLPattern) and pattern.name:
                    names.add(f"{entry.namespace}:{pattern.name}")
    return names


def test_every_page_is_listed():
    """Each URL of every site app has at least one row in the access table."""
    listed = {p.name for p in PAGES}
    missing = _site_url_names() - listed
    assert not missing, f"add rows to tests/web/page_access.py for: {sorted(missing)}"


def test_listed_names_exist():
    """Rows do not refer to URL names that no longer exist."""
    stale = {p.name for p in PAGES} - _site_url_names()
    assert not stale, f"rows for unknown URL names: {sorted(stale)}"
