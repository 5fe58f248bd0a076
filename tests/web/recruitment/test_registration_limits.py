"""Public registration has limits (issue #14 item 15)."""

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from minipublic.web.demo import DEMO_SLUG
from minipublic.web.recruitment import actions
from minipublic.web.recruitment.models import Registrant, household_pseudonym

from .test_views import FORM

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("registration_open")]


def _join_url(assembly):
    return f"/a/{DEMO_SLUG}/join/{actions.registration_settings(assembly).open_link_token}/"


def _post(url, ip="10.5.0.1", **changes):
    data = {**FORM, "area": "east", "address": "4 Quay St", "postcode": "AB9 9ZZ", **changes}
    return Client(REMOTE_ADDR=ip).post(url, data)


def test_long_support_note_is_refused(registration_open):
    url = _join_url(registration_open)
    n = Registrant.objects.count()
    response = _post(url, support_note="x" * 2_000_000)
    assert response.status_code == 400
    assert "at most 1000 characters" in response.content.decode()
    assert Registrant.objects.count() == n


def test_bad_email_and_phone_are_refused(registration_open):
    url = _join_url(registration_open)
    response = _post(url, email="not-an-email", phone="call me maybe")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid email address" in html
    assert "Enter a phone number such as" in html


def test_a_household_registers_once_through_the_open_link(registration_open):
    url = _join_url(registration_open)
    assert _post(url).status_code == 302
    again = _post(url, ip="10.5.0.2", first_name="Someone", email="else@example.org")
    assert again.status_code == 400
    assert "Someone from this address has already registered" in again.content.decode()
    assert (
        Registrant.objects.filter(household_key=household_pseudonym("4 quay st ab9 9zz")).count()
        == 1
    )


def test_the_open_link_is_rate_limited_per_network_address(registration_open):
    url = _join_url(registration_open)
    for i in range(actions.OPEN_LINK_LIMIT_PER_IP):
        assert _post(url, address=f"{i} Mill Lane", email=f"m{i}@example.org").status_code == 302
    over = _post(url, address="99 Mill Lane", email="m99@example.org")
    assert over.status_code == 400
    assert "Too many registrations have come from your network" in over.content.decode()
    # Another network address is not affected.
    assert _post(url, ip="10.6.0.1", address="98 Mill Lane").status_code == 302


@settings(max_examples=40, deadline=None)
@given(
    phone=st.text(min_size=1, max_size=60),
    email=st.text(min_size=1, max_size=300),
    note=st.text(max_size=1500),
)
def test_contact_checks_never_pass_a_bad_contact(phone, email, note):
    errors = actions._length_and_contact_errors(
        {"support_note": note}, {"phone": phone, "email": email, "first_name": "A"}
    )
    if len(note) > 1000:
        assert "support_note" in errors
    if "phone" not in errors and phone.strip():
        assert sum(c.isdigit() for c in phone) >= 6 and len(phone.strip()) <= 40
    if "email" not in errors and email.strip():
        assert "@" in email and len(email) <= 254


def test_blank_contacts_are_no_contact(registration_open):
    # Whitespace is stripped before storing, so spaces alone are no way to
    # reach the person: check_register asks for an email or a phone.
    url = _join_url(registration_open)
    n = Registrant.objects.count()
    response = _post(url, email="   ", phone=" \t ")
    assert response.status_code == 400
    assert "Give an email address or a phone number" in response.content.decode()
    assert Registrant.objects.count() == n
