"""Every change to quotas, selection runs, the draw, the panel and replacements.

Same contract as :mod:`minipublic.web.assemblies.actions`: ``do_*`` runs in
one transaction and writes one audit line per change; ``check_*`` validates
(raising :class:`~django.core.exceptions.ValidationError` with per-field
messages) and then calls ``do_*``. Audit lines name registrants by their
pseudonym only.
"""

from __future__ import annotations

import hashlib
import io
import json
from decimal import Decimal

import numpy as np
import pandas as pd
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import minipublic
from minipublic.errors import InfeasibleError, InputError
from minipublic.sortition import Feasibility, check_feasibility, lottery_from_frame, lottery_index
from minipublic.web.assemblies.audit import record_event
from minipublic.web.assemblies.models import Assembly
from minipublic.web.notify import absolute_url, send_on_commit
from minipublic.web.recruitment.models import Registrant, Status
from minipublic.web.selection.models import (
    Algorithm,
    Direction,
    DrawCommitment,
    PanelMember,
    QuotaRow,
    QuotaSet,
    Replacement,
    RunStatus,
    SeatOrigin,
    SelectionRun,
)
from minipublic.web.selection.quotas import (
    DIRECTIONS,
    QuotaLine,
    bounds_for,
    pool_from_table,
    pool_table,
    quotas_from_lines,
)

#: Registrants who are not in the pool of a new run.
OUT_OF_POOL = (Status.WITHDRAWN,)

#: Default tolerance (percentage points) of a new quota row.
DEFAULT_TOLERANCE = Decimal("2")


# --- reading the pool --------------------------------------------------------


def pool_registrants(assembly: Assembly):
    """Registrants of *assembly* who can be selected (everyone but the withdrawn)."""
    return (
        Registrant.objects.filter(assembly=assembly)
        .exclude(status__in=OUT_OF_POOL)
        .select_related("participant")
        .order_by("pk")
    )


def pool_people(assembly: Assembly) -> list[tuple[str, str, dict[str, str]]]:
    """``(pseudonym, household_key, features)`` for everyone in the pool."""
    return [
        (r.participant.pseudonym, r.household_key, r.features()) for r in pool_registrants(assembly)
    ]


def available_features(people) -> list[str]:
    """Features answered by anyone in the pool, in first-seen order."""
    seen: dict[str, None] = {}
    for _p, _h, answers in people:
        for key in answers:
            seen.setdefault(key, None)
    return list(seen)


def quota_set_of(assembly: Assembly) -> QuotaSet:
    """The assembly's quota set, created empty on first use."""
    obj, _created = QuotaSet.objects.get_or_create(assembly=assembly)
    return obj


def lines_of(quota_set: QuotaSet) -> list[QuotaLine]:
    """The saved rows as :class:`~minipublic.web.selection.quotas.QuotaLine`."""
    return [
        QuotaLine(r.feature, r.value, r.share, r.tolerance, r.direction)
        for r in quota_set.rows.all()
    ]


def default_lines(table: pd.DataFrame, features: list[str], existing=()) -> list[QuotaLine]:
    """Rows for *features*: the existing row when there is one, else the pool share ± 2 points.

    The pool's own share is only a starting point: organisers replace it with
    the population share (e.g. from the census).
    """
    by_key = {(line.feature, line.value): line for line in existing}
    lines = []
    n = max(len(table), 1)
    for f in features:
        if f not in table.columns:
            continue
        for value, count in sorted(table[f].value_counts().items(), key=lambda kv: str(kv[0])):
            key = (f, str(value))
            if key in by_key:
                lines.append(by_key[key])
            else:
                share = (Decimal(int(count)) * 100 / n).quantize(Decimal("0.1"))
                lines.append(QuotaLine(f, str(value), share, DEFAULT_TOLERANCE, Direction.RANGE))
    return lines


def feasibility_of(assembly: Assembly, lines: list[QuotaLine], panel_size: int) -> Feasibility:
    """Check the quotas from *lines* against the current pool (no change is made).

    Raises
    ------
    InputError
        Bad share/tolerance, or a pool value without a quota row.
    """
    _table, pool, quotas = pool_and_quotas(assembly, lines, panel_size)
    return check_feasibility(pool, quotas, panel_size)


def relaxed_lines(lines: list[QuotaLine], feasibility: Feasibility, panel_size: int):
    """Widen the tolerance of each changed row just enough to contain the suggested bounds.

    The core suggests new min/max per (feature, value); the editor works in
    shares, so each changed row keeps its share and gets the smallest
    tolerance (in steps of 0.5 percentage points) whose bounds contain the
    suggested ones. Unchanged rows are returned as they were.
    """
    wanted = {(c.feature, c.value): c for c in feasibility.changes}
    out = []
    step = Decimal("0.5")
    for line in lines:
        change = wanted.get((line.feature, line.value))
        if change is None:
            out.append(line)
            continue
        t = line.tolerance
        while True:
            lo, hi = bounds_for(line.share, t, panel_size, direction=line.direction)
            if lo <= change.new_min and hi >= change.new_max:
                break
            t += step
            if t > 100:
                break
        out.append(QuotaLine(line.feature, line.value, line.share, t, line.direction))
    return out


