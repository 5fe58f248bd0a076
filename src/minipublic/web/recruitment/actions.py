"""Every change to address files, weights, the invitation lottery, registrants and support.

Same contract as :mod:`minipublic.web.assemblies.actions`: ``do_*`` runs in
one transaction and writes one audit line per change; ``check_*`` validates
(raising :class:`~django.core.exceptions.ValidationError` with per-field
messages) and then calls ``do_*``. Audit lines about registrants carry their
pseudonym only, never personal details.
"""

import hashlib
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minipublic.errors import InputError
from minipublic.sortition import Invitation, normalise_address
from minipublic.web.assemblies.audit import record_event
from minipublic.web.assemblies.models import Assembly
from minipublic.web.people.models import Participant, PersonalDetails
from minipublic.web.recruitment.errors import explain
from minipublic.web.recruitment.files import read_address_table, read_area_weights
from minipublic.web.recruitment.imports import read_pool_file
from minipublic.web.recruitment.models import (
    Address,
    AddressFile,
    AreaWeight,
    Message,
    PoolImport,
    Registrant,
    RegistrationSettings,
    Source,
    SupportArrangement,
    SupportNeed,
    household_pseudonym,
    new_letter_code,
)


def registration_settings(assembly: Assembly) -> RegistrationSettings:
    """Return the assembly's registration settings, creating the defaults on first use."""
    obj, _created = RegistrationSettings.objects.get_or_create(assembly=assembly)
    return obj


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- address files and weights ---------------------------------------------


def check_upload_address_file(
    assembly: Assembly, *, name: str, data: bytes, area_column: str = "area", acting_user=None
) -> AddressFile:
    """Read and validate an address file, then store it (see :func:`do_upload_address_file`)."""
    try:
        table = read_address_table(data, name, area_column=area_column or "area")
    except InputError as exc:
        raise ValidationError({"file": explain(exc)}) from None
    return do_upload_address_file(
        assembly, name=name, sha256=_sha256(data), table=table, acting_user=acting_user
    )


@transaction.atomic
def do_upload_address_file(assembly: Assembly, *, name: str, sha256: str, table, acting_user=None):
    """Store the addresses; add weight-1 rows for new areas; writes ``address_file.uploaded``."""
    address_file = AddressFile.objects.create(
        assembly=assembly,
        name=name[:200],
        sha256=sha256,
        uploaded_by=acting_user,
        n_addresses=len(table),
    )
    Address.objects.bulk_create(
        [
            Address(
                address_file=address_file,
                assembly=assembly,
                row=int(r.row),
                address=r.address[:300],
                street=r.street[:200],
                postcode=r.postcode[:20],
                area=r.area[:100],
                household_key=r.household_key[:300],
            )
            for r in table.itertuples(index=False)
        ],
        batch_size=500,
    )
    areas = sorted(set(table["area"]))
    known = set(AreaWeight.objects.filter(assembly=assembly).values_list("area", flat=True))
    AreaWeight.objects.bulk_create(
        [AreaWeight(assembly=assembly, area=a[:100], weight=1.0) for a in areas if a not in known]
    )
    settings_obj = registration_settings(assembly)
    if not settings_obj.areas:
        settings_obj.areas = areas
        settings_obj.save(update_fields=["areas", "updated_at"])
    record_event(
        "address_file.uploaded",
        address_file,
        actor=acting_user,
        assembly=assembly,
        new={"name": name, "sha256": sha256, "addresses": len(table), "areas": len(areas)},
    )
    return address_file


@transaction.atomic
def do_set_area_weights(
    assembly: Assembly, weights: dict[str, float], *, note: str = "", acting_user=None
) -> dict[str, float]:
    """Set the oversampling weight of each area named in *weights*; writes ``area_weights.changed``.

    Returns the weights that changed (area -> new weight); nothing is
    written when none did.
    """
    current = {w.area: w for w in AreaWeight.objects.filter(assembly=assembly)}
    old, new = {}, {}
    for area, weight in weights.items():
        row = current.get(area)
        if row is None:
            AreaWeight.objects.create(assembly=assembly, area=area, weight=weight, note=note)
            old[area], new[area] = None, weight
        elif row.weight != weight or (note and row.note != note):
            old[area], new[area] = row.weight, weight
            row.weight = weight
            row.note = note or row.note
            row.save(update_fields=["weight", "note"])
    if new:
        record_event(
            "area_weights.changed",
            assembly,
            actor=acting_user,
            assembly=assembly,
            old=old,
            new={**new, "note": note} if note else new,
        )
    return new


