"""Which statements a voter sees next, and the pieces of the map pages.

Routing uses the engine's priority (:func:`minipublic.deliberation.statements.priority`):
the value stored with the latest map for statements on it, and the value of a
statement with no votes yet (the engine's ninefold new-statement boost) for
statements added since. The draw is seeded by (conversation seed, voter,
number of votes so far), so a voter's sequence can be reproduced.
"""

import hashlib
import math

import numpy as np

from minipublic.web.deliberation.models import MapSnapshot, Statement, Vote

_PRIORITY_CACHE: dict[tuple[int, int], dict[int, float]] = {}


def new_statement_priority() -> float:
    from minipublic.deliberation.statements import priority

    return float(priority(0, 0, 0, 0))


def snapshot_data(conversation) -> dict | None:
    snap = (
        MapSnapshot.objects.filter(conversation=conversation, version=conversation.map_version)
        .only("data")
        .first()
    )
    return snap.data if snap else None


def priorities(conversation) -> dict[int, float]:
    """Statement id -> routing priority from the current map (cached per map version)."""
    key = (conversation.pk, conversation.map_version)
    if key not in _PRIORITY_CACHE:
        found = {}
        if conversation.map_version:
            rows = (
                MapSnapshot.objects.filter(
                    conversation=conversation, version=conversation.map_version
                )
                .values_list("data__statements", flat=True)
                .first()
            )
            for sid, row in (rows or {}).items():
                found[int(sid)] = float(row.get("priority") or 0.0)
        if len(_PRIORITY_CACHE) > 256:
            _PRIORITY_CACHE.clear()
        _PRIORITY_CACHE[key] = found
    return _PRIORITY_CACHE[key]


def route(conversation, voter_key: str, voted: set[int], *, limit: int = 10, skip=()):
    """Up to *limit* statements for the voter, in the order the engine's priority draws them.

    Returns ``(statements, n_voted, n_total)`` where the counts are over the
    statements visible now.
    """
    visible = dict(Statement.objects.visible(conversation).values_list("pk", "text"))
    authored_by_participant = set(
        Statement.objects.visible(conversation)
        .filter(author__isnull=False)
        .values_list("pk", flat=True)
    )
    n_total = len(visible)
    n_voted = len(voted & visible.keys())
    left = [pk for pk in visible if pk not in voted and pk not in set(skip)]
    if not left:
        return [], n_voted, n_total
    prio = priorities(conversation)
    fresh = new_statement_priority()
    weights = np.array([prio.get(pk, fresh) for pk in left], dtype=float)
    weights = np.where(np.isfinite(weights) & (weights > 0), weights, 1e-9)
    digest = hashlib.sha256(voter_key.encode()).digest()
    rng = np.random.default_rng([conversation.seed, int.from_bytes(digest[:8], "big"), n_voted])
    k = min(limit, len(left))
    order = rng.choice(len(left), size=k, replace=False, p=weights / weights.sum())
    chosen = [left[i] for i in order]
    return (
        [
            {"id": pk, "text": visible[pk], "by_participant": pk in authored_by_participant}
            for pk in chosen
        ],
        n_voted,
        n_total,
    )


def voted_ids(voter) -> set[int]:
    if voter is None:
        return set()
    return set(Vote.objects.filter(voter=voter).values_list("statement_id", flat=True))


# --- the map pages -------------------------------------------------------------------

GROUP_COLOURS = ["#1d4ed8", "#b45309", "#047857", "#7e22ce", "#be123c"]
GROUP_SHAPES = ["circle", "square", "ring", "box", "cross"]
LETTERS = "ABCDE"


def scatter_svg(data: dict, *, size: int = 320, me: int | None = None) -> dict:
    """Points of the scatter, scaled to a square of *size* px (drawn by the template).

    ``me`` (a voter id) adds ``"me"``: where that voter is and their group letter.
    """
    people = data.get("participants", [])
    if not people:
        return {"size": size, "points": [], "centres": [], "me": None}
    xs = [p[1] for p in people]
    ys = [p[2] for p in people]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
    pad = 16
    scale = (size - 2 * pad) / span
    cx = (max(xs) + min(xs)) / 2
    cy = (max(ys) + min(ys)) / 2

    def place(x, y):
        return (round(size / 2 + (x - cx) * scale, 1), round(size / 2 - (y - cy) * scale, 1))

    points = []
    mine = None
    sums: dict[int, list[float]] = {}
    for pid, x, y, g in people:
        px, py = place(x, y)
        if me is not None and pid == me:
            mine = {"x": px, "y": py, "letter": LETTERS[g % 5] if g >= 0 else None}
        points.append(
            {
                "x": px,
                "y": py,
                "x0": round(px - 3, 1),
                "y0": round(py - 3, 1),
                "x1": round(px + 3, 1),
                "y1": round(py + 3, 1),
                "group": g,
                "colour": GROUP_COLOURS[g % 5] if g >= 0 else "#6b7280",
                "shape": GROUP_SHAPES[g % 5] if g >= 0 else "circle",
            }
        )
        if g >= 0:
            s = sums.setdefault(g, [0.0, 0.0, 0])
            s[0] += px
            s[1] += py
            s[2] += 1
    centres = [
        {"x": round(s[0] / s[2], 1), "y": round(s[1] / s[2], 1), "letter": LETTERS[g % 5]}
        for g, s in sorted(sums.items())
    ]
    return {"size": size, "points": points, "centres": centres, "me": mine}


