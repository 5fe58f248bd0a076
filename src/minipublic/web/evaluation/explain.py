"""Plain-language labels, one-line explanations and small-sample warnings for the core's numbers.

Only presentation: the numbers are the core's, as stored on the Analysis row.
"""

import math

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

SCALE_LABELS = {
    "trust_institutions": gettext_lazy("Trust in institutions"),
    "democracy_satisfaction": gettext_lazy("Satisfaction with democracy"),
    "external_efficacy": gettext_lazy("Feeling of having a say"),
    "outgroup_attitudes": gettext_lazy("Warmth towards people who differ"),
    "openness": gettext_lazy("Openness to other views"),
    "participation_intention": gettext_lazy("Intention to take part"),
    "generalised_trust": gettext_lazy("Trust in other people"),
    "social_support": gettext_lazy("Local ties and support"),
}
LEVEL_LABELS = {
    "macro": gettext_lazy("macro: people and institutions"),
    "meso": gettext_lazy("meso: between groups"),
    "micro": gettext_lazy("micro: between people"),
}


def estimator_help() -> dict:
    return {
        "paired": _(
            "Members’ average change. It also contains anything else that changed over "
            "the same time, so it is not on its own the effect of the assembly."
        ),
        "did": _(
            "Members’ change minus the change of registered volunteers who were not selected "
            "(difference in differences)."
        ),
        "did_ipw": _(
            "The same, with volunteers weighted by their chance of selection so they "
            "resemble the people the lottery picked. This is the main estimate."
        ),
    }


def _num(x):
    return None if x is None or (isinstance(x, float) and not math.isfinite(x)) else x


def label(scale: str) -> str:
    return str(SCALE_LABELS.get(scale, scale.replace("_", " ")))


def _verdict(row, alpha=0.05) -> str:
    p = _num(row.get("p_holm", row.get("p")))
    est = _num(row.get("estimate"))
    if p is None or est is None:
        return _("Not enough answers to estimate.")
    if p < alpha:
        return (
            _("Higher than expected by chance.") if est > 0 else _("Lower than expected by chance.")
        )
    return _("Could be chance: p is 0.05 or more.")


def present(result: dict, *, min_n: int = 20) -> dict:
    """Rows for the dashboard and the report, each with its explanation and warnings."""
    reliability = []
    for r in result.get("reliability", []):
        alpha = _num(r.get("alpha"))
        if r["n_items"] < 2:
            note = _("One question only: reliability cannot be computed.")
        elif alpha is None:
            note = _("Not enough complete answers.")
        elif alpha >= 0.7:
            note = _("The questions hang together well enough to add up to one score.")
        else:
            note = _("The questions do not hang together well: treat this score with care.")
        reliability.append(
            {**r, "label": label(r["scale"]), "note": note, "small": (r.get("n") or 0) < min_n}
        )
    effects = {}
    for post, rows in result.get("effects", {}).items():
        out = []
        for r in rows:
            small = r["n_member"] < min_n or (
                r["estimator"] != "paired" and r["n_comparison"] < min_n
            )
            out.append(
                {
                    **{k: _num(v) if isinstance(v, float) else v for k, v in r.items()},
                    "label": label(r["scale"]),
                    "small": small,
                    "verdict": _verdict(r),
                }
            )
        effects[post] = out
    subgroups = []
    for r in result.get("subgroups", []):
        small = min(r.get("n_in") or 0, r.get("n_out") or 0) < min_n
        subgroups.append(
            {
                **{k: _num(v) if isinstance(v, float) else v for k, v in r.items()},
                "label": label(r["scale"]),
                "small": small,
                "verdict": _verdict(r),
            }
        )
    main = {
        post: [r for r in rows if r["estimator"] == "did_ipw"] for post, rows in effects.items()
    }
    return {
        "reliability": reliability,
        "effects": effects,
        "main_effects": main,
        "effect_sections": [
            {"post": post, "main": main[post], "all": rows} for post, rows in effects.items()
        ],
        "subgroups": subgroups,
        "subgroups_inside": [r for r in subgroups if r["term"] == "inside"],
        "estimator_help": estimator_help(),
        "min_n": min_n,
        "left_out": result.get("left_out", {}),
    }
