"""Every change in the learning phase: sessions, table plans, evidence, questions, claims.

``do_*`` functions change state in one transaction and write one audit line;
they assume valid input. ``check_*`` functions validate (raising
:class:`django.core.exceptions.ValidationError` with a message per field) and
then call the matching ``do_*``. Views, tasks and the demo loader all go
through here.

Members act under their pseudonym: the audit line's actor is the
:class:`~minipublic.web.people.models.Participant`, and no personal details
go into ``old``/``new``.
"""

import datetime as dt
import secrets
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from minipublic.web.assemblies.actions import check_schedule_meeting, do_update_meeting
from minipublic.web.assemblies.audit import record_event
from minipublic.web.assemblies.models import Assembly, Meeting
from minipublic.web.learning.models import (
    Claim,
    Contribution,
    ContributionForm,
    Criterion,
    CriterionVote,
    PlanStatus,
    Question,
    QuestionStatus,
    QuestionVote,
    Rating,
    Seat,
    SessionPlan,
    Speaker,
    SpeakerKind,
    SpeakerRequest,
    TablePlan,
    Verdict,
)
from minipublic.web.notify import absolute_url, send_on_commit
from minipublic.web.people.models import Participant

#: Groups with fewer raters than this get a warning on the ratings page.
MIN_GROUP = 5
MAX_TABLES = 60
MAX_ROUNDS = 12


def members_of(assembly: Assembly):
    """The assembly's members: its active participants.

    Notes
    -----
    Today the demo's members are added by hand as participants; once accepted
    panel members become participants (issue 13) they are included here too.
    """
    return assembly.participants.filter(is_active=True)


def _member_check(participant: Participant, assembly: Assembly) -> None:
    if participant is None or participant.assembly_id != assembly.pk or not participant.is_active:
        raise ValidationError(_("Only members of this assembly can do this."))


# --- sessions --------------------------------------------------------------


def _speakers_of(assembly: Assembly, speaker_ids) -> list[Speaker]:
    ids = {int(i) for i in speaker_ids or []}
    speakers = list(Speaker.objects.filter(assembly=assembly, pk__in=ids))
    if len(speakers) != len(ids):
        raise ValidationError({"speakers": _("Choose speakers of this assembly.")})
    return speakers


def plan_of(meeting: Meeting) -> SessionPlan:
    """The meeting's session plan, empty if none was saved yet (not stored)."""
    try:
        return meeting.learning_plan
    except SessionPlan.DoesNotExist:
        return SessionPlan(meeting=meeting)


@transaction.atomic
def check_create_session(
    assembly: Assembly,
    *,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    place: str = "",
    what_to_bring: str = "",
    agenda: str = "",
    speakers=(),
    title_cy: str = "",
    place_cy: str = "",
    acting_user,
) -> Meeting:
    """Schedule the meeting (assemblies app) and save its agenda and speakers, all or nothing."""
    chosen = _speakers_of(assembly, speakers)
    meeting = check_schedule_meeting(
        assembly,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip(),
        what_to_bring=what_to_bring.strip(),
        title_cy=title_cy,
        place_cy=place_cy,
        acting_user=acting_user,
    )
    do_save_session_plan(meeting, agenda=agenda.strip(), speakers=chosen, acting_user=acting_user)
    return meeting


def check_update_session(
    meeting: Meeting,
    *,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    place: str = "",
    what_to_bring: str = "",
    agenda: str = "",
    speakers=(),
    title_cy: str = "",
    place_cy: str = "",
    acting_user,
) -> Meeting:
    """Validate, then :func:`~minipublic.web.assemblies.actions.do_update_meeting` and :func:`do_save_session_plan` together."""
    errors = {}
    if not title.strip():
        errors["title"] = _("Give the session a title.")
    if ends_at and starts_at and ends_at <= starts_at:
        errors["ends_at"] = _("The session must end after it starts.")
    if errors:
        raise ValidationError(errors)
    chosen = _speakers_of(meeting.assembly, speakers)
    with transaction.atomic():
        do_update_meeting(
            meeting,
            title=title.strip(),
            starts_at=starts_at,
            ends_at=ends_at,
            place=place.strip(),
            what_to_bring=what_to_bring.strip(),
            title_cy=title_cy.strip(),
            place_cy=place_cy.strip(),
            acting_user=acting_user,
        )
        do_save_session_plan(
            meeting, agenda=agenda.strip(), speakers=chosen, acting_user=acting_user
        )
    return meeting


@transaction.atomic
def do_save_session_plan(
    meeting: Meeting, *, agenda: str, speakers: list[Speaker], acting_user
) -> SessionPlan:
    """Save the session's agenda and speakers; writes ``session_plan.saved`` when they change."""
    plan, created = SessionPlan.objects.get_or_create(meeting=meeting)
    old = {"agenda": plan.agenda, "speakers": sorted(s.name for s in plan.speakers.all())}
    new = {"agenda": agenda, "speakers": sorted(s.name for s in speakers)}
    if old == new and not created:
        return plan
    plan.agenda = agenda
    plan.save(update_fields=["agenda"])
    plan.speakers.set(speakers)
    record_event(
        "session_plan.saved",
        plan,
        actor=acting_user,
        assembly=meeting.assembly,
        old=None if created else old,
        new=new,
    )
    return plan