# --- quotas ------------------------------------------------------------------


def check_save_quotas(
    quota_set: QuotaSet, *, panel_size, lines: list[QuotaLine], acting_user=None
) -> QuotaSet:
    """Validate the editor's rows, then save them (see :func:`do_save_quotas`)."""
    errors: dict[str, list[str]] = {}
    if isinstance(panel_size, bool) or not isinstance(panel_size, int) or panel_size < 1:
        errors["panel_size"] = [_("The panel size must be a whole number of at least 1.")]
    seen = set()
    for i, line in enumerate(lines):
        key = (line.feature, line.value)
        if key in seen:
            errors.setdefault("__all__", []).append(
                _("%(feature)s = %(value)s is listed twice.")
                % {"feature": line.feature, "value": line.value}
            )
        seen.add(key)
        if line.direction not in DIRECTIONS:
            errors[f"row-{i}-direction"] = [_("Choose a direction.")]
        if not (Decimal(0) <= Decimal(line.share) <= Decimal(100)):
            errors[f"row-{i}-share"] = [_("Enter a share between 0 and 100.")]
        if Decimal(line.tolerance) < 0:
            errors[f"row-{i}-tolerance"] = [_("The tolerance cannot be negative.")]
    if errors:
        raise ValidationError(errors)
    return do_save_quotas(quota_set, panel_size=panel_size, lines=lines, acting_user=acting_user)


def _rows_snapshot(quota_set: QuotaSet) -> dict:
    return {
        "panel_size": quota_set.panel_size,
        "quotas": [
            {
                "feature": r.feature,
                "value": r.value,
                "share": str(r.share),
                "tolerance": str(r.tolerance),
                "direction": r.direction,
                "min": r.min,
                "max": r.max,
            }
            for r in quota_set.rows.all()
        ],
    }


@transaction.atomic
def do_save_quotas(
    quota_set: QuotaSet, *, panel_size: int, lines: list[QuotaLine], acting_user=None
) -> QuotaSet:
    """Replace the quota rows (min/max computed from share and tolerance); ``quotas.saved``."""
    old = _rows_snapshot(quota_set)
    quota_set.panel_size = panel_size
    quota_set.features = list(dict.fromkeys(line.feature for line in lines))
    quota_set.save()
    quota_set.rows.all().delete()
    rows = []
    for i, line in enumerate(lines):
        lo, hi = bounds_for(line.share, line.tolerance, panel_size, direction=line.direction)
        rows.append(
            QuotaRow(
                quota_set=quota_set,
                feature=line.feature,
                value=line.value,
                share=Decimal(line.share),
                tolerance=Decimal(line.tolerance),
                direction=line.direction,
                min=lo,
                max=hi,
                position=i,
            )
        )
    QuotaRow.objects.bulk_create(rows)
    record_event(
        "quotas.saved",
        quota_set,
        actor=acting_user,
        assembly=quota_set.assembly,
        old=old,
        new=_rows_snapshot(quota_set),
    )
    return quota_set


# --- the selection run ---------------------------------------------------------


def drawn_run(assembly: Assembly) -> SelectionRun | None:
    """The run whose panel has been drawn, if any (there is at most one)."""
    return SelectionRun.objects.filter(assembly=assembly, status=RunStatus.DRAWN).first()


def check_start_selection(
    assembly: Assembly,
    *,
    algorithm: str,
    seed: str,
    m: int = 1000,
    time_limit: int | None = None,
    acting_user=None,
) -> SelectionRun:
    """Validate and create a run (see :func:`do_start_selection`); the task does the work."""
    errors = {}
    if algorithm not in Algorithm.values:
        errors["algorithm"] = [_("Choose an algorithm.")]
    if not str(seed).strip():
        errors["seed"] = [_("Enter a seed.")]
    if isinstance(m, bool) or not isinstance(m, int) or not 1 <= m <= 100000:
        errors["m"] = [_("The lottery needs between 1 and 100 000 panels.")]
    if time_limit is not None and (
        isinstance(time_limit, bool) or not isinstance(time_limit, int) or time_limit < 60
    ):
        errors["time_limit"] = [_("Give the time limit in whole minutes, at least 1.")]
    quota_set = quota_set_of(assembly)
    if not quota_set.rows.exists():
        errors["__all__"] = [_("Set the quotas first.")]
    if drawn_run(assembly) is not None:
        errors["__all__"] = [_("The panel has already been drawn; a new selection is not allowed.")]
    if not pool_registrants(assembly).exists():
        errors["__all__"] = [_("The pool is empty: nobody has registered yet.")]
    if errors:
        raise ValidationError(errors)
    return do_start_selection(
        assembly,
        algorithm=algorithm,
        seed=str(seed).strip(),
        m=m,
        time_limit=time_limit,
        acting_user=acting_user,
    )


