"""schemathesis against the OpenAPI schema: no server error, every answer matches the schema.

Bounded (a few examples per operation) so CI stays fast. Staff operations are
called with a real token of the demo assembly, so their 200 answers are
checked too, not only the 401.

Runs on SQLite and on PostgreSQL (``DATABASE_URL``). On PostgreSQL it found
``?q=%00``: text holding NUL cannot be compared there (``DataError``), a 500
that also aborted the test's transaction, so every later call failed too;
NUL in an address is now refused up front (``RefuseNulMiddleware``).
"""

import pytest

schemathesis = pytest.importorskip("schemathesis")

from django.core.wsgi import get_wsgi_application  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    ignored_auth,
    missing_required_header,
    positive_data_acceptance,
)

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Calls go straight to the WSGI app in the test's transaction: like Django's test
    client, do not let the end of a request close the database connection (PostgreSQL)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_operation(case, demo_assembly, user):
    from minipublic.web.api.actions import check_create_api_token
    from minipublic.web.api.models import ApiToken

    ApiToken.objects.all().delete()
    _obj, token = check_create_api_token(
        demo_assembly, name="schemathesis", acting_user=user("organiser")
    )
    if (
        case.path_parameters
        and "slug" in case.path_parameters
        and case.operation.path.count("{") == 1
    ):
        case.path_parameters["slug"] = demo_assembly.slug
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
    response = case.call()
    assert response.status_code < 500, response.text
    # The test sends a real token itself, so the checks that replay a request
    # without or with a forged token do not apply (test_api.py covers both);
    # and an upload that fits the schema may still be a bad people file (400).
    case.validate_response(
        response,
        excluded_checks=[ignored_auth, missing_required_header, positive_data_acceptance],
    )
