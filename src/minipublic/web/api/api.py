"""The REST API: public read endpoints and per-assembly staff endpoints (OpenAPI 3).

Served under ``/api/``: the schema at ``/api/openapi.json``, interactive
documentation at ``/api/docs``. Public endpoints need no token and show only
what the public pages show. Staff endpoints need an assembly's token
(:mod:`minipublic.web.api.auth`) and answer only about that assembly: any
other assembly is "not found". No endpoint returns names, contact details or
addresses: people appear by pseudonym.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import File, NinjaAPI, Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate
from ninja.throttling import AnonRateThrottle, AuthRateThrottle

from minipublic.web.api import schemas
from minipublic.web.api.auth import AssemblyToken
from minipublic.web.assemblies.models import Assembly
from minipublic.web.permissions import can

api = NinjaAPI(
    title="minipublic API",
    version="1",
    description=(
        "Read an assembly's public record, and — with an assembly's token — its pool, "
        "quotas and selection runs. People appear only by pseudonym. See docs/api.md."
    ),
    urls_namespace="api",
    throttle=[AnonRateThrottle("120/m"), AuthRateThrottle("600/m")],
)


# Every answer other than success that an operation can give, for the schema.
PUBLIC_ERRORS = {404: schemas.Error, 422: schemas.FieldErrors, 429: schemas.Error}
STAFF_ERRORS = {401: schemas.Error, **PUBLIC_ERRORS}


class Page(PageNumberPagination):
    """``?page=N&page_size=M`` (at most 500 a page); answers ``{"items": [...], "count": N}``."""

    def __init__(self, **kwargs):
        super().__init__(page_size=100, max_page_size=500, **kwargs)


@api.exception_handler(NinjaValidationError)
def _validation_error(request, exc):
    """Field-level errors: ``{"detail": ..., "errors": [{"field": "query.page", "message": ...}]}``."""
    errors = [
        {"field": ".".join(str(p) for p in e.get("loc", [])), "message": e.get("msg", "")}
        for e in exc.errors
    ]
    return api.create_response(
        request, {"detail": "The request is not valid.", "errors": errors}, status=422
    )


@api.exception_handler(ValidationError)
def _action_error(request, exc):
    """An action refused: its field messages become the same error body (400)."""
    errors = []
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            errors += [{"field": field, "message": m} for m in messages]
    else:
        errors = [{"field": "", "message": m} for m in exc.messages]
    return api.create_response(
        request, {"detail": "The request was refused.", "errors": errors}, status=400
    )


def _url(assembly: Assembly) -> str:
    return settings.MINIPUBLIC_BASE_URL + reverse("assemblies:public_page", args=[assembly.slug])


def _public_assembly(slug: str) -> Assembly:
    assembly = get_object_or_404(Assembly, slug=slug)
    if not can(None, None, "view", "assembly_page", assembly=assembly):
        raise Http404  # a private assembly does not exist for the public
    return assembly


def _assembly_out(a: Assembly) -> dict:
    return {
        "slug": a.slug,
        "title": a.title,
        "question": a.question,
        "commissioner": a.commissioner,
        "phase": a.phase,
        "public_summary": a.public_summary,
        "url": _url(a),
    }


def _drawn_run(assembly: Assembly):
    return assembly.selection_runs.filter(status="drawn").first()


# --- public ---------------------------------------------------------------------
public = Router(tags=["public"])


@public.get(
    "/assemblies", response={200: list[schemas.AssemblyOut], **PUBLIC_ERRORS}, url_name="assemblies"
)
@paginate(Page)
def list_assemblies(request, q: str = ""):
    """Publicly listed assemblies, newest first; ``q`` filters by words in the title or question."""
    rows = Assembly.objects.filter(is_public=True).order_by("-created_at", "pk")
    if q:
        rows = rows.filter(Q(title__icontains=q) | Q(question__icontains=q))
    return [_assembly_out(a) for a in rows]


@public.get(
    "/assemblies/{slug}",
    response={200: schemas.AssemblyDetailOut, **PUBLIC_ERRORS},
    url_name="assembly",
)
def assembly_detail(request, slug: str):
    """One assembly's public facts: phase and dates, how many registered, panel size, members."""
    a = _public_assembly(slug)
    run = _drawn_run(a)
    return {
        **_assembly_out(a),
        "phase_dates": list(a.phase_dates.values("phase", "starts_on", "ends_on")),
        "registered": a.registrants.count(),
        "panel_size": run.panel_size if run else None,
        "members": a.participants.filter(is_active=True).count(),
    }