# --- table plans ------------------------------------------------------------

MIX_CHOICES = ("diversify", "cluster")


def member_features(assembly: Assembly) -> dict[str, dict[str, str]]:
    """Pseudonym -> the member's registration answers (feature -> value); {} if none.

    Read from the recruitment app's :meth:`Registrant.features` (the same
    answers the selection used).
    """
    out: dict[str, dict[str, str]] = {}
    for p in members_of(assembly).select_related("registrant"):
        registrant = getattr(p, "registrant", None)
        out[p.pseudonym] = registrant.features() if registrant is not None else {}
    return out


def available_features(assembly: Assembly) -> list[str]:
    """Features at least one member answered, for the table-plan form."""
    names = set()
    for features in member_features(assembly).values():
        names.update(features)
    return sorted(names)


def parse_pins(text: str, *, pseudonyms: set[str], tables: int, rounds: int) -> list[list]:
    """Parse lines ``P-7F3KQ2 2 5`` (member, round, table) into ``[[round, pseudonym, table]]``.

    Raises :class:`ValidationError` on the ``pinned`` field naming the bad line.
    """
    pins = []
    seen = set()
    for n, line in enumerate(text.splitlines(), start=1):
        parts = line.replace(",", " ").split()
        if not parts:
            continue
        if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
            raise ValidationError(
                {
                    "pinned": _(
                        "Line %(n)d: write the member number, the round and the table, "
                        "for example “P-7F3KQ2 1 4”."
                    )
                    % {"n": n}
                }
            )
        who, rnd, table = parts[0].upper(), int(parts[1]), int(parts[2])
        if who not in pseudonyms:
            raise ValidationError(
                {"pinned": _("Line %(n)d: %(who)s is not a member.") % {"n": n, "who": who}}
            )
        if not 1 <= rnd <= rounds or not 1 <= table <= tables:
            raise ValidationError(
                {
                    "pinned": _(
                        "Line %(n)d: the round must be 1 to %(r)d and the table 1 to %(t)d."
                    )
                    % {"n": n, "r": rounds, "t": tables}
                }
            )
        if (rnd, who) in seen:
            raise ValidationError(
                {
                    "pinned": _("Line %(n)d: %(who)s is already pinned in round %(r)d.")
                    % {"n": n, "who": who, "r": rnd}
                }
            )
        seen.add((rnd, who))
        pins.append([rnd, who, table])
    return pins


def parse_apart(text: str, *, pseudonyms: set[str]) -> list[list[str]]:
    """Parse lines ``P-7F3KQ2 P-9XY4AB`` (two members never at one table); field ``apart``."""
    pairs = []
    for n, line in enumerate(text.splitlines(), start=1):
        parts = line.replace(",", " ").upper().split()
        if not parts:
            continue
        if len(parts) != 2 or parts[0] == parts[1]:
            raise ValidationError(
                {"apart": _("Line %(n)d: write two different member numbers.") % {"n": n}}
            )
        for who in parts:
            if who not in pseudonyms:
                raise ValidationError(
                    {"apart": _("Line %(n)d: %(who)s is not a member.") % {"n": n, "who": who}}
                )
        pairs.append(sorted(parts))
    return pairs


