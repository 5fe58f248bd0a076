"""Actions: each change has its result and its audit line; invalid input changes nothing."""

import pandas as pd
import pytest
from django.core.exceptions import ValidationError

from minipublic.sortition import invite
from minipublic.web.assemblies.models import AuditEvent
from minipublic.web.people.models import Participant, PersonalDetails
from minipublic.web.recruitment import actions
from minipublic.web.recruitment.models import (
    Address,
    AddressFile,
    AreaWeight,
    Registrant,
    SupportArrangement,
    household_pseudonym,
)
from minipublic.web.recruitment.tasks import draw_invitation

pytestmark = pytest.mark.django_db

ADDRESSES = (
    b"address,postcode,area\n"
    + b"".join(f"{i} Oak Road,ZZ1 {i}AA,oakside\n".encode() for i in range(1, 13))
    + b"".join(f"{i} Elm Road,ZZ2 {i}AA,elmside\n".encode() for i in range(1, 9))
)


def _counts(assembly):
    return (
        AddressFile.objects.filter(assembly=assembly).count(),
        Address.objects.filter(assembly=assembly).count(),
        Registrant.objects.filter(assembly=assembly).count(),
        Participant.objects.filter(assembly=assembly).count(),
        PersonalDetails.objects.filter(participant__assembly=assembly).count(),
        AuditEvent.objects.filter(assembly=assembly).count(),
    )


def _events(assembly, event_type):
    return AuditEvent.objects.filter(assembly=assembly, event_type=event_type)


def test_upload_address_file(other_assembly, user):
    organiser = user("other_organiser")
    address_file = actions.check_upload_address_file(
        other_assembly, name="a.csv", data=ADDRESSES, acting_user=organiser
    )
    assert address_file.n_addresses == 20
    assert other_assembly.addresses.filter(area="elmside").count() == 8
    assert set(
        AreaWeight.objects.filter(assembly=other_assembly).values_list("area", "weight")
    ) == {
        ("oakside", 1.0),
        ("elmside", 1.0),
    }
    event = _events(other_assembly, "address_file.uploaded").get()
    assert event.new["addresses"] == 20 and event.actor == organiser


def test_bad_address_file_changes_nothing(other_assembly, user):
    before = _counts(other_assembly)
    bad = ADDRESSES + b"21 Elm Road,ZZ2 9AA,\n"
    with pytest.raises(ValidationError) as info:
        actions.check_upload_address_file(
            other_assembly, name="a.csv", data=bad, acting_user=user("other_organiser")
        )
    assert "a.csv, row 22, column area" in str(info.value)
    assert _counts(other_assembly) == before


