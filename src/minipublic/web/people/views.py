"""Pages of the ``people`` app: staff sign-in, member link sign-in, member home, members list."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minipublic.web.assemblies.models import PHASE_HELP
from minipublic.web.hooks import member_sections
from minipublic.web.people import actions
from minipublic.web.people.forms import (
    AddMemberForm,
    StaffAuthenticationForm,
    StaffSetPasswordForm,
)
from minipublic.web.people.middleware import SESSION_KEY
from minipublic.web.people.tasks import run_send_sign_in_links
from minipublic.web.permissions import require_permission
from minipublic.web.progress.actions import do_start_task
from minipublic.web.progress.views import progress_from_query
from minipublic.web.shortcuts import run_action


class StaffLoginView(auth_views.LoginView):
    template_name = "people/login.html"
    authentication_form = StaffAuthenticationForm
    redirect_authenticated_user = True


class StaffSetPasswordView(auth_views.PasswordResetConfirmView):
    template_name = "people/set_password.html"
    form_class = StaffSetPasswordForm
    success_url = reverse_lazy("people:password_set")


class StaffPasswordResetView(auth_views.PasswordResetView):
    """Ask for a password-reset email, throttled per account and per address.

    A throttled request gets the same "sent" page as any other (whether an
    account exists is never revealed) but no email goes out.
    """

    template_name = "people/password_reset.html"
    email_template_name = "people/email/password_reset.txt"
    subject_template_name = "people/email/password_reset_subject.txt"
    success_url = reverse_lazy("people:password_reset_sent")

    def form_valid(self, form):
        from minipublic.web.people.actions import do_record_reset_request, reset_request_allowed

        email = form.cleaned_data["email"]
        ip = self.request.META.get("REMOTE_ADDR", "")
        if not reset_request_allowed(email, ip):
            return redirect(self.get_success_url())
        do_record_reset_request(email, ip)
        return super().form_valid(form)


REFUSALS = {
    "invalid": (400, "people/sign_in_refused.html"),
    "expired": (410, "people/sign_in_refused.html"),
    "used": (410, "people/sign_in_refused.html"),
}


def _refuse(request, reason: str):
    status, template = REFUSALS[reason]
    return render(request, template, {"reason": reason}, status=status)


def sign_in(request, value: str):
    """A member's personal link. GET checks it and asks to confirm; POST signs in.

    Signing in on POST only means that an email scanner that opens the link
    does not use it up.
    """
    if request.method == "POST":
        try:
            participant = actions.check_redeem_sign_in_link(value)
        except actions.SignInRefusedError as exc:
            return _refuse(request, exc.reason)
        # A fresh session: whoever was signed in on this browser is signed out.
        request.session.flush()
        request.session[SESSION_KEY] = participant.pk
        response = redirect("people:member_home", slug=participant.assembly.slug)
        # Show the site in the member's preferred language from now on.
        details = getattr(participant, "personal_details", None)
        if details is not None and details.preferred_language in dict(settings.LANGUAGES):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, details.preferred_language, samesite="Lax"
            )
        return response
    # GET: check without using the link up.
    try:
        token = actions.inspect_sign_in_link(value)
    except actions.SignInRefusedError as exc:
        return _refuse(request, exc.reason)
    return render(
        request,
        "people/sign_in_confirm.html",
        {"assembly": token.participant.assembly, "participant": token.participant},
    )


@require_POST
def sign_out(request):
    """Sign a member (or staff member) out of this browser."""
    logout(request)
    request.session.flush()
    messages.success(request, _("You have signed out."))
    return redirect("assemblies:home")


@require_permission("view", "member_home")
def member_home(request, slug):
    """The member's home: their next session, the phase, and what the apps offer now.

    Only what exists: each app adds its own section through its
    ``hooks.member_home`` when there is something the member can do in this
    phase (see :mod:`minipublic.web.hooks`); this page promises nothing else.
    """
    assembly = request.assembly
    upcoming = assembly.meetings.filter(starts_at__gte=timezone.now())
    return render(
        request,
        "people/member_home.html",
        {
            "assembly": assembly,
            "next_meeting": upcoming.first(),
            "later_meetings": upcoming[1:4],
            "phase_help": PHASE_HELP[assembly.current_phase],
            "app_sections": member_sections(request, assembly, request.participant),
        },
    )


@require_permission("view", "members")
def members(request, slug):
    """The organiser's list of members (with personal details) and the add-member form."""
    assembly = request.assembly
    form = AddMemberForm()
    progress = progress_from_query(request, assembly)
    return render(
        request,
        "people/members.html",
        {"assembly": assembly, "form": form, "progress": progress, **_member_rows(assembly)},
    )


#: Registrant statuses of people who were given a seat on the panel.
PANEL_STATUSES = ("selected", "invited", "accepted", "declined", "replaced")


def _member_rows(assembly) -> dict:
    """Members (who can sign in) and everyone else given a seat, with the panel's counts."""
    from collections import Counter

    from django.db.models import Q

    from minipublic.web.people.models import Participant

    rows = list(
        Participant.objects.filter(assembly=assembly)
        .filter(Q(is_active=True) | Q(registrant__status__in=PANEL_STATUSES))
        .select_related("personal_details", "registrant")
        .order_by("-is_active", "personal_details__first_name", "pseudonym")
    )
    panel = Counter(r.registrant.status for r in rows if getattr(r, "registrant", None) is not None)
    return {
        "rows": rows,
        "n_members": sum(1 for r in rows if r.is_active),
        "panel_counts": panel,
        "has_panel": bool(panel),
    }


@require_POST
@require_permission("add", "member")
def add_member(request, slug):
    assembly = request.assembly
    form = AddMemberForm(request.POST)
    if form.is_valid():
        ok, participant = run_action(
            form, actions.check_add_member, assembly, acting_user=request.user, **form.cleaned_data
        )
        if ok:
            messages.success(
                request,
                _("%(name)s has been added as %(pseudonym)s.")
                % {"name": form.cleaned_data["first_name"], "pseudonym": participant.pseudonym},
            )
            return redirect("people:members", slug=slug)
    return render(
        request,
        "people/members.html",
        {"assembly": assembly, "form": form, "progress": None, **_member_rows(assembly)},
        status=400,
    )


@require_POST
@require_permission("send", "sign_in_links")
def send_sign_in_links(request, slug):
    """Start the background task that emails every member a fresh link."""
    assembly = request.assembly
    progress = do_start_task(
        run_send_sign_in_links,
        kind="people.send_sign_in_links",
        title=_("Emailing sign-in links to members"),
        assembly=assembly,
        acting_user=request.user,
        assembly_id=assembly.pk,
        acting_user_id=request.user.pk,
    )
    return redirect(f"{reverse('people:members', args=[slug])}?progress={progress.pk}")
