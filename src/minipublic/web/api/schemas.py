"""Shapes of the API's answers (the OpenAPI schema is made from these)."""

from datetime import date, datetime

from ninja import Schema


class Error(Schema):
    detail: str


class FieldError(Schema):
    field: str
    message: str


class FieldErrors(Schema):
    detail: str
    errors: list[FieldError]


class PhaseDatesOut(Schema):
    phase: str
    starts_on: date | None
    ends_on: date | None


class AssemblyOut(Schema):
    slug: str
    title: str
    question: str
    commissioner: str
    phase: str
    public_summary: str
    url: str


class AssemblyDetailOut(AssemblyOut):
    phase_dates: list[PhaseDatesOut]
    registered: int
    panel_size: int | None
    members: int


class LotteryOut(Schema):
    status: str
    algorithm: str
    panel_size: int
    pool_size: int
    panels_in_lottery: int
    lottery_sha256: str
    public_seed: str
    draw_index: int | None
    drawn_at: datetime | None
    verify_command: str


class PoolPersonOut(Schema):
    pseudonym: str
    status: str
    source: str
    age_band: str
    gender: str
    area: str
    education: str
    ethnicity: str
    disability: str
    trust_in_government: int | None
    selection_probability: float | None


class QuotaRowOut(Schema):
    feature: str
    value: str
    share: float
    min: int
    max: int


class QuotasOut(Schema):
    panel_size: int
    features: list[str]
    rows: list[QuotaRowOut]


class RunOut(Schema):
    id: int
    status: str
    algorithm: str
    seed: str
    panel_size: int
    pool_size: int
    panels_in_lottery: int
    lottery_sha256: str
    created_at: datetime
    finished_at: datetime | None
    seconds: float | None


class RunDetailOut(RunOut):
    stats: dict
    probabilities: dict[str, float]


class PoolImportOut(Schema):
    id: int
    name: str
    rows: int
    sha256: str


class BallotResultOut(Schema):
    ballot: int
    rule_sha256: str
    closed_at: datetime | None
    adopted: bool | None
    votes: int | None
    turnout: str | None
    support_percent: float | None
    distribution: list[list[int]]


class RecommendationOut(Schema):
    number: int
    title: str
    text: str
    theme: str
    outcome: str
    results: list[BallotResultOut]


class TrackerRowOut(Schema):
    recommendation: int
    title: str
    answer: str | None
    reason: str
    responsible_body: str
    due_by: date | None
    version: int
    status: str | None
    progress_percent: int
    overdue: bool
    stalled: bool
    members_verdict: float | None
    members_rating: int


class TrackerOut(Schema):
    adopted: int
    responded: int
    follow_through_score: float
    respond_by: date | None
    rows: list[TrackerRowOut]


class MapOut(Schema):
    version: int
    created_at: datetime
    n_votes: int
    n_voters: int
    n_statements: int
    map: dict


class StatementOut(Schema):
    id: int
    text: str
    status: str
    by_participant: bool
    created_at: datetime


class VoteOut(Schema):
    voter: str
    statement: int
    vote: int


class TallyRowOut(Schema):
    ballot: int
    recommendation: int
    receipt: str
    value: int
    source: str
