"""Pages of the ``decisions`` app: recommendations, amendments, ballots, voting, results,
minority statements, the foreword and the report."""

import difflib
import html

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minipublic.web.decisions import actions
from minipublic.web.decisions.forms import (
    AmendmentDecisionForm,
    AmendmentForm,
    ForewordForm,
    NewBallotForm,
    PaperEntryForm,
    PaperGivenForm,
    PromoteForm,
    ReceiptForm,
    RecommendationForm,
    RevisionForm,
    RuleForm,
    StatementForm,
    ThemeForm,
    VoteForm,
)
from minipublic.web.decisions.labels import SCALE_NAMES, point_label
from minipublic.web.decisions.models import (
    Amendment,
    AmendmentStatus,
    Ballot,
    BallotStatus,
    MinorityStatement,
    Recommendation,
)
from minipublic.web.decisions.results import ballot_view, closed_ballots, rule_text, tally_csv
from minipublic.web.decisions.tally import BallotRule, default_rule
from minipublic.web.people.models import Participant
from minipublic.web.permissions import request_can, require_permission
from minipublic.web.shortcuts import run_action


def _rec(request, number: int) -> Recommendation:
    return get_object_or_404(
        Recommendation.objects.select_related("theme"), assembly=request.assembly, number=number
    )


def _ballot(request, ballot_id: int) -> Ballot:
    return get_object_or_404(
        Ballot.objects.select_related("recommendation"), assembly=request.assembly, pk=ballot_id
    )


def _attempt(request, action, *args, **kwargs) -> bool:
    """Call an action that has no form; show its refusal as an error message."""
    try:
        action(*args, **kwargs)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return False
    return True


def word_diff(old: str, new: str):
    """HTML of the word-level difference between two texts (``<del>``/``<ins>``)."""
    a, b = (old or "").split(), (new or "").split()
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(html.escape(" ".join(a[i1:i2])))
        if op in ("delete", "replace"):
            out.append(f"<del>{html.escape(' '.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{html.escape(' '.join(b[j1:j2]))}</ins>")
    return mark_safe(" ".join(out))


# --- staff overview ------------------------------------------------------------


@require_permission("view", "decisions")
def overview(request, slug):
    """Themes, recommendations and ballots of the assembly, for staff."""
    assembly = request.assembly
    recs = list(
        assembly.recommendations.select_related("theme").prefetch_related("ballots", "amendments")
    )
    groups = []
    for theme in assembly.themes.all():
        groups.append((theme, [r for r in recs if r.theme_id == theme.pk]))
    loose = [r for r in recs if r.theme_id is None]
    if loose:
        groups.append((None, loose))
    ballots = assembly.ballots.select_related("recommendation").order_by("pk")
    return render(
        request,
        "decisions/overview.html",
        {
            "assembly": assembly,
            "groups": groups,
            "ballots": ballots,
            "theme_form": ThemeForm(),
            "open_amendments": sum(1 for r in recs if r.amendments_open),
            "pending_amendments": sum(
                1 for r in recs for a in r.amendments.all() if a.status == AmendmentStatus.PROPOSED
            ),
            "has_foreword": hasattr(assembly, "foreword"),
        },
    )


@require_POST
@require_permission("manage", "decisions")
def theme_new(request, slug):
    form = ThemeForm(request.POST)
    if form.is_valid():
        ok, _t = run_action(
            form,
            actions.check_create_theme,
            request.assembly,
            acting_user=request.user,
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, _("Theme added."))
            return redirect("decisions:overview", slug)
    messages.error(request, _("Give the theme a title."))
    return redirect("decisions:overview", slug)


@require_POST
@require_permission("manage", "decisions")
def amendments_close_all(request, slug):
    n = actions.do_close_all_amendments(request.assembly, acting_user=request.user)
    messages.success(
        request,
        _("Amendments closed on %(n)s recommendations. Existing amendments stay visible.")
        % {"n": n},
    )
    return redirect("decisions:overview", slug)


# --- recommendations -------------------------------------------------------------


@require_permission("draft", "recommendation")
def recommendation_new(request, slug):
    assembly = request.assembly
    form = RecommendationForm(request.POST or None, assembly=assembly)
    if request.method == "POST" and form.is_valid():
        ok, rec = run_action(
            form,
            actions.check_draft_recommendation,
            assembly,
            acting_user=request.user,
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, _("Recommendation %(n)s saved.") % {"n": rec.number})
            return redirect("decisions:recommendation", slug, rec.number)
    return render(
        request, "decisions/recommendation_form.html", {"assembly": assembly, "form": form}
    )