def check_set_area_weights(
    assembly: Assembly, weights: dict[str, object], *, note: str = "", acting_user=None
):
    """Validate weights typed on the page (positive numbers) and set them."""
    errors = {}
    clean: dict[str, float] = {}
    for area, value in weights.items():
        try:
            w = float(value)
        except (TypeError, ValueError):
            w = float("nan")
        if not w > 0 or w == float("inf"):
            errors[f"weight_{area}"] = _("Enter a number more than 0.")
        else:
            clean[area] = w
    if errors:
        raise ValidationError(errors)
    return do_set_area_weights(assembly, clean, note=note, acting_user=acting_user)


def check_import_area_weights(assembly: Assembly, *, name: str, data: bytes, acting_user=None):
    """Read an ``area,weight`` file; every area must be one of the address file's areas."""
    try:
        weights = read_area_weights(data, name)
    except InputError as exc:
        raise ValidationError({"file": explain(exc)}) from None
    known = set(Address.objects.filter(assembly=assembly).values_list("area", flat=True))
    unknown = sorted(set(weights) - known)
    if known and unknown:
        raise ValidationError(
            {
                "file": _("%(file)s: unknown area(s) %(areas)s; the address file has %(known)s.")
                % {
                    "file": name,
                    "areas": ", ".join(unknown),
                    "known": ", ".join(sorted(known)),
                }
            }
        )
    return do_set_area_weights(
        assembly,
        weights,
        note=_("imported from %(file)s") % {"file": name},
        acting_user=acting_user,
    )


def check_invitation_lottery(address_file: AddressFile, *, n_letters: int, seed: str) -> None:
    """Refuse a second lottery on the same file, or an impossible number of letters."""
    if address_file.lottery_status != AddressFile.LotteryStatus.NOT_RUN:
        raise ValidationError(_("The lottery has already been run on this address file."))
    if not 1 <= n_letters <= address_file.n_addresses:
        raise ValidationError(
            {
                "n_letters": _("Choose between 1 and %(n)s letters.")
                % {"n": address_file.n_addresses}
            }
        )
    if not seed.strip():
        raise ValidationError({"seed": _("Enter a seed (any words or numbers).")})


def check_start_invitation_lottery(
    address_file: AddressFile, *, n_letters: int, seed: str, acting_user=None
):
    """Validate, then start the lottery task (see :func:`do_start_invitation_lottery`)."""
    check_invitation_lottery(address_file, n_letters=n_letters, seed=seed)
    return do_start_invitation_lottery(
        address_file, n_letters=n_letters, seed=seed.strip(), acting_user=acting_user
    )


@transaction.atomic
def do_start_invitation_lottery(
    address_file: AddressFile, *, n_letters: int, seed: str, acting_user=None
):
    """Mark the file running and create its task in one transaction; ``invitation_lottery.started``.

    Either both happen or neither: the file is never "running" without a
    task row (a task that then never runs shows as failed after a timeout,
    see :attr:`TaskProgress.is_stuck`, and can be retried). Returns the
    task's :class:`~minipublic.web.progress.models.TaskProgress`.
    """
    from minipublic.web.progress.actions import do_start_task
    from minipublic.web.recruitment.tasks import run_invitation_lottery

    do_mark_lottery_running(address_file, n_letters=n_letters, seed=seed)
    progress = do_start_task(
        run_invitation_lottery,
        kind="recruitment.invitation_lottery",
        title=_("Drawing the invitation lottery"),
        assembly=address_file.assembly,
        acting_user=acting_user,
        address_file_id=address_file.pk,
        n_letters=n_letters,
        seed=seed,
        acting_user_id=getattr(acting_user, "pk", None),
    )
    record_event(
        "invitation_lottery.started",
        address_file,
        actor=acting_user,
        assembly=address_file.assembly,
        old={"status": AddressFile.LotteryStatus.NOT_RUN},
        new={
            "status": AddressFile.LotteryStatus.RUNNING,
            "n_letters": n_letters,
            "seed": seed,
            "progress": str(progress.pk),
        },
    )
    return progress


def lottery_progress(address_file: AddressFile):
    """The task of the file's latest lottery start, or None."""
    from minipublic.web.assemblies.models import AuditEvent
    from minipublic.web.progress.models import TaskProgress

    event = (
        AuditEvent.objects.filter(
            event_type="invitation_lottery.started",
            object_type="recruitment.addressfile",
            object_id=str(address_file.pk),
        )
        .order_by("-created_at")
        .first()
    )
    if event is None:
        return None
    return TaskProgress.objects.filter(pk=event.new.get("progress")).first()


def check_retry_invitation_lottery(address_file: AddressFile, *, acting_user=None):
    """Start again a lottery whose task failed or is stuck (same letters and seed), audited."""
    progress = lottery_progress(address_file)
    if address_file.lottery_status != AddressFile.LotteryStatus.RUNNING or (
        progress is not None and not progress.has_failed
    ):
        raise ValidationError(_("This lottery is not stuck: there is nothing to retry."))
    return do_retry_invitation_lottery(address_file, progress, acting_user=acting_user)


