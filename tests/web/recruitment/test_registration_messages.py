"""Registration closes with the phase or a date; registering sends one confirmation."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from minipublic.web.demo import DEMO_SLUG
from minipublic.web.recruitment import actions
from minipublic.web.recruitment.models import Address, Message, Registrant

from .test_actions import ANSWERS, DETAILS

pytestmark = pytest.mark.django_db


def _free_address(assembly):
    return (
        Address.objects.filter(assembly=assembly, invited=True, registrant__isnull=True)
        .order_by("pk")
        .first()
    )


def test_registration_closes_after_the_register_phase(demo_assembly):
    # The demo is in "learn": every registration page says so and nothing is stored.
    assert demo_assembly.phase == "learn"
    client = Client()
    code = _free_address(demo_assembly).letter_code
    for url in (f"/a/{DEMO_SLUG}/register/", f"/a/{DEMO_SLUG}/register/{code}/"):
        response = client.get(url)
        assert response.status_code == 410
        assert "Registration has closed" in response.text
    n = Registrant.objects.count()
    with pytest.raises(ValidationError, match="Registration has closed"):
        actions.check_register(
            demo_assembly,
            answers=ANSWERS,
            details=DETAILS,
            address=_free_address(demo_assembly),
            consent=True,
        )
    assert Registrant.objects.count() == n


def test_registration_closes_at_the_organisers_date(registration_open, user):
    assembly = registration_open
    obj = actions.registration_settings(assembly)
    today = timezone.localdate()
    actions.do_update_registration_settings(
        obj, acting_user=user("organiser"), closes_on=today - dt.timedelta(days=1)
    )
    assert "closed on" in actions.registration_closed_reason(assembly)
    response = Client().get(f"/a/{DEMO_SLUG}/register/")
    assert response.status_code == 410
    actions.do_update_registration_settings(obj, acting_user=user("organiser"), closes_on=today)
    assert actions.registration_is_open(assembly)  # open to the end of that day
    assert Client().get(f"/a/{DEMO_SLUG}/register/").status_code == 200


def test_settings_form_saves_the_closing_date(registration_open, client_as):
    client = client_as("organiser")
    url = f"/a/{DEMO_SLUG}/recruitment/settings/"
    response = client.post(
        url, {"is_open": "on", "closes_on": "2026-12-24", "questions": ["age_band"]}
    )
    assert response.status_code == 302
    assert actions.registration_settings(registration_open).closes_on == dt.date(2026, 12, 24)
    page = client.get(url)
    assert 'value="2026-12-24"' in page.text
    # Welsh: the date input still carries the ISO date.
    client.cookies["django_language"] = "cy"
    assert 'value="2026-12-24"' in client.get(url).text


def test_registering_sends_one_confirmation(registration_open, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        r = actions.check_register(
            registration_open,
            answers=ANSWERS,
            details={**DETAILS, "email": "rhian@example.org"},
            address=_free_address(registration_open),
            language="cy",
            consent=True,
        )
    (message,) = mail.outbox
    assert message.to == ["rhian@example.org"]
    assert r.pseudonym in message.body
    assert Message.objects.get(registrant=r).channel == Message.Channel.EMAIL
    # No email: a letter row for the mail-merge file, with its text.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        r2 = actions.check_register(
            registration_open,
            answers=ANSWERS,
            details={**DETAILS, "email": "", "phone": "01234 567890"},
            address=_free_address(registration_open),
            consent=True,
        )
    assert mail.outbox == []
    letter = Message.objects.get(registrant=r2)
    assert letter.channel == Message.Channel.LETTER and r2.pseudonym in letter.body