def facilitator_users(assembly: Assembly):
    """Staff accounts holding the facilitator role in *assembly*."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(staff_roles__assembly=assembly, staff_roles__role="facilitator")
        .distinct()
        .order_by("display_name", "email")
    )


def parse_tables(text: str, *, tables: int) -> list[int]:
    """Parse ``1, 2, 5`` into a sorted list of table numbers (field ``accessible_tables``)."""
    out = set()
    for part in text.replace(",", " ").split():
        if not part.isdigit() or not 1 <= int(part) <= tables:
            raise ValidationError(
                {
                    "accessible_tables": _("“%(v)s” is not a table number from 1 to %(t)d.")
                    % {"v": part, "t": tables}
                }
            )
        out.add(int(part))
    return sorted(out)


def check_start_table_plan(
    meeting: Meeting,
    *,
    tables: int,
    rounds: int,
    mix: dict[str, str],
    seed: int | None = None,
    accessible_tables: str = "",
    pinned: str = "",
    apart: str = "",
    facilitators: dict | None = None,
    keep_language_together: bool = True,
    acting_user,
):
    """Validate the options, store a plan being computed, start the task; returns (plan, progress).

    *facilitators* maps a facilitator's user id to the table they lead (or
    None); the plan keeps them there in every round.
    """
    assembly = meeting.assembly
    n = members_of(assembly).count()
    errors = {}
    if n < 2:
        errors["tables"] = _("The assembly needs at least two members for a table plan.")
    elif not 1 <= tables <= min(n, MAX_TABLES):
        errors["tables"] = _("Choose from 1 to %(max)d tables for %(n)d members.") % {
            "max": min(n, MAX_TABLES),
            "n": n,
        }
    if not 1 <= rounds <= MAX_ROUNDS:
        errors["rounds"] = _("Choose from 1 to %(max)d rounds.") % {"max": MAX_ROUNDS}
    features = set(available_features(assembly))
    bad = [f for f, how in mix.items() if f not in features or how not in MIX_CHOICES]
    if bad:
        errors["mix"] = _("Unknown feature or choice: %(bad)s.") % {"bad": ", ".join(sorted(bad))}
    if errors:
        raise ValidationError(errors)
    pseudonyms = set(members_of(assembly).values_list("pseudonym", flat=True))
    pins = parse_pins(pinned, pseudonyms=pseudonyms, tables=tables, rounds=rounds)
    accessible = parse_tables(accessible_tables, tables=tables)
    pairs = parse_apart(apart, pseudonyms=pseudonyms)
    known = {u.pk for u in facilitator_users(assembly)}
    leads = {}
    for uid, table in (facilitators or {}).items():
        if table in (None, ""):
            continue
        if int(uid) not in known or not 1 <= int(table) <= tables:
            raise ValidationError(
                {
                    "facilitators": _("Give each facilitator a table from 1 to %(t)d.")
                    % {"t": tables}
                }
            )
        leads[str(int(uid))] = int(table)
    if seed is None:
        seed = secrets.randbelow(2**31)
    return do_start_table_plan(
        meeting,
        tables=tables,
        rounds=rounds,
        mix=dict(sorted(mix.items())),
        seed=int(seed),
        accessible_tables=accessible,
        pinned=pins,
        apart=pairs,
        facilitators=leads,
        keep_language_together=keep_language_together,
        acting_user=acting_user,
    )


@transaction.atomic
def do_create_table_plan(meeting: Meeting, *, acting_user, **options) -> TablePlan:
    """Store a plan in ``computing`` state; writes ``table_plan.started``."""
    plan = TablePlan.objects.create(meeting=meeting, created_by=acting_user, **options)
    record_event(
        "table_plan.started",
        plan,
        actor=acting_user,
        assembly=meeting.assembly,
        new={"session": meeting.title, **options},
    )
    return plan


@transaction.atomic
def do_start_table_plan(meeting: Meeting, *, acting_user, **options):
    """:func:`do_create_table_plan`, then start :func:`run_table_plan`; returns (plan, progress)."""
    from minipublic.web.learning.tasks import run_table_plan
    from minipublic.web.progress.actions import do_start_task

    plan = do_create_table_plan(meeting, acting_user=acting_user, **options)
    progress = do_start_task(
        run_table_plan,
        kind="learning.table_plan",
        title=_("Making the table plan"),
        assembly=meeting.assembly,
        acting_user=acting_user,
        plan_id=plan.pk,
    )
    return plan, progress


def check_reseat(plan: TablePlan, *, absent: list[str], round_number: int, seed=None, acting_user):
    """Re-seat one round after absences: a new plan that moves as few present members as possible."""
    errors = {}
    if plan.status != PlanStatus.READY:
        errors["absent"] = _("Only a finished table plan can be re-seated.")
    seated = set(plan.seats.values_list("participant__pseudonym", flat=True))
    absent = sorted({a.strip().upper() for a in absent if a.strip()})
    if not absent:
        errors["absent"] = _("Choose who is absent.")
    elif set(absent) - seated:
        errors["absent"] = _("Not in this plan: %(who)s.") % {
            "who": ", ".join(sorted(set(absent) - seated))
        }
    if not 1 <= round_number <= plan.rounds:
        errors["round"] = _("Choose a round from 1 to %(r)d.") % {"r": plan.rounds}
    if errors:
        raise ValidationError(errors)
    return do_start_reseat(
        plan,
        absent=absent,
        round_number=round_number,
        seed=int(seed if seed is not None else secrets.randbelow(2**31)),
        acting_user=acting_user,
    )


@transaction.atomic
def do_start_reseat(plan: TablePlan, *, absent, round_number: int, seed: int, acting_user):
    """Store the re-seated plan being computed and start the task; writes ``table_plan.reseat_started``."""
    from minipublic.web.learning.tasks import run_table_plan
    from minipublic.web.progress.actions import do_start_task

    new = TablePlan.objects.create(
        meeting=plan.meeting,
        parent=plan,
        created_by=acting_user,
        tables=plan.tables,
        rounds=plan.rounds,
        mix=plan.mix,
        seed=seed,
        accessible_tables=plan.accessible_tables,
        pinned=plan.pinned,
        apart=plan.apart,
        facilitators=plan.facilitators,
        keep_language_together=plan.keep_language_together,
        absent=absent,
        reseat_from=round_number,
    )
    record_event(
        "table_plan.reseat_started",
        new,
        actor=acting_user,
        assembly=plan.meeting.assembly,
        new={"from_plan": plan.pk, "absent": absent, "round": round_number, "seed": seed},
    )
    progress = do_start_task(
        run_table_plan,
        kind="learning.reseat",
        title=_("Re-seating after absences"),
        assembly=plan.meeting.assembly,
        acting_user=acting_user,
        plan_id=new.pk,
    )
    return new, progress


@transaction.atomic
def do_store_table_plan(plan: TablePlan, *, seats: list[tuple[int, int, str]], result) -> TablePlan:
    """Store the core's result: seats ``(round, table, pseudonym)`` and the scores.

    Writes ``table_plan.computed``. *result* is a
    :class:`~minipublic.web.learning.tables.PlanResult`.
    """
    by_pseudonym = {
        p.pseudonym: p
        for p in Participant.objects.filter(
            assembly=plan.meeting.assembly, pseudonym__in={s[2] for s in seats}
        )
    }
    plan.seats.all().delete()
    Seat.objects.bulk_create(
        [Seat(plan=plan, round=r, table=t, participant=by_pseudonym[p]) for r, t, p in seats]
    )
    plan.status = PlanStatus.READY
    plan.repeat_meetings = result.repeat_meetings
    plan.repeat_lower_bound = result.repeat_lower_bound
    plan.mixing = result.mixing
    plan.moved = result.moved
    plan.summary = result.summary
    plan.save()
    record_event(
        "table_plan.computed",
        plan,
        actor=None,
        assembly=plan.meeting.assembly,
        new={
            "seed": plan.seed,
            "seats": len(seats),
            "repeat_meetings": result.repeat_meetings,
            "repeat_lower_bound": result.repeat_lower_bound,
            "moved": result.moved,
        },
    )
    return plan


@transaction.atomic
def do_fail_table_plan(plan: TablePlan, message: str) -> TablePlan:
    """Mark the plan failed with *message*; writes ``table_plan.failed``."""
    plan.status = PlanStatus.FAILED
    plan.error = message[:300]
    plan.save(update_fields=["status", "error"])
    record_event(
        "table_plan.failed", plan, assembly=plan.meeting.assembly, new={"error": plan.error}
    )
    return plan


def current_plan(meeting: Meeting) -> TablePlan | None:
    """The session's table plan: its newest ready one."""
    return meeting.table_plans.filter(status=PlanStatus.READY).first()


