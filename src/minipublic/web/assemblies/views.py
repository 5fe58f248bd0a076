"""Pages of the ``assemblies`` app: home, public page, dashboard, staff, audit log.

Views are thin: fetch and authorise (``require_permission``), bind a form,
call one action, render or redirect.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minipublic.web.assemblies import actions
from minipublic.web.assemblies.forms import (
    AssemblyForm,
    ChangePhaseForm,
    InviteStaffForm,
    MeetingForm,
    PhaseDatesForm,
    ReopenPhaseForm,
)
from minipublic.web.assemblies.models import PHASE_HELP, Assembly, Phase, Role, StaffRole
from minipublic.web.hooks import public_facts, public_links
from minipublic.web.permissions import request_can, require_permission
from minipublic.web.shortcuts import run_action


def phase_steps(assembly: Assembly) -> list[dict]:
    """The phase stepper: each phase with its state, help text and planned dates."""
    dates = {row.phase: row for row in assembly.phase_dates.all()}
    current = assembly.current_phase.index
    steps = []
    for phase in Phase:
        state = (
            "done" if phase.index < current else "current" if phase.index == current else "upcoming"
        )
        steps.append(
            {
                "phase": phase,
                "number": phase.index + 1,
                "state": state,
                "help": PHASE_HELP[phase],
                "dates": dates.get(phase.value),
            }
        )
    return steps


def home(request):
    """The public home page: every public assembly."""
    assemblies = Assembly.objects.filter(is_public=True)
    return render(request, "assemblies/home.html", {"assemblies": assemblies})


@login_required
def my_assemblies(request):
    """A staff member's start page: the assemblies they have a role in."""
    roles = (
        StaffRole.objects.filter(user=request.user)
        .select_related("assembly")
        .order_by("assembly__title", "role")
    )
    by_assembly: dict[int, dict] = {}
    for row in roles:
        entry = by_assembly.setdefault(row.assembly_id, {"assembly": row.assembly, "roles": []})
        entry["roles"].append(Role(row.role).label)
    return render(
        request,
        "assemblies/my_assemblies.html",
        {
            "entries": list(by_assembly.values()),
            "can_create": request_can(request, "create", "assembly"),
        },
    )


@require_permission("create", "assembly")
def create_assembly(request):
    form = AssemblyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, assembly = run_action(
            form, actions.check_create_assembly, acting_user=request.user, **form.cleaned_data
        )
        if ok:
            messages.success(request, _("The assembly has been created."))
            return redirect("assemblies:dashboard", slug=assembly.slug)
    return render(request, "assemblies/assembly_form.html", {"form": form, "creating": True})


@require_permission("view", "assembly_page", hide=True)
def public_page(request, slug):
    assembly = request.assembly
    steps = phase_steps(assembly)
    upcoming = next((s for s in steps if s["state"] == "upcoming"), None)
    return render(
        request,
        "assemblies/public_page.html",
        {
            "assembly": assembly,
            "steps": steps,
            "next_step": upcoming,
            "facts": public_facts(request, assembly),
            "meetings": assembly.meetings.filter(starts_at__gte=timezone.now()),
            "past_meetings": assembly.meetings.filter(starts_at__lt=timezone.now()).count(),
            "app_links": public_links(request, assembly),
        },
    )


@require_permission("view", "dashboard")
def dashboard(request, slug):
    """The organiser's dashboard: phase stepper, counts, next step."""
    assembly = request.assembly
    counts = {
        "members": assembly.participants.filter(is_active=True).count(),
        "staff": assembly.staff_roles.values("user").distinct().count(),
        "meetings": assembly.meetings.filter(starts_at__gte=timezone.now()).count(),
        "audit": assembly.audit_events.count(),
    }
    nxt = assembly.next_phase
    return render(
        request,
        "assemblies/dashboard.html",
        {
            "assembly": assembly,
            "steps": phase_steps(assembly),
            "counts": counts,
            "next_phase": nxt,
            "next_phase_help": PHASE_HELP[nxt] if nxt else "",
            "change_form": ChangePhaseForm(initial={"to_phase": nxt.value}) if nxt else None,
            "reopen_form": ReopenPhaseForm(assembly=assembly),
            "meetings": assembly.meetings.filter(starts_at__gte=timezone.now())[:5],
        },
    )


@require_POST
@require_permission("change", "phase")
def change_phase(request, slug):
    assembly = request.assembly
    form = ChangePhaseForm(request.POST)
    if form.is_valid():
        ok, _result = run_action(
            form,
            actions.check_change_phase,
            assembly,
            to_phase=form.cleaned_data["to_phase"],
            acting_user=request.user,
        )
        if ok:
            messages.success(
                request,
                _("The assembly is now in the “%(phase)s” phase.")
                % {"phase": assembly.current_phase.label},
            )
            return redirect("assemblies:dashboard", slug=slug)
    for error in form.non_field_errors() or [_("The phase was not changed.")]:
        messages.error(request, error)
    return redirect("assemblies:dashboard", slug=slug)


