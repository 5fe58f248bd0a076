"""Deliberation: statement voting, moderation, the live opinion map, criteria and the DRI.

One :class:`Conversation` per assembly holds the organiser's settings
(moderation policy, who may vote, length cap, map refresh threshold). People
who vote are :class:`Voter` rows: a member (``participant``) or a browser of
the public (``browser_id``, a random id kept in a cookie). A vote is one row
per (voter, statement), updated when the voter changes their mind.

What may be shown to whom
-------------------------
Under **strict** moderation a statement is shown to nobody but its author and
the staff until a facilitator accepts it; under **permissive** moderation it
is shown unless rejected. :meth:`StatementQuerySet.visible` is the one place
that rule is written: every page, export and computation uses it.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minipublic.web.assemblies.models import Assembly
from minipublic.web.people.models import Participant
from minipublic.web.progress.models import TaskProgress


class Moderation(models.TextChoices):
    STRICT = "strict", _("Strict: a statement is shown only after a facilitator accepts it")
    PERMISSIVE = "permissive", _("Permissive: a statement is shown at once unless rejected")


class Conversation(models.Model):
    """The statement conversation of one assembly and the organiser's settings for it."""

    assembly = models.OneToOneField(Assembly, on_delete=models.CASCADE, related_name="conversation")
    topic = models.TextField(_("what the statements are about"))
    moderation = models.CharField(
        _("moderation"), max_length=12, choices=Moderation.choices, default=Moderation.STRICT
    )
    is_open = models.BooleanField(_("open for members' votes and statements"), default=True)
    public_voting = models.BooleanField(
        _("the public may vote and write statements"), default=False
    )
    map_public = models.BooleanField(_("the opinion map is public"), default=False)
    max_length = models.PositiveIntegerField(_("longest statement (characters)"), default=280)
    refresh_threshold = models.PositiveIntegerField(
        _("refresh the map after this many new votes or statements"), default=50
    )
    seed = models.PositiveIntegerField(_("seed of the map and of routing"), default=0)
    attribution = models.TextField(_("source and licence of imported statements"), blank=True)
    map_version = models.PositiveIntegerField(default=0)
    map_refresh_pending = models.BooleanField(default=False)
    criteria_closed = models.BooleanField(_("the list of criteria is closed"), default=False)
    dri_stage = models.CharField(
        _("meta-consensus survey open for"),
        max_length=4,
        choices=[
            ("", _("closed")),
            ("pre", _("before deliberation")),
            ("post", _("after deliberation")),
        ],
        blank=True,
        default="",
    )

    def __str__(self) -> str:
        return f"statements of {self.assembly}"


class Voter(models.Model):
    """Someone who votes: a member, or a browser of the public (random id in a cookie)."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="voters")
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.CASCADE, related_name="voters"
    )
    browser_id = models.CharField(max_length=40, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "participant"], name="delib_one_voter_per_member"
            ),
            models.UniqueConstraint(
                fields=["conversation", "browser_id"], name="delib_one_voter_per_browser"
            ),
            models.CheckConstraint(
                condition=Q(participant__isnull=False) | Q(browser_id__isnull=False),
                name="delib_voter_is_someone",
            ),
        ]

    def __str__(self) -> str:
        if self.participant_id:
            return self.participant.pseudonym
        return f"public voter {self.pk}"

    @property
    def is_member(self) -> bool:
        return self.participant_id is not None


def new_browser_id() -> str:
    return secrets.token_urlsafe(24)


class Status(models.TextChoices):
    PENDING = "pending", _("waiting for moderation")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")
    MERGED = "merged", _("merged into another statement")


class StatementQuerySet(models.QuerySet):
    def visible(self, conversation) -> "StatementQuerySet":
        """Statements anybody in the conversation may see under its moderation policy."""
        qs = self.filter(conversation=conversation)
        if conversation.moderation == Moderation.STRICT:
            return qs.filter(status=Status.ACCEPTED)
        return qs.filter(status__in=[Status.ACCEPTED, Status.PENDING])


class Statement(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="statements"
    )
    text = models.TextField(_("statement"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    author = models.ForeignKey(
        Voter, null=True, blank=True, on_delete=models.SET_NULL, related_name="statements"
    )
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
    )
    source_id = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    moderated_at = models.DateTimeField(null=True, blank=True)

    objects = StatementQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"statement {self.pk}"

    @property
    def by_participant(self) -> bool:
        """Written by a participant (member or public), not by the organisers."""
        return self.author_id is not None


class Vote(models.Model):
    """One voter's latest vote on one statement: 1 agree, -1 disagree, 0 pass."""

    AGREE, DISAGREE, PASS = 1, -1, 0
    VALUES = {"agree": 1, "disagree": -1, "pass": 0}

    voter = models.ForeignKey(Voter, on_delete=models.CASCADE, related_name="votes")
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="votes")
    value = models.SmallIntegerField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["voter", "statement"], name="delib_one_vote"),
            models.CheckConstraint(condition=Q(value__in=[-1, 0, 1]), name="delib_vote_value"),
        ]
        indexes = [models.Index(fields=["statement", "updated_at"])]

    def __str__(self) -> str:
        return f"vote {self.pk}"


