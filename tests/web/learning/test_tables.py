"""Table plans in the site: options checked, the task stores seats that keep every rule, re-seating."""

from collections import Counter

import pytest
from django.core.exceptions import ValidationError

from minipublic.web.assemblies.models import AuditEvent
from minipublic.web.learning import actions
from minipublic.web.learning.models import PlanStatus, Seat, TablePlan
from minipublic.web.learning.tables import members_frame
from minipublic.web.progress.models import TaskStatus

pytestmark = pytest.mark.django_db


def _start(small, user, capture, **options):
    kwargs = dict(
        tables=3,
        rounds=2,
        mix={"gender": "diversify", "area": "diversify"},
        seed=7,
        accessible_tables="1",
        pinned="",
        keep_language_together=True,
        acting_user=user("organiser"),
    )
    kwargs.update(options)
    with capture(execute=True):
        return actions.check_start_table_plan(small["next"], **kwargs)


def test_members_frame_from_registration_answers(small):
    frame = members_frame(small["assembly"], ["gender", "trust_band"])
    by_id = frame.set_index("id")
    ann = small["members"]["Ann"].pseudonym
    cai = small["members"]["Cai"].pseudonym
    kim = small["members"]["Kim"].pseudonym
    fay = small["members"]["Fay"].pseudonym
    assert by_id.loc[ann, "gender"] == "woman" and by_id.loc[ann, "trust_band"] == "low"
    assert by_id.loc[kim, "trust_band"] == "not answered"
    assert by_id.loc[cai, "interpreter"] == "cy" and by_id.loc[ann, "interpreter"] == ""
    assert bool(by_id.loc[fay, "access"]) and not bool(by_id.loc[ann, "access"])
    assert len(frame) == 12


def test_plan_task_stores_seats_that_keep_every_rule(
    small, user, django_capture_on_commit_callbacks, run_queue
):
    m = small["members"]
    plan, progress = _start(
        small,
        user,
        django_capture_on_commit_callbacks,
        pinned=f"{m['Eli'].pseudonym} 2 3\n{m['Gil'].pseudonym.lower()}, 1, 2",
    )
    assert plan.status == PlanStatus.COMPUTING
    assert plan.pinned == [[2, m["Eli"].pseudonym, 3], [1, m["Gil"].pseudonym, 2]]
    run_queue()
    plan.refresh_from_db()
    progress.refresh_from_db()
    assert progress.status == TaskStatus.SUCCEEDED, progress.message
    assert plan.status == PlanStatus.READY and plan.seed == 7
    seats = list(Seat.objects.filter(plan=plan))
    table = {(s.round, s.participant_id): s.table for s in seats}
    # Everyone seated once per round; sizes within one of each other.
    for r in (1, 2):
        in_round = [s for s in seats if s.round == r]
        assert sorted(s.participant_id for s in in_round) == sorted(p.pk for p in m.values())
        sizes = Counter(s.table for s in in_round).values()
        assert max(sizes) - min(sizes) <= 1 and set(Counter(s.table for s in in_round)) == {1, 2, 3}
        # Pins, the interpreter group (Cai and Dee) together, access needs at table 1.
        assert table[(r, m["Cai"].pk)] == table[(r, m["Dee"].pk)]
        assert table[(r, m["Fay"].pk)] == 1 and table[(r, m["Jon"].pk)] == 1
    assert table[(2, m["Eli"].pk)] == 3 and table[(1, m["Gil"].pk)] == 2
    # The stored repeat count is the real one, recounted from the seats.
    pairs = Counter()
    for r in (1, 2):
        for t in (1, 2, 3):
            ids = sorted(s.participant_id for s in seats if s.round == r and s.table == t)
            pairs.update((a, b) for i, a in enumerate(ids) for b in ids[i + 1 :])
    assert plan.repeat_meetings == sum(n - 1 for n in pairs.values() if n > 1)
    assert plan.repeat_lower_bound <= plan.repeat_meetings
    assert {row["feature"] for row in plan.mixing} == {"gender", "area"}
    assert all(0.0 <= row["score"] <= 1.0 for row in plan.mixing)
    computed = AuditEvent.objects.get(event_type="table_plan.computed", object_id=str(plan.pk))
    assert computed.new["seed"] == 7 and computed.new["seats"] == 24


def test_apart_pairs_and_facilitators(
    small, user, client, django_capture_on_commit_callbacks, run_queue
):
    m = small["members"]
    fergus = user("facilitator")
    pairs = [("Ann", "Ben"), ("Eli", "Hal"), ("Ivy", "Lee")]
    plan, _p = _start(
        small,
        user,
        django_capture_on_commit_callbacks,
        apart="\n".join(f"{m[a].pseudonym} {m[b].pseudonym}" for a, b in pairs),
        facilitators={fergus.pk: 2},
    )
    run_queue()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.READY, plan.error
    assert plan.facilitators == {str(fergus.pk): 2}
    table = {(s.round, s.participant_id): s.table for s in plan.seats.all()}
    for r in (1, 2):
        for a, b in pairs:
            assert table[(r, m[a].pk)] != table[(r, m[b].pk)]
    client.force_login(user("organiser"))
    html = client.get(
        f"/a/small-learning/learning/sessions/{small['next'].pk}/tables/print/"
    ).content.decode()
    # Fergus leads table 2: named on that table's sheet in each round, and only there.
    assert html.count("Facilitator: Fergus Finch") == 2