@require_permission("reopen", "phase")
def reopen_phase(request, slug):
    assembly = request.assembly
    form = ReopenPhaseForm(request.POST or None, assembly=assembly)
    if request.method == "POST" and form.is_valid():
        ok, _result = run_action(
            form,
            actions.check_reopen_phase,
            assembly,
            to_phase=form.cleaned_data["to_phase"],
            reason=form.cleaned_data["reason"],
            acting_user=request.user,
        )
        if ok:
            messages.success(
                request,
                _("The “%(phase)s” phase has been reopened.")
                % {"phase": assembly.current_phase.label},
            )
            return redirect("assemblies:dashboard", slug=slug)
    return render(request, "assemblies/reopen.html", {"assembly": assembly, "form": form})


@require_permission("edit", "assembly")
def edit_assembly(request, slug):
    assembly = request.assembly
    form = AssemblyForm(request.POST or None, instance=assembly)
    if request.method == "POST" and form.is_valid():
        # The form validated into a copy; the action makes (and audits) the change.
        assembly.refresh_from_db()
        actions.do_update_assembly(
            assembly,
            acting_user=request.user,
            **{f: form.cleaned_data[f] for f in actions.EDITABLE_FIELDS},
        )
        messages.success(request, _("The details have been saved."))
        return redirect("assemblies:dashboard", slug=slug)
    return render(request, "assemblies/assembly_form.html", {"form": form, "assembly": assembly})


@require_permission("edit", "assembly")
def phase_dates(request, slug):
    assembly = request.assembly
    form = PhaseDatesForm(request.POST or None, assembly=assembly)
    if request.method == "POST" and form.is_valid():
        # All phases or none: one action, one transaction.
        ok, _rows = run_action(
            form,
            actions.check_set_all_phase_dates,
            assembly,
            {
                phase.value: (
                    form.cleaned_data[f"{phase.value}_starts_on"],
                    form.cleaned_data[f"{phase.value}_ends_on"],
                )
                for phase in Phase
            },
            acting_user=request.user,
        )
        if ok:
            messages.success(request, _("The phase dates have been saved."))
            return redirect("assemblies:dashboard", slug=slug)
    return render(request, "assemblies/phase_dates.html", {"assembly": assembly, "form": form})


@require_permission("schedule", "meeting")
def schedule_meeting(request, slug):
    assembly = request.assembly
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, _meeting = run_action(
            form,
            actions.check_schedule_meeting,
            assembly,
            acting_user=request.user,
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, _("The session has been added."))
            return redirect("assemblies:dashboard", slug=slug)
    return render(request, "assemblies/meeting_form.html", {"assembly": assembly, "form": form})


@require_permission("manage", "staff")
def staff(request, slug):
    """Staff management: who has which role; invite someone by email."""
    assembly = request.assembly
    form = InviteStaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, _role = run_action(
            form,
            actions.check_invite_staff,
            assembly,
            acting_user=request.user,
            **form.cleaned_data,
        )
        if ok:
            messages.success(
                request,
                _("%(email)s has been given the role and sent an email.")
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("assemblies:staff", slug=slug)
    rows = assembly.staff_roles.select_related("user")
    return render(
        request, "assemblies/staff.html", {"assembly": assembly, "form": form, "rows": rows}
    )


@require_POST
@require_permission("manage", "staff")
def remove_staff_role(request, slug, role_id):
    assembly = request.assembly
    staff_role = get_object_or_404(StaffRole, pk=role_id, assembly=assembly)
    form = ChangePhaseForm()  # any form: only its non-field errors are used
    ok, _none = run_action(form, actions.check_revoke_role, staff_role, acting_user=request.user)
    if ok:
        messages.success(request, _("The role has been removed."))
    else:
        for error in form.non_field_errors():
            messages.error(request, error)
    return redirect("assemblies:staff", slug=slug)


@require_permission("view", "audit_log")
def audit_log(request, slug):
    """The assembly's audit log in plain words, filtered by type and date, 50 lines a page."""
    from django.utils.http import urlencode

    from minipublic.web.assemblies.events import event_label, field_label, plain_value
    from minipublic.web.assemblies.forms import AuditFilterForm

    assembly = request.assembly
    types = sorted(set(assembly.audit_events.values_list("event_type", flat=True)), key=event_label)
    form = AuditFilterForm(request.GET or None, types=[(t, event_label(t)) for t in types])
    events = assembly.audit_events.all()
    if form.is_valid():
        if form.cleaned_data["type"]:
            events = events.filter(event_type=form.cleaned_data["type"])
        if form.cleaned_data["since"]:
            events = events.filter(created_at__date__gte=form.cleaned_data["since"])
        if form.cleaned_data["until"]:
            events = events.filter(created_at__date__lte=form.cleaned_data["until"])
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    rows = [
        {
            "event": e,
            "label": event_label(e.event_type),
            "old": [(field_label(k), plain_value(v)) for k, v in (e.old or {}).items()],
            "new": [(field_label(k), plain_value(v)) for k, v in (e.new or {}).items()],
        }
        for e in page
    ]
    query = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    return render(
        request,
        "assemblies/audit_log.html",
        {
            "assembly": assembly,
            "page": page,
            "rows": rows,
            "form": form,
            "query": query,
            "filtered": form.is_bound and form.is_valid() and any(form.cleaned_data.values()),
        },
    )