@transaction.atomic
def do_retry_invitation_lottery(address_file: AddressFile, progress, *, acting_user=None):
    """Mark the old task failed (``task.timed_out``), free the file, start again."""
    from minipublic.web.progress.models import TaskProgress, TaskStatus

    if progress is not None and not progress.is_finished:
        TaskProgress.objects.filter(pk=progress.pk).update(
            status=TaskStatus.FAILED,
            message=_("No answer from the task worker; stopped.")[:300],
            finished_at=timezone.now(),
        )
        record_event(
            "task.timed_out",
            progress,
            actor=acting_user,
            assembly=address_file.assembly,
            old={"status": progress.status},
            new={"status": TaskStatus.FAILED},
        )
    do_release_invitation_lottery(
        address_file, reason="retried after the task failed or stopped", acting_user=acting_user
    )
    address_file.refresh_from_db()
    return do_start_invitation_lottery(
        address_file,
        n_letters=address_file.n_letters,
        seed=address_file.seed,
        acting_user=acting_user,
    )


@transaction.atomic
def do_mark_lottery_running(address_file: AddressFile, *, n_letters: int, seed: str):
    """Reserve the file for one lottery run (so a double click cannot start two)."""
    updated = AddressFile.objects.filter(
        pk=address_file.pk, lottery_status=AddressFile.LotteryStatus.NOT_RUN
    ).update(lottery_status=AddressFile.LotteryStatus.RUNNING, n_letters=n_letters, seed=seed)
    if not updated:
        raise ValidationError(_("The lottery has already been run on this address file."))


@transaction.atomic
def do_release_invitation_lottery(address_file: AddressFile, *, reason: str, acting_user=None):
    """Free a file whose lottery task failed before the draw was stored, so it can be run again.

    Only a file still marked running is released (a finished draw is never
    undone). Writes ``invitation_lottery.failed`` with the reason.
    """
    released = AddressFile.objects.filter(
        pk=address_file.pk, lottery_status=AddressFile.LotteryStatus.RUNNING
    ).update(lottery_status=AddressFile.LotteryStatus.NOT_RUN)
    if released:
        record_event(
            "invitation_lottery.failed",
            address_file,
            actor=acting_user,
            assembly=address_file.assembly,
            old={"status": AddressFile.LotteryStatus.RUNNING},
            new={"status": AddressFile.LotteryStatus.NOT_RUN, "reason": reason[:300]},
        )
    return bool(released)


@transaction.atomic
def do_apply_invitation_lottery(
    address_file: AddressFile,
    invitation: Invitation,
    addresses: list,
    *,
    seed: str,
    acting_user=None,
) -> int:
    """Store the core's draw: each address's inclusion probability, and a letter code if invited.

    *invitation* is the result of :func:`minipublic.sortition.invite` on
    *addresses* (the file's :class:`Address` rows, with ``id`` = primary
    key), called with the public *seed* words. Stores the words as the
    file's seed, the core's method, and writes ``invitation_lottery.run``
    with the core's integer seed, allocation and weights. Returns the
    letters made.
    """
    invited = set(invitation.invited[invitation.id_column].astype(int).tolist())
    per_area = invitation.allocation.set_index("area")
    probability = per_area["inclusion_probability"].astype(float).to_dict()
    used = set(Address.objects.exclude(letter_code=None).values_list("letter_code", flat=True))
    for address in addresses:
        address.inclusion_probability = probability[address.area]
        if address.pk in invited:
            code = new_letter_code()
            while code in used:
                code = new_letter_code()
            used.add(code)
            address.invited = True
            address.letter_code = code
    # One parameterised UPDATE run for every row: Django's bulk_update builds a
    # CASE expression per row and takes tens of seconds for a city's addresses.
    table = connection.ops.quote_name(Address._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET inclusion_probability = %s, invited = %s, letter_code = %s "
            "WHERE id = %s",
            [(a.inclusion_probability, a.invited, a.letter_code, a.pk) for a in addresses],
        )
    address_file.lottery_status = AddressFile.LotteryStatus.DONE
    address_file.n_letters = invitation.n
    address_file.seed = seed
    address_file.lottery_method = invitation.method[:100]
    address_file.lottery_run_at = timezone.now()
    address_file.save()
    record_event(
        "invitation_lottery.run",
        address_file,
        actor=acting_user,
        assembly=address_file.assembly,
        new={
            "seed": seed,
            "seed_int": str(invitation.seed),
            "method": invitation.method,
            "letters": invitation.n,
            "allocation": {a: int(k) for a, k in per_area["invited"].items()},
            "weights": {a: float(w) for a, w in per_area["weight"].items()},
            "sha256": invitation.sha256,
        },
    )
    return len(invited)


