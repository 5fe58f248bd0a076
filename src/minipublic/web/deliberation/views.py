"""Pages of the ``deliberation`` app.

Voting (``vote``, ``next_statements``, ``cast``) is the hot path and stays
lean: the cast view does one permission check, one voter lookup, one
visibility check and one ``INSERT … ON CONFLICT``; it never computes the map.
"""

import csv
import os
import secrets

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minipublic.web.csvcells import safe_cell
from minipublic.web.deliberation import actions, cached, routing
from minipublic.web.deliberation.models import (
    RATING_MAX,
    RATING_MIN,
    Conversation,
    Criterion,
    CriterionStatus,
    CriterionSupport,
    Fit,
    Moderation,
    Proposal,
    Ranking,
    Rating,
    Score,
    Statement,
    Status,
    Voter,
    new_browser_id,
)
from minipublic.web.permissions import request_can, require_permission
from minipublic.web.shortcuts import run_action

COOKIE = "mp_voter"
COOKIE_AGE = 365 * 86400


def _conversation(assembly) -> Conversation:
    conversation = getattr(assembly, "conversation", None)
    if conversation is None:
        raise Http404
    return conversation


def _identity(request, conversation):
    """``("member", participant)``, ``("staff", None)`` or ``("public", browser id or None)``."""
    participant = getattr(request, "participant", None)
    if participant is not None and participant.assembly_id == conversation.assembly_id:
        return "member", participant
    if request.user.is_authenticated:
        return "staff", None
    return "public", request.COOKIES.get(COOKIE)


def _existing_voter(conversation, kind, who):
    if kind == "member":
        return Voter.objects.filter(conversation=conversation, participant=who).first()
    if kind == "public" and who:
        return Voter.objects.filter(conversation=conversation, browser_id=who).first()
    return None


def _votes_per_minute() -> int:
    """Votes a public browser may cast per minute: setting, else environment, else 120."""
    value = getattr(settings, "MINIPUBLIC_PUBLIC_VOTES_PER_MINUTE", None)
    if value is None:
        value = os.environ.get("MINIPUBLIC_PUBLIC_VOTES_PER_MINUTE", "120")
    return int(value)


class StatementForm(forms.Form):
    text = forms.CharField(label=_("Your statement"), widget=forms.Textarea(attrs={"rows": 3}))


# --- voting ------------------------------------------------------------------------