@public.get(
    "/assemblies/{slug}/lottery",
    response={200: schemas.LotteryOut, **PUBLIC_ERRORS},
    url_name="lottery",
)
def lottery(request, slug: str):
    """The public draw: the lottery file's fingerprint, the public seed and the panel index.

    Anyone can check the draw with the command in ``verify_command`` and the
    files on the assembly's lottery page. 404 until a panel has been drawn.
    """
    a = _public_assembly(slug)
    run = _drawn_run(a)
    if run is None:
        raise Http404
    return {
        "status": run.status,
        "algorithm": run.algorithm,
        "panel_size": run.panel_size,
        "pool_size": run.n_pool,
        "panels_in_lottery": run.m,
        "lottery_sha256": run.lottery_sha256,
        "public_seed": run.public_seed,
        "draw_index": run.draw_index,
        "drawn_at": run.seed_entered_at,
        "verify_command": f'minipublic sortition verify DIR --seed "{run.public_seed}"',
    }


# --- staff (token) --------------------------------------------------------------
staff = Router(tags=["staff"], auth=AssemblyToken())


def _token_assembly(request, slug: str) -> Assembly:
    """The token's assembly if *slug* names it; any other assembly is not found."""
    token = request.api_token
    if token.assembly.slug != slug:
        raise Http404
    return token.assembly


def _allowed(request, action: str, subject: str) -> None:
    token = request.api_token
    if not can(token.created_by, None, action, subject, assembly=token.assembly):
        raise Http404


class PoolFilter(Schema):
    status: str = ""
    source: str = ""


@staff.get(
    "/assemblies/{slug}/pool",
    response={200: list[schemas.PoolPersonOut], **STAFF_ERRORS},
    url_name="pool",
)
@paginate(Page)
def pool(request, slug: str, filters: Query[PoolFilter]):
    """Everyone registered or imported, by pseudonym, with their answers to the quota questions.

    Filter with ``status`` (registered, invited, accepted, declined, …) and ``source``.
    """
    a = _token_assembly(request, slug)
    _allowed(request, "view", "registrants")
    rows = a.registrants.select_related("participant").order_by("pk")
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.source:
        rows = rows.filter(source=filters.source)
    return [
        {
            "pseudonym": r.participant.pseudonym,
            "status": r.status,
            "source": r.source,
            "age_band": r.age_band,
            "gender": r.gender,
            "area": r.area,
            "education": r.education,
            "ethnicity": r.ethnicity,
            "disability": r.disability,
            "trust_in_government": r.trust_in_government,
            "selection_probability": r.selection_probability,
        }
        for r in rows
    ]


@staff.post(
    "/assemblies/{slug}/pool",
    response={201: schemas.PoolImportOut, 400: schemas.FieldErrors, **STAFF_ERRORS},
    url_name="pool_import",
)
def pool_import(request, slug: str, file: File[UploadedFile]):
    """Import a people file (CSV or .xlsx, the Sortition Foundation's layout) into the pool.

    All or nothing: any bad cell refuses the whole file with an error per row
    and column (400).
    """
    from minipublic.web.recruitment.actions import check_import_pool

    a = _token_assembly(request, slug)
    _allowed(request, "import", "pool")
    if file.size > 20 * 1024 * 1024:
        raise ValidationError({"file": ["The file is larger than 20 MB."]})
    result = check_import_pool(
        a, name=file.name, data=file.read(), acting_user=request.api_token.created_by
    )
    return Status(
        201, {"id": result.pk, "name": result.name, "rows": result.n_rows, "sha256": result.sha256}
    )