def _versions_with_diffs(rec):
    versions = list(rec.versions.select_related("amendment").order_by("number"))
    rows = []
    previous = None
    for v in versions:
        rows.append(
            {
                "version": v,
                "diff": word_diff(previous.text, v.text) if previous is not None else None,
                "title_changed": previous is not None and previous.title != v.title,
            }
        )
        previous = v
    return list(reversed(rows))


def _amendments_with_diffs(rec):
    texts = dict(rec.versions.values_list("number", "text"))
    return [
        (a, word_diff(texts.get(a.based_on_version, rec.text), a.text))
        for a in rec.amendments.select_related("decided_by").order_by("created_at", "pk")
    ]


@require_permission("view", "recommendations")
def recommendation(request, slug, number):
    """One recommendation: its text, history, amendments, ballot, minority statements."""
    assembly = request.assembly
    rec = _rec(request, number)
    participant = getattr(request, "participant", None)
    can_propose = (
        request_can(request, "propose", "amendment", assembly=assembly)
        and rec.amendments_open
        and actions._editable(rec)
    )
    can_decide = request_can(request, "decide", "amendment", assembly=assembly)
    ballot = rec.ballots.exclude(status=BallotStatus.SKIPPED).first()
    closed = ballot is not None and ballot.status == BallotStatus.CLOSED
    statements = list(rec.minority_statements.prefetch_related("signatures"))
    signed = set()
    if participant is not None:
        signed = {
            s.pk
            for s in statements
            if any(sig.participant_id == participant.pk for sig in s.signatures.all())
        }
    return render(
        request,
        "decisions/recommendation.html",
        {
            "assembly": assembly,
            "rec": rec,
            "versions": _versions_with_diffs(rec),
            "amendments": _amendments_with_diffs(rec),
            "amendment_form": AmendmentForm(initial={"text": rec.text}) if can_propose else None,
            "can_decide": can_decide,
            "can_draft": request_can(request, "draft", "recommendation", assembly=assembly),
            "can_manage": request_can(request, "manage", "decisions", assembly=assembly),
            "decision_form": AmendmentDecisionForm(),
            "promote_form": PromoteForm(),
            "ballot": ballot,
            "skipped": ballot is None and rec.ballots.filter(status=BallotStatus.SKIPPED).exists(),
            "result": ballot_view(ballot) if closed else None,
            "statements": statements,
            "signed": signed,
            "can_write_statement": closed
            and request_can(request, "write", "minority_statement", assembly=assembly),
            "editable": actions._editable(rec),
        },
    )


@require_permission("draft", "recommendation")
def recommendation_edit(request, slug, number):
    assembly = request.assembly
    rec = _rec(request, number)
    form = RevisionForm(
        request.POST or None,
        assembly=assembly,
        initial={"title": rec.title, "text": rec.text, "theme": rec.theme},
    )
    if request.method == "POST" and form.is_valid():
        ok, _v = run_action(
            form,
            actions.check_revise_recommendation,
            rec,
            acting_user=request.user,
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, _("New version saved."))
            return redirect("decisions:recommendation", slug, rec.number)
    return render(
        request,
        "decisions/recommendation_edit.html",
        {"assembly": assembly, "rec": rec, "form": form, "editable": actions._editable(rec)},
    )


@require_POST
@require_permission("manage", "decisions")
def amendments_toggle(request, slug, number):
    rec = _rec(request, number)
    is_open = request.POST.get("open") == "1"
    if is_open and not actions._editable(rec):
        messages.error(request, _("Amendments cannot reopen once the ballot has opened."))
    else:
        actions.do_set_amendments_open(rec, is_open=is_open, acting_user=request.user)
        messages.success(
            request,
            _("Amendments are open.")
            if is_open
            else _("Amendments are closed; existing ones stay visible."),
        )
    return redirect("decisions:recommendation", slug, rec.number)


@require_POST
@require_permission("propose", "amendment")
def amendment_new(request, slug, number):
    rec = _rec(request, number)
    form = AmendmentForm(request.POST)
    participant = getattr(request, "participant", None)
    if form.is_valid():
        ok, _a = run_action(
            form,
            actions.check_propose_amendment,
            rec,
            proposer=participant
            if participant is not None and not request.user.is_authenticated
            else None,
            acting_user=request.user if request.user.is_authenticated else None,
            **form.cleaned_data,
        )
        if ok:
            messages.success(
                request, _("Your amendment was sent. The organisers will decide on it.")
            )
            return redirect("decisions:recommendation", slug, rec.number)
    for errors in form.errors.values():
        for e in errors:
            messages.error(request, e)
    return redirect("decisions:recommendation", slug, rec.number)


