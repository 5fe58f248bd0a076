"""Every change in follow-up: the promise, responses and their publication, status updates,
sub-items, members' verdicts and joint statements, followers. Each writes one audit line.

``check_*`` validates (``ValidationError`` with field → message) and calls
``do_*``, which changes the rows in one transaction.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from minipublic.web.assemblies.audit import record_event
from minipublic.web.assemblies.models import Assembly
from minipublic.web.decisions.models import Outcome, Recommendation
from minipublic.web.followup.models import (
    Category,
    Commitment,
    Fidelity,
    Follower,
    ImplementationStatus,
    JointSignature,
    JointStatement,
    Notice,
    NoticeKind,
    Response,
    ResponseVersion,
    StatusUpdate,
    SubItem,
    Verdict,
)
from minipublic.web.notify import absolute_url, send_on_commit

RESPONSE_FIELDS = ("category", "reason", "responsible_body", "actions", "due_by")
MAX_TEXT = 10_000


def _text(value, limit: int = MAX_TEXT) -> str:
    return str(value or "").strip()[:limit]


# --- the promise ------------------------------------------------------------------


def check_set_commitment(
    assembly: Assembly,
    *,
    promise: str,
    respond_by: datetime.date,
    first_report_months: int = 3,
    report_every_months: int = 6,
    acting_user=None,
) -> Commitment:
    errors = {}
    if not _text(promise):
        errors["promise"] = _("Write what the commissioner promised.")
    if not isinstance(respond_by, datetime.date):
        errors["respond_by"] = _("Give the date by which every recommendation will be answered.")
    if not 1 <= int(first_report_months) <= 24:
        errors["first_report_months"] = _("Between 1 and 24 months.")
    if not 1 <= int(report_every_months) <= 24:
        errors["report_every_months"] = _("Between 1 and 24 months.")
    if errors:
        raise ValidationError(errors)
    return do_set_commitment(
        assembly,
        promise=_text(promise),
        respond_by=respond_by,
        first_report_months=int(first_report_months),
        report_every_months=int(report_every_months),
        acting_user=acting_user,
    )


@transaction.atomic
def do_set_commitment(
    assembly, *, promise, respond_by, first_report_months, report_every_months, acting_user=None
):
    obj = Commitment.objects.select_for_update().filter(assembly=assembly).first()
    new = {
        "promise": promise,
        "respond_by": respond_by.isoformat(),
        "first_report_months": first_report_months,
        "report_every_months": report_every_months,
    }
    old = None
    if obj is None:
        obj = Commitment(assembly=assembly)
    else:
        old = {
            "promise": obj.promise,
            "respond_by": obj.respond_by.isoformat(),
            "first_report_months": obj.first_report_months,
            "report_every_months": obj.report_every_months,
        }
        if old == new:
            return obj
    obj.promise, obj.respond_by = promise, respond_by
    obj.first_report_months, obj.report_every_months = first_report_months, report_every_months
    obj.save()
    record_event("commitment.changed", obj, actor=acting_user, assembly=assembly, old=old, new=new)
    return obj


# --- responses --------------------------------------------------------------------


def check_save_response(
    recommendation: Recommendation,
    *,
    category: str,
    reason: str = "",
    responsible_body: str = "",
    actions: str = "",
    due_by: datetime.date | None = None,
    acting_user=None,
) -> Response:
    """Validate the commissioner's draft answer, then save it (still private).

    Rules: only adopted recommendations get an answer; a reason is required for
    every answer but "accepted"; "accepted" and "accepted in part" also say
    what will be done and by when.
    """
    errors = {}
    if recommendation.outcome != Outcome.ADOPTED:
        raise ValidationError({"category": _("Only adopted recommendations get a response.")})
    if category not in Category.values:
        errors["category"] = _("Choose one of the answers.")
    if category != Category.ACCEPTED and not _text(reason):
        errors["reason"] = _("Give the reason: it is required for every answer but “Accepted”.")
    if category in (Category.ACCEPTED, Category.ACCEPTED_IN_PART):
        if not _text(actions):
            errors["actions"] = _("Say what will be done.")
        if due_by is None:
            errors["due_by"] = _("Say by when it will be done.")
    if not _text(responsible_body, 200):
        errors["responsible_body"] = _("Say which body or team is responsible.")
    if errors:
        raise ValidationError(errors)
    return do_save_response(
        recommendation,
        category=category,
        reason=_text(reason),
        responsible_body=_text(responsible_body, 200),
        actions=_text(actions),
        due_by=due_by,
        acting_user=acting_user,
    )


def _snapshot(obj) -> dict:
    return {
        f: (
            getattr(obj, f).isoformat()
            if isinstance(getattr(obj, f), datetime.date)
            else getattr(obj, f)
        )
        for f in RESPONSE_FIELDS
    }


@transaction.atomic
def do_save_response(recommendation, *, acting_user=None, **fields) -> Response:
    response = Response.objects.select_for_update().filter(recommendation=recommendation).first()
    old = None
    if response is None:
        response = Response(recommendation=recommendation, **fields)
    else:
        old = _snapshot(response)
        for key, value in fields.items():
            setattr(response, key, value)
        if _snapshot(response) == old:
            return response
    response.save()
    record_event(
        "response.drafted",
        response,
        actor=acting_user,
        assembly=recommendation.assembly,
        old=old,
        new=_snapshot(response),
    )
    return response


def check_publish_response(response: Response, *, acting_user=None) -> ResponseVersion | None:
    last = response.published()
    if last is not None and _snapshot(last) == _snapshot(response):
        raise ValidationError({"__all__": _("This text is already published; change it first.")})
    return do_publish_response(response, acting_user=acting_user)


@transaction.atomic
def do_publish_response(response: Response, *, acting_user=None) -> ResponseVersion:
    """Publish the draft as a new numbered version; earlier versions stay as they were."""
    caller = response
    response = Response.objects.select_for_update().get(pk=response.pk)
    last = response.published()
    version = ResponseVersion.objects.create(
        response=response,
        number=response.published_version + 1,
        published_at=timezone.now(),
        published_by=acting_user,
        **{f: getattr(response, f) for f in RESPONSE_FIELDS},
    )
    response.published_version = caller.published_version = version.number
    response.save(update_fields=["published_version"])
    Notice.objects.create(
        assembly=response.assembly, response=response, kind=NoticeKind.RESPONSE_PUBLISHED
    )
    record_event(
        "response.published",
        response,
        actor=acting_user,
        assembly=response.assembly,
        old=_snapshot(last) if last else None,
        new={**_snapshot(version), "version": version.number},
    )
    return version


# --- the tracker --------------------------------------------------------------------


def check_add_status_update(
    response: Response,
    *,
    recorded_on: datetime.date,
    status: str,
    percent: int,
    fidelity: str = Fidelity.NOT_JUDGED,
    note: str = "",
    evidence_url: str = "",
    acting_user=None,
) -> StatusUpdate:
    errors = {}
    if not response.is_published:
        raise ValidationError({"status": _("Publish the response before reporting progress.")})
    if status not in ImplementationStatus.values:
        errors["status"] = _("Choose a status.")
    try:
        percent = int(percent)
    except (TypeError, ValueError):
        percent = -1
    if not 0 <= percent <= 100:
        errors["percent"] = _("A percentage from 0 to 100.")
    if fidelity not in Fidelity.values:
        errors["fidelity"] = _("Choose how what is done compares with the recommendation.")
    if not isinstance(recorded_on, datetime.date) or recorded_on > timezone.localdate():
        errors["recorded_on"] = _("Give the date of the report (not in the future).")
    if evidence_url and not str(evidence_url).startswith(("http://", "https://")):
        errors["evidence_url"] = _("A link starting with http:// or https://.")
    if errors:
        raise ValidationError(errors)
    if status == ImplementationStatus.DONE:
        percent = 100
    return do_add_status_update(
        response,
        recorded_on=recorded_on,
        status=status,
        percent=percent,
        fidelity=fidelity,
        note=_text(note),
        evidence_url=str(evidence_url or "")[:200],
        acting_user=acting_user,
    )


@transaction.atomic
def do_add_status_update(response: Response, *, acting_user=None, **fields) -> StatusUpdate:
    previous = response.updates.first()
    update = StatusUpdate.objects.create(response=response, signed_by=acting_user, **fields)
    Notice.objects.create(
        assembly=response.assembly, response=response, kind=NoticeKind.STATUS_CHANGED
    )
    record_event(
        "response.status_changed",
        response,
        actor=acting_user,
        assembly=response.assembly,
        old={"status": previous.status, "percent": previous.percent} if previous else None,
        new={
            "status": update.status,
            "percent": update.percent,
            "fidelity": update.fidelity,
            "recorded_on": update.recorded_on.isoformat(),
        },
    )
    return update


def check_save_sub_item(
    response: Response,
    *,
    title: str,
    weight: int = 1,
    percent: int = 0,
    due_by: datetime.date | None = None,
    item: SubItem | None = None,
    acting_user=None,
) -> SubItem:
    errors = {}
    if not _text(title, 200):
        errors["title"] = _("Give the part of the work a title.")
    if not 1 <= int(weight) <= 100:
        errors["weight"] = _("A weight from 1 to 100.")
    if not 0 <= int(percent) <= 100:
        errors["percent"] = _("A percentage from 0 to 100.")
    if errors:
        raise ValidationError(errors)
    return do_save_sub_item(
        response,
        item=item,
        title=_text(title, 200),
        weight=int(weight),
        percent=int(percent),
        due_by=due_by,
        acting_user=acting_user,
    )


@transaction.atomic
def do_save_sub_item(response, *, item=None, acting_user=None, **fields) -> SubItem:
    old = None
    if item is None:
        item = SubItem(response=response, **fields)
    else:
        old = {"title": item.title, "weight": item.weight, "percent": item.percent}
        for key, value in fields.items():
            setattr(item, key, value)
    item.save()
    record_event(
        "sub_item.saved",
        item,
        actor=acting_user,
        assembly=response.assembly,
        old=old,
        new={"title": item.title, "weight": item.weight, "percent": item.percent},
    )
    return item


# --- members ---------------------------------------------------------------------------


def check_rate_response(
    response: Response, *, participant, score: int, comment: str = ""
) -> Verdict:
    if not response.is_published:
        raise ValidationError({"score": _("This response is not published yet.")})
    if participant is None or participant.assembly_id != response.assembly.pk:
        raise ValidationError({"score": _("Only members of this assembly rate its responses.")})
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = -1
    if not 0 <= score <= 10:
        raise ValidationError({"score": _("Choose a score from 0 to 10.")})
    return do_rate_response(
        response, participant=participant, score=score, comment=_text(comment, 2000)
    )


@transaction.atomic
def do_rate_response(response, *, participant, score: int, comment: str) -> Verdict:
    verdict, created = Verdict.objects.select_for_update().get_or_create(
        response=response, participant=participant, defaults={"score": score, "comment": comment}
    )
    old = None if created else {"score": verdict.score}
    if not created:
        if verdict.score == score and verdict.comment == comment:
            return verdict
        verdict.score, verdict.comment = score, comment
        verdict.save(update_fields=["score", "comment", "updated_at"])
    record_event(
        "verdict.recorded",
        verdict,
        actor=participant,
        assembly=response.assembly,
        old=old,
        new={"score": score},
    )
    return verdict


def check_write_joint_statement(assembly, *, participant, title: str, text: str) -> JointStatement:
    errors = {}
    if not _text(title, 200):
        errors["title"] = _("Give the statement a title.")
    if not _text(text, 20000):
        errors["text"] = _("Write the statement.")
    if errors:
        raise ValidationError(errors)
    return do_write_joint_statement(
        assembly, participant=participant, title=_text(title, 200), text=_text(text, 20000)
    )


@transaction.atomic
def do_write_joint_statement(assembly, *, participant, title, text) -> JointStatement:
    statement = JointStatement.objects.create(
        assembly=assembly, title=title, text=text, created_by=participant
    )
    JointSignature.objects.create(statement=statement, participant=participant)
    record_event(
        "joint_statement.written",
        statement,
        actor=participant,
        assembly=assembly,
        new={"title": title},
    )
    return statement


@transaction.atomic
def do_sign_joint_statement(statement: JointStatement, *, participant) -> bool:
    """Add the member's signature; returns False when they had signed already."""
    try:
        with transaction.atomic():
            JointSignature.objects.create(statement=statement, participant=participant)
    except IntegrityError:
        return False
    record_event(
        "joint_statement.signed", statement, actor=participant, assembly=statement.assembly
    )
    return True