def seats_of(participant: Participant, meeting: Meeting) -> list[Seat]:
    """The member's seats in the session's current plan, by round."""
    plan = current_plan(meeting)
    if plan is None:
        return []
    return list(plan.seats.filter(participant=participant).order_by("round"))


# --- evidence ---------------------------------------------------------------


def check_add_speaker(
    assembly: Assembly, *, name: str, kind: str, role: str = "", interests: str = "", acting_user
) -> Speaker:
    """Validate, then :func:`do_add_speaker`."""
    errors = {}
    if not name.strip():
        errors["name"] = _("Give the speaker's name.")
    if kind not in SpeakerKind.values:
        errors["kind"] = _("Choose the kind of speaker.")
    if errors:
        raise ValidationError(errors)
    return do_add_speaker(
        assembly,
        name=name.strip(),
        kind=kind,
        role=role.strip(),
        interests=interests.strip(),
        acting_user=acting_user,
    )


@transaction.atomic
def do_add_speaker(
    assembly: Assembly, *, name: str, kind: str, role: str, interests: str, acting_user
) -> Speaker:
    """Add a speaker with their declared interests; writes ``speaker.added``."""
    speaker = Speaker.objects.create(
        assembly=assembly, name=name, kind=kind, role=role, interests=interests
    )
    record_event(
        "speaker.added",
        speaker,
        actor=acting_user,
        assembly=assembly,
        new={"name": name, "kind": kind, "role": role, "interests": interests},
    )
    return speaker


def check_update_speaker(
    speaker: Speaker, *, name: str, kind: str, role: str = "", interests: str = "", acting_user
) -> Speaker:
    """Validate as :func:`check_add_speaker`, then :func:`do_update_speaker`."""
    errors = {}
    if not name.strip():
        errors["name"] = _("Give the speaker's name.")
    if kind not in SpeakerKind.values:
        errors["kind"] = _("Choose the kind of speaker.")
    if errors:
        raise ValidationError(errors)
    return do_update_speaker(
        speaker,
        acting_user=acting_user,
        name=name.strip(),
        kind=kind,
        role=role.strip(),
        interests=interests.strip(),
    )


def _update_fields(obj, event: str, *, assembly, acting_user, **changes):
    """Set the changed fields of *obj*, save them and write *event* with old and new values."""
    old = {f: getattr(obj, f) for f, v in changes.items() if getattr(obj, f) != v}
    if not old:
        return obj
    for field in old:
        setattr(obj, field, changes[field])
    obj.save(update_fields=list(old))
    record_event(
        event,
        obj,
        actor=acting_user,
        assembly=assembly,
        old={f: _plain(v) for f, v in old.items()},
        new={f: _plain(changes[f]) for f in old},
    )
    return obj


def _plain(value):
    return value.title if isinstance(value, Meeting) else getattr(value, "pk", value)


@transaction.atomic
def do_update_speaker(speaker: Speaker, *, acting_user, **changes) -> Speaker:
    """Change a speaker's name, kind, role or declared interests; writes ``speaker.updated``."""
    return _update_fields(
        speaker, "speaker.updated", assembly=speaker.assembly, acting_user=acting_user, **changes
    )


