"""NUL characters in an address are refused up front, never a server error (PostgreSQL)."""

import pytest

from minipublic.web.demo import DEMO_SLUG

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/assemblies?q=%00", "query.q"),
        ("/api/assemblies?q=a%00b&page=1", "query.q"),
        (f"/api/assemblies/{DEMO_SLUG}%00", "path"),
        (f"/api/assemblies/{DEMO_SLUG}/statements?status=%00", "query.status"),
    ],
)
def test_api_answers_422_with_the_field(client, url, field):
    response = client.get(url)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "The request is not valid."
    assert [e["field"] for e in body["errors"]] == [field]


@pytest.mark.parametrize(
    "url", ["/?q=%00", f"/a/{DEMO_SLUG}/?x=%00", f"/a/{DEMO_SLUG}%00/", "/%00"]
)
def test_site_answers_400(client_as, url):
    response = client_as("organiser").get(url)
    assert response.status_code == 400


def test_nul_in_the_session_cookie_is_ignored(client):
    client.cookies["sessionid"] = "abcdefghij\x00klmnopqrstu"
    assert client.get(f"/a/{DEMO_SLUG}/").status_code == 200


def test_ordinary_query_still_works(client):
    response = client.get("/api/assemblies?q=Aberwen")
    assert response.status_code == 200 and response.json()["count"] >= 1
