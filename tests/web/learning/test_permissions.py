"""Every permission row of the learning app, in every phase."""

import pytest

from minipublic.web.assemblies.models import Assembly, Phase
from minipublic.web.learning.permissions import RULES
from minipublic.web.permissions import Context

BEGUN = {"learn", "deliberate", "decide", "respond", "evaluate"}
OPEN = {"learn", "deliberate"}

STAFF = ("organiser", "facilitator", "commissioner", "evaluator")
EXPECTED = {
    **{(role, "view", "learning"): set(Phase.values) for role in STAFF},
    **{(role, "view", "claims_public"): set(Phase.values) for role in STAFF},
    ("organiser", "edit", "session"): set(Phase.values),
    ("organiser", "print", "table_plan"): set(Phase.values),
    ("organiser", "edit", "evidence"): set(Phase.values),
    ("organiser", "edit", "criteria"): set(Phase.values),
    ("organiser", "answer", "question"): set(Phase.values),
    ("facilitator", "answer", "question"): set(Phase.values),
    ("organiser", "respond", "claim"): set(Phase.values),
    ("facilitator", "respond", "claim"): set(Phase.values),
    ("organiser", "flag", "claim"): OPEN,
    ("facilitator", "flag", "claim"): OPEN,
    ("member", "flag", "claim"): OPEN,
    ("member", "view", "learning_member"): BEGUN,
    ("member", "rate", "evidence"): OPEN,
    ("member", "request", "speaker"): OPEN,
    ("member", "ask", "question"): OPEN,
    ("member", "vote", "question"): OPEN,
    ("member", "vote", "criteria"): OPEN,
    ("member", "view", "claims_public"): BEGUN,
    ("anyone", "view", "claims_public"): BEGUN,  # when the assembly is public
}


def test_every_row_has_an_expectation():
    assert set(RULES) == set(EXPECTED)


@pytest.mark.parametrize("key", sorted(EXPECTED), ids=lambda k: "-".join(k))
@pytest.mark.parametrize("phase", Phase.values)
def test_row_in_phase(key, phase):
    assembly = Assembly(slug="x", title="x", phase=phase, is_public=True)
    ctx = Context(user=None, participant=None, assembly=assembly)
    assert RULES[key](ctx) == (phase in EXPECTED[key])


def test_public_summary_hidden_for_a_private_assembly():
    assembly = Assembly(slug="x", title="x", phase="learn", is_public=False)
    ctx = Context(user=None, participant=None, assembly=assembly)
    assert not RULES[("anyone", "view", "claims_public")](ctx)


@pytest.mark.django_db
def test_member_pages_follow_the_phase(demo_assembly, client_as):
    client = client_as("member")
    base = f"/a/{demo_assembly.slug}"
    demo_assembly.phase = "select"
    demo_assembly.save(update_fields=["phase"])
    assert client.get(f"{base}/me/learning/evidence/").status_code == 403
    assert "Evidence: read and rate it" not in client.get(f"{base}/me/").content.decode()
    demo_assembly.phase = "decide"
    demo_assembly.save(update_fields=["phase"])
    assert client.get(f"{base}/me/learning/evidence/").status_code == 200
    assert client.post(f"{base}/me/learning/questions/ask/", {"text": "x"}).status_code == 403
    assert "Evidence: read and rate it" not in client.get(f"{base}/me/").content.decode()
    demo_assembly.phase = "learn"
    demo_assembly.save(update_fields=["phase"])
    assert "Evidence: read and rate it" in client.get(f"{base}/me/").content.decode()


@pytest.mark.django_db
def test_public_page_links_to_the_claims_summary(client, demo_assembly):
    page = client.get(f"/a/{demo_assembly.slug}/").content.decode()
    assert f"/a/{demo_assembly.slug}/claims/" in page
    assert "Claims checked by the assembly" in page


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["organiser", "facilitator", "commissioner", "evaluator"])
def test_staff_see_the_learning_tab(client_as, demo_assembly, who):
    page = client_as(who).get(f"/a/{demo_assembly.slug}/dashboard/").content.decode()
    assert f'href="/a/{demo_assembly.slug}/learning/"' in page
