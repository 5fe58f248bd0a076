from django import forms
from django.utils.translation import gettext_lazy as _


class EraseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why"),
        max_length=500,
        help_text=_("E.g. “Asked by email on 3 December 2026.” Kept in the audit log."),
    )
    confirm = forms.BooleanField(
        label=_("I understand that the name, contact details and address cannot be brought back."),
    )


class RetentionForm(forms.Form):
    erase_personal_data_on = forms.DateField(
        label=_("Erase everyone's personal data on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "Names, contact details and addresses of everyone in this assembly are erased on this date; answers and votes stay, under pseudonyms."
        ),
    )
