"""Pages of the ``followup`` app: staff management, the commissioner's responses and
progress reports, members' verdicts and joint statements, the public tracker, feed and follow."""

import base64

from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minipublic.web.assemblies.models import Assembly
from minipublic.web.decisions.models import Recommendation
from minipublic.web.decisions.views import word_diff
from minipublic.web.followup import actions
from minipublic.web.followup.csvfile import export_csv
from minipublic.web.followup.forms import (
    CommitmentForm,
    FollowForm,
    ImportForm,
    JointStatementForm,
    ResponseForm,
    StatusUpdateForm,
    SubItemForm,
    VerdictForm,
)
from minipublic.web.followup.models import (
    Commitment,
    Delivery,
    Follower,
    JointStatement,
    Notice,
    Response,
    Verdict,
)
from minipublic.web.followup.tasks import run_import_tracker_csv, run_send_daily_digests
from minipublic.web.followup.tracker import summary, tracker_rows
from minipublic.web.permissions import request_can, require_permission
from minipublic.web.progress.actions import do_start_task
from minipublic.web.progress.models import TaskProgress
from minipublic.web.shortcuts import run_action

MAX_IMPORT_BYTES = 5 * 1024 * 1024


def _rec(request, number: int) -> Recommendation:
    return get_object_or_404(Recommendation.objects.adopted(request.assembly), number=number)


def _history(response: Response | None) -> list[dict]:
    """Published versions, newest first, each with its differences from the one before."""
    if response is None:
        return []
    versions = list(response.versions.order_by("number").select_related("published_by"))
    out = []
    for i, v in enumerate(versions):
        prev = versions[i - 1] if i else None
        out.append(
            {
                "version": v,
                "changed_category": prev is not None and prev.category != v.category,
                "previous_category": prev.get_category_display() if prev else "",
                "reason_diff": word_diff(prev.reason, v.reason) if prev else None,
                "actions_diff": word_diff(prev.actions, v.actions) if prev else None,
            }
        )
    return list(reversed(out))


def _progress(request, kind: str):
    raw = request.GET.get("progress", "")
    try:
        return TaskProgress.objects.filter(pk=raw, assembly=request.assembly, kind=kind).first()
    except (ValidationError, ValueError):
        return None


# --- staff ------------------------------------------------------------------------


@require_permission("view", "followup")
def manage(request, slug):
    assembly = request.assembly
    rows = tracker_rows(assembly, drafts=True)
    unsent = Delivery.objects.filter(assembly=assembly, sent_at__isnull=True).count()
    return render(
        request,
        "followup/manage.html",
        {
            "assembly": assembly,
            "rows": rows,
            "summary": summary(assembly, rows),
            "commitment": Commitment.objects.filter(assembly=assembly).first(),
            "unsent": unsent,
            "followers": Follower.objects.filter(
                assembly=assembly, confirmed_at__isnull=False, unsubscribed_at__isnull=True
            ).count(),
            "pending_notices": Notice.objects.filter(
                assembly=assembly, created_at__date=timezone.localdate()
            ).count(),
            "import_form": ImportForm(),
            "progress": _progress(request, "followup.import")
            or _progress(request, "followup.digest"),
        },
    )


@require_permission("edit", "commitment")
def commitment(request, slug):
    assembly = request.assembly
    obj = Commitment.objects.filter(assembly=assembly).first()
    initial = (
        {
            "promise": obj.promise,
            "respond_by": obj.respond_by,
            "first_report_months": obj.first_report_months,
            "report_every_months": obj.report_every_months,
        }
        if obj
        else None
    )
    form = CommitmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        ok, _obj = run_action(
            form,
            actions.check_set_commitment,
            assembly,
            acting_user=request.user,
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, _("The commissioner's promise is saved."))
            return redirect("followup:manage", slug=slug)
    return render(
        request,
        "followup/commitment.html",
        {"assembly": assembly, "form": form},
        status=400 if form.errors else 200,
    )