class ModerationEntry(models.Model):
    """The moderation log: who did what to which statement, and why."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="moderation_log"
    )
    statement = models.ForeignKey(
        Statement, null=True, blank=True, on_delete=models.SET_NULL, related_name="log"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=20)
    reason = models.TextField(blank=True)
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.statement_id}"


class MapSnapshot(models.Model):
    """One computed opinion map (summary as JSON), numbered by ``version``."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="maps")
    version = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    seed = models.PositiveIntegerField()
    n_votes = models.PositiveIntegerField()
    n_voters = models.PositiveIntegerField()
    n_statements = models.PositiveIntegerField()
    data = models.JSONField()
    progress = models.ForeignKey(
        TaskProgress, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "version"], name="delib_map_version")
        ]
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"map v{self.version} of {self.conversation.assembly}"


# --- convergent facilitation ----------------------------------------------------


class CriterionStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    AGREED = "agreed", _("on the agreed list")
    DROPPED = "dropped", _("not on the list")


class Criterion(models.Model):
    """A criterion any good proposal must meet, proposed by a member or a facilitator."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="criteria"
    )
    text = models.CharField(_("criterion"), max_length=200)
    proposed_by = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=CriterionStatus.choices, default=CriterionStatus.PROPOSED
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"criterion {self.pk}"


class CriterionSupport(models.Model):
    """A member's "this must be on the list" (or not) for one criterion."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="supports")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    support = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["criterion", "participant"], name="delib_one_support")
        ]


class Proposal(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="proposals"
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("what it proposes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


class Fit(models.TextChoices):
    MEETS = "meets", _("meets it")
    PARTLY = "partly", _("partly")
    DOES_NOT = "not", _("does not meet it")


class Score(models.Model):
    """A member's judgement of one proposal against one agreed criterion, with a reason."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    fit = models.CharField(max_length=6, choices=Fit.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "criterion", "participant"], name="delib_one_score"
            )
        ]


# --- meta-consensus (DRI) -------------------------------------------------------

RATING_MIN, RATING_MAX = 1, 7


class Consideration(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="considerations"
    )
    text = models.CharField(_("consideration"), max_length=300)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"consideration {self.pk}"


class Option(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(_("option"), max_length=300)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"option {self.pk}"


class Rating(models.Model):
    consideration = models.ForeignKey(
        Consideration, on_delete=models.CASCADE, related_name="ratings"
    )
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=4)
    rating = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["consideration", "participant", "stage"], name="delib_one_rating"
            )
        ]


class Ranking(models.Model):
    option = models.ForeignKey(Option, on_delete=models.CASCADE, related_name="rankings")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=4)
    rank = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["option", "participant", "stage"], name="delib_one_rank"
            )
        ]


class DRIRun(models.Model):
    """One computation of the Deliberative Reason Index, with its seed and results."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="dri_runs"
    )
    seed = models.PositiveIntegerField()
    permutations = models.PositiveIntegerField(default=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    stages = models.JSONField(default=list)
    individual = models.JSONField(default=list)
    change_p_value = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    progress = models.ForeignKey(
        TaskProgress, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"DRI run {self.pk}"