@transaction.atomic
def do_store_letters(address_file: AddressFile, data: bytes, *, acting_user=None) -> AddressFile:
    """Keep the letters PDF of *address_file* (replacing an older one); writes ``letters.made``."""
    from django.core.files.base import ContentFile

    if address_file.letters_pdf:
        address_file.letters_pdf.delete(save=False)
    address_file.letters_pdf.save(f"letters-{address_file.pk}.pdf", ContentFile(data), save=False)
    address_file.save(update_fields=["letters_pdf"])
    record_event(
        "letters.made",
        address_file,
        actor=acting_user,
        assembly=address_file.assembly,
        new={"bytes": len(data), "sha256": _sha256(data)},
    )
    return address_file


@transaction.atomic
def do_record_door_knock(address: Address, *, note: str, acting_user=None) -> Address:
    """Record that a household was visited (and what happened); writes ``address.door_knocked``."""
    address.door_knocked_at = timezone.now()
    address.door_knock_note = note[:300]
    address.save(update_fields=["door_knocked_at", "door_knock_note"])
    record_event(
        "address.door_knocked",
        address,
        actor=acting_user,
        assembly=address.assembly,
        new={"note": note[:300]},
    )
    return address


# --- registration settings ---------------------------------------------------


#: A web address printed on letters: http(s)://… or a bare host/path such as
#: ``aberwen.example/join`` (read as https). Any other scheme is refused.
_SHORT_URL = re.compile(
    r"^(https?://)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:\d{1,5})?"
    r"(/[A-Za-z0-9._~%!$&'()*+,;=:@/?#-]*)?$",
    re.IGNORECASE,
)


def clean_short_url(value: str) -> str:
    """Return the stripped *value* if it is an http(s) web address, else raise ValidationError."""
    value = str(value or "").strip()
    if value and (len(value) > 200 or not _SHORT_URL.match(value)):
        raise ValidationError(
            {
                "short_url": _(
                    "Enter a web address such as https://example.org/join or example.org/join "
                    "(only http and https addresses)."
                )
            }
        )
    return value


def check_update_registration_settings(
    settings_obj: RegistrationSettings, *, acting_user=None, **fields
) -> RegistrationSettings:
    """Validate (the short web address must be http(s)), then :func:`do_update_registration_settings`."""
    if "short_url" in fields:
        fields["short_url"] = clean_short_url(fields["short_url"])
    return do_update_registration_settings(settings_obj, acting_user=acting_user, **fields)


def check_record_door_knock(address: Address, *, note: str, acting_user=None) -> Address:
    """Validate (an invited address of the assembly; a note of 1-300 characters), then record."""
    note = str(note or "").strip()
    if not note:
        raise ValidationError({"note": _("Write what happened at the door.")})
    if len(note) > 300:
        raise ValidationError({"note": _("Keep the note to 300 characters or fewer.")})
    if not address.invited:
        raise ValidationError(_("Only invited addresses are visited."))
    return do_record_door_knock(address, note=note, acting_user=acting_user)


@transaction.atomic
def do_update_registration_settings(
    settings_obj: RegistrationSettings, *, acting_user=None, **fields
) -> RegistrationSettings:
    """Change the registration form's settings; writes ``registration_settings.changed``."""
    old, new = {}, {}

    def plain(value):
        return value.isoformat() if hasattr(value, "isoformat") else value

    for key, value in fields.items():
        if getattr(settings_obj, key) != value:
            old[key], new[key] = plain(getattr(settings_obj, key)), plain(value)
            setattr(settings_obj, key, value)
    if new:
        settings_obj.save()
        record_event(
            "registration_settings.changed",
            settings_obj,
            actor=acting_user,
            assembly=settings_obj.assembly,
            old=old,
            new=new,
        )
    return settings_obj


# --- registration -------------------------------------------------------------

#: Phases in which people may register (letters arrive during "invite").
REGISTRATION_PHASES = ("invite", "register")


def registration_closed_reason(assembly: Assembly, *, today=None) -> str:
    """Why registration for *assembly* is closed, in plain words; ``""`` when it is open.

    Registration is open while the assembly is in the invite or register
    phase, the organiser has not switched it off, and the closing date the
    organiser may set has not passed (it closes at the end of that day).
    """
    from django.utils import formats

    obj = registration_settings(assembly)
    today = today or timezone.localdate()
    if assembly.phase not in REGISTRATION_PHASES:
        return _(
            "Registration has closed: the members of this assembly are chosen from the people "
            "who registered in time."
        )
    if obj.closes_on is not None and today > obj.closes_on:
        return _("Registration closed on %(date)s.") % {
            "date": formats.date_format(obj.closes_on, "DATE_FORMAT")
        }
    if not obj.is_open:
        return _("Registration is not open at the moment.")
    return ""


