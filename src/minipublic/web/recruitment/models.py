"""Recruitment: address files, the stage-one lottery, letters, registrants and their support needs.

Design choices (agreed interface with the ``selection`` app)
------------------------------------------------------------
* :class:`Registrant` is one person in the pool of an assembly. It owns its
  own pseudonymous :class:`~minipublic.web.people.models.Participant` row
  (one-to-one). Contact details (name, email, phone, postal address) are
  stored only in that participant's
  :class:`~minipublic.web.people.models.PersonalDetails`, never here.
* Answers are plain fields (``age_band``, ``gender``, ``area``,
  ``education``, ``ethnicity``, ``disability``, ``trust_in_government``
  0-10, ``barriers`` a list) plus ``extra`` (feature -> value) for features
  an imported pool file brings that the form does not ask.
  :meth:`Registrant.features` returns every answer as feature -> string, the
  shape the sortition core's pool table wants, including two derived
  attitude features for quotas: ``trust_band`` (``low`` 0-3, ``medium``
  4-6, ``high`` 7-10) and ``no_point`` (``yes``/``no``).
* ``status`` and ``selection_probability`` live HERE on :class:`Registrant`
  (registered -> selected -> invited -> accepted / declined -> replaced,
  or withdrawn). This app writes them only at registration and import; the
  ``selection`` app updates them through its own actions (with audit rows).
* ``household_key`` is a household pseudonym: a keyed hash
  (:func:`household_pseudonym`) of the normalised address
  (:func:`minipublic.sortition.normalise_address`). The address itself stays
  in the personal-data model; the selection's pool files carry only the
  pseudonym, for the one-person-per-household rule. One registration per
  letter code is enforced by a unique constraint on ``address``.
"""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minipublic.web.assemblies.models import Assembly
from minipublic.web.people.models import Participant

