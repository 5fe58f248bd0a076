"""Forms of the ``recruitment`` app."""

from django import forms
from django.utils.translation import gettext_lazy as _

from minipublic.web.recruitment.models import (
    AgeBand,
    Barrier,
    Disability,
    Education,
    Ethnicity,
    Gender,
    Question,
    SupportArrangement,
    SupportNeed,
    normalise_code,
)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def baseline_questions(assembly) -> list[forms.Field]:
    """Extra questions every registrant answers: the baseline cohesion survey.

    The evaluation app's T0 wave, as form fields named ``baseline_<item>``
    (none when the evaluator has no T0 wave);
    :func:`~minipublic.web.recruitment.views.register` stores the answers in
    the registrant's ``extra`` answers and the evaluation app turns them into
    the participant's T0 survey answers.
    """
    from minipublic.web.evaluation.registration import baseline_fields

    return baseline_fields(assembly)


class _UploadForm(forms.Form):
    file = forms.FileField(label=_("File (CSV or Excel .xlsx)"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return f


class AddressFileForm(_UploadForm):
    area_column = forms.CharField(
        label=_("Name of the area column"),
        initial="area",
        max_length=100,
        help_text=_(
            "The file needs an 'address' column and an area column; 'street' and "
            "'postcode' are used when present."
        ),
    )


class AreaWeightsImportForm(_UploadForm):
    file = forms.FileField(
        label=_("Weights file (columns: area, weight)"),
        help_text=_("For example an index of deprivation or low turnout, where 1 = proportional."),
    )


class LotteryForm(forms.Form):
    n_letters = forms.IntegerField(label=_("Letters to send"), min_value=1)
    seed = forms.CharField(
        label=_("Seed"),
        max_length=100,
        help_text=_("Any words or numbers; with the same seed the same addresses are drawn."),
    )


class RegistrationSettingsForm(forms.Form):
    is_open = forms.BooleanField(label=_("Registration is open"), required=False)
    open_link_enabled = forms.BooleanField(
        label=_("Also accept registrations without a letter code (open link)"), required=False
    )
    questions = forms.MultipleChoiceField(
        label=_("Questions to ask"),
        choices=Question.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    areas = forms.CharField(
        label=_("Areas offered on the form (one per line)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    privacy_notice = forms.CharField(
        label=_("Privacy notice (plain language)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    short_url = forms.CharField(label=_("Short web address on letters"), required=False)

    def clean_areas(self):
        lines = [a.strip() for a in self.cleaned_data["areas"].splitlines()]
        return list(dict.fromkeys(a for a in lines if a))


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Your registration code"),
        max_length=20,
        help_text=_("It is printed on your letter, for example K7QM-3XPA."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def clean_code(self):
        return normalise_code(self.cleaned_data["code"])


def _blank(choices):
    return [("", _("Choose…")), *choices]


class RegistrationForm(forms.Form):
    """The public registration form; fields the organiser switched off are removed."""

    first_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    address = forms.CharField(
        label=_("Your address"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    age_band = forms.ChoiceField(label=_("Your age"), choices=_blank(AgeBand.choices))
    gender = forms.ChoiceField(label=_("Your gender"), choices=_blank(Gender.choices))
    area = forms.ChoiceField(label=_("The area you live in"), choices=())
    education = forms.ChoiceField(
        label=_("Your highest qualification"), choices=_blank(Education.choices)
    )
    ethnicity = forms.ChoiceField(label=_("Your ethnic group"), choices=_blank(Ethnicity.choices))
    disability = forms.ChoiceField(
        label=_("Do you consider yourself to have a disability?"),
        choices=_blank(Disability.choices),
    )
    trust_in_government = forms.TypedChoiceField(
        label=_(
            "How much do you trust the national government? "
            "0 means no trust at all, 10 means complete trust."
        ),
        choices=[(str(i), str(i)) for i in range(11)],
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "scale"}),
    )
    barriers = forms.MultipleChoiceField(
        label=_("If you were invited to something like this, which of these might stop you?"),
        help_text=_("Tick all that apply, or none."),
        choices=Barrier.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    support_needs = forms.MultipleChoiceField(
        label=_("What would help you take part?"),
        help_text=_(
            "Members are paid for their time. Tick anything else you would need; "
            "it will not affect your chance of being selected."
        ),
        choices=SupportNeed.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    support_note = forms.CharField(
        label=_("Anything else we should know to support you?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    consent = forms.BooleanField(
        label=_("I agree that my answers and contact details are kept as the privacy notice says."),
        required=False,
    )

    PERSONAL = ("first_name", "last_name", "email", "phone", "address", "postcode")
    ANSWERS = (
        "age_band",
        "gender",
        "area",
        "education",
        "ethnicity",
        "disability",
        "trust_in_government",
        "barriers",
        "support_needs",
        "support_note",
    )

    def __init__(self, *args, settings_obj, with_code: bool, baseline=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = _blank([(a, a) for a in settings_obj.areas])
        asked = set(settings_obj.questions)
        for name in ("age_band", "gender", "area", "education", "ethnicity", "disability"):
            if name not in asked or (name == "area" and with_code):
                del self.fields[name]
        if Question.TRUST not in asked:
            del self.fields["trust_in_government"]
        if Question.BARRIERS not in asked:
            del self.fields["barriers"]
        if Question.SUPPORT not in asked:
            del self.fields["support_needs"]
            del self.fields["support_note"]
        if Question.PHONE not in asked:
            del self.fields["phone"]
        if with_code:
            # The letter's address is the household's address.
            del self.fields["address"]
            del self.fields["postcode"]
        for field in baseline:
            self.fields[field.name] = field

    def clean(self):
        data = super().clean()
        if not data.get("first_name", "").strip():
            self.add_error("first_name", _("Please tell us your first name."))
        if not (data.get("email") or data.get("phone")) and "email" not in self.errors:
            self.add_error(
                "email", _("Give an email address or a phone number so we can contact you.")
            )
        if "address" in self.fields and not data.get("address", "").strip():
            self.add_error("address", _("Please give your address."))
        if not data.get("consent"):
            self.add_error("consent", _("Please tick the box to agree, or you cannot register."))
        return data

    def answers(self) -> dict:
        data = self.cleaned_data
        out = {k: data[k] for k in self.ANSWERS if k in data}
        extra = {k: data[k] for k in data if k.startswith("baseline_")}
        if extra:
            out["extra"] = extra
        return out

    def details(self) -> dict:
        return {k: self.cleaned_data.get(k, "") for k in self.PERSONAL}


class PoolImportForm(_UploadForm):
    file = forms.FileField(
        label=_("People file (CSV or Excel .xlsx)"),
        help_text=_(
            "Sortition Foundation format: an id column and one column per feature. "
            "Contact columns (first_name, last_name, email, phone, address, postcode) are "
            "stored apart from the answers."
        ),
    )
    id_column = forms.CharField(
        label=_("Name of the id column"),
        required=False,
        help_text=_("Leave empty to use id, person_id or nationbuilder_id."),
    )


class SupportArrangementForm(forms.ModelForm):
    class Meta:
        model = SupportArrangement
        fields = ["state", "arrangement", "cost"]


class DoorKnockForm(forms.Form):
    note = forms.CharField(label=_("What happened"), max_length=300)
