"""Forms of the ``learning`` app."""

from django import forms
from django.utils.translation import gettext_lazy as _

from minipublic.web.learning.models import (
    ContributionForm,
    QuestionStatus,
    SpeakerKind,
    Verdict,
)


def _title(meeting) -> str:
    """The session's title in the page's language when the site has Welsh titles."""
    return getattr(meeting, "local_title", "") or meeting.title


# datetime-local inputs need ISO values whatever the page's language.
ISO_MINUTES = "%Y-%m-%dT%H:%M"


def _datetime_field(label, required=True):
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=[ISO_MINUTES, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=ISO_MINUTES),
    )


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    title_cy = forms.CharField(
        label=_("Title in Welsh"),
        required=False,
        max_length=200,
        help_text=_("Shown to people using the site in Welsh. Empty: the English title."),
    )
    starts_at = _datetime_field(_("Starts at"))
    ends_at = _datetime_field(_("Ends at"), required=False)
    place = forms.CharField(
        label=_("Place or online link"),
        required=False,
        max_length=300,
        help_text=_("An address, or the link members open to join online."),
    )
    place_cy = forms.CharField(
        label=_("Place in Welsh"),
        required=False,
        max_length=300,
        help_text=_("Empty: the place as written above."),
    )
    what_to_bring = forms.CharField(
        label=_("What to bring or prepare"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    agenda = forms.CharField(
        label=_("Agenda"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One line per item, for example “10:00 Welcome”."),
    )
    speakers = forms.MultipleChoiceField(
        label=_("Speakers"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, speakers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["speakers"].choices = [
            (s.pk, f"{s.name} ({s.get_kind_display()})") for s in speakers
        ]


MIX_FORM_CHOICES = [
    ("ignore", _("Ignore")),
    ("diversify", _("Mix (diversify)")),
    ("cluster", _("Keep together (cluster)")),
]


class TablePlanForm(forms.Form):
    """Tables, rounds, one choice per feature, and the hard constraints."""

    tables = forms.IntegerField(label=_("Number of tables"), min_value=1, max_value=60)
    rounds = forms.IntegerField(
        label=_("Rounds"),
        min_value=1,
        max_value=12,
        initial=1,
        help_text=_(
            "Members move to new tables between rounds and meet as many others as possible."
        ),
    )
    seed = forms.IntegerField(
        label=_("Seed (optional)"),
        required=False,
        min_value=0,
        max_value=2**31 - 1,
        help_text=_("The same seed and choices give the same plan. Leave empty for a new one."),
    )
    accessible_tables = forms.CharField(
        label=_("Accessible tables"),
        required=False,
        max_length=200,
        help_text=_(
            "Table numbers, for example “1, 2”. Members who asked for access support sit only at these."
        ),
    )
    keep_language_together = forms.BooleanField(
        label=_("Seat members who share an interpreter at the same table"),
        required=False,
        initial=True,
    )
    pinned = forms.CharField(
        label=_("Pinned seats"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: member number, round, table, for example “P-7F3KQ2 1 4”."),
    )

    apart = forms.CharField(
        label=_("Keep apart"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Two member numbers per line, for members who must never share a table."),
    )

    def __init__(self, *args, features=(), facilitators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.facilitators = list(facilitators)
        for user in self.facilitators:
            self.fields[f"lead_{user.pk}"] = forms.IntegerField(
                label=_("Table led by %(name)s (facilitator)") % {"name": user.get_full_name()},
                required=False,
                min_value=1,
                max_value=60,
            )
        self.features = list(features)
        for f in self.features:
            self.fields[f"mix_{f}"] = forms.ChoiceField(
                label=f,
                choices=MIX_FORM_CHOICES,
                initial="diversify"
                if f in ("age_band", "gender", "area", "trust_band")
                else "ignore",
                widget=forms.RadioSelect,
                required=False,  # a feature left unanswered is ignored
            )

    def mix(self) -> dict[str, str]:
        return {
            f: self.cleaned_data[f"mix_{f}"]
            for f in self.features
            if self.cleaned_data.get(f"mix_{f}") in ("diversify", "cluster")
        }

    def leads(self) -> dict[int, int | None]:
        return {u.pk: self.cleaned_data.get(f"lead_{u.pk}") for u in self.facilitators}

    def mix_fields(self):
        return [self[f"mix_{f}"] for f in self.features]

    def other_fields(self):
        return [self[name] for name in self.fields if not name.startswith(("mix_", "lead_"))]

    def lead_fields(self):
        return [self[f"lead_{u.pk}"] for u in self.facilitators]


class ReseatForm(forms.Form):
    absent = forms.MultipleChoiceField(
        label=_("Who is absent?"), widget=forms.CheckboxSelectMultiple
    )
    round = forms.IntegerField(label=_("Which round?"), min_value=1, initial=1)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["absent"].choices = list(members)


class SpeakerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    role = forms.CharField(label=_("Role or organisation"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind of speaker"), choices=SpeakerKind.choices)
    interests = forms.CharField(
        label=_("Declared interests"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Funding, employment, memberships or campaigns. Write “None declared” if none."
        ),
    )


class ContributionAddForm(forms.Form):
    speaker = forms.ChoiceField(label=_("Speaker"))
    title = forms.CharField(label=_("Title"), max_length=200)
    form = forms.ChoiceField(label=_("Form"), choices=ContributionForm.choices)
    meeting = forms.ChoiceField(label=_("Session"), required=False)
    summary = forms.CharField(
        label=_("Summary in plain words"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    link = forms.URLField(
        label=_("Link (video, slides or paper)"), required=False, assume_scheme="https"
    )

    def __init__(self, *args, speakers=(), meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["speaker"].choices = [("", "—")] + [(s.pk, s.name) for s in speakers]
        self.fields["meeting"].choices = [("", _("No session"))] + [
            (m.pk, _title(m)) for m in meetings
        ]


SCORES = [(str(i), str(i)) for i in range(1, 6)]


class RatingForm(forms.Form):
    trust = forms.ChoiceField(
        label=_("Trust: how far do you trust what you heard?"),
        choices=SCORES,
        widget=forms.RadioSelect,
    )
    clarity = forms.ChoiceField(
        label=_("Clarity: how easy was it to understand?"), choices=SCORES, widget=forms.RadioSelect
    )
    fairness = forms.ChoiceField(
        label=_("Fairness: did it treat other views fairly?"),
        choices=SCORES,
        widget=forms.RadioSelect,
    )


class SpeakerRequestForm(forms.Form):
    who = forms.CharField(
        label=_("Who would you trust to inform us?"),
        max_length=300,
        help_text=_("A person, a kind of person, or an organisation."),
    )
    why = forms.CharField(
        label=_("Why (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class QuestionForm(forms.Form):
    meeting = forms.ChoiceField(label=_("Session"))
    speaker = forms.ChoiceField(label=_("For which speaker (optional)"), required=False)
    text = forms.CharField(
        label=_("Your question"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, meetings=(), speakers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].choices = [(m.pk, _title(m)) for m in meetings]
        self.fields["speaker"].choices = [("", _("Any speaker"))] + [
            (s.pk, s.name) for s in speakers
        ]


class AnswerForm(forms.Form):
    status = forms.ChoiceField(
        label=_("How was it answered?"),
        choices=[
            (QuestionStatus.IN_SESSION.value, QuestionStatus.IN_SESSION.label),
            (QuestionStatus.IN_WRITING.value, QuestionStatus.IN_WRITING.label),
        ],
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(
        label=_("Answer (needed when answered in writing)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CriterionForm(forms.Form):
    text = forms.CharField(
        label=_("New criterion"),
        max_length=200,
        help_text=_("For example “Sources are named” or “Interests are declared”."),
    )


class CriteriaVoteForm(forms.Form):
    criteria = forms.MultipleChoiceField(
        label=_("Which criteria should we use?"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criteria"].choices = [(c.pk, c.text) for c in criteria]


class ClaimForm(forms.Form):
    text = forms.CharField(
        label=_("What was said?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Write the claim as you heard it, for example “Heat pumps don't work in old houses”."
        ),
    )
    meeting = forms.ChoiceField(label=_("In which session?"), required=False)
    heard_from = forms.CharField(label=_("Who said it (optional)"), max_length=200, required=False)

    def __init__(self, *args, meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].choices = [("", _("Not in a session"))] + [
            (m.pk, _title(m)) for m in meetings
        ]


class ClaimResponseForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Verdict"), choices=Verdict.choices, widget=forms.RadioSelect
    )
    response = forms.CharField(
        label=_("Answer in plain words"), widget=forms.Textarea(attrs={"rows": 4})
    )
    sources = forms.CharField(
        label=_("Sources"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: who published it, the title and a link."),
    )
    criteria_met = forms.MultipleChoiceField(
        label=_("Which agreed criteria do the sources meet?"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criteria_met"].choices = [(c.pk, c.text) for c in criteria]
