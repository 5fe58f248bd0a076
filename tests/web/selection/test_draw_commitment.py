"""The public draw is committed in advance, drawn once, and verified against the commitment.

Issue #14 items 2 (commitment) and 3 (one drawn run: lock + database constraint).
"""

import random
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from minipublic.web.assemblies.models import Assembly, AuditEvent, StaffRole
from minipublic.web.people.models import Participant, User
from minipublic.web.recruitment.models import Registrant, Source
from minipublic.web.selection import actions
from minipublic.web.selection.models import DrawCommitment, PanelMember, RunStatus, SelectionRun
from minipublic.web.selection.quotas import QuotaLine

LINES = [
    QuotaLine("gender", "man", Decimal(50), Decimal(10), "range"),
    QuotaLine("gender", "woman", Decimal(50), Decimal(10), "range"),
]


def _pool(slug="draw-test", n=30) -> tuple[Assembly, User]:
    rng = random.Random(5)
    assembly = Assembly.objects.create(
        slug=slug, title="Draw test", question="?", is_public=True, phase="select"
    )
    organiser = User.objects.create_user(email=f"org-{slug}@example.org", password="x")
    StaffRole.objects.create(assembly=assembly, user=organiser, role="organiser")
    for i in range(n):
        p = Participant.objects.create(assembly=assembly, is_active=False)
        Registrant.objects.create(
            assembly=assembly,
            participant=p,
            source=Source.IMPORT,
            external_id=f"x{i}",
            household_key=f"{i} street",
            gender=rng.choice(["woman", "man"]),
        )
    actions.do_save_quotas(actions.quota_set_of(assembly), panel_size=6, lines=LINES)
    return assembly, organiser


def _done_run(assembly, organiser, seed) -> SelectionRun:
    run = actions.do_create_run(
        assembly, algorithm="maximin", seed=seed, m=50, acting_user=organiser
    )
    actions.compute_run(run)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    return run


@pytest.mark.django_db
def test_only_the_committed_run_can_be_drawn(client):
    assembly, olivia = _pool()
    first = _done_run(assembly, olivia, "a")
    second = _done_run(assembly, olivia, "b")
    # No commitment yet: no draw, whichever run.
    with pytest.raises(ValidationError, match="Commit one selection"):
        actions.check_draw(first, public_seed="1 2 3", acting_user=olivia)
    commitment = actions.check_commit_run(first, acting_user=olivia)
    assert commitment.lottery_sha256 == first.lottery_sha256
    event = AuditEvent.objects.get(event_type="draw.committed", assembly=assembly)
    assert event.new["lottery_sha256"] == first.lottery_sha256 and event.actor == olivia
    # A second commitment while one is in force is refused.
    with pytest.raises(ValidationError, match="already committed"):
        actions.check_commit_run(second, acting_user=olivia)
    # The fingerprint and the time are public before the draw.
    page = client.get(f"/a/{assembly.slug}/lottery/").content.decode()
    assert first.lottery_sha256 in page and "In force" in page
    assert second.lottery_sha256 not in page
    # After the seed: the other run cannot be drawn, the committed one can.
    with pytest.raises(ValidationError, match="Only the committed selection"):
        actions.check_draw(second, public_seed="1 2 3", acting_user=olivia)
    actions.check_draw(first, public_seed="1 2 3", acting_user=olivia)
    first.refresh_from_db()
    assert first.status == RunStatus.DRAWN
    # The published manifest carries the commitment.
    manifest = actions.published_file(first, "manifest.json")[0]
    assert f'"sha256": "{first.lottery_sha256}"' in manifest and '"commitment"' in manifest


@pytest.mark.django_db
def test_withdrawal_is_audited_public_and_impossible_after_the_draw(client):
    assembly, olivia = _pool()
    first = _done_run(assembly, olivia, "a")
    second = _done_run(assembly, olivia, "b")
    commitment = actions.check_commit_run(first, acting_user=olivia)
    with pytest.raises(ValidationError) as err:
        actions.check_withdraw_commitment(commitment, reason="  ", acting_user=olivia)
    assert "reason" in err.value.error_dict
    actions.check_withdraw_commitment(
        commitment, reason="A quota row was wrong", acting_user=olivia
    )
    assert AuditEvent.objects.filter(event_type="draw.withdrawn", assembly=assembly).count() == 1
    page = client.get(f"/a/{assembly.slug}/lottery/").content.decode()
    assert "A quota row was wrong" in page and first.lottery_sha256 in page
    # The withdrawn run can no longer be drawn; a new commitment can be made.
    with pytest.raises(ValidationError):
        actions.check_draw(first, public_seed="9", acting_user=olivia)
    new = actions.check_commit_run(second, acting_user=olivia)
    actions.check_draw(second, public_seed="9", acting_user=olivia)
    new.refresh_from_db()
    # After the draw the commitment cannot change.
    with pytest.raises(ValidationError, match="can no longer change"):
        actions.check_withdraw_commitment(new, reason="changed my mind", acting_user=olivia)
    assert DrawCommitment.objects.get(pk=new.pk).withdrawn_at is None


