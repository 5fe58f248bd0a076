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


PERSONAL_LINKS = {"evaluation:survey_link"}

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
    # A personal link (a survey link) signs its holder in and goes on; every other
    # refused anonymous visit goes to the sign-in page.
    refused = response.status_code == 302 and who == "anonymous" and page.method == "get"
    if refused and page.name not in PERSONAL_LINKS:
        assert response["Location"].startswith("/accounts/login/")


def _site_url_names() -> set[str]:
    """Every named URL of the site's own apps, as "namespace:name" (nested includes too)."""
    apps = {app.rsplit(".", 1)[-1] for app in settings.MINIPUBLIC_APPS}
    names = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver) and pattern.namespace is None:
                walk(pattern.url_patterns, namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}")

    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace in apps:
            walk(entry.url_patterns, entry.namespace)
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