# No 0/O/1/I/L: letter codes are read from paper and typed on a phone.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def new_letter_code() -> str:
    """Return a random registration code such as ``K7QM-3XPA`` (40 bits)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(value: str) -> str:
    """Upper-case a typed code, drop spaces and dashes, and put the dash back.

    >>> normalise_code(" k7qm 3xpa ")
    'K7QM-3XPA'
    """
    raw = "".join(ch for ch in str(value).upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == CODE_LENGTH else raw


def new_open_link_token() -> str:
    return secrets.token_urlsafe(9)


def household_pseudonym(normalised_address: str) -> str:
    """The household's pseudonym: ``H-`` and a keyed hash (HMAC-SHA-256) of its address.

    Two people at one address get the same pseudonym, so the
    one-person-per-household rule still works, but the pool and the
    published files never show the address. Keyed with the site's
    ``SECRET_KEY`` so nobody can test guessed addresses against it. A value
    that is already a pseudonym is returned unchanged; empty stays empty.
    """
    key = (normalised_address or "").strip()
    if not key or key.startswith("H-"):
        return key
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"minipublic.household:{key}".encode(), hashlib.sha256
    ).hexdigest()
    return f"H-{digest[:24]}"


class Question(models.TextChoices):
    """Questions the organiser may switch on for the registration form."""

    AGE_BAND = "age_band", _("Age band")
    GENDER = "gender", _("Gender")
    AREA = "area", _("Area")
    EDUCATION = "education", _("Education")
    ETHNICITY = "ethnicity", _("Ethnicity")
    DISABILITY = "disability", _("Disability")
    TRUST = "trust_in_government", _("Trust in national government (0-10)")
    BARRIERS = "barriers", _("What might stop you taking part")
    SUPPORT = "support_needs", _("Support needs")
    PHONE = "phone", _("Phone number")


DEFAULT_QUESTIONS = [q.value for q in Question]


def default_questions() -> list[str]:
    return list(DEFAULT_QUESTIONS)


class AgeBand(models.TextChoices):
    A16_29 = "16-29", "16-29"
    A30_44 = "30-44", "30-44"
    A45_64 = "45-64", "45-64"
    A65 = "65+", "65+"


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    OTHER = "other", _("In another way")


class Education(models.TextChoices):
    NONE = "no qualifications", _("No formal qualifications")
    SCHOOL = "school", _("School or college qualifications")
    DEGREE = "degree", _("University degree")


class Ethnicity(models.TextChoices):
    WHITE = "white", _("White")
    ASIAN = "asian", _("Asian")
    BLACK = "black", _("Black")
    MIXED = "mixed/other", _("Mixed or another group")


class Disability(models.TextChoices):
    NO = "no", _("No")
    YES = "yes", _("Yes")


class Barrier(models.TextChoices):
    NO_POINT = "no_point", _("No point, nothing will change")
    NO_TIME = "no_time", _("No time")
    CARING = "caring", _("Caring responsibilities")
    COST = "cost", _("Cost")
    LANGUAGE = "language", _("Language")
    ACCESS = "access", _("Access (getting in, getting around)")
    OTHER = "other", _("Something else")


class SupportNeed(models.TextChoices):
    PAYMENT = "payment", _("Payment for my time")
    CARING = "caring", _("Childcare or caring costs")
    INTERPRETER = "interpreter", _("Interpreter or language support")
    ACCESS = "access", _("Access needs")
    TRAVEL = "travel", _("Travel")
    DEVICE = "device", _("A digital device or internet")


class Source(models.TextChoices):
    LETTER = "letter", _("Letter code")
    OPEN_LINK = "open_link", _("Open link")
    IMPORT = "import", _("Imported")


class Status(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    SELECTED = "selected", _("Selected")
    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    REPLACED = "replaced", _("Replaced")
    WITHDRAWN = "withdrawn", _("Withdrawn")


def trust_band(score: int | None) -> str:
    """``low`` for 0-3, ``medium`` for 4-6, ``high`` for 7-10, ``""`` when not asked."""
    if score is None:
        return ""
    if score <= 3:
        return "low"
    if score <= 6:
        return "medium"
    return "high"


class RegistrationSettings(models.Model):
    """What the registration form of one assembly asks, and whether it is open."""

    assembly = models.OneToOneField(
        Assembly, on_delete=models.CASCADE, related_name="registration_settings"
    )
    is_open = models.BooleanField(_("registration is open"), default=True)
    closes_on = models.DateField(
        _("registration closes at the end of"),
        null=True,
        blank=True,
        help_text=_("Empty: open until the assembly leaves the register phase."),
    )
    open_link_enabled = models.BooleanField(
        _("also accept registrations without a letter code (open link)"), default=False
    )
    open_link_token = models.CharField(max_length=32, unique=True, default=new_open_link_token)
    questions = models.JSONField(_("questions asked"), default=default_questions)
    areas = models.JSONField(
        _("areas offered on the form"),
        default=list,
        blank=True,
        help_text=_("Filled from the address file when empty."),
    )
    privacy_notice = models.TextField(_("privacy notice (plain language)"), blank=True)
    short_url = models.CharField(
        _("short web address printed on letters"),
        max_length=200,
        blank=True,
        help_text=_("For example aberwen.example/join. Empty: the site's own address."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "registration settings"

    def __str__(self) -> str:
        return f"registration settings of {self.assembly}"

    def asks(self, question: str) -> bool:
        return question in self.questions


class AddressFile(models.Model):
    """An uploaded list of addresses for the stage-one (invitation) lottery."""

    class LotteryStatus(models.TextChoices):
        NOT_RUN = "not_run", _("Not run")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="address_files")
    name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    n_addresses = models.PositiveIntegerField(default=0)
    lottery_status = models.CharField(
        max_length=20, choices=LotteryStatus.choices, default=LotteryStatus.NOT_RUN
    )
    n_letters = models.PositiveIntegerField(_("letters to send"), null=True, blank=True)
    seed = models.CharField(_("seed"), max_length=100, blank=True)
    lottery_method = models.CharField(max_length=100, blank=True)
    lottery_run_at = models.DateTimeField(null=True, blank=True)
    letters_pdf = models.FileField(upload_to="recruitment/letters/", blank=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.name


class Address(models.Model):
    """One household address; ``letter_code`` is set when the lottery invites it."""

    address_file = models.ForeignKey(
        AddressFile, on_delete=models.CASCADE, related_name="addresses"
    )
    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="addresses")
    row = models.PositiveIntegerField(help_text="Row in the uploaded file (header = 1).")
    address = models.CharField(max_length=300)
    street = models.CharField(max_length=200, blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    area = models.CharField(max_length=100)
    household_key = models.CharField(max_length=300, db_index=True)
    inclusion_probability = models.FloatField(null=True, blank=True)
    invited = models.BooleanField(default=False)
    letter_code = models.CharField(max_length=16, unique=True, null=True, blank=True)
    door_knocked_at = models.DateTimeField(null=True, blank=True)
    door_knock_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["area", "street", "address"]
        indexes = [models.Index(fields=["assembly", "invited", "area"])]

    def __str__(self) -> str:
        return self.address


class AreaWeight(models.Model):
    """Oversampling weight of one area in the stage-one lottery (1 = proportional)."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="area_weights")
    area = models.CharField(max_length=100)
    weight = models.FloatField(default=1.0)
    note = models.CharField(
        _("why (source of the weight)"),
        max_length=200,
        blank=True,
    )

    class Meta:
        ordering = ["area"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "area"], name="one_weight_per_area"),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.area}: {self.weight:g}"


