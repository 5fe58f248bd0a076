"""Forms of the ``followup`` app. They only shape input; the actions validate it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from minipublic.web.followup.models import Category, Fidelity, ImplementationStatus


class DateInput(forms.DateInput):
    """A native date picker that always receives ISO dates, whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class CommitmentForm(forms.Form):
    promise = forms.CharField(
        label=_("The commissioner's promise"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "In their words, e.g. “We will respond in public to every recommendation within six months.”"
        ),
    )
    respond_by = forms.DateField(label=_("Respond to every recommendation by"), widget=DateInput())
    first_report_months = forms.IntegerField(
        label=_("First progress report after (months)"), min_value=1, max_value=24, initial=3
    )
    report_every_months = forms.IntegerField(
        label=_("Then a progress report every (months)"), min_value=1, max_value=24, initial=6
    )


class ResponseForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Your answer"), choices=Category.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required for every answer but “Accepted”: members and the public read it."),
    )
    responsible_body = forms.CharField(label=_("Who is responsible"), max_length=200)
    actions = forms.CharField(
        label=_("What will be done"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when you accept it, fully or in part."),
    )
    due_by = forms.DateField(label=_("By when"), required=False, widget=DateInput())


class StatusUpdateForm(forms.Form):
    recorded_on = forms.DateField(label=_("Date of this report"), widget=DateInput())
    status = forms.ChoiceField(label=_("Status"), choices=ImplementationStatus.choices)
    percent = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    fidelity = forms.ChoiceField(
        label=_("Compared with what the assembly recommended"), choices=Fidelity.choices
    )
    note = forms.CharField(
        label=_("What happened"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    evidence_url = forms.URLField(
        label=_("Evidence (a link to a document or decision)"),
        required=False,
        assume_scheme="https",
    )


class SubItemForm(forms.Form):
    title = forms.CharField(label=_("Part of the work (milestone)"), max_length=200)
    weight = forms.IntegerField(label=_("Weight"), min_value=1, max_value=100, initial=1)
    percent = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100, initial=0)
    due_by = forms.DateField(label=_("Due by"), required=False, widget=DateInput())


class VerdictForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_(
            "Does this respond fairly to what we recommended? (0 = not at all, 10 = completely)"
        ),
        choices=[(i, str(i)) for i in range(11)],
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "scale-0-10"}),
    )
    comment = forms.CharField(
        label=_("Comment (optional, shown to the organisers and the commissioner)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class JointStatementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("Statement"), max_length=20000, widget=forms.Textarea(attrs={"rows": 8})
    )


class FollowForm(forms.Form):
    email = forms.EmailField(label=_("Your email address"), max_length=254)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Tracker file (CSV, the format of the export)"))
