"""Pages of the ``recruitment`` app: invitations, registration, pool import, support board."""

from collections import Counter, defaultdict
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from minipublic.web.notify import absolute_url
from minipublic.web.permissions import require_permission
from minipublic.web.progress.actions import do_start_task
from minipublic.web.progress.views import progress_from_query
from minipublic.web.recruitment import actions
from minipublic.web.recruitment.forms import (
    AddressFileForm,
    AreaWeightsImportForm,
    CodeForm,
    DoorKnockForm,
    LotteryForm,
    PoolImportForm,
    RegistrationForm,
    RegistrationSettingsForm,
    SupportArrangementForm,
    baseline_questions,
)
from minipublic.web.recruitment.letters import door_knocking_rows, mail_merge_csv, post_csv
from minipublic.web.recruitment.models import (
    Address,
    AddressFile,
    AreaWeight,
    Message,
    Registrant,
    SupportArrangement,
    SupportNeed,
    normalise_code,
)
from minipublic.web.recruitment.tasks import run_make_letters
from minipublic.web.shortcuts import run_action


def register_url(assembly) -> str:
    """The address printed on letters: the organiser's short URL, or the site's own."""
    short = actions.registration_settings(assembly).short_url.strip()
    return short or absolute_url(reverse("recruitment:register", args=[assembly.slug]))


def response_rates(assembly) -> list[dict]:
    """Per area: addresses, letters sent, registrations by letter code, response rate, weight."""
    weights = dict(AreaWeight.objects.filter(assembly=assembly).values_list("area", "weight"))
    rows = (
        Address.objects.filter(assembly=assembly)
        .values("area")
        .annotate(
            addresses=Count("pk"),
            letters=Count("pk", filter=Q(invited=True)),
            registered=Count("pk", filter=Q(registrant__isnull=False)),
        )
        .order_by("area")
    )
    out = []
    for r in rows:
        rate = r["registered"] / r["letters"] if r["letters"] else None
        out.append({**r, "rate": rate, "weight": weights.get(r["area"], 1.0)})
    return out


def _overview_context(request, assembly, **forms):
    progress = progress_from_query(request, assembly)
    files = list(AddressFile.objects.filter(assembly=assembly))
    for f in files:
        # A running lottery whose task failed or stopped answering can be retried.
        f.stuck = f.lottery_status == AddressFile.LotteryStatus.RUNNING and (
            (task := actions.lottery_progress(f)) is None or task.has_failed
        )
    pending = next(
        (f for f in files if f.lottery_status == AddressFile.LotteryStatus.NOT_RUN), None
    )
    weights = list(AreaWeight.objects.filter(assembly=assembly))
    return {
        "assembly": assembly,
        "files": files,
        "pending_file": pending,
        "weights": weights,
        "rates": response_rates(assembly),
        "progress": progress,
        "counts": Counter(
            Registrant.objects.filter(assembly=assembly).values_list("source", flat=True)
        ),
        "n_registrants": Registrant.objects.filter(assembly=assembly).count(),
        "register_url": register_url(assembly),
        "register_link": absolute_url(reverse("recruitment:register", args=[assembly.slug])),
        "closed_reason": actions.registration_closed_reason(assembly),
        "settings_obj": actions.registration_settings(assembly),
        "upload_form": forms.get("upload_form") or AddressFileForm(),
        "weights_import_form": forms.get("weights_import_form") or AreaWeightsImportForm(),
        "weights_errors": forms.get("weights_errors") or {},
        "lottery_form": forms.get("lottery_form")
        or LotteryForm(initial={"n_letters": min(pending.n_addresses, 1000) if pending else 1000}),
    }


@require_permission("view", "recruitment")
def overview(request, slug):
    """The organiser's recruitment page: addresses, weights, lottery, letters, response rates."""
    return render(
        request, "recruitment/overview.html", _overview_context(request, request.assembly)
    )


