"""Data protection actions: what is held about a person, their erasure, retention dates.

Erasure (UK GDPR art. 17) deletes a person's contact details and the free text
they wrote about themselves, and keeps their answers and votes under their
pseudonym, so the assembly's results and the evaluation stay whole while
nothing identifies the person any more. Each app says what free text it holds
about a person through an ``erase(participant)`` function in its ``hooks.py``
(see :func:`erase_free_text`).
"""

import datetime
from importlib import import_module

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minipublic.web.assemblies.archive import _reverse_relations
from minipublic.web.assemblies.audit import record_event
from minipublic.web.people.models import Participant, PersonalDetails, SignInToken
from minipublic.web.privacy.models import Retention

ERASED = "[erased]"


def held_about(participant: Participant) -> list[tuple[str, list[dict]]]:
    """Everything stored about *participant*: each kind of row that points to them.

    Follows every relation from the participant (and from rows that point to
    them, such as their registration) in the site's own apps, so a new app's
    rows appear without a change here. Returns ``(kind, rows)`` pairs; each row
    is a dict of field name to value (text), without internal ids.
    """
    site_apps = {app.rsplit(".", 1)[-1] for app in settings.MINIPUBLIC_APPS}
    out: list[tuple[str, list[dict]]] = []
    seen: set[tuple[str, object]] = set()
    frontier: list[models.Model] = [participant]
    while frontier:
        obj = frontier.pop(0)
        for rel in _reverse_relations(type(obj)):
            model = rel.related_model
            if model._meta.app_label not in site_apps:
                continue
            rows = list(model._base_manager.filter(**{rel.field.name: obj}).order_by("pk"))
            fresh = [r for r in rows if (model._meta.label, r.pk) not in seen]
            if not fresh:
                continue
            for r in fresh:
                seen.add((model._meta.label, r.pk))
            out.append(
                (str(model._meta.verbose_name_plural).capitalize(), [_row(r) for r in fresh])
            )
            if model is not SignInToken:
                frontier.extend(fresh)
    return out


def _row(obj: models.Model) -> dict:
    values = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key or field.is_relation:
            continue
        value = getattr(obj, field.attname)
        if value in (None, "", [], {}):
            continue
        values[str(field.verbose_name)] = value if isinstance(value, str) else str(value)
    return values


def _erase_registration(participant: Participant) -> list[str]:
    """The registration's free text, its link to a home address, support notes."""
    from minipublic.web.recruitment.models import Registrant, SupportArrangement

    registrant = Registrant.objects.filter(participant=participant).first()
    if registrant is None:
        return []
    registrant.support_note = ""
    registrant.address = None
    registrant.save(update_fields=["support_note", "address"])
    SupportArrangement.objects.filter(registrant=registrant).update(arrangement="")
    return ["registration: support note, address link, support arrangements"]


def erase_free_text(participant: Participant) -> list[str]:
    """Blank the free text the site holds about *participant*; returns what changed.

    The registration's free text is erased here; every other app says what it
    holds through an ``erase(participant)`` function in its ``hooks.py``.
    """
    changed = _erase_registration(participant)
    for app in settings.MINIPUBLIC_APPS:
        try:
            module = import_module(f"{app}.hooks")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.hooks":
                raise
            continue
        fn = getattr(module, "erase", None)
        if fn is not None:
            changed += fn(participant) or []
    return changed


def check_erase_person(participant: Participant, *, reason: str, acting_user=None) -> Participant:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why (e.g. “the person asked on 3 December”).")})
    return do_erase_person(participant, reason=reason[:500], acting_user=acting_user)


@transaction.atomic
def do_erase_person(participant: Participant, *, reason: str, acting_user=None) -> Participant:
    """Delete contact details and free text; keep answers and votes under the pseudonym."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    details = PersonalDetails.objects.filter(participant=participant).first()
    if details is not None:
        details.first_name = ERASED
        for field in ("last_name", "email", "phone", "address"):
            setattr(details, field, "")
        extra_fields = [f.name for f in details._meta.concrete_fields if f.name == "postcode"]
        for name in extra_fields:
            setattr(details, name, "")
        details.save()
    SignInToken.objects.filter(participant=participant).delete()
    changed = erase_free_text(participant)
    participant.is_active = False
    participant.save(update_fields=["is_active"])
    record_event(
        "person.erased",
        participant,
        actor=acting_user,
        assembly=participant.assembly,
        new={"pseudonym": participant.pseudonym, "reason": reason, "free_text": changed},
    )
    return participant


def is_erased(participant: Participant) -> bool:
    details = getattr(participant, "personal_details", None)
    return details is not None and details.first_name == ERASED


def check_set_retention(
    assembly, *, erase_personal_data_on: datetime.date, acting_user=None
) -> Retention:
    if erase_personal_data_on <= timezone.localdate():
        raise ValidationError({"erase_personal_data_on": _("Choose a date in the future.")})
    return do_set_retention(
        assembly, erase_personal_data_on=erase_personal_data_on, acting_user=acting_user
    )


@transaction.atomic
def do_set_retention(assembly, *, erase_personal_data_on, acting_user=None) -> Retention:
    obj, created = Retention.objects.select_for_update().get_or_create(
        assembly=assembly, defaults={"erase_personal_data_on": erase_personal_data_on}
    )
    old = None if created else {"erase_personal_data_on": obj.erase_personal_data_on.isoformat()}
    obj.erase_personal_data_on = erase_personal_data_on
    obj.applied_at = None
    obj.save()
    record_event(
        "retention.set",
        obj,
        actor=acting_user,
        assembly=assembly,
        old=old,
        new={"erase_personal_data_on": erase_personal_data_on.isoformat()},
    )
    return obj


def apply_retention(*, today: datetime.date | None = None) -> dict[str, int]:
    """Erase everyone of every assembly whose retention date has come; returns erased counts."""
    today = today or timezone.localdate()
    done: dict[str, int] = {}
    for retention in Retention.objects.filter(
        erase_personal_data_on__lte=today, applied_at__isnull=True
    ).select_related("assembly"):
        n = 0
        for participant in retention.assembly.participants.order_by("pk"):
            if is_erased(participant):
                continue
            do_erase_person(participant, reason=_("retention date reached"))
            n += 1
        Retention.objects.filter(pk=retention.pk).update(applied_at=timezone.now())
        done[retention.assembly.slug] = n
    return done
