"""Pages of the learning app: submit a form, reload, check what was stored and what is shown."""

import re

import pytest

from minipublic.web.assemblies.models import Meeting
from minipublic.web.learning.models import (
    Claim,
    Contribution,
    Question,
    QuestionVote,
    Rating,
    SessionPlan,
    Speaker,
    TablePlan,
)

pytestmark = pytest.mark.django_db

M = "/a/aberwen-climate/me/learning/"
S = "/a/aberwen-climate/learning/"


def test_member_rates_evidence_and_sees_it_on_reload(client_as, member):
    megan = member("Megan")
    c = Contribution.objects.get(title="The council's carbon plan so far")
    Rating.objects.filter(contribution=c, participant=megan).delete()
    client = client_as("member")
    page = client.get(M + "evidence/").content.decode()
    assert "Declared interests:" in page and "Employed by the council" in page
    response = client.post(
        M + f"evidence/{c.pk}/rate/",
        {f"c{c.pk}-trust": "2", f"c{c.pk}-clarity": "4", f"c{c.pk}-fairness": "3"},
    )
    assert response.status_code == 302
    rating = Rating.objects.get(contribution=c, participant=megan)
    assert (rating.trust, rating.clarity, rating.fairness) == (2, 4, 3)
    page = client.get(M + "evidence/").content.decode()
    assert "Your rating: trust 2, clarity 4, fairness 3." in page


def test_member_rating_missing_score_is_refused(client_as, member):
    c = Contribution.objects.get(title="Net zero in ten minutes")
    before = list(Rating.objects.filter(contribution=c).values_list("pk", "trust"))
    response = client_as("member").post(M + f"evidence/{c.pk}/rate/", {f"c{c.pk}-trust": "9"})
    assert response.status_code == 400
    assert "Choose a number from 1 to 5 for each question." in response.content.decode()
    assert list(Rating.objects.filter(contribution=c).values_list("pk", "trust")) == before


def test_member_cannot_rate_before_the_session(client_as):
    c = Contribution.objects.get(title="Who pays? Energy bills and fairness")
    response = client_as("member").post(
        M + f"evidence/{c.pk}/rate/",
        {f"c{c.pk}-trust": "3", f"c{c.pk}-clarity": "3", f"c{c.pk}-fairness": "3"},
    )
    assert response.status_code == 400
    assert not Rating.objects.filter(contribution=c).exists()


def test_member_asks_and_votes(client_as, member, demo_assembly):
    client = client_as("member")
    meeting = demo_assembly.meetings.get(title__startswith="Weekend 1")
    response = client.post(
        M + "questions/ask/", {"meeting": meeting.pk, "speaker": "", "text": "Who pays for it?"}
    )
    assert response.status_code == 302
    q = Question.objects.get(text="Who pays for it?")
    assert q.participant == member("Megan") and q.meeting == meeting
    other = Question.objects.filter(meeting=meeting).exclude(pk=q.pk).first()
    QuestionVote.objects.filter(question=other, participant=member("Megan")).delete()
    assert client.post(M + f"questions/{other.pk}/vote/").status_code == 302
    assert client.post(M + f"questions/{other.pk}/vote/").status_code == 302  # refused, once
    assert QuestionVote.objects.filter(question=other, participant=member("Megan")).count() == 1
    page = client.get(M + "questions/").content.decode()
    assert "Who pays for it?" in page and "You voted for this question." in page


def test_member_flags_claim_and_votes_criteria(client_as, member, demo_assembly):
    client = client_as("member")
    response = client.post(
        "/a/aberwen-climate/claims/flag/",
        {"text": "Solar panels don't work in Wales", "meeting": "", "heard_from": ""},
    )
    assert response.status_code == 302 and response["Location"].endswith("/me/learning/claims/")
    claim = Claim.objects.get(text="Solar panels don't work in Wales")
    assert claim.flagged_by_participant == member("Megan") and claim.flagged_by_user is None
    crit = list(demo_assembly_criteria(demo_assembly))
    client.post(M + "claims/criteria/", {"criteria": [crit[3].pk]})
    page = client.get(M + "claims/").content.decode()
    assert "Solar panels don&#x27;t work in Wales" in page and "Being checked." in page
    assert re.search(rf'value="{crit[3].pk}"[^>]*checked', page)