@require_POST
@require_permission("upload", "address_file")
def upload_addresses(request, slug):
    assembly = request.assembly
    form = AddressFileForm(request.POST, request.FILES)
    if form.is_valid():
        f = form.cleaned_data["file"]
        ok, address_file = run_action(
            form,
            actions.check_upload_address_file,
            assembly,
            name=f.name,
            data=f.read(),
            area_column=form.cleaned_data["area_column"],
            acting_user=request.user,
        )
        if ok:
            messages.success(
                request,
                _("%(n)s addresses read from %(file)s.")
                % {"n": address_file.n_addresses, "file": address_file.name},
            )
            return redirect("recruitment:overview", slug=slug)
    context = _overview_context(request, assembly, upload_form=form)
    return render(request, "recruitment/overview.html", context, status=400)


@require_POST
@require_permission("change", "area_weights")
def set_weights(request, slug):
    assembly = request.assembly
    weights = {
        w.area: request.POST.get(f"weight_{w.pk}", "")
        for w in AreaWeight.objects.filter(assembly=assembly)
    }
    by_area = {w.area: w.pk for w in AreaWeight.objects.filter(assembly=assembly)}
    try:
        actions.check_set_area_weights(assembly, weights, acting_user=request.user)
    except actions.ValidationError as exc:
        errors = {
            by_area[k.removeprefix("weight_")]: v[0].message for k, v in exc.error_dict.items()
        }
        context = _overview_context(request, assembly, weights_errors=errors)
        context["posted_weights"] = {by_area[a]: v for a, v in weights.items()}
        return render(request, "recruitment/overview.html", context, status=400)
    messages.success(request, _("Area weights saved."))
    return redirect("recruitment:overview", slug=slug)


@require_POST
@require_permission("change", "area_weights")
def import_weights(request, slug):
    assembly = request.assembly
    form = AreaWeightsImportForm(request.POST, request.FILES)
    if form.is_valid():
        f = form.cleaned_data["file"]
        ok, _changed = run_action(
            form,
            actions.check_import_area_weights,
            assembly,
            name=f.name,
            data=f.read(),
            acting_user=request.user,
        )
        if ok:
            messages.success(request, _("Area weights imported."))
            return redirect("recruitment:overview", slug=slug)
    context = _overview_context(request, assembly, weights_import_form=form)
    return render(request, "recruitment/overview.html", context, status=400)


@require_POST
@require_permission("run", "invitation_lottery")
def run_lottery(request, slug, file_id):
    assembly = request.assembly
    address_file = get_object_or_404(AddressFile, pk=file_id, assembly=assembly)
    form = LotteryForm(request.POST)
    if form.is_valid():
        n, seed = form.cleaned_data["n_letters"], form.cleaned_data["seed"].strip()
        ok, progress = run_action(
            form,
            actions.check_start_invitation_lottery,
            address_file,
            n_letters=n,
            seed=seed,
            acting_user=request.user,
        )
        if ok:
            return redirect(
                f"{reverse('recruitment:overview', args=[slug])}?progress={progress.pk}"
            )
    context = _overview_context(request, assembly, lottery_form=form)
    return render(request, "recruitment/overview.html", context, status=400)