@require_permission("vote", "statements")
def vote(request, slug):
    """One statement at a time, chosen by the engine's routing; works without JS."""
    conversation = _conversation(request.assembly)
    kind, who = _identity(request, conversation)
    new_cookie = None
    if kind == "public" and not who:
        who = new_cookie = new_browser_id()
    voter = _existing_voter(conversation, kind, who)
    voted = routing.voted_ids(voter)
    wanted = request.GET.get("statement")
    chosen = None
    if wanted and wanted.isdigit():
        row = Statement.objects.visible(conversation).filter(pk=int(wanted)).first()
        if row is not None:
            chosen = {"id": row.pk, "text": row.text, "by_participant": row.by_participant}
    queue, n_voted, n_total = routing.route(
        conversation, f"{kind}:{getattr(who, 'pk', who)}", voted, limit=1
    )
    if chosen is None and queue:
        chosen = queue[0]
    response = render(
        request,
        "deliberation/vote.html",
        {
            "assembly": request.assembly,
            "conversation": conversation,
            "statement": chosen,
            "n_voted": n_voted,
            "n_total": n_total,
            "n_position": min(n_voted + 1, n_total),
            "kind": kind,
            "can_map": request_can(request, "view", "opinion_map", assembly=request.assembly),
        },
    )
    if new_cookie:
        response.set_cookie(
            COOKIE,
            new_cookie,
            max_age=COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


@require_permission("vote", "statements")
def next_statements(request, slug):
    """JSON: the next few statements for this voter (the page's JS keeps a queue)."""
    conversation = _conversation(request.assembly)
    kind, who = _identity(request, conversation)
    voter = _existing_voter(conversation, kind, who)
    skip = [int(s) for s in request.GET.get("skip", "").split(",") if s.isdigit()][:200]
    voted = routing.voted_ids(voter)
    queue, n_voted, n_total = routing.route(
        conversation, f"{kind}:{getattr(who, 'pk', who)}", voted, limit=8, skip=skip
    )
    response = JsonResponse({"statements": queue, "voted": n_voted, "total": n_total})
    response["Cache-Control"] = "no-store"
    return response


def _wants_json(request) -> bool:
    # META, not request.headers: that would build a dict of every header per vote.
    return request.META.get("HTTP_X_REQUESTED_WITH") == "fetch"


_VOTER_IDS: dict[tuple[int, str], int] = {}


def _voter_id(conversation, kind, who) -> int:
    """The voter row's id, remembered per process (a browser's voter never changes)."""
    key = (conversation.pk, f"m{who.pk}" if kind == "member" else f"b{who}")
    voter_id = _VOTER_IDS.get(key)
    if voter_id is None:
        voter_id = actions.do_get_voter(
            conversation,
            participant=who if kind == "member" else None,
            browser_id=who if kind == "public" else None,
        ).pk
        if len(_VOTER_IDS) > 100_000:
            _VOTER_IDS.clear()
        _VOTER_IDS[key] = voter_id
    return voter_id


# The assembly with its conversation, kept per process for a moment: a vote
# then costs one query. A change of settings (public voting closed, policy
# changed) reaches every process within this many seconds; what may be voted
# on is still checked by the vote's own INSERT … SELECT at that instant.
ASSEMBLY_TTL = 2.0
_ASSEMBLIES: dict[str, tuple[float, object]] = {}


def _assembly_for_votes(slug):
    import time

    from minipublic.web.assemblies.models import Assembly

    now = time.monotonic()
    hit = _ASSEMBLIES.get(slug)
    if hit is not None and hit[0] > now:
        return hit[1]
    assembly = Assembly.objects.select_related("conversation").filter(slug=slug).first()
    if assembly is not None and getattr(assembly, "conversation", None) is None:
        assembly = None
    if len(_ASSEMBLIES) > 1000:
        _ASSEMBLIES.clear()
    _ASSEMBLIES[slug] = (now + ASSEMBLY_TTL, assembly)
    return assembly


def forget_assemblies(**_kwargs) -> None:
    """Drop this process's cached assemblies (connected to their saves in ``apps.py``)."""
    _ASSEMBLIES.clear()


@require_POST
def cast(request, slug):
    """Store one vote: idempotent (a repeat updates the same row).

    The hot path of the site, so it is kept to one query: the assembly with
    its conversation comes from a 2-second per-process cache (then the same
    permission table as every page), and one ``INSERT … SELECT … ON
    CONFLICT`` checks visibility and writes.
    """
    assembly = _assembly_for_votes(slug)
    if assembly is None:
        raise Http404
    request.assembly = assembly
    if not request_can(request, "vote", "statements", assembly=assembly):
        signed_in = request.user.is_authenticated or getattr(request, "participant", None)
        if not signed_in:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
    conversation = assembly.conversation
    kind, who = _identity(request, conversation)
    as_json = _wants_json(request)

    def refuse(message, status):
        if as_json:
            return JsonResponse({"ok": False, "error": message}, status=status)
        messages.error(request, message)
        return redirect("deliberation:vote", slug=slug)

    if kind == "staff":
        return refuse(_("Staff do not vote. Sign in with a member link to vote."), 403)
    if kind == "public":
        if not who:
            return refuse(_("Open the voting page first, then vote."), 400)
        if not cached.rate_ok(f"delib:v:{conversation.pk}:{who}", _votes_per_minute(), 60):
            return refuse(_("Too many votes in a minute from this browser. Wait a moment."), 429)
    try:
        actions.check_vote(
            conversation,
            _voter_id(conversation, kind, who),
            request.POST.get("statement"),
            request.POST.get("vote"),
        )
    except ValidationError as exc:
        return refuse(" ".join(exc.messages), 400)
    if as_json:
        return JsonResponse({"ok": True})
    return redirect("deliberation:vote", slug=slug)


cast.required_permission = ("vote", "statements")


def map_version(request, slug):
    """The current map version: the page polls this cheaply (cacheable for 5 s).

    Like :func:`cast`, it reads the assembly from the 2-second per-process
    cache and asks the same permission table as the map page; the version
    itself comes from Django's cache, set when a new map commits
    (:mod:`~minipublic.web.deliberation.cached`), so a poll does not touch the
    database.
    """
    assembly = _assembly_for_votes(slug)
    if assembly is None:
        raise Http404
    request.assembly = assembly
    if not request_can(request, "view", "opinion_map", assembly=assembly):
        signed_in = request.user.is_authenticated or getattr(request, "participant", None)
        if not signed_in:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
    response = JsonResponse({"version": cached.map_version(assembly.conversation.pk)})
    response["Cache-Control"] = "max-age=5, private"
    return response


map_version.required_permission = ("view", "opinion_map")


@require_permission("vote", "statements")
def write(request, slug):
    """Write a statement: length cap, near-duplicate warning, the policy said plainly."""
    conversation = _conversation(request.assembly)
    kind, who = _identity(request, conversation)
    similar = []
    form = StatementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if kind == "staff":
            form.add_error(None, _("Staff add statements on the Deliberation tab."))
        elif kind == "public" and not who:
            form.add_error(None, _("Open the voting page first, then write."))
        elif kind == "public" and not cached.rate_ok(f"delib:s:{conversation.pk}:{who}", 5, 3600):
            form.add_error(
                None, _("This browser has written 5 statements in the last hour. Wait a while.")
            )
        else:
            text = form.cleaned_data["text"]
            if not request.POST.get("confirm"):
                similar = actions.similar_visible(conversation, text)
            if not similar:
                voter = actions.do_get_voter(
                    conversation,
                    participant=who if kind == "member" else None,
                    browser_id=who if kind == "public" else None,
                )
                ok, statement = run_action(
                    form, actions.check_submit_statement, conversation, voter, text
                )
                if ok:
                    if conversation.moderation == Moderation.STRICT:
                        messages.success(
                            request,
                            _("Thank you. A facilitator will read it before others see it."),
                        )
                    else:
                        messages.success(request, _("Thank you. Others can now vote on it."))
                    return redirect("deliberation:write", slug=slug)
    voter = _existing_voter(conversation, kind, who)
    mine = (
        Statement.objects.filter(conversation=conversation, author=voter)
        .annotate(n_votes=Count("votes"))
        .order_by("-pk")
        if voter
        else []
    )
    return render(
        request,
        "deliberation/write.html",
        {
            "assembly": request.assembly,
            "conversation": conversation,
            "form": form,
            "similar": similar,
            "mine": mine,
            "kind": kind,
        },
    )


@require_permission("vote", "statements")
def edit_own(request, slug, statement_id):
    conversation = _conversation(request.assembly)
    kind, who = _identity(request, conversation)
    voter = _existing_voter(conversation, kind, who)
    statement = get_object_or_404(
        Statement, pk=statement_id, conversation=conversation, author__isnull=False
    )
    if voter is None or statement.author_id != voter.pk:
        raise Http404
    form = StatementForm(request.POST or None, initial={"text": statement.text})
    if request.method == "POST" and form.is_valid():
        ok, _r = run_action(
            form, actions.check_edit_statement, statement, form.cleaned_data["text"], voter=voter
        )
        if ok:
            messages.success(request, _("Statement changed."))
            return redirect("deliberation:write", slug=slug)
    return render(
        request,
        "deliberation/edit.html",
        {
            "assembly": request.assembly,
            "conversation": conversation,
            "form": form,
            "statement": statement,
        },
    )


# --- the opinion map ----------------------------------------------------------------


def _map_context(request, conversation, *, me: int | None = None):
    data = routing.snapshot_data(conversation)
    texts = dict(Statement.objects.visible(conversation).values_list("pk", "text"))
    snap = conversation.maps.filter(version=conversation.map_version).first()
    context = {
        "assembly": request.assembly,
        "conversation": conversation,
        "snapshot": snap,
        "described": routing.describe_map(data, texts) if data else None,
        "scatter": routing.scatter_svg(data, me=me) if data else None,
    }
    return context


@require_permission("view", "opinion_map")
def opinion_map(request, slug):
    conversation = _conversation(request.assembly)
    kind, who = _identity(request, conversation)
    voter = _existing_voter(conversation, kind, who)
    context = _map_context(request, conversation, me=voter.pk if voter else None)
    context["can_vote"] = request_can(request, "vote", "statements", assembly=request.assembly)
    return render(request, "deliberation/map.html", context)


@require_permission("view", "deliberation")
def room(request, slug):
    """The map in large type for a projector; reloads itself when the map changes."""
    conversation = _conversation(request.assembly)
    return render(request, "deliberation/room.html", _map_context(request, conversation))


@require_POST
@require_permission("moderate", "statements")
def refresh_map(request, slug):
    conversation = _conversation(request.assembly)
    progress = actions.do_start_map_refresh(conversation, acting_user=request.user)
    if progress is None:
        messages.info(request, _("A refresh is already waiting to run."))
        return redirect("deliberation:manage", slug=slug)
    return redirect(f"{reverse('deliberation:manage', args=[slug])}?progress={progress.pk}")


# --- staff: settings, statements, moderation ----------------------------------------


class StartForm(forms.Form):
    topic = forms.CharField(
        label=_("What should people write statements about?"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    moderation = forms.ChoiceField(
        label=_("Moderation"), choices=Moderation.choices, widget=forms.RadioSelect
    )


class SettingsForm(forms.ModelForm):
    class Meta:
        model = Conversation
        fields = [
            "topic",
            "moderation",
            "is_open",
            "public_voting",
            "map_public",
            "max_length",
            "refresh_threshold",
        ]
        widgets = {
            "topic": forms.Textarea(attrs={"rows": 2}),
            "moderation": forms.RadioSelect,
        }


@require_permission("view", "deliberation")
def manage(request, slug):
    from minipublic.web.progress.models import TaskProgress

    assembly = request.assembly
    conversation = getattr(assembly, "conversation", None)
    can_manage = request_can(request, "manage", "conversation", assembly=assembly)
    if conversation is None:
        form = StartForm(
            request.POST or None, initial={"topic": assembly.question, "moderation": "strict"}
        )
        if request.method == "POST":
            if not can_manage:
                return HttpResponse(status=403)
            if form.is_valid():
                actions.do_start_conversation(
                    assembly,
                    topic=form.cleaned_data["topic"],
                    moderation=form.cleaned_data["moderation"],
                    acting_user=request.user,
                )
                messages.success(request, _("The statement conversation is ready."))
                return redirect("deliberation:manage", slug=slug)
        return render(
            request,
            "deliberation/start.html",
            {
                "assembly": assembly,
                "form": form,
                "can_manage": can_manage,
                "active": "deliberation",
            },
        )
    settings_form = (
        SettingsForm(
            request.POST or None,
            instance=None,
            initial={f: getattr(conversation, f) for f in actions.SETTING_FIELDS},
        )
        if can_manage
        else None
    )
    if request.method == "POST":
        if not can_manage:
            return HttpResponse(status=403)
        if settings_form.is_valid():
            ok, _r = run_action(
                settings_form,
                actions.check_save_settings,
                conversation,
                acting_user=request.user,
                **settings_form.cleaned_data,
            )
            if ok:
                messages.success(request, _("Settings saved."))
                return redirect("deliberation:manage", slug=slug)
    counts = Statement.objects.filter(conversation=conversation).aggregate(
        pending=Count("pk", filter=Q(status=Status.PENDING)),
        accepted=Count("pk", filter=Q(status=Status.ACCEPTED)),
        rejected=Count("pk", filter=Q(status=Status.REJECTED)),
    )
    progress = None
    if request.GET.get("progress"):
        progress = TaskProgress.objects.filter(
            pk=request.GET["progress"], assembly=assembly
        ).first()
    seed_form = StatementForm(prefix="seed")
    return render(
        request,
        "deliberation/manage.html",
        {
            "assembly": assembly,
            "conversation": conversation,
            "settings_form": settings_form,
            "seed_form": seed_form,
            "counts": counts,
            "n_voters": conversation.voters.count(),
            "n_votes": actions.Vote.objects.filter(statement__conversation=conversation).count(),
            "progress": progress,
            "active": "deliberation",
        },
    )


@require_POST
@require_permission("moderate", "statements")
def add_statement(request, slug):
    conversation = _conversation(request.assembly)
    form = StatementForm(request.POST, prefix="seed")
    if form.is_valid():
        ok, _r = run_action(
            form,
            actions.check_add_seed_statement,
            conversation,
            form.cleaned_data["text"],
            acting_user=request.user,
        )
        if ok:
            messages.success(request, _("Statement added."))
            return redirect("deliberation:manage", slug=slug)
    for error in form.errors.get("text", []) + form.non_field_errors():
        messages.error(request, error)
    return redirect("deliberation:manage", slug=slug)


@require_permission("moderate", "statements")
def moderate(request, slug):
    conversation = _conversation(request.assembly)
    pending = list(
        Statement.objects.filter(conversation=conversation, status=Status.PENDING)
        .annotate(n_votes=Count("votes"))
        .select_related("author__participant")
    )
    for s in pending:
        s.similar = actions.similar_visible(conversation, s.text, exclude=[s.pk])
    decided = (
        Statement.objects.filter(conversation=conversation)
        .exclude(status=Status.PENDING)
        .annotate(n_votes=Count("votes"))
        .order_by("-moderated_at", "-pk")[:30]
    )
    log = conversation.moderation_log.select_related("statement").order_by("-created_at", "-pk")[
        :30
    ]
    return render(
        request,
        "deliberation/moderate.html",
        {
            "assembly": request.assembly,
            "conversation": conversation,
            "pending": pending,
            "decided": decided,
            "log": log,
            "active": "deliberation",
        },
    )


@require_POST
@require_permission("moderate", "statements")
def moderate_statement(request, slug, statement_id):
    conversation = _conversation(request.assembly)
    statement = get_object_or_404(Statement, pk=statement_id, conversation=conversation)
    decision = request.POST.get("decision", "")
    reason = request.POST.get("reason", "")
    try:
        if decision == "merge":
            actions.check_merge(
                statement, request.POST.get("into"), reason=reason, acting_user=request.user
            )
            messages.success(request, _("Statement %(id)s merged.") % {"id": statement.pk})
        elif decision == "edit":
            actions.check_edit_statement(
                statement, request.POST.get("text", ""), acting_user=request.user
            )
            messages.success(request, _("Statement %(id)s changed.") % {"id": statement.pk})
        else:
            actions.check_moderate(statement, decision, reason=reason, acting_user=request.user)
            messages.success(
                request,
                _("Statement %(id)s: %(status)s.")
                % {"id": statement.pk, "status": statement.get_status_display()},
            )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(
                request, _("Statement %(id)s: %(msg)s") % {"id": statement.pk, "msg": message}
            )
    return redirect("deliberation:moderate", slug=slug)


@require_permission("export", "moderation_log")
def moderation_csv(request, slug):
    conversation = _conversation(request.assembly)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="moderation-log-{slug}.csv"'
    writer = csv.writer(response)
    writer.writerow(["when", "who", "action", "statement", "text", "reason", "detail"])
    for entry in conversation.moderation_log.select_related("statement").order_by(
        "created_at", "pk"
    ):
        st = entry.statement
        writer.writerow(
            [
                safe_cell(entry.created_at.isoformat()),
                safe_cell(entry.actor_label),
                safe_cell(entry.action),
                safe_cell(st.pk if st else ""),
                safe_cell(st.text if st else ""),
                safe_cell(entry.reason),
                safe_cell(entry.detail),
            ]
        )
    return response


@require_permission("moderate", "statements")
def value_map(request, slug):
    conversation = _conversation(request.assembly)
    data = routing.snapshot_data(conversation)
    texts = dict(Statement.objects.visible(conversation).values_list("pk", "text"))
    pairs = routing.value_pairs(data, texts) if data else []
    return render(
        request,
        "deliberation/value_map.html",
        {
            "assembly": request.assembly,
            "conversation": conversation,
            "pairs": pairs,
            "active": "deliberation",
            "has_map": bool(data),
        },
    )


# --- convergent facilitation ------------------------------------------------------------


@require_permission("view", "criteria")
def criteria(request, slug):
    conversation = _conversation(request.assembly)
    participant = getattr(request, "participant", None)
    is_member = participant is not None and participant.assembly_id == request.assembly.pk
    can_take_part = request_can(request, "take_part", "criteria", assembly=request.assembly)
    can_facilitate = request_can(request, "facilitate", "criteria", assembly=request.assembly)
    if request.method == "POST":
        what = request.POST.get("what")
        try:
            if what == "propose" and (can_take_part or can_facilitate):
                actions.check_propose_criterion(
                    conversation,
                    request.POST.get("text", ""),
                    participant=participant if is_member else None,
                    acting_user=None if is_member else request.user,
                )
                messages.success(request, _("Criterion added."))
            elif what in ("yes", "no") and can_take_part and is_member:
                criterion = get_object_or_404(
                    Criterion, pk=request.POST.get("criterion"), conversation=conversation
                )
                actions.check_support_criterion(criterion, participant, what == "yes")
                messages.success(request, _("Your view is saved."))
            elif what == "close" and can_facilitate:
                actions.check_close_criteria(
                    conversation, request.POST.getlist("agreed"), acting_user=request.user
                )
                messages.success(request, _("The list of criteria is agreed and closed."))
            else:
                return HttpResponse(status=403)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect("deliberation:criteria", slug=slug)
    rows = list(actions.criteria_with_support(conversation))
    mine = {}
    if is_member:
        mine = dict(
            CriterionSupport.objects.filter(
                participant=participant, criterion__conversation=conversation
            ).values_list("criterion_id", "support")
        )
    for row in rows:
        row.mine = mine.get(row.pk)
    return render(
        request,
        "deliberation/criteria.html",
        {
            "assembly": request.assembly,
            "conversation": conversation,
            "rows": rows,
            "can_take_part": can_take_part and is_member,
            "can_propose": (can_take_part and is_member) or can_facilitate,
            "can_facilitate": can_facilitate,
            "active": "deliberation",
        },
    )


@require_permission("facilitate", "criteria")
def proposals(request, slug):
    conversation = _conversation(request.assembly)
    if request.method == "POST":
        try:
            actions.check_add_proposal(
                conversation,
                request.POST.get("title", ""),
                request.POST.get("text", ""),
                acting_user=request.user,
            )
            messages.success(request, _("Proposal added."))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect("deliberation:proposals", slug=slug)
    return render(
        request,
        "deliberation/proposals.html",
        {
            "assembly": request.assembly,
            "conversation": conversation,
            "proposals": conversation.proposals.all(),
            "active": "deliberation",
        },
    )


@require_permission("take_part", "criteria")
def score(request, slug):
    """A member scores each proposal against each agreed criterion, with a reason."""
    conversation = _conversation(request.assembly)
    participant = getattr(request, "participant", None)
    if participant is None:
        raise Http404
    agreed = list(conversation.criteria.filter(status=CriterionStatus.AGREED))
    props = list(conversation.proposals.all())
    errors = []
    if request.method == "POST":
        proposal = get_object_or_404(
            Proposal, pk=request.POST.get("proposal"), conversation=conversation
        )
        saved = 0
        for criterion in agreed:
            fit = request.POST.get(f"fit-{criterion.pk}")
            if not fit:
                continue
            try:
                actions.check_score(
                    proposal,
                    criterion,
                    participant,
                    fit,
                    request.POST.get(f"reason-{criterion.pk}", ""),
                )
                saved += 1
            except ValidationError as exc:
                errors.extend(f"{criterion.text}: {m}" for m in exc.messages)
        if not errors:
            messages.success(
                request, _("Your scores for “%(title)s” are saved.") % {"title": proposal.title}
            )
            return redirect("deliberation:score", slug=slug)
        for error in errors:
            messages.error(request, error)
    mine = {
        (s.proposal_id, s.criterion_id): s
        for s in Score.objects.filter(participant=participant, proposal__conversation=conversation)
    }
    table = [
        {
            "proposal": p,
            "cells": [{"criterion": c, "score": mine.get((p.pk, c.pk))} for c in agreed],
        }
        for p in props
    ]
    return render(
        request,
        "deliberation/score.html",
        {
            "assembly": request.assembly,
            "conversation": conversation,
            "table": table,
            "fits": Fit.choices,
            "closed": conversation.criteria_closed,
        },
    )


def heat_rows(conversation):
    """Proposals × agreed criteria: counts of meets / partly / does not, and the reasons."""
    agreed = list(conversation.criteria.filter(status=CriterionStatus.AGREED))
    scores = Score.objects.filter(proposal__conversation=conversation, criterion__in=agreed)
    cells: dict = {}
    for s in scores:
        cell = cells.setdefault(
            (s.proposal_id, s.criterion_id), {"meets": 0, "partly": 0, "not": 0, "reasons": []}
        )
        cell[s.fit] += 1
        if s.reason and s.fit != Fit.MEETS:
            cell["reasons"].append((s.get_fit_display(), s.reason))
    for cell in cells.values():
        # The same reason given by several members is shown once, with how many gave it.
        counted: dict = {}
        for fit, reason in cell["reasons"]:
            counted[(fit, reason)] = counted.get((fit, reason), 0) + 1
        cell["reasons"] = [(fit, reason, n) for (fit, reason), n in counted.items()]
    rows = []
    for p in conversation.proposals.all():
        row = []
        for c in agreed:
            cell = cells.get((p.pk, c.pk), {"meets": 0, "partly": 0, "not": 0, "reasons": []})
            n = cell["meets"] + cell["partly"] + cell["not"]
            objection = (cell["not"] + 0.5 * cell["partly"]) / n if n else None
            level = (
                "none"
                if objection is None
                else ("low" if objection < 0.2 else "mid" if objection < 0.5 else "high")
            )
            row.append({**cell, "n": n, "level": level, "criterion": c})
        rows.append({"proposal": p, "cells": row})
    return agreed, rows


@require_permission("view", "criteria")
def heatmap(request, slug):
    conversation = _conversation(request.assembly)
    agreed, rows = heat_rows(conversation)
    return render(
        request,
        "deliberation/heatmap.html",
        {
            "assembly": request.assembly,
            "conversation": conversation,
            "agreed": agreed,
            "rows": rows,
            "active": "deliberation",
        },
    )


# --- meta-consensus ---------------------------------------------------------------------


@require_permission("answer", "meta_consensus")
def survey(request, slug):
    conversation = _conversation(request.assembly)
    participant = getattr(request, "participant", None)
    if participant is None:
        raise Http404
    considerations = list(conversation.considerations.all())
    options = list(conversation.options.all())
    stage = conversation.dri_stage
    errors = {}
    if request.method == "POST" and stage:
        ratings, ranks = {}, {}
        for c in considerations:
            value = request.POST.get(f"c-{c.pk}", "")
            if value.isdigit():
                ratings[c.pk] = int(value)
        for o in options:
            value = request.POST.get(f"o-{o.pk}", "")
            if value.isdigit():
                ranks[o.pk] = int(value)
        try:
            actions.check_answer_dri(conversation, participant, ratings, ranks)
            messages.success(request, _("Thank you: your answers are saved."))
            return redirect("deliberation:survey", slug=slug)
        except ValidationError as exc:
            errors = exc.message_dict
        given_r, given_o = ratings, ranks
    else:
        given_r = dict(
            Rating.objects.filter(
                participant=participant, stage=stage, consideration__conversation=conversation
            ).values_list("consideration_id", "rating")
        )
        given_o = dict(
            Ranking.objects.filter(
                participant=participant, stage=stage, option__conversation=conversation
            ).values_list("option_id", "rank")
        )
    scale = list(range(RATING_MIN, RATING_MAX + 1))
    return render(
        request,
        "deliberation/survey.html",
        {
            "assembly": request.assembly,
            "conversation": conversation,
            "stage": stage,
            "considerations": [(c, given_r.get(c.pk)) for c in considerations],
            "options": [(o, given_o.get(o.pk)) for o in options],
            "scale": scale,
            "places": list(range(1, len(options) + 1)),
            "errors": errors,
            "answered": bool(given_r) and request.method != "POST",
        },
    )


@require_permission("view", "meta_consensus")
def dri(request, slug):
    from minipublic.web.progress.models import TaskProgress

    conversation = _conversation(request.assembly)
    can_run = request_can(request, "run", "meta_consensus", assembly=request.assembly)
    can_manage = request_can(request, "manage", "conversation", assembly=request.assembly)
    if request.method == "POST":
        what = request.POST.get("what")
        try:
            if what == "run" and can_run:
                seed_text = request.POST.get("seed", "").strip()
                seed = int(seed_text) if seed_text.isdigit() else secrets.randbelow(2**31)
                run = actions.do_start_dri(conversation, seed=seed, acting_user=request.user)
                return redirect(
                    f"{reverse('deliberation:dri', args=[slug])}?progress={run.progress_id}"
                )
            if what == "stage" and can_manage:
                actions.check_set_dri_stage(
                    conversation, request.POST.get("stage", ""), acting_user=request.user
                )
                messages.success(request, _("Survey stage saved."))
            elif what == "items" and can_manage:
                actions.check_set_dri_items(
                    conversation,
                    request.POST.get("considerations", ""),
                    request.POST.get("options", ""),
                    acting_user=request.user,
                )
                messages.success(request, _("Considerations and options saved."))
            else:
                return HttpResponse(status=403)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect("deliberation:dri", slug=slug)
    run = conversation.dri_runs.filter(finished_at__isnull=False, error="").first()
    progress = None
    if request.GET.get("progress"):
        progress = TaskProgress.objects.filter(
            pk=request.GET["progress"], assembly=request.assembly
        ).first()
    answered = {
        stage: Rating.objects.filter(consideration__conversation=conversation, stage=stage)
        .values("participant")
        .distinct()
        .count()
        for stage in ("pre", "post")
    }
    stages = []
    if run:
        for row in run.stages:
            stages.append({**row, "p_words": _p_words(row.get("p_value"))})
    return render(
        request,
        "deliberation/dri.html",
        {
            "assembly": request.assembly,
            "conversation": conversation,
            "run": run,
            "stages": stages,
            "change": _change(run),
            "change_words": _p_words(run.change_p_value) if run else "",
            "progress": progress,
            "answered": answered,
            "can_run": can_run,
            "can_manage": can_manage,
            "n_considerations": conversation.considerations.count(),
            "n_options": conversation.options.count(),
            "considerations_text": "\n".join(
                conversation.considerations.values_list("text", flat=True)
            ),
            "options_text": "\n".join(conversation.options.values_list("text", flat=True)),
            "active": "deliberation",
        },
    )


def _change(run):
    if not run:
        return None
    by = {row["stage"]: row.get("dri") for row in run.stages}
    if by.get("pre") is not None and by.get("post") is not None:
        return by["post"] - by["pre"]
    return None


def _p_words(p) -> str:
    if p is None:
        return _("not computed")
    if p < 0.01:
        return _("very unlikely to be chance (fewer than 1 in 100 random shuffles do as well)")
    if p < 0.05:
        return _("unlikely to be chance (fewer than 5 in 100 random shuffles do as well)")
    return _("could well be chance (%(n)d in 100 random shuffles do as well or better)") % {
        "n": round(100 * p)
    }