@pytest.mark.django_db
def test_the_organiser_commits_and_withdraws_through_the_pages(client):
    assembly, olivia = _pool()
    run = _done_run(assembly, olivia, "a")
    client.force_login(olivia)
    page = client.get(f"/a/{assembly.slug}/selection/runs/{run.pk}/").content.decode()
    assert "Commit this selection" in page
    client.post(f"/a/{assembly.slug}/selection/runs/{run.pk}/commit/")
    assert actions.commitment_in_force(assembly).run_id == run.pk
    page = client.get(f"/a/{assembly.slug}/selection/runs/{run.pk}/").content.decode()
    assert "Hold the public draw" in page
    client.post(f"/a/{assembly.slug}/selection/commitment/withdraw/", {"reason": "Wrong pool"})
    assert actions.commitment_in_force(assembly) is None
    assert DrawCommitment.objects.get(run=run).withdrawal_reason == "Wrong pool"


@pytest.mark.django_db
def test_verify_checks_the_committed_fingerprint(demo_assembly, tmp_path):
    from typer.testing import CliRunner

    from minipublic.cli import app

    run = actions.drawn_run(demo_assembly)
    for name in actions.PUBLIC_FILES:
        (tmp_path / name).write_text(actions.published_file(run, name)[0], encoding="utf-8")
    seed = ["--seed", run.public_seed]
    ok = CliRunner().invoke(app, ["sortition", "verify", str(tmp_path), *seed])
    assert ok.exit_code == 0, ok.output
    assert "matches the committed fingerprint" in ok.output
    right = ["--fingerprint", run.lottery_sha256]
    ok = CliRunner().invoke(app, ["sortition", "verify", str(tmp_path), *seed, *right])
    assert ok.exit_code == 0, ok.output
    wrong = ["--fingerprint", "0" * 64]
    bad = CliRunner().invoke(app, ["sortition", "verify", str(tmp_path), *seed, *wrong])
    assert bad.exit_code == 1 and "does NOT match the committed fingerprint" in bad.output
    garbled = CliRunner().invoke(
        app, ["sortition", "verify", str(tmp_path), *seed, "--fingerprint", "xyz"]
    )
    assert garbled.exit_code == 2 and "Traceback" not in garbled.output


def test_core_verify_checks_the_fingerprint():
    from minipublic.sortition import verify
    from minipublic.sortition._lottery import Lottery

    lottery = Lottery(
        panels=(("a", "b"), ("a", "c"), ("b", "c")),
        ids=("a", "b", "c"),
        target=(2 / 3,) * 3,
        realised=(2 / 3,) * 3,
        max_deviation=0.0,
        bound=0.0,
        seed=1,
        algorithm="test",
    )
    panel = verify(lottery, [], "7").expected_panel
    assert verify(lottery, panel, "7", fingerprint=lottery.sha256).matches
    result = verify(lottery, panel, "7", fingerprint="f" * 64)
    assert not result.matches and "does NOT match the committed fingerprint" in result.messages[0]


@pytest.mark.django_db
def test_the_database_allows_one_drawn_run_per_assembly():
    assembly, olivia = _pool()
    first = _done_run(assembly, olivia, "a")
    second = _done_run(assembly, olivia, "b")
    SelectionRun.objects.filter(pk=first.pk).update(status=RunStatus.DRAWN)
    with pytest.raises(IntegrityError), transaction.atomic():
        SelectionRun.objects.filter(pk=second.pk).update(status=RunStatus.DRAWN)


@pytest.mark.django_db(transaction=True)
def test_two_parallel_draws_one_wins():
    """Two organisers press "Draw" at the same moment: one panel, one audit line."""
    if connection.vendor != "postgresql":
        pytest.skip("parallel transactions need PostgreSQL (SQLite test databases are in memory)")
    assembly, olivia = _pool(slug="parallel-draw")
    run = _done_run(assembly, olivia, "a")
    actions.check_commit_run(run, acting_user=olivia)
    barrier = threading.Barrier(2)
    outcomes = []

    def draw(seed):
        try:
            barrier.wait()
            actions.check_draw(SelectionRun.objects.get(pk=run.pk), public_seed=seed)
            outcomes.append("drawn")
        except (ValidationError, IntegrityError) as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=draw, args=(s,)) for s in ("11 12", "21 22")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ValidationError", "drawn"]
    assert SelectionRun.objects.filter(assembly=assembly, status=RunStatus.DRAWN).count() == 1
    assert PanelMember.objects.filter(run__assembly=assembly).count() == 6
    assert AuditEvent.objects.filter(event_type="panel.drawn", assembly=assembly).count() == 1
