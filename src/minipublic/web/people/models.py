"""Staff accounts, pseudonymous participants, their personal details and sign-in links.

Personal data (name, email, phone, address) lives only in
:class:`PersonalDetails`. Everything a person answers or votes refers to the
:class:`Participant` and its pseudonym, never to the details.
"""

import secrets
import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minipublic.web.assemblies.models import Assembly

# No 0/O/1/I/L: pseudonyms are read aloud and typed.
_PSEUDONYM_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def random_pseudonym() -> str:
    """Return a random pseudonym such as ``P-7F3KQ2`` (possibly held already)."""
    return "P-" + "".join(secrets.choice(_PSEUDONYM_ALPHABET) for _ in range(6))


def new_pseudonym() -> str:
    """Return a random pseudonym that no participant holds yet (the field's default)."""
    return fresh_pseudonyms(1)[0]


def fresh_pseudonyms(n: int) -> list[str]:
    """``n`` distinct pseudonyms that no participant holds yet.

    There are 31**6 (about 887 million) pseudonyms, so 2 000 drawn at once
    share one about once in 440 loads, and a site with many thousands of
    participants draws a taken one now and then: either would break the
    unique constraint. Clashes are drawn again. A bulk create must pass
    these explicitly: the field's default is drawn one row at a time, and
    rows of one batch are not yet in the database to be checked against.
    """
    chosen: dict[str, None] = {}
    while len(chosen) < n:
        draw = [p for p in {random_pseudonym() for _ in range(n - len(chosen))} if p not in chosen]
        taken: set[str] = set()
        for i in range(0, len(draw), 500):
            taken.update(
                Participant.objects.filter(pseudonym__in=draw[i : i + 500]).values_list(
                    "pseudonym", flat=True
                )
            )
        chosen.update(dict.fromkeys(p for p in draw if p not in taken))
    return list(chosen)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("A staff account needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_superuser=True, is_staff=True, can_create_assemblies=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A staff account: signs in with email and password.

    Members of an assembly are not users; they are :class:`Participant` rows
    and sign in by a personal link.
    """

    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("name"), max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)  # Django admin access; unused by the site
    can_create_assemblies = models.BooleanField(
        _("may create assemblies"),
        default=False,
        help_text=_("Accounts made with 'minipublic createstaff' may start new assemblies."),
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    def natural_key(self) -> tuple[str]:
        """Rows of an assembly archive refer to staff accounts by email (see assemblies.archive)."""
        return (self.email,)

    def get_full_name(self) -> str:
        return self.display_name or self.email

    def get_short_name(self) -> str:
        return self.display_name or self.email


class ParticipantQuerySet(models.QuerySet):
    def members(self, assembly=None):
        """Members who can sign in: active participants (of *assembly*, when given).

        A registrant's participant becomes active when they accept their
        seat on the panel and inactive again if they decline or are replaced;
        members added by an organiser are active from the start. This is the
        one test of "is a member" every app should use.
        """
        qs = self.filter(is_active=True)
        return qs if assembly is None else qs.filter(assembly=assembly)


class Participant(models.Model):
    """A member of one assembly, known to the rest of the system only by a pseudonym.

    ``is_active`` means "a member who can sign in" (see
    :meth:`ParticipantQuerySet.members` and :attr:`is_member`). People in the
    pool who were not selected (or declined) have an inactive participant.
    """

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="participants")
    pseudonym = models.CharField(max_length=16, unique=True, default=new_pseudonym)
    is_active = models.BooleanField(_("active"), default=True)
    joined_at = models.DateTimeField(auto_now_add=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["pseudonym"]

    def __str__(self) -> str:
        return self.pseudonym

    @property
    def is_member(self) -> bool:
        """True for a member who can sign in (see :meth:`ParticipantQuerySet.members`)."""
        return self.is_active

    @property
    def first_name(self) -> str:
        """The name to greet the member with (reads the personal details)."""
        details = getattr(self, "personal_details", None)
        return details.first_name if details else ""


class PersonalDetails(models.Model):
    """Contact details of one participant, kept apart from everything they answer."""

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="personal_details"
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.TextField(_("postal address"), blank=True)
    preferred_language = models.CharField(_("preferred language"), max_length=10, default="en")

    class Meta:
        verbose_name_plural = "personal details"

    def __str__(self) -> str:
        return f"details of {self.participant_id}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class SignInToken(models.Model):
    """One personal sign-in link: signed, single-use, expiring.

    The link carries ``signing.dumps(str(id))``; the signature detects
    tampering, ``expires_at`` bounds its life and ``used_at`` makes it
    single-use.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="sign_in_tokens"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"sign-in link for {self.participant}"
