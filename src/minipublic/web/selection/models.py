"""Selection: quotas, selection runs (distribution + lottery + draw), panel and replacements.

Agreed interface with the ``recruitment`` app
---------------------------------------------
The pool is :class:`~minipublic.web.recruitment.models.Registrant`. Its
``status`` and ``selection_probability`` fields are written by this app's
actions only (with audit lines): ``selected`` for everyone drawn,
``invited`` / ``accepted`` / ``declined`` after the draw, ``replaced`` for a
decliner whose seat went to someone else; ``selection_probability`` is the
probability of the run whose panel was drawn (kept for the evaluation).
Registrants are identified in every published file by their participant's
pseudonym, never by personal details.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minipublic.web.assemblies.models import Assembly
from minipublic.web.progress.models import TaskProgress
from minipublic.web.recruitment.models import Registrant


class Direction(models.TextChoices):
    RANGE = "range", _("target ± tolerance")
    AT_LEAST = "at_least", _("at least")
    AT_MOST = "at_most", _("at most")
    ANY = "any", _("no limit")


class Algorithm(models.TextChoices):
    LEXIMIN = "leximin", _("LEXIMIN (fairest: raises the lowest chances first)")
    MAXIMIN = "maximin", _("Maximin (raises the lowest chance only)")
    NASH = "nash", _("Nash welfare")
    LEGACY = "legacy", _("Legacy (greedy, as used in the past)")


class QuotaSet(models.Model):
    """The quotas of one assembly: panel size, the features with quotas, and their rows."""

    assembly = models.OneToOneField(Assembly, on_delete=models.CASCADE, related_name="quota_set")
    panel_size = models.PositiveIntegerField(_("panel size"), default=100)
    features = models.JSONField(_("features with quotas"), default=list)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"quotas of {self.assembly}"


class QuotaRow(models.Model):
    """One value of one feature: target share, tolerance, direction, and the resulting min/max."""

    quota_set = models.ForeignKey(QuotaSet, on_delete=models.CASCADE, related_name="rows")
    feature = models.CharField(max_length=100)
    value = models.CharField(max_length=100)
    share = models.DecimalField(_("target share (%)"), max_digits=6, decimal_places=2, default=0)
    tolerance = models.DecimalField(
        _("tolerance (percentage points)"), max_digits=6, decimal_places=2, default=0
    )
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.RANGE)
    min = models.PositiveIntegerField(default=0)
    max = models.PositiveIntegerField(default=0)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["quota_set", "feature", "value"], name="one_row_per_feature_value"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.feature}={self.value}: {self.min}-{self.max}"


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready for the draw")
    DRAWN = "drawn", _("Panel drawn")
    FAILED = "failed", _("Failed")


class SelectionRun(models.Model):
    """One selection: the distribution over panels, its uniform lottery and (later) the draw.

    Everything needed to re-verify the draw is stored: the pseudonymous pool
    and categories files, the algorithm and seed, the distribution's
    probabilities and statistics, ``distribution.csv`` (the lottery) with its
    SHA-256, and the public seed with the moment it was entered.
    """

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="selection_runs")
    progress = models.ForeignKey(
        TaskProgress, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.RUNNING)
    algorithm = models.CharField(max_length=20, choices=Algorithm.choices)
    seed = models.CharField(_("seed of the computation"), max_length=100)
    panel_size = models.PositiveIntegerField()
    m = models.PositiveIntegerField(_("panels in the lottery"), default=1000)
    time_limit = models.PositiveIntegerField(
        _("time limit in seconds"),
        null=True,
        blank=True,
        help_text="LEXIMIN/Maximin stop here with the best distribution so far (not optimal).",
    )
    n_pool = models.PositiveIntegerField(default=0)
    quotas = models.JSONField(default=list, help_text="feature, value, min, max, share, ...")
    pool_csv = models.TextField(
        blank=True, help_text="Pseudonymous pool (id, household, features)."
    )
    categories_csv = models.TextField(blank=True)
    lottery_csv = models.TextField(blank=True, help_text="distribution.csv: panel,probability,ids")
    lottery_sha256 = models.CharField(max_length=64, blank=True)
    probabilities = models.JSONField(default=dict, help_text="pseudonym -> probability")
    realised = models.JSONField(default=dict, help_text="pseudonym -> lottery probability")
    zero_reasons = models.JSONField(default=dict)
    stats = models.JSONField(default=dict)
    manifest = models.JSONField(default=dict)
    seconds = models.FloatField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    # The draw.
    public_seed = models.CharField(_("public seed"), max_length=200, blank=True)
    seed_entered_at = models.DateTimeField(null=True, blank=True)
    seed_entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    draw_digest = models.CharField(max_length=64, blank=True)
    draw_index = models.PositiveIntegerField(null=True, blank=True)
    panel = models.JSONField(default=list, help_text="Pseudonyms of the drawn panel.")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # At most one drawn panel per assembly, whatever races the views allow.
            models.UniqueConstraint(
                fields=["assembly"],
                condition=models.Q(status="drawn"),
                name="one_drawn_run_per_assembly",
            ),
        ]

    def __str__(self) -> str:
        return f"selection run {self.pk} ({self.algorithm}, seed {self.seed})"

    @property
    def is_drawn(self) -> bool:
        return self.status == RunStatus.DRAWN

    @property
    def is_stuck(self) -> bool:
        """Still "running", but its task will never finish it (see :attr:`TaskProgress.is_stuck`).

        A worker killed mid-run leaves both rows "running": the result is
        stored in one transaction at the end, so nothing of it was kept. The
        pages show such a run as failed, and the organiser starts a new run
        (the same seed gives the same result). A running run without a task
        (its progress row deleted) is stuck too: nothing will finish it.
        """
        if self.status != RunStatus.RUNNING:
            return False
        return self.progress is None or self.progress.has_failed

    @property
    def min_percent(self) -> float | None:
        """Lowest selection probability in per cent (None before the run has finished)."""
        p = self.stats.get("min_probability")
        return None if p is None else 100.0 * p

    @property
    def stopped_early(self) -> bool:
        """True when the time limit stopped LEXIMIN/Maximin before the fairest distribution."""
        return self.stats.get("optimal") is False

    @property
    def bound_percent(self) -> float | None:
        """The proven most the lowest chance could reach (the LP bound), in per cent."""
        p = self.stats.get("min_probability_upper_bound")
        return None if p is None else 100.0 * p

    @property
    def max_percent(self) -> float | None:
        """Highest selection probability in per cent."""
        p = self.stats.get("max_probability")
        return None if p is None else 100.0 * p


class DrawCommitment(models.Model):
    """The one run the public draw will use, fixed before any public seed exists.

    Committing publishes the run's lottery fingerprint (SHA-256 of
    ``distribution.csv``) with the moment of commitment on the public lottery
    page. The draw then accepts only this run. Before the draw the organiser
    can withdraw the commitment, with a reason that stays on the public page;
    after the draw it cannot change. At most one commitment per assembly is
    in force (not withdrawn) at any time.
    """

    assembly = models.ForeignKey(
        Assembly, on_delete=models.CASCADE, related_name="draw_commitments"
    )
    run = models.ForeignKey(SelectionRun, on_delete=models.CASCADE, related_name="commitments")
    lottery_sha256 = models.CharField(_("fingerprint of the lottery"), max_length=64)
    committed_at = models.DateTimeField()
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.CharField(_("reason for withdrawing"), max_length=500, blank=True)

    class Meta:
        ordering = ["committed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assembly"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_commitment_in_force",
            ),
        ]

    def __str__(self) -> str:
        return f"commitment to run {self.run_id} ({self.lottery_sha256[:12]})"

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None


class SeatOrigin(models.TextChoices):
    DRAWN = "drawn", _("Drawn in the lottery")
    REPLACEMENT = "replacement", _("Replacement")


class PanelMember(models.Model):
    """A registrant given a seat by a run: drawn, or as a replacement."""

    run = models.ForeignKey(SelectionRun, on_delete=models.CASCADE, related_name="members")
    registrant = models.ForeignKey(Registrant, on_delete=models.CASCADE, related_name="panel_seats")
    origin = models.CharField(max_length=20, choices=SeatOrigin.choices)
    selection_probability = models.FloatField(
        help_text="Probability of being selected in this run's distribution."
    )
    active = models.BooleanField(default=True, help_text="False once replaced.")
    invited_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["run", "registrant"], name="one_seat_per_registrant"),
        ]

    def __str__(self) -> str:
        return f"{self.registrant} ({self.origin})"


class Replacement(models.Model):
    """One replacement draw: who declined, who was drawn, from whom, with which seed."""

    run = models.ForeignKey(SelectionRun, on_delete=models.CASCADE, related_name="replacements")
    declined = models.ForeignKey(PanelMember, on_delete=models.CASCADE, related_name="+")
    replacement = models.ForeignKey(PanelMember, on_delete=models.CASCADE, related_name="+")
    seed = models.CharField(max_length=200)
    digest = models.CharField(max_length=64)
    index = models.PositiveIntegerField()
    m = models.PositiveIntegerField(default=1000, help_text="Panels in the replacement lottery.")
    lottery_sha256 = models.CharField(max_length=64, blank=True)
    probability = models.FloatField(
        null=True, blank=True, help_text="Chance the person drawn had in the replacement lottery."
    )
    eligible = models.JSONField(
        default=list, help_text="Sorted pseudonyms with a chance of being drawn."
    )
    meets_quotas = models.BooleanField(default=True)
    violation = models.PositiveIntegerField(
        default=0, help_text="Total widening of the quotas (people) the core had to make."
    )
    quota_changes = models.JSONField(default=list)
    method = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.declined.registrant} -> {self.replacement.registrant}"
