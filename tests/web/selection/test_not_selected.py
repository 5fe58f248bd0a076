"""After the draw everyone not selected hears so once, in their language (email or letter)."""

import csv
import io

import pytest
from django.core import mail

from minipublic.web.assemblies.models import AuditEvent
from minipublic.web.people.models import PersonalDetails
from minipublic.web.recruitment.actions import do_tell_not_selected
from minipublic.web.recruitment.models import Message, Registrant, Status
from minipublic.web.selection import actions

from .test_actions import _start

pytestmark = pytest.mark.django_db


def test_not_selected_told_exactly_once_in_their_language(
    small_pool, user, client_as, django_capture_on_commit_callbacks, run_queue
):
    olivia = user("organiser")
    registrants = list(Registrant.objects.filter(assembly=small_pool).order_by("pk"))
    for i, r in enumerate(registrants):
        # Every third person has no email (a letter instead); every other one speaks Welsh.
        PersonalDetails.objects.create(
            participant=r.participant,
            first_name=f"Person{i}",
            email="" if i % 3 == 0 else f"person{i}@example.org",
            address=f"{i} Test Street, Aberwen",
            preferred_language="cy" if i % 2 else "en",
        )
        r.language = "cy" if i % 2 else "en"
        r.save(update_fields=["language"])
    run = _start(small_pool, olivia, django_capture_on_commit_callbacks)
    run_queue()
    run.refresh_from_db()
    actions.check_commit_run(run, acting_user=olivia)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.check_draw(run, public_seed="5 6 7", acting_user=olivia)
    # The messages wait for the background worker; the draw's request does not write them.
    assert mail.outbox == [] and not Message.objects.filter(registrant__assembly=small_pool)
    with django_capture_on_commit_callbacks(execute=True):
        run_queue()
    run.refresh_from_db()
    not_selected = [
        r for r in Registrant.objects.filter(assembly=small_pool) if r.pseudonym not in run.panel
    ]
    assert len(not_selected) == 30
    assert all(r.status == Status.REGISTERED for r in not_selected)
    # One message each, none to the people drawn.
    messages = Message.objects.filter(registrant__assembly=small_pool)
    assert messages.count() == 30
    assert {m.registrant_id for m in messages} == {r.pk for r in not_selected}
    by_email = [r for r in not_selected if r.participant.personal_details.email]
    by_letter = [r for r in not_selected if not r.participant.personal_details.email]
    assert len(mail.outbox) == len(by_email)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        r.participant.personal_details.email for r in by_email
    )
    # Each in their own language.
    for message in mail.outbox:
        r = next(r for r in by_email if r.participant.personal_details.email == message.to[0])
        if r.language == "cy":
            assert "heb eich dewis" in message.subject, message.subject
        else:
            assert "not selected this time" in message.subject
    letters = messages.filter(channel=Message.Channel.LETTER)
    assert letters.count() == len(by_letter)
    assert all(m.body and m.registrant.pseudonym for m in letters)
    event = AuditEvent.objects.get(event_type="registrants.told_not_selected", assembly=small_pool)
    assert event.new == {"count": 30, "by_email": len(by_email), "by_letter": len(by_letter)}
    # Running it again tells nobody twice.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert do_tell_not_selected(small_pool, acting_user=olivia) == 0
    assert mail.outbox == []
    assert messages.count() == 30
    # The letters are in the organiser's mail-merge file, with name and address.
    response = client_as("organiser").get(f"/a/{small_pool.slug}/recruitment/letters-to-post.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == len(by_letter)
    assert all(row["message"] == "not_selected" and "Test Street" in row["address"] for row in rows)
    assert {row["registration_number"] for row in rows} == {r.pseudonym for r in by_letter}
