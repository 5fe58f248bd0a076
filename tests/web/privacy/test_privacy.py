"""Subject access, erasure and retention."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from minipublic.web.assemblies.models import AuditEvent
from minipublic.web.people.models import PersonalDetails, SignInToken
from minipublic.web.privacy.actions import (
    ERASED,
    apply_retention,
    check_erase_person,
    check_set_retention,
    held_about,
)
from minipublic.web.recruitment.models import Registrant

pytestmark = pytest.mark.django_db


@pytest.fixture
def registrant(demo_assembly):
    """A registrant with a support note and an address link."""
    r = (
        Registrant.objects.filter(assembly=demo_assembly, address__isnull=False)
        .select_related("participant")
        .first()
    )
    r.support_note = "I use a wheelchair; my daughter Sian drives me."
    r.save(update_fields=["support_note"])
    return r


def test_held_about_lists_details_and_registration(registrant):
    held = dict(held_about(registrant.participant))
    text = json.dumps(held)
    assert registrant.participant.personal_details.first_name in text
    assert "wheelchair" in text
    assert len(held) >= 2  # personal details and the registration at least


def test_erasure_removes_contacts_and_free_text_keeps_answers(registrant, user):
    p = registrant.participant
    answers = (
        registrant.age_band,
        registrant.gender,
        registrant.area,
        registrant.trust_in_government,
    )
    name = p.personal_details.first_name
    check_erase_person(p, reason="asked by email", acting_user=user("organiser"))
    details = PersonalDetails.objects.get(participant=p)
    assert details.first_name == ERASED and not (
        details.last_name or details.email or details.phone or details.address
    )
    registrant.refresh_from_db()
    assert registrant.support_note == "" and registrant.address_id is None
    assert (
        registrant.age_band,
        registrant.gender,
        registrant.area,
        registrant.trust_in_government,
    ) == answers
    assert not SignInToken.objects.filter(participant=p).exists()
    p.refresh_from_db()
    assert not p.is_active
    line = AuditEvent.objects.get(event_type="person.erased", object_id=str(p.pk))
    assert line.new["pseudonym"] == p.pseudonym and name not in json.dumps(line.new)
    assert name not in json.dumps(held_about(p))


def test_erasure_needs_a_reason(registrant, user):
    with pytest.raises(ValidationError):
        check_erase_person(registrant.participant, reason=" ", acting_user=user("organiser"))
    assert registrant.participant.personal_details.first_name != ERASED


def test_retention_applies_once_on_its_date(demo_assembly, user):
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        check_set_retention(
            demo_assembly, erase_personal_data_on=today, acting_user=user("organiser")
        )
    check_set_retention(
        demo_assembly,
        erase_personal_data_on=today + datetime.timedelta(days=1),
        acting_user=user("organiser"),
    )
    assert apply_retention(today=today) == {}
    n = demo_assembly.participants.count()
    done = apply_retention(today=today + datetime.timedelta(days=1))
    assert done == {demo_assembly.slug: n}
    assert (
        not PersonalDetails.objects.filter(participant__assembly=demo_assembly)
        .exclude(first_name=ERASED)
        .exists()
    )
    assert apply_retention(today=today + datetime.timedelta(days=2)) == {}


def test_pages(client_as, registrant):
    client = client_as("organiser")
    slug = registrant.assembly.slug
    p = registrant.participant.pseudonym
    page = client.get(f"/a/{slug}/data-protection/{p}/")
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert "wheelchair" in page.content.decode()
    found = client.get(f"/a/{slug}/data-protection/", {"q": p.lower()})
    assert found.status_code == 302 and found["Location"].endswith(f"/{p}/")
    data = client.get(f"/a/{slug}/data-protection/{p}/data.json").json()
    assert data["pseudonym"] == p
    refused = client.post(f"/a/{slug}/data-protection/{p}/erase/", {"reason": "asked"})
    assert refused.status_code == 400  # the confirmation box was not ticked
    done = client.post(
        f"/a/{slug}/data-protection/{p}/erase/", {"reason": "asked", "confirm": "on"}
    )
    assert done.status_code == 302
    assert "wheelchair" not in client.get(f"/a/{slug}/data-protection/{p}/").content.decode()