def demo_assembly_criteria(assembly):
    from minipublic.web.learning.models import Criterion

    return Criterion.objects.filter(assembly=assembly).order_by("pk")


def test_facilitator_answers_claim_shown_to_members_and_public(client_as, client):
    claim = Claim.objects.get(text__startswith="Electric cars")
    fergus = client_as("facilitator")
    response = fergus.post(
        S + f"claims/{claim.pk}/respond/",
        {
            "verdict": "not_supported",
            "response": "Over their life electric cars produce less carbon.",
            "sources": "International Energy Agency, Global EV Outlook 2024",
        },
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.verdict == "not_supported"
    public = client.get("/a/aberwen-climate/claims/").content.decode()
    assert "Over their life electric cars produce less carbon." in public
    assert "International Energy Agency" in public
    assert (
        "Electric cars produce more carbon"
        in client_as("member").get(M + "claims/").content.decode()
    )


def test_organiser_plans_session_with_speakers(client_as, demo_assembly):
    speakers = list(Speaker.objects.filter(assembly=demo_assembly)[:2])
    client = client_as("organiser")
    response = client.post(
        S + "sessions/new/",
        {
            "title": "Weekend 4: Food and farming",
            "title_cy": "Penwythnos 4: Bwyd a ffermio",
            "starts_at": "2027-01-17T10:00",
            "ends_at": "2027-01-17T16:00",
            "place": "https://meet.example/w4",
            "agenda": "10:00 Welcome",
            "speakers": [s.pk for s in speakers],
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(title="Weekend 4: Food and farming")
    assert meeting.starts_at.hour == 10
    plan = SessionPlan.objects.get(meeting=meeting)
    assert set(plan.speakers.all()) == set(speakers)
    assert meeting.title_cy == "Penwythnos 4: Bwyd a ffermio"
    page = client.get(S + f"sessions/{meeting.pk}/edit/").content.decode()
    assert 'value="2027-01-17T10:00"' in page
    assert 'value="Penwythnos 4: Bwyd a ffermio"' in page
    client.cookies["django_language"] = "cy"
    welsh = client.get(S + f"sessions/{meeting.pk}/", HTTP_ACCEPT_LANGUAGE="cy").content.decode()
    assert "<h1>Penwythnos 4: Bwyd a ffermio</h1>" in welsh


def test_welsh_session_dates_round_trip(client_as, demo_assembly):
    """Date inputs carry ISO values in Welsh too, so saving does not wipe them."""
    client = client_as("organiser")
    client.cookies["django_language"] = "cy"
    meeting = demo_assembly.meetings.get(title__startswith="Weekend 2")
    page = client.get(S + f"sessions/{meeting.pk}/edit/", HTTP_ACCEPT_LANGUAGE="cy")
    value = re.search(r'name="starts_at" value="([^"]+)"', page.content.decode()).group(1)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d", value)


def test_organiser_starts_table_plan_and_sees_progress(
    client_as, demo_assembly, django_capture_on_commit_callbacks, run_queue
):
    client = client_as("organiser")
    meeting = demo_assembly.meetings.get(title__startswith="Weekend 2")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            S + f"sessions/{meeting.pk}/tables/start/",
            {"tables": "2", "rounds": "3", "seed": "11", "keep_language_together": "on"},
        )
    assert response.status_code == 302 and "?progress=" in response["Location"]
    assert "progress-box" in client.get(response["Location"]).content.decode()
    run_queue()
    plan = TablePlan.objects.get(meeting=meeting)
    assert plan.status == "ready" and plan.seed == 11 and plan.rounds == 3
    page = client.get(S + f"sessions/{meeting.pk}/tables/").content.decode()
    assert "Round 3" in page and "Megan Morgan" in page
    # Staff other than organisers see member numbers, not names.
    page = client_as("evaluator").get(S + f"sessions/{meeting.pk}/tables/").content.decode()
    assert "Round 3" in page and "Megan Morgan" not in page


def test_staff_evidence_page_warns_of_small_groups(client_as):
    page = client_as("commissioner").get(S + "evidence/").content.decode()
    assert "Ratings by kind of speaker and members' trust" in page
    assert "not known 8" in page  # the demo's named members have no registration answers


def test_questions_page_flags_unanswered_after_session(client_as):
    page = client_as("facilitator").get(S + "questions/").content.decode()
    assert "1 question is still unanswered after its session." in page
