"""Pages of the ``learning`` app.

Staff pages (under ``/a/<slug>/learning/``): sessions and their table plans,
the evidence library with its ratings, questions, claims and criteria.
Member pages (under ``/a/<slug>/me/learning/``): phone-first evidence,
questions and claims. One public page: the claims register's summary.
Views are thin: fetch and authorise, bind a form, call one action.
"""

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minipublic.web.assemblies.models import Meeting
from minipublic.web.learning import actions
from minipublic.web.learning.forms import (
    AnswerForm,
    ClaimForm,
    ClaimResponseForm,
    ContributionAddForm,
    CriteriaVoteForm,
    CriterionForm,
    QuestionForm,
    RatingForm,
    ReseatForm,
    SessionForm,
    SpeakerForm,
    SpeakerRequestForm,
    TablePlanForm,
)
from minipublic.web.learning.models import (
    Claim,
    Contribution,
    Criterion,
    CriterionVote,
    Question,
    QuestionVote,
    Rating,
    Speaker,
    SpeakerRequest,
    TablePlan,
)
from minipublic.web.permissions import require_permission
from minipublic.web.progress.models import TaskProgress
from minipublic.web.shortcuts import run_action


def _meeting(request, meeting_id) -> Meeting:
    return get_object_or_404(Meeting, pk=meeting_id, assembly=request.assembly)


def _progress(request):
    if progress_id := request.GET.get("progress"):
        return TaskProgress.objects.filter(pk=progress_id, assembly=request.assembly).first()
    return None


# --- sessions (staff) -------------------------------------------------------


@require_permission("view", "learning")
def sessions(request, slug):
    """Every session with its speakers, questions and table plan."""
    assembly = request.assembly
    meetings = list(
        assembly.meetings.annotate(n_questions=Count("questions", distinct=True))
        .order_by("starts_at")
        .prefetch_related("learning_plan__speakers")
    )
    rows = []
    now = timezone.now()
    for m in meetings:
        plan = actions.current_plan(m)
        rows.append(
            {
                "meeting": m,
                "plan": plan,
                "session_plan": actions.plan_of(m),
                "past": m.starts_at < now,
            }
        )
    return render(
        request,
        "learning/sessions.html",
        {"assembly": assembly, "rows": rows, "active": "sessions"},
    )


def _session_form_kwargs(assembly):
    return {"speakers": Speaker.objects.filter(assembly=assembly)}


@require_permission("edit", "session")
def session_new(request, slug):
    assembly = request.assembly
    form = SessionForm(request.POST or None, **_session_form_kwargs(assembly))
    if request.method == "POST" and form.is_valid():
        ok, meeting = run_action(
            form,
            actions.check_create_session,
            assembly,
            acting_user=request.user,
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, _("The session has been added."))
            return redirect("learning:session", slug=slug, meeting_id=meeting.pk)
    return render(
        request,
        "learning/session_form.html",
        {"assembly": assembly, "form": form, "active": "sessions"},
    )


@require_permission("edit", "session")
def session_edit(request, slug, meeting_id):
    assembly = request.assembly
    meeting = _meeting(request, meeting_id)
    plan = actions.plan_of(meeting)
    initial = {
        "title": meeting.title,
        "title_cy": meeting.title_cy,
        "starts_at": timezone.localtime(meeting.starts_at),
        "ends_at": timezone.localtime(meeting.ends_at) if meeting.ends_at else None,
        "place": meeting.place,
        "place_cy": meeting.place_cy,
        "what_to_bring": meeting.what_to_bring,
        "agenda": plan.agenda,
        "speakers": [s.pk for s in plan.speakers.all()] if plan.pk else [],
    }
    form = SessionForm(request.POST or None, initial=initial, **_session_form_kwargs(assembly))
    if request.method == "POST" and form.is_valid():
        ok, _m = run_action(
            form,
            actions.check_update_session,
            meeting,
            acting_user=request.user,
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, _("The session has been saved."))
            return redirect("learning:session", slug=slug, meeting_id=meeting.pk)
    return render(
        request,
        "learning/session_form.html",
        {"assembly": assembly, "form": form, "meeting": meeting, "active": "sessions"},
    )