@require_permission("respond", "recommendation")
def respond(request, slug, number):
    assembly = request.assembly
    rec = _rec(request, number)
    response = Response.objects.filter(recommendation=rec).first()
    initial = None
    if response is not None:
        initial = {f: getattr(response, f) for f in actions.RESPONSE_FIELDS}
    form = ResponseForm(request.POST or None, initial=initial)
    if request.method == "POST":
        publish = "publish" in request.POST
        if form.is_valid():
            ok, response = run_action(
                form,
                actions.check_save_response,
                rec,
                acting_user=request.user,
                **form.cleaned_data,
            )
            if ok and publish:
                try:
                    actions.check_publish_response(response, acting_user=request.user)
                except ValidationError as exc:
                    for message in exc.messages:
                        messages.error(request, message)
                    return redirect("followup:respond", slug=slug, number=number)
                messages.success(
                    request, _("The response is published. Members and followers will be told.")
                )
                return redirect("followup:detail", slug=slug, number=number)
            if ok:
                messages.success(
                    request, _("Draft saved. Only staff can see it until you publish it.")
                )
                return redirect("followup:respond", slug=slug, number=number)
    return render(
        request,
        "followup/respond.html",
        {
            "assembly": assembly,
            "rec": rec,
            "response": response,
            "form": form,
            "history": _history(response),
            "unpublished_changes": response is not None
            and (
                not response.is_published
                or actions._snapshot(response.published()) != actions._snapshot(response)
            ),
        },
        status=400 if form.errors else 200,
    )


@require_permission("report", "progress")
def report_progress(request, slug, number):
    assembly = request.assembly
    rec = _rec(request, number)
    response = get_object_or_404(Response, recommendation=rec, published_version__gt=0)
    form = StatusUpdateForm(
        request.POST if "status" in request.POST else None,
        initial={"recorded_on": timezone.localdate()},
    )
    sub_form = SubItemForm(request.POST if "title" in request.POST else None)
    if request.method == "POST":
        if "status" in request.POST and form.is_valid():
            ok, _u = run_action(
                form,
                actions.check_add_status_update,
                response,
                acting_user=request.user,
                **form.cleaned_data,
            )
            if ok:
                messages.success(request, _("Progress report saved and published."))
                return redirect("followup:detail", slug=slug, number=number)
        elif "title" in request.POST and sub_form.is_valid():
            ok, _s = run_action(
                sub_form,
                actions.check_save_sub_item,
                response,
                acting_user=request.user,
                **sub_form.cleaned_data,
            )
            if ok:
                messages.success(request, _("Part of the work saved."))
                return redirect("followup:progress", slug=slug, number=number)
    bad = bool(form.errors or sub_form.errors)
    return render(
        request,
        "followup/progress.html",
        {
            "assembly": assembly,
            "rec": rec,
            "response": response,
            "form": form,
            "sub_form": sub_form,
        },
        status=400 if bad else 200,
    )