def test_weights_and_lottery(other_assembly, user):
    organiser = user("other_organiser")
    address_file = actions.check_upload_address_file(
        other_assembly, name="a.csv", data=ADDRESSES, acting_user=organiser
    )
    changed = actions.check_set_area_weights(
        other_assembly, {"elmside": "3"}, acting_user=organiser
    )
    assert changed == {"elmside": 3.0}
    assert _events(other_assembly, "area_weights.changed").count() == 1
    # Same value again: no change, no audit line.
    assert actions.check_set_area_weights(other_assembly, {"elmside": 3}) == {}
    assert _events(other_assembly, "area_weights.changed").count() == 1
    with pytest.raises(ValidationError):
        actions.check_set_area_weights(other_assembly, {"oakside": "-1", "elmside": "5"})
    assert AreaWeight.objects.get(assembly=other_assembly, area="elmside").weight == 3.0

    with pytest.raises(ValidationError):
        actions.check_invitation_lottery(address_file, n_letters=21, seed="s")
    actions.check_invitation_lottery(address_file, n_letters=10, seed="s")
    addresses = list(address_file.addresses.order_by("row"))
    # A weight for an area of another file of the assembly is left out of this draw.
    AreaWeight.objects.create(assembly=other_assembly, area="elsewhere", weight=4.0)
    invitation = draw_invitation(address_file, addresses, n_letters=10, seed="s")
    # The task's draw is exactly the core's draw on (id, area) in file order.
    direct = invite(
        pd.DataFrame({"id": [str(a.pk) for a in addresses], "area": [a.area for a in addresses]}),
        10,
        area_column="area",
        weights={"elmside": 3.0},
        seed="s",
    )
    assert invitation.invited["id"].tolist() == direct.invited["id"].tolist()
    made = actions.do_apply_invitation_lottery(address_file, invitation, addresses, seed="s")
    assert made == 10
    assert set(
        Address.objects.filter(address_file=address_file, invited=True).values_list("pk", flat=True)
    ) == {int(i) for i in direct.invited["id"]}
    invited = Address.objects.filter(address_file=address_file, invited=True)
    # Mass 12 and 24: 10 letters -> 3.33 and 6.67 -> 3 and 7.
    assert invited.filter(area="oakside").count() == 3
    assert invited.filter(area="elmside").count() == 7
    assert invited.exclude(letter_code=None).count() == 10
    assert len(set(invited.values_list("letter_code", flat=True))) == 10
    probs = dict(
        Address.objects.filter(address_file=address_file)
        .values_list("area", "inclusion_probability")
        .distinct()
    )
    assert probs == pytest.approx({"oakside": 3 / 12, "elmside": 7 / 8})
    event = _events(other_assembly, "invitation_lottery.run").get()
    assert event.new["seed"] == "s" and event.new["allocation"] == {"oakside": 3, "elmside": 7}
    assert event.new["seed_int"] == str(direct.seed) and event.new["method"] == direct.method
    assert event.new["weights"] == {"elmside": 3.0, "oakside": 1.0}
    address_file.refresh_from_db()
    assert address_file.seed == "s" and address_file.lottery_method == direct.method
    with pytest.raises(ValidationError, match="already been run"):
        actions.check_invitation_lottery(address_file, n_letters=5, seed="s")


def test_failed_lottery_task_frees_the_file(other_assembly, user, monkeypatch):
    """A draw that fails stores nothing, says why, and lets the organiser run it again."""
    from minipublic.errors import InputError
    from minipublic.web.progress.models import TaskProgress, TaskStatus
    from minipublic.web.recruitment import tasks

    organiser = user("other_organiser")
    address_file = actions.check_upload_address_file(
        other_assembly, name="a.csv", data=ADDRESSES, acting_user=organiser
    )
    actions.do_mark_lottery_running(address_file, n_letters=5, seed="s")

    def broken(*args, **kwargs):
        raise InputError("weight for an unknown area", file="weights.csv", row=3, column="area")

    monkeypatch.setattr(tasks, "draw_invitation", broken)
    progress = TaskProgress.objects.create(kind="invitation_lottery", title="Lottery")
    with pytest.raises(InputError):
        tasks.run_invitation_lottery.call(
            progress_id=str(progress.pk),
            address_file_id=address_file.pk,
            n_letters=5,
            seed="s",
            acting_user_id=organiser.pk,
        )
    address_file.refresh_from_db()
    progress.refresh_from_db()
    assert address_file.lottery_status == AddressFile.LotteryStatus.NOT_RUN
    assert not Address.objects.filter(address_file=address_file, invited=True).exists()
    assert progress.status == TaskStatus.FAILED and "weights.csv, row 3" in progress.message
    event = _events(other_assembly, "invitation_lottery.failed").get()
    assert event.actor == organiser and "unknown area" in event.new["reason"]
    # Free again: the lottery can be started once more.
    actions.check_invitation_lottery(address_file, n_letters=5, seed="s")
    # A finished draw is never released.
    address_file.lottery_status = AddressFile.LotteryStatus.DONE
    address_file.save()
    assert not actions.do_release_invitation_lottery(address_file, reason="late failure")
    address_file.refresh_from_db()
    assert address_file.lottery_status == AddressFile.LotteryStatus.DONE


def _free_address(assembly):
    return Address.objects.filter(assembly=assembly, invited=True, registrant__isnull=True).first()