def _amendment(request, number, amendment_id) -> Amendment:
    rec = _rec(request, number)
    return get_object_or_404(Amendment, recommendation=rec, pk=amendment_id)


@require_POST
@require_permission("decide", "amendment")
def amendment_decide(request, slug, number, amendment_id):
    amendment = _amendment(request, number, amendment_id)
    form = AmendmentDecisionForm(request.POST)
    if form.is_valid():
        ok, _a = run_action(
            form,
            actions.check_decide_amendment,
            amendment,
            acting_user=request.user,
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, _("Decision recorded."))
            return redirect("decisions:recommendation", slug, number)
    for errors in form.errors.values():
        for e in errors:
            messages.error(request, e)
    return redirect("decisions:recommendation", slug, number)


@require_POST
@require_permission("decide", "amendment")
def amendment_promote(request, slug, number, amendment_id):
    amendment = _amendment(request, number, amendment_id)
    form = PromoteForm(request.POST)
    if form.is_valid():
        ok, new = run_action(
            form,
            actions.check_promote_amendment,
            amendment,
            acting_user=request.user,
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, _("It is now recommendation %(n)s.") % {"n": new.number})
            return redirect("decisions:recommendation", slug, new.number)
    for errors in form.errors.values():
        for e in errors:
            messages.error(request, e)
    return redirect("decisions:recommendation", slug, number)


# --- ballots -------------------------------------------------------------------------


@require_permission("prepare", "ballot")
def ballot_new(request, slug):
    assembly = request.assembly
    form = NewBallotForm(request.POST or None, assembly=assembly)
    if request.method == "POST" and form.is_valid():
        ok, ballot = run_action(
            form,
            actions.check_prepare_ballot,
            form.cleaned_data["recommendation"],
            rule=default_rule(form.cleaned_data["scale"]).to_dict(),
            acting_user=request.user,
        )
        if ok:
            messages.success(request, _("Ballot prepared. Check its rule before opening it."))
            return redirect("decisions:ballot", slug, ballot.pk)
    return render(request, "decisions/ballot_new.html", {"assembly": assembly, "form": form})


@require_permission("view", "decisions")
def ballot(request, slug, ballot_id):
    """A ballot for staff: its rule (editable until it opens), seal, turnout, result."""
    assembly = request.assembly
    ballot = _ballot(request, ballot_id)
    can_prepare = request_can(request, "prepare", "ballot", assembly=assembly)
    form = None
    if ballot.status == BallotStatus.DRAFT and can_prepare:
        form = RuleForm(
            request.POST or None, ballot=ballot, initial=RuleForm.initial_from(ballot.rule)
        )
    if request.method == "POST":
        if not can_prepare:
            raise PermissionDenied
        if form is None:
            # Sealed: the attempt is refused and written to the audit log.
            attempted = {
                k: request.POST.getlist(k) for k in request.POST if k != "csrfmiddlewaretoken"
            }
            _attempt(
                request, actions.check_set_rule, ballot, rule=attempted, acting_user=request.user
            )
            return redirect("decisions:ballot", slug, ballot.pk)
        if form.is_valid():
            ok, _b = run_action(
                form,
                actions.check_set_rule,
                ballot,
                rule=form.rule(ballot.rule.get("scale", "gradient5")),
                acting_user=request.user,
            )
            if ok:
                messages.success(request, _("Rule saved."))
                return redirect("decisions:ballot", slug, ballot.pk)
    rule = BallotRule.from_dict(ballot.rule)
    return render(
        request,
        "decisions/ballot.html",
        {
            "assembly": assembly,
            "ballot": ballot,
            "rule": rule,
            "rule_text": rule_text(rule),
            "scale_name": SCALE_NAMES[rule.scale],
            "form": form,
            "condition": actions.condition_state(ballot),
            "condition_ballot": Ballot.objects.filter(pk=rule.opens_if_ballot)
            .select_related("recommendation")
            .first(),
            "can_open": request_can(request, "open", "ballot", assembly=assembly),
            "can_close": request_can(request, "close", "ballot", assembly=assembly),
            "can_paper": request_can(request, "enter", "paper_ballot", assembly=assembly),
            "voted": ballot.register.count(),
            "electorate": actions.electorate_of(ballot),
            "result": ballot_view(ballot) if ballot.status == BallotStatus.CLOSED else None,
            "canonical": rule.canonical_json(),
        },
    )


