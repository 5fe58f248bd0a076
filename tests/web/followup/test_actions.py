"""Follow-up actions: rules, versions, audit lines, verdicts, statements, following."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from minipublic.web.assemblies.models import AuditEvent
from minipublic.web.decisions.models import Outcome, Recommendation
from minipublic.web.followup import actions
from minipublic.web.followup.models import (
    Category,
    Follower,
    Response,
    ResponseVersion,
    StatusUpdate,
    Verdict,
)
from minipublic.web.followup.tracker import add_months, summary, tracker_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def rec(demo_assembly):
    """An adopted recommendation of the demo with no response yet."""
    r = Recommendation.objects.adopted(demo_assembly).first()
    Response.objects.filter(recommendation=r).delete()
    return r


def _answer(rec, user, **kw):
    fields = {
        "category": Category.ACCEPTED,
        "reason": "",
        "responsible_body": "Transport team",
        "actions": "Three routes.",
        "due_by": datetime.date(2030, 1, 1),
    }
    fields.update(kw)
    return actions.check_save_response(rec, acting_user=user, **fields)


def test_reason_is_required_for_everything_but_accepted(rec, user):
    for category in Category.values:
        if category == Category.ACCEPTED:
            _answer(rec, user("commissioner"), category=category)
            continue
        with pytest.raises(ValidationError) as exc:
            _answer(rec, user("commissioner"), category=category, reason="  ")
        assert "reason" in exc.value.message_dict, category


def test_accepted_answers_say_what_and_by_when(rec, user):
    with pytest.raises(ValidationError) as exc:
        _answer(rec, user("commissioner"), actions="", due_by=None)
    assert {"actions", "due_by"} <= set(exc.value.message_dict)


def test_only_adopted_recommendations_get_a_response(demo_assembly, user):
    rec = (
        Recommendation.objects.filter(assembly=demo_assembly)
        .exclude(outcome=Outcome.ADOPTED)
        .first()
    )
    with pytest.raises(ValidationError):
        _answer(rec, user("commissioner"))
    assert not Response.objects.filter(recommendation=rec).exists()


def test_drafts_are_private_and_publishing_keeps_every_version(rec, user, client):
    carys = user("commissioner")
    response = _answer(rec, carys)
    slug = rec.assembly.slug
    page = client.get(f"/a/{slug}/follow-up/{rec.number}/").content.decode()
    assert "Three routes." not in page  # a draft is not public
    v1 = actions.check_publish_response(response, acting_user=carys)
    response = _answer(
        rec, carys, category=Category.ACCEPTED_IN_PART, reason="Money.", actions="Two routes."
    )
    # The published text does not change with the draft.
    assert "Three routes." in client.get(f"/a/{slug}/follow-up/{rec.number}/").content.decode()
    v2 = actions.check_publish_response(response, acting_user=carys)
    assert (v1.number, v2.number) == (1, 2)
    v1.refresh_from_db()
    assert v1.actions == "Three routes." and v1.category == Category.ACCEPTED
    page = client.get(f"/a/{slug}/follow-up/{rec.number}/").content.decode()
    assert "<del>Three</del>" in page and "<ins>Two</ins>" in page
    assert (
        AuditEvent.objects.filter(
            event_type="response.published", object_id=str(response.pk)
        ).count()
        == 2
    )
    with pytest.raises(ValidationError):
        actions.check_publish_response(response, acting_user=carys)  # nothing changed
    assert ResponseVersion.objects.filter(response=response).count() == 2


def test_status_update_needs_a_published_response_and_sane_values(rec, user):
    carys = user("commissioner")
    response = _answer(rec, carys)
    kw = {"recorded_on": timezone.localdate(), "status": "in_progress", "percent": 10}
    with pytest.raises(ValidationError):
        actions.check_add_status_update(response, acting_user=carys, **kw)
    actions.check_publish_response(response, acting_user=carys)
    for bad in (
        {"percent": 101},
        {"status": "finished"},
        {"evidence_url": "javascript:alert(1)"},
        {"recorded_on": timezone.localdate() + datetime.timedelta(days=2)},
    ):
        with pytest.raises(ValidationError):
            actions.check_add_status_update(response, acting_user=carys, **{**kw, **bad})
    assert not StatusUpdate.objects.filter(response=response).exists()
    update = actions.check_add_status_update(
        response, acting_user=carys, **{**kw, "status": "done", "percent": 30}
    )
    assert update.percent == 100 and update.signed_by == carys
    line = AuditEvent.objects.filter(event_type="response.status_changed").latest("created_at")
    assert line.new["status"] == "done"


def test_overdue_and_stalled_flags(rec, user):
    carys = user("commissioner")
    response = _answer(rec, carys, due_by=timezone.localdate() - datetime.timedelta(days=1))
    actions.check_publish_response(response, acting_user=carys)
    actions.check_set_commitment(
        rec.assembly,
        promise="Answer all.",
        respond_by=timezone.localdate(),
        acting_user=user("organiser"),
    )
    old = timezone.localdate() - datetime.timedelta(days=400)
    actions.check_add_status_update(
        response, recorded_on=old, status="in_progress", percent=10, acting_user=carys
    )
    row = next(r for r in tracker_rows(rec.assembly) if r.recommendation.pk == rec.pk)
    assert row.overdue and row.stalled
    assert row.report_due == add_months(old, 6)


def test_add_months_keeps_the_end_of_month():
    assert add_months(datetime.date(2026, 8, 31), 6) == datetime.date(2027, 2, 28)
    assert add_months(datetime.date(2026, 1, 15), 3) == datetime.date(2026, 4, 15)


def test_verdicts_one_per_member_and_changeable(rec, user, member):
    carys = user("commissioner")
    response = _answer(rec, carys)
    megan = member("Megan")
    with pytest.raises(ValidationError):
        actions.check_rate_response(response, participant=megan, score=7)  # not published
    actions.check_publish_response(response, acting_user=carys)
    actions.check_rate_response(response, participant=megan, score=7)
    actions.check_rate_response(response, participant=megan, score=9, comment="Better.")
    assert Verdict.objects.get(response=response, participant=megan).score == 9
    with pytest.raises(ValidationError):
        actions.check_rate_response(response, participant=megan, score=11)
    row = next(r for r in tracker_rows(rec.assembly) if r.recommendation.pk == rec.pk)
    assert row.verdict_count == 1 and row.verdict_mean == 9


def test_joint_statement_sign_and_publish(demo_assembly, member):
    megan, dafydd = member("Megan"), member("Dafydd")
    st = actions.check_write_joint_statement(
        demo_assembly, participant=megan, title="Ours", text="We welcome it."
    )
    assert actions.do_sign_joint_statement(st, participant=dafydd)
    assert not actions.do_sign_joint_statement(st, participant=dafydd)
    with pytest.raises(ValidationError):
        actions.check_publish_joint_statement(st, participant=dafydd)
    actions.check_publish_joint_statement(st, participant=megan)
    assert st.signatures.count() == 2 and st.published_at is not None


def test_follow_is_double_opt_in(demo_assembly, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        f = actions.check_follow(demo_assembly, email="Ann@Example.org ")
    assert f.email == "ann@example.org" and not f.is_active
    assert len(mail.outbox) == 1 and str(f.token) in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        actions.check_follow(demo_assembly, email="ann@example.org")  # unconfirmed: asked again
    actions.do_confirm_follower(f)
    with django_capture_on_commit_callbacks(execute=True):
        actions.check_follow(demo_assembly, email="ann@example.org")  # following: no more mail
    assert len(mail.outbox) == 2
    with pytest.raises(ValidationError):
        actions.check_follow(demo_assembly, email="not an address")
    actions.do_unsubscribe(f)
    assert not Follower.objects.get(pk=f.pk).is_active


def test_demo_covers_every_category_and_status(demo_assembly):
    cats = set(
        ResponseVersion.objects.filter(
            response__recommendation__assembly=demo_assembly
        ).values_list("category", flat=True)
    )
    statuses = set(
        StatusUpdate.objects.filter(response__recommendation__assembly=demo_assembly).values_list(
            "status", flat=True
        )
    )
    n_adopted = Recommendation.objects.adopted(demo_assembly).count()
    assert n_adopted >= 5
    assert cats == set(Category.values)
    assert statuses == {"not_started", "in_progress", "done", "stalled", "abandoned"}
    s = summary(demo_assembly, tracker_rows(demo_assembly))
    assert s.responded == n_adopted and 0 <= s.score <= 100