class PoolImport(models.Model):
    """One imported pool file (Sortition Foundation people file)."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="pool_imports")
    name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    n_rows = models.PositiveIntegerField(default=0)
    id_column = models.CharField(max_length=100)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return self.name


class Registrant(models.Model):
    """One person in the pool of an assembly (see the module docstring)."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="registrants")
    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="registrant"
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    address = models.OneToOneField(
        Address,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrant",
        help_text="The invited address whose letter code was used.",
    )
    pool_import = models.ForeignKey(
        PoolImport, on_delete=models.CASCADE, null=True, blank=True, related_name="registrants"
    )
    external_id = models.CharField(max_length=100, blank=True, help_text="Id in the imported file.")
    household_key = models.CharField(max_length=300, blank=True, db_index=True)
    # Answers (blank when not asked).
    age_band = models.CharField(max_length=20, blank=True)
    gender = models.CharField(max_length=20, blank=True)
    area = models.CharField(max_length=100, blank=True)
    education = models.CharField(max_length=40, blank=True)
    ethnicity = models.CharField(max_length=40, blank=True)
    disability = models.CharField(max_length=10, blank=True)
    trust_in_government = models.PositiveSmallIntegerField(null=True, blank=True)
    barriers = models.JSONField(default=list, blank=True)
    extra = models.JSONField(default=dict, blank=True)
    support_needs = models.JSONField(default=list, blank=True)
    support_note = models.TextField(blank=True)
    language = models.CharField(max_length=10, default="en")
    consent_given_at = models.DateTimeField(null=True, blank=True)
    registered_at = models.DateTimeField(auto_now_add=True)
    # Written by the selection app.
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REGISTERED)
    selection_probability = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["registered_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "external_id"],
                condition=~models.Q(external_id=""),
                name="one_registrant_per_external_id",
            ),
        ]
        indexes = [models.Index(fields=["assembly", "status"])]

    def __str__(self) -> str:
        return str(self.participant_id and self.participant.pseudonym)

    @property
    def pseudonym(self) -> str:
        return self.participant.pseudonym

    @property
    def trust_band(self) -> str:
        return trust_band(self.trust_in_government)

    @property
    def support_needs_labels(self) -> list[str]:
        """The support needs in words (in the current language)."""
        labels = dict(SupportNeed.choices)
        return [str(labels.get(need, need)) for need in self.support_needs]

    @property
    def no_point(self) -> str:
        return "yes" if Barrier.NO_POINT in self.barriers else "no"

    def features(self) -> dict[str, str]:
        """Every answer as feature -> string, for the sortition pool table.

        Keys: ``age_band, gender, area, education, ethnicity, disability,
        trust_band, no_point`` (only those answered) plus everything in
        ``extra``. ``trust_band`` and ``no_point`` are derived attitude
        features for quotas.
        """
        out: dict[str, str] = {}
        for name in ("age_band", "gender", "area", "education", "ethnicity", "disability"):
            value = getattr(self, name)
            if value:
                out[name] = value
        if self.trust_in_government is not None:
            out["trust_band"] = self.trust_band
        if self.source != Source.IMPORT or self.barriers:
            out["no_point"] = self.no_point
        for key, value in self.extra.items():
            out.setdefault(str(key), str(value))
        return out


class Message(models.Model):
    """One message to a registrant: sent by email, or a letter for the mail-merge file.

    At most one message of each kind per registrant (a unique constraint), so
    "thank you, you were not selected this time" goes out once however often
    the action runs. Letters keep their text (in the registrant's language)
    for the organiser's mail-merge file; emails keep only the fact.
    """

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("Registration confirmed")
        NOT_SELECTED = "not_selected", _("Not selected this time")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        LETTER = "letter", _("Letter")

    registrant = models.ForeignKey(Registrant, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    language = models.CharField(max_length=10, default="en")
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True, help_text="Text of a letter (empty for emails).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["registrant", "kind"], name="one_message_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.registrant} by {self.channel}"


class SupportArrangement(models.Model):
    """What the organiser arranged for one support need of one registrant, and its cost."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ARRANGED = "arranged", _("Arranged")
        NOT_NEEDED = "not_needed", _("No longer needed")

    registrant = models.ForeignKey(
        Registrant, on_delete=models.CASCADE, related_name="support_arrangements"
    )
    need = models.CharField(max_length=20, choices=SupportNeed.choices)
    state = models.CharField(max_length=20, choices=State.choices, default=State.REQUESTED)
    arrangement = models.CharField(_("what has been arranged"), max_length=300, blank=True)
    cost = models.DecimalField(_("cost (£)"), max_digits=9, decimal_places=2, default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["registrant", "need"]
        constraints = [
            models.UniqueConstraint(fields=["registrant", "need"], name="one_row_per_need"),
        ]

    def __str__(self) -> str:
        return f"{self.registrant}: {self.need}"