@require_POST
@require_permission("open", "ballot")
def ballot_open(request, slug, ballot_id):
    ballot = _ballot(request, ballot_id)
    if _attempt(request, actions.check_open_ballot, ballot, acting_user=request.user):
        messages.success(request, _("Voting is open. The rule is sealed."))
    return redirect("decisions:ballot", slug, ballot.pk)


@require_POST
@require_permission("close", "ballot")
def ballot_close(request, slug, ballot_id):
    ballot = _ballot(request, ballot_id)
    if _attempt(request, actions.check_close_ballot, ballot, acting_user=request.user):
        messages.success(request, _("Voting is closed and the result is published."))
    return redirect("decisions:ballot", slug, ballot.pk)


@require_permission("enter", "paper_ballot")
def paper(request, slug, ballot_id):
    """Paper ballots: who was given one, and each paper typed in by two staff."""
    assembly = request.assembly
    ballot = _ballot(request, ballot_id)
    scale = ballot.rule.get("scale", "gradient5")
    members = Participant.objects.filter(assembly=assembly, is_active=True).exclude(
        pk__in=ballot.register.values("participant_id")
    )
    given_form = PaperGivenForm(members=members)
    entry_form = PaperEntryForm(scale=scale)
    if request.method == "POST":
        if request.POST.get("form") == "given":
            given_form = PaperGivenForm(request.POST, members=members)
            if given_form.is_valid():
                participant = members.filter(pk=given_form.cleaned_data["participant"]).first()
                ok, _r = run_action(
                    given_form,
                    actions.check_give_paper_ballot,
                    ballot,
                    participant=participant,
                    acting_user=request.user,
                )
                if ok:
                    messages.success(
                        request, _("Recorded: %(who)s votes on paper.") % {"who": participant}
                    )
                    return redirect("decisions:paper", slug, ballot.pk)
        else:
            entry_form = PaperEntryForm(request.POST, scale=scale)
            if entry_form.is_valid():
                ok, _e = run_action(
                    entry_form,
                    actions.check_enter_paper_ballot,
                    ballot,
                    acting_user=request.user,
                    **entry_form.cleaned_data,
                )
                if ok:
                    messages.success(request, _("Paper ballot entered."))
                    return redirect("decisions:paper", slug, ballot.pk)
    rows = actions.paper_status(ballot)
    for row in rows:
        # Each typist sees only their own value, so that the second entry is
        # made from the paper, not copied from the first.
        row["labels"] = [
            (
                e.entered_by,
                point_label(scale, e.value) if e.entered_by_id == request.user.pk else "",
            )
            for e in row["entries"]
        ]
    return render(
        request,
        "decisions/paper.html",
        {
            "assembly": assembly,
            "ballot": ballot,
            "given_form": given_form,
            "entry_form": entry_form,
            "rows": rows,
            "n_given": ballot.register.filter(source="paper").count(),
            "n_matched": sum(1 for r in rows if r["state"] == "matched"),
            "n_mismatch": sum(1 for r in rows if r["state"] == "mismatch"),
            "n_waiting": sum(1 for r in rows if r["state"] == "waiting"),
        },
    )


# --- members vote ------------------------------------------------------------------


@require_permission("vote", "ballot")
def vote(request, slug):
    """The member's ballot paper: every open ballot, their current vote and receipt."""
    assembly = request.assembly
    participant = request.participant
    items = []
    for b in Ballot.objects.filter(assembly=assembly, status=BallotStatus.OPEN).select_related(
        "recommendation"
    ):
        rule = BallotRule.from_dict(b.rule)
        mine = actions.my_vote(b, participant)
        on_paper = b.register.filter(participant=participant, source="paper").exists()
        items.append(
            {
                "ballot": b,
                "rule_text": rule_text(rule),
                "mine": mine,
                "mine_label": point_label(rule.scale, mine.value) if mine else "",
                "on_paper": on_paper,
                "form": VoteForm(
                    scale=rule.scale,
                    initial={"value": mine.value} if mine else None,
                    prefix=f"b{b.pk}",
                ),
            }
        )
    return render(request, "decisions/vote.html", {"assembly": assembly, "items": items})


@require_POST
@require_permission("vote", "ballot")
def vote_cast(request, slug, ballot_id):
    ballot = _ballot(request, ballot_id)
    form = VoteForm(
        request.POST, scale=ballot.rule.get("scale", "gradient5"), prefix=f"b{ballot.pk}"
    )
    if form.is_valid():
        ok, _v = run_action(
            form,
            actions.check_cast_vote,
            ballot,
            participant=request.participant,
            value=form.cleaned_data["value"],
        )
        if ok:
            # The message names neither the value nor the receipt: messages can
            # be stored server-side, and the vote must not be linked there.
            messages.success(
                request, _("Your vote is saved. You can change it until voting closes.")
            )
            return redirect(f"{reverse('decisions:vote', args=[slug])}#ballot-{ballot.pk}")
        messages.error(request, " ".join(form.non_field_errors()))
    else:
        messages.error(request, _("Choose one of the points of the scale."))
    return redirect(f"{reverse('decisions:vote', args=[slug])}#ballot-{ballot.pk}")