def check_add_contribution(
    assembly: Assembly,
    *,
    speaker: Speaker | None,
    title: str,
    form: str,
    meeting: Meeting | None = None,
    summary: str = "",
    link: str = "",
    acting_user,
) -> Contribution:
    """Validate, then :func:`do_add_contribution`."""
    errors = {}
    if speaker is None or speaker.assembly_id != assembly.pk:
        errors["speaker"] = _("Choose a speaker of this assembly.")
    if not title.strip():
        errors["title"] = _("Give the contribution a title.")
    if form not in ContributionForm.values:
        errors["form"] = _("Choose what form the contribution takes.")
    if meeting is not None and meeting.assembly_id != assembly.pk:
        errors["meeting"] = _("Choose a session of this assembly.")
    if link and not link.startswith(("https://", "http://")):
        errors["link"] = _("A link starts with https://.")
    if errors:
        raise ValidationError(errors)
    return do_add_contribution(
        assembly,
        speaker=speaker,
        title=title.strip(),
        form=form,
        meeting=meeting,
        summary=summary.strip(),
        link=link.strip(),
        acting_user=acting_user,
    )


@transaction.atomic
def do_add_contribution(
    assembly: Assembly,
    *,
    speaker: Speaker,
    title: str,
    form: str,
    meeting: Meeting | None,
    summary: str,
    link: str,
    acting_user,
) -> Contribution:
    """Add a piece of evidence to the library; writes ``contribution.added``."""
    contribution = Contribution.objects.create(
        assembly=assembly,
        speaker=speaker,
        title=title,
        form=form,
        meeting=meeting,
        summary=summary,
        link=link,
    )
    record_event(
        "contribution.added",
        contribution,
        actor=acting_user,
        assembly=assembly,
        new={
            "title": title,
            "speaker": speaker.name,
            "kind": speaker.kind,
            "form": form,
            "session": meeting.title if meeting else None,
        },
    )
    return contribution


def check_update_contribution(
    contribution: Contribution,
    *,
    speaker: Speaker | None,
    title: str,
    form: str,
    meeting: Meeting | None = None,
    summary: str = "",
    link: str = "",
    acting_user,
) -> Contribution:
    """Validate as :func:`check_add_contribution`, then :func:`do_update_contribution`.

    Ratings already given stay with the contribution.
    """
    assembly = contribution.assembly
    errors = {}
    if speaker is None or speaker.assembly_id != assembly.pk:
        errors["speaker"] = _("Choose a speaker of this assembly.")
    if not title.strip():
        errors["title"] = _("Give the contribution a title.")
    if form not in ContributionForm.values:
        errors["form"] = _("Choose what form the contribution takes.")
    if meeting is not None and meeting.assembly_id != assembly.pk:
        errors["meeting"] = _("Choose a session of this assembly.")
    if link and not link.startswith(("https://", "http://")):
        errors["link"] = _("A link starts with https://.")
    if errors:
        raise ValidationError(errors)
    return do_update_contribution(
        contribution,
        acting_user=acting_user,
        speaker=speaker,
        title=title.strip(),
        form=form,
        meeting=meeting,
        summary=summary.strip(),
        link=link.strip(),
    )


@transaction.atomic
def do_update_contribution(contribution: Contribution, *, acting_user, **changes) -> Contribution:
    """Change a contribution; writes ``contribution.updated``."""
    return _update_fields(
        contribution,
        "contribution.updated",
        assembly=contribution.assembly,
        acting_user=acting_user,
        **changes,
    )


def _score(value, field: str) -> int:
    try:
        score = int(value)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ValidationError({field: _("Choose a number from 1 to 5.")})
    return score


def check_rate_contribution(
    contribution: Contribution, participant: Participant, *, trust, clarity, fairness, now=None
) -> Rating:
    """Validate (a member, after the session, each score 1-5), then :func:`do_rate_contribution`."""
    _member_check(participant, contribution.assembly)
    if not contribution.open_for_rating(now):
        raise ValidationError(_("You can rate this after its session."))
    errors = {}
    scores = {}
    for field, value in (("trust", trust), ("clarity", clarity), ("fairness", fairness)):
        try:
            scores[field] = _score(value, field)
        except ValidationError as exc:
            errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)
    return do_rate_contribution(contribution, participant, **scores)


@transaction.atomic
def do_rate_contribution(
    contribution: Contribution, participant: Participant, *, trust: int, clarity: int, fairness: int
) -> Rating:
    """Save (or change) the member's rating; writes ``rating.saved`` under their pseudonym."""
    rating = Rating.objects.filter(contribution=contribution, participant=participant).first()
    old = (
        {"trust": rating.trust, "clarity": rating.clarity, "fairness": rating.fairness}
        if rating
        else None
    )
    new = {"trust": trust, "clarity": clarity, "fairness": fairness}
    if rating is None:
        rating = Rating(contribution=contribution, participant=participant)
    rating.trust, rating.clarity, rating.fairness = trust, clarity, fairness
    rating.save()
    record_event(
        "rating.saved",
        contribution,
        actor=participant,
        assembly=contribution.assembly,
        old=old,
        new=new,
    )
    return rating