@transaction.atomic
def do_create_run(
    assembly: Assembly,
    *,
    algorithm: str,
    seed: str,
    m: int,
    time_limit: int | None = None,
    acting_user=None,
):
    """Create a run with a snapshot of the quotas; ``selection.started``.

    :func:`do_start_selection` then queues its computation; the demo loader
    computes it in the same process with :func:`compute_run`.
    """
    quota_set = quota_set_of(assembly)
    run = SelectionRun.objects.create(
        assembly=assembly,
        started_by=acting_user,
        algorithm=algorithm,
        seed=seed,
        m=m,
        time_limit=time_limit,
        panel_size=quota_set.panel_size,
        quotas=_rows_snapshot(quota_set)["quotas"],
    )
    record_event(
        "selection.started",
        run,
        actor=acting_user,
        assembly=assembly,
        new={
            "algorithm": algorithm,
            "seed": seed,
            "m": m,
            "panel_size": run.panel_size,
            "time_limit": time_limit,
        },
    )
    return run


@transaction.atomic
def do_start_selection(
    assembly: Assembly,
    *,
    algorithm: str,
    seed: str,
    m: int,
    time_limit: int | None = None,
    acting_user=None,
):
    """Create the run with a snapshot of the quotas and start the background task.

    Writes ``selection.started`` (and the progress app's ``task.started``).
    """
    from django.utils.translation import gettext

    from minipublic.web.progress.actions import do_start_task
    from minipublic.web.selection.tasks import run_selection

    run = do_create_run(
        assembly,
        algorithm=algorithm,
        seed=seed,
        m=m,
        time_limit=time_limit,
        acting_user=acting_user,
    )
    progress = do_start_task(
        run_selection,
        kind="selection.run",
        title=gettext("Selecting the panel"),
        assembly=assembly,
        acting_user=acting_user,
        run_id=run.pk,
    )
    run.progress = progress
    run.save(update_fields=["progress"])
    return run


def snapshot_lines(quota_rows: list[dict]) -> list[QuotaLine]:
    """Quota lines from a snapshot's rows (a run's ``quotas``)."""
    return [
        QuotaLine(q["feature"], q["value"], q["share"], q["tolerance"], q["direction"])
        for q in quota_rows
    ]


def pool_and_quotas(assembly: Assembly, lines: list[QuotaLine], panel_size: int):
    """The pool as a table, and the core's Pool and Quotas, for quota *lines*.

    Raises InputError when nobody has registered, or for bad quota lines.
    """
    people = pool_people(assembly)
    features = list(dict.fromkeys(line.feature for line in lines))
    table = pool_table(people, features)
    if len(table) == 0:
        raise InputError("the pool is empty: nobody has registered yet")
    return table, pool_from_table(table), quotas_from_lines(lines, panel_size)


def time_estimate(assembly: Assembly) -> dict | None:
    """How long LEXIMIN may take on the pool and quotas as they stand, before a run starts.

    ``{"types": distinct profiles on the quota features, "seconds": rough
    estimate}`` from :func:`minipublic.sortition.estimate_seconds` (an order
    of magnitude only), or None when there is nothing to run yet.
    """
    from minipublic.errors import MinipublicError
    from minipublic.sortition import estimate_seconds

    quota_set = quota_set_of(assembly)
    if drawn_run(assembly) is not None or not quota_set.rows.exists():
        return None
    try:
        _table, pool, quotas = pool_and_quotas(assembly, lines_of(quota_set), quota_set.panel_size)
    except (MinipublicError, ValueError):
        return None
    n_types, seconds = estimate_seconds(pool, quotas)
    return {"types": n_types, "seconds": seconds, "minutes": seconds / 60.0}


def compute_run(run: SelectionRun, progress=None) -> None:
    """Run the core on the run's pool and quotas, then store it (:func:`do_store_run`).

    Called by the task (or the demo loader). ``progress(fraction, message)``
    receives the core's progress, scaled to 5-90 %.
    """
    from minipublic.sortition import find_distribution, round_lottery

    report = progress or (lambda f, m="": None)
    report(0.01, "reading the pool")
    table, pool, quotas = pool_and_quotas(run.assembly, snapshot_lines(run.quotas), run.panel_size)

    def scaled(fraction: float, message: str = "") -> None:
        report(0.05 + 0.85 * float(fraction), message)

    report(0.05, f"finding the {run.algorithm} distribution over panels")
    dist = find_distribution(
        pool,
        quotas,
        run.panel_size,
        algorithm=run.algorithm,
        seed=run.seed,
        progress=scaled,
        time_limit=run.time_limit if run.algorithm in ("leximin", "maximin") else None,
    )
    report(0.9, f"rounding to a lottery of {run.m} equally likely panels")
    lottery = round_lottery(dist, m=run.m, seed=run.seed)
    report(0.97, "saving")
    do_store_run(run, table=table, quotas=quotas, distribution=dist, lottery=lottery)


def _csv(frame: pd.DataFrame) -> str:
    buf = io.StringIO()
    frame.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@transaction.atomic
