"""The drawn panel becomes the members: accept by the organiser or by the person's own link."""

import re

import pytest
from django.core import mail
from django.test import Client

from minipublic.web.assemblies.models import AuditEvent
from minipublic.web.people.models import Participant, PersonalDetails
from minipublic.web.recruitment.models import Status
from minipublic.web.selection import actions


def _invited(assembly, n=1):
    run = actions.drawn_run(assembly)
    members = list(
        run.members.filter(active=True, registrant__status=Status.INVITED)
        .select_related("registrant__participant__personal_details")
        .order_by("pk")
    )
    with_email = [
        m
        for m in members
        if getattr(m.registrant.participant, "personal_details", None)
        and m.registrant.participant.personal_details.email
    ]
    return with_email[:n]


def test_accepting_makes_a_member_with_language_and_link(
    demo_assembly, user, django_capture_on_commit_callbacks
):
    (seat,) = _invited(demo_assembly)
    r = seat.registrant
    r.language = "cy"
    r.save(update_fields=["language"])
    participant = r.participant
    assert not participant.is_member
    assert participant not in Participant.objects.members(demo_assembly)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.check_record_response(seat, response="accepted", acting_user=user("organiser"))
    participant.refresh_from_db()
    assert participant.is_member
    assert participant in Participant.objects.members(demo_assembly)
    details = PersonalDetails.objects.get(participant=participant)
    assert details.preferred_language == "cy"
    # Selection probability and support needs stay reachable from the member.
    assert participant.registrant.selection_probability == pytest.approx(seat.selection_probability)
    # One email: the sign-in link, in Welsh.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [details.email]
    assert "/signin/" in mail.outbox[0].body
    event = AuditEvent.objects.get(
        event_type="participant.became_member", object_id=str(participant.pk)
    )
    assert event.new["pseudonym"] == participant.pseudonym
    assert details.email not in str(event.new)
    # Declining afterwards takes them off the members list again.
    actions.check_record_response(seat, response="declined", acting_user=user("organiser"))
    participant.refresh_from_db()
    assert not participant.is_member
    assert AuditEvent.objects.filter(
        event_type="participant.left", object_id=str(participant.pk)
    ).exists()


def test_accept_by_the_link_in_the_invitation(demo_assembly, django_capture_on_commit_callbacks):
    (seat,) = _invited(demo_assembly)
    client = Client()
    path = actions.seat_response_path(seat)
    response = client.get(path)
    assert response.status_code == 200
    assert "Yes, I accept my seat" in response.text
    # Opening the link answers nothing.
    seat.registrant.refresh_from_db()
    assert seat.registrant.status == Status.INVITED
    # An altered link is refused.
    assert client.get(path[:-3] + "xyz/").status_code == 404
    assert client.post(path[:-3] + "xyz/", {"response": "accepted"}).status_code == 404
    # A bad answer changes nothing.
    assert client.post(path, {"response": "maybe"}).status_code == 400
    seat.registrant.refresh_from_db()
    assert seat.registrant.status == Status.INVITED
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, {"response": "accepted"})
    assert response.status_code == 200
    assert "Welcome to the assembly" in response.text
    seat.registrant.refresh_from_db()
    assert seat.registrant.status == Status.ACCEPTED
    assert seat.registrant.participant.is_member
    event = AuditEvent.objects.filter(
        event_type="panel_member.responded", object_id=str(seat.pk)
    ).latest("pk")
    assert event.new["by"] == "member"
    (sign_in,) = mail.outbox
    link = re.search(r"https?://\S+/signin/\S+", sign_in.body).group(0)
    path_only = "/" + link.split("/", 3)[3]
    # The new member signs in and sees their home.
    assert client.post(path_only).status_code == 302
    home = client.get(f"/a/{demo_assembly.slug}/me/")
    assert home.status_code == 200


def test_invitation_carries_the_seat_link(demo_assembly, user, django_capture_on_commit_callbacks):
    run = actions.drawn_run(demo_assembly)
    seat = _invited(demo_assembly)[0]
    seat.invited_at = None
    seat.save(update_fields=["invited_at"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_invite_panel(run, acting_user=user("organiser"))
    email = seat.registrant.participant.personal_details.email
    (message,) = [m for m in mail.outbox if m.to == [email]]
    assert f"/a/{demo_assembly.slug}/seat/" in message.body


def test_members_page_shows_panel_status_and_contacts(demo_assembly, client_as, user):
    (seat,) = _invited(demo_assembly)
    actions.check_record_response(seat, response="accepted", acting_user=user("organiser"))
    details = seat.registrant.participant.personal_details
    page = client_as("organiser").get(f"/a/{demo_assembly.slug}/members/")
    assert page.status_code == 200
    text = page.text
    assert seat.registrant.pseudonym in text and details.email in text
    assert "Accepted" in text and "Declined" in text and "Replaced" in text
    # Contact details are for organisers only.
    assert client_as("facilitator").get(f"/a/{demo_assembly.slug}/members/").status_code == 403


def test_replaced_decliner_is_not_a_member(demo_assembly, user):
    run = actions.drawn_run(demo_assembly)
    replaced = run.members.filter(active=False).select_related("registrant__participant").first()
    assert replaced.registrant.status == Status.REPLACED
    assert not replaced.registrant.participant.is_member
    accepted = run.members.filter(registrant__status=Status.ACCEPTED).select_related(
        "registrant__participant"
    )
    assert accepted.count() == 2
    assert all(m.registrant.participant.is_member for m in accepted)
