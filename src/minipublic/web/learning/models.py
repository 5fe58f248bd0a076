"""The learning phase: sessions, table plans, evidence, questions and the claims register.

Design choices
--------------
* A session is an :class:`~minipublic.web.assemblies.models.Meeting` (the
  date, time and place members see on their home page). This app adds a
  :class:`SessionPlan` one-to-one with it: the agenda and the speakers.
* A :class:`TablePlan` is one run of the table-allocation core
  (:func:`minipublic.deliberation.tables.assign_tables`) for one session, with
  its seed and options stored so it can be re-run. Re-seating after absences
  makes a new plan whose ``parent`` is the old one; the session's plan is the
  newest ready one. :class:`Seat` rows say who sits where.
* Members are :class:`~minipublic.web.people.models.Participant` rows; ratings,
  questions, votes and claims refer to the participant, never to personal
  details. A member's baseline trust is read from their registration answers
  (``participant.registrant.trust_in_government``) when the report is made.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minipublic.web.assemblies.models import Assembly, Meeting
from minipublic.web.people.models import Participant


class SpeakerKind(models.TextChoices):
    """What kind of knowledge a speaker brings (the paper's balance of evidence)."""

    EXPERT = "expert", _("Expert")
    LIVED = "lived", _("Lived experience")
    ADVOCATE = "advocate", _("Advocate or stakeholder")
    OFFICIAL = "official", _("Official")


class ContributionForm(models.TextChoices):
    TALK = "talk", _("Talk")
    PAPER = "paper", _("Paper")
    VIDEO = "video", _("Video")
    TESTIMONY = "testimony", _("Testimony")


class SessionPlan(models.Model):
    """The learning side of one session: its agenda and speakers."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="learning_plan")
    agenda = models.TextField(_("agenda"), blank=True)
    speakers = models.ManyToManyField("Speaker", blank=True, related_name="sessions")

    def __str__(self) -> str:
        return f"plan of {self.meeting}"


class Speaker(models.Model):
    """Someone who informs the assembly, with the interests they declared."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="speakers")
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role or organisation"), max_length=200, blank=True)
    kind = models.CharField(_("kind of speaker"), max_length=20, choices=SpeakerKind.choices)
    interests = models.TextField(
        _("declared interests"),
        blank=True,
        help_text=_("Funding, employment, memberships or campaigns that members should know of."),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contribution(models.Model):
    """One piece of evidence: a talk, a paper, a video or a testimony."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="contributions")
    speaker = models.ForeignKey(Speaker, on_delete=models.PROTECT, related_name="contributions")
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contributions",
        verbose_name=_("session"),
    )
    title = models.CharField(_("title"), max_length=200)
    form = models.CharField(_("form"), max_length=20, choices=ContributionForm.choices)
    summary = models.TextField(_("summary in plain words"), blank=True)
    link = models.URLField(_("link (video, slides or paper)"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting__starts_at", "pk"]

    def __str__(self) -> str:
        return self.title

    def open_for_rating(self, now=None) -> bool:
        """Members rate a contribution once its session has started (or at once if it has none)."""
        if self.meeting is None:
            return True
        return self.meeting.starts_at <= (now or timezone.now())


class Rating(models.Model):
    """One member's rating of one contribution (1-5 on three scales); they may change it."""

    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="ratings")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    trust = models.PositiveSmallIntegerField(_("trust"))
    clarity = models.PositiveSmallIntegerField(_("clarity"))
    fairness = models.PositiveSmallIntegerField(_("fairness"))
    rated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contribution", "participant"], name="one_rating"),
            models.CheckConstraint(
                condition=models.Q(trust__gte=1, trust__lte=5)
                & models.Q(clarity__gte=1, clarity__lte=5)
                & models.Q(fairness__gte=1, fairness__lte=5),
                name="rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"rating of {self.contribution_id} by {self.participant_id}"


class SpeakerRequest(models.Model):
    """A member's answer to "who would you trust to inform us?"."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    who = models.CharField(_("who would you trust to inform us?"), max_length=300)
    why = models.TextField(_("why (optional)"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.who


class QuestionStatus(models.TextChoices):
    OPEN = "open", _("Waiting for an answer")
    IN_SESSION = "in_session", _("Answered in the session")
    IN_WRITING = "in_writing", _("Answered in writing")


class Question(models.Model):
    """A member's question to the speakers of one session."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="questions", verbose_name=_("session")
    )
    speaker = models.ForeignKey(
        Speaker,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name=_("for which speaker (optional)"),
    )
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("your question"))
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=20, choices=QuestionStatus.choices, default=QuestionStatus.OPEN
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["meeting__starts_at", "-created_at"]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_answered(self) -> bool:
        return self.status != QuestionStatus.OPEN

    def is_overdue(self, now=None) -> bool:
        """Unanswered although its session is over."""
        now = now or timezone.now()
        end = self.meeting.ends_at or self.meeting.starts_at
        return not self.is_answered and end <= now


