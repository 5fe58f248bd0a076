"""The dashboard's analysis: the cohesion core run on the exported tables, plus response tracking.

Nothing here computes a statistic of its own: reliability, effects, subgroup
effects and the plots all come from :mod:`minipublic.cohesion`, called on the
same tables ``minipublic evaluation export`` writes (so the dashboard's numbers
equal the core's on the exported files). Response tracking (who answered which
wave) is counting, done here from the database.
"""

import io
import math

import numpy as np
import pandas as pd
from django.db.models import Count, Q

from minipublic.web.evaluation.data import WAVE_ORDER, arms_of, build_frames
from minipublic.web.evaluation.models import Response, Wave

ESTIMATORS = ("paired", "did", "did_ipw")


def _records(df: pd.DataFrame) -> list[dict]:
    out = []
    for rec in df.to_dict("records"):
        out.append(
            {
                k: (
                    None
                    if isinstance(v, float) and not math.isfinite(v)
                    else v.item()
                    if isinstance(v, np.generic)
                    else v
                )
                for k, v in rec.items()
            }
        )
    return out


def _svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    return buf.getvalue()


def run(assembly, *, progress=None) -> tuple[dict, dict]:
    """Run the core on the current data; returns ``(result, plots)`` (JSON and SVG texts)."""
    from minipublic.cohesion import (
        effects,
        plot_change_by_wave,
        plot_forest,
        plot_subgroups,
        reliability,
        score_scales,
        subgroup_effects,
    )

    def step(frac, msg):
        if progress is not None:
            progress(frac, msg)

    frames = build_frames(assembly)
    responses, scales = frames.responses, frames.scales
    result = {
        "data_version": frames.data_version,
        "n_rows": len(responses),
        "left_out": dict(frames.left_out),
        "scales": _records(scales.assign(reverse=scales["reverse"].astype(int))),
        "waves": [w for w in WAVE_ORDER if w in set(responses["wave"])],
        "reliability": [],
        "effects": {},
        "subgroups": [],
    }
    plots = {}
    if responses.empty or scales.empty:
        return result, plots
    waves = result["waves"]
    step(0.05, "scores")
    scores = score_scales(responses, scales)
    plots["change_by_wave"] = _svg(plot_change_by_wave(scores, waves=waves))
    if "T0" in waves:
        step(0.1, "reliability")
        rel = reliability(
            responses, scales, wave="T0", progress=lambda f, m: step(0.1 + 0.4 * f, m)
        )
        result["reliability"] = _records(rel.table)
    posts = [w for w in ("T1", "T2") if w in waves]
    for i, post in enumerate(posts):
        if "T0" not in waves:
            break
        eff = effects(responses, scales, pre="T0", post=post, estimators=ESTIMATORS)
        result["effects"][post] = _records(eff.table)
        plots[f"forest_{post}"] = _svg(plot_forest(eff))
        step(0.5 + 0.2 * (i + 1) / len(posts), f"effects T0 to {post}")
    if "T0" in waves and "T1" in waves:
        groups = []
        names = set(scales["scale"])
        if "trust_institutions" in names:
            groups.append("low_trust")
        if responses["reason_no_point"].notna().any():
            groups.append("no_point")
        if groups:
            sub = subgroup_effects(responses, scales, pre="T0", post="T1", subgroups=tuple(groups))
            result["subgroups"] = _records(sub.table)
            plots["subgroups"] = _svg(plot_subgroups(sub))
    step(1.0, "done")
    return result, plots


def tracking(assembly) -> dict:
    """Response tracking by arm and wave, and attrition: counts, from the database.

    ``rows``: one per wave x arm with ``invited`` (people the wave is for),
    ``answered`` (sent their answers), ``partial`` (started, not sent) and
    ``rate`` (answered / invited). ``attrition``: per later wave and arm, of the
    people who answered T0, how many did not answer this wave.
    """
    arms = arms_of(assembly)
    size = {"member": 0, "comparison": 0}
    for arm, _p in arms.values():
        if arm in size:
            size[arm] += 1
    rows = []
    answered_by_wave = {}
    waves = sorted(Wave.objects.filter(assembly=assembly), key=lambda w: WAVE_ORDER.index(w.code))
    for wave in waves:
        qs = Response.objects.filter(wave=wave, withdrawn_at__isnull=True)
        if wave.is_public:
            n = qs.filter(submitted_at__isnull=False).count()
            rows.append(
                {
                    "wave": wave,
                    "arm": "public",
                    "invited": None,
                    "answered": n,
                    "partial": qs.filter(submitted_at__isnull=True).count(),
                    "rate": None,
                }
            )
            continue
        done = set(qs.filter(submitted_at__isnull=False).values_list("participant_id", flat=True))
        started = set(qs.filter(submitted_at__isnull=True).values_list("participant_id", flat=True))
        answered_by_wave[wave.code] = done
        for arm in ("member", "comparison"):
            ids = {pid for pid, (a, _p) in arms.items() if a == arm}
            a = len(done & ids)
            rows.append(
                {
                    "wave": wave,
                    "arm": arm,
                    "invited": len(ids),
                    "answered": a,
                    "partial": len(started & ids),
                    "rate": a / len(ids) if ids else None,
                }
            )
    attrition = []
    base = answered_by_wave.get("T0")
    if base is not None:
        for code in ("T1", "T2"):
            if code not in answered_by_wave:
                continue
            for arm in ("member", "comparison"):
                ids = {pid for pid in base if arms.get(pid, (None,))[0] == arm}
                lost = len(ids - answered_by_wave[code])
                attrition.append(
                    {
                        "wave": code,
                        "arm": arm,
                        "baseline": len(ids),
                        "lost": lost,
                        "share": lost / len(ids) if ids else None,
                    }
                )
    return {"rows": rows, "attrition": attrition, "size": size}


def messages_sent(assembly) -> dict:
    from minipublic.web.evaluation.models import WaveMessage

    out = {}
    for row in (
        WaveMessage.objects.filter(wave__assembly=assembly)
        .values("wave__code")
        .annotate(inv=Count("pk", filter=Q(number=0)), rem=Count("pk", filter=Q(number__gt=0)))
    ):
        out[row["wave__code"]] = (row["inv"], row["rem"])
    return out
