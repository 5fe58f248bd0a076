"""Evaluation: survey waves, the evaluator's own items, answers, reminders and cached analyses.

Design choices
--------------
* Answers (:class:`Response`) refer to the pseudonymous
  :class:`~minipublic.web.people.models.Participant` only (or, for the public
  comparison sample, to nobody: a random ``respondent_key``). Names and
  contacts stay in ``PersonalDetails``; the evaluator never sees them.
* A respondent's **arm** (member / comparison / public) is not stored with
  the answers: it is worked out when the data are exported, from the
  participant's current place in the lottery (a registrant who answered T0
  and was later drawn is a member). See :mod:`minipublic.web.evaluation.data`.
* Reminders: one :class:`WaveMessage` row per (wave, participant, number),
  with a unique constraint, so the same invitation or reminder is never sent
  twice, whoever runs the sender and however often.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minipublic.web.assemblies.models import Assembly
from minipublic.web.people.models import Participant
from minipublic.web.progress.models import TaskProgress


class ItemKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    SCALE10 = "scale10", _("0–10 scale")
    LIKERT = "likert", _("Agree–disagree (5 points)")
    THERMOMETER = "thermometer", _("Feeling thermometer (0–100)")
    TEXT = "text", _("Short text")


class WaveCode(models.TextChoices):
    T0 = "T0", _("T0 — at registration (baseline)")
    T1 = "T1", _("T1 — at the end of the assembly")
    T2 = "T2", _("T2 — follow-up (e.g. six months later)")
    PUBLIC = "P", _("Public comparison sample")


RESPONDENT_TITLES = {
    "T0": _("Baseline survey"),
    "T1": _("End-of-assembly survey"),
    "T2": _("Follow-up survey"),
    "P": _("Survey about your area"),
}


class WaveStatus(models.TextChoices):
    DRAFT = "draft", _("Not open yet")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


def new_token() -> str:
    return secrets.token_urlsafe(12)


def new_seed() -> int:
    return secrets.randbits(31)


class EvaluationSettings(models.Model):
    """Per-assembly settings: whether the results are published, the small-sample limit."""

    assembly = models.OneToOneField(
        Assembly, on_delete=models.CASCADE, related_name="evaluation_settings"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    min_n = models.PositiveSmallIntegerField(_("warn below this many people per group"), default=20)

    def __str__(self) -> str:
        return f"evaluation settings of {self.assembly}"


class Item(models.Model):
    """A question of the evaluator's own, beside the instrument bank's."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="survey_items")
    code = models.SlugField(_("short name (letters, digits, _)"), max_length=40)
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    text_en = models.TextField(_("question in English"))
    text_cy = models.TextField(_("question in Welsh"))
    choices = models.JSONField(
        default=list, blank=True, help_text="[{value, en, cy}] for single and multiple choice."
    )
    randomise_choices = models.BooleanField(_("show the answers in a random order"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "code"], name="one_item_per_code"),
        ]

    def __str__(self) -> str:
        return self.code


class Wave(models.Model):
    """One survey wave: which items, for whom, when, and its reminder schedule."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="survey_waves")
    code = models.CharField(max_length=4, choices=WaveCode.choices)
    status = models.CharField(max_length=10, choices=WaveStatus.choices, default=WaveStatus.DRAFT)
    items = models.JSONField(default=list, help_text="Item codes in the order asked.")
    randomise_items = models.BooleanField(_("ask the questions in a random order"), default=False)
    per_page = models.PositiveSmallIntegerField(_("questions per page"), default=5)
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    reminder_days = models.JSONField(_("reminders, days after opening"), default=list, blank=True)
    public_token = models.CharField(max_length=32, unique=True, default=new_token)

    class Meta:
        ordering = ["assembly", "code"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "code"], name="one_wave_per_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} of {self.assembly}"

    @property
    def is_open(self) -> bool:
        return self.status == WaveStatus.OPEN

    @property
    def title(self) -> str:
        """The wave's name as respondents see it."""
        return str(RESPONDENT_TITLES[self.code])

    @property
    def is_public(self) -> bool:
        return self.code == WaveCode.PUBLIC


class Response(models.Model):
    """One person's answers to one wave (saved page by page)."""

    class Source(models.TextChoices):
        REGISTRATION = "registration", _("Registration form")
        SURVEY = "survey", _("Survey")
        PUBLIC_LINK = "public_link", _("Open public link")
        IMPORT = "import", _("Imported panel data")

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="responses")
    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="survey_responses",
    )
    respondent_key = models.CharField(
        max_length=40, default=new_token, help_text="Id of a public respondent (no participant)."
    )
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.SURVEY)
    answers = models.JSONField(default=dict)
    seed = models.BigIntegerField(default=new_seed, help_text="Seed of the item/answer order.")
    language = models.CharField(max_length=10, default="en")
    page = models.PositiveSmallIntegerField(default=0, help_text="Pages saved so far.")
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["wave", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "participant"],
                condition=models.Q(participant__isnull=False),
                name="one_response_per_participant_and_wave",
            ),
        ]
        indexes = [models.Index(fields=["wave", "submitted_at"])]

    def __str__(self) -> str:
        who = self.participant.pseudonym if self.participant_id else "public"
        return f"{self.wave.code} answers of {who}"


class WaveMessage(models.Model):
    """An invitation (number 0) or reminder (1, 2, ...) sent for one wave to one participant."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="messages")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["wave", "participant", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "participant", "number"], name="one_message_per_number"
            ),
        ]


class Analysis(models.Model):
    """The dashboard's analysis of one data version (cached: same data, same numbers)."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="analyses")
    data_version = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    progress = models.ForeignKey(
        TaskProgress, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict)
    plots = models.JSONField(default=dict, help_text="name -> SVG text")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "data_version"], name="one_analysis_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"analysis {self.data_version[:8]} of {self.assembly}"
