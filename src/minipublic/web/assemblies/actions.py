"""Every change to assemblies, phases, staff roles and meetings.

``do_*`` functions change state in one transaction, write one audit line per
change and queue notifications with ``transaction.on_commit``; they assume
valid input. ``check_*`` functions validate (raising
:class:`django.core.exceptions.ValidationError` with a message per field) and
then call the matching ``do_*``. Views, tasks, the CLI and the demo loader all
go through here; nothing else saves these rows.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from minipublic.web.assemblies.audit import record_event
from minipublic.web.assemblies.models import (
    Assembly,
    Meeting,
    Phase,
    PhaseDates,
    Role,
    StaffRole,
)
from minipublic.web.notify import absolute_url, send_on_commit

EDITABLE_FIELDS = (
    "title",
    "question",
    "commissioner",
    "languages",
    "public_summary",
    "is_public",
    "title_cy",
    "question_cy",
    "public_summary_cy",
)


def _unique_slug(title: str) -> str:
    base = slugify(title)[:70] or "assembly"
    slug, n = base, 2
    while Assembly.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def check_create_assembly(
    *,
    title: str,
    question: str,
    commissioner: str,
    acting_user,
    slug: str = "",
    languages: list[str] | None = None,
    public_summary: str = "",
    is_public: bool = False,
    title_cy: str = "",
    question_cy: str = "",
    public_summary_cy: str = "",
) -> Assembly:
    """Validate, then :func:`do_create_assembly`."""
    errors = {}
    if not title.strip():
        errors["title"] = _("Give the assembly a title.")
    if not question.strip():
        errors["question"] = _("Write the question the assembly will answer.")
    if slug and Assembly.objects.filter(slug=slug).exists():
        errors["slug"] = _("Another assembly already uses this web address name.")
    known = {code for code, _name in settings.LANGUAGES}
    languages = list(languages or ["en"])
    if not languages or not set(languages) <= known:
        errors["languages"] = _("Choose one or more of the site's languages.")
    if errors:
        raise ValidationError(errors)
    return do_create_assembly(
        title=title.strip(),
        question=question.strip(),
        commissioner=commissioner.strip(),
        slug=slug or _unique_slug(title),
        languages=languages,
        public_summary=public_summary,
        is_public=is_public,
        title_cy=title_cy.strip(),
        question_cy=question_cy.strip(),
        public_summary_cy=public_summary_cy,
        acting_user=acting_user,
    )


@transaction.atomic
def do_create_assembly(
    *,
    title: str,
    question: str,
    commissioner: str,
    slug: str,
    languages: list[str],
    public_summary: str,
    is_public: bool,
    acting_user,
    title_cy: str = "",
    question_cy: str = "",
    public_summary_cy: str = "",
) -> Assembly:
    """Create an assembly in its first phase; the creator (if any) becomes its organiser."""
    assembly = Assembly.objects.create(
        title=title,
        question=question,
        commissioner=commissioner,
        slug=slug,
        languages=languages,
        public_summary=public_summary,
        is_public=is_public,
        title_cy=title_cy,
        question_cy=question_cy,
        public_summary_cy=public_summary_cy,
    )
    record_event(
        "assembly.created",
        assembly,
        actor=acting_user,
        assembly=assembly,
        new={f: getattr(assembly, f) for f in (*EDITABLE_FIELDS, "slug", "phase")},
    )
    if acting_user is not None:
        do_grant_role(assembly, acting_user, Role.ORGANISER, acting_user=acting_user)
    return assembly


@transaction.atomic
def do_update_assembly(assembly: Assembly, *, acting_user, **changes) -> Assembly:
    """Change the assembly's descriptive fields; records only the fields that changed."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"do_update_assembly cannot change {sorted(unknown)}")
    old = {f: getattr(assembly, f) for f in changes if getattr(assembly, f) != changes[f]}
    if not old:
        return assembly
    for field in old:
        setattr(assembly, field, changes[field])
    assembly.save(update_fields=list(old))
    record_event(
        "assembly.updated",
        assembly,
        actor=acting_user,
        assembly=assembly,
        old=old,
        new={f: changes[f] for f in old},
    )
    return assembly


