"""Forms of the ``assemblies`` app. They validate input; actions make the change."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from minipublic.web.assemblies.models import Assembly, Phase, Role


class AssemblyForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        initial=["en"],
        help_text=_("The languages members and the public can use."),
    )

    class Meta:
        model = Assembly
        fields = [
            "title",
            "title_cy",
            "question",
            "question_cy",
            "commissioner",
            "languages",
            "public_summary",
            "public_summary_cy",
            "is_public",
        ]
        widgets = {
            "question": forms.Textarea(attrs={"rows": 3}),
            "question_cy": forms.Textarea(attrs={"rows": 3}),
            "public_summary": forms.Textarea(attrs={"rows": 5}),
            "public_summary_cy": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "is_public": _("Show this assembly on the public home page."),
            "public_summary": _("A few sentences for the public page."),
            "title_cy": _("Shown to people using the site in Welsh. Empty: the English title."),
            "question_cy": _("Shown in Welsh and printed on letters beside the English."),
            "public_summary_cy": _("Shown on the public page in Welsh."),
        }


class ChangePhaseForm(forms.Form):
    to_phase = forms.ChoiceField(choices=Phase.choices, widget=forms.HiddenInput)


class ReopenPhaseForm(forms.Form):
    to_phase = forms.ChoiceField(label=_("Go back to"), choices=())
    reason = forms.CharField(
        label=_("Why?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Everyone on the staff can read this in the audit log."),
    )

    def __init__(self, *args, assembly: Assembly, **kwargs):
        super().__init__(*args, **kwargs)
        current = assembly.current_phase.index
        self.fields["to_phase"].choices = [(p.value, p.label) for p in Phase if p.index < current]


class InviteStaffForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    display_name = forms.CharField(label=_("Name"), required=False, max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("Starts at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )
    title_cy = forms.CharField(label=_("Title in Welsh"), required=False, max_length=200)
    place = forms.CharField(label=_("Place or online link"), required=False, max_length=300)
    place_cy = forms.CharField(label=_("Place in Welsh"), required=False, max_length=300)
    what_to_bring = forms.CharField(
        label=_("What to bring or prepare"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PhaseDatesForm(forms.Form):
    """Start and end dates of every phase, one pair of fields per phase."""

    def __init__(self, *args, assembly: Assembly, **kwargs):
        super().__init__(*args, **kwargs)
        existing = {row.phase: row for row in assembly.phase_dates.all()}
        for phase in Phase:
            row = existing.get(phase.value)
            for part, label in (("starts_on", _("starts")), ("ends_on", _("ends"))):
                self.fields[f"{phase.value}_{part}"] = forms.DateField(
                    label=f"{phase.label}: {label}",
                    required=False,
                    # A date input needs ISO dates whatever the language's format.
                    widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                    initial=getattr(row, part) if row else None,
                )

    def rows(self):
        """Yield ``(phase, starts field, ends field)`` for the template."""
        for phase in Phase:
            yield phase, self[f"{phase.value}_starts_on"], self[f"{phase.value}_ends_on"]


class AuditFilterForm(forms.Form):
    """The audit log's filters: one type of change, and a date range (both ends optional)."""

    type = forms.ChoiceField(label=_("Type of change"), required=False)
    since = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, types: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", _("All changes")), *types]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date is before the start date."))
        return data
