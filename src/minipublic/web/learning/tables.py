"""From the database to the table-allocation core and back.

:func:`members_frame` builds the core's member table (one row per member,
keyed by pseudonym) from the registration answers; :func:`compute_plan` runs
:func:`minipublic.deliberation.tables.assign_tables` (or ``reseat``) for a
stored :class:`~minipublic.web.learning.models.TablePlan` and returns plain
rows for :func:`~minipublic.web.learning.actions.do_store_table_plan`.
"""

from dataclasses import dataclass

from minipublic.web.learning.actions import members_of
from minipublic.web.learning.models import TablePlan

UNKNOWN = "not answered"


@dataclass(frozen=True)
class PlanResult:
    """What is stored from one run of the core (JSON-friendly)."""

    seats: list[tuple[int, int, str]]  # (round, table, pseudonym)
    repeat_meetings: int
    repeat_lower_bound: int
    mixing: list[dict]  # {"round", "table", "feature", "score"}
    moved: list[str]
    summary: str


def members_frame(assembly, features: list[str]):
    """The core's member table: ``id`` (pseudonym), one column per feature, ``interpreter``, ``access``.

    * Feature values come from the member's registration answers
      (:meth:`Registrant.features`); a member who did not answer gets
      ``"not answered"``, which is mixed like any other value.
    * ``interpreter`` is the member's language when they asked for an
      interpreter (so members sharing an interpreter sit together), else empty.
    * ``access`` is true when they asked for access support (they are seated
      at accessible tables).
    """
    import pandas as pd

    rows = []
    members = members_of(assembly).select_related("registrant", "personal_details")
    for p in members.order_by("pseudonym"):
        registrant = getattr(p, "registrant", None)
        answers = registrant.features() if registrant is not None else {}
        needs = list(registrant.support_needs) if registrant is not None else []
        details = getattr(p, "personal_details", None)
        language = (
            registrant.language
            if registrant is not None
            else (details.preferred_language if details else "en")
        )
        row = {"id": p.pseudonym}
        for f in features:
            row[f] = answers.get(f) or UNKNOWN
        row["interpreter"] = language if "interpreter" in needs else ""
        row["access"] = "access" in needs
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["id", *features, "interpreter", "access"])
    frame.attrs["source"] = "members of the assembly"
    return frame


def _mixing_rows(mixing) -> list[dict]:
    if mixing is None:
        return []
    out = []
    for rec in mixing.to_dict("records"):
        out.append(
            {
                "round": int(rec["round"]),
                "table": int(rec["table"]),
                "feature": str(rec["feature"]),
                "score": float(rec["score"]),
            }
        )
    return out


def _result(core_plan, moved=()) -> PlanResult:
    seats = [
        (int(r), int(t), str(i))
        for r, t, i in core_plan.assignment[["round", "table", "id"]].itertuples(index=False)
    ]
    return PlanResult(
        seats=seats,
        repeat_meetings=int(core_plan.repeat_meetings),
        repeat_lower_bound=int(core_plan.repeat_lower_bound),
        mixing=_mixing_rows(core_plan.mixing),
        moved=sorted(moved),
        summary=core_plan.summary(),
    )


def _options(plan: TablePlan) -> dict:
    return {
        "mix": dict(plan.mix),
        "together": "interpreter" if plan.keep_language_together else None,
        "needs_access": "access" if plan.accessible_tables else None,
        "accessible_tables": tuple(plan.accessible_tables),
        "pinned": {(int(r), str(who)): int(t) for r, who, t in plan.pinned},
        "apart": [tuple(pair) for pair in plan.apart],
        # Facilitators are staff, not members: ids that cannot clash with pseudonyms.
        "facilitators": {f"facilitator-{uid}": int(t) for uid, t in plan.facilitators.items()},
    }


def compute_plan(plan: TablePlan, progress=None) -> PlanResult:
    """Run the core for *plan*: a new plan, or a re-seat of one round of ``plan.parent``.

    Raises the core's :class:`~minipublic.errors.MinipublicError` subclasses
    (bad input, infeasible constraints) unchanged, so the progress box shows
    their message.
    """
    from minipublic.deliberation.tables import assign_tables, reseat

    frame = members_frame(plan.meeting.assembly, sorted(plan.mix))
    options = _options(plan)
    if plan.parent_id is None:
        core_plan = assign_tables(
            frame,
            tables=plan.tables,
            rounds=plan.rounds,
            seed=plan.seed,
            progress=progress,
            **options,
        )
        return _result(core_plan)
    previous = stored_core_plan(plan.parent)
    if progress is not None:
        progress(0.1, "re-seating")
    round_ = plan.reseat_from or 1
    core_plan = reseat(
        previous,
        frame,
        round=round_,
        absent=list(plan.absent),
        seed=plan.seed,
        **options,
    )
    before = {
        who: t for r, t, who in previous.assignment.itertuples(index=False) if int(r) == round_
    }
    moved = {
        str(who)
        for r, t, who in core_plan.assignment[["round", "table", "id"]].itertuples(index=False)
        if int(r) == round_ and before.get(str(who)) != int(t)
    }
    return _result(core_plan, moved=moved)


def stored_core_plan(plan: TablePlan):
    """The core's :class:`~minipublic.deliberation.tables.TablePlan` for the stored seats of *plan*.

    Only what :func:`~minipublic.deliberation.tables.reseat` reads is filled
    in (the seating, its shape and scores); the options are passed again.
    """
    import pandas as pd

    from minipublic.deliberation.tables import TablePlan as CoreTablePlan

    assignment = pd.DataFrame(
        list(
            plan.seats.order_by("round", "table", "participant__pseudonym").values_list(
                "round", "table", "participant__pseudonym"
            )
        ),
        columns=["round", "table", "id"],
    )
    return CoreTablePlan(
        assignment=assignment,
        tables=plan.tables,
        rounds=plan.rounds,
        seed=plan.seed,
        repeat_meetings=plan.repeat_meetings or 0,
        repeat_lower_bound=plan.repeat_lower_bound or 0,
        pairs_met=0,
        pairs_possible=0,
        mixing=pd.DataFrame(
            columns=["round", "table", "feature", "kind", "score", "size", "counts"]
        ),
        method="stored plan",
    )
