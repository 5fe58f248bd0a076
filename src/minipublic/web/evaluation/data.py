"""From stored answers to the cohesion core's data contract (``responses.csv``, ``scales.csv``).

Arms (worked out at export time, from each participant's place in the lottery):

* ``member`` — an active participant of the assembly, or a registrant holding an
  active seat of the drawn panel (selected, invited or accepted);
* ``comparison`` — a registrant who was never drawn (status "registered");
* ``public`` — answers given through the public wave (open link or imported);
* left out — registrants who declined, were replaced or withdrew (neither
  members nor a fair comparison).

``selection_probability`` is the probability of the drawn selection run
(``SelectionRun.probabilities``, pseudonym -> probability), falling back to
``Registrant.selection_probability``. The core needs it in (0, 1] for members
and (0, 1) for comparison volunteers: people outside that range (a member added
by hand, a registrant with no chance of selection) are left out of the files and
counted in :attr:`ExportFrames.left_out`.

Identifiers: ``person`` is a per-export pseudonym (``R0001`` ...) assigned in a
random order, so two exports cannot be joined with each other or with the site's
pseudonyms. Free-text answers are never exported.
"""

import hashlib
import io
import json
import secrets
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from minipublic.web.csvcells import safe_cell
from minipublic.web.evaluation.items import bank_items, catalogue
from minipublic.web.evaluation.models import Response, Wave

ARMS = ("member", "comparison", "public")
WAVE_ORDER = ("T0", "T1", "T2", "P")


def drawn_run(assembly):
    from minipublic.web.selection.models import RunStatus, SelectionRun

    return (
        SelectionRun.objects.filter(assembly=assembly, status=RunStatus.DRAWN)
        .order_by("-seed_entered_at", "-pk")
        .first()
    )


def arms_of(assembly) -> dict[int, tuple[str | None, float | None]]:
    """participant id -> (arm or None, selection probability or None), for every participant."""
    from minipublic.web.recruitment.models import Registrant, Status
    from minipublic.web.selection.models import PanelMember

    run = drawn_run(assembly)
    probs = run.probabilities if run is not None else {}
    seated = set()
    if run is not None:
        seated = set(
            PanelMember.objects.filter(run=run, active=True)
            .exclude(registrant__status__in=[Status.DECLINED, Status.REPLACED, Status.WITHDRAWN])
            .values_list("registrant__participant_id", flat=True)
        )
    out: dict[int, tuple[str | None, float | None]] = {}
    regs = Registrant.objects.filter(assembly=assembly).values_list(
        "participant_id", "participant__pseudonym", "status", "selection_probability"
    )
    for pid, pseudonym, status, p_reg in regs:
        p = probs.get(pseudonym, p_reg)
        if pid in seated or status == Status.ACCEPTED:
            out[pid] = ("member", p)
        elif status == Status.REGISTERED:
            out[pid] = ("comparison", p)
        else:
            out[pid] = (None, p)
    for pid in assembly.participants.filter(is_active=True).values_list("pk", flat=True):
        arm, p = out.get(pid, (None, None))
        out[pid] = ("member", p)
    return out


def no_point_of(assembly) -> dict[int, int]:
    """participant id -> 1 if they gave "no point" as a reason at registration, else 0."""
    from minipublic.web.recruitment.models import Barrier, Registrant

    return {
        pid: int(Barrier.NO_POINT in (barriers or []))
        for pid, barriers in Registrant.objects.filter(assembly=assembly).values_list(
            "participant_id", "barriers"
        )
    }


def _valid_p(arm: str, p) -> bool:
    if p is None or not np.isfinite(p):
        return False
    return 0 < p <= 1 if arm == "member" else 0 < p < 1


@dataclass
class ExportFrames:
    """The two tables of the data contract, plus what was left out and why."""

    responses: pd.DataFrame
    scales: pd.DataFrame
    data_version: str
    left_out: Counter = field(default_factory=Counter)
    keys: list = field(default_factory=list)  # internal respondent key per row (not exported)


def scale_items(assembly) -> pd.DataFrame:
    """``scales.csv``: the bank's cohesion items asked at baseline (T0) or, without T0, in any wave."""
    from minipublic.cohesion import instrument_scales

    waves = list(Wave.objects.filter(assembly=assembly))
    t0 = [w for w in waves if w.code == "T0"]
    asked = set(t0[0].items) if t0 else {c for w in waves for c in w.items}
    scales = instrument_scales(form="full")
    return scales[scales["item"].isin(asked)].reset_index(drop=True)


def _exported_items(assembly, scales: pd.DataFrame) -> list[str]:
    """Item columns: scale items first, then other numeric or choice items asked in any wave."""
    specs = catalogue(assembly)
    cols = list(scales["item"])
    seen = set(cols)
    for wave in Wave.objects.filter(assembly=assembly).order_by("code"):
        for code in wave.items:
            spec = specs.get(code)
            if spec is None or code in seen or spec.kind == "text":
                continue
            seen.add(code)
            cols.append(code)
    return cols