def do_store_run(run: SelectionRun, *, table, quotas, distribution, lottery) -> SelectionRun:
    """Keep the distribution, the lottery and the manifest; ``selection.computed``."""
    pool_csv = _csv(table)
    categories_csv = _csv(quotas.to_frame())
    lottery_csv = lottery.to_csv()
    stats = dict(distribution.stats)
    stats.update(
        {
            "lottery_max_deviation": float(lottery.max_deviation),
            "lottery_bound": float(lottery.bound),
            "household_rule_applied": bool(distribution.households),
        }
    )
    run.n_pool = len(table)
    run.pool_csv = pool_csv
    run.categories_csv = categories_csv
    run.lottery_csv = lottery_csv
    run.lottery_sha256 = lottery.sha256
    run.probabilities = dict(
        zip(distribution.ids, map(float, distribution.probabilities), strict=True)
    )
    run.realised = dict(zip(lottery.ids, map(float, lottery.realised), strict=True))
    run.zero_reasons = {str(k): str(v) for k, v in distribution.zero_reasons.items()}
    run.stats = stats
    run.seconds = float(distribution.seconds)
    run.finished_at = timezone.now()
    run.status = RunStatus.DONE
    run.manifest = {
        "minipublic_version": getattr(minipublic, "__version__", ""),
        "algorithm": run.algorithm,
        "seed": run.seed,
        "panel_size": run.panel_size,
        "m": run.m,
        "solver": distribution.solver,
        "pool": {"file": "pool.csv", "sha256": _sha(pool_csv), "n_people": len(table)},
        "categories": {"file": "categories.csv", "sha256": _sha(categories_csv)},
        "distribution": {"file": "distribution.csv", "sha256": lottery.sha256},
        # The key `minipublic sortition verify DIR` checks distribution.csv against.
        "lottery": {"file": "distribution.csv", "sha256": lottery.sha256, "m": run.m},
        "households": (
            "at most one person per household (column household); passed to the core "
            "only when a household has two or more people in the pool"
        ),
        "stats": stats,
        "computed_at": run.finished_at.isoformat(),
    }
    run.save()
    record_event(
        "selection.computed",
        run,
        assembly=run.assembly,
        new={"lottery_sha256": run.lottery_sha256, "stats": stats, "n_pool": run.n_pool},
    )
    return run


@transaction.atomic
def do_fail_run(run: SelectionRun, message: str) -> SelectionRun:
    """Mark the run failed with the core's plain-words message; ``selection.failed``."""
    run.status = RunStatus.FAILED
    run.error = message
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])
    record_event("selection.failed", run, assembly=run.assembly, new={"error": message[:500]})
    return run


# --- the public draw -----------------------------------------------------------


def lottery_panels(run: SelectionRun) -> list[tuple[str, ...]]:
    """The m panels of the run's ``distribution.csv``, in order."""
    frame = pd.read_csv(io.StringIO(run.lottery_csv), dtype=str, keep_default_na=False)
    return lottery_from_frame(frame)


def commitment_in_force(assembly: Assembly) -> DrawCommitment | None:
    """The commitment the public draw will use, if one is in force."""
    return (
        DrawCommitment.objects.filter(assembly=assembly, withdrawn_at__isnull=True)
        .select_related("run")
        .first()
    )


def _lock_assembly(assembly: Assembly) -> Assembly:
    """Lock the assembly row until the transaction ends (serialises commit/draw)."""
    return Assembly.objects.select_for_update().get(pk=assembly.pk)


def _commit_errors(run: SelectionRun) -> list[str]:
    if run.status != RunStatus.DONE:
        return [_("Only a finished selection that has not been drawn can be committed.")]
    if drawn_run(run.assembly) is not None:
        return [_("A panel has already been drawn for this assembly.")]
    if commitment_in_force(run.assembly) is not None:
        return [
            _(
                "Another selection is already committed for the draw; withdraw that commitment first."
            )
        ]
    if _sha(run.lottery_csv) != run.lottery_sha256:
        return [_("This selection's lottery file does not match its fingerprint.")]
    return []


def check_commit_run(run: SelectionRun, *, acting_user=None) -> DrawCommitment:
    """Validate, then commit *run* for the public draw (see :func:`do_commit_run`)."""
    errors = _commit_errors(run)
    if errors:
        raise ValidationError({"__all__": errors})
    return do_commit_run(run, acting_user=acting_user)


@transaction.atomic
def do_commit_run(run: SelectionRun, *, acting_user=None) -> DrawCommitment:
    """Fix *run* as the one the draw will use; publish its fingerprint; ``draw.committed``.

    Must happen before any public seed exists: the draw accepts only the
    committed run, so nobody can pick among runs after hearing the seed.
    """
    _lock_assembly(run.assembly)
    errors = _commit_errors(run)
    if errors:
        raise ValidationError({"__all__": errors})
    commitment = DrawCommitment.objects.create(
        assembly=run.assembly,
        run=run,
        lottery_sha256=run.lottery_sha256,
        committed_at=timezone.now(),
        committed_by=acting_user,
    )
    record_event(
        "draw.committed",
        commitment,
        actor=acting_user,
        assembly=run.assembly,
        new={
            "run": run.pk,
            "lottery_sha256": run.lottery_sha256,
            "m": run.m,
            "committed_at": commitment.committed_at.isoformat(),
        },
    )
    return commitment


