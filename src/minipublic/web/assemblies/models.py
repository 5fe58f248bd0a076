"""The assembly, its phases, its staff roles and the append-only audit log.

Rows here are changed only through :mod:`minipublic.web.assemblies.actions`,
which writes an :class:`AuditEvent` for every change.
"""

import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Phase(models.TextChoices):
    """The lifecycle of an assembly, in order (DESIGN.md)."""

    INVITE = "invite", pgettext_lazy("phase", "Invite")
    REGISTER = "register", pgettext_lazy("phase", "Register")
    SELECT = "select", pgettext_lazy("phase", "Select")
    LEARN = "learn", pgettext_lazy("phase", "Learn")
    DELIBERATE = "deliberate", pgettext_lazy("phase", "Deliberate")
    DECIDE = "decide", pgettext_lazy("phase", "Decide")
    RESPOND = "respond", pgettext_lazy("phase", "Respond")
    EVALUATE = "evaluate", pgettext_lazy("phase", "Evaluate")

    @classmethod
    def ordered(cls) -> list["Phase"]:
        return list(cls)

    @property
    def index(self) -> int:
        return list(Phase).index(self)

    @property
    def next(self) -> "Phase | None":
        phases = list(Phase)
        i = phases.index(self)
        return phases[i + 1] if i + 1 < len(phases) else None


PHASE_HELP = {
    Phase.INVITE: _("Send invitation letters to randomly chosen households."),
    Phase.REGISTER: _("People who were invited sign up and answer a few questions."),
    Phase.SELECT: _("A fair lottery picks the members from everyone who registered."),
    Phase.LEARN: _(
        "Members hear evidence from experts, advocates and people with lived experience."
    ),
    Phase.DELIBERATE: _("Members discuss in small groups and look for common ground."),
    Phase.DECIDE: _("Members vote on their recommendations."),
    Phase.RESPOND: _("The commissioner answers each recommendation."),
    Phase.EVALUATE: _("Surveys measure what taking part changed."),
}


def in_language(obj, field: str) -> str:
    """*obj*'s text *field* in the current language: its ``<field>_cy`` in Welsh when written.

    The assembly's own texts (title, question, public summary, session titles
    and places) have a Welsh version beside the English; a Welsh visitor sees
    the Welsh one, and the English one while it has not been written.
    """
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    if language != "en":
        value = getattr(obj, f"{field}_{language}", "")
        if value:
            return value
    return getattr(obj, field)


class Role(models.TextChoices):
    """Staff roles, given per assembly. Members are participants, not staff."""

    ORGANISER = "organiser", _("Organiser")
    FACILITATOR = "facilitator", _("Facilitator")
    COMMISSIONER = "commissioner", _("Commissioner")
    EVALUATOR = "evaluator", _("Evaluator")


class Assembly(models.Model):
    """A citizens' assembly or jury, from invitation to evaluation."""

    slug = models.SlugField(_("web address name"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    question = models.TextField(_("the question put to the assembly"))
    commissioner = models.CharField(
        _("commissioned by"),
        max_length=200,
        help_text=_("The public body that asked the question and will answer."),
    )
    languages = models.JSONField(_("languages"), default=list)
    public_summary = models.TextField(_("public summary"), blank=True)
    # The same texts in Welsh (empty: the English is shown).
    title_cy = models.CharField(_("title in Welsh"), max_length=200, blank=True)
    question_cy = models.TextField(_("the question in Welsh"), blank=True)
    public_summary_cy = models.TextField(_("public summary in Welsh"), blank=True)
    is_public = models.BooleanField(_("listed publicly"), default=False)
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices, default=Phase.INVITE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("assembly")
        verbose_name_plural = _("assemblies")

    def __str__(self) -> str:
        return self.title

    @property
    def local_title(self) -> str:
        """The title in the current language (see :func:`in_language`)."""
        return in_language(self, "title")

    @property
    def local_question(self) -> str:
        return in_language(self, "question")

    @property
    def local_public_summary(self) -> str:
        return in_language(self, "public_summary")

    @property
    def current_phase(self) -> Phase:
        return Phase(self.phase)

    @property
    def next_phase(self) -> Phase | None:
        return self.current_phase.next


class PhaseDates(models.Model):
    """Planned start and end dates of one phase of one assembly."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="phase_dates")
    phase = models.CharField(max_length=20, choices=Phase.choices)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assembly", "phase"], name="one_dates_row_per_phase"),
        ]

    def __str__(self) -> str:
        return f"dates of the {self.phase} phase"


class StaffRole(models.Model):
    """One staff account holding one role in one assembly."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="staff_roles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["role", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "user", "role"], name="one_role_row"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} of {self.assembly}"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("The audit log is append-only.")

    def delete(self):
        raise PermissionDenied("The audit log is append-only.")


class AuditEvent(models.Model):
    """One append-only line of the audit log: who did what to which object, when.

    Written by :func:`minipublic.web.assemblies.audit.record_event` inside the
    action's transaction. Never updated or deleted: ``save`` refuses an
    existing row, and the queryset refuses bulk ``update``/``delete``.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    assembly = models.ForeignKey(
        Assembly, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Who acted, as shown on the log page: a staff email, a member's
    # pseudonym, or "system".
    actor_label = models.CharField(max_length=200)
    event_type = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    old = models.JSONField(null=True, blank=True)
    new = models.JSONField(null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.event_type}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionDenied("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("The audit log is append-only.")


class Meeting(models.Model):
    """A session of the assembly that members attend (in person or online)."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place or online link"), max_length=300, blank=True)
    title_cy = models.CharField(_("title in Welsh"), max_length=200, blank=True)
    place_cy = models.CharField(_("place in Welsh"), max_length=300, blank=True)
    what_to_bring = models.TextField(_("what to bring or prepare"), blank=True)

    class Meta:
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d %H:%M})"

    @property
    def local_title(self) -> str:
        """The session's title in the current language (see :func:`in_language`)."""
        return in_language(self, "title")

    @property
    def local_place(self) -> str:
        return in_language(self, "place")