def check_request_speaker(
    assembly: Assembly, participant: Participant, *, who: str, why: str = ""
) -> SpeakerRequest:
    """Validate, then :func:`do_request_speaker`."""
    _member_check(participant, assembly)
    if not who.strip():
        raise ValidationError({"who": _("Say who you would trust to inform the assembly.")})
    return do_request_speaker(assembly, participant, who=who.strip()[:300], why=why.strip())


@transaction.atomic
def do_request_speaker(
    assembly: Assembly, participant: Participant, *, who: str, why: str
) -> SpeakerRequest:
    """Record a member's speaker request; writes ``speaker.requested``."""
    request = SpeakerRequest.objects.create(
        assembly=assembly, participant=participant, who=who, why=why
    )
    record_event(
        "speaker.requested", request, actor=participant, assembly=assembly, new={"who": who}
    )
    return request


def trust_bands(assembly: Assembly) -> dict[int, str]:
    """Participant id -> baseline trust band from registration (low/medium/high, or unknown).

    ``low`` is trust in national government 0-3, ``medium`` 4-6, ``high``
    7-10 (the recruitment app's bands). Members with no registration
    answer on trust are ``unknown``.
    """
    from minipublic.web.recruitment.models import trust_band

    bands = {}
    for p in members_of(assembly).select_related("registrant"):
        registrant = getattr(p, "registrant", None)
        band = trust_band(registrant.trust_in_government) if registrant is not None else ""
        bands[p.pk] = band or "unknown"
    return bands


@dataclass(frozen=True)
class RatingCell:
    """Mean ratings of one group: how many ratings, from how many members."""

    n_ratings: int
    n_members: int
    trust: float | None
    clarity: float | None
    fairness: float | None

    @property
    def too_small(self) -> bool:
        return self.n_members < MIN_GROUP


TRUST_GROUPS = ("low", "medium", "high", "unknown")


def _cell(rows) -> RatingCell:
    n = len(rows)
    if not n:
        return RatingCell(0, 0, None, None, None)
    return RatingCell(
        n_ratings=n,
        n_members=len({r[0] for r in rows}),
        trust=sum(r[1] for r in rows) / n,
        clarity=sum(r[2] for r in rows) / n,
        fairness=sum(r[3] for r in rows) / n,
    )


def ratings_report(assembly: Assembly) -> dict:
    """Mean trust, clarity and fairness by speaker kind × members' baseline trust band.

    Returns ``{"rows": [(kind, label, {band: RatingCell}, RatingCell total)], "bands": [...],
    "by_contribution": {contribution_id: RatingCell}, "members_by_band": {band: n}}``.
    Ratings of members who have left count under ``unknown``.
    """
    bands = trust_bands(assembly)
    groups: dict[tuple[str, str], list] = defaultdict(list)
    per_kind: dict[str, list] = defaultdict(list)
    per_contribution: dict[int, list] = defaultdict(list)
    ratings = Rating.objects.filter(contribution__assembly=assembly).values_list(
        "participant_id",
        "trust",
        "clarity",
        "fairness",
        "contribution_id",
        "contribution__speaker__kind",
    )
    for pid, trust, clarity, fairness, cid, kind in ratings:
        row = (pid, trust, clarity, fairness)
        groups[(kind, bands.get(pid, "unknown"))].append(row)
        per_kind[kind].append(row)
        per_contribution[cid].append(row)
    rows = []
    for kind in SpeakerKind:
        cells = {band: _cell(groups[(kind.value, band)]) for band in TRUST_GROUPS}
        rows.append((kind.value, kind.label, cells, _cell(per_kind[kind.value])))
    members_by_band = {band: 0 for band in TRUST_GROUPS}
    for band in bands.values():
        members_by_band[band] += 1
    return {
        "rows": rows,
        "bands": TRUST_GROUPS,
        "by_contribution": {cid: _cell(rows_) for cid, rows_ in per_contribution.items()},
        "members_by_band": members_by_band,
        "n_ratings": len(ratings),
    }


# --- questions --------------------------------------------------------------


def check_ask_question(
    meeting: Meeting, participant: Participant, *, text: str, speaker: Speaker | None = None
) -> Question:
    """Validate, then :func:`do_ask_question`."""
    _member_check(participant, meeting.assembly)
    errors = {}
    if not text.strip():
        errors["text"] = _("Write your question.")
    elif len(text) > 1000:
        errors["text"] = _("Keep your question under 1000 characters.")
    if speaker is not None and speaker.assembly_id != meeting.assembly_id:
        errors["speaker"] = _("Choose a speaker of this assembly.")
    if errors:
        raise ValidationError(errors)
    return do_ask_question(meeting, participant, text=text.strip(), speaker=speaker)