@require_permission("view", "learning")
def session(request, slug, meeting_id):
    """One session: agenda, speakers, evidence, questions and the table plan's state."""
    assembly = request.assembly
    meeting = _meeting(request, meeting_id)
    questions = (
        Question.objects.filter(meeting=meeting)
        .annotate(n_votes=Count("votes"))
        .select_related("speaker")
        .order_by("-n_votes", "created_at")
    )
    return render(
        request,
        "learning/session.html",
        {
            "assembly": assembly,
            "meeting": meeting,
            "session_plan": actions.plan_of(meeting),
            "contributions": meeting.contributions.select_related("speaker"),
            "questions": questions,
            "plan": actions.current_plan(meeting),
            "now": timezone.now(),
            "active": "sessions",
        },
    )


# --- table plans (staff) ----------------------------------------------------


def _plan_context(plan: TablePlan | None) -> dict:
    """Seats grouped by round and table, and mixing scores by feature."""
    if plan is None:
        return {}
    rounds: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for seat in plan.seats.select_related("participant__personal_details"):
        rounds[seat.round][seat.table].append(seat.participant)
    by_feature: dict[str, list[float]] = defaultdict(list)
    for row in plan.mixing:
        by_feature[row["feature"]].append(row["score"])
    mixing = [
        {"feature": f, "mean": sum(v) / len(v), "lowest": min(v)}
        for f, v in sorted(by_feature.items())
    ]
    leads: dict[int, list[str]] = {}
    if plan.facilitators:
        users = actions.facilitator_users(plan.meeting.assembly).filter(
            pk__in=[int(uid) for uid in plan.facilitators]
        )
        names = {str(u.pk): u.get_full_name() for u in users}
        for uid, t in plan.facilitators.items():
            leads.setdefault(int(t), []).append(names.get(uid, ""))
    return {
        "rounds": [
            {
                "round": r,
                "tables": [
                    {"table": t, "members": ms, "facilitators": leads.get(t, [])}
                    for t, ms in sorted(tables.items())
                ],
            }
            for r, tables in sorted(rounds.items())
        ],
        "mixing": mixing,
    }


