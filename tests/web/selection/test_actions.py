"""Actions of the selection app: result, audit line, nothing changed on invalid input; the task."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from minipublic.sortition import lottery_index, verify
from minipublic.web.assemblies.models import AuditEvent
from minipublic.web.progress.models import TaskStatus
from minipublic.web.recruitment.models import Registrant, Status
from minipublic.web.selection import actions
from minipublic.web.selection.models import PanelMember, QuotaRow, RunStatus, SelectionRun
from minipublic.web.selection.quotas import QuotaLine

pytestmark = pytest.mark.django_db


def _lines(low_share="40", low_direction="at_least", tol="5"):
    return [
        QuotaLine("gender", "man", Decimal(50), Decimal(tol), "range"),
        QuotaLine("gender", "woman", Decimal(50), Decimal(tol), "range"),
        QuotaLine("trust_band", "low", Decimal(low_share), Decimal(0), low_direction),
        QuotaLine("trust_band", "medium", Decimal(40), Decimal(20), "range"),
        QuotaLine("trust_band", "high", Decimal(20), Decimal(0), "any"),
    ]


def _events(kind, assembly):
    return AuditEvent.objects.filter(event_type=kind, assembly=assembly)


def test_save_quotas_converts_and_audits(small_pool, user):
    qs = actions.quota_set_of(small_pool)
    actions.check_save_quotas(qs, panel_size=10, lines=_lines(), acting_user=user("organiser"))
    rows = {(r.feature, r.value): (r.min, r.max) for r in qs.rows.all()}
    # 10 * 45/100 = 4.5 -> 4; 10 * 55/100 = 5.5 -> 6; at least 40 % of 10 = 4..10.
    assert rows[("gender", "man")] == (4, 6)
    assert rows[("trust_band", "low")] == (4, 10)
    assert rows[("trust_band", "high")] == (0, 10)
    assert qs.features == ["gender", "trust_band"]
    event = _events("quotas.saved", small_pool).get()
    assert event.actor == user("organiser")
    assert event.old["quotas"] == [] and len(event.new["quotas"]) == 5


def test_save_quotas_invalid_changes_nothing(small_pool):
    qs = actions.quota_set_of(small_pool)
    actions.do_save_quotas(qs, panel_size=10, lines=_lines())
    before = list(QuotaRow.objects.filter(quota_set=qs).values_list("feature", "value", "min"))
    n_events = _events("quotas.saved", small_pool).count()
    bad = [*_lines(), QuotaLine("gender", "man", Decimal(120), Decimal(0), "range")]
    with pytest.raises(ValidationError) as err:
        actions.check_save_quotas(qs, panel_size=0, lines=bad)
    assert "panel_size" in err.value.error_dict and "row-5-share" in err.value.error_dict
    assert "__all__" in err.value.error_dict  # gender=man listed twice
    assert (
        list(QuotaRow.objects.filter(quota_set=qs).values_list("feature", "value", "min")) == before
    )
    assert _events("quotas.saved", small_pool).count() == n_events


def test_feasibility_explains_and_relaxation_fixes(small_pool):
    registrants = Registrant.objects.filter(assembly=small_pool)
    low_households = {r.household_key for r in registrants if r.trust_band == "low"}
    # A panel with more seats than there are households with a low-trust person, all of
    # them low-trust ("at least 100 %"): impossible, but relaxing that quota helps.
    size = len(low_households) + 2
    assert size <= 20  # the pool has 20 households
    lines = _lines(low_share="100", low_direction="at_least", tol="0")
    feas = actions.feasibility_of(small_pool, lines, size)
    assert not feas.feasible
    assert feas.explanation and any("trust_band" in line for line in feas.explanation)
    assert feas.changes
    relaxed = actions.relaxed_lines(lines, feas, size)
    assert actions.feasibility_of(small_pool, relaxed, size).feasible
    low = next(line for line in relaxed if line.value == "low")
    assert low.tolerance > 0 and low.share == 100


def _start(assembly, organiser, captured, **kw):
    qs = actions.quota_set_of(assembly)
    actions.do_save_quotas(qs, panel_size=kw.pop("size", 10), lines=kw.pop("lines", _lines()))
    with captured(execute=True):
        run = actions.check_start_selection(
            assembly, algorithm="leximin", seed="s1", m=200, acting_user=organiser
        )
    return run


def test_selection_task_draw_and_verify(
    small_pool, user, django_capture_on_commit_callbacks, run_queue
):
    olivia = user("organiser")
    run = _start(small_pool, olivia, django_capture_on_commit_callbacks)
    assert run.status == RunStatus.RUNNING
    assert _events("selection.started", small_pool).count() == 1
    run_queue()
    run.refresh_from_db()
    run.progress.refresh_from_db()
    assert run.progress.status == TaskStatus.SUCCEEDED, run.progress.message
    assert run.status == RunStatus.DONE
    assert run.n_pool == 40 and len(run.probabilities) == 40
    assert sum(run.probabilities.values()) == pytest.approx(10, abs=1e-6)
    assert run.stats["min_probability"] > 0
    assert run.manifest["distribution"]["sha256"] == run.lottery_sha256
    assert _events("selection.computed", small_pool).count() == 1
    # The draw: index = SHA-256(seed) mod m; seats and statuses; probabilities kept.
    actions.check_commit_run(run, acting_user=olivia)
    actions.check_draw(run, public_seed=" 12 31 7 44 9 ", acting_user=olivia)
    run.refresh_from_db()
    index, digest = lottery_index("12 31 7 44 9", 200)
    panels = actions.lottery_panels(run)
    assert run.draw_index == index and run.draw_digest == digest
    assert run.panel == list(panels[index]) and len(run.panel) == 10
    assert verify(panels, run.panel, run.public_seed).matches
    selected = Registrant.objects.filter(assembly=small_pool, status=Status.SELECTED)
    assert {r.pseudonym for r in selected} == set(run.panel)
    for r in Registrant.objects.filter(assembly=small_pool):
        assert r.selection_probability == pytest.approx(run.probabilities[r.pseudonym])
    event = _events("panel.drawn", small_pool).get()
    assert event.new["index"] == index and event.actor == olivia
    # One household, one seat.
    households = [r.household_key for r in selected]
    assert len(households) == len(set(households))
    # Drawing twice is refused and changes nothing.
    with pytest.raises(ValidationError):
        actions.check_draw(run, public_seed="other", acting_user=olivia)
    run.refresh_from_db()
    assert run.public_seed == "12 31 7 44 9"


def test_infeasible_quotas_fail_the_task_with_the_explanation(
    small_pool, user, django_capture_on_commit_callbacks, run_queue
):
    run = _start(
        small_pool,
        user("organiser"),
        django_capture_on_commit_callbacks,
        size=30,
        lines=_lines(low_share="100", tol="0"),
    )
    run_queue()
    run.refresh_from_db()
    run.progress.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.error
    assert run.progress.status == TaskStatus.FAILED
    assert run.progress.message.splitlines()[0] == run.error.splitlines()[0]
    assert _events("selection.failed", small_pool).count() == 1


def test_start_selection_invalid_changes_nothing(small_pool, demo_assembly, user):
    n_runs = SelectionRun.objects.count()
    n_events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as err:  # no quotas yet, bad algorithm, empty seed
        actions.check_start_selection(small_pool, algorithm="magic", seed=" ", m=0)
    assert {"algorithm", "seed", "m", "__all__"} <= set(err.value.error_dict)
    with pytest.raises(ValidationError):  # the demo's panel is already drawn
        actions.check_start_selection(demo_assembly, algorithm="leximin", seed="x")
    assert SelectionRun.objects.count() == n_runs
    assert AuditEvent.objects.count() == n_events


def test_demo_has_a_completed_draw(demo_assembly):
    run = actions.drawn_run(demo_assembly)
    assert run is not None and len(run.panel) == 100
    assert verify(actions.lottery_panels(run), run.panel, run.public_seed).matches
    assert run.replacements.count() == 1
    low = next(q for q in run.quotas if q["feature"] == "trust_band" and q["value"] == "low")
    assert low["direction"] == "at_least" and low["min"] == 40


def _invited_with_exact_substitute(run):
    """The first invited member for whom someone still free has the same answer on every quota
    feature (and no kept member's household), so a replacement can keep every quota exactly.

    Which members the demo's draw seats depends on its random pseudonyms, so the
    first invited member alone may have no such substitute left in the pool.
    """
    features = sorted({q["feature"] for q in run.quotas})

    def answers(r):
        return tuple(r.features().get(f) or "not answered" for f in features)

    members = list(run.members.filter(active=True).select_related("registrant").order_by("pk"))
    seated = set(run.members.values_list("registrant_id", flat=True))
    free = list(
        actions.pool_registrants(run.assembly)
        .filter(status=Status.REGISTERED)
        .exclude(pk__in=seated)
    )
    for m in members:
        if m.registrant.status != Status.INVITED:
            continue
        kept_households = {
            k.registrant.household_key for k in members if k != m and k.registrant.household_key
        }
        if any(
            answers(r) == answers(m.registrant) and r.household_key not in kept_households
            for r in free
        ):
            return m
    raise AssertionError("no invited member of the demo panel has an exact substitute")


def test_invite_respond_replace(demo_assembly, user, django_capture_on_commit_callbacks):
    olivia = user("organiser")
    run = actions.drawn_run(demo_assembly)
    member = _invited_with_exact_substitute(run)
    # Invalid answer: nothing changes.
    n_events = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        actions.check_record_response(member, response="maybe", acting_user=olivia)
    with pytest.raises(ValidationError):  # not declined: cannot be replaced
        actions.check_replace(member, seed="x", acting_user=olivia)
    member.registrant.refresh_from_db()
    assert member.registrant.status == Status.INVITED
    assert AuditEvent.objects.count() == n_events
    actions.check_record_response(member, response="declined", acting_user=olivia)
    member.refresh_from_db()
    assert member.registrant.status == Status.DECLINED
    assert (
        _events("panel_member.responded", demo_assembly).filter(object_id=str(member.pk)).exists()
    )
    with pytest.raises(ValidationError):  # empty seed
        actions.check_replace(member, seed="  ", acting_user=olivia)
    result = actions.check_replace(member, seed="2026-06-01 replacement", acting_user=olivia)
    member.refresh_from_db()
    new = result.replacement
    assert not member.active and member.registrant.status == Status.REPLACED
    assert new.active and new.registrant.status == Status.SELECTED
    assert new.registrant.pseudonym in result.eligible
    assert result.eligible == sorted(result.eligible)
    assert new.selection_probability == pytest.approx(run.probabilities[new.registrant.pseudonym])
    # The core's public rule: row SHA-256(seed) mod m of the replacement lottery.
    assert (result.index, result.digest) == lottery_index("2026-06-01 replacement", result.m)
    assert 0 < result.probability <= 1
    # The new panel still meets every quota (counted from the registrants' answers).
    assert result.meets_quotas and result.violation == 0
    active = [m.registrant for m in run.members.filter(active=True).select_related("registrant")]
    assert len(active) == run.panel_size
    for q in run.quotas:
        n = sum(
            1 for r in active if (r.features().get(q["feature"]) or "not answered") == q["value"]
        )
        assert q["min"] <= n <= q["max"], q
    event = _events("panel_member.replaced", demo_assembly).filter(object_id=str(member.pk)).get()
    assert event.new["pseudonym"] == new.registrant.pseudonym
    # Invite the new member: one email (if they have an address), status invited.
    mail.outbox.clear()
    waiting = list(run.members.filter(active=True, invited_at__isnull=True))
    assert new in waiting
    with_email = [
        m
        for m in waiting
        if getattr(m.registrant.participant, "personal_details", None)
        and m.registrant.participant.personal_details.email
    ]
    with django_capture_on_commit_callbacks(execute=True):
        n = actions.do_invite_panel(run, acting_user=olivia)
    assert n == len(waiting)
    assert len(mail.outbox) == len(with_email)
    # Each in the member's language: the assembly's title in English or in Welsh.
    titles = (demo_assembly.title, demo_assembly.title_cy)
    assert all(any(t in m.subject for t in titles) for m in mail.outbox)
    invited = [m.registrant.pseudonym for m in waiting]
    assert any(e.new["invited"] == invited for e in _events("panel.invited", demo_assembly))
    assert len(with_email) >= 1
    new.registrant.refresh_from_db()
    assert new.registrant.status == Status.INVITED
    assert PanelMember.objects.get(pk=new.pk).invited_at is not None


def test_published_files(demo_assembly):
    run = actions.drawn_run(demo_assembly)
    text, kind = actions.published_file(run, "panel.csv")
    assert text.splitlines() == ["id", *run.panel] and kind == "text/csv"
    text, _ = actions.published_file(run, "distribution.csv")
    import hashlib

    assert hashlib.sha256(text.encode()).hexdigest() == run.lottery_sha256
    manifest, _ = actions.published_file(run, "manifest.json")
    assert run.public_seed in manifest and run.lottery_sha256 in manifest
    # No personal details in any published file.
    details = Registrant.objects.filter(assembly=demo_assembly).select_related(
        "participant__personal_details"
    )[:50]
    everything = "".join(actions.published_file(run, n)[0] for n in actions.PUBLIC_FILES)
    for r in details:
        pd_ = getattr(r.participant, "personal_details", None)
        if pd_ is not None and pd_.email:
            assert pd_.email not in everything


def test_published_files_verify_with_the_cli(demo_assembly, tmp_path):
    """`minipublic sortition verify DIR --seed S` on the downloaded files says the panel matches."""
    from typer.testing import CliRunner

    from minipublic.cli import app

    run = actions.drawn_run(demo_assembly)
    for name in actions.PUBLIC_FILES:
        (tmp_path / name).write_text(actions.published_file(run, name)[0], encoding="utf-8")
    result = CliRunner().invoke(
        app, ["sortition", "verify", str(tmp_path), "--seed", run.public_seed]
    )
    assert result.exit_code == 0, result.output
    assert "distribution.csv matches the manifest" in result.output
    assert "NOT" not in result.output
    # A tampered panel is caught.
    (tmp_path / "panel.csv").write_text("id\n" + "\n".join(run.panel[1:]) + "\n", encoding="utf-8")
    bad = CliRunner().invoke(app, ["sortition", "verify", str(tmp_path), "--seed", run.public_seed])
    assert bad.exit_code != 0 or "NOT" in bad.output
