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
