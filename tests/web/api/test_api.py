"""The REST API: tokens, public and staff endpoints, errors, pagination, other assemblies."""

import io
import json

import pytest

from minipublic.web.api.actions import check_create_api_token, do_revoke_api_token
from minipublic.web.api.models import ApiToken
from minipublic.web.assemblies.models import AuditEvent, StaffRole
from minipublic.web.demo import CAST, MEMBERS, OTHER_SLUG

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(demo_assembly, user):
    _obj, plain = check_create_api_token(
        demo_assembly, name="evaluation scripts", acting_user=user("organiser")
    )
    return plain


def _auth(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_token_is_stored_hashed_and_audited(demo_assembly, user, token):
    obj = ApiToken.objects.get(assembly=demo_assembly)
    assert token.startswith("mp_") and len(token) > 40
    assert token not in (obj.hashed, obj.prefix) and obj.prefix == token[:10]
    line = AuditEvent.objects.filter(event_type="api_token.created").latest("created_at")
    assert line.actor == user("organiser") and token not in json.dumps(line.new)


def test_empty_name_is_refused_and_nothing_stored(demo_assembly, user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        check_create_api_token(demo_assembly, name="  ", acting_user=user("organiser"))
    assert "name" in exc.value.message_dict
    assert not ApiToken.objects.exists()


def test_organiser_makes_and_revokes_a_token_in_the_page(client_as, demo_assembly):
    client = client_as("organiser")
    url = f"/a/{demo_assembly.slug}/api-tokens/"
    page = client.post(url, {"name": "R scripts"})
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    plain = page.context["new_token"]
    assert plain in page.content.decode()
    # Shown once: a reload does not show it again.
    assert plain not in client.get(url).content.decode()
    api = client_as("anonymous")
    assert (
        api.get(f"/api/assemblies/{demo_assembly.slug}/quotas", **_auth(plain)).status_code == 200
    )
    obj = ApiToken.objects.get(name="R scripts")
    assert client.post(f"{url}{obj.pk}/revoke/").status_code == 302
    assert (
        api.get(f"/api/assemblies/{demo_assembly.slug}/quotas", **_auth(plain)).status_code == 401
    )
    assert AuditEvent.objects.filter(event_type="api_token.revoked").count() == 1


def test_schema_and_docs_are_served(client):
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200
    body = schema.json()
    assert body["openapi"].startswith("3.")
    assert "/api/assemblies/{slug}/pool" in body["paths"]
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui-bundle.js" in html and "cdn" not in html.lower()


def test_public_list_shows_only_public_assemblies(client, demo_assembly, other_assembly):
    rows = client.get("/api/assemblies").json()
    slugs = [r["slug"] for r in rows["items"]]
    assert demo_assembly.slug in slugs and other_assembly.slug not in slugs
    assert rows["count"] == len(slugs)
    assert client.get(f"/api/assemblies/{OTHER_SLUG}").status_code == 404
    assert client.get(f"/api/assemblies/{OTHER_SLUG}/lottery").status_code == 404


def test_public_detail_counts(client, demo_assembly):
    body = client.get(f"/api/assemblies/{demo_assembly.slug}").json()
    assert body["registered"] == demo_assembly.registrants.count()
    assert body["members"] == demo_assembly.participants.filter(is_active=True).count()
    assert body["phase"] == demo_assembly.phase


def test_lottery_matches_the_drawn_run(client, demo_assembly):
    run = demo_assembly.selection_runs.get(status="drawn")
    body = client.get(f"/api/assemblies/{demo_assembly.slug}/lottery").json()
    assert body["lottery_sha256"] == run.lottery_sha256
    assert body["public_seed"] == run.public_seed and body["draw_index"] == run.draw_index


def test_staff_endpoints_need_a_token(client, demo_assembly):
    for path in ("pool", "quotas", "selection-runs"):
        r = client.get(f"/api/assemblies/{demo_assembly.slug}/{path}")
        assert r.status_code == 401, path
    assert (
        client.get(
            f"/api/assemblies/{demo_assembly.slug}/pool", HTTP_AUTHORIZATION="Bearer mp_wrong"
        ).status_code
        == 401
    )


def test_a_token_reads_only_its_own_assembly(client, demo_assembly, other_assembly, token):
    assert client.get(f"/api/assemblies/{OTHER_SLUG}/pool", **_auth(token)).status_code == 404
    run = other_assembly.selection_runs.first()
    if run is not None:
        url = f"/api/assemblies/{demo_assembly.slug}/selection-runs/{run.pk}"
        assert client.get(url, **_auth(token)).status_code == 404


def test_pool_is_pseudonymous_paginated_and_filtered(client, demo_assembly, token):
    url = f"/api/assemblies/{demo_assembly.slug}/pool"
    first = client.get(url, {"page_size": 7}, **_auth(token)).json()
    assert first["count"] == demo_assembly.registrants.count() and len(first["items"]) == 7
    second = client.get(url, {"page_size": 7, "page": 2}, **_auth(token)).json()
    assert {r["pseudonym"] for r in first["items"]}.isdisjoint(
        r["pseudonym"] for r in second["items"]
    )
    text = client.get(url, {"page_size": 500}, **_auth(token)).content.decode()
    for _first, last_name, _lang in MEMBERS:
        assert last_name not in text
    assert "@" not in text
    invited = client.get(url, {"status": "invited"}, **_auth(token)).json()
    assert all(r["status"] == "invited" for r in invited["items"])


def test_bad_query_gives_field_errors(client, demo_assembly, token):
    r = client.get(f"/api/assemblies/{demo_assembly.slug}/pool", {"page": "zero"}, **_auth(token))
    assert r.status_code == 422
    body = r.json()
    assert body["errors"] and body["errors"][0]["field"].endswith("page")


def test_selection_run_detail(client, demo_assembly, token):
    run = demo_assembly.selection_runs.get(status="drawn")
    body = client.get(
        f"/api/assemblies/{demo_assembly.slug}/selection-runs/{run.pk}", **_auth(token)
    ).json()
    assert body["lottery_sha256"] == run.lottery_sha256
    assert body["probabilities"] == pytest.approx(run.probabilities)


def test_pool_import_refuses_bad_file_whole(client, demo_assembly, token):
    before = demo_assembly.registrants.count()
    bad = io.BytesIO(b"name,town\nAnn,Aberwen\n")
    bad.name = "people.csv"
    r = client.post(f"/api/assemblies/{demo_assembly.slug}/pool", {"file": bad}, **_auth(token))
    assert r.status_code in (400, 404)  # 404 once the pool is closed by the phase rules
    if r.status_code == 400:
        assert r.json()["errors"][0]["field"] == "file"
    assert demo_assembly.registrants.count() == before


def test_token_stops_working_when_its_maker_loses_the_role(client, demo_assembly, token, user):
    StaffRole.objects.filter(assembly=demo_assembly, user=user("organiser")).delete()
    r = client.get(f"/api/assemblies/{demo_assembly.slug}/quotas", **_auth(token))
    assert r.status_code == 401


def test_revoking_twice_is_harmless(demo_assembly, user, token):
    obj = ApiToken.objects.get()
    do_revoke_api_token(obj, acting_user=user("organiser"))
    do_revoke_api_token(obj, acting_user=user("organiser"))
    assert AuditEvent.objects.filter(event_type="api_token.revoked").count() == 1


def test_no_endpoint_answers_with_personal_details(client, demo_assembly, token):
    """Every GET endpoint, with the token: no demo member's surname or any email appears."""
    schema = client.get("/api/openapi.json").json()
    run = demo_assembly.selection_runs.get(status="drawn")
    for path, ops in schema["paths"].items():
        if "get" not in ops:
            continue
        url = path.replace("{slug}", demo_assembly.slug).replace("{run_id}", str(run.pk))
        text = client.get(url, **_auth(token)).content.decode()
        assert "@example" not in text, url
        assert CAST["organiser"].email not in text, url


def test_recommendations_show_only_closed_ballots(client, demo_assembly):
    from minipublic.web.decisions.models import Ballot

    rows = client.get(f"/api/assemblies/{demo_assembly.slug}/recommendations").json()["items"]
    closed = {b.pk for b in Ballot.objects.filter(assembly=demo_assembly, status="closed")}
    shown = {r["ballot"] for rec in rows for r in rec["results"]}
    assert shown == closed


def test_tracker_matches_the_public_page(client, demo_assembly):
    from minipublic.web.followup.tracker import summary, tracker_rows

    body = client.get(f"/api/assemblies/{demo_assembly.slug}/tracker").json()
    s = summary(demo_assembly, tracker_rows(demo_assembly))
    assert body["follow_through_score"] == pytest.approx(s.score)
    assert body["responded"] == s.responded and len(body["rows"]) == s.adopted


def test_tally_has_receipts_and_no_member(client, demo_assembly, token):
    from minipublic.web.decisions.models import Vote

    rows = client.get(
        f"/api/assemblies/{demo_assembly.slug}/tally", {"page_size": 500}, **_auth(token)
    ).json()
    assert (
        rows["count"]
        == Vote.objects.filter(ballot__assembly=demo_assembly, ballot__status="closed").count()
    )
    assert set(rows["items"][0]) == {"ballot", "recommendation", "receipt", "value", "source"}


def test_evaluation_export_needs_an_evaluator_token(client, demo_assembly, token, user):
    url = f"/api/assemblies/{demo_assembly.slug}/evaluation/responses"
    assert client.get(url, **_auth(token)).status_code == 404  # an organiser's token
    _obj, evan = check_create_api_token(demo_assembly, name="R", acting_user=user("evaluator"))
    rows = client.get(url, **_auth(evan)).json()
    assert rows and "arm" in rows[0]
    text = json.dumps(rows)
    for _first, last_name, _lang in MEMBERS:
        assert last_name not in text