def check_withdraw_commitment(
    commitment: DrawCommitment, *, reason: str, acting_user=None
) -> DrawCommitment:
    """Validate (a reason; not drawn yet), then withdraw (see :func:`do_withdraw_commitment`)."""
    errors = {}
    reason = str(reason or "").strip()
    if not reason:
        errors["reason"] = [_("Say why the commitment is withdrawn; the reason is published.")]
    elif len(reason) > 500:
        errors["reason"] = [_("Keep the reason to 500 characters or fewer.")]
    if not commitment.in_force:
        errors["__all__"] = [_("This commitment has already been withdrawn.")]
    elif commitment.run.status == RunStatus.DRAWN or drawn_run(commitment.assembly) is not None:
        errors["__all__"] = [_("The panel has been drawn: the commitment can no longer change.")]
    if errors:
        raise ValidationError(errors)
    return do_withdraw_commitment(commitment, reason=reason, acting_user=acting_user)


@transaction.atomic
def do_withdraw_commitment(
    commitment: DrawCommitment, *, reason: str, acting_user=None
) -> DrawCommitment:
    """Withdraw the commitment before the draw; stays on the public page; ``draw.withdrawn``."""
    _lock_assembly(commitment.assembly)
    commitment = DrawCommitment.objects.select_related("run").get(pk=commitment.pk)
    if not commitment.in_force or drawn_run(commitment.assembly) is not None:
        raise ValidationError(
            {"__all__": [_("The panel has been drawn: the commitment can no longer change.")]}
        )
    commitment.withdrawn_at = timezone.now()
    commitment.withdrawn_by = acting_user
    commitment.withdrawal_reason = reason
    commitment.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    record_event(
        "draw.withdrawn",
        commitment,
        actor=acting_user,
        assembly=commitment.assembly,
        old={"run": commitment.run_id, "lottery_sha256": commitment.lottery_sha256},
        new={"reason": reason, "withdrawn_at": commitment.withdrawn_at.isoformat()},
    )
    return commitment


def _draw_errors(run: SelectionRun) -> list[str]:
    if run.status != RunStatus.DONE:
        return [_("This selection cannot be drawn (it is not ready, or already drawn).")]
    if drawn_run(run.assembly) is not None:
        return [_("A panel has already been drawn for this assembly.")]
    commitment = commitment_in_force(run.assembly)
    if commitment is None:
        return [
            _(
                "Commit one selection for the draw first: its fingerprint must be public before the seed is chosen."
            )
        ]
    if commitment.run_id != run.pk:
        return [_("Only the committed selection can be drawn.")]
    if _sha(run.lottery_csv) != commitment.lottery_sha256:
        return [_("The lottery file does not match the committed fingerprint.")]
    return []


def check_draw(run: SelectionRun, *, public_seed: str, acting_user=None) -> SelectionRun:
    """Validate the public seed and the run's state, then draw (see :func:`do_draw`)."""
    errors = _draw_errors(run)
    if errors:
        raise ValidationError({"__all__": errors})
    seed = str(public_seed).strip()
    if not seed:
        raise ValidationError({"public_seed": [_("Enter the public seed as announced.")]})
    if len(seed) > 200:
        raise ValidationError({"public_seed": [_("Keep the seed to 200 characters or fewer.")]})
    return do_draw(run, public_seed=seed, acting_user=acting_user)