def build_frames(assembly, *, pseudonym_seed: int | None = None) -> ExportFrames:
    """Build ``responses`` and ``scales`` from the stored answers (see the module docstring).

    Rows: every response that is not withdrawn and has at least one answer. The
    data version is a SHA-256 of the content keyed by internal ids, so it does not
    change with the per-export pseudonyms.
    """
    scales = scale_items(assembly)
    specs = catalogue(assembly)
    cols = _exported_items(assembly, scales)
    arms = arms_of(assembly)
    no_point = no_point_of(assembly)
    left_out: Counter = Counter()
    records = []
    qs = (
        Response.objects.filter(wave__assembly=assembly, withdrawn_at__isnull=True)
        .select_related("wave")
        .order_by("pk")
    )
    for r in qs.iterator(chunk_size=2000):
        if not any(v not in (None, "", []) for v in r.answers.values()):
            continue
        if r.wave.is_public:
            arm, p, key = "public", np.nan, f"k{r.respondent_key}"
        else:
            if r.participant_id is None:
                continue
            arm, p = arms.get(r.participant_id, (None, None))
            key = f"p{r.participant_id}"
            if arm is None:
                left_out["not a member or comparison volunteer"] += 1
                continue
            if not _valid_p(arm, p):
                left_out[f"{arm}: no usable selection probability"] += 1
                continue
        rec = {
            "key": key,
            "wave": r.wave.code,
            "arm": arm,
            "selection_probability": p,
        }
        for code in cols:
            spec = specs.get(code)
            value = r.answers.get(code)
            if spec is None:
                continue
            if spec.kind == "multiple":
                chosen = set(value or [])
                for v, _en, _cy in spec.choices:
                    rec[f"{code}__{v}"] = (
                        (1 if str(v) in chosen else 0) if value is not None else None
                    )
            elif spec.kind == "single":
                rec[code] = value
            else:
                rec[code] = value
        rec["reason_no_point"] = no_point.get(r.participant_id) if r.participant_id else None
        records.append(rec)
    item_cols = []
    for code in cols:
        spec = specs[code]
        if spec.kind == "multiple":
            item_cols += [f"{code}__{v}" for v, _en, _cy in spec.choices]
        else:
            item_cols.append(code)
    columns = ["key", "wave", "arm", "selection_probability", *item_cols, "reason_no_point"]
    df = pd.DataFrame.from_records(records, columns=columns)
    df["_order"] = df["wave"].map({w: i for i, w in enumerate(WAVE_ORDER)})
    df = df.sort_values(["key", "_order"], kind="stable").drop(columns="_order")
    buf = io.StringIO()
    df.to_csv(buf, index=False)
    version = hashlib.sha256(
        (buf.getvalue() + json.dumps(scales.to_dict("list"), default=str)).encode()
    ).hexdigest()
    keys = list(dict.fromkeys(df["key"]))
    rng = np.random.default_rng(
        pseudonym_seed if pseudonym_seed is not None else secrets.randbits(64)
    )
    order = rng.permutation(len(keys))
    mapping = {k: f"R{order[i] + 1:05d}" for i, k in enumerate(keys)}
    row_keys = list(df["key"])
    df.insert(0, "person", df.pop("key").map(mapping))
    df = df.reset_index(drop=True)
    for code in df.columns[4:]:
        if code in ("reason_no_point",) or code in bank_items() or "__" in code:
            df[code] = pd.to_numeric(df[code], errors="coerce")
    return ExportFrames(df, scales, version, left_out, row_keys)


def data_version(assembly) -> str:
    return build_frames(assembly, pseudonym_seed=0).data_version


def _neutralise(value):
    return safe_cell(value) if isinstance(value, str) else value


def to_csv(df: pd.DataFrame) -> str:
    """CSV text with text cells that a spreadsheet would run as a formula neutralised."""
    safe = df.copy()
    for col in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[col]):
            safe[col] = safe[col].map(_neutralise)
    safe.columns = [_neutralise(c) for c in safe.columns]
    # %.17g: whole numbers without ".0", every float exactly as stored (round-trips).
    return safe.to_csv(index=False, float_format="%.17g")


def write_export(assembly, out_dir) -> ExportFrames:
    """Write ``responses.csv`` and ``scales.csv`` into *out_dir* (created if needed)."""
    from pathlib import Path

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    frames = build_frames(assembly)
    (out / "responses.csv").write_text(to_csv(frames.responses), encoding="utf-8")
    scales = frames.scales.copy()
    scales["reverse"] = scales["reverse"].astype(int)
    (out / "scales.csv").write_text(to_csv(scales), encoding="utf-8")
    return frames