def registration_is_open(assembly: Assembly) -> bool:
    """True while people may register (see :func:`registration_closed_reason`)."""
    return not registration_closed_reason(assembly)


def find_invited_address(assembly: Assembly, code: str) -> Address | None:
    """Return the invited address with letter *code* in *assembly*, or None."""
    return (
        Address.objects.filter(assembly=assembly, invited=True, letter_code=code)
        .select_related("address_file")
        .first()
    )


def check_register(
    assembly: Assembly,
    *,
    answers: dict,
    details: dict,
    address: Address | None = None,
    language: str = "en",
    consent: bool = False,
    client_ip: str = "",
) -> Registrant:
    """Validate a registration, then store it (see :func:`do_register`).

    With *address* (a letter code) the household is that address and it may
    register once. Without it the open link must be switched on, the
    person's own address is the household key and may register once, and one
    network address (*client_ip*) may register at most
    ``OPEN_LINK_LIMIT_PER_IP`` people an hour. Every text has a maximum
    length; the email address and phone number must look like one.
    """
    settings_obj = registration_settings(assembly)
    errors: dict[str, list[str]] = {}
    if reason := registration_closed_reason(assembly):
        raise ValidationError(reason)
    if address is None and not settings_obj.open_link_enabled:
        raise ValidationError(_("Registration needs the code from your invitation letter."))
    errors.update(_length_and_contact_errors(answers, details))
    if address is None and not errors:
        key = household_pseudonym(_household_of(details))
        if key and Registrant.objects.filter(assembly=assembly, household_key=key).exists():
            raise ValidationError(
                {"address": _("Someone from this address has already registered.")}
            )
        if client_ip and open_link_count(client_ip) >= OPEN_LINK_LIMIT_PER_IP:
            raise ValidationError(
                _(
                    "Too many registrations have come from your network in the last hour. "
                    "Please try again later, or use the code on your invitation letter."
                )
            )
    if address is not None and Registrant.objects.filter(address=address).exists():
        raise ValidationError(
            {"code": _("Someone from this household has already registered with this code.")}
        )
    if not consent:
        errors["consent"] = [_("Please tick the box to agree, or you cannot register.")]
    if not details.get("first_name", "").strip():
        errors["first_name"] = [_("Please tell us your first name.")]
    if not (str(details.get("email") or "").strip() or str(details.get("phone") or "").strip()):
        errors["email"] = [_("Give an email address or a phone number so we can contact you.")]
    if address is None and not details.get("address", "").strip():
        errors["address"] = [_("Please give your address.")]
    if errors:
        raise ValidationError(errors)
    registrant = do_register(
        assembly, answers=answers, details=details, address=address, language=language
    )
    if address is None and client_ip:
        _count_open_link(client_ip, registrant)
    return registrant


#: Longest accepted texts of a registration (characters).
TEXT_LIMITS = {
    "first_name": 100,
    "last_name": 100,
    "email": 254,
    "phone": 40,
    "address": 300,
    "postcode": 20,
    "support_note": 1000,
}
#: Registrations through the open link from one network address per hour.
OPEN_LINK_LIMIT_PER_IP = 5
_PHONE = re.compile(r"^\+?[0-9 ()-]{6,30}$")


def _length_and_contact_errors(answers: dict, details: dict) -> dict[str, list[str]]:
    from django.core.validators import validate_email

    errors: dict[str, list[str]] = {}
    for field, limit in TEXT_LIMITS.items():
        value = str((details if field != "support_note" else answers).get(field) or "")
        if len(value) > limit:
            errors[field] = [
                _("Keep this to %(n)s characters or fewer.") % {"n": limit},
            ]
    email = str(details.get("email") or "").strip()
    if email and "email" not in errors:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("Enter an email address such as name@example.org.")]
    phone = str(details.get("phone") or "").strip()
    if phone and "phone" not in errors:
        digits = sum(c.isdigit() for c in phone)
        if not _PHONE.match(phone) or not 6 <= digits <= 15:
            errors["phone"] = [_("Enter a phone number such as 01234 567890 or +44 1234 567890.")]
    return errors


def _household_of(details: dict) -> str:
    if not details.get("address"):
        return ""
    return normalise_address(f"{details.get('address', '')} {details.get('postcode', '')}")


def _ip_key(ip: str) -> str:
    """A keyed hash of a network address (the log never stores it in clear)."""
    import hmac

    from django.conf import settings

    return hmac.new(settings.SECRET_KEY.encode(), ip.encode(), hashlib.sha256).hexdigest()


def open_link_count(ip: str) -> int:
    """Registrations through the open link from *ip* in the last hour."""
    import datetime as dt

    from minipublic.web.assemblies.models import AuditEvent

    since = timezone.now() - dt.timedelta(hours=1)
    return AuditEvent.objects.filter(
        event_type="open_link.used", created_at__gte=since, new__ip=_ip_key(ip)
    ).count()


