"""Actions of the learning app: the result, the audit line, and nothing changed on invalid input."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from minipublic.web.assemblies.models import AuditEvent, Meeting
from minipublic.web.learning import actions
from minipublic.web.learning.models import (
    Claim,
    Contribution,
    Criterion,
    CriterionVote,
    Question,
    QuestionVote,
    Rating,
    SessionPlan,
    Speaker,
    SpeakerRequest,
)

pytestmark = pytest.mark.django_db


def _events(kind, assembly):
    return AuditEvent.objects.filter(event_type=kind, assembly=assembly)


def _speaker(small, user, kind="expert", name="Dr A"):
    return actions.check_add_speaker(
        small["assembly"], name=name, kind=kind, interests="None", acting_user=user("organiser")
    )


def _contribution(small, user, speaker, meeting=None, title="A talk"):
    return actions.check_add_contribution(
        small["assembly"],
        speaker=speaker,
        title=title,
        form="talk",
        meeting=meeting if meeting is not None else small["past"],
        acting_user=user("organiser"),
    )


# --- sessions ----------------------------------------------------------------


def test_create_session_schedules_meeting_and_saves_plan(small, user):
    olivia = user("organiser")
    speaker = _speaker(small, user)
    starts = timezone.now() + dt.timedelta(days=20)
    meeting = actions.check_create_session(
        small["assembly"],
        title=" Weekend 4 ",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        place="https://meet.example/w4",
        agenda="10:00 Welcome",
        speakers=[speaker.pk],
        acting_user=olivia,
    )
    assert meeting.title == "Weekend 4" and meeting.place == "https://meet.example/w4"
    plan = SessionPlan.objects.get(meeting=meeting)
    assert plan.agenda == "10:00 Welcome" and list(plan.speakers.all()) == [speaker]
    assert _events("meeting.scheduled", small["assembly"]).get().object_id == str(meeting.pk)
    event = _events("session_plan.saved", small["assembly"]).get()
    assert event.actor == olivia and event.new == {"agenda": "10:00 Welcome", "speakers": ["Dr A"]}


def test_session_welsh_title_and_place_are_saved_shown_and_audited(small, user):
    olivia = user("organiser")
    starts = timezone.now() + dt.timedelta(days=20)
    meeting = actions.check_create_session(
        small["assembly"],
        title="Weekend 4",
        title_cy=" Penwythnos 4 ",
        starts_at=starts,
        place="Town hall",
        place_cy="Neuadd y dref",
        acting_user=olivia,
    )
    meeting.refresh_from_db()
    assert (meeting.title_cy, meeting.place_cy) == ("Penwythnos 4", "Neuadd y dref")
    with translation.override("cy"):
        assert (meeting.local_title, meeting.local_place) == ("Penwythnos 4", "Neuadd y dref")
    with translation.override("en"):
        assert meeting.local_title == "Weekend 4"
    actions.check_update_session(
        meeting,
        title="Weekend 4",
        title_cy="Penwythnos pedwar",
        starts_at=starts,
        place="Town hall",
        place_cy="Neuadd y dref",
        acting_user=olivia,
    )
    event = _events("meeting.updated", small["assembly"]).get()
    assert event.old == {"title_cy": "Penwythnos 4"}
    assert event.new == {"title_cy": "Penwythnos pedwar"}


def test_create_session_invalid_creates_nothing(small, user, other_assembly):
    n_meetings, n_events = Meeting.objects.count(), AuditEvent.objects.count()
    other_speaker = actions.do_add_speaker(
        other_assembly, name="X", kind="expert", role="", interests="", acting_user=None
    )
    n_events += 1
    with pytest.raises(ValidationError) as err:
        actions.check_create_session(
            small["assembly"],
            title="Fine",
            starts_at=timezone.now(),
            speakers=[other_speaker.pk],  # another assembly's speaker
            acting_user=user("organiser"),
        )
    assert "speakers" in err.value.error_dict
    with pytest.raises(ValidationError) as err:
        now = timezone.now()
        actions.check_create_session(
            small["assembly"],
            title="",
            starts_at=now,
            ends_at=now - dt.timedelta(hours=1),
            acting_user=user("organiser"),
        )
    assert {"title", "ends_at"} <= set(err.value.error_dict)
    assert Meeting.objects.count() == n_meetings
    assert AuditEvent.objects.count() == n_events
    assert not SessionPlan.objects.filter(meeting__assembly=small["assembly"]).exists()


def test_update_session_audits_only_changes(small, user):
    meeting = small["next"]
    old_title = meeting.title
    actions.check_update_session(
        meeting,
        title="Renamed",
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        place="Hall",
        agenda="",
        acting_user=user("organiser"),
    )
    meeting.refresh_from_db()
    assert meeting.title == "Renamed" and meeting.place == "Hall"
    event = _events("meeting.updated", small["assembly"]).get()
    assert event.old == {"title": old_title, "place": ""}
    assert event.new == {"title": "Renamed", "place": "Hall"}


def test_update_session_invalid_changes_nothing(small, user):
    meeting = small["next"]
    with pytest.raises(ValidationError):
        actions.check_update_session(
            meeting,
            title="Renamed",
            starts_at=meeting.starts_at,
            ends_at=meeting.starts_at - dt.timedelta(minutes=1),
            acting_user=user("organiser"),
        )
    meeting.refresh_from_db()
    assert meeting.title == "Next session"
    assert not _events("meeting.updated", small["assembly"]).exists()


# --- evidence and ratings ------------------------------------------------------


def test_add_speaker_and_contribution(small, user):
    speaker = _speaker(small, user, kind="lived", name="Gareth")
    c = _contribution(small, user, speaker)
    assert c.speaker == speaker and c.meeting == small["past"]
    assert _events("speaker.added", small["assembly"]).get().new["kind"] == "lived"
    assert _events("contribution.added", small["assembly"]).get().new["title"] == "A talk"


def test_add_contribution_invalid_changes_nothing(small, user, other_assembly):
    speaker = _speaker(small, user)
    with pytest.raises(ValidationError) as err:
        actions.check_add_speaker(small["assembly"], name="", kind="guru", acting_user=None)
    assert set(err.value.error_dict) == {"name", "kind"}
    with pytest.raises(ValidationError) as err:
        actions.check_add_contribution(
            other_assembly,
            speaker=speaker,  # not the other assembly's
            title=" ",
            form="poem",
            link="javascript:alert(1)",
            acting_user=None,
        )
    assert {"speaker", "title", "form", "link"} <= set(err.value.error_dict)
    assert Speaker.objects.filter(assembly=small["assembly"]).count() == 1
    assert not Contribution.objects.filter(assembly=other_assembly).exists()
    assert not _events("contribution.added", other_assembly).exists()


def test_rate_saves_and_changes_under_pseudonym(small, user):
    ann = small["members"]["Ann"]
    c = _contribution(small, user, _speaker(small, user))
    actions.check_rate_contribution(c, ann, trust="4", clarity=5, fairness=3)
    actions.check_rate_contribution(c, ann, trust=2, clarity=5, fairness=3)
    rating = Rating.objects.get(contribution=c, participant=ann)
    assert (rating.trust, rating.clarity, rating.fairness) == (2, 5, 3)
    first, second = _events("rating.saved", small["assembly"]).order_by("created_at")
    assert first.actor_label == ann.pseudonym and first.actor is None
    assert first.old is None and second.old == {"trust": 4, "clarity": 5, "fairness": 3}
    assert second.new == {"trust": 2, "clarity": 5, "fairness": 3}


def test_rate_invalid_changes_nothing(small, user, member):
    ann = small["members"]["Ann"]
    c = _contribution(small, user, _speaker(small, user))
    later = _contribution(small, user, c.speaker, meeting=small["next"], title="Later")
    with pytest.raises(ValidationError) as err:
        actions.check_rate_contribution(c, ann, trust=0, clarity=6, fairness="x")
    assert set(err.value.error_dict) == {"trust", "clarity", "fairness"}
    with pytest.raises(ValidationError):  # its session has not started
        actions.check_rate_contribution(later, ann, trust=3, clarity=3, fairness=3)
    with pytest.raises(ValidationError):  # a member of another assembly
        actions.check_rate_contribution(c, member("Megan"), trust=3, clarity=3, fairness=3)
    assert not Rating.objects.filter(contribution__in=[c, later]).exists()
    assert not _events("rating.saved", small["assembly"]).exists()


def test_ratings_report_by_kind_and_trust_hand_worked(small, user):
    """Hand-worked: two low-trust and one high-trust member rate an expert and an official."""
    m = small["members"]
    expert = _contribution(small, user, _speaker(small, user, "expert", "E"), title="E talk")
    official = _contribution(small, user, _speaker(small, user, "official", "O"), title="O talk")
    # Ann (trust 1) and Ben (2) are low; Hal (10) is high; Kim has no trust answer.
    for who, c, scores in [
        ("Ann", expert, (2, 4, 3)),
        ("Ben", expert, (3, 4, 4)),
        ("Hal", expert, (5, 5, 5)),
        ("Ann", official, (1, 3, 2)),
        ("Hal", official, (4, 4, 4)),
        ("Kim", official, (3, 3, 3)),
    ]:
        actions.check_rate_contribution(
            c, m[who], trust=scores[0], clarity=scores[1], fairness=scores[2]
        )
    report = actions.ratings_report(small["assembly"])
    rows = {kind: (cells, total) for kind, _label, cells, total in report["rows"]}
    low = rows["expert"][0]["low"]
    assert (low.n_ratings, low.n_members) == (2, 2)
    assert (low.trust, low.clarity, low.fairness) == (2.5, 4.0, 3.5)
    assert rows["expert"][0]["high"].trust == 5.0
    assert rows["official"][0]["low"].trust == 1.0
    assert rows["official"][0]["unknown"].n_ratings == 1  # Kim
    assert rows["official"][1].trust == pytest.approx((1 + 4 + 3) / 3)
    assert rows["lived"][1].n_ratings == 0 and rows["lived"][1].trust is None
    assert low.too_small  # 2 members < MIN_GROUP
    # Bands of the 12 members: trust 0-3 low (Ann, Ben, Cai, Ivy), 4-6 medium (Fay, Gil, Lee),
    # 7-10 high (Dee, Eli, Hal, Jon), none (Kim).
    assert report["members_by_band"] == {"low": 4, "medium": 3, "high": 4, "unknown": 1}


def test_request_speaker(small):
    ann = small["members"]["Ann"]
    actions.check_request_speaker(small["assembly"], ann, who="A bus driver", why="They know")
    assert SpeakerRequest.objects.get(assembly=small["assembly"]).who == "A bus driver"
    assert _events("speaker.requested", small["assembly"]).get().actor_label == ann.pseudonym
    with pytest.raises(ValidationError):
        actions.check_request_speaker(small["assembly"], ann, who="  ")
    assert SpeakerRequest.objects.filter(assembly=small["assembly"]).count() == 1


# --- questions -----------------------------------------------------------------


def test_ask_vote_once_and_answer(small, user):
    m = small["members"]
    q = actions.check_ask_question(small["next"], m["Ann"], text="Why?")
    actions.check_vote_question(q, m["Ben"])
    with pytest.raises(ValidationError):
        actions.check_vote_question(q, m["Ben"])
    assert QuestionVote.objects.filter(question=q).count() == 1
    assert _events("question.voted", small["assembly"]).count() == 1
    with pytest.raises(ValidationError) as err:
        actions.check_answer_question(q, status="in_writing", answer=" ", acting_user=None)
    assert "answer" in err.value.error_dict
    q.refresh_from_db()
    assert q.status == "open"
    actions.check_answer_question(
        q, status="in_writing", answer="Because.", acting_user=user("facilitator")
    )
    q.refresh_from_db()
    assert q.is_answered and q.answer == "Because." and q.answered_by == user("facilitator")
    assert _events("question.answered", small["assembly"]).get().new["status"] == "in_writing"


def test_unanswered_question_is_overdue_after_its_session(small):
    m = small["members"]
    past = actions.check_ask_question(small["past"], m["Ann"], text="Old one")
    future = actions.check_ask_question(small["next"], m["Ann"], text="New one")
    assert past.is_overdue() and not future.is_overdue()
    actions.do_answer_question(past, status="in_session", answer="", acting_user=None)
    assert not past.is_overdue()


def test_ask_invalid_changes_nothing(small, member):
    with pytest.raises(ValidationError):
        actions.check_ask_question(small["next"], small["members"]["Ann"], text="  ")
    with pytest.raises(ValidationError):
        actions.check_ask_question(small["next"], member("Megan"), text="Not my assembly")
    assert not Question.objects.filter(assembly=small["assembly"]).exists()


# --- criteria and claims -----------------------------------------------------------


def test_criteria_agreed_by_more_than_half(small, user):
    olivia = user("organiser")
    named = actions.check_propose_criterion(
        small["assembly"], text="Sources named", acting_user=olivia
    )
    peer = actions.check_propose_criterion(
        small["assembly"], text="Peer reviewed", acting_user=olivia
    )
    with pytest.raises(ValidationError):
        actions.check_propose_criterion(small["assembly"], text="sources NAMED", acting_user=olivia)
    members = list(small["members"].values())
    for p in members[:7]:  # 7 of 12 > half
        actions.check_vote_criteria(small["assembly"], p, criteria=[named.pk, peer.pk])
    for p in members[:1]:  # Ann drops "peer reviewed": 6 of 12 is not more than half
        actions.check_vote_criteria(small["assembly"], p, criteria=[named.pk])
    support = {row["criterion"].text: row for row in actions.criteria_support(small["assembly"])}
    assert support["Sources named"]["votes"] == 7 and support["Sources named"]["agreed"]
    assert support["Peer reviewed"]["votes"] == 6 and not support["Peer reviewed"]["agreed"]
    assert actions.agreed_criteria(small["assembly"]) == [named]
    event = _events("criteria.voted", small["assembly"]).filter(object_id=str(members[0].pk))
    assert event.order_by("-created_at").first().new == {"criteria": [named.pk]}


def test_vote_criteria_invalid_changes_nothing(small, user, demo_assembly):
    ann = small["members"]["Ann"]
    other = Criterion.objects.create(assembly=demo_assembly, text="Elsewhere")
    with pytest.raises(ValidationError):
        actions.check_vote_criteria(small["assembly"], ann, criteria=[other.pk])
    assert not CriterionVote.objects.filter(participant=ann).exists()


def test_flag_and_respond_to_claim(small, user):
    olivia, fergus = user("organiser"), user("facilitator")
    named = actions.check_propose_criterion(
        small["assembly"], text="Sources named", acting_user=olivia
    )
    unagreed = actions.check_propose_criterion(
        small["assembly"], text="Unagreed", acting_user=olivia
    )
    for p in list(small["members"].values())[:7]:
        actions.check_vote_criteria(small["assembly"], p, criteria=[named.pk])
    claim = actions.check_flag_claim(
        small["assembly"],
        text="Heat pumps never work",
        meeting=small["past"],
        participant=small["members"]["Cai"],
    )
    by_staff = actions.check_flag_claim(small["assembly"], text="Wind is free", acting_user=fergus)
    assert claim.flagged_by_participant == small["members"]["Cai"]
    assert by_staff.flagged_by_user == fergus
    assert _events("claim.flagged", small["assembly"]).count() == 2
    with pytest.raises(ValidationError) as err:
        actions.check_respond_claim(
            claim,
            verdict="maybe",
            response="",
            sources="",
            criteria_met=[unagreed.pk],
            acting_user=fergus,
        )
    assert set(err.value.error_dict) == {"verdict", "response", "sources", "criteria_met"}
    claim.refresh_from_db()
    assert not claim.is_answered
    actions.check_respond_claim(
        claim,
        verdict="partly",
        response="They work once the house is insulated.",
        sources="Energy Saving Trust 2024",
        criteria_met=[named.pk],
        acting_user=fergus,
    )
    claim.refresh_from_db()
    assert claim.verdict == "partly" and claim.responded_by == fergus
    assert list(claim.criteria_met.all()) == [named]
    assert list(claim.criteria_checked.all()) == [named]
    event = _events("claim.answered", small["assembly"]).get()
    assert event.new["criteria_met"] == ["Sources named"] and event.actor == fergus


def test_flag_claim_invalid_changes_nothing(small, other_assembly):
    other_meeting = Meeting.objects.create(
        assembly=other_assembly, title="x", starts_at=timezone.now()
    )
    with pytest.raises(ValidationError) as err:
        actions.check_flag_claim(
            small["assembly"],
            text="",
            meeting=other_meeting,
            participant=small["members"]["Ann"],
        )
    assert {"text", "meeting"} <= set(err.value.error_dict)
    assert not Claim.objects.filter(assembly=small["assembly"]).exists()


def test_answers_are_emailed_to_the_member_in_their_language(
    small, user, mailoutbox, django_capture_on_commit_callbacks
):
    ann, cai = small["members"]["Ann"], small["members"]["Cai"]
    for p, email, language in ((ann, "ann@example.org", "en"), (cai, "cai@example.org", "cy")):
        p.personal_details.email = email
        p.personal_details.preferred_language = language
        p.personal_details.save()
    q = actions.check_ask_question(small["past"], ann, text="How much?")
    claim = actions.check_flag_claim(small["assembly"], text="Wind is free", participant=cai)
    with django_capture_on_commit_callbacks(execute=True):
        actions.check_answer_question(
            q, status="in_writing", answer="£2,400.", acting_user=user("organiser")
        )
        actions.check_respond_claim(
            claim, verdict="partly", response="Not quite.", sources="DESNZ", acting_user=None
        )
    assert [m.to for m in mailoutbox] == [["ann@example.org"], ["cai@example.org"]]
    assert "Your question has been answered" in mailoutbox[0].subject
    assert "£2,400." in mailoutbox[0].body and "/me/learning/questions/" in mailoutbox[0].body
    assert "Rhannol wir" in mailoutbox[1].body  # the verdict, in Welsh
    # A changed answer to the claim is not emailed again.
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.check_respond_claim(
            claim, verdict="unclear", response="Unclear.", sources="DESNZ", acting_user=None
        )
    assert mailoutbox == []


def test_invalid_answer_sends_nothing(small, mailoutbox, django_capture_on_commit_callbacks):
    ann = small["members"]["Ann"]
    ann.personal_details.email = "ann@example.org"
    ann.personal_details.save()
    q = actions.check_ask_question(small["past"], ann, text="How much?")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        actions.check_answer_question(q, status="in_writing", answer="", acting_user=None)
    assert mailoutbox == []


def test_update_speaker_and_contribution_audit_changes(small, user):
    olivia = user("organiser")
    speaker = _speaker(small, user)
    c = _contribution(small, user, speaker)
    actions.check_rate_contribution(c, small["members"]["Ann"], trust=3, clarity=3, fairness=3)
    actions.check_update_speaker(
        speaker, name="Dr A", kind="official", interests="Council employee", acting_user=olivia
    )
    speaker.refresh_from_db()
    assert speaker.kind == "official" and speaker.interests == "Council employee"
    event = _events("speaker.updated", small["assembly"]).get()
    assert event.old == {"kind": "expert", "interests": "None"}
    assert event.new == {"kind": "official", "interests": "Council employee"}
    actions.check_update_contribution(
        c, speaker=speaker, title="A better title", form="paper", meeting=None, acting_user=olivia
    )
    c.refresh_from_db()
    assert (c.title, c.form, c.meeting) == ("A better title", "paper", None)
    event = _events("contribution.updated", small["assembly"]).get()
    assert event.old == {"title": "A talk", "form": "talk", "meeting": "Past session"}
    assert event.new == {"title": "A better title", "form": "paper", "meeting": None}
    assert c.ratings.count() == 1  # ratings stay


def test_update_invalid_changes_nothing(small, user, other_assembly):
    speaker = _speaker(small, user)
    c = _contribution(small, user, speaker)
    other = actions.do_add_speaker(
        other_assembly, name="X", kind="expert", role="", interests="", acting_user=None
    )
    with pytest.raises(ValidationError):
        actions.check_update_speaker(speaker, name=" ", kind="guru", acting_user=None)
    with pytest.raises(ValidationError):
        actions.check_update_contribution(c, speaker=other, title="", form="talk", acting_user=None)
    speaker.refresh_from_db()
    c.refresh_from_db()
    assert speaker.name == "Dr A" and c.title == "A talk" and c.speaker == speaker
    assert not _events("speaker.updated", small["assembly"]).exists()
    assert not _events("contribution.updated", small["assembly"]).exists()