@transaction.atomic
def do_draw(run: SelectionRun, *, public_seed: str, acting_user=None) -> SelectionRun:
    """Draw the panel: ``index = SHA-256(public seed) mod m``; seats and statuses; ``panel.drawn``.

    Only the committed run can be drawn (:func:`do_commit_run`). The
    assembly row is locked and the run re-read under the lock, so two draws
    at the same moment cannot both succeed; a partial unique constraint
    (one drawn run per assembly) backs this up in the database.

    Every drawn registrant gets status ``selected`` and keeps the run's
    selection probability (for the evaluation).
    """
    _lock_assembly(run.assembly)
    run = SelectionRun.objects.select_related("assembly").get(pk=run.pk)
    errors = _draw_errors(run)
    if errors:
        raise ValidationError({"__all__": errors})
    panels = lottery_panels(run)
    index, digest = lottery_index(public_seed, len(panels))
    panel = list(panels[index])
    run.public_seed = public_seed
    run.seed_entered_at = timezone.now()
    run.seed_entered_by = acting_user
    run.draw_digest = digest
    run.draw_index = index
    run.panel = panel
    run.status = RunStatus.DRAWN
    run.save()
    registrants = {
        r.participant.pseudonym: r
        for r in Registrant.objects.filter(
            assembly=run.assembly, participant__pseudonym__in=panel
        ).select_related("participant")
    }
    members = []
    for pseudonym in panel:
        r = registrants[pseudonym]
        p = float(run.probabilities.get(pseudonym, 0.0))
        r.status = Status.SELECTED
        r.selection_probability = p
        members.append(
            PanelMember(run=run, registrant=r, origin=SeatOrigin.DRAWN, selection_probability=p)
        )
    Registrant.objects.bulk_update(registrants.values(), ["status", "selection_probability"])
    # Everyone else in the pool keeps their probability of having been selected.
    others = []
    for r in pool_registrants(run.assembly).exclude(pk__in=[r.pk for r in registrants.values()]):
        r.selection_probability = float(run.probabilities.get(r.participant.pseudonym, 0.0))
        others.append(r)
    Registrant.objects.bulk_update(others, ["selection_probability"], batch_size=500)
    PanelMember.objects.bulk_create(members)
    record_event(
        "panel.drawn",
        run,
        actor=acting_user,
        assembly=run.assembly,
        new={
            "public_seed": public_seed,
            "sha256_of_seed": digest,
            "index": index,
            "m": len(panels),
            "lottery_sha256": run.lottery_sha256,
            "panel": panel,
        },
    )
    # Everyone who registered and was not drawn hears so, once, in their language:
    # hundreds of messages, written and sent by the background worker.
    from minipublic.web.recruitment.tasks import tell_not_selected

    assembly_id, actor_id = run.assembly_id, getattr(acting_user, "pk", None)
    transaction.on_commit(
        lambda: tell_not_selected.enqueue(assembly_id=assembly_id, acting_user_id=actor_id)
    )
    return run


def verify_run(run: SelectionRun):
    """Re-derive the draw from the stored lottery and seed (:func:`minipublic.sortition.verify`)."""
    from minipublic.sortition import verify

    return verify(lottery_panels(run), run.panel, run.public_seed)


# --- after the draw -------------------------------------------------------------


@transaction.atomic
def do_invite_panel(run: SelectionRun, *, acting_user=None) -> int:
    """Invite every active panel member not yet invited; email those with an address.

    Registrant status becomes ``invited``; writes ``panel.invited``.
    """
    now = timezone.now()
    members = list(
        run.members.filter(active=True, invited_at__isnull=True).select_related(
            "registrant__participant__personal_details"
        )
    )
    for m in members:
        m.invited_at = now
        m.registrant.status = Status.INVITED
        details = getattr(m.registrant.participant, "personal_details", None)
        if details is not None and details.email:
            send_on_commit(
                "selection/email/invitation",
                {
                    "assembly": run.assembly,
                    "first_name": details.first_name,
                    "link": absolute_url(seat_response_path(m)),
                },
                to=[details.email],
                language=m.registrant.language,
            )
    PanelMember.objects.bulk_update(members, ["invited_at"])
    Registrant.objects.bulk_update([m.registrant for m in members], ["status"])
    record_event(
        "panel.invited",
        run,
        actor=acting_user,
        assembly=run.assembly,
        new={"invited": [m.registrant.pseudonym for m in members]},
    )
    return len(members)


RESPONSES = (Status.ACCEPTED, Status.DECLINED)

#: Salt of the personal "accept or decline your seat" links in the invitation.
SEAT_SALT = "minipublic.selection.seat-response"


def seat_response_path(member: PanelMember) -> str:
    """Site path of *member*'s personal link to accept or decline their seat."""
    from django.core import signing
    from django.urls import reverse

    value = signing.dumps(member.pk, salt=SEAT_SALT, compress=False)
    return reverse("selection:seat", args=[member.run.assembly.slug, value])


def member_for_seat_link(value: str, assembly: Assembly) -> PanelMember | None:
    """The panel seat of the signed link *value* in *assembly*, or ``None`` when altered/unknown."""
    from django.core import signing

    try:
        pk = signing.loads(value, salt=SEAT_SALT)
    except signing.BadSignature:
        return None
    return (
        PanelMember.objects.select_related(
            "run__assembly", "registrant__participant__personal_details"
        )
        .filter(pk=pk, run__assembly=assembly, run__status=RunStatus.DRAWN)
        .first()
    )


def check_record_response(
    member: PanelMember, *, response: str, acting_user=None, by_member: bool = False
) -> PanelMember:
    """Validate, then record accept/decline (see :func:`do_record_response`)."""
    if response not in RESPONSES:
        raise ValidationError({"response": [_("Choose accepted or declined.")]})
    if not member.active:
        raise ValidationError({"__all__": [_("This person has already been replaced.")]})
    if member.run.status != RunStatus.DRAWN:
        raise ValidationError({"__all__": [_("The panel has not been drawn.")]})
    return do_record_response(
        member, response=response, acting_user=acting_user, by_member=by_member
    )


