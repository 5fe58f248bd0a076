"""What the results pages, the tally file and the report show about closed ballots.

The stacked bar is an inline SVG built here (no script), with a text
description and a table of the same numbers beside it, so that it reads the
same to a screen reader and on paper.
"""

import csv
import io
from dataclasses import dataclass
from fractions import Fraction

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from minipublic.web.decisions.labels import POINTS, point_colour, point_label, text_colour
from minipublic.web.decisions.models import Ballot, BallotStatus, Vote
from minipublic.web.decisions.tally import BallotRule


@dataclass
class Segment:
    value: int
    label: str
    count: int
    percent: float
    colour: str
    role: str  # "support", "opposition", "abstain" or ""


@dataclass
class BallotView:
    ballot: Ballot
    rule: BallotRule
    result: dict
    segments: list[Segment]
    svg: SafeString
    summary: str
    rule_text: str


def _pct(x) -> str:
    return f"{x:.0f}" if abs(x - round(x)) < 1e-9 else f"{x:.1f}"


def rule_text(rule: BallotRule) -> str:
    """The rule in one plain sentence (translated)."""
    points = POINTS[rule.scale]
    support = ", ".join(str(points[p]) for p in rule.support)
    cmp_ = _("more than") if rule.strict else _("at least")
    text = _("Adopted if %(cmp)s %(pct)s%% of those voting choose: %(points)s") % {
        "cmp": cmp_,
        "pct": _pct(float(rule.support_percent)),
        "points": support,
    }
    if rule.max_strong_opposition_percent is not None:
        text += "; " + _("and no more than %(pct)s%% choose: %(points)s") % {
            "pct": _pct(float(rule.max_strong_opposition_percent)),
            "points": ", ".join(str(points[p]) for p in rule.strong_opposition),
        }
    if rule.abstain:
        text += "; " + _("abstentions (%(points)s) are left out of the percentages") % {
            "points": ", ".join(str(points[p]) for p in rule.abstain)
        }
    if rule.quorum_percent:
        text += "; " + _("at least %(pct)s%% of members must vote") % {
            "pct": _pct(float(rule.quorum_percent))
        }
    return text + "."


def stacked_bar(segments: list[Segment], *, title: str, description: str, uid: str) -> SafeString:
    """An accessible SVG stacked bar (600 x 44 user units), one rectangle per point with votes."""
    total = sum(s.count for s in segments) or 1
    x = 0.0
    parts = []
    for s in segments:
        if not s.count:
            continue
        w = 600 * s.count / total
        parts.append(
            f'<rect x="{x:.2f}" y="0" width="{w:.2f}" height="44" fill="{s.colour}">'
            f"<title>{escape(s.label)}: {s.count}</title></rect>"
        )
        if w >= 26:
            parts.append(
                f'<text x="{x + w / 2:.2f}" y="28" text-anchor="middle" font-size="16" '
                f'fill="{text_colour(s.colour)}" aria-hidden="true">{s.count}</text>'
            )
        x += w
    if not parts:
        parts.append('<rect x="0" y="0" width="600" height="44" fill="#eeeeee"></rect>')
    return mark_safe(
        f'<svg class="stacked-bar" viewBox="0 0 600 44" '
        f'role="img" aria-labelledby="bar-t-{uid} bar-d-{uid}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="bar-t-{uid}">{escape(title)}</title>'
        f'<desc id="bar-d-{uid}">{escape(description)}</desc>{"".join(parts)}</svg>'
    )


def ballot_view(ballot: Ballot) -> BallotView:
    """Everything shown about one closed ballot."""
    rule = BallotRule.from_dict(ballot.rule)
    result = ballot.result or {}
    votes = result.get("votes", 0) or 0
    segments = []
    for value, count in result.get("distribution", []):
        role = (
            "support"
            if value in rule.support
            else "opposition"
            if value in rule.strong_opposition
            else "abstain"
            if value in rule.abstain
            else ""
        )
        segments.append(
            Segment(
                value=value,
                label=point_label(rule.scale, value),
                count=count,
                percent=100 * count / votes if votes else 0.0,
                colour=point_colour(rule.scale, value),
                role=role,
            )
        )
    support = result.get("support_percent")
    summary = _("%(support)s%% support, %(votes)s votes from %(electorate)s members.") % {
        "support": _pct(support) if support is not None else "—",
        "votes": votes,
        "electorate": result.get("electorate", 0),
    }
    description = "; ".join(f"{s.label}: {s.count}" for s in segments)
    svg = stacked_bar(
        segments,
        title=_("How members voted on recommendation %(n)s") % {"n": ballot.recommendation.number},
        description=description,
        uid=str(ballot.pk),
    )
    return BallotView(ballot, rule, result, segments, svg, summary, rule_text(rule))


def closed_ballots(assembly):
    return (
        Ballot.objects.filter(assembly=assembly, status=BallotStatus.CLOSED)
        .select_related("recommendation__theme")
        .order_by("recommendation__theme__position", "recommendation__number", "pk")
    )


def tally_csv(assembly) -> str:
    """The published tally: one row per vote of every closed ballot, no member ids.

    Columns: ``ballot``, ``recommendation``, ``receipt``, ``value``, ``label``,
    ``source`` (online or paper), ``rule_sha256``. Rows are sorted by
    ballot then receipt (random codes), so their order says nothing about who
    voted when.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["ballot", "recommendation", "receipt", "value", "label", "source", "rule_sha256"]
    )
    votes = (
        Vote.objects.filter(ballot__assembly=assembly, ballot__status=BallotStatus.CLOSED)
        .select_related("ballot__recommendation")
        .order_by("ballot_id", "receipt")
    )
    for v in votes:
        scale = v.ballot.rule.get("scale", "")
        from minipublic.web.decisions.tally import SCALES

        label = SCALES[scale].label(v.value) if scale in SCALES else ""
        writer.writerow(
            [
                v.ballot_id,
                v.ballot.recommendation.number,
                v.receipt,
                v.value,
                label,
                v.source,
                v.ballot.rule_sha256,
            ]
        )
    return out.getvalue()


def share_str(fraction: str | None) -> str:
    """``"7/10"`` -> ``"70%"`` for the pages (the exact fraction is in the result)."""
    if not fraction:
        return "—"
    return _pct(float(Fraction(fraction) * 100)) + "%"
