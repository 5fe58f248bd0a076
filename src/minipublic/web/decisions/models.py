"""Decisions: themes, recommendations and their versions, amendments, ballots, votes,
minority statements and the members' foreword.

Interface for other apps (e.g. ``followup``)
--------------------------------------------
:class:`Recommendation` has ``assembly``, ``theme``, ``number`` (its order in
the report, "Recommendation 3"), ``title`` and ``text`` (the current version),
and ``outcome`` (:class:`Outcome`: ``pending`` until its ballot closes, then
``adopted`` or ``not_adopted``). ``Recommendation.objects.adopted(assembly)``
returns the adopted ones in report order.

Secrecy of the vote
-------------------
:class:`Vote` has no link to a member: no foreign key, no timestamp, a random
UUID primary key (so insertion order says nothing), a random receipt code and
the SHA-256 of the member's per-ballot voting token. The token is an HMAC of
the ballot, the member and the ballot's random ``token_salt`` under a key
derived from the site's secret; only the site can recompute it, so the member
can change their vote until close. When the ballot closes the salt is erased,
after which nobody (not even someone holding the database and the secret) can
recompute a token. :class:`VoterRegister` says who has voted (turnout, one vote
per member) and has no link to a vote.
"""

import secrets
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _

from minipublic.web.assemblies.models import Assembly
from minipublic.web.people.models import Participant


class Theme(models.Model):
    """A heading under which recommendations are grouped."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="themes")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class Outcome(models.TextChoices):
    PENDING = "pending", _("Not yet voted on")
    ADOPTED = "adopted", _("Adopted")
    NOT_ADOPTED = "not_adopted", _("Not adopted")


class RecommendationQuerySet(models.QuerySet):
    def of(self, assembly) -> "RecommendationQuerySet":
        return self.filter(assembly=assembly)

    def adopted(self, assembly) -> "RecommendationQuerySet":
        """The adopted recommendations of *assembly*, in report order."""
        return self.filter(assembly=assembly, outcome=Outcome.ADOPTED).order_by(
            "theme__position", "number", "pk"
        )


class Recommendation(models.Model):
    """A recommendation: its current text; earlier texts are :class:`RecommendationVersion` rows.

    Changed only by :mod:`minipublic.web.decisions.actions`.
    """

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="recommendations")
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, related_name="recommendations", null=True, blank=True
    )
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    drafted_by = models.CharField(
        _("drafted by"),
        max_length=200,
        help_text=_("The table or drafting group that wrote it, e.g. “Table 3”."),
    )
    amendments_open = models.BooleanField(_("open for amendments"), default=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    promoted_from = models.ForeignKey(
        "Amendment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        ordering = ["number", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "number"], name="one_recommendation_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def is_adopted(self) -> bool:
        return self.outcome == Outcome.ADOPTED

    @property
    def current_version(self) -> "RecommendationVersion | None":
        return self.versions.order_by("-number").first()


class RecommendationVersion(models.Model):
    """One text of a recommendation, kept for its history (who, when, why)."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    author_label = models.CharField(max_length=200)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    amendment = models.ForeignKey(
        "Amendment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recommendation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "number"], name="one_version_number")
        ]

    def __str__(self) -> str:
        return f"version {self.number} of {self.recommendation}"


class AmendmentStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    MERGED = "merged", _("Merged with changes")
    REJECTED = "rejected", _("Rejected")
    PROMOTED = "promoted", _("Promoted to its own recommendation")