def _pct(n: int, d: int) -> int:
    return round(100 * n / d) if d else 0


def describe_map(data: dict, texts: dict[int, str]) -> dict:
    """Groups, what unites, what divides, in words; only statements in *texts* (visible now)."""
    stats = data.get("statements", {})
    k = data.get("n_groups", 0)

    def shares(sid: int) -> list[dict]:
        row = stats[str(sid)]
        return [
            {
                "letter": LETTERS[g],
                "agree": _pct(row["group_agree"][g], row["group_seen"][g]),
                "disagree": _pct(row["group_disagree"][g], row["group_seen"][g]),
                "seen": row["group_seen"][g],
            }
            for g in range(k)
        ]

    groups = []
    for group in data.get("groups", []):
        g = group["group"]
        beliefs = [
            {
                "id": r["statement"],
                "text": texts[r["statement"]],
                "direction": r["direction"],
                "share": round(100 * r["share"]),
                "times": round(r["repness"], 1) if r["repness"] <= 10 else None,
            }
            for r in group["representative"]
            if r["statement"] in texts
        ]
        groups.append(
            {
                "letter": LETTERS[g],
                "size": group["size"],
                "colour": GROUP_COLOURS[g % 5],
                "beliefs": beliefs,
            }
        )
    on_map = [int(s) for s in stats if int(s) in texts]
    # What unites: high group-informed consensus, confirmed by bridging when available.
    unite = sorted(on_map, key=lambda s: -stats[str(s)]["consensus"])
    unite = [
        s
        for s in unite
        if k >= 1
        and min(a["agree"] for a in shares(s)) >= 60
        and all(a["seen"] > 0 for a in shares(s))
    ][:5]
    bridging = [
        s
        for s in sorted(
            on_map,
            key=lambda s: (
                -(stats[str(s)]["bridging"] if stats[str(s)]["bridging"] is not None else -9)
            ),
        )
        if stats[str(s)]["bridging"] is not None
        and stats[str(s)]["bridging"] >= 0.3
        and abs(stats[str(s)]["bridging_factor"] or 0) < 0.5
        and s not in unite
    ][:3]

    def spread(s):
        sh = shares(s)
        return max(a["agree"] for a in sh) - min(a["agree"] for a in sh) if sh else 0

    divide = [s for s in sorted(on_map, key=lambda s: -spread(s)) if spread(s) >= 40][:5]

    def row(s):
        r = stats[str(s)]
        total = r["agree"] + r["disagree"] + r["pass"]
        return {
            "id": s,
            "text": texts[s],
            "agree": _pct(r["agree"], total),
            "disagree": _pct(r["disagree"], total),
            "votes": total,
            "groups": shares(s),
        }

    return {
        "groups": groups,
        "unite": [row(s) for s in unite],
        "bridging": [row(s) for s in bridging],
        "divide": [row(s) for s in divide],
    }


def value_pairs(data: dict, texts: dict[int, str], *, per_pair: int = 3) -> list[dict]:
    """Pairs of opposing groups' most representative statements on what divides them.

    For each two groups G and H: the statements G agrees with clearly more than
    the rest (its representative "agree" statements) that H mostly rejects,
    paired in order with the statements H agrees with that G mostly rejects.
    Each pair is a starting point for an adversarial-cooperation exercise:
    someone from each side states the other side's value in its best form.
    """
    stats = data.get("statements", {})
    groups = data.get("groups", [])

    def agree_share(sid, g):
        row = stats.get(str(sid))
        return _pct(row["group_agree"][g], row["group_seen"][g]) if row else 0

    out = []
    for i, gi in enumerate(groups):
        for gj in groups[i + 1 :]:
            g, h = gi["group"], gj["group"]

            def sided(mine, other):
                chosen = []
                for r in mine["representative"]:
                    sid = r["statement"]
                    if r["direction"] != "agree" or sid not in texts:
                        continue
                    if agree_share(sid, mine["group"]) - agree_share(sid, other["group"]) >= 30:
                        chosen.append(sid)
                return chosen

            left, right = sided(gi, gj), sided(gj, gi)
            for a, b in list(zip(left, right, strict=False))[:per_pair]:
                out.append(
                    {
                        "groups": (LETTERS[g], LETTERS[h]),
                        "left": {
                            "id": a,
                            "text": texts[a],
                            "mine": agree_share(a, g),
                            "theirs": agree_share(a, h),
                        },
                        "right": {
                            "id": b,
                            "text": texts[b],
                            "mine": agree_share(b, h),
                            "theirs": agree_share(b, g),
                        },
                    }
                )
    return out


def p_value_words(p) -> str:
    """A p-value said in words (gettext applied by the caller's template)."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return ""
    return f"{p:.3f}"
