"""Forms of the ``people`` app."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from minipublic.web.people.actions import do_set_password


class StaffAuthenticationForm(AuthenticationForm):
    """Email + password sign-in for staff (the username field holds the email)."""

    username = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()


class StaffSetPasswordForm(SetPasswordForm):
    """Set a password from an invitation or reset link, through the audited action."""

    def save(self, commit=True):
        do_set_password(self.user, self.cleaned_data["new_password1"])
        return self.user


class AddMemberForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        help_text=_("Their personal sign-in link is sent here."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    address = forms.CharField(
        label=_("Postal address"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=settings.LANGUAGES, initial="en"
    )