def _notify_staff_of_phase(assembly: Assembly, event: str) -> None:
    emails = sorted(set(assembly.staff_roles.values_list("user__email", flat=True)))
    send_on_commit(
        "assemblies/email/phase_changed",
        {
            "assembly": assembly,
            "phase": assembly.current_phase.label,
            "event": event,
            "url": absolute_url(reverse("assemblies:dashboard", args=[assembly.slug])),
        },
        to=emails,
    )


def check_change_phase(assembly: Assembly, *, to_phase: str, acting_user) -> Assembly:
    """Move forward to *to_phase*, which must be the phase right after the current one.

    Naming the target (rather than "next") makes a double-submitted form
    harmless: the second request finds the assembly already there and fails.
    """
    nxt = assembly.next_phase
    if nxt is None:
        raise ValidationError(_("This assembly is already in its last phase."))
    if to_phase != nxt.value:
        raise ValidationError(
            _("The assembly can only move forward one phase, to “%(phase)s”.")
            % {"phase": nxt.label}
        )
    return do_change_phase(assembly, Phase(to_phase), acting_user=acting_user)


@transaction.atomic
def do_change_phase(assembly: Assembly, to_phase: Phase, *, acting_user) -> Assembly:
    """Set the phase, write ``assembly.phase_changed`` and tell the staff."""
    locked = Assembly.objects.select_for_update().get(pk=assembly.pk)
    old = locked.phase
    locked.phase = to_phase.value
    locked.save(update_fields=["phase"])
    record_event(
        "assembly.phase_changed",
        locked,
        actor=acting_user,
        assembly=locked,
        old={"phase": old},
        new={"phase": to_phase.value},
    )
    assembly.phase = locked.phase
    _notify_staff_of_phase(locked, "changed")
    return assembly


def check_reopen_phase(assembly: Assembly, *, to_phase: str, reason: str, acting_user) -> Assembly:
    """Go back to an earlier phase; an organiser must say why."""
    errors = {}
    try:
        target = Phase(to_phase)
    except ValueError:
        target = None
    if target is None or target.index >= assembly.current_phase.index:
        errors["to_phase"] = _("Choose a phase before the current one.")
    if not reason.strip():
        errors["reason"] = _(
            "Say why the phase is being reopened; the reason goes in the audit log."
        )
    if errors:
        raise ValidationError(errors)
    return do_reopen_phase(assembly, target, reason=reason.strip(), acting_user=acting_user)


@transaction.atomic
def do_reopen_phase(assembly: Assembly, to_phase: Phase, *, reason: str, acting_user) -> Assembly:
    """Move back to an earlier phase; writes ``assembly.phase_reopened`` with the reason."""
    locked = Assembly.objects.select_for_update().get(pk=assembly.pk)
    old = locked.phase
    locked.phase = to_phase.value
    locked.save(update_fields=["phase"])
    record_event(
        "assembly.phase_reopened",
        locked,
        actor=acting_user,
        assembly=locked,
        old={"phase": old},
        new={"phase": to_phase.value, "reason": reason},
    )
    assembly.phase = locked.phase
    _notify_staff_of_phase(locked, "reopened")
    return assembly


def check_set_phase_dates(
    assembly: Assembly,
    *,
    phase: str,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    acting_user,
) -> PhaseDates:
    """Validate the dates (end not before start), then :func:`do_set_phase_dates`."""
    if phase not in Phase.values:
        raise ValidationError({"phase": _("Unknown phase.")})
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end date is before the start date.")})
    return do_set_phase_dates(
        assembly, Phase(phase), starts_on=starts_on, ends_on=ends_on, acting_user=acting_user
    )


@transaction.atomic
def do_set_phase_dates(
    assembly: Assembly,
    phase: Phase,
    *,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    acting_user,
) -> PhaseDates:
    """Set one phase's planned dates; writes ``phase_dates.changed``."""
    row, _created = PhaseDates.objects.select_for_update().get_or_create(
        assembly=assembly, phase=phase.value
    )
    old = {"starts_on": _iso(row.starts_on), "ends_on": _iso(row.ends_on)}
    new = {"starts_on": _iso(starts_on), "ends_on": _iso(ends_on)}
    if old == new:
        return row
    row.starts_on, row.ends_on = starts_on, ends_on
    row.save(update_fields=["starts_on", "ends_on"])
    record_event(
        "phase_dates.changed",
        row,
        actor=acting_user,
        assembly=assembly,
        old={"phase": phase.value, **old},
        new={"phase": phase.value, **new},
    )
    return row