@staff.get(
    "/assemblies/{slug}/quotas",
    response={200: schemas.QuotasOut, **STAFF_ERRORS},
    url_name="quotas",
)
def quotas(request, slug: str):
    """The panel size and the quota of every feature value (targets and bounds)."""
    a = _token_assembly(request, slug)
    _allowed(request, "view", "selection")
    qs = getattr(a, "quota_set", None)
    if qs is None:
        return {"panel_size": 0, "features": [], "rows": []}
    return {
        "panel_size": qs.panel_size,
        "features": list(qs.features),
        "rows": [
            {
                "feature": r.feature,
                "value": r.value,
                "share": float(r.share),
                "min": r.min,
                "max": r.max,
            }
            for r in qs.rows.order_by("position", "pk")
        ],
    }


def _run_out(run) -> dict:
    return {
        "id": run.pk,
        "status": run.status,
        "algorithm": run.algorithm,
        "seed": run.seed,
        "panel_size": run.panel_size,
        "pool_size": run.n_pool,
        "panels_in_lottery": run.m,
        "lottery_sha256": run.lottery_sha256,
        "created_at": run.created_at,
        "finished_at": run.finished_at,
        "seconds": run.seconds,
    }


@staff.get(
    "/assemblies/{slug}/selection-runs",
    response={200: list[schemas.RunOut], **STAFF_ERRORS},
    url_name="selection_runs",
)
@paginate(Page)
def selection_runs(request, slug: str, status: str = ""):
    """Every selection run of the assembly, newest first; filter by ``status``."""
    a = _token_assembly(request, slug)
    _allowed(request, "view", "selection")
    rows = a.selection_runs.order_by("-created_at", "-pk")
    if status:
        rows = rows.filter(status=status)
    return [_run_out(r) for r in rows]


@staff.get(
    "/assemblies/{slug}/selection-runs/{run_id}",
    response={200: schemas.RunDetailOut, **STAFF_ERRORS},
    url_name="selection_run",
)
def selection_run(request, slug: str, run_id: int):
    """One run with its statistics and every person's selection probability (by pseudonym)."""
    a = _token_assembly(request, slug)
    _allowed(request, "view", "selection")
    run = get_object_or_404(a.selection_runs, pk=run_id)
    return {**_run_out(run), "stats": run.stats, "probabilities": run.probabilities}


# --- later steps: recommendations, the tracker, the opinion map ---------------------


def _ballot_out(b) -> dict:
    r = b.result or {}
    return {
        "ballot": b.pk,
        "rule_sha256": b.rule_sha256,
        "closed_at": b.closed_at,
        "adopted": r.get("adopted"),
        "votes": r.get("votes"),
        "turnout": r.get("turnout"),
        "support_percent": r.get("support_percent"),
        "distribution": r.get("distribution", []),
    }


@public.get(
    "/assemblies/{slug}/recommendations",
    response={200: list[schemas.RecommendationOut], **PUBLIC_ERRORS},
    url_name="recommendations",
)
@paginate(Page)
def recommendations(request, slug: str):
    """Every recommendation with the results of its closed ballots (open ballots stay hidden)."""
    from minipublic.web.decisions.models import BallotStatus, Recommendation

    a = _public_assembly(slug)
    rows = Recommendation.objects.filter(assembly=a).select_related("theme").order_by("number")
    out = []
    for rec in rows:
        closed = rec.ballots.filter(status=BallotStatus.CLOSED).order_by("pk")
        out.append(
            {
                "number": rec.number,
                "title": rec.title,
                "text": rec.text,
                "theme": rec.theme.title if rec.theme else "",
                "outcome": rec.outcome,
                "results": [_ballot_out(b) for b in closed],
            }
        )
    return out


@public.get(
    "/assemblies/{slug}/tracker",
    response={200: schemas.TrackerOut, **PUBLIC_ERRORS},
    url_name="tracker",
)
def tracker(request, slug: str):
    """The commissioner's published answers, progress, flags and the follow-through score."""
    from minipublic.web.followup.tracker import summary, tracker_rows

    a = _public_assembly(slug)
    rows = tracker_rows(a)
    s = summary(a, rows)
    return {
        "adopted": s.adopted,
        "responded": s.responded,
        "follow_through_score": round(s.score, 4),
        "respond_by": s.respond_by,
        "rows": [
            {
                "recommendation": r.recommendation.number,
                "title": r.recommendation.title,
                "answer": r.published.category if r.published else None,
                "reason": r.published.reason if r.published else "",
                "responsible_body": r.published.responsible_body if r.published else "",
                "due_by": r.published.due_by if r.published else None,
                "version": r.published.number if r.published else 0,
                "status": r.latest.status if r.latest else None,
                "progress_percent": r.progress_percent,
                "overdue": r.overdue,
                "stalled": r.stalled,
                "members_verdict": round(r.verdict_mean, 2) if r.verdict_mean is not None else None,
                "members_rating": r.verdict_count,
            }
            for r in rows
        ],
    }