def check_publish_joint_statement(statement: JointStatement, *, participant) -> JointStatement:
    if statement.created_by_id != getattr(participant, "pk", None):
        raise ValidationError({"__all__": _("Only the member who wrote it publishes it.")})
    if statement.published_at is not None:
        raise ValidationError({"__all__": _("It is published already.")})
    return do_publish_joint_statement(statement, participant=participant)


@transaction.atomic
def do_publish_joint_statement(statement: JointStatement, *, participant) -> JointStatement:
    statement.published_at = timezone.now()
    statement.save(update_fields=["published_at"])
    record_event(
        "joint_statement.published",
        statement,
        actor=participant,
        assembly=statement.assembly,
        new={"signatures": statement.signatures.count()},
    )
    return statement


# --- the public's email follow ------------------------------------------------------------


def check_follow(assembly: Assembly, *, email: str, language: str = "en") -> Follower:
    """Start following: a confirmation email (double opt-in). Says the same whoever asks."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid email address.")}) from None
    return do_follow(assembly, email=email, language=language[:10])


@transaction.atomic
def do_follow(assembly, *, email: str, language: str) -> Follower:
    follower, created = Follower.objects.select_for_update().get_or_create(
        assembly=assembly, email=email, defaults={"language": language}
    )
    if not created and follower.is_active:
        return follower  # already following: no second email, no change
    if follower.unsubscribed_at is not None:
        follower.unsubscribed_at = None
        follower.confirmed_at = None
        follower.save(update_fields=["unsubscribed_at", "confirmed_at"])
    record_event("follower.asked", follower, assembly=assembly)
    send_on_commit(
        "followup/email/confirm",
        {
            "assembly": assembly,
            "confirm_url": absolute_url(reverse("followup:confirm", args=[follower.token])),
        },
        to=[email],
        language=follower.language,
    )
    return follower


@transaction.atomic
def do_confirm_follower(follower: Follower) -> Follower:
    if follower.confirmed_at is None and follower.unsubscribed_at is None:
        follower.confirmed_at = timezone.now()
        follower.save(update_fields=["confirmed_at"])
        record_event("follower.confirmed", follower, assembly=follower.assembly)
    return follower


@transaction.atomic
def do_unsubscribe(follower: Follower) -> Follower:
    if follower.unsubscribed_at is None:
        follower.unsubscribed_at = timezone.now()
        follower.save(update_fields=["unsubscribed_at"])
        record_event("follower.unsubscribed", follower, assembly=follower.assembly)
    return follower
