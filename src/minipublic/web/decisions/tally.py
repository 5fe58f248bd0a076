"""Ballot rules and their count: pure Python, no Django import.

A :class:`BallotRule` says, before anyone votes, what a ballot asks and how
its result is read: the scale (a gradient of agreement or a 1-10 score),
which points count as *support*, which as *strong opposition*, which as an
*abstention* (left out of the shares), the adoption threshold, the quorum and
an optional staged condition (this ballot opens only if another one was or
was not adopted). :meth:`BallotRule.sha256` is the fingerprint published when
the ballot opens ("sealed"); :func:`count_votes` turns the list of values into
a :class:`BallotResult`.

All shares are exact fractions (:class:`fractions.Fraction`), so that a
threshold of 80 % is met by 12 of 15 votes exactly, with no rounding.

Formulas
--------
With ``V`` the valid votes, ``A`` the abstentions among them, ``S`` the votes
on support points and ``O`` the votes on strong-opposition points:

* ``counted = V - A`` (the denominator of both shares),
* ``support share = S / counted``, ``strong-opposition share = O / counted``,
* ``turnout = voters / electorate`` (voters = every valid vote, abstentions
  included),
* quorum met iff ``turnout >= quorum_percent / 100``,
* adopted iff quorum met, ``counted > 0``, support share ``>=`` (or ``>``, as
  the rule says) ``support_percent / 100`` and, when the rule has one,
  strong-opposition share ``<= max_strong_opposition_percent / 100``.

References
----------
Kaner, S. et al. (2014). *Facilitator's Guide to Participatory Decision-Making*,
3rd ed. Jossey-Bass, ch. 18 ("The gradients of agreement scale").
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from minipublic.errors import MinipublicError

__all__ = [
    "SCALES",
    "BallotResult",
    "BallotRule",
    "RuleError",
    "Scale",
    "count_votes",
    "default_rule",
]


class RuleError(MinipublicError):
    """A ballot rule or a vote that does not fit it; the message names the field."""


@dataclass(frozen=True)
class Scale:
    """A voting scale: its key and the points, each ``(value, English label)``."""

    key: str
    points: tuple[tuple[int, str], ...]

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(v for v, _ in self.points)

    def label(self, value: int) -> str:
        return dict(self.points)[value]


# Labels are English here (the core has no translations); the site shows
# translated labels keyed by scale and value.
SCALES: dict[str, Scale] = {
    "gradient5": Scale(
        "gradient5",
        (
            (1, "Wholehearted support"),
            (2, "Support with reservations"),
            (3, "Can live with it"),
            (4, "Serious reservations"),
            (5, "Block"),
        ),
    ),
    # Kaner's eight gradients of agreement.
    "gradient8": Scale(
        "gradient8",
        (
            (1, "Wholehearted endorsement"),
            (2, "Agreement with a minor point of contention"),
            (3, "Support with reservations"),
            (4, "Abstain"),
            (5, "More discussion needed"),
            (6, "Don't like it but will support it"),
            (7, "Serious disagreement"),
            (8, "Veto"),
        ),
    ),
    "score10": Scale("score10", tuple((v, str(v)) for v in range(1, 11))),
}


def _percent(value, name: str) -> Decimal:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise RuleError(f"{name}: {value!r} is not a number") from None
    if not d.is_finite() or d < 0 or d > 100:
        raise RuleError(f"{name}: {value!r} must be between 0 and 100")
    if d != d.quantize(Decimal("0.01")):
        raise RuleError(f"{name}: {value!r} has more than two decimals")
    return d.quantize(Decimal("0.01"))


def _points(values, name: str, scale: Scale) -> tuple[int, ...]:
    out = []
    for v in values or ():
        try:
            iv = int(v)
        except (TypeError, ValueError):
            raise RuleError(f"{name}: {v!r} is not a point of the scale") from None
        if iv not in scale.values:
            raise RuleError(f"{name}: {iv} is not a point of the {scale.key} scale")
        out.append(iv)
    return tuple(sorted(set(out)))


@dataclass(frozen=True)
class BallotRule:
    """How a ballot is read; sealed (hashed) before voting opens.

    Parameters
    ----------
    scale : str
        A key of :data:`SCALES`.
    support : tuple of int
        Points that count as support.
    strong_opposition : tuple of int
        Points that count as strong opposition (e.g. "block").
    abstain : tuple of int
        Points left out of both shares (e.g. Kaner's "abstain").
    support_percent : Decimal
        Adoption threshold on the support share, in percent.
    strict : bool
        ``True``: support must be *more than* ``support_percent``; ``False``:
        *at least*.
    max_strong_opposition_percent : Decimal or None
        If set, adoption also needs the strong-opposition share to be at most
        this (in percent).
    quorum_percent : Decimal
        Minimum turnout, in percent of the electorate.
    opens_if_ballot : int or None
        Staged ballots: the id of an earlier ballot ...
    opens_if_outcome : str
        ... and the outcome (``"adopted"`` or ``"not_adopted"``) it must have
        had for this ballot to open.
    """

    scale: str
    support: tuple[int, ...]
    strong_opposition: tuple[int, ...] = ()
    abstain: tuple[int, ...] = ()
    support_percent: Decimal = Decimal(80)
    strict: bool = False
    max_strong_opposition_percent: Decimal | None = None
    quorum_percent: Decimal = Decimal(0)
    opens_if_ballot: int | None = None
    opens_if_outcome: str = ""

    @classmethod
    def from_dict(cls, data: Mapping) -> "BallotRule":
        """Validate a dict (a form's or the stored JSON) and return the rule."""
        scale_key = data.get("scale")
        if scale_key not in SCALES:
            raise RuleError(f"scale: {scale_key!r} is not one of {', '.join(SCALES)}")
        scale = SCALES[scale_key]
        support = _points(data.get("support"), "support", scale)
        if not support:
            raise RuleError("support: choose at least one point that counts as support")
        strong = _points(data.get("strong_opposition"), "strong_opposition", scale)
        abstain = _points(data.get("abstain"), "abstain", scale)
        for a, b, name in (
            (support, strong, "strong_opposition"),
            (support, abstain, "abstain"),
            (strong, abstain, "abstain"),
        ):
            both = sorted(set(a) & set(b))
            if both:
                raise RuleError(f"{name}: point {both[0]} is in two groups")
        if len(abstain) == len(scale.values):
            raise RuleError("abstain: every point is an abstention")
        max_strong = data.get("max_strong_opposition_percent")
        if max_strong in ("", None):
            max_strong = None
        else:
            max_strong = _percent(max_strong, "max_strong_opposition_percent")
            if not strong:
                raise RuleError(
                    "strong_opposition: a limit on strong opposition needs the points "
                    "that count as strong opposition"
                )
        opens_if = data.get("opens_if_ballot")
        outcome = data.get("opens_if_outcome") or ""
        if opens_if in ("", None):
            opens_if, outcome = None, ""
        else:
            try:
                opens_if = int(opens_if)
            except (TypeError, ValueError):
                raise RuleError(f"opens_if_ballot: {opens_if!r} is not a ballot") from None
            if outcome not in ("adopted", "not_adopted"):
                raise RuleError("opens_if_outcome: must be 'adopted' or 'not_adopted'")
        return cls(
            scale=scale_key,
            support=support,
            strong_opposition=strong,
            abstain=abstain,
            support_percent=_percent(data.get("support_percent", 80), "support_percent"),
            strict=bool(data.get("strict", False)),
            max_strong_opposition_percent=max_strong,
            quorum_percent=_percent(data.get("quorum_percent", 0), "quorum_percent"),
            opens_if_ballot=opens_if,
            opens_if_outcome=outcome,
        )

    def to_dict(self) -> dict:
        """JSON-ready dict; percentages as strings so that no float rounding enters."""
        return {
            "scale": self.scale,
            "support": list(self.support),
            "strong_opposition": list(self.strong_opposition),
            "abstain": list(self.abstain),
            "support_percent": str(self.support_percent),
            "strict": self.strict,
            "max_strong_opposition_percent": (
                None
                if self.max_strong_opposition_percent is None
                else str(self.max_strong_opposition_percent)
            ),
            "quorum_percent": str(self.quorum_percent),
            "opens_if_ballot": self.opens_if_ballot,
            "opens_if_outcome": self.opens_if_outcome,
        }

    def canonical_json(self) -> str:
        """The rule as canonical JSON: sorted keys, no spaces, ASCII, version tag."""
        return json.dumps(
            {"minipublic_ballot_rule": 1, **self.to_dict()},
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=True,
        )

    def sha256(self) -> str:
        """SHA-256 (hex) of :meth:`canonical_json`, published when the ballot opens."""
        return hashlib.sha256(self.canonical_json().encode("ascii")).hexdigest()

    @property
    def scale_obj(self) -> Scale:
        return SCALES[self.scale]


def default_rule(scale: str = "gradient5") -> BallotRule:
    """A common starting rule: support = the two top points, >= 80 %, quorum 50 %."""
    if scale == "gradient8":
        return BallotRule.from_dict(
            {
                "scale": "gradient8",
                "support": [1, 2, 3, 6],
                "strong_opposition": [7, 8],
                "abstain": [4],
                "support_percent": "75",
                "max_strong_opposition_percent": "20",
                "quorum_percent": "50",
            }
        )
    if scale == "score10":
        return BallotRule.from_dict(
            {
                "scale": "score10",
                "support": [7, 8, 9, 10],
                "strong_opposition": [1, 2],
                "support_percent": "66.67",
                "quorum_percent": "50",
            }
        )
    return BallotRule.from_dict(
        {
            "scale": "gradient5",
            "support": [1, 2],
            "strong_opposition": [5],
            "support_percent": "80",
            "quorum_percent": "50",
        }
    )


@dataclass(frozen=True)
class BallotResult:
    """The count of one ballot under its sealed rule.

    ``distribution`` has one ``(point, count)`` per point of the scale, in
    scale order, zeros included. Shares are exact fractions of the counted
    (non-abstaining) votes; ``None`` when no vote was counted.
    """

    rule_sha256: str
    distribution: tuple[tuple[int, int], ...]
    votes: int
    abstentions: int
    counted: int
    support: int
    strong_opposition: int
    electorate: int
    support_share: Fraction | None
    strong_opposition_share: Fraction | None
    turnout: Fraction | None
    quorum_met: bool
    support_met: bool
    opposition_met: bool
    adopted: bool
    reasons: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict:
        """JSON-ready dict (fractions as ``"p/q"`` strings and as floats for display)."""

        def frac(f):
            return None if f is None else f"{f.numerator}/{f.denominator}"

        def pct(f):
            return None if f is None else float(f * 100)

        return {
            "rule_sha256": self.rule_sha256,
            "distribution": [[p, c] for p, c in self.distribution],
            "votes": self.votes,
            "abstentions": self.abstentions,
            "counted": self.counted,
            "support": self.support,
            "strong_opposition": self.strong_opposition,
            "electorate": self.electorate,
            "support_share": frac(self.support_share),
            "strong_opposition_share": frac(self.strong_opposition_share),
            "turnout": frac(self.turnout),
            "support_percent": pct(self.support_share),
            "strong_opposition_percent": pct(self.strong_opposition_share),
            "turnout_percent": pct(self.turnout),
            "quorum_met": self.quorum_met,
            "support_met": self.support_met,
            "opposition_met": self.opposition_met,
            "adopted": self.adopted,
            "reasons": list(self.reasons),
        }


def count_votes(rule: BallotRule, values: Iterable[int], *, electorate: int) -> BallotResult:
    """Count *values* under *rule*.

    Parameters
    ----------
    rule : BallotRule
        The sealed rule.
    values : iterable of int
        One value per vote (online and matched paper votes alike).
    electorate : int
        Members entitled to vote (the denominator of turnout).

    Returns
    -------
    BallotResult

    Raises
    ------
    RuleError
        A value that is not a point of the scale (the message names the vote's
        position), or more votes than the electorate.

    Examples
    --------
    >>> rule = BallotRule.from_dict({"scale": "gradient5", "support": [1, 2],
    ...     "support_percent": "80", "quorum_percent": "50"})
    >>> r = count_votes(rule, [1, 1, 2, 2, 3], electorate=8)
    >>> (str(r.support_share), r.adopted)
    ('4/5', True)
    """
    scale = rule.scale_obj
    allowed = set(scale.values)
    counts = dict.fromkeys(scale.values, 0)
    n = 0
    for i, v in enumerate(values, start=1):
        if v not in allowed:
            raise RuleError(f"vote {i}: {v!r} is not a point of the {scale.key} scale")
        counts[v] += 1
        n += 1
    if electorate < 0:
        raise RuleError(f"electorate: {electorate} is negative")
    if n > electorate:
        raise RuleError(f"votes: {n} votes but only {electorate} members may vote")
    return _count(rule, counts, n, electorate)


def _count(rule: BallotRule, counts: dict[int, int], n: int, electorate: int) -> BallotResult:
    abstentions = sum(counts[p] for p in rule.abstain)
    counted = n - abstentions
    support = sum(counts[p] for p in rule.support)
    strong = sum(counts[p] for p in rule.strong_opposition)
    support_share = Fraction(support, counted) if counted else None
    strong_share = Fraction(strong, counted) if counted else None
    turnout = Fraction(n, electorate) if electorate else None
    reasons = []

    quorum = Fraction(rule.quorum_percent) / 100
    quorum_met = turnout is not None and turnout >= quorum
    if not quorum_met:
        reasons.append("quorum")

    threshold = Fraction(rule.support_percent) / 100
    if support_share is None:
        support_met = False
    elif rule.strict:
        support_met = support_share > threshold
    else:
        support_met = support_share >= threshold
    if not support_met:
        reasons.append("support")

    if rule.max_strong_opposition_percent is None:
        opposition_met = True
    else:
        limit = Fraction(rule.max_strong_opposition_percent) / 100
        opposition_met = strong_share is not None and strong_share <= limit
        if not opposition_met:
            reasons.append("strong_opposition")

    return BallotResult(
        rule_sha256=rule.sha256(),
        distribution=tuple(counts.items()),
        votes=n,
        abstentions=abstentions,
        counted=counted,
        support=support,
        strong_opposition=strong,
        electorate=electorate,
        support_share=support_share,
        strong_opposition_share=strong_share,
        turnout=turnout,
        quorum_met=quorum_met,
        support_met=support_met,
        opposition_met=opposition_met,
        adopted=quorum_met and support_met and opposition_met,
        reasons=tuple(reasons),
    )