@transaction.atomic
def do_ask_question(
    meeting: Meeting, participant: Participant, *, text: str, speaker: Speaker | None
) -> Question:
    """Add a member's question for a session; writes ``question.asked``."""
    question = Question.objects.create(
        assembly=meeting.assembly,
        meeting=meeting,
        participant=participant,
        text=text,
        speaker=speaker,
    )
    record_event(
        "question.asked",
        question,
        actor=participant,
        assembly=meeting.assembly,
        new={"session": meeting.title, "text": text, "speaker": speaker.name if speaker else None},
    )
    return question


def check_vote_question(question: Question, participant: Participant) -> QuestionVote:
    """One up-vote per member per question."""
    _member_check(participant, question.assembly)
    if QuestionVote.objects.filter(question=question, participant=participant).exists():
        raise ValidationError(_("You have already voted for this question."))
    return do_vote_question(question, participant)


@transaction.atomic
def do_vote_question(question: Question, participant: Participant) -> QuestionVote:
    """Record the up-vote; writes ``question.voted``."""
    vote = QuestionVote.objects.create(question=question, participant=participant)
    record_event(
        "question.voted",
        question,
        actor=participant,
        assembly=question.assembly,
        new={"votes": question.votes.count()},
    )
    return vote


def check_answer_question(
    question: Question, *, status: str, answer: str, acting_user, notify: bool = True
) -> Question:
    """Validate (in session or in writing; a written answer needs text), then :func:`do_answer_question`."""
    errors = {}
    if status not in (QuestionStatus.IN_SESSION, QuestionStatus.IN_WRITING):
        errors["status"] = _("Say how the question was answered.")
    elif status == QuestionStatus.IN_WRITING and not answer.strip():
        errors["answer"] = _("Write the answer members will read.")
    if errors:
        raise ValidationError(errors)
    return do_answer_question(
        question, status=status, answer=answer.strip(), acting_user=acting_user, notify=notify
    )


@transaction.atomic
def do_answer_question(
    question: Question, *, status: str, answer: str, acting_user, notify: bool = True
) -> Question:
    """Record the answer; writes ``question.answered`` and emails the member who asked."""
    old = {"status": question.status, "answer": question.answer}
    question.status = status
    question.answer = answer
    question.answered_at = timezone.now()
    question.answered_by = acting_user
    question.save(update_fields=["status", "answer", "answered_at", "answered_by"])
    record_event(
        "question.answered",
        question,
        actor=acting_user,
        assembly=question.assembly,
        old=old,
        new={"status": status, "answer": answer},
    )
    if notify:
        _email_member(
            question.participant,
            "learning/email/question_answered",
            {"assembly": question.assembly, "question": question},
            "learning:my_questions",
        )
    return question


def _email_member(participant: Participant, template: str, context: dict, page: str) -> None:
    """Email a member (if they gave an address) in their language, with a link to *page*."""
    details = getattr(participant, "personal_details", None)
    if details is None or not details.email:
        return
    assembly = context["assembly"]
    send_on_commit(
        template,
        {**context, "url": absolute_url(reverse(page, args=[assembly.slug]))},
        to=[details.email],
        language=details.preferred_language,
    )


# --- criteria and claims ----------------------------------------------------


def check_propose_criterion(assembly: Assembly, *, text: str, acting_user) -> Criterion:
    """Validate, then :func:`do_propose_criterion`."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write the criterion.")})
    if Criterion.objects.filter(assembly=assembly, text__iexact=text).exists():
        raise ValidationError({"text": _("This criterion is already on the list.")})
    return do_propose_criterion(assembly, text=text[:200], acting_user=acting_user)


@transaction.atomic
def do_propose_criterion(assembly: Assembly, *, text: str, acting_user) -> Criterion:
    """Put a criterion for reliable information to the members' vote; writes ``criterion.proposed``."""
    criterion = Criterion.objects.create(assembly=assembly, text=text)
    record_event(
        "criterion.proposed", criterion, actor=acting_user, assembly=assembly, new={"text": text}
    )
    return criterion


def check_vote_criteria(assembly: Assembly, participant: Participant, *, criteria) -> list[int]:
    """The member supports exactly *criteria* (ids) of this assembly's list."""
    _member_check(participant, assembly)
    ids = {int(c) for c in criteria}
    known = set(Criterion.objects.filter(assembly=assembly).values_list("pk", flat=True))
    if ids - known:
        raise ValidationError({"criteria": _("Choose criteria from the list.")})
    return do_vote_criteria(assembly, participant, criteria=sorted(ids))


@transaction.atomic
def do_vote_criteria(
    assembly: Assembly, participant: Participant, *, criteria: list[int]
) -> list[int]:
    """Replace the member's support with *criteria*; writes ``criteria.voted`` when it changes."""
    votes = CriterionVote.objects.filter(participant=participant, criterion__assembly=assembly)
    old = sorted(votes.values_list("criterion_id", flat=True))
    if old == criteria:
        return criteria
    votes.exclude(criterion_id__in=criteria).delete()
    CriterionVote.objects.bulk_create(
        [CriterionVote(criterion_id=c, participant=participant) for c in criteria if c not in old]
    )
    record_event(
        "criteria.voted",
        participant,
        actor=participant,
        assembly=assembly,
        old={"criteria": old},
        new={"criteria": criteria},
    )
    return criteria


