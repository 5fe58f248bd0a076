"""Reading the tracker: one row per adopted recommendation with its published response,
latest status, flags (overdue, stalled, no report due), members' verdicts, and the score.

Nothing here writes; pages, the feed, the API and the CSV export read the same rows.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Avg, Count
from django.utils import timezone

from minipublic.web.decisions.models import Recommendation
from minipublic.web.followup import score as scoring
from minipublic.web.followup.models import (
    Commitment,
    ImplementationStatus,
    Response,
    ResponseVersion,
    StatusUpdate,
)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """*day* plus whole calendar months (the last day of a shorter month when needed)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass
class TrackerRow:
    recommendation: Recommendation
    response: Response | None
    published: ResponseVersion | None
    latest: StatusUpdate | None
    updates: list = field(default_factory=list)
    sub_items: list = field(default_factory=list)
    verdict_mean: float | None = None
    verdict_count: int = 0
    overdue: bool = False
    stalled: bool = False
    report_due: datetime.date | None = None

    @property
    def item(self) -> scoring.Item:
        return scoring.Item(
            category=self.published.category if self.published else None,
            status=self.latest.status if self.latest else None,
            percent=self.latest.percent if self.latest else None,
            fidelity=self.latest.fidelity if self.latest else "not_judged",
            sub_items=[(s.weight, s.percent) for s in self.sub_items],
        )

    @property
    def progress_percent(self) -> int:
        return round(100 * scoring.progress(self.item))

    @property
    def state(self) -> str:
        """One word for the summary chart: waiting, rejected, under_consideration, or the status."""
        if self.published is None:
            return "waiting"
        if self.published.category in ("rejected", "outside_powers"):
            return "rejected"
        if self.published.category == "under_consideration":
            return "under_consideration"
        return self.latest.status if self.latest else ImplementationStatus.NOT_STARTED


def tracker_rows(
    assembly, *, today: datetime.date | None = None, drafts: bool = False
) -> list[TrackerRow]:
    """The tracker of *assembly* as the public sees it (``drafts=True``: with draft responses)."""
    today = today or timezone.localdate()
    commitment = Commitment.objects.filter(assembly=assembly).first()
    recs = list(Recommendation.objects.adopted(assembly).select_related("theme", "response"))
    responses = {r.recommendation_id: r for r in Response.objects.filter(recommendation__in=recs)}
    verdicts = {
        row["pk"]: row
        for row in Response.objects.filter(recommendation__in=recs)
        .annotate(mean=Avg("verdicts__score"), n=Count("verdicts"))
        .values("pk", "mean", "n")
    }
    rows = []
    for rec in recs:
        response = responses.get(rec.pk)
        published = response.published() if response and response.is_published else None
        updates = list(response.updates.select_related("signed_by")) if published else []
        latest = updates[0] if updates else None
        subs = list(response.sub_items.all()) if published else []
        v = verdicts.get(response.pk) if response else None
        row = TrackerRow(
            recommendation=rec,
            response=response if (drafts or published) else None,
            published=published,
            latest=latest,
            updates=updates,
            sub_items=subs,
            verdict_mean=v["mean"] if v and v["n"] else None,
            verdict_count=v["n"] if v else 0,
        )
        done = latest is not None and latest.status in (
            ImplementationStatus.DONE,
            ImplementationStatus.ABANDONED,
        )
        if published and published.due_by and published.due_by < today and not done:
            row.overdue = True
        if (
            published
            and commitment
            and published.category not in ("rejected", "outside_powers")
            and not done
        ):
            since = latest.recorded_on if latest else published.published_at.date()
            months = commitment.report_every_months if latest else commitment.first_report_months
            row.report_due = add_months(since, months)
            if (
                latest is not None
                and latest.status == ImplementationStatus.STALLED
                or row.report_due < today
            ):
                row.stalled = True
        if published is None and commitment and commitment.respond_by < today:
            row.overdue = True
        rows.append(row)
    return rows


@dataclass(frozen=True)
class Summary:
    adopted: int
    responded: int
    counts: dict
    score: float
    respond_by: datetime.date | None
    days_left: int | None
    overdue: int
    stalled: int


def summary(assembly, rows: list[TrackerRow], *, today: datetime.date | None = None) -> Summary:
    today = today or timezone.localdate()
    commitment = Commitment.objects.filter(assembly=assembly).first()
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.state] = counts.get(row.state, 0) + 1
    return Summary(
        adopted=len(rows),
        responded=sum(1 for r in rows if r.published),
        counts=counts,
        score=scoring.follow_through_score(r.item for r in rows),
        respond_by=commitment.respond_by if commitment else None,
        days_left=(commitment.respond_by - today).days if commitment else None,
        overdue=sum(1 for r in rows if r.overdue),
        stalled=sum(1 for r in rows if r.stalled),
    )
