"""Demo loader of the ``evaluation`` app: three waves of answers with a realistic synthetic effect.

The demo assembly gets the ready-made template (T0 at registration, T1 at the
end, T2 at follow-up) and a public comparison wave. Answers come from the
cohesion core's :func:`minipublic.cohesion.simulate_survey` (latent factors,
selection on a covariate, drop-out more likely for low-trust people, an effect
of 0.35 baseline SDs for members at T1 and half of it at T2): its simulated
members answer for the panel's members and its simulated volunteers for the
unselected registrants (the comparison group). T0 and T1 are closed; T2 is
open, about two thirds answered, so members such as Megan have a wave to answer.
"""

import datetime as dt

import numpy as np
from django.utils import timezone

from minipublic.web.demo import Demo
from minipublic.web.evaluation import actions
from minipublic.web.evaluation.data import arms_of, scale_items
from minipublic.web.evaluation.items import TEMPLATE_ITEMS, cohesion_codes
from minipublic.web.evaluation.models import Response, WaveCode, WaveStatus
from minipublic.web.people.models import Participant

SEED = 2040
EFFECT = 0.35


def _answer_dicts(frame, cols) -> list[dict]:
    """One ``{item: int or None}`` per row of *frame* (vectorised: the demo must load fast)."""
    values = frame[cols].to_numpy(dtype=float)
    missing = np.isnan(values)
    ints = np.nan_to_num(values).astype(int).tolist()
    out = []
    for row, miss in zip(ints, missing.tolist(), strict=True):
        out.append({c: (None if m else v) for c, v, m in zip(cols, row, miss, strict=True)})
    return out


def load(demo: Demo) -> None:
    from minipublic.cohesion import simulate_survey

    assembly = demo.objects["assembly"]
    evaluator = demo.objects.get("user:evaluator")
    actions.evaluation_settings(assembly)
    waves = {w.code: w for w in actions.do_apply_template(assembly, acting_user=evaluator)}
    waves["P"] = actions.do_save_wave(
        assembly, WaveCode.PUBLIC, items=cohesion_codes(), acting_user=evaluator
    )
    now = timezone.now()
    t0 = now - dt.timedelta(days=120)
    t1 = now - dt.timedelta(days=40)
    t2 = now - dt.timedelta(days=10)
    for code, opened, closed in (
        ("T0", t0, t0 + dt.timedelta(days=30)),
        ("T1", t1, t1 + dt.timedelta(days=21)),
    ):
        wave = waves[code]
        wave.opens_at, wave.closes_at = opened, closed
        actions.do_save_wave(
            assembly,
            code,
            items=wave.items,
            opens_at=opened,
            closes_at=closed,
            reminder_days=wave.reminder_days,
            acting_user=evaluator,
        )
        actions.do_set_wave_status(wave, WaveStatus.CLOSED, acting_user=evaluator)
    actions.do_save_wave(
        assembly,
        "T2",
        items=waves["T2"].items,
        opens_at=t2,
        closes_at=now + dt.timedelta(days=20),
        reminder_days=[7, 14],
        acting_user=evaluator,
    )
    waves["T2"].refresh_from_db()
    actions.do_set_wave_status(waves["T2"], WaveStatus.OPEN, acting_user=evaluator)
    actions.do_set_wave_status(waves["P"], WaveStatus.OPEN, acting_user=evaluator)
    for w in waves.values():
        w.refresh_from_db()

    arms = arms_of(assembly)
    members = sorted(pid for pid, (a, _p) in arms.items() if a == "member")
    comparison = sorted(pid for pid, (a, _p) in arms.items() if a == "comparison")
    named = {p.pk for k, p in demo.objects.items() if k.startswith("member:")}
    scales = scale_items(assembly)
    cols = list(scales["item"])
    n_pool = max(int((len(members) + 20) / 0.3 * 1.2), int(len(comparison) / 0.66) + 50)
    sim, _ = simulate_survey(
        n_pool=n_pool,
        n_public=60,
        scales=scales,
        effect=EFFECT,
        dropout=0.2,
        mean_selection_probability=0.3,
        seed=SEED,
    )
    rng = np.random.default_rng(SEED)
    start_end = [c for c, s in TEMPLATE_ITEMS.items() if s.asked == "start and end"]
    end_only = [c for c, s in TEMPLATE_ITEMS.items() if s.asked == "end" and s.kind == "likert"]
    sim_members = list(dict.fromkeys(sim.loc[sim["arm"] == "member", "person"]))
    sim_comparison = list(dict.fromkeys(sim.loc[sim["arm"] == "comparison", "person"]))
    mapping = dict(zip(sim_members, members, strict=False))
    mapping.update(zip(sim_comparison, comparison, strict=False))
    by_pk = {p.pk: p for p in Participant.objects.filter(pk__in=list(mapping.values()))}
    times = {
        "T0": t0 + dt.timedelta(days=2),
        "T1": t1 + dt.timedelta(days=3),
        "T2": t2 + dt.timedelta(days=2),
    }
    rows = {"T0": [], "T1": [], "T2": []}
    pool = sim[sim["arm"] != "public"].reset_index(drop=True)
    all_answers = _answer_dicts(pool, cols)
    draws = rng.integers(
        0, 1_000_000, size=(len(pool), len(start_end) + len(end_only) + 2)
    ).tolist()
    for rec, answers, draw in zip(
        pool[["person", "wave", "arm"]].itertuples(index=False), all_answers, draws, strict=True
    ):
        pid = mapping.get(rec.person)
        if pid is None:
            continue
        wave = rec.wave
        if wave == "T2" and pid in named:
            continue  # the named members still have T2 to answer
        is_member = rec.arm == "member"
        if wave in ("T0", "T1"):
            shift = 1 if (wave == "T1" and is_member) else 0
            for j, c in enumerate(start_end):
                answers[c] = min(5, 2 + draw[j] % 3 + shift)
        if wave == "T1" and is_member:
            for j, c in enumerate(end_only, start=len(start_end)):
                answers[c] = 3 + draw[j] % 3
            answers["oecd_satisfaction"] = 6 + draw[-2] % 5
            answers["oecd_most_useful"] = ("evidence", "tables", "questions", "voting")[
                draw[-1] % 4
            ]
        rows[wave].append((by_pk[pid], answers, times[wave], "en"))
    source = {
        "T0": Response.Source.REGISTRATION,
        "T1": Response.Source.SURVEY,
        "T2": Response.Source.SURVEY,
    }
    for code, batch in rows.items():
        actions.do_import_responses(waves[code], batch, source=source[code], acting_user=None)
    public_rows = sim[(sim["arm"] == "public") & (sim["wave"] == "T0")]
    public = [(None, a, t1, "en") for a in _answer_dicts(public_rows, cols)]
    actions.do_import_responses(waves["P"], public, source=Response.Source.IMPORT, acting_user=None)
    demo.objects["evaluation_waves"] = waves
    demo.notes.append(
        f"Evaluation: {sum(len(b) for b in rows.values())} survey answers in T0-T2 and "
        f"{len(public)} public; dashboard /a/{assembly.slug}/evaluation/ (evan@example.org)"
    )
