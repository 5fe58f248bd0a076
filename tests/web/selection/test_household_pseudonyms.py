"""Addresses stay in the personal-data model; pools carry household pseudonyms (issue #14 item 6)."""

import pytest

from minipublic.web.recruitment.models import Registrant, household_pseudonym
from minipublic.web.selection import actions

pytestmark = pytest.mark.django_db


def test_no_address_in_any_stored_or_published_pool(demo_assembly):
    run = actions.drawn_run(demo_assembly)
    registrants = Registrant.objects.filter(assembly=demo_assembly).select_related(
        "participant__personal_details", "address"
    )
    streets = {r.address.street.lower() for r in registrants if r.address_id and r.address.street}
    assert streets
    published = "".join(actions.published_file(run, n)[0] for n in actions.PUBLIC_FILES)
    for text in (run.pool_csv, published):
        lowered = text.lower()
        assert not any(street in lowered for street in streets)
    # Every registrant's household is a pseudonym; people at one address share it.
    assert all(r.household_key.startswith("H-") for r in registrants if r.household_key)
    header = run.pool_csv.splitlines()[0].split(",")
    households = {
        line.split(",")[header.index("household")] for line in run.pool_csv.splitlines()[1:]
    }
    assert all(h.startswith(("H-", "solo:")) for h in households)


def test_pseudonym_is_keyed_stable_and_idempotent(settings):
    a = household_pseudonym("4 quay st ab9 9zz")
    assert a == household_pseudonym("4 quay st ab9 9zz") and a.startswith("H-")
    assert household_pseudonym(a) == a and household_pseudonym("") == ""
    assert a != household_pseudonym("5 quay st ab9 9zz")
    settings.SECRET_KEY = "another-key-" * 5
    assert household_pseudonym("4 quay st ab9 9zz") != a