def _details_of(registrant: Registrant):
    """The registrant's personal details, created empty when an import brought none."""
    from minipublic.web.people.models import PersonalDetails

    details = getattr(registrant.participant, "personal_details", None)
    if details is None:
        details = PersonalDetails.objects.create(
            participant=registrant.participant,
            first_name=registrant.external_id or registrant.pseudonym,
            preferred_language=registrant.language,
        )
    return details


def _make_member(member: PanelMember, *, actor) -> None:
    """Make the accepting registrant a member who can sign in, and send their sign-in link.

    Their participant (pseudonym and personal details) becomes active; their
    language becomes the preferred language of their details; support needs
    and selection probability stay on the registrant, reachable as
    ``participant.registrant``. Writes ``participant.became_member``.
    """
    from minipublic.web.people.actions import do_issue_sign_in_link

    r = member.registrant
    participant = r.participant
    details = _details_of(r)
    if details.preferred_language != r.language:
        details.preferred_language = r.language
        details.save(update_fields=["preferred_language"])
    if participant.is_active:
        return
    participant.is_active = True
    participant.save(update_fields=["is_active"])
    record_event(
        "participant.became_member",
        participant,
        actor=actor,
        assembly=member.run.assembly,
        new={
            "pseudonym": participant.pseudonym,
            "language": r.language,
            "selection_probability": member.selection_probability,
        },
    )
    do_issue_sign_in_link(participant, acting_user=actor)


def _end_membership(member: PanelMember, *, actor, reason: str) -> None:
    """Take a decliner (or replaced person) off the members list; ``participant.left``."""
    participant = member.registrant.participant
    if not participant.is_active:
        return
    participant.is_active = False
    participant.save(update_fields=["is_active"])
    record_event(
        "participant.left",
        participant,
        actor=actor,
        assembly=member.run.assembly,
        new={"pseudonym": participant.pseudonym, "reason": reason},
    )


@transaction.atomic
def do_record_response(
    member: PanelMember, *, response: str, acting_user=None, by_member: bool = False
) -> PanelMember:
    """Set the registrant's status to accepted/declined; ``panel_member.responded``.

    Accepting makes the person a member who can sign in (their sign-in link
    is emailed); declining takes them off the members list again. With
    *by_member* the answer came through the person's own link and the audit
    line names their pseudonym as the actor.
    """
    r = member.registrant
    actor = r.participant if by_member else acting_user
    old = r.status
    r.status = response
    r.save(update_fields=["status"])
    member.responded_at = timezone.now()
    member.save(update_fields=["responded_at"])
    record_event(
        "panel_member.responded",
        member,
        actor=actor,
        assembly=member.run.assembly,
        old={"status": old},
        new={
            "status": response,
            "pseudonym": r.pseudonym,
            "by": "member" if by_member else "organiser",
        },
    )
    if response == Status.ACCEPTED:
        _make_member(member, actor=actor)
    else:
        _end_membership(member, actor=actor, reason=response)
    return member


def check_replace(member: PanelMember, *, seed: str, acting_user=None) -> Replacement:
    """Validate, then draw a replacement for a decliner (see :func:`do_replace`)."""
    if not member.active or member.registrant.status != Status.DECLINED:
        raise ValidationError({"__all__": [_("Only a panel member who declined can be replaced.")]})
    if not str(seed).strip():
        raise ValidationError({"seed": [_("Enter a seed for the replacement draw.")]})
    try:
        return do_replace(member, seed=str(seed).strip(), acting_user=acting_user)
    except (InputError, InfeasibleError) as exc:
        raise ValidationError({"__all__": [str(exc)]}) from None


def run_pool_and_quotas(run: SelectionRun):
    """The run's pool (from its stored ``pool.csv``) and quotas, as the core's objects."""
    from minipublic.sortition import Quota, Quotas

    table = pd.read_csv(io.StringIO(run.pool_csv), dtype=str, keep_default_na=False)
    quotas = Quotas(tuple(Quota(q["feature"], q["value"], q["min"], q["max"]) for q in run.quotas))
    return pool_from_table(table), quotas


