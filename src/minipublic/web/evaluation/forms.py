"""Forms of the ``evaluation`` app: wave settings, own questions, panel import, one survey page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from minipublic.web.evaluation.items import form_field
from minipublic.web.evaluation.models import ItemKind


class WaveForm(forms.Form):
    items = forms.MultipleChoiceField(
        label=_("Questions"), widget=forms.CheckboxSelectMultiple, required=False
    )
    randomise_items = forms.BooleanField(
        label=_("Ask the questions in a random order"), required=False
    )
    per_page = forms.IntegerField(
        label=_("Questions per page"), min_value=1, max_value=20, initial=5
    )
    opens_at = forms.DateTimeField(
        label=_("Opens (date and time)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    closes_at = forms.DateTimeField(
        label=_("Closes (date and time)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    reminder_days = forms.CharField(
        label=_("Reminders, days after opening"),
        required=False,
        help_text=_(
            "For example “3, 7”: a reminder 3 days and another 7 days after the invitation."
        ),
    )

    def __init__(self, *args, catalogue, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [
            (code, f"{spec.text_en[:110]} [{code}]") for code, spec in catalogue.items()
        ]

    def clean_reminder_days(self):
        raw = self.cleaned_data["reminder_days"]
        try:
            return [int(p) for p in raw.replace(";", ",").split(",") if p.strip()]
        except ValueError:
            raise forms.ValidationError(_("Give whole numbers of days, e.g. 3, 7.")) from None


class ItemForm(forms.Form):
    code = forms.CharField(
        label=_("Short name"),
        max_length=40,
        help_text=_("Lower-case letters, digits and _; it names the column in the export."),
    )
    kind = forms.ChoiceField(label=_("Kind of question"), choices=ItemKind.choices)
    text_en = forms.CharField(
        label=_("Question in English"), widget=forms.Textarea(attrs={"rows": 2})
    )
    text_cy = forms.CharField(
        label=_("Question in Welsh"), widget=forms.Textarea(attrs={"rows": 2})
    )
    choices_text = forms.CharField(
        label=_("Answers (single and multiple choice only)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One answer a line, as “English | Welsh”."),
    )
    randomise_choices = forms.BooleanField(
        label=_("Show the answers in a random order"), required=False
    )


class PanelImportForm(forms.Form):
    file = forms.FileField(
        label=_("Panel data (CSV)"),
        help_text=_(
            "One row per respondent, one column per question of the public wave (its short "
            "name), answers as numbers. No other columns: no names, no contacts."
        ),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return f


class SurveyPageForm(forms.Form):
    """One page of a survey: one field per item, answers pre-filled from what was saved."""

    def __init__(self, *args, specs, seed, language, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for spec in specs:
            self.fields[spec.code] = form_field(spec, seed=seed, language=language)