@require_permission("export", "tracker")
def export(request, slug):
    response = HttpResponse(export_csv(request.assembly), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-tracker.csv"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@require_permission("import", "tracker")
def import_csv(request, slug):
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid() or form.cleaned_data["file"].size > MAX_IMPORT_BYTES:
        messages.error(request, _("Choose a CSV file of at most 5 MB."))
        return redirect("followup:manage", slug=slug)
    upload = form.cleaned_data["file"]
    progress = do_start_task(
        run_import_tracker_csv,
        kind="followup.import",
        title=_("Importing the tracker file"),
        assembly=request.assembly,
        acting_user=request.user,
        assembly_id=request.assembly.pk,
        name=upload.name[:200],
        data=base64.b64encode(upload.read()).decode(),
        acting_user_id=request.user.pk,
    )
    return redirect(f"{reverse('followup:manage', args=[slug])}?progress={progress.pk}")


@require_POST
@require_permission("send", "followup_email")
def send_email_now(request, slug):
    progress = do_start_task(
        run_send_daily_digests,
        kind="followup.digest",
        title=_("Sending today's follow-up email"),
        assembly=request.assembly,
        acting_user=request.user,
        assembly_id=request.assembly.pk,
        day=timezone.localdate().isoformat(),
    )
    return redirect(f"{reverse('followup:manage', args=[slug])}?progress={progress.pk}")


# --- the public tracker -------------------------------------------------------------------


@require_permission("view", "tracker", hide=True)
def tracker(request, slug):
    assembly = request.assembly
    rows = tracker_rows(assembly)
    s = summary(assembly, rows)
    bars = [
        (
            state,
            label,
            s.counts.get(state, 0),
            round(100 * s.counts.get(state, 0) / s.adopted) if s.adopted else 0,
        )
        for state, label in STATE_LABELS()
        if s.counts.get(state, 0)
    ]
    return render(
        request,
        "followup/tracker.html",
        {
            "assembly": assembly,
            "rows": rows,
            "summary": s,
            "bars": bars,
            "commitment": Commitment.objects.filter(assembly=assembly).first(),
            "statements": JointStatement.objects.filter(
                assembly=assembly, published_at__isnull=False
            ),
            "follow_form": FollowForm(),
            "can_follow": request_can(request, "follow", "tracker", assembly=assembly),
        },
    )


def STATE_LABELS():  # noqa: N802 (a table, translated when called)
    return [
        ("done", _("Done")),
        ("in_progress", _("In progress")),
        ("not_started", _("Accepted, not started")),
        ("stalled", _("Stalled")),
        ("under_consideration", _("Under consideration")),
        ("rejected", _("Rejected or outside the commissioner's powers")),
        ("abandoned", _("Abandoned")),
        ("waiting", _("Waiting for a response")),
    ]


@require_permission("view", "tracker", hide=True)
def detail(request, slug, number):
    assembly = request.assembly
    rec = _rec(request, number)
    rows = [r for r in tracker_rows(assembly) if r.recommendation.pk == rec.pk]
    row = rows[0]
    participant = getattr(request, "participant", None)
    can_rate = row.published is not None and request_can(
        request, "rate", "response", assembly=assembly
    )
    mine = None
    form = None
    if can_rate:
        mine = Verdict.objects.filter(
            response=row.published.response, participant=participant
        ).first()
        form = VerdictForm(
            request.POST or None,
            initial={"score": mine.score, "comment": mine.comment} if mine else None,
        )
        if request.method == "POST" and form.is_valid():
            ok, _v = run_action(
                form,
                actions.check_rate_response,
                row.published.response,
                participant=participant,
                **form.cleaned_data,
            )
            if ok:
                messages.success(
                    request, _("Thank you: your rating is saved. You can change it at any time.")
                )
                return redirect("followup:detail", slug=slug, number=number)
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "followup/detail.html",
        {
            "assembly": assembly,
            "rec": rec,
            "row": row,
            "history": _history(row.published.response) if row.published else [],
            "form": form,
            "mine": mine,
        },
        status=400 if form is not None and form.errors else 200,
    )


# --- members' joint statements ---------------------------------------------------------------


@require_permission("view", "joint_statements")
def statements(request, slug):
    assembly = request.assembly
    participant = request.participant
    can_write = request_can(request, "write", "joint_statement", assembly=assembly)
    form = JointStatementForm(request.POST or None) if can_write else None
    if request.method == "POST":
        if not can_write:
            raise Http404
        if form.is_valid():
            ok, _st = run_action(
                form,
                actions.check_write_joint_statement,
                assembly,
                participant=participant,
                **form.cleaned_data,
            )
            if ok:
                messages.success(
                    request, _("Your draft statement is saved. Other members can now sign it.")
                )
                return redirect("followup:statements", slug=slug)
    rows = JointStatement.objects.filter(assembly=assembly).prefetch_related("signatures")
    signed = set()
    if participant is not None:
        signed = {
            s.statement_id
            for st in rows
            for s in st.signatures.all()
            if s.participant_id == participant.pk
        }
    return render(
        request,
        "followup/statements.html",
        {
            "assembly": assembly,
            "rows": rows,
            "form": form,
            "signed": signed,
            "can_write": can_write,
        },
        status=400 if form is not None and form.errors else 200,
    )


