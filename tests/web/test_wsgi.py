"""The WSGI entry point: votes and map-version polls take the lean middleware chain.

Requests go through ``minipublic.web.wsgi.application`` itself (not the test
client's handler), so the check covers the dispatch by address as well as
what each chain does: the lean one still refuses a vote without a CSRF token,
and leaves out only the headers of HTML pages.
"""

import io
import sys

import pytest
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from minipublic.web import wsgi

pytestmark = pytest.mark.django_db


@pytest.fixture
def call():
    """``call(method, path)`` through the site's WSGI application: (status, headers)."""
    # Like Django's test client: the test's own connection (inside its
    # transaction) must not be closed at the start and end of a request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)

    def run(method: str, path: str) -> tuple[int, dict]:
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "testserver",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "CONTENT_LENGTH": "0",
        }
        seen = {}

        def start_response(status, headers, exc_info=None):
            seen["status"], seen["headers"] = int(status.split()[0]), dict(headers)

        body = wsgi.application(environ, start_response)
        b"".join(body)
        body.close()
        return seen["status"], seen["headers"]

    yield run
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_lean_chain_is_the_full_one_minus_the_named_middleware():
    assert wsgi._lean.middleware_names == [
        m for m in settings.MIDDLEWARE if m not in wsgi.LEAN_SKIPS
    ]
    assert set(wsgi.LEAN_SKIPS) < set(settings.MIDDLEWARE)
    assert "django.middleware.csrf.CsrfViewMiddleware" in wsgi._lean.middleware_names


def test_hot_addresses_only():
    assert wsgi.HOT_PATH.match("/a/aberwen-climate/statements/vote/")
    assert wsgi.HOT_PATH.match("/a/aberwen-climate/opinion-map/version.json")
    for other in (
        "/a/aberwen-climate/statements/",
        "/a/aberwen-climate/statements/vote/x",
        "/a/aberwen-climate/opinion-map/",
        "/static/a/x/statements/vote/",
    ):
        assert not wsgi.HOT_PATH.match(other)


def test_vote_without_csrf_token_is_refused_on_the_lean_chain(call, demo_assembly):
    status, headers = call("POST", f"/a/{demo_assembly.slug}/statements/vote/")
    assert status == 403


def test_poll_takes_the_lean_chain_and_pages_the_full_one(call, demo_assembly):
    status, headers = call("GET", f"/a/{demo_assembly.slug}/opinion-map/version.json")
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert "X-Frame-Options" not in headers and "Content-Length" in headers
    status, headers = call("GET", f"/a/{demo_assembly.slug}/opinion-map/")
    assert status == 200 and headers["X-Frame-Options"] == "DENY"