class QuestionVote(models.Model):
    """One member's up-vote of one question (one per member)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="votes")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "participant"], name="one_question_vote"),
        ]


class Criterion(models.Model):
    """One proposed criterion for reliable information, voted on by members."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(_("criterion"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text


class CriterionVote(models.Model):
    """One member's support for one criterion."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="votes")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["criterion", "participant"], name="one_criterion_vote"),
        ]


class Verdict(models.TextChoices):
    """The answer to a claim, in plain words."""

    SUPPORTED = "supported", _("The evidence supports it")
    PARTLY = "partly", _("Partly true: it leaves out something important")
    NOT_SUPPORTED = "not_supported", _("The evidence does not support it")
    UNCLEAR = "unclear", _("The evidence is unclear or experts disagree")


class Claim(models.Model):
    """A factual claim heard in the room that someone wants checked, and its answer."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="claims",
        verbose_name=_("session where it was heard"),
    )
    text = models.TextField(_("the claim"))
    heard_from = models.CharField(_("who said it (optional)"), max_length=200, blank=True)
    flagged_by_participant = models.ForeignKey(
        Participant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    flagged_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices, blank=True)
    response = models.TextField(_("answer in plain words"), blank=True)
    sources = models.TextField(_("sources"), blank=True)
    criteria_met = models.ManyToManyField(Criterion, blank=True, related_name="+")
    criteria_checked = models.ManyToManyField(Criterion, blank=True, related_name="+")
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_answered(self) -> bool:
        return bool(self.verdict)


class PlanStatus(models.TextChoices):
    COMPUTING = "computing", _("Being computed")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class TablePlan(models.Model):
    """One table plan of one session: the options, the seed and the core's scores."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="table_plans")
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=20, choices=PlanStatus.choices, default=PlanStatus.COMPUTING
    )
    tables = models.PositiveSmallIntegerField(_("tables"))
    rounds = models.PositiveSmallIntegerField(_("rounds"))
    mix = models.JSONField(default=dict)  # feature -> "diversify" | "cluster"
    seed = models.BigIntegerField(_("seed"))
    accessible_tables = models.JSONField(default=list)
    pinned = models.JSONField(default=list)  # [[round, pseudonym, table], ...]
    apart = models.JSONField(default=list)  # [[pseudonym, pseudonym], ...] never at one table
    facilitators = models.JSONField(default=dict)  # staff user id (str) -> table
    absent = models.JSONField(default=list)  # pseudonyms (re-seating)
    reseat_from = models.PositiveSmallIntegerField(null=True, blank=True)
    keep_language_together = models.BooleanField(default=True)
    repeat_meetings = models.IntegerField(null=True, blank=True)
    repeat_lower_bound = models.IntegerField(null=True, blank=True)
    mixing = models.JSONField(default=list)  # [{round, table, feature, score}, ...]
    moved = models.JSONField(default=list)  # pseudonyms moved by re-seating
    summary = models.TextField(blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"table plan {self.pk} of {self.meeting}"


class Seat(models.Model):
    """One member at one table in one round of a table plan."""

    plan = models.ForeignKey(TablePlan, on_delete=models.CASCADE, related_name="seats")
    round = models.PositiveSmallIntegerField()
    table = models.PositiveSmallIntegerField()
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["round", "table", "participant__pseudonym"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "round", "participant"], name="one_seat_per_round"
            ),
        ]