class Amendment(models.Model):
    """A change to a recommendation proposed by a member, and what was decided about it."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="amendments"
    )
    proposer = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="amendments", null=True, blank=True
    )
    proposer_label = models.CharField(max_length=200)
    text = models.TextField(_("proposed text"))
    reason = models.TextField(_("why"))
    based_on_version = models.PositiveIntegerField()
    status = models.CharField(
        max_length=20, choices=AmendmentStatus.choices, default=AmendmentStatus.PROPOSED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"amendment {self.pk} to recommendation {self.recommendation.number}"


class BallotStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    OPEN = "open", _("Open for voting")
    CLOSED = "closed", _("Closed")
    SKIPPED = "skipped", _("Not held (its condition was not met)")


def new_salt() -> str:
    return secrets.token_hex(32)


class Ballot(models.Model):
    """A vote on one recommendation under a rule sealed when it opens.

    ``rule`` is the JSON of :class:`~minipublic.web.decisions.tally.BallotRule`;
    ``rule_sha256`` is set when the ballot opens, after which ``save`` refuses
    any change to ``rule``. ``result`` is the count stored at close.
    """

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="ballots")
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="ballots"
    )
    status = models.CharField(max_length=20, choices=BallotStatus.choices, default="draft")
    rule = models.JSONField(default=dict)
    rule_sha256 = models.CharField(max_length=64, blank=True)
    voted_text = models.TextField(blank=True, help_text="The recommendation's text when opened.")
    voted_version = models.PositiveIntegerField(null=True, blank=True)
    token_salt = models.CharField(max_length=64, default=new_salt, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    electorate = models.PositiveIntegerField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recommendation__number", "pk"]

    def __str__(self) -> str:
        return f"ballot on recommendation {self.recommendation.number}"

    @property
    def is_sealed(self) -> bool:
        return bool(self.rule_sha256)

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            stored = Ballot.objects.filter(pk=self.pk).values("rule", "rule_sha256").first()
            if (
                stored
                and stored["rule_sha256"]
                and (stored["rule"] != self.rule or stored["rule_sha256"] != self.rule_sha256)
            ):
                raise PermissionDenied("The rule of an opened ballot is sealed.")
        super().save(*args, **kwargs)


class VoteSource(models.TextChoices):
    ONLINE = "online", _("Online")
    PAPER = "paper", _("Paper")


class Vote(models.Model):
    """One vote: ballot, value, receipt code. Deliberately no member, no time (see module doc)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="votes")
    value = models.PositiveSmallIntegerField()
    receipt = models.CharField(max_length=20)
    # SHA-256 of the voting token for online votes; empty for paper votes.
    token_hash = models.CharField(max_length=64, blank=True)
    source = models.CharField(max_length=10, choices=VoteSource.choices, default="online")

    class Meta:
        ordering = ["receipt"]
        constraints = [
            models.UniqueConstraint(fields=["ballot", "receipt"], name="one_vote_per_receipt"),
            models.UniqueConstraint(
                fields=["ballot", "token_hash"],
                condition=~models.Q(token_hash=""),
                name="one_vote_per_token",
            ),
        ]

    def __str__(self) -> str:
        return f"vote {self.receipt}"


class VoterRegister(models.Model):
    """Who has voted in which ballot (for turnout and one vote each): no value, no vote link."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="register")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=10, choices=VoteSource.choices, default="online")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ballot", "participant"], name="one_register_row"),
        ]

    def __str__(self) -> str:
        return f"{self.participant} voted"


class PaperEntry(models.Model):
    """One staff member's typing of one paper ballot (by its serial number).

    A paper ballot counts when two different staff entered the same value.
    """

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="paper_entries")
    serial = models.CharField(_("serial number on the paper"), max_length=20)
    value = models.PositiveSmallIntegerField(_("value marked"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["serial", "entered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "serial", "entered_by"], name="one_entry_per_staff"
            ),
        ]

    def __str__(self) -> str:
        return f"paper ballot {self.serial}"


class MinorityStatement(models.Model):
    """A statement by members who dissent from a ballot's outcome; published, never hidden.

    Who signed is stored (to count signatures and refuse a second one) but
    never shown: signing is a public act, but the list of names would let
    others guess how someone voted. See ``docs/decisions.md``.
    """

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="minority_statements"
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("statement"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.title

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Minority statements are never removed.")


class MinoritySignature(models.Model):
    """One member's signature of a minority statement (the author signs first)."""

    statement = models.ForeignKey(
        MinorityStatement, on_delete=models.CASCADE, related_name="signatures"
    )
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    is_author = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["statement", "participant"], name="one_signature"),
        ]

    def __str__(self) -> str:
        return f"signature of {self.statement}"


class Foreword(models.Model):
    """The members' own foreword to the report, as the members agreed it."""

    assembly = models.OneToOneField(Assembly, on_delete=models.CASCADE, related_name="foreword")
    text = models.TextField(_("foreword"))
    signed_as = models.CharField(
        _("signed as"),
        max_length=200,
        default="",
        blank=True,
        help_text=_("E.g. “The members of the Aberwen Climate Assembly”."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"foreword of {self.assembly}"