ANSWERS = {
    "age_band": "16-29",
    "gender": "woman",
    "education": "degree",
    "ethnicity": "white",
    "disability": "no",
    "trust_in_government": 2,
    "barriers": ["no_point", "caring"],
    "support_needs": ["caring", "interpreter"],
}
DETAILS = {"first_name": "Rhian", "last_name": "Hughes", "email": "rhian@example.org"}


@pytest.mark.usefixtures("registration_open")
def test_register_by_letter_code(demo_assembly):
    address = _free_address(demo_assembly)
    registrant = actions.check_register(
        demo_assembly,
        answers=ANSWERS,
        details=DETAILS,
        address=address,
        language="cy",
        consent=True,
    )
    assert registrant.source == "letter"
    assert registrant.area == address.area
    assert registrant.household_key == household_pseudonym(address.household_key)
    assert registrant.trust_band == "low" and registrant.no_point == "yes"
    assert registrant.features()["trust_band"] == "low"
    assert registrant.consent_given_at is not None
    assert registrant.status == "registered" and registrant.selection_probability is None
    details = registrant.participant.personal_details
    assert details.email == "rhian@example.org" and details.preferred_language == "cy"
    assert address.address in details.address
    # Personal details are not on the registrant.
    assert not {"first_name", "email", "phone"} & {f.name for f in Registrant._meta.fields}
    assert set(
        SupportArrangement.objects.filter(registrant=registrant).values_list("need", flat=True)
    ) == {"caring", "interpreter"}
    event = _events(demo_assembly, "registrant.registered").get(object_id=str(registrant.pk))
    assert event.actor_label == registrant.participant.pseudonym
    assert "Rhian" not in str(event.new) and "rhian@" not in str(event.new)


@pytest.mark.usefixtures("registration_open")
def test_one_registration_per_household_code(demo_assembly):
    address = _free_address(demo_assembly)
    actions.check_register(
        demo_assembly, answers=ANSWERS, details=DETAILS, address=address, consent=True
    )
    before = _counts(demo_assembly)
    with pytest.raises(ValidationError, match="already registered"):
        actions.check_register(
            demo_assembly, answers=ANSWERS, details=DETAILS, address=address, consent=True
        )
    # do_register itself refuses too (a race past the check).
    with pytest.raises(ValidationError, match="already registered"):
        actions.do_register(demo_assembly, answers=ANSWERS, details=DETAILS, address=address)
    assert _counts(demo_assembly) == before


@pytest.mark.usefixtures("registration_open")
@pytest.mark.parametrize(
    ("details", "consent", "field"),
    [
        (DETAILS, False, "consent"),
        ({**DETAILS, "first_name": " "}, True, "first_name"),
        ({"first_name": "Rhian"}, True, "email"),
    ],
)
def test_invalid_registration_saves_nothing(demo_assembly, details, consent, field):
    before = _counts(demo_assembly)
    with pytest.raises(ValidationError) as info:
        actions.check_register(
            demo_assembly,
            answers=ANSWERS,
            details=details,
            address=_free_address(demo_assembly),
            consent=consent,
        )
    assert field in info.value.error_dict
    assert _counts(demo_assembly) == before


@pytest.mark.usefixtures("registration_open")
def test_open_link_registration_needs_the_switch(demo_assembly):
    settings_obj = actions.registration_settings(demo_assembly)
    actions.do_update_registration_settings(settings_obj, open_link_enabled=False)
    with pytest.raises(ValidationError, match="code"):
        actions.check_register(
            demo_assembly, answers=ANSWERS, details={**DETAILS, "address": "9 Bay St"}, consent=True
        )
    actions.do_update_registration_settings(settings_obj, open_link_enabled=True)
    registrant = actions.check_register(
        demo_assembly,
        answers={**ANSWERS, "area": "south"},
        details={**DETAILS, "address": "9 Bay St.", "postcode": "AB2 1XY"},
        consent=True,
    )
    assert registrant.source == "open_link"
    assert registrant.household_key == household_pseudonym("9 bay st ab2 1xy")
    events = _events(demo_assembly, "registration_settings.changed")
    assert [e.new for e in events.order_by("created_at")][-2:] == [
        {"open_link_enabled": False},
        {"open_link_enabled": True},
    ]


