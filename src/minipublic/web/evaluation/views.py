"""Pages of the ``evaluation`` app: dashboard, waves, questions, export, report, and the survey itself."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minipublic.web.evaluation import actions, analysis, explain
from minipublic.web.evaluation import report as report_module
from minipublic.web.evaluation.data import build_frames, data_version, to_csv
from minipublic.web.evaluation.forms import ItemForm, PanelImportForm, SurveyPageForm, WaveForm
from minipublic.web.evaluation.items import catalogue, ordered, pages
from minipublic.web.evaluation.models import Analysis, Response, Wave, WaveCode, WaveStatus
from minipublic.web.evaluation.report import report_context
from minipublic.web.permissions import request_can, require_permission
from minipublic.web.progress.models import TaskProgress
from minipublic.web.shortcuts import run_action

SESSION_KEY = "evaluation_responses"


def _language(request) -> str:
    return "cy" if (get_language() or "en").startswith("cy") else "en"


# --- dashboard ----------------------------------------------------------------------


@require_permission("view", "evaluation")
def dashboard(request, slug):
    assembly = request.assembly
    settings_obj = actions.evaluation_settings(assembly)
    version = data_version(assembly)
    current = Analysis.objects.filter(assembly=assembly, data_version=version).first()
    can_run = request_can(request, "run", "analysis", assembly=assembly)
    if current is None and can_run and Wave.objects.filter(assembly=assembly).exists():
        # Opening the dashboard on new data starts its analysis (cached per data version).
        current = actions.do_start_analysis(assembly, acting_user=request.user)
    latest = Analysis.objects.filter(assembly=assembly, status=Analysis.Status.DONE).first()
    shown = current if current is not None and current.status == Analysis.Status.DONE else latest
    progress = None
    if current is not None and current.status == Analysis.Status.RUNNING and current.progress_id:
        progress = TaskProgress.objects.filter(pk=current.progress_id).first()
    context = {
        "assembly": assembly,
        "settings_obj": settings_obj,
        "analysis": shown,
        "current": current,
        "stale": shown is not None and shown.data_version != version,
        "progress": progress,
        "tracking": analysis.tracking(assembly),
        "messages_sent": analysis.messages_sent(assembly),
        "can_export": request_can(request, "export", "evaluation", assembly=assembly),
        "can_run": can_run,
        "can_publish": request_can(request, "publish", "evaluation", assembly=assembly),
    }
    if shown is not None:
        context.update(explain.present(shown.result, min_n=settings_obj.min_n))
    return render(request, "evaluation/dashboard.html", context)


@require_POST
@require_permission("run", "analysis")
def start_analysis(request, slug):
    actions.do_start_analysis(
        request.assembly, acting_user=request.user, force=bool(request.POST.get("force"))
    )
    return redirect("evaluation:dashboard", slug=slug)


@require_permission("view", "evaluation")
def plot(request, slug, analysis_id, name):
    row = get_object_or_404(Analysis, pk=analysis_id, assembly=request.assembly)
    svg = row.plots.get(name)
    if svg is None:
        raise Http404
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _csv_response(text: str, name: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@require_permission("export", "evaluation")
def export_responses(request, slug):
    actions.do_collect_baselines(request.assembly)
    frames = build_frames(request.assembly)
    return _csv_response(to_csv(frames.responses), f"{slug}-responses.csv")


@require_permission("export", "evaluation")
def export_scales(request, slug):
    scales = build_frames(request.assembly).scales.copy()
    scales["reverse"] = scales["reverse"].astype(int)
    return _csv_response(to_csv(scales), f"{slug}-scales.csv")


@require_POST
@require_permission("publish", "evaluation")
def publish(request, slug):
    actions.do_set_published(
        request.assembly, request.POST.get("publish") == "1", acting_user=request.user
    )
    return redirect("evaluation:dashboard", slug=slug)


# --- waves and questions ----------------------------------------------------------------


@require_permission("view", "waves")
def waves(request, slug):
    assembly = request.assembly
    rows = list(Wave.objects.filter(assembly=assembly).order_by("code"))
    progress = None
    if progress_id := request.GET.get("progress"):
        progress = TaskProgress.objects.filter(pk=progress_id, assembly=assembly).first()
    public = next((w for w in rows if w.is_public), None)
    return render(
        request,
        "evaluation/waves.html",
        {
            "assembly": assembly,
            "waves": rows,
            "progress": progress,
            "can_manage": request_can(request, "manage", "waves", assembly=assembly),
            "missing": [c for c in WaveCode if c not in {w.code for w in rows}],
            "messages_sent": analysis.messages_sent(assembly),
            "public_link": request.build_absolute_uri(
                reverse("evaluation:public_survey", args=[slug, public.public_token])
            )
            if public
            else "",
            "import_form": PanelImportForm(),
        },
    )


@require_POST
@require_permission("manage", "waves")
def apply_template(request, slug):
    made = actions.do_apply_template(request.assembly, acting_user=request.user)
    messages.success(request, _("%(n)d waves made from the template.") % {"n": len(made)})
    return redirect("evaluation:waves", slug=slug)


@require_permission("manage", "waves")
def wave_edit(request, slug, code):
    assembly = request.assembly
    if code not in WaveCode.values:
        raise Http404
    wave = Wave.objects.filter(assembly=assembly, code=code).first()
    specs = catalogue(assembly)
    initial = {"per_page": 5}
    if wave is not None:
        initial = {
            "items": wave.items,
            "randomise_items": wave.randomise_items,
            "per_page": wave.per_page,
            "opens_at": wave.opens_at,
            "closes_at": wave.closes_at,
            "reminder_days": ", ".join(str(d) for d in wave.reminder_days),
        }
    form = WaveForm(request.POST or None, catalogue=specs, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            ok, _wave = run_action(
                form,
                actions.check_save_wave,
                assembly,
                code,
                items=d["items"],
                randomise_items=d["randomise_items"],
                per_page=d["per_page"],
                opens_at=d["opens_at"],
                closes_at=d["closes_at"],
                reminder_days=d["reminder_days"],
                acting_user=request.user,
            )
            if ok:
                messages.success(request, _("Wave %(code)s saved.") % {"code": code})
                return redirect("evaluation:waves", slug=slug)
        status = 400
    return render(
        request,
        "evaluation/wave_edit.html",
        {
            "assembly": assembly,
            "form": form,
            "code": code,
            "wave": wave,
            "label": WaveCode(code).label,
        },
        status=status,
    )


@require_POST
@require_permission("manage", "waves")
def wave_status(request, slug, code):
    wave = get_object_or_404(Wave, assembly=request.assembly, code=code)
    try:
        actions.check_set_wave_status(
            wave, request.POST.get("status", ""), acting_user=request.user
        )
    except actions.ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("evaluation:waves", slug=slug)


@require_POST
@require_permission("manage", "waves")
def send_messages(request, slug, code):
    from minipublic.web.evaluation.tasks import run_send_wave_messages
    from minipublic.web.progress.actions import do_start_task

    wave = get_object_or_404(Wave, assembly=request.assembly, code=code)
    progress = do_start_task(
        run_send_wave_messages,
        kind="evaluation.messages",
        title=_("Sending due invitations and reminders"),
        assembly=request.assembly,
        acting_user=request.user,
        wave_id=wave.pk,
    )
    return redirect(f"{reverse('evaluation:waves', args=[slug])}?progress={progress.pk}")


@require_permission("manage", "waves")
def items(request, slug):
    assembly = request.assembly
    form = ItemForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            ok, _item = run_action(
                form,
                actions.check_add_item,
                assembly,
                acting_user=request.user,
                **form.cleaned_data,
            )
            if ok:
                messages.success(request, _("Question added. Add it to a wave to ask it."))
                return redirect("evaluation:items", slug=slug)
        status = 400
    specs = catalogue(assembly)
    return render(
        request,
        "evaluation/items.html",
        {
            "assembly": assembly,
            "form": form,
            "groups": [
                (title, [s for s in specs.values() if s.group == g])
                for g, title in (
                    ("own", _("Your own questions")),
                    ("template", _("Member questionnaire after the OECD guidelines (2021)")),
                    ("cohesion", _("Cohesion scales (instrument bank)")),
                    ("policy", _("Climate attitudes (instrument bank)")),
                )
            ],
        },
        status=status,
    )


@require_POST
@require_permission("manage", "waves")
def import_public(request, slug):
    wave = get_object_or_404(Wave, assembly=request.assembly, code=WaveCode.PUBLIC)
    form = PanelImportForm(request.POST, request.FILES)
    if form.is_valid():
        f = form.cleaned_data["file"]
        try:
            text = f.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            messages.error(request, _("%(file)s is not UTF-8 text.") % {"file": f.name})
            return redirect("evaluation:waves", slug=slug)
        ok, n = run_action(
            form,
            actions.check_import_public_panel,
            wave,
            text,
            file_name=f.name,
            acting_user=request.user,
        )
        if ok:
            messages.success(request, _("%(n)d answers imported.") % {"n": n})
            return redirect("evaluation:waves", slug=slug)
    for errors in form.errors.values():
        for e in errors:
            messages.error(request, e)
    return redirect("evaluation:waves", slug=slug)


# --- report -------------------------------------------------------------------------------


@require_permission("view", "evaluation_report", hide=False)
def report(request, slug):
    ctx = report_context(request.assembly)
    ctx["staff"] = request_can(request, "view", "evaluation", assembly=request.assembly)
    return render(request, "evaluation/report.html", ctx)


@require_permission("view", "evaluation_report")
def report_pdf(request, slug):
    try:
        pdf = report_module.report_pdf(
            request.assembly, _language(request), base_url=request.build_absolute_uri("/")
        )
    except RuntimeError as exc:
        return render(
            request,
            "evaluation/pdf_missing.html",
            {"assembly": request.assembly, "reason": str(exc)},
            status=503,
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{slug}-evaluation.pdf"'
    return response


# --- answering ----------------------------------------------------------------------------


def _allow(request, response: Response) -> None:
    allowed = request.session.get(SESSION_KEY, [])
    if response.pk not in allowed:
        request.session[SESSION_KEY] = [*allowed[-19:], response.pk]


@require_permission("answer", "survey")
def member_survey(request, slug, code):
    wave = get_object_or_404(Wave, assembly=request.assembly, code=code, status=WaveStatus.OPEN)
    if wave.is_public:
        raise Http404
    response = actions.do_start_response(wave, request.participant, language=_language(request))
    return redirect("evaluation:answer", slug=slug, response_id=response.pk)


@require_permission("open", "survey_link")
def survey_link(request, slug, token):
    found = actions.read_survey_token(token)
    if found is None:
        return render(
            request, "evaluation/link_problem.html", {"assembly": request.assembly}, status=400
        )
    wave = get_object_or_404(Wave, pk=found[0], assembly=request.assembly)
    from minipublic.web.people.models import Participant

    participant = get_object_or_404(Participant, pk=found[1], assembly=request.assembly)
    if not wave.is_open:
        return render(
            request,
            "evaluation/closed.html",
            {"assembly": request.assembly, "wave": wave},
            status=410,
        )
    response = actions.do_start_response(wave, participant, language=_language(request))
    _allow(request, response)
    return redirect("evaluation:answer", slug=slug, response_id=response.pk)


@require_permission("open", "survey_link")
def public_survey(request, slug, token):
    wave = get_object_or_404(
        Wave, assembly=request.assembly, public_token=token, code=WaveCode.PUBLIC
    )
    if not wave.is_open:
        return render(
            request,
            "evaluation/closed.html",
            {"assembly": request.assembly, "wave": wave},
            status=410,
        )
    if request.method == "POST":
        response = actions.do_start_public_response(wave, language=_language(request))
        _allow(request, response)
        return redirect("evaluation:answer", slug=slug, response_id=response.pk)
    return render(
        request, "evaluation/public_start.html", {"assembly": request.assembly, "wave": wave}
    )


@require_permission("open", "survey_link")
def answer(request, slug, response_id):
    response = get_object_or_404(
        Response.objects.select_related("wave"), pk=response_id, wave__assembly=request.assembly
    )
    participant = getattr(request, "participant", None)
    own = participant is not None and response.participant_id == participant.pk
    if not own and response.pk not in request.session.get(SESSION_KEY, []):
        raise PermissionDenied
    wave = response.wave
    if response.submitted_at is not None or response.withdrawn_at is not None:
        return render(
            request,
            "evaluation/thanks.html",
            {"assembly": request.assembly, "response": response, "own": own},
        )
    if not wave.is_open:
        return render(
            request,
            "evaluation/closed.html",
            {"assembly": request.assembly, "wave": wave},
            status=410,
        )
    specs = catalogue(request.assembly)
    codes = [
        c
        for c in ordered(wave.items, randomise=wave.randomise_items, seed=response.seed)
        if c in specs
    ]
    all_pages = pages(codes, wave.per_page)
    try:
        number = int(request.GET.get("page") or min(response.page + 1, len(all_pages)))
    except ValueError:
        number = 1
    number = min(max(number, 1), len(all_pages))
    current = all_pages[number - 1]
    language = _language(request)
    page_specs = [specs[c] for c in current.codes]
    initial = {c: response.answers.get(c) for c in current.codes}
    initial = {
        c: (str(v) if isinstance(v, int) else v) for c, v in initial.items() if v is not None
    }
    form = SurveyPageForm(
        request.POST or None,
        specs=page_specs,
        seed=response.seed,
        language=language,
        initial=initial,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            last = number == len(all_pages)
            going_back = request.POST.get("go") == "back"
            submit = last and not going_back
            ok, _saved = run_action(
                form,
                actions.check_save_answers,
                response,
                dict(form.cleaned_data),
                page=number,
                submit=submit,
                actor=participant,
            )
            if ok:
                if submit:
                    return redirect("evaluation:answer", slug=slug, response_id=response.pk)
                target = number - 1 if going_back else number + 1
                return redirect(
                    f"{reverse('evaluation:answer', args=[slug, response.pk])}?page={max(target, 1)}"
                )
        status = 400
    answered = sum(1 for c in codes if response.answers.get(c) not in (None, "", []))
    return render(
        request,
        "evaluation/answer.html",
        {
            "assembly": request.assembly,
            "response": response,
            "wave": wave,
            "form": form,
            "number": number,
            "n_pages": len(all_pages),
            "answered": answered,
            "n_items": len(codes),
            "percent": round(100 * (number - 1) / len(all_pages)),
            "own": own,
            "wave_label": WaveCode(wave.code).label,
        },
        status=status,
    )


@require_permission("view", "own_answers")
def my_answers(request, slug):
    participant = request.participant
    specs = catalogue(request.assembly)
    rows = []
    for r in (
        Response.objects.filter(participant=participant)
        .select_related("wave")
        .order_by("wave__code")
    ):
        answers = []
        for code in r.wave.items:
            if code not in specs or code not in r.answers:
                continue
            spec, value = specs[code], r.answers[code]
            labels = dict(spec.choices_in(_language(request)))
            if isinstance(value, list):
                shown = ", ".join(labels.get(str(v), str(v)) for v in value)
            elif value is None:
                shown = _("(no answer)")
            else:
                shown = labels.get(str(value), str(value))
            answers.append((spec.text(_language(request)), shown))
        rows.append({"response": r, "answers": answers, "label": r.wave.title})
    return render(
        request, "evaluation/my_answers.html", {"assembly": request.assembly, "rows": rows}
    )


@require_POST
@require_permission("withdraw", "own_answers")
def withdraw(request, slug, response_id):
    response = get_object_or_404(
        Response, pk=response_id, participant=request.participant, wave__assembly=request.assembly
    )
    actions.do_withdraw_response(response, actor=request.participant)
    messages.success(
        request, _("Your answers were deleted. We will not ask you about this survey again.")
    )
    return redirect("evaluation:my_answers", slug=slug)