def _count_open_link(ip: str, registrant: Registrant) -> None:
    record_event(
        "open_link.used", registrant, assembly=registrant.assembly, new={"ip": _ip_key(ip)}
    )


@transaction.atomic
def do_register(
    assembly: Assembly,
    *,
    answers: dict,
    details: dict,
    address: Address | None = None,
    language: str = "en",
    source: str | None = None,
    pool_import: PoolImport | None = None,
    external_id: str = "",
    household_key: str = "",
    audit: bool = True,
) -> Registrant:
    """Create the participant, their personal details, the registrant and support rows.

    All or nothing: any failure rolls the whole registration back. Writes
    ``registrant.registered`` (pseudonym, source and support needs only)
    unless *audit* is False (the pool import writes one line per file).
    """
    if address is not None:
        # Lock the address row: two phones using one code at once register once.
        address = Address.objects.select_for_update().get(pk=address.pk)
        if Registrant.objects.filter(address=address).exists():
            raise ValidationError(
                {"code": _("Someone from this household has already registered with this code.")}
            )
        household_key = address.household_key
        source = source or Source.LETTER
        answers = {**answers}
        answers.setdefault("area", address.area)
    else:
        source = source or Source.OPEN_LINK
        if not household_key and details.get("address"):
            household_key = _household_of(details)
    participant = Participant.objects.create(assembly=assembly, is_active=False)
    personal = PersonalDetails.objects.create(
        participant=participant,
        first_name=details.get("first_name", "").strip()[:100],
        last_name=details.get("last_name", "").strip()[:100],
        email=details.get("email", "").strip()[:254],
        phone=details.get("phone", "").strip()[:40],
        address=(
            address.address + (f", {address.postcode}" if address.postcode else "")
            if address is not None
            else ", ".join(
                p for p in (details.get("address", ""), details.get("postcode", "")) if p
            )
        ),
        preferred_language=language,
    )
    needs = [n for n in answers.get("support_needs", []) if n in SupportNeed.values]
    try:
        with transaction.atomic():
            registrant = Registrant.objects.create(
                assembly=assembly,
                participant=participant,
                source=source,
                address=address,
                pool_import=pool_import,
                external_id=external_id,
                household_key=household_pseudonym(household_key),
                age_band=answers.get("age_band", ""),
                gender=answers.get("gender", ""),
                area=answers.get("area", ""),
                education=answers.get("education", ""),
                ethnicity=answers.get("ethnicity", ""),
                disability=answers.get("disability", ""),
                trust_in_government=answers.get("trust_in_government"),
                barriers=list(answers.get("barriers", [])),
                extra=dict(answers.get("extra", {})),
                support_needs=needs,
                support_note=answers.get("support_note", ""),
                language=language,
                consent_given_at=timezone.now() if source != Source.IMPORT else None,
            )
    except IntegrityError:
        raise ValidationError(
            {"code": _("Someone from this household has already registered with this code.")}
        ) from None
    SupportArrangement.objects.bulk_create(
        [SupportArrangement(registrant=registrant, need=n) for n in needs]
    )
    if audit:
        record_event(
            "registrant.registered",
            registrant,
            actor=participant,
            assembly=assembly,
            new={"source": source, "support_needs": needs, "language": language},
        )
    if source != Source.IMPORT:
        tell_registrant(registrant, Message.Kind.REGISTERED, details=personal)
    return registrant


# --- messages to registrants -----------------------------------------------------

MESSAGE_TEMPLATES = {
    Message.Kind.REGISTERED: "recruitment/email/registered",
    Message.Kind.NOT_SELECTED: "recruitment/email/not_selected",
}


def tell_registrant(
    registrant: Registrant, kind: str, *, details=None, outbox: list | None = None
) -> Message | None:
    """Send *registrant* the message *kind* once: by email, or as a letter to post.

    Call inside the action's transaction. Returns the new :class:`Message`,
    or ``None`` when this kind was sent before (nothing is sent again). The
    text is in the registrant's language; a letter's text is kept for the
    mail-merge file (:func:`minipublic.web.recruitment.letters.post_csv`).
    """
    from minipublic.web.notify import render_email, send_on_commit

    if Message.objects.filter(registrant=registrant, kind=kind).exists():
        return None
    details = details or getattr(registrant.participant, "personal_details", None)
    from django.urls import reverse

    from minipublic.web.notify import absolute_url

    assembly = registrant.assembly
    context = {
        "assembly": assembly,
        "first_name": details.first_name if details else "",
        "pseudonym": registrant.pseudonym,
        "public_url": (
            absolute_url(reverse("assemblies:public_page", args=[assembly.slug]))
            if assembly.is_public
            else ""
        ),
    }
    template = MESSAGE_TEMPLATES[kind]
    language = registrant.language
    if details is not None and details.email:
        if outbox is None:
            send_on_commit(template, context, to=[details.email], language=language)
        else:  # the caller sends them all over one connection
            subject, body = render_email(template, context, language=language)
            outbox.append((subject, body, details.email))
        return Message.objects.create(
            registrant=registrant, kind=kind, channel=Message.Channel.EMAIL, language=language
        )
    subject, body = render_email(template, context, language=language)
    return Message.objects.create(
        registrant=registrant,
        kind=kind,
        channel=Message.Channel.LETTER,
        language=language,
        subject=subject,
        body=body,
    )


