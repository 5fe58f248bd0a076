"""Forms of the ``selection`` app: quota editor, selection run, public draw, panel responses."""

import secrets
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from minipublic.web.selection.models import Algorithm, Direction
from minipublic.web.selection.quotas import QuotaLine


class FeaturesForm(forms.Form):
    """Which answers get quotas, and the panel size."""

    panel_size = forms.IntegerField(label=_("Panel size (seats)"), min_value=1, max_value=10000)
    features = forms.MultipleChoiceField(
        label=_("Features with quotas"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "trust_band (low = trust in government 0-3) and no_point ('no point, nothing will "
            "change') are attitude features: give them quotas like any other."
        ),
    )

    def __init__(self, *args, features: list[str], **kwargs):
        kwargs.setdefault("auto_id", "features_%s")  # the editor below has its own panel_size
        super().__init__(*args, **kwargs)
        self.fields["features"].choices = [(f, f) for f in features]


class QuotaEditorForm(forms.Form):
    """One row per (feature, value): target share, tolerance and direction.

    Field names are ``row-<i>-share``, ``row-<i>-tolerance``,
    ``row-<i>-direction``; the feature and value of row ``i`` are fixed by
    the *lines* the form is built with (never taken from the request).
    """

    panel_size = forms.IntegerField(label=_("Panel size (seats)"), min_value=1, max_value=10000)

    def __init__(self, *args, lines: list[QuotaLine], **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for i, line in enumerate(self.lines):
            label = f"{line.feature} = {line.value}"
            self.fields[f"row-{i}-share"] = forms.DecimalField(
                label=_("Target share (%%) of %(label)s") % {"label": label},
                min_value=Decimal(0),
                max_value=Decimal(100),
                max_digits=6,
                decimal_places=2,
                initial=line.share,
            )
            self.fields[f"row-{i}-tolerance"] = forms.DecimalField(
                label=_("Tolerance (percentage points) of %(label)s") % {"label": label},
                min_value=Decimal(0),
                max_value=Decimal(100),
                max_digits=6,
                decimal_places=2,
                initial=line.tolerance,
            )
            self.fields[f"row-{i}-direction"] = forms.ChoiceField(
                label=_("Kind of quota for %(label)s") % {"label": label},
                choices=Direction.choices,
                initial=line.direction,
            )

    def rows(self):
        """``(line, share field, tolerance field, direction field)`` for the template."""
        return [
            (line, self[f"row-{i}-share"], self[f"row-{i}-tolerance"], self[f"row-{i}-direction"])
            for i, line in enumerate(self.lines)
        ]

    def cleaned_lines(self) -> list[QuotaLine]:
        """The rows as entered (call after ``is_valid()``)."""
        d = self.cleaned_data
        return [
            QuotaLine(
                line.feature,
                line.value,
                d[f"row-{i}-share"],
                d[f"row-{i}-tolerance"],
                d[f"row-{i}-direction"],
            )
            for i, line in enumerate(self.lines)
        ]


def new_seed() -> str:
    """A fresh seed for the computation, e.g. ``"sel-4821-0937"``."""
    return f"sel-{secrets.randbelow(10000):04d}-{secrets.randbelow(10000):04d}"


class SelectionRunForm(forms.Form):
    algorithm = forms.ChoiceField(
        label=_("Algorithm"), choices=Algorithm.choices, initial=Algorithm.LEXIMIN
    )
    seed = forms.CharField(
        label=_("Seed of the computation"),
        max_length=100,
        help_text=_(
            "Fixes the random choices of the computation, so it can be re-run exactly. "
            "This is not the public seed of the draw."
        ),
    )
    m = forms.IntegerField(
        label=_("Panels in the lottery"),
        min_value=10,
        max_value=100000,
        initial=1000,
        help_text=_("The fair distribution is rounded to this many equally likely panels."),
    )
    time_limit_minutes = forms.IntegerField(
        label=_("Time limit in minutes (optional)"),
        required=False,
        min_value=1,
        max_value=24 * 60,
        help_text=_(
            "For a large pool: LEXIMIN and Maximin stop at this limit and keep the fairest "
            "distribution found so far. The result then says it is not yet the fairest, and "
            "how far from the fairest it can be at most."
        ),
    )


class WithdrawCommitmentForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the commitment withdrawn? (published on the lottery page)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DrawForm(forms.Form):
    public_seed = forms.CharField(
        label=_("Public seed"),
        max_length=200,
        help_text=_("Exactly as announced, for example the five numbers drawn: 12 31 7 44 9"),
    )
    confirm = forms.BooleanField(
        label=_("I am entering the seed now, after it was announced in public."),
        required=True,
    )


class ResponseForm(forms.Form):
    response = forms.ChoiceField(
        label=_("Answer"),
        choices=[("accepted", _("Accepted")), ("declined", _("Declined"))],
    )


class ReplaceForm(forms.Form):
    seed = forms.CharField(
        label=_("Seed of the replacement draw"),
        max_length=200,
        help_text=_("For example the date and time of the decision, or numbers drawn in public."),
    )