def check_set_all_phase_dates(
    assembly: Assembly,
    dates: dict[str, tuple[dt.date | None, dt.date | None]],
    *,
    acting_user,
) -> list[PhaseDates]:
    """Validate every phase's dates, then store them all or none.

    *dates* maps a phase value to ``(starts_on, ends_on)``. Errors are keyed
    ``<phase>_ends_on`` (the form's field names), and when there is any error
    nothing is saved: one form, one transaction.
    """
    errors = {}
    for phase, (starts_on, ends_on) in dates.items():
        if phase not in Phase.values:
            errors["__all__"] = _("Unknown phase.")
        elif starts_on and ends_on and ends_on < starts_on:
            errors[f"{phase}_ends_on"] = _("The end date is before the start date.")
    if errors:
        raise ValidationError(errors)
    return do_set_all_phase_dates(assembly, dates, acting_user=acting_user)


@transaction.atomic
def do_set_all_phase_dates(
    assembly: Assembly,
    dates: dict[str, tuple[dt.date | None, dt.date | None]],
    *,
    acting_user,
) -> list[PhaseDates]:
    """Store every phase's dates in one transaction (one ``phase_dates.changed`` per change)."""
    return [
        do_set_phase_dates(
            assembly, Phase(phase), starts_on=starts_on, ends_on=ends_on, acting_user=acting_user
        )
        for phase, (starts_on, ends_on) in dates.items()
    ]


def _iso(value) -> str | None:
    return value.isoformat() if value else None


@transaction.atomic
def do_grant_role(assembly: Assembly, user, role: str, *, acting_user, notify: bool = False):
    """Give *user* the staff *role* in *assembly* (no-op if held); writes ``role.granted``."""
    staff_role, created = StaffRole.objects.get_or_create(assembly=assembly, user=user, role=role)
    if not created:
        return staff_role
    record_event(
        "role.granted",
        staff_role,
        actor=acting_user,
        assembly=assembly,
        new={"user": user.email, "role": role},
    )
    if notify:
        send_on_commit(
            "assemblies/email/role_granted",
            {
                "assembly": assembly,
                "role": Role(role).label,
                "url": absolute_url(reverse("assemblies:dashboard", args=[assembly.slug])),
            },
            to=[user.email],
        )
    return staff_role


def check_revoke_role(staff_role: StaffRole, *, acting_user) -> None:
    """Refuse to remove the assembly's last organiser, then :func:`do_revoke_role`."""
    if (
        staff_role.role == Role.ORGANISER
        and StaffRole.objects.filter(assembly=staff_role.assembly, role=Role.ORGANISER).count() <= 1
    ):
        raise ValidationError(_("An assembly needs at least one organiser."))
    do_revoke_role(staff_role, acting_user=acting_user)


@transaction.atomic
def do_revoke_role(staff_role: StaffRole, *, acting_user) -> None:
    """Take a staff role away; writes ``role.revoked``."""
    assembly = staff_role.assembly
    old = {"user": staff_role.user.email, "role": staff_role.role}
    record_event("role.revoked", staff_role, actor=acting_user, assembly=assembly, old=old)
    staff_role.delete()


def check_invite_staff(
    assembly: Assembly, *, email: str, role: str, display_name: str = "", acting_user
) -> StaffRole:
    """Validate the email and role, then :func:`do_invite_staff`."""
    from django.core.validators import validate_email

    errors = {}
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Enter a valid email address.")
    if role not in Role.values:
        errors["role"] = _("Choose a role.")
    if (
        not errors
        and StaffRole.objects.filter(
            assembly=assembly, user__email__iexact=email, role=role
        ).exists()
    ):
        errors["email"] = _("This person already has that role in this assembly.")
    if errors:
        raise ValidationError(errors)
    return do_invite_staff(
        assembly, email=email, role=role, display_name=display_name, acting_user=acting_user
    )