def criteria_support(assembly: Assembly) -> list[dict]:
    """Each criterion with its supporters and whether it is agreed.

    A criterion is agreed when more than half of the members support it.
    """
    n_members = members_of(assembly).count()
    out = []
    for c in Criterion.objects.filter(assembly=assembly):
        votes = c.votes.filter(participant__is_active=True).count()
        out.append(
            {
                "criterion": c,
                "votes": votes,
                "members": n_members,
                "agreed": n_members > 0 and 2 * votes > n_members,
            }
        )
    return out


def agreed_criteria(assembly: Assembly) -> list[Criterion]:
    return [row["criterion"] for row in criteria_support(assembly) if row["agreed"]]


def check_flag_claim(
    assembly: Assembly,
    *,
    text: str,
    meeting: Meeting | None = None,
    heard_from: str = "",
    participant: Participant | None = None,
    acting_user=None,
) -> Claim:
    """A member or a staff member flags a claim heard in the room."""
    if participant is not None:
        _member_check(participant, assembly)
    errors = {}
    if not text.strip():
        errors["text"] = _("Write down the claim as you heard it.")
    elif len(text) > 1000:
        errors["text"] = _("Keep the claim under 1000 characters.")
    if meeting is not None and meeting.assembly_id != assembly.pk:
        errors["meeting"] = _("Choose a session of this assembly.")
    if errors:
        raise ValidationError(errors)
    return do_flag_claim(
        assembly,
        text=text.strip(),
        meeting=meeting,
        heard_from=heard_from.strip()[:200],
        participant=participant,
        acting_user=acting_user,
    )


@transaction.atomic
def do_flag_claim(
    assembly: Assembly,
    *,
    text: str,
    meeting: Meeting | None,
    heard_from: str,
    participant: Participant | None,
    acting_user,
) -> Claim:
    """Add the claim to the register; writes ``claim.flagged``."""
    claim = Claim.objects.create(
        assembly=assembly,
        text=text,
        meeting=meeting,
        heard_from=heard_from,
        flagged_by_participant=participant,
        flagged_by_user=acting_user,
    )
    record_event(
        "claim.flagged",
        claim,
        actor=participant or acting_user,
        assembly=assembly,
        new={"text": text, "heard_from": heard_from, "session": meeting.title if meeting else None},
    )
    return claim


def check_respond_claim(
    claim: Claim,
    *,
    verdict: str,
    response: str,
    sources: str,
    criteria_met=(),
    acting_user,
    notify: bool = True,
) -> Claim:
    """Validate (a verdict, plain words and sources; criteria from the agreed list), then respond."""
    errors = {}
    if verdict not in Verdict.values:
        errors["verdict"] = _("Choose a verdict.")
    if not response.strip():
        errors["response"] = _("Explain the answer in plain words.")
    if not sources.strip():
        errors["sources"] = _("Name the sources you checked.")
    agreed = agreed_criteria(claim.assembly)
    agreed_ids = {c.pk for c in agreed}
    met = {int(c) for c in criteria_met}
    if met - agreed_ids:
        errors["criteria_met"] = _("Tick only criteria the assembly agreed.")
    if errors:
        raise ValidationError(errors)
    return do_respond_claim(
        claim,
        verdict=verdict,
        response=response.strip(),
        sources=sources.strip(),
        criteria_checked=agreed,
        criteria_met=[c for c in agreed if c.pk in met],
        acting_user=acting_user,
        notify=notify,
    )


@transaction.atomic
def do_respond_claim(
    claim: Claim,
    *,
    verdict: str,
    response: str,
    sources: str,
    criteria_checked: list[Criterion],
    criteria_met: list[Criterion],
    acting_user,
    notify: bool = True,
) -> Claim:
    """Publish the answer to a claim; writes ``claim.answered``.

    The member who flagged it is emailed the first time it is answered.
    """
    old = {"verdict": claim.verdict, "response": claim.response} if claim.verdict else None
    claim.verdict = verdict
    claim.response = response
    claim.sources = sources
    claim.responded_at = timezone.now()
    claim.responded_by = acting_user
    claim.save(update_fields=["verdict", "response", "sources", "responded_at", "responded_by"])
    claim.criteria_checked.set(criteria_checked)
    claim.criteria_met.set(criteria_met)
    record_event(
        "claim.answered",
        claim,
        actor=acting_user,
        assembly=claim.assembly,
        old=old,
        new={
            "verdict": verdict,
            "response": response,
            "sources": sources,
            "criteria_met": [c.text for c in criteria_met],
            "criteria_checked": [c.text for c in criteria_checked],
        },
    )
    if notify and old is None and claim.flagged_by_participant is not None:
        _email_member(
            claim.flagged_by_participant,
            "learning/email/claim_answered",
            {"assembly": claim.assembly, "claim": claim},
            "learning:my_claims",
        )
    return claim


def member_url(name: str, assembly: Assembly) -> str:
    return reverse(f"learning:{name}", args=[assembly.slug])