def test_closed_registration(demo_assembly):
    settings_obj = actions.registration_settings(demo_assembly)
    actions.do_update_registration_settings(settings_obj, is_open=False)
    with pytest.raises(ValidationError, match="closed"):
        actions.check_register(
            demo_assembly,
            answers=ANSWERS,
            details=DETAILS,
            address=_free_address(demo_assembly),
            consent=True,
        )


POOL = (
    b"id,first_name,email,age,gender,area,trust_in_government\n"
    b"A1,Ann,ann@example.org,30-44,woman,north,3\n"
    b"A2,Bryn,bryn@example.org,65+,man,south,9\n"
)


def test_import_pool(other_assembly, user):
    organiser = user("other_organiser")
    pool_import = actions.check_import_pool(
        other_assembly, name="people.csv", data=POOL, acting_user=organiser
    )
    assert pool_import.n_rows == 2
    ann = Registrant.objects.get(assembly=other_assembly, external_id="A1")
    assert ann.source == "import" and ann.trust_in_government == 3 and ann.age_band == "30-44"
    assert ann.participant.personal_details.email == "ann@example.org"
    assert _events(other_assembly, "pool.imported").get().new["rows"] == 2
    # The same ids again are refused, naming row and column.
    before = _counts(other_assembly)
    with pytest.raises(ValidationError) as info:
        actions.check_import_pool(other_assembly, name="people.csv", data=POOL)
    messages = info.value.message_dict["file"]
    assert messages[0] == "people.csv, row 2, column id: id 'A1' is already in the pool"
    assert _counts(other_assembly) == before


def test_bad_pool_file_imports_nothing(other_assembly):
    before = _counts(other_assembly)
    bad = POOL + b"A3,Cai,,16-29,,east,12\n"
    with pytest.raises(ValidationError) as info:
        actions.check_import_pool(other_assembly, name="people.csv", data=bad)
    messages = info.value.message_dict["file"]
    assert messages == [
        "people.csv, row 4, column gender: the value is empty",
        "people.csv, row 4, column trust_in_government: trust '12' must be a whole number "
        "from 0 to 10",
    ]
    assert _counts(other_assembly) == before


def test_update_support(demo_assembly, user):
    organiser = user("organiser")
    arrangement = SupportArrangement.objects.filter(
        registrant__assembly=demo_assembly, state="requested"
    ).first()
    actions.check_update_support(
        arrangement, state="arranged", arrangement_text="Taxi", cost="18.5", acting_user=organiser
    )
    arrangement.refresh_from_db()
    assert arrangement.state == "arranged" and str(arrangement.cost) == "18.50"
    event = _events(demo_assembly, "support.updated").get(object_id=str(arrangement.pk))
    assert event.old["state"] == "requested" and event.new["cost"] == "18.50"
    with pytest.raises(ValidationError) as info:
        actions.check_update_support(arrangement, state="nope", arrangement_text="", cost="-2")
    assert set(info.value.error_dict) == {"state", "cost"}
    arrangement.refresh_from_db()
    assert arrangement.state == "arranged"
    assert (
        _events(demo_assembly, "support.updated").filter(object_id=str(arrangement.pk)).count() == 1
    )


def test_door_knock_and_list(demo_assembly, user):
    from minipublic.web.recruitment.letters import door_knocking_rows

    groups = door_knocking_rows(demo_assembly)
    areas = {g[0] for g in groups}
    weighted = set(
        AreaWeight.objects.filter(assembly=demo_assembly, weight__gt=1).values_list(
            "area", flat=True
        )
    )
    assert areas == weighted
    listed = [a for g in groups for a in g[2]]
    assert all(a.invited for a in listed)
    assert not Registrant.objects.filter(address__in=listed).exists()
    expected = Address.objects.filter(
        assembly=demo_assembly, invited=True, area__in=weighted, registrant__isnull=True
    ).count()
    assert len(listed) == expected
    actions.do_record_door_knock(listed[0], note="left code", acting_user=user("organiser"))
    assert _events(demo_assembly, "address.door_knocked").count() == 1