@transaction.atomic
def do_replace(member: PanelMember, *, seed: str, acting_user=None) -> Replacement:
    """Draw the replacement with the core's replacement lottery (:func:`minipublic.sortition.replace`).

    The candidates are the run's pool minus everyone ever given a seat and
    everyone no longer available (withdrawn, or not ``registered``); the core
    keeps the quotas with the remaining members counted (widening them
    minimally only if it must), finds a fair distribution over the
    candidates with the run's algorithm, rounds it to a lottery of ``m``
    panels and draws from *seed* (``SHA-256(seed) mod m``). The decliner's
    seat becomes inactive and their status ``replaced``; the person drawn
    gets a seat (origin ``replacement``) with their selection probability
    from the run, and status ``selected``. Writes ``panel_member.replaced``.
    """
    from minipublic.sortition import replace

    run = member.run
    pool, quotas = run_pool_and_quotas(run)
    active = list(run.members.filter(active=True).select_related("registrant__participant"))
    panel = [m.registrant.pseudonym for m in active]
    ever = set(run.members.values_list("registrant__participant__pseudonym", flat=True))
    available = set(
        pool_registrants(run.assembly)
        .filter(status=Status.REGISTERED)
        .values_list("participant__pseudonym", flat=True)
    )
    exclude = [pid for pid in pool.ids if pid in ever or pid not in available]
    result = replace(
        pool,
        quotas,
        panel,
        [member.registrant.pseudonym],
        public_seed=seed,
        algorithm=run.algorithm,
        m=run.m,
        seed=run.seed,
        exclude=[pid for pid in exclude if pid not in panel],
    )
    chosen_id = result.replacements[0]
    chosen = Registrant.objects.select_related("participant").get(
        assembly=run.assembly, participant__pseudonym=chosen_id
    )
    p = float(run.probabilities.get(chosen_id, 0.0))
    chosen.status = Status.SELECTED
    chosen.selection_probability = p
    chosen.save(update_fields=["status", "selection_probability"])
    new_member = PanelMember.objects.create(
        run=run, registrant=chosen, origin=SeatOrigin.REPLACEMENT, selection_probability=p
    )
    member.active = False
    member.save(update_fields=["active"])
    _end_membership(member, actor=acting_user, reason=Status.REPLACED)
    member.registrant.status = Status.REPLACED
    member.registrant.save(update_fields=["status"])
    eligible = sorted(pid for pid, prob in result.probabilities.items() if prob > 1e-12)
    violation = sum(
        abs(c.new_min - c.old_min) + abs(c.new_max - c.old_max) for c in result.quota_changes
    )
    replacement = Replacement.objects.create(
        run=run,
        declined=member,
        replacement=new_member,
        seed=result.draw.public_seed,
        digest=result.draw.digest,
        index=result.draw.index,
        m=result.m,
        lottery_sha256=result.lottery_sha256,
        probability=float(result.probabilities.get(chosen_id, 0.0)),
        eligible=eligible,
        meets_quotas=not result.quota_changes,
        violation=violation,
        quota_changes=[c.to_dict() for c in result.quota_changes],
        method=(
            f"minipublic.sortition.replace: {result.algorithm} over the candidates, "
            f"lottery of {result.m} panels, index = SHA-256(seed) mod {result.m}"
        ),
        created_by=acting_user,
    )
    record_event(
        "panel_member.replaced",
        member,
        actor=acting_user,
        assembly=run.assembly,
        old={"pseudonym": member.registrant.pseudonym},
        new={
            "pseudonym": chosen_id,
            "seed": result.draw.public_seed,
            "index": result.draw.index,
            "m": result.m,
            "lottery_sha256": result.lottery_sha256,
            "quota_changes": [c.describe() for c in result.quota_changes],
        },
    )
    return replacement


# --- published files ------------------------------------------------------------

PUBLIC_FILES = ("distribution.csv", "panel.csv", "manifest.json", "categories.csv")


def published_file(run: SelectionRun, name: str) -> tuple[str, str]:
    """``(content, content_type)`` of one published file of a drawn run.

    ``distribution.csv`` is the lottery (m panels of pseudonyms),
    ``panel.csv`` the drawn panel (one pseudonym a line, header ``id``),
    ``categories.csv`` the quotas, ``manifest.json`` the algorithm, seeds,
    hashes and fairness statistics.
    """
    if name == "distribution.csv":
        return run.lottery_csv, "text/csv"
    if name == "categories.csv":
        return run.categories_csv, "text/csv"
    if name == "panel.csv":
        return "id\n" + "".join(f"{p}\n" for p in run.panel), "text/csv"
    if name == "manifest.json":
        manifest = dict(run.manifest)
        commitment = run.commitments.filter(withdrawn_at__isnull=True).first()
        if commitment is not None:
            # What `minipublic sortition verify` checks distribution.csv against,
            # besides the fingerprint published on the lottery page.
            manifest["commitment"] = {
                "file": "distribution.csv",
                "sha256": commitment.lottery_sha256,
                "committed_at": commitment.committed_at.isoformat(),
            }
        manifest["draw"] = {
            "public_seed": run.public_seed,
            "seed_entered_at": run.seed_entered_at.isoformat() if run.seed_entered_at else None,
            "sha256_of_seed": run.draw_digest,
            "index": run.draw_index,
            "panel_file": "panel.csv",
        }
        return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", "application/json"
    raise KeyError(name)


def probability_histogram(probabilities, bins: int = 20) -> dict:
    """Counts of selection probabilities in *bins* equal bins from 0 to the largest."""
    p = np.asarray(list(probabilities), dtype=float)
    if len(p) == 0:
        return {"labels": [], "counts": []}
    top = max(float(p.max()), 1e-9)
    counts, edges = np.histogram(p, bins=bins, range=(0.0, top))
    labels = [f"{100 * a:.1f}–{100 * b:.1f}%" for a, b in zip(edges[:-1], edges[1:], strict=True)]
    return {"labels": labels, "counts": [int(c) for c in counts]}
