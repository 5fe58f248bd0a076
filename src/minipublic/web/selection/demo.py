"""Demo loader of the ``selection`` app.

The demo assembly gets census-like quotas for a panel of 100 (age band,
gender, area, and the attitude feature ``trust_band`` with *at least* the
population's 40 % of people whose trust in government is 0-3), a completed
selection run, the public draw, invitations, three answers (one decline) and
one recorded replacement — so every page of the app has something in it.
"""

from decimal import Decimal

from minipublic.web.demo import Demo
from minipublic.web.recruitment.models import Status
from minipublic.web.selection.actions import (
    check_commit_run,
    check_draw,
    compute_run,
    do_create_run,
    do_invite_panel,
    do_record_response,
    do_replace,
    do_save_quotas,
    quota_set_of,
)
from minipublic.web.selection.models import Algorithm
from minipublic.web.selection.quotas import QuotaLine

PANEL_SIZE = 100
ALGORITHM = Algorithm.LEXIMIN
RUN_SEED = "aberwen-2040-selection"
PUBLIC_SEED = "07 19 23 31 44"

# (feature, value, share %, tolerance points, direction): population shares of
# the demo town (census-like), not the pool's.
QUOTAS = [
    ("age_band", "16-29", "21", "3", "range"),
    ("age_band", "30-44", "24", "3", "range"),
    ("age_band", "45-64", "33", "3", "range"),
    ("age_band", "65+", "22", "3", "range"),
    ("gender", "woman", "51", "3", "range"),
    ("gender", "man", "48", "3", "range"),
    ("gender", "other", "1", "1", "range"),
    ("area", "north", "25", "3", "range"),
    ("area", "south", "30", "3", "range"),
    ("area", "east", "20", "3", "range"),
    ("area", "west", "25", "3", "range"),
    ("trust_band", "low", "40", "0", "at_least"),
    ("trust_band", "medium", "40", "5", "range"),
    ("trust_band", "high", "20", "0", "any"),
]


def demo_lines(values_in_pool: dict[str, set[str]]) -> list[QuotaLine]:
    """The demo quotas, keeping only features the pool has (plus "not answered" rows)."""
    lines = []
    for feature, value, share, tol, direction in QUOTAS:
        if feature in values_in_pool:
            lines.append(QuotaLine(feature, value, Decimal(share), Decimal(tol), direction))
    for feature, values in values_in_pool.items():
        known = {line.value for line in lines if line.feature == feature}
        for value in sorted(values - known):
            lines.append(QuotaLine(feature, value, Decimal(0), Decimal(0), "any"))
    return lines


def load(demo: Demo) -> None:
    from minipublic.web.recruitment.actions import do_tell_not_selected
    from minipublic.web.selection.actions import pool_people
    from minipublic.web.selection.quotas import pool_table

    assembly = demo.objects["assembly"]
    organiser = demo.objects["user:organiser"]
    people = pool_people(assembly)
    if not people:
        return
    features = sorted({f for f, *_ in QUOTAS})
    table = pool_table(people, features)
    lines = demo_lines({f: set(table[f]) for f in features})
    do_save_quotas(
        quota_set_of(assembly), panel_size=PANEL_SIZE, lines=lines, acting_user=organiser
    )
    run = do_create_run(assembly, algorithm=ALGORITHM, seed=RUN_SEED, m=1000, acting_user=organiser)
    compute_run(run)
    run.refresh_from_db()
    check_commit_run(run, acting_user=organiser)
    check_draw(run, public_seed=PUBLIC_SEED, acting_user=organiser)
    # What the draw's background task does, done here so the demo needs no worker.
    do_tell_not_selected(assembly, acting_user=organiser)
    do_invite_panel(run, acting_user=organiser)
    members = list(run.members.select_related("registrant__participant").order_by("pk"))
    for m in members[:2]:
        do_record_response(m, response=Status.ACCEPTED, acting_user=organiser)
    do_record_response(members[2], response=Status.DECLINED, acting_user=organiser)
    members[2].refresh_from_db()
    do_replace(members[2], seed="2026-05-14 10:30 replacement 1", acting_user=organiser)
    do_record_response(members[3], response=Status.DECLINED, acting_user=organiser)
    demo.objects["selection_run"] = run
    demo.notes.append(
        f"Selection: panel of {PANEL_SIZE} drawn with public seed {PUBLIC_SEED!r}; "
        f"public lottery page /a/{assembly.slug}/lottery/"
    )