@public.get(
    "/assemblies/{slug}/opinion-map",
    response={200: schemas.MapOut, **PUBLIC_ERRORS},
    url_name="opinion_map",
)
def opinion_map(request, slug: str):
    """The latest opinion map, when the organiser has made it public (404 otherwise)."""
    from minipublic.web.deliberation.models import MapSnapshot

    a = _public_assembly(slug)
    if not can(None, None, "view", "opinion_map", assembly=a):
        raise Http404
    snap = MapSnapshot.objects.filter(conversation__assembly=a).order_by("-version").first()
    if snap is None:
        raise Http404
    return {
        "version": snap.version,
        "created_at": snap.created_at,
        "n_votes": snap.n_votes,
        "n_voters": snap.n_voters,
        "n_statements": snap.n_statements,
        "map": snap.data,
    }


@staff.get(
    "/assemblies/{slug}/statements",
    response={200: list[schemas.StatementOut], **STAFF_ERRORS},
    url_name="statements",
)
@paginate(Page)
def statements(request, slug: str, status: str = ""):
    """Every statement of the deliberation, with its moderation status."""
    from minipublic.web.deliberation.models import Statement

    a = _token_assembly(request, slug)
    _allowed(request, "moderate", "statements")
    rows = Statement.objects.filter(conversation__assembly=a).order_by("pk")
    if status:
        rows = rows.filter(status=status)
    return [
        {
            "id": st.pk,
            "text": st.text,
            "status": st.status,
            "by_participant": st.author_id is not None,
            "created_at": st.created_at,
        }
        for st in rows
    ]


@staff.get(
    "/assemblies/{slug}/votes",
    response={200: list[schemas.VoteOut], **STAFF_ERRORS},
    url_name="votes",
)
@paginate(Page)
def votes(request, slug: str):
    """Every statement vote (agree 1, disagree -1, pass 0) by a voter code, as Polis exports them."""
    from minipublic.web.deliberation.models import Vote

    a = _token_assembly(request, slug)
    _allowed(request, "moderate", "statements")
    rows = Vote.objects.filter(statement__conversation__assembly=a).order_by("pk")
    return [{"voter": f"V{v.voter_id}", "statement": v.statement_id, "vote": v.value} for v in rows]


@staff.get(
    "/assemblies/{slug}/tally",
    response={200: list[schemas.TallyRowOut], **STAFF_ERRORS},
    url_name="tally",
)
@paginate(Page)
def tally(request, slug: str):
    """The votes of closed ballots (receipt code and value, never who): the published tally."""
    from minipublic.web.decisions.models import BallotStatus, Vote

    a = _token_assembly(request, slug)
    _allowed(request, "view", "results")
    rows = (
        Vote.objects.filter(ballot__assembly=a, ballot__status=BallotStatus.CLOSED)
        .select_related("ballot__recommendation")
        .order_by("ballot_id", "receipt")
    )
    return [
        {
            "ballot": v.ballot_id,
            "recommendation": v.ballot.recommendation.number,
            "receipt": v.receipt,
            "value": v.value,
            "source": v.source,
        }
        for v in rows
    ]


@staff.get(
    "/assemblies/{slug}/evaluation/{table}",
    response={200: list[dict], **STAFF_ERRORS},
    url_name="evaluation_export",
)
def evaluation_export(request, slug: str, table: str):
    """The pseudonymised evaluation export (``responses`` or ``scales``), as the CLI writes it."""
    from minipublic.web.evaluation.data import build_frames

    a = _token_assembly(request, slug)
    _allowed(request, "export", "evaluation")
    if table not in ("responses", "scales"):
        raise Http404
    frames = build_frames(a)
    frame = frames.responses if table == "responses" else frames.scales
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")


api.add_router("/", public)
api.add_router("/", staff)
