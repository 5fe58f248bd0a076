"""Forms of the ``decisions`` app. They only shape input; the actions validate it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from minipublic.web.decisions.labels import outcome_choices, point_choices, scale_choices
from minipublic.web.decisions.models import Ballot, BallotStatus, Recommendation, Theme


class ThemeForm(forms.Form):
    title = forms.CharField(label=_("Theme"), max_length=200)
    description = forms.CharField(
        label=_("Description (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RecommendationForm(forms.Form):
    theme = forms.ModelChoiceField(
        label=_("Theme"), queryset=Theme.objects.none(), required=False, empty_label=_("(none)")
    )
    title = forms.CharField(label=_("Short title"), max_length=200)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}))
    drafted_by = forms.CharField(
        label=_("Drafted by"),
        max_length=200,
        help_text=_("The table or drafting group, e.g. “Table 3” or “Drafting group”."),
    )

    def __init__(self, *args, assembly, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = Theme.objects.filter(assembly=assembly)


class RevisionForm(forms.Form):
    theme = forms.ModelChoiceField(
        label=_("Theme"), queryset=Theme.objects.none(), required=False, empty_label=_("(none)")
    )
    title = forms.CharField(label=_("Short title"), max_length=200)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}))
    note = forms.CharField(
        label=_("What changed and why"),
        max_length=300,
        help_text=_("Kept in the history, e.g. “Wording agreed at session 5”."),
    )

    def __init__(self, *args, assembly, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = Theme.objects.filter(assembly=assembly)


class AmendmentForm(forms.Form):
    text = forms.CharField(
        label=_("Your proposed text"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Write the whole recommendation as you would like it to read."),
    )
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 3}))


class AmendmentDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("accept", _("Accept: its text becomes the new version")),
            ("merge", _("Merge: work it into the text below")),
            ("reject", _("Reject")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (shown to members)"), widget=forms.Textarea(attrs={"rows": 2})
    )
    merged_text = forms.CharField(
        label=_("Merged text (for “merge”)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class PromoteForm(forms.Form):
    title = forms.CharField(
        label=_("Title of the new recommendation"), max_length=200, required=False
    )
    reason = forms.CharField(label=_("Why it becomes a recommendation of its own"), max_length=500)


class NewBallotForm(forms.Form):
    recommendation = forms.ModelChoiceField(
        label=_("Recommendation"), queryset=Recommendation.objects.none()
    )
    scale = forms.ChoiceField(label=_("Scale"), choices=scale_choices)

    def __init__(self, *args, assembly, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recommendation"].queryset = Recommendation.objects.filter(
            assembly=assembly
        ).exclude(ballots__status__in=[BallotStatus.DRAFT, BallotStatus.OPEN, BallotStatus.CLOSED])


class RuleForm(forms.Form):
    """The rule of one ballot; the points offered are those of its scale."""

    support = forms.TypedMultipleChoiceField(
        label=_("Points that count as support"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    strong_opposition = forms.TypedMultipleChoiceField(
        label=_("Points that count as strong opposition"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    abstain = forms.TypedMultipleChoiceField(
        label=_("Points that count as abstaining (left out of the percentages)"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    support_percent = forms.DecimalField(
        label=_("Support needed (%)"), min_value=0, max_value=100, decimal_places=2
    )
    strict = forms.TypedChoiceField(
        label=_("Compared how"),
        choices=[("0", _("at least this much")), ("1", _("more than this"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    max_strong_opposition_percent = forms.DecimalField(
        label=_("At most this much strong opposition (%), optional"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        required=False,
    )
    quorum_percent = forms.DecimalField(
        label=_("Quorum: share of members who must vote (%)"),
        min_value=0,
        max_value=100,
        decimal_places=2,
    )
    opens_if_ballot = forms.TypedChoiceField(
        label=_("Staged ballot: opens only after ballot"),
        required=False,
        coerce=int,
        empty_value=None,
    )
    opens_if_outcome = forms.ChoiceField(
        label=_("… had this outcome"), required=False, choices=outcome_choices
    )

    def __init__(self, *args, ballot: Ballot, **kwargs):
        super().__init__(*args, **kwargs)
        scale = ballot.rule.get("scale", "gradient5")
        for name in ("support", "strong_opposition", "abstain"):
            self.fields[name].choices = point_choices(scale)
        others = Ballot.objects.filter(assembly=ballot.assembly).exclude(pk=ballot.pk)
        self.fields["opens_if_ballot"].choices = [("", _("(not staged)"))] + [
            (b.pk, str(b.recommendation)) for b in others.select_related("recommendation")
        ]

    def rule(self, scale: str) -> dict:
        data = dict(self.cleaned_data)
        data["scale"] = scale
        data["strict"] = bool(data.get("strict"))
        return data

    @staticmethod
    def initial_from(rule: dict) -> dict:
        return {
            **rule,
            "strict": "1" if rule.get("strict") else "0",
            "opens_if_outcome": rule.get("opens_if_outcome") or "",
        }


class VoteForm(forms.Form):
    value = forms.TypedChoiceField(
        label=_("Your vote"), coerce=int, widget=forms.RadioSelect, choices=()
    )

    def __init__(self, *args, scale: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].choices = point_choices(scale)


class PaperGivenForm(forms.Form):
    participant = forms.ChoiceField(label=_("Member given a paper ballot"))

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].choices = [("", "—")] + [(p.pk, p.pseudonym) for p in members]


class PaperEntryForm(forms.Form):
    serial = forms.CharField(label=_("Serial number printed on the paper"), max_length=20)
    value = forms.TypedChoiceField(label=_("Point marked"), coerce=int, choices=())

    def __init__(self, *args, scale: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].choices = [("", "—"), *point_choices(scale)]


class StatementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Statement"), widget=forms.Textarea(attrs={"rows": 8}))


class ForewordForm(forms.Form):
    text = forms.CharField(
        label=_("Foreword, as the members agreed it"), widget=forms.Textarea(attrs={"rows": 10})
    )
    signed_as = forms.CharField(label=_("Signed as"), max_length=200, required=False)


class ReceiptForm(forms.Form):
    receipt = forms.CharField(label=_("Receipt code"), max_length=30)