@require_POST
@require_permission("write", "joint_statement")
def statement_sign(request, slug, statement_id):
    statement = get_object_or_404(JointStatement, assembly=request.assembly, pk=statement_id)
    if actions.do_sign_joint_statement(statement, participant=request.participant):
        messages.success(request, _("You have signed the statement."))
    return redirect("followup:statements", slug=slug)


@require_POST
@require_permission("write", "joint_statement")
def statement_publish(request, slug, statement_id):
    statement = get_object_or_404(JointStatement, assembly=request.assembly, pk=statement_id)
    try:
        actions.check_publish_joint_statement(statement, participant=request.participant)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The statement is published on the public tracker."))
    return redirect("followup:statements", slug=slug)


# --- following by email ------------------------------------------------------------------------


@require_POST
@require_permission("follow", "tracker", hide=True)
def follow(request, slug):
    form = FollowForm(request.POST)
    if form.is_valid():
        ok, _f = run_action(
            form,
            actions.check_follow,
            request.assembly,
            email=form.cleaned_data["email"],
            language=translation.get_language() or "en",
        )
        if ok:
            return render(request, "followup/follow_sent.html", {"assembly": request.assembly})
    return render(
        request,
        "followup/follow_error.html",
        {"assembly": request.assembly, "form": form},
        status=400,
    )


def confirm(request, token):
    follower = get_object_or_404(Follower, token=token)
    if follower.unsubscribed_at is None:
        actions.do_confirm_follower(follower)
    return render(
        request, "followup/follow_done.html", {"assembly": follower.assembly, "follower": follower}
    )


def unsubscribe(request, token):
    """GET asks to confirm; POST (the button, or a mail program's one-click request) unsubscribes."""
    follower = get_object_or_404(Follower, token=token)
    done = False
    if request.method == "POST":
        actions.do_unsubscribe(follower)
        done = True
    return render(
        request,
        "followup/unsubscribe.html",
        {
            "assembly": follower.assembly,
            "follower": follower,
            "done": done or follower.unsubscribed_at is not None,
        },
    )


# --- the feed ----------------------------------------------------------------------------------


class TrackerFeed(Feed):
    """Atom feed: each published response and each progress report, newest first."""

    feed_type = Atom1Feed

    def get_object(self, request, slug):
        assembly = get_object_or_404(Assembly, slug=slug)
        request.assembly = assembly
        if not request_can(request, "view", "tracker", assembly=assembly):
            raise Http404
        return assembly

    def title(self, obj):
        return _("What happened to the recommendations of %(title)s") % {"title": obj.title}

    def link(self, obj):
        return reverse("followup:tracker", args=[obj.slug])

    def subtitle(self, obj):
        return obj.question

    def items(self, obj):
        return list(
            Notice.objects.filter(assembly=obj)
            .select_related("response__recommendation")
            .order_by("-created_at", "-pk")[:50]
        )

    def item_title(self, item):
        rec = item.response.recommendation
        if item.kind == "response_published":
            return _("Response to recommendation %(n)s: %(title)s") % {
                "n": rec.number,
                "title": rec.title,
            }
        return _("Progress on recommendation %(n)s: %(title)s") % {
            "n": rec.number,
            "title": rec.title,
        }

    def item_description(self, item):
        response = item.response
        if item.kind == "response_published":
            v = response.published()
            return f"{v.get_category_display()}. {v.reason}" if v else ""
        latest = response.updates.filter(created_at__lte=item.created_at).first()
        return (
            f"{latest.get_status_display()} ({latest.percent} %). {latest.note}" if latest else ""
        )

    def item_link(self, item):
        rec = item.response.recommendation
        return reverse("followup:detail", args=[rec.assembly.slug, rec.number]) + f"#n{item.pk}"

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.created_at