@require_permission("view", "learning")
def tables(request, slug, meeting_id):
    """The session's table plan: make one (organisers), see its scores, re-seat after absences."""
    assembly = request.assembly
    meeting = _meeting(request, meeting_id)
    features = actions.available_features(assembly)
    plan = actions.current_plan(meeting)
    members = (
        actions.members_of(assembly)
        .select_related("personal_details")
        .order_by("personal_details__first_name")
    )
    member_choices = [
        (
            p.pseudonym,
            f"{p.personal_details.full_name if hasattr(p, 'personal_details') else ''} ({p.pseudonym})",
        )
        for p in members
    ]
    initial = {"tables": max(1, min(len(member_choices) // 8 or 1, 60)), "rounds": 1}
    if plan is not None:
        initial = {
            "tables": plan.tables,
            "rounds": plan.rounds,
            "accessible_tables": ", ".join(map(str, plan.accessible_tables)),
            "keep_language_together": plan.keep_language_together,
            "pinned": "\n".join(f"{who} {r} {t}" for r, who, t in plan.pinned),
            **{f"mix_{f}": plan.mix.get(f, "ignore") for f in features},
        }
    leaders = actions.facilitator_users(assembly)
    if plan is not None:
        initial.update({f"lead_{uid}": t for uid, t in plan.facilitators.items()})
        initial["apart"] = "\n".join(" ".join(pair) for pair in plan.apart)
    form = TablePlanForm(initial=initial, features=features, facilitators=leaders)
    reseat_form = ReseatForm(members=member_choices) if plan is not None else None
    latest = meeting.table_plans.first()
    return render(
        request,
        "learning/tables.html",
        {
            "assembly": assembly,
            "meeting": meeting,
            "form": form,
            "reseat_form": reseat_form,
            "plan": plan,
            "latest": latest,
            "progress": _progress(request),
            "n_members": len(member_choices),
            "members": members,
            "active": "sessions",
            **_plan_context(plan),
        },
    )


@require_POST
@require_permission("edit", "session")
def start_tables(request, slug, meeting_id):
    assembly = request.assembly
    meeting = _meeting(request, meeting_id)
    form = TablePlanForm(
        request.POST,
        features=actions.available_features(assembly),
        facilitators=actions.facilitator_users(assembly),
    )
    if form.is_valid():
        ok, result = run_action(
            form,
            actions.check_start_table_plan,
            meeting,
            tables=form.cleaned_data["tables"],
            rounds=form.cleaned_data["rounds"],
            mix=form.mix(),
            seed=form.cleaned_data["seed"],
            accessible_tables=form.cleaned_data["accessible_tables"],
            pinned=form.cleaned_data["pinned"],
            apart=form.cleaned_data["apart"],
            facilitators=form.leads(),
            keep_language_together=form.cleaned_data["keep_language_together"],
            acting_user=request.user,
        )
        if ok:
            _plan, progress = result
            url = reverse("learning:tables", args=[slug, meeting.pk])
            return redirect(f"{url}?progress={progress.pk}")
    return render(
        request,
        "learning/tables.html",
        {
            "assembly": assembly,
            "meeting": meeting,
            "form": form,
            "plan": actions.current_plan(meeting),
            "n_members": actions.members_of(assembly).count(),
            "active": "sessions",
        },
        status=400,
    )


@require_POST
@require_permission("edit", "session")
def reseat(request, slug, meeting_id):
    meeting = _meeting(request, meeting_id)
    plan = actions.current_plan(meeting)
    if plan is None:
        raise Http404
    members = [
        (p, p) for p in plan.seats.values_list("participant__pseudonym", flat=True).distinct()
    ]
    form = ReseatForm(request.POST, members=members)
    if form.is_valid():
        ok, result = run_action(
            form,
            actions.check_reseat,
            plan,
            absent=form.cleaned_data["absent"],
            round_number=form.cleaned_data["round"],
            acting_user=request.user,
        )
        if ok:
            _new, progress = result
            url = reverse("learning:tables", args=[slug, meeting.pk])
            return redirect(f"{url}?progress={progress.pk}")
    for error in form.errors.values():
        messages.error(request, " ".join(error))
    return redirect("learning:tables", slug=slug, meeting_id=meeting.pk)


@require_permission("print", "table_plan")
def tables_print(request, slug, meeting_id):
    """The printable plan: one page per table and round, with names and seats."""
    assembly = request.assembly
    meeting = _meeting(request, meeting_id)
    plan = actions.current_plan(meeting)
    if plan is None:
        raise Http404
    return render(
        request,
        "learning/tables_print.html",
        {"assembly": assembly, "meeting": meeting, "plan": plan, **_plan_context(plan)},
    )


# --- evidence (staff) -------------------------------------------------------


@require_permission("view", "learning")
def evidence(request, slug):
    """The evidence library with ratings by speaker type and by members' baseline trust."""
    assembly = request.assembly
    speakers = Speaker.objects.filter(assembly=assembly)
    meetings = assembly.meetings.all()
    contributions = Contribution.objects.filter(assembly=assembly).select_related(
        "speaker", "meeting"
    )
    report = actions.ratings_report(assembly)
    return render(
        request,
        "learning/evidence.html",
        {
            "assembly": assembly,
            "contributions": [(c, report["by_contribution"].get(c.pk)) for c in contributions],
            "speakers": speakers,
            "report": report,
            "min_group": actions.MIN_GROUP,
            "requests": SpeakerRequest.objects.filter(assembly=assembly),
            "speaker_form": SpeakerForm(),
            "contribution_form": ContributionAddForm(speakers=speakers, meetings=meetings),
            "active": "evidence",
        },
    )


@require_POST
@require_permission("edit", "evidence")
def speaker_add(request, slug):
    assembly = request.assembly
    form = SpeakerForm(request.POST)
    if form.is_valid():
        ok, _s = run_action(
            form, actions.check_add_speaker, assembly, acting_user=request.user, **form.cleaned_data
        )
        if ok:
            messages.success(request, _("The speaker has been added."))
            return redirect("learning:evidence", slug=slug)
    for error in form.errors.values():
        messages.error(request, " ".join(error))
    return redirect("learning:evidence", slug=slug)


@require_POST
@require_permission("edit", "evidence")
def contribution_add(request, slug):
    assembly = request.assembly
    speakers = Speaker.objects.filter(assembly=assembly)
    meetings = assembly.meetings.all()
    form = ContributionAddForm(request.POST, speakers=speakers, meetings=meetings)
    if form.is_valid():
        data = form.cleaned_data
        ok, _c = run_action(
            form,
            actions.check_add_contribution,
            assembly,
            speaker=speakers.filter(pk=data["speaker"]).first(),
            meeting=meetings.filter(pk=data["meeting"]).first() if data["meeting"] else None,
            title=data["title"],
            form=data["form"],
            summary=data["summary"],
            link=data["link"],
            acting_user=request.user,
        )
        if ok:
            messages.success(request, _("The contribution has been added to the library."))
            return redirect("learning:evidence", slug=slug)
    for error in form.errors.values():
        messages.error(request, " ".join(error))
    return redirect("learning:evidence", slug=slug)


@require_permission("edit", "evidence")
def speaker_edit(request, slug, speaker_id):
    assembly = request.assembly
    speaker = get_object_or_404(Speaker, pk=speaker_id, assembly=assembly)
    initial = {f: getattr(speaker, f) for f in ("name", "role", "kind", "interests")}
    form = SpeakerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        ok, _s = run_action(
            form,
            actions.check_update_speaker,
            speaker,
            acting_user=request.user,
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, _("The speaker has been saved."))
            return redirect("learning:evidence", slug=slug)
    return render(
        request,
        "learning/evidence_edit.html",
        {"assembly": assembly, "form": form, "title": speaker.name, "active": "evidence"},
    )


@require_permission("edit", "evidence")
def contribution_edit(request, slug, contribution_id):
    assembly = request.assembly
    contribution = get_object_or_404(Contribution, pk=contribution_id, assembly=assembly)
    speakers = Speaker.objects.filter(assembly=assembly)
    meetings = assembly.meetings.all()
    initial = {
        "speaker": contribution.speaker_id,
        "title": contribution.title,
        "form": contribution.form,
        "meeting": contribution.meeting_id or "",
        "summary": contribution.summary,
        "link": contribution.link,
    }
    form = ContributionAddForm(
        request.POST or None, initial=initial, speakers=speakers, meetings=meetings
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, _c = run_action(
            form,
            actions.check_update_contribution,
            contribution,
            speaker=speakers.filter(pk=data["speaker"]).first(),
            meeting=meetings.filter(pk=data["meeting"]).first() if data["meeting"] else None,
            title=data["title"],
            form=data["form"],
            summary=data["summary"],
            link=data["link"],
            acting_user=request.user,
        )
        if ok:
            messages.success(request, _("The contribution has been saved."))
            return redirect("learning:evidence", slug=slug)
    return render(
        request,
        "learning/evidence_edit.html",
        {"assembly": assembly, "form": form, "title": contribution.title, "active": "evidence"},
    )


# --- questions (staff) ------------------------------------------------------


@require_permission("view", "learning")
def questions(request, slug):
    """Every question by session, most up-voted first; unanswered ones after their session flagged."""
    assembly = request.assembly
    now = timezone.now()
    qs = (
        Question.objects.filter(assembly=assembly)
        .annotate(n_votes=Count("votes"))
        .select_related("meeting", "speaker")
        .order_by("meeting__starts_at", "-n_votes", "created_at")
    )
    groups: dict[int, dict] = {}
    for q in qs:
        g = groups.setdefault(q.meeting_id, {"meeting": q.meeting, "questions": []})
        g["questions"].append(q)
    overdue = sum(1 for q in qs if q.is_overdue(now))
    return render(
        request,
        "learning/questions.html",
        {
            "assembly": assembly,
            "groups": list(groups.values()),
            "overdue": overdue,
            "now": now,
            "answer_form": AnswerForm(),
            "active": "questions",
        },
    )


@require_POST
@require_permission("answer", "question")
def question_answer(request, slug, question_id):
    question = get_object_or_404(Question, pk=question_id, assembly=request.assembly)
    form = AnswerForm(request.POST)
    if form.is_valid():
        ok, _q = run_action(
            form,
            actions.check_answer_question,
            question,
            status=form.cleaned_data["status"],
            answer=form.cleaned_data["answer"],
            acting_user=request.user,
        )
        if ok:
            messages.success(request, _("The answer has been recorded."))
            return redirect("learning:questions", slug=slug)
    for errors in form.errors.values():
        messages.error(request, " ".join(errors))
    return redirect("learning:questions", slug=slug)


# --- claims (staff) ---------------------------------------------------------


@require_permission("view", "learning")
def claims(request, slug):
    """The claims register, the criteria and their support, and forms to flag and answer."""
    assembly = request.assembly
    register = Claim.objects.filter(assembly=assembly).select_related("meeting")
    return render(
        request,
        "learning/claims.html",
        {
            "assembly": assembly,
            "claims": register,
            "support": actions.criteria_support(assembly),
            "criterion_form": CriterionForm(),
            "claim_form": ClaimForm(meetings=assembly.meetings.all()),
            "active": "claims",
        },
    )


@require_POST
@require_permission("edit", "criteria")
def criterion_add(request, slug):
    form = CriterionForm(request.POST)
    if form.is_valid():
        ok, _c = run_action(
            form,
            actions.check_propose_criterion,
            request.assembly,
            text=form.cleaned_data["text"],
            acting_user=request.user,
        )
        if ok:
            messages.success(request, _("The criterion has been put to the members' vote."))
            return redirect("learning:claims", slug=slug)
    for errors in form.errors.values():
        messages.error(request, " ".join(errors))
    return redirect("learning:claims", slug=slug)


@require_POST
@require_permission("flag", "claim")
def claim_flag(request, slug):
    """Flag a claim: members come back to their claims page, staff to the register."""
    assembly = request.assembly
    meetings = assembly.meetings.all()
    form = ClaimForm(request.POST, meetings=meetings)
    participant = getattr(request, "participant", None)
    is_member = participant is not None and participant.assembly_id == assembly.pk
    back = (
        "learning:my_claims"
        if is_member and not request.user.is_authenticated
        else "learning:claims"
    )
    if form.is_valid():
        data = form.cleaned_data
        ok, _claim = run_action(
            form,
            actions.check_flag_claim,
            assembly,
            text=data["text"],
            meeting=meetings.filter(pk=data["meeting"]).first() if data["meeting"] else None,
            heard_from=data["heard_from"],
            participant=participant if back == "learning:my_claims" else None,
            acting_user=request.user if request.user.is_authenticated else None,
        )
        if ok:
            messages.success(
                request, _("Thank you. The claim is on the register and will be checked.")
            )
            return redirect(back, slug=slug)
    if back == "learning:my_claims":
        return _render_my_claims(request, claim_form=form, status=400)
    for errors in form.errors.values():
        messages.error(request, " ".join(errors))
    return redirect(back, slug=slug)


@require_permission("respond", "claim")
def claim_respond(request, slug, claim_id):
    assembly = request.assembly
    claim = get_object_or_404(Claim, pk=claim_id, assembly=assembly)
    agreed = actions.agreed_criteria(assembly)
    initial = {}
    if claim.is_answered:
        initial = {
            "verdict": claim.verdict,
            "response": claim.response,
            "sources": claim.sources,
            "criteria_met": [c.pk for c in claim.criteria_met.all()],
        }
    form = ClaimResponseForm(request.POST or None, initial=initial, criteria=agreed)
    if request.method == "POST" and form.is_valid():
        ok, _c = run_action(
            form, actions.check_respond_claim, claim, acting_user=request.user, **form.cleaned_data
        )
        if ok:
            messages.success(
                request, _("The answer is published to members and on the public page.")
            )
            return redirect("learning:claims", slug=slug)
    return render(
        request,
        "learning/claim_respond.html",
        {"assembly": assembly, "claim": claim, "form": form, "agreed": agreed, "active": "claims"},
    )


# --- members' pages ----------------------------------------------------------


def _member_ctx(request, **extra):
    return {"assembly": request.assembly, "participant": request.participant, **extra}


@require_permission("view", "learning_member")
def my_evidence(request, slug):
    """Evidence for members: what each speaker brings, their interests, and a rating form."""
    return _render_my_evidence(request)


def _render_my_evidence(request, *, forms=None, request_form=None, status=200):
    assembly = request.assembly
    participant = request.participant
    mine = {
        r.contribution_id: r
        for r in Rating.objects.filter(participant=participant, contribution__assembly=assembly)
    }
    now = timezone.now()
    items = []
    for c in Contribution.objects.filter(assembly=assembly).select_related("speaker", "meeting"):
        rating = mine.get(c.pk)
        form = (forms or {}).get(c.pk) or RatingForm(
            prefix=f"c{c.pk}",
            initial=(
                {
                    "trust": str(rating.trust),
                    "clarity": str(rating.clarity),
                    "fairness": str(rating.fairness),
                }
                if rating
                else None
            ),
        )
        items.append({"c": c, "rating": rating, "open": c.open_for_rating(now), "form": form})
    return render(
        request,
        "learning/my_evidence.html",
        _member_ctx(
            request,
            items=items,
            request_form=request_form or SpeakerRequestForm(),
            n_to_rate=sum(1 for i in items if i["open"] and not i["rating"]),
        ),
        status=status,
    )


@require_POST
@require_permission("rate", "evidence")
def rate(request, slug, contribution_id):
    contribution = get_object_or_404(Contribution, pk=contribution_id, assembly=request.assembly)
    form = RatingForm(request.POST, prefix=f"c{contribution.pk}")
    if form.is_valid():
        ok, _r = run_action(
            form,
            actions.check_rate_contribution,
            contribution,
            request.participant,
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, _("Thank you, your rating is saved."))
            return redirect(f"{reverse('learning:my_evidence', args=[slug])}#c{contribution.pk}")
    return _render_my_evidence(request, forms={contribution.pk: form}, status=400)


@require_POST
@require_permission("request", "speaker")
def request_speaker(request, slug):
    form = SpeakerRequestForm(request.POST)
    if form.is_valid():
        ok, _r = run_action(
            form,
            actions.check_request_speaker,
            request.assembly,
            request.participant,
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, _("Thank you. The organisers will read your suggestion."))
            return redirect("learning:my_evidence", slug=slug)
    return _render_my_evidence(request, request_form=form, status=400)


@require_permission("view", "learning_member")
def my_questions(request, slug):
    return _render_my_questions(request)


def _render_my_questions(request, *, form=None, status=200):
    assembly = request.assembly
    participant = request.participant
    meetings = assembly.meetings.all()
    voted = set(
        QuestionVote.objects.filter(
            participant=participant, question__assembly=assembly
        ).values_list("question_id", flat=True)
    )
    now = timezone.now()
    qs = (
        Question.objects.filter(assembly=assembly)
        .annotate(n_votes=Count("votes"))
        .select_related("meeting", "speaker")
        .order_by("meeting__starts_at", "-n_votes", "created_at")
    )
    groups: dict[int, dict] = {}
    for q in qs:
        g = groups.setdefault(q.meeting_id, {"meeting": q.meeting, "questions": []})
        g["questions"].append(
            {
                "q": q,
                "voted": q.pk in voted,
                "mine": q.participant_id == participant.pk,
                "overdue": q.is_overdue(now),
            }
        )
    upcoming = [m for m in meetings if (m.ends_at or m.starts_at) >= now] or list(meetings)
    form = form or QuestionForm(
        meetings=upcoming, speakers=Speaker.objects.filter(assembly=assembly)
    )
    return render(
        request,
        "learning/my_questions.html",
        _member_ctx(request, groups=list(groups.values()), form=form),
        status=status,
    )


@require_POST
@require_permission("ask", "question")
def ask(request, slug):
    assembly = request.assembly
    meetings = assembly.meetings.all()
    speakers = Speaker.objects.filter(assembly=assembly)
    form = QuestionForm(request.POST, meetings=meetings, speakers=speakers)
    if form.is_valid():
        data = form.cleaned_data
        ok, _q = run_action(
            form,
            actions.check_ask_question,
            meetings.get(pk=data["meeting"]),
            request.participant,
            text=data["text"],
            speaker=speakers.filter(pk=data["speaker"]).first() if data["speaker"] else None,
        )
        if ok:
            messages.success(
                request, _("Your question has been added. Others can now vote for it.")
            )
            return redirect("learning:my_questions", slug=slug)
    return _render_my_questions(request, form=form, status=400)


@require_POST
@require_permission("vote", "question")
def vote_question(request, slug, question_id):
    question = get_object_or_404(Question, pk=question_id, assembly=request.assembly)
    try:
        actions.check_vote_question(question, request.participant)
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    else:
        messages.success(request, _("Your vote has been counted."))
    return redirect(f"{reverse('learning:my_questions', args=[slug])}#q{question.pk}")


@require_permission("view", "learning_member")
def my_claims(request, slug):
    return _render_my_claims(request)


def _render_my_claims(request, *, claim_form=None, status=200):
    assembly = request.assembly
    participant = request.participant
    criteria = Criterion.objects.filter(assembly=assembly)
    mine = list(
        CriterionVote.objects.filter(
            participant=participant, criterion__assembly=assembly
        ).values_list("criterion_id", flat=True)
    )
    return render(
        request,
        "learning/my_claims.html",
        _member_ctx(
            request,
            claims=Claim.objects.filter(assembly=assembly)
            .select_related("meeting")
            .prefetch_related("criteria_met", "criteria_checked"),
            support=actions.criteria_support(assembly),
            vote_form=CriteriaVoteForm(initial={"criteria": mine}, criteria=criteria),
            claim_form=claim_form or ClaimForm(meetings=assembly.meetings.all()),
        ),
        status=status,
    )


@require_POST
@require_permission("vote", "criteria")
def vote_criteria(request, slug):
    assembly = request.assembly
    form = CriteriaVoteForm(request.POST, criteria=Criterion.objects.filter(assembly=assembly))
    if form.is_valid():
        ok, _c = run_action(
            form,
            actions.check_vote_criteria,
            assembly,
            request.participant,
            criteria=form.cleaned_data["criteria"],
        )
        if ok:
            messages.success(request, _("Your choice of criteria is saved."))
            return redirect("learning:my_claims", slug=slug)
    for errors in form.errors.values():
        messages.error(request, " ".join(errors))
    return redirect("learning:my_claims", slug=slug)


# --- public -------------------------------------------------------------------


@require_permission("view", "claims_public", hide=True)
def public_claims(request, slug):
    """Claims heard in the assembly, and the answers checked against the members' criteria."""
    assembly = request.assembly
    answered = (
        Claim.objects.filter(assembly=assembly)
        .exclude(verdict="")
        .prefetch_related("criteria_met", "criteria_checked")
        .order_by("-responded_at")
    )
    waiting = Claim.objects.filter(assembly=assembly, verdict="").count()
    return render(
        request,
        "learning/public_claims.html",
        {
            "assembly": assembly,
            "claims": answered,
            "waiting": waiting,
            "agreed": actions.agreed_criteria(assembly),
        },
    )