def _send_all(outbox: list[tuple[str, str, str]]) -> None:
    """Send many one-recipient emails over one mail connection (after the commit)."""
    from django.conf import settings
    from django.core.mail import EmailMessage, mailers

    with mailers.default as connection:
        connection.send_messages(
            [
                EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
                for subject, body, to in outbox
            ]
        )


@transaction.atomic
def do_tell_not_selected(assembly: Assembly, *, acting_user=None) -> int:
    """Tell everyone still in the pool and not selected: "not selected this time, thank you".

    Run by the background task the draw queues
    (:func:`minipublic.web.recruitment.tasks.tell_not_selected`): each
    registrant whose status is still ``registered`` gets the message
    once, in their language (email, or a letter in the mail-merge file).
    Imported people without any personal details cannot be reached and are
    skipped. Returns how many were told now; writes
    ``registrants.told_not_selected`` when anyone was.
    """
    # Two runs at once (the draw's task and a retry) take turns: each person is told once.
    Assembly.objects.select_for_update().filter(pk=assembly.pk).first()
    waiting = (
        Registrant.objects.filter(
            assembly=assembly, status="registered", participant__personal_details__isnull=False
        )
        .exclude(messages__kind=Message.Kind.NOT_SELECTED)
        .select_related("participant__personal_details", "assembly")
        .order_by("pk")
    )
    outbox: list[tuple[str, str, str]] = []
    told = [
        m for r in waiting if (m := tell_registrant(r, Message.Kind.NOT_SELECTED, outbox=outbox))
    ]
    if outbox:
        transaction.on_commit(lambda: _send_all(outbox))
    if told:
        record_event(
            "registrants.told_not_selected",
            assembly,
            actor=acting_user,
            assembly=assembly,
            new={
                "count": len(told),
                "by_email": sum(1 for m in told if m.channel == Message.Channel.EMAIL),
                "by_letter": sum(1 for m in told if m.channel == Message.Channel.LETTER),
            },
        )
    return len(told)


# --- pool import ---------------------------------------------------------------


def check_import_pool(
    assembly: Assembly, *, name: str, data: bytes, id_column: str = "", acting_user=None
) -> PoolImport:
    """Read a Sortition Foundation people file and import it, or list every row/column error.

    Raises ValidationError whose ``file`` messages each name the file, row
    and column (up to 20). Ids already in the pool are errors too.
    """
    from minipublic.web.recruitment.imports import feature_names
    from minipublic.web.selection.models import QuotaSet, SelectionRun

    if SelectionRun.objects.filter(assembly=assembly, status="drawn").exists():
        raise ValidationError(
            {
                "file": [
                    _(
                        "The panel has already been drawn: people imported now could never be "
                        "selected, so the pool is closed to imports."
                    )
                ]
            }
        )
    try:
        pool_file = read_pool_file(data, name, id_column=id_column.strip() or None)
    except InputError as exc:
        raise ValidationError({"file": [explain(exc)]}) from None
    errors = [explain(e) for e in pool_file.errors]
    quota_set = QuotaSet.objects.filter(assembly=assembly).first()
    have = feature_names(pool_file)
    for feature in quota_set.features if quota_set else []:
        if feature not in have:
            errors.append(
                explain(
                    InputError(
                        f"the column {feature!r} is missing: the quotas use this feature",
                        file=name,
                        row=1,
                        column=feature,
                    )
                )
            )
    existing = set(
        Registrant.objects.filter(
            assembly=assembly, external_id__in=[r.external_id for r in pool_file.rows]
        ).values_list("external_id", flat=True)
    )
    for r in pool_file.rows:
        if r.external_id in existing and len(errors) < 20:
            errors.append(
                explain(
                    InputError(
                        f"id {r.external_id!r} is already in the pool",
                        file=name,
                        row=r.row,
                        column=pool_file.id_column,
                    )
                )
            )
    if errors:
        raise ValidationError({"file": errors})
    return do_import_pool(
        assembly, name=name, sha256=_sha256(data), pool_file=pool_file, acting_user=acting_user
    )