@require_POST
@require_permission("run", "invitation_lottery")
def retry_lottery(request, slug, file_id):
    """Start again a lottery whose task failed or never ran (same letters and seed)."""
    address_file = get_object_or_404(AddressFile, pk=file_id, assembly=request.assembly)
    try:
        progress = actions.check_retry_invitation_lottery(address_file, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("recruitment:overview", slug=slug)
    return redirect(f"{reverse('recruitment:overview', args=[slug])}?progress={progress.pk}")


def _invited(address_file):
    return address_file.addresses.filter(invited=True).order_by("area", "street", "address")


@never_cache
@require_permission("download", "letters")
def letters_pdf_view(request, slug, file_id):
    """Download the letters PDF made after the lottery (or ask to make it)."""
    address_file = get_object_or_404(AddressFile, pk=file_id, assembly=request.assembly)
    if not address_file.letters_pdf:
        messages.error(request, _("The letters have not been made yet: press 'Make the letters'."))
        return redirect("recruitment:overview", slug=slug)
    return FileResponse(
        address_file.letters_pdf.open("rb"),
        as_attachment=True,
        filename=f"letters-{address_file.pk}.pdf",
        content_type="application/pdf",
    )


@require_POST
@require_permission("make", "letters")
def make_letters(request, slug, file_id):
    """Start the background task that makes (or remakes) the letters PDF."""
    address_file = get_object_or_404(
        AddressFile,
        pk=file_id,
        assembly=request.assembly,
        lottery_status=AddressFile.LotteryStatus.DONE,
    )
    progress = do_start_task(
        run_make_letters,
        kind="recruitment.make_letters",
        title=_("Making the invitation letters"),
        assembly=request.assembly,
        acting_user=request.user,
        address_file_id=address_file.pk,
        acting_user_id=request.user.pk,
    )
    return redirect(f"{reverse('recruitment:overview', args=[slug])}?progress={progress.pk}")


@never_cache
@require_permission("download", "letters")
def letters_csv_view(request, slug, file_id):
    address_file = get_object_or_404(AddressFile, pk=file_id, assembly=request.assembly)
    data = mail_merge_csv(_invited(address_file), register_url=register_url(request.assembly))
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="letters-{address_file.pk}.csv"'
    return response


@require_permission("view", "door_knocking")
def door_knocking(request, slug):
    """Non-responding invited households in oversampled areas: streets, then one street to print.

    Without ``?area=&street=`` the page lists the streets (50 a page) with
    how many homes to visit; with them it shows that street's homes in house
    number order, ready to print.
    """
    groups = door_knocking_rows(request.assembly)
    area, street = request.GET.get("area"), request.GET.get("street")
    chosen = None
    if area is not None and street is not None:
        chosen = next((g for g in groups if g[0] == area and g[1] == street), None)
        if chosen is None:
            raise Http404
    streets = [
        {
            "area": g[0],
            "street": g[1],
            "n": len(g[2]),
            "visited": sum(1 for a in g[2] if a.door_knocked_at),
        }
        for g in groups
    ]
    return render(
        request,
        "recruitment/door_knocking.html",
        {
            "assembly": request.assembly,
            "chosen": chosen,
            "page": Paginator(streets, 50).get_page(request.GET.get("page")),
            "n_streets": len(streets),
            "n": sum(len(g[2]) for g in groups),
            "form": DoorKnockForm(),
        },
    )


@require_POST
@require_permission("record", "door_knock")
def record_door_knock(request, slug, address_id):
    address = get_object_or_404(Address, pk=address_id, assembly=request.assembly, invited=True)
    form = DoorKnockForm(request.POST)
    ok = (
        form.is_valid()
        and run_action(
            form,
            actions.check_record_door_knock,
            address,
            note=form.cleaned_data["note"],
            acting_user=request.user,
        )[0]
    )
    if ok:
        messages.success(request, _("Visit recorded."))
    else:
        errors = "; ".join(e for errs in form.errors.values() for e in errs)
        messages.error(request, errors or _("Write what happened at the door."))
    # Back to the street the visit was on.
    query = urlencode({"area": address.area, "street": address.street})
    return redirect(
        f"{reverse('recruitment:door_knocking', args=[slug])}?{query}#home-{address.pk}"
    )


@require_permission("change", "registration_settings")
def registration_settings_view(request, slug):
    assembly = request.assembly
    obj = actions.registration_settings(assembly)
    if request.method == "POST":
        form = RegistrationSettingsForm(request.POST)
        ok = (
            form.is_valid()
            and run_action(
                form,
                actions.check_update_registration_settings,
                obj,
                acting_user=request.user,
                **form.cleaned_data,
            )[0]
        )
        if ok:
            messages.success(request, _("Registration settings saved."))
            return redirect("recruitment:settings", slug=slug)
        status = 400
    else:
        form = RegistrationSettingsForm(
            initial={
                "is_open": obj.is_open,
                "closes_on": obj.closes_on,
                "open_link_enabled": obj.open_link_enabled,
                "questions": obj.questions,
                "areas": "\n".join(obj.areas),
                "privacy_notice": obj.privacy_notice,
                "short_url": obj.short_url,
            }
        )
        status = 200
    open_link = absolute_url(reverse("recruitment:open_link", args=[slug, obj.open_link_token]))
    return render(
        request,
        "recruitment/settings.html",
        {"assembly": assembly, "form": form, "settings_obj": obj, "open_link": open_link},
        status=status,
    )


@require_permission("import", "pool")
def import_pool(request, slug):
    assembly = request.assembly
    if request.method == "POST":
        form = PoolImportForm(request.POST, request.FILES)
        if form.is_valid():
            f = form.cleaned_data["file"]
            ok, pool_import = run_action(
                form,
                actions.check_import_pool,
                assembly,
                name=f.name,
                data=f.read(),
                id_column=form.cleaned_data["id_column"],
                acting_user=request.user,
            )
            if ok:
                messages.success(
                    request,
                    _("%(n)s people imported from %(file)s.")
                    % {"n": pool_import.n_rows, "file": pool_import.name},
                )
                return redirect("recruitment:registrants", slug=slug)
        status = 400
    else:
        form = PoolImportForm()
        status = 200
    from minipublic.web.selection.models import SelectionRun

    return render(
        request,
        "recruitment/import.html",
        {
            "assembly": assembly,
            "form": form,
            "imports": assembly.pool_imports.all(),
            "drawn": SelectionRun.objects.filter(assembly=assembly, status="drawn").exists(),
        },
        status=status,
    )


@require_permission("view", "registrants")
def registrants(request, slug):
    """The pool: pseudonyms and answers (no contact details), with counts per answer."""
    assembly = request.assembly
    qs = Registrant.objects.filter(assembly=assembly).select_related("participant")
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    summary: dict[str, Counter] = defaultdict(Counter)
    for r in Registrant.objects.filter(assembly=assembly).only(
        "age_band",
        "gender",
        "area",
        "education",
        "ethnicity",
        "disability",
        "trust_in_government",
        "barriers",
        "extra",
        "source",
    ):
        for feature, value in r.features().items():
            summary[feature][value] += 1
    return render(
        request,
        "recruitment/registrants.html",
        {
            "assembly": assembly,
            "page": page,
            "status": status,
            "total": qs.count(),
            "summary": {k: sorted(v.items()) for k, v in sorted(summary.items())},
            "message_counts": _message_counts(assembly),
        },
    )


def _message_counts(assembly) -> list[dict]:
    """Messages sent to registrants: per kind, how many by email and how many letters."""
    counts = Counter(
        Message.objects.filter(registrant__assembly=assembly).values_list("kind", "channel")
    )
    return [
        {
            "label": label,
            "email": counts[(kind, Message.Channel.EMAIL)],
            "letter": counts[(kind, Message.Channel.LETTER)],
        }
        for kind, label in Message.Kind.choices
    ]


@never_cache
@require_permission("download", "letters")
def post_csv_view(request, slug):
    """Letters to post: confirmations and "not selected" messages to people without email."""
    messages_qs = (
        Message.objects.filter(
            registrant__assembly=request.assembly, channel=Message.Channel.LETTER
        )
        .select_related("registrant__participant__personal_details")
        .order_by("created_at", "pk")
    )
    response = HttpResponse(post_csv(messages_qs), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="letters-to-post.csv"'
    return response


@require_permission("view", "support_board")
def support_board(request, slug):
    """Who needs what, what has been arranged, and what it costs (selected people first)."""
    assembly = request.assembly
    rows = (
        SupportArrangement.objects.filter(registrant__assembly=assembly)
        .select_related("registrant__participant__personal_details")
        .order_by("registrant__status", "registrant__participant__pseudonym", "need")
    )
    only = request.GET.get("who", "panel")
    panel_statuses = ["selected", "invited", "accepted"]
    if only == "panel":
        rows = rows.filter(registrant__status__in=panel_statuses)
    totals = rows.values("need").annotate(n=Count("pk"), cost=Sum("cost")).order_by("need")
    labels = dict(SupportNeed.choices)
    return render(
        request,
        "recruitment/support_board.html",
        {
            "assembly": assembly,
            "page": Paginator(rows, 100).get_page(request.GET.get("page")),
            "n_rows": rows.count(),
            "who": only,
            "totals": [{**t, "label": labels.get(t["need"], t["need"])} for t in totals],
            "total_cost": sum((t["cost"] or Decimal(0) for t in totals), Decimal(0)),
            "states": SupportArrangement.State.choices,
        },
    )


@require_POST
@require_permission("change", "support_arrangement")
def update_support(request, slug, pk):
    arrangement = get_object_or_404(
        SupportArrangement, pk=pk, registrant__assembly=request.assembly
    )
    form = SupportArrangementForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors)
        actions.check_update_support(
            arrangement,
            state=form.cleaned_data["state"],
            arrangement_text=form.cleaned_data["arrangement"],
            cost=form.cleaned_data["cost"],
            acting_user=request.user,
        )
    except ValidationError as exc:
        errors = "; ".join(exc.messages)
        messages.error(request, _("Not saved: %(errors)s") % {"errors": errors})
    else:
        messages.success(request, _("Support for %(p)s saved.") % {"p": arrangement.registrant})
    return redirect(
        f"{reverse('recruitment:support_board', args=[slug])}?who={request.GET.get('who', 'panel')}"
    )


# --- public pages -------------------------------------------------------------


def _language(request) -> str:
    language = translation.get_language() or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


@require_permission("register", "registrant", hide=True)
def register(request, slug):
    """The public start page: enter the code from the letter (or follow the open link)."""
    assembly = request.assembly
    obj = actions.registration_settings(assembly)
    if reason := actions.registration_closed_reason(assembly):
        return _closed(request, assembly, reason)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        address = actions.find_invited_address(assembly, form.cleaned_data["code"])
        if address is None:
            form.add_error("code", _("We cannot find this code. Check it against your letter."))
        elif hasattr(address, "registrant"):
            form.add_error(
                "code", _("Someone from this household has already registered with this code.")
            )
        else:
            return redirect("recruitment:register_code", slug=slug, code=address.letter_code)
    if form.errors:
        status = 400
    return render(
        request,
        "recruitment/register_start.html",
        {"assembly": assembly, "form": form, "settings_obj": obj},
        status=status,
    )


def _closed(request, assembly, reason):
    """The page late visitors see: why registration is closed, and where to follow the assembly."""
    return render(
        request,
        "recruitment/register_closed.html",
        {"assembly": assembly, "reason": reason},
        status=410,
    )


def _registration_page(request, assembly, *, address, action_url):
    obj = actions.registration_settings(assembly)
    if reason := actions.registration_closed_reason(assembly):
        return _closed(request, assembly, reason)
    baseline = baseline_questions(assembly)
    form = RegistrationForm(
        request.POST or None,
        settings_obj=obj,
        with_code=address is not None,
        baseline=baseline,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            ok, registrant = run_action(
                form,
                actions.check_register,
                assembly,
                answers=form.answers(),
                details=form.details(),
                address=address,
                language=_language(request),
                consent=form.cleaned_data["consent"],
                client_ip=request.META.get("REMOTE_ADDR", ""),
            )
            if ok:
                request.session["recruitment_registered"] = registrant.participant.pseudonym
                return redirect("recruitment:registered", slug=assembly.slug)
        status = 400
    return render(
        request,
        "recruitment/register_form.html",
        {
            "assembly": assembly,
            "form": form,
            "settings_obj": obj,
            "address": address,
            "action_url": action_url,
        },
        status=status,
    )


@require_permission("register", "registrant", hide=True)
def register_code(request, slug, code):
    assembly = request.assembly
    if reason := actions.registration_closed_reason(assembly):
        return _closed(request, assembly, reason)
    address = actions.find_invited_address(assembly, normalise_code(code))
    if address is None or hasattr(address, "registrant"):
        # Back to the code page, with the reason beside the code.
        form = CodeForm({"code": code})
        form.is_valid()
        if address is None:
            form.add_error("code", _("We cannot find this code. Check it against your letter."))
            status = 404
        else:
            form.add_error(
                "code", _("Someone from this household has already registered with this code.")
            )
            status = 409
        context = {
            "assembly": assembly,
            "form": form,
            "settings_obj": actions.registration_settings(assembly),
        }
        return render(request, "recruitment/register_start.html", context, status=status)
    return _registration_page(request, assembly, address=address, action_url=request.path)


@require_permission("register", "registrant", hide=True)
def open_link(request, slug, token):
    assembly = request.assembly
    obj = actions.registration_settings(assembly)
    if not obj.open_link_enabled or token != obj.open_link_token:
        return render(
            request, "recruitment/register_closed.html", {"assembly": assembly}, status=404
        )
    return _registration_page(request, assembly, address=None, action_url=request.path)


@require_permission("register", "registrant", hide=True)
def registered(request, slug):
    return render(
        request,
        "recruitment/registered.html",
        {
            "assembly": request.assembly,
            "pseudonym": request.session.get("recruitment_registered", ""),
        },
    )