def test_same_seed_same_plan(small, user, django_capture_on_commit_callbacks, run_queue):
    first, _p = _start(small, user, django_capture_on_commit_callbacks)
    second, _p = _start(small, user, django_capture_on_commit_callbacks)
    run_queue()

    def seating(plan):
        return sorted(plan.seats.values_list("round", "table", "participant_id"))

    assert seating(first) == seating(second)


def test_invalid_options_create_nothing(small, user, django_capture_on_commit_callbacks):
    n_plans, n_events = TablePlan.objects.count(), AuditEvent.objects.count()
    cases = [
        ({"tables": 13}, "tables"),
        ({"rounds": 0}, "rounds"),
        ({"mix": {"shoe_size": "diversify"}}, "mix"),
        ({"mix": {"gender": "shuffle"}}, "mix"),
        ({"pinned": "P-NOBODY 1 1"}, "pinned"),
        ({"pinned": f"{small['members']['Ann'].pseudonym} 3 1"}, "pinned"),  # round 3 of 2
        ({"pinned": "just words"}, "pinned"),
        ({"accessible_tables": "1, 9"}, "accessible_tables"),
        ({"apart": "P-NOBODY P-NOONE"}, "apart"),
        ({"apart": f"{small['members']['Ann'].pseudonym}"}, "apart"),
        ({"facilitators": {user("facilitator").pk: 4}}, "facilitators"),  # only 3 tables
        ({"facilitators": {user("organiser").pk: 1}}, "facilitators"),  # not a facilitator
    ]
    for options, field in cases:
        with pytest.raises(ValidationError) as err:
            _start(small, user, django_capture_on_commit_callbacks, **options)
        assert field in err.value.error_dict, options
    assert TablePlan.objects.count() == n_plans
    assert AuditEvent.objects.count() == n_events


def test_infeasible_plan_fails_with_its_reason(
    small, user, django_capture_on_commit_callbacks, run_queue
):
    m = small["members"]
    # 6 tables of 2: Fay and Jon need the one accessible table (1), where Ann and Ben are pinned.
    plan, progress = _start(
        small,
        user,
        django_capture_on_commit_callbacks,
        tables=6,
        rounds=1,
        pinned=f"{m['Ann'].pseudonym} 1 1\n{m['Ben'].pseudonym} 1 1",
    )
    run_queue()
    plan.refresh_from_db()
    progress.refresh_from_db()
    assert plan.status == PlanStatus.FAILED and plan.error
    assert progress.status == TaskStatus.FAILED and progress.message == plan.error
    assert not plan.seats.exists()
    assert actions.current_plan(small["next"]) is None


def test_reseat_after_absence(small, user, django_capture_on_commit_callbacks, run_queue):
    m = small["members"]
    plan, _p = _start(small, user, django_capture_on_commit_callbacks, accessible_tables="")
    run_queue()
    plan.refresh_from_db()
    absent = [m["Ann"].pseudonym, m["Hal"].pseudonym]
    with pytest.raises(ValidationError):
        actions.check_reseat(plan, absent=["P-NOBODY"], round_number=1, acting_user=None)
    with django_capture_on_commit_callbacks(execute=True):
        new, _p = actions.check_reseat(
            plan, absent=absent, round_number=2, seed=3, acting_user=user("organiser")
        )
    run_queue()
    new.refresh_from_db()
    assert new.status == PlanStatus.READY, new.error
    assert actions.current_plan(small["next"]) == new and new.parent == plan
    old = {(s.round, s.participant.pseudonym): s.table for s in plan.seats.all()}
    now = {(s.round, s.participant.pseudonym): s.table for s in new.seats.all()}
    # Round 1 unchanged; in round 2 the absent have no seat and sizes stay within one.
    assert {k: v for k, v in now.items() if k[0] == 1} == {
        k: v for k, v in old.items() if k[0] == 1
    }
    assert not any((2, a) in now for a in absent)
    sizes = Counter(t for (r, _who), t in now.items() if r == 2).values()
    assert sum(sizes) == 10 and max(sizes) - min(sizes) <= 1
    moved = sorted(who for (r, who), t in now.items() if r == 2 and old[(2, who)] != t)
    assert new.moved == moved
    assert len(moved) <= 10


def test_member_home_shows_round_and_table(
    small, user, client, django_capture_on_commit_callbacks, run_queue
):
    from ..conftest import sign_in_member

    plan, _p = _start(small, user, django_capture_on_commit_callbacks)
    run_queue()
    gil = small["members"]["Gil"]
    seats = {s.round: s.table for s in plan.seats.filter(participant=gil)}
    page = sign_in_member(client, gil).get("/a/small-learning/me/").content.decode()
    for r, t in seats.items():
        assert f"Round {r}: table {t}" in page


def test_print_page_has_one_sheet_per_table_and_round(
    small, user, client, django_capture_on_commit_callbacks, run_queue
):
    plan, _p = _start(small, user, django_capture_on_commit_callbacks)
    run_queue()
    client.force_login(user("organiser"))
    page = client.get(f"/a/small-learning/learning/sessions/{small['next'].pk}/tables/print/")
    html = page.content.decode()
    assert html.count('class="print-page"') == 6
    assert "Ann Test" in html and "Round 2 of 2" in html
    client.force_login(user("facilitator"))  # names are personal data: organisers only
    assert (
        client.get(
            f"/a/small-learning/learning/sessions/{small['next'].pk}/tables/print/"
        ).status_code
        == 403
    )
