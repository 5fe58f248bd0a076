"""Every change to staff accounts, participants and sign-in links.

Same contract as :mod:`minipublic.web.assemblies.actions`: ``do_*`` is one
transaction + audit line + on-commit notification; ``check_*`` validates first.
Audit lines about members carry their pseudonym only, never personal data.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from minipublic.web.assemblies.audit import record_event
from minipublic.web.assemblies.models import Assembly
from minipublic.web.notify import absolute_url, send_on_commit
from minipublic.web.people.models import Participant, PersonalDetails, SignInToken

SIGN_IN_SALT = "minipublic.people.sign-in-link"


def check_create_staff_account(
    *,
    email: str,
    password: str | None = None,
    display_name: str = "",
    can_create_assemblies: bool = False,
    acting_user=None,
):
    """Validate the email (unused) and password (Django's validators), then create."""
    from django.core.validators import validate_email

    errors = {}
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Enter a valid email address.")
    else:
        if get_user_model().objects.filter(email__iexact=email).exists():
            errors["email"] = _("An account with this email address already exists.")
    if password is not None:
        try:
            validate_password(password, get_user_model()(email=email))
        except ValidationError as exc:
            errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return do_create_staff_account(
        email=email,
        password=password,
        display_name=display_name,
        can_create_assemblies=can_create_assemblies,
        acting_user=acting_user,
    )


@transaction.atomic
def do_create_staff_account(
    *,
    email: str,
    password: str | None = None,
    display_name: str = "",
    can_create_assemblies: bool = False,
    acting_user=None,
):
    """Create a staff account (no usable password when *password* is None); writes ``account.created``."""
    user = get_user_model().objects.create_user(
        email=email,
        password=password,
        display_name=display_name,
        can_create_assemblies=can_create_assemblies,
    )
    record_event(
        "account.created",
        user,
        actor=acting_user,
        new={"email": user.email, "can_create_assemblies": can_create_assemblies},
    )
    return user


@transaction.atomic
def do_set_password(user, password: str, *, acting_user=None) -> None:
    """Set a staff account's password (after Django's validators ran in the form)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    record_event("account.password_set", user, actor=acting_user or user)


def check_add_member(
    assembly: Assembly,
    *,
    first_name: str,
    last_name: str = "",
    email: str = "",
    phone: str = "",
    address: str = "",
    preferred_language: str = "en",
    acting_user,
) -> Participant:
    """Validate the details, then :func:`do_add_member`."""
    errors = {}
    if not first_name.strip():
        errors["first_name"] = _("Enter the member's first name.")
    if preferred_language not in {code for code, _name in settings.LANGUAGES}:
        errors["preferred_language"] = _("Choose one of the site's languages.")
    if errors:
        raise ValidationError(errors)
    return do_add_member(
        assembly,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip().lower(),
        phone=phone.strip(),
        address=address.strip(),
        preferred_language=preferred_language,
        acting_user=acting_user,
    )


@transaction.atomic
def do_add_member(
    assembly: Assembly,
    *,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    address: str,
    preferred_language: str,
    acting_user,
) -> Participant:
    """Add a member with their personal details kept apart; writes ``participant.added``."""
    participant = Participant.objects.create(assembly=assembly)
    PersonalDetails.objects.create(
        participant=participant,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        address=address,
        preferred_language=preferred_language,
    )
    record_event(
        "participant.added",
        participant,
        actor=acting_user,
        assembly=assembly,
        new={"pseudonym": participant.pseudonym},
    )
    return participant


def sign_in_path(token: SignInToken) -> str:
    """Return the site path of the link for *token* (the signed token id)."""
    value = signing.dumps(str(token.id), salt=SIGN_IN_SALT, compress=False)
    return reverse("people:sign_in", args=[value])


@transaction.atomic
def do_issue_sign_in_link(
    participant: Participant,
    *,
    acting_user,
    send_email: bool = True,
    now: dt.datetime | None = None,
) -> str:
    """Make a new personal sign-in link and (by default) email it; returns the full link.

    Earlier unused links stay valid until they expire, so a member who gets
    two emails can use either one, once.
    """
    now = now or timezone.now()
    token = SignInToken.objects.create(
        participant=participant,
        expires_at=now + dt.timedelta(seconds=settings.MINIPUBLIC_SIGN_IN_LINK_MAX_AGE),
    )
    link = absolute_url(sign_in_path(token))
    record_event(
        "sign_in_link.issued",
        participant,
        actor=acting_user,
        assembly=participant.assembly,
        new={"expires_at": token.expires_at.isoformat()},
    )
    details = getattr(participant, "personal_details", None)
    if send_email and details is not None and details.email:
        send_on_commit(
            "people/email/sign_in_link",
            {
                "first_name": details.first_name,
                "assembly": participant.assembly,
                "link": link,
                "expires_at": token.expires_at,
            },
            to=[details.email],
            language=details.preferred_language,
        )
    return link


class SignInRefusedError(Exception):
    """A sign-in link was refused; ``reason`` is ``"invalid"``, ``"expired"`` or ``"used"``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def inspect_sign_in_link(value: str, *, now: dt.datetime | None = None) -> SignInToken:
    """Return the token of the signed link *value* if it can be used, without using it.

    Raises
    ------
    SignInRefusedError
        ``"invalid"`` when the signature does not match (tampered or
        truncated) or the member was removed, ``"used"`` when redeemed before,
        ``"expired"`` past its expiry.
    """
    try:
        token_id = signing.loads(value, salt=SIGN_IN_SALT)
    except signing.BadSignature:
        raise SignInRefusedError("invalid") from None
    token = (
        SignInToken.objects.select_related("participant__assembly", "participant__personal_details")
        .filter(pk=token_id, participant__is_active=True)
        .first()
    )
    if token is None:
        raise SignInRefusedError("invalid")
    if token.used_at is not None:
        raise SignInRefusedError("used")
    if token.expires_at <= (now or timezone.now()):
        raise SignInRefusedError("expired")
    return token


def check_redeem_sign_in_link(value: str, *, now: dt.datetime | None = None) -> Participant:
    """Check the signed link *value* (:func:`inspect_sign_in_link`), mark it used, return its participant."""
    now = now or timezone.now()
    return do_redeem_sign_in_link(inspect_sign_in_link(value, now=now), now=now)


@transaction.atomic
def do_redeem_sign_in_link(token: SignInToken, *, now: dt.datetime) -> Participant:
    """Mark *token* used (once, even under concurrent clicks); writes ``participant.signed_in``."""
    claimed = SignInToken.objects.filter(pk=token.pk, used_at__isnull=True).update(used_at=now)
    if claimed != 1:
        raise SignInRefusedError("used")
    participant = token.participant
    record_event(
        "participant.signed_in",
        participant,
        actor=participant,
        assembly=participant.assembly,
    )
    return participant


# --- password-reset throttling ------------------------------------------------------


def _reset_key(email: str) -> str:
    """A keyed hash of the typed email (the audit log never stores it in clear)."""
    import hashlib
    import hmac

    from django.conf import settings

    return hmac.new(
        settings.SECRET_KEY.encode(), email.strip().lower().encode(), hashlib.sha256
    ).hexdigest()


def reset_request_allowed(email: str, ip: str) -> bool:
    """Whether another password-reset email may go out for *email* from *ip* now.

    At most ``MINIPUBLIC_RESET_LIMIT_PER_ACCOUNT`` per typed email and
    ``MINIPUBLIC_RESET_LIMIT_PER_IP`` per address in the last
    ``MINIPUBLIC_RESET_WINDOW_SECONDS``, counted from the audit log (so every
    web process and worker sees the same counts).
    """
    import datetime as dt

    from django.conf import settings
    from django.utils import timezone

    from minipublic.web.assemblies.models import AuditEvent

    since = timezone.now() - dt.timedelta(seconds=settings.MINIPUBLIC_RESET_WINDOW_SECONDS)
    recent = AuditEvent.objects.filter(event_type="password_reset.requested", created_at__gte=since)
    if recent.filter(object_id=_reset_key(email)).count() >= (
        settings.MINIPUBLIC_RESET_LIMIT_PER_ACCOUNT
    ):
        return False
    return recent.filter(new__ip=ip).count() < settings.MINIPUBLIC_RESET_LIMIT_PER_IP


@transaction.atomic
def do_record_reset_request(email: str, ip: str) -> None:
    """Count one password-reset request; writes ``password_reset.requested`` (email hashed)."""
    from minipublic.web.assemblies.models import AuditEvent

    AuditEvent.objects.create(
        actor_label="anonymous",
        event_type="password_reset.requested",
        object_type="people.user",
        object_id=_reset_key(email),
        object_repr="password reset request",
        new={"ip": ip},
    )