@transaction.atomic
def do_import_pool(assembly: Assembly, *, name: str, sha256: str, pool_file, acting_user=None):
    """Create one registrant per row (all or none); writes one ``pool.imported`` line."""
    pool_import = PoolImport.objects.create(
        assembly=assembly,
        name=name[:200],
        sha256=sha256,
        n_rows=len(pool_file.rows),
        id_column=pool_file.id_column,
        imported_by=acting_user,
    )
    for r in pool_file.rows:
        details = {
            "first_name": r.contact.get("first_name") or r.external_id,
            "last_name": r.contact.get("last_name", ""),
            "email": r.contact.get("email", ""),
            "phone": r.contact.get("phone", ""),
            "address": r.contact.get("address", ""),
            "postcode": r.contact.get("postcode", ""),
        }
        do_register(
            assembly,
            answers={**r.answers, "extra": r.extra},
            details=details,
            source=Source.IMPORT,
            pool_import=pool_import,
            external_id=r.external_id[:100],
            household_key=r.household_key,
            audit=False,
        )
    record_event(
        "pool.imported",
        pool_import,
        actor=acting_user,
        assembly=assembly,
        new={"name": name, "sha256": sha256, "rows": len(pool_file.rows)},
    )
    return pool_import


@transaction.atomic
def do_load_registrants(
    assembly: Assembly, people: list[dict], *, source_object, acting_user=None
) -> list[Registrant]:
    """Register many people who answered by letter code at once; one ``registrants.loaded``.

    For loads too large for :func:`do_register` one by one (the demo's 2 000).
    Each item of *people* is ``{"registrant": fields, "details": personal
    details, "needs": support needs}``; every person gets a participant (not
    yet a member), their personal details apart from their answers, and one
    support row per need (state *requested*). *source_object* is the address
    file the letters came from (named in the audit line).
    """
    from minipublic.web.people.models import Participant, PersonalDetails, fresh_pseudonyms

    now = timezone.now()
    participants = [
        Participant(assembly=assembly, is_active=False, pseudonym=pseudonym)
        for pseudonym in fresh_pseudonyms(len(people))
    ]
    Participant.objects.bulk_create(participants, batch_size=500)
    PersonalDetails.objects.bulk_create(
        [
            PersonalDetails(participant=p, **person["details"])
            for p, person in zip(participants, people, strict=True)
        ],
        batch_size=500,
    )
    registrants = [
        Registrant(
            assembly=assembly,
            participant=p,
            source=Source.LETTER,
            consent_given_at=now,
            **{
                **person["registrant"],
                "household_key": household_pseudonym(person["registrant"].get("household_key")),
            },
        )
        for p, person in zip(participants, people, strict=True)
    ]
    Registrant.objects.bulk_create(registrants, batch_size=500)
    SupportArrangement.objects.bulk_create(
        [
            SupportArrangement(registrant=r, need=need)
            for r, person in zip(registrants, people, strict=True)
            for need in person["needs"]
        ],
        batch_size=500,
    )
    record_event(
        "registrants.loaded",
        source_object,
        actor=acting_user,
        assembly=assembly,
        new={"registrants": len(registrants), "source": Source.LETTER},
    )
    return registrants


# --- support needs ---------------------------------------------------------------


def check_update_support(
    arrangement: SupportArrangement, *, state: str, arrangement_text: str, cost, acting_user=None
) -> SupportArrangement:
    """Validate (known state, cost >= 0) and update a support arrangement."""
    errors = {}
    if state not in SupportArrangement.State.values:
        errors["state"] = _("Choose a state from the list.")
    try:
        cost = Decimal(str(cost))
    except ArithmeticError:
        cost = Decimal(-1)
    if not cost.is_finite() or cost < 0:
        errors["cost"] = _("Enter a cost of 0 or more, in pounds.")
    if errors:
        raise ValidationError(errors)
    return do_update_support(
        arrangement,
        state=state,
        arrangement_text=arrangement_text,
        cost=cost,
        acting_user=acting_user,
    )


@transaction.atomic
def do_update_support(
    arrangement: SupportArrangement, *, state: str, arrangement_text: str, cost, acting_user=None
) -> SupportArrangement:
    """Record what was arranged and its cost; writes ``support.updated``."""
    old = {
        "state": arrangement.state,
        "arrangement": arrangement.arrangement,
        "cost": str(arrangement.cost),
    }
    arrangement.state = state
    arrangement.arrangement = arrangement_text[:300]
    arrangement.cost = Decimal(cost).quantize(Decimal("0.01"))
    new = {"state": state, "arrangement": arrangement.arrangement, "cost": str(arrangement.cost)}
    if new == old:
        return arrangement
    arrangement.save(update_fields=["state", "arrangement", "cost", "updated_at"])
    record_event(
        "support.updated",
        arrangement,
        actor=acting_user,
        assembly=arrangement.registrant.assembly,
        old=old,
        new={**new, "need": arrangement.need},
    )
    return arrangement