# --- results, tally, receipts ---------------------------------------------------------


@require_permission("view", "results")
def results(request, slug):
    """Results of every closed ballot, the tally file, and the receipt check."""
    assembly = request.assembly
    views = [ballot_view(b) for b in closed_ballots(assembly)]
    statements = {}
    for st in MinorityStatement.objects.filter(recommendation__assembly=assembly).prefetch_related(
        "signatures"
    ):
        statements.setdefault(st.recommendation_id, []).append(st)
    receipt_form = ReceiptForm(request.GET or None)
    found = None
    if receipt_form.is_bound and receipt_form.is_valid():
        found = [
            (v, point_label(v.ballot.rule.get("scale", ""), v.value))
            for v in actions.find_receipt(assembly, receipt_form.cleaned_data["receipt"])
        ]
    skipped = assembly.ballots.filter(status=BallotStatus.SKIPPED).select_related("recommendation")
    return render(
        request,
        "decisions/results.html",
        {
            "assembly": assembly,
            "views": [(v, statements.get(v.ballot.recommendation_id, [])) for v in views],
            "skipped": skipped,
            "receipt_form": receipt_form,
            "found": found,
            "open_count": assembly.ballots.filter(status=BallotStatus.OPEN).count(),
        },
    )


@require_permission("view", "results")
def tally_file(request, slug):
    response = HttpResponse(tally_csv(request.assembly), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-tally.csv"'
    return response


# --- minority statements and foreword ----------------------------------------------------


@require_permission("write", "minority_statement")
def statement_new(request, slug, number):
    rec = _rec(request, number)
    if not actions.statements_open(rec):
        raise Http404
    form = StatementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, _s = run_action(
            form,
            actions.check_write_minority_statement,
            rec,
            participant=request.participant,
            **form.cleaned_data,
        )
        if ok:
            messages.success(
                request, _("Your minority statement is published beside the recommendation.")
            )
            return redirect("decisions:recommendation", slug, rec.number)
    return render(
        request,
        "decisions/statement_form.html",
        {"assembly": request.assembly, "rec": rec, "form": form},
    )


@require_POST
@require_permission("write", "minority_statement")
def statement_sign(request, slug, number, statement_id):
    rec = _rec(request, number)
    statement = get_object_or_404(MinorityStatement, recommendation=rec, pk=statement_id)
    if _attempt(
        request, actions.check_sign_minority_statement, statement, participant=request.participant
    ):
        messages.success(request, _("You have signed the statement."))
    return redirect("decisions:recommendation", slug, rec.number)


@require_permission("edit", "foreword")
def foreword(request, slug):
    assembly = request.assembly
    existing = getattr(assembly, "foreword", None)
    form = ForewordForm(
        request.POST or None,
        initial={
            "text": existing.text if existing else "",
            "signed_as": existing.signed_as
            if existing
            else _("The members of %(title)s") % {"title": assembly.title},
        },
    )
    if request.method == "POST" and form.is_valid():
        ok, _f = run_action(
            form,
            actions.check_save_foreword,
            assembly,
            acting_user=request.user,
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, _("Foreword saved."))
            return redirect("decisions:overview", slug)
    return render(request, "decisions/foreword.html", {"assembly": assembly, "form": form})


# --- the report ---------------------------------------------------------------------------


@require_permission("view", "results")
def report(request, slug):
    """The assembly's report as a web page (the same HTML the PDF is printed from)."""
    from minipublic.web.decisions.report import report_html, weasyprint_problem

    return HttpResponse(
        report_html(
            request.assembly, for_print=False, request=request, pdf_problem=weasyprint_problem()
        )
    )


@require_permission("view", "results")
def report_pdf(request, slug):
    """The report as PDF, or a page saying which system libraries are missing."""
    from minipublic.web.decisions.report import render_pdf, weasyprint_problem

    problem = weasyprint_problem()
    if problem:
        return render(
            request,
            "decisions/pdf_missing.html",
            {"assembly": request.assembly, "problem": problem},
            status=503,
        )
    pdf = render_pdf(request.assembly, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{slug}-report.pdf"'
    return response