@transaction.atomic
def do_invite_staff(
    assembly: Assembly, *, email: str, role: str, display_name: str = "", acting_user
) -> StaffRole:
    """Give *email* a staff role, creating the account if needed.

    A new account has no password; the email carries a link to set one (valid
    for ``PASSWORD_RESET_TIMEOUT``). An existing account is told of its new role.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from minipublic.web.people.actions import do_create_staff_account

    user = get_user_model().objects.filter(email__iexact=email).first()
    is_new = user is None
    if is_new:
        user = do_create_staff_account(
            email=email, display_name=display_name, acting_user=acting_user
        )
    staff_role = do_grant_role(assembly, user, role, acting_user=acting_user, notify=not is_new)
    if is_new or not user.has_usable_password():
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        link = absolute_url(reverse("people:set_password", args=[uid, token]))
        send_on_commit(
            "assemblies/email/staff_invitation",
            {
                "assembly": assembly,
                "role": Role(role).label,
                "link": link,
                "inviter": acting_user.get_full_name() if acting_user else "",
            },
            to=[user.email],
        )
    return staff_role


def check_schedule_meeting(
    assembly: Assembly,
    *,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    place: str = "",
    what_to_bring: str = "",
    title_cy: str = "",
    place_cy: str = "",
    acting_user,
) -> Meeting:
    """Validate, then :func:`do_schedule_meeting`."""
    errors = {}
    if not title.strip():
        errors["title"] = _("Give the session a title.")
    if ends_at and starts_at and ends_at <= starts_at:
        errors["ends_at"] = _("The session must end after it starts.")
    if errors:
        raise ValidationError(errors)
    return do_schedule_meeting(
        assembly,
        title=title.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        what_to_bring=what_to_bring,
        title_cy=title_cy.strip(),
        place_cy=place_cy.strip(),
        acting_user=acting_user,
    )


@transaction.atomic
def do_schedule_meeting(
    assembly: Assembly,
    *,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None,
    place: str,
    what_to_bring: str,
    acting_user,
    title_cy: str = "",
    place_cy: str = "",
) -> Meeting:
    """Add a session to the assembly's calendar; writes ``meeting.scheduled``."""
    meeting = Meeting.objects.create(
        assembly=assembly,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        what_to_bring=what_to_bring,
        title_cy=title_cy,
        place_cy=place_cy,
    )
    record_event(
        "meeting.scheduled",
        meeting,
        actor=acting_user,
        assembly=assembly,
        new={
            "title": title,
            "title_cy": title_cy,
            "starts_at": starts_at.isoformat(),
            "place": place,
            "place_cy": place_cy,
        },
    )
    return meeting


def _meeting_values(meeting: Meeting) -> dict:
    return {
        "title": meeting.title,
        "starts_at": meeting.starts_at.isoformat(),
        "ends_at": meeting.ends_at.isoformat() if meeting.ends_at else None,
        "place": meeting.place,
        "what_to_bring": meeting.what_to_bring,
        "title_cy": meeting.title_cy,
        "place_cy": meeting.place_cy,
    }


@transaction.atomic
def do_update_meeting(meeting: Meeting, *, acting_user, **changes) -> Meeting:
    """Change a meeting's date, titles, places or what to bring; writes ``meeting.updated``.

    ``changes`` are Meeting fields and their new values; the audit line
    holds only the fields whose value changed. Assumes valid input (the
    learning app's ``check_update_session`` validates).
    """
    old_values = _meeting_values(meeting)
    for field, value in changes.items():
        setattr(meeting, field, value)
    new_values = _meeting_values(meeting)
    changed = [f for f in new_values if new_values[f] != old_values[f]]
    if not changed:
        return meeting
    meeting.save(update_fields=list(changes))
    record_event(
        "meeting.updated",
        meeting,
        actor=acting_user,
        assembly=meeting.assembly,
        old={f: old_values[f] for f in changed},
        new={f: new_values[f] for f in changed},
    )
    return meeting
