"""Follow-up: the commissioner's promise, responses to the adopted recommendations, the
implementation tracker, members' verdicts, and the public's email follow.

A :class:`Response` answers one adopted recommendation. The commissioner edits
it as a draft; publishing copies its text into a :class:`ResponseVersion`
(numbered, with who and when), so a published response is never silently
changed: a later change is a new published version, and the page shows the
difference. :class:`StatusUpdate` rows are the dated, signed implementation
reports; :class:`SubItem` rows are weighted parts of the work (milestones).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minipublic.web.assemblies.models import Assembly
from minipublic.web.decisions.models import Recommendation
from minipublic.web.people.models import Participant


class Category(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    ACCEPTED_IN_PART = "accepted_in_part", _("Accepted in part")
    UNDER_CONSIDERATION = "under_consideration", _("Under consideration")
    REJECTED = "rejected", _("Rejected")
    ALREADY_HAPPENING = "already_happening", _("Already happening")
    OUTSIDE_POWERS = "outside_powers", _("Outside our powers")


class ImplementationStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    STALLED = "stalled", _("Stalled")
    ABANDONED = "abandoned", _("Abandoned")


class Fidelity(models.TextChoices):
    NOT_JUDGED = "not_judged", _("Not judged yet")
    AS_RECOMMENDED = "as_recommended", _("As recommended")
    MODIFIED = "modified", _("Modified")
    WATERED_DOWN = "watered_down", _("Watered down")


class Commitment(models.Model):
    """What the commissioner promised: when they will respond, and how often they will report."""

    assembly = models.OneToOneField(Assembly, on_delete=models.CASCADE, related_name="commitment")
    promise = models.TextField(
        _("the promise"),
        help_text=_(
            "In the commissioner's words, e.g. “We will respond in public to every recommendation within six months.”"
        ),
    )
    respond_by = models.DateField(_("respond to every recommendation by"))
    first_report_months = models.PositiveSmallIntegerField(
        _("first progress report after (months)"), default=3
    )
    report_every_months = models.PositiveSmallIntegerField(
        _("then a progress report every (months)"), default=6
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"commitment of {self.assembly}"


class Response(models.Model):
    """The commissioner's answer to one adopted recommendation (its current draft)."""

    recommendation = models.OneToOneField(
        Recommendation, on_delete=models.CASCADE, related_name="response"
    )
    category = models.CharField(_("answer"), max_length=30, choices=Category.choices)
    reason = models.TextField(_("reason"), blank=True)
    responsible_body = models.CharField(_("who is responsible"), max_length=200, blank=True)
    actions = models.TextField(_("what will be done"), blank=True)
    due_by = models.DateField(_("by when"), null=True, blank=True)
    published_version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["recommendation__number"]

    def __str__(self) -> str:
        return f"response to {self.recommendation}"

    @property
    def assembly(self) -> Assembly:
        return self.recommendation.assembly

    @property
    def is_published(self) -> bool:
        return self.published_version > 0

    def published(self) -> "ResponseVersion | None":
        return self.versions.order_by("-number").first()


class ResponseVersion(models.Model):
    """One published text of a response, kept for ever."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    category = models.CharField(max_length=30, choices=Category.choices)
    reason = models.TextField(blank=True)
    responsible_body = models.CharField(max_length=200, blank=True)
    actions = models.TextField(blank=True)
    due_by = models.DateField(null=True, blank=True)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["response", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["response", "number"], name="one_response_version")
        ]

    def __str__(self) -> str:
        return f"version {self.number} of the {self.response}"

    def get_category_display(self) -> str:  # noqa: D102 (Django's own is added for fields)
        return Category(self.category).label


class StatusUpdate(models.Model):
    """A dated, signed report on how implementing a response is going."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="updates")
    recorded_on = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=20, choices=ImplementationStatus.choices)
    percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    fidelity = models.CharField(
        _("compared with the recommendation"),
        max_length=20,
        choices=Fidelity.choices,
        default=Fidelity.NOT_JUDGED,
    )
    note = models.TextField(_("what happened"), blank=True)
    evidence_url = models.URLField(_("evidence (a link)"), blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["response", "-recorded_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.status} on {self.recorded_on}"


class SubItem(models.Model):
    """A weighted part of the work (a milestone), with its own progress and due date."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="sub_items")
    title = models.CharField(_("title"), max_length=200)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    due_by = models.DateField(_("due by"), null=True, blank=True)

    class Meta:
        ordering = ["response", "due_by", "pk"]

    def __str__(self) -> str:
        return self.title


class Verdict(models.Model):
    """A member's rating of a published response: does it respond fairly (0–10)?"""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="verdicts")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(_("score (0–10)"))
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "participant"], name="one_verdict"),
            models.CheckConstraint(condition=models.Q(score__lte=10), name="verdict_score_0_10"),
        ]

    def __str__(self) -> str:
        return f"verdict {self.score} on {self.response}"


class JointStatement(models.Model):
    """The members' own statement of response, published beside the commissioner's."""

    assembly = models.ForeignKey(
        Assembly, on_delete=models.CASCADE, related_name="joint_statements"
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), max_length=20000)
    created_by = models.ForeignKey(
        Participant, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class JointSignature(models.Model):
    statement = models.ForeignKey(
        JointStatement, on_delete=models.CASCADE, related_name="signatures"
    )
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["statement", "participant"], name="one_joint_signature")
        ]


class Follower(models.Model):
    """Someone of the public who follows the tracker by email (double opt-in)."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="followers")
    email = models.EmailField()
    language = models.CharField(max_length=10, default="en")
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assembly", "email"], name="one_follower_per_email")
        ]

    def __str__(self) -> str:
        return f"follower {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class NoticeKind(models.TextChoices):
    RESPONSE_PUBLISHED = "response_published", _("Response published")
    STATUS_CHANGED = "status_changed", _("Progress reported")


class Notice(models.Model):
    """Something to tell members and followers in the next daily email."""

    assembly = models.ForeignKey(
        Assembly, on_delete=models.CASCADE, related_name="followup_notices"
    )
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=NoticeKind.choices)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]


class Delivery(models.Model):
    """One daily email to one recipient: claimed before sending, marked after.

    The unique (assembly, day, recipient) row is committed *before* the email
    is sent, so a worker that restarts never sends the same day's email to the
    same person twice; a row claimed but never marked sent is shown to the
    organiser as "may not have gone out".
    """

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    recipient = models.CharField(
        max_length=64, help_text="member:<pseudonym> or follower:<id> (never an address)"
    )
    notices = models.PositiveIntegerField(default=0)
    claimed_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assembly", "day", "recipient"], name="one_digest")
        ]
