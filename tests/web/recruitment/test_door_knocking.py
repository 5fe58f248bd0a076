"""Door-knocking: streets first, one street at a time in house-number order (issue #13)."""

from urllib.parse import quote

import pytest

from minipublic.web.demo import DEMO_SLUG
from minipublic.web.recruitment.letters import door_knocking_rows, house_number_key

pytestmark = pytest.mark.django_db


def test_house_numbers_sort_naturally():
    addresses = [
        "100 High St",
        "11 High St",
        "10 High St",
        "1 High St",
        "10A High St",
        "Rose Cottage",
    ]
    assert sorted(addresses, key=house_number_key) == [
        "1 High St",
        "10 High St",
        "10A High St",
        "11 High St",
        "100 High St",
        "Rose Cottage",
    ]


def test_door_knocking_lists_streets_then_one_street(client_as, demo_assembly):
    groups = door_knocking_rows(demo_assembly)
    assert groups, "the demo has oversampled areas with households to visit"
    client = client_as("organiser")
    index = client.get(f"/a/{DEMO_SLUG}/recruitment/door-knocking/")
    assert index.status_code == 200
    # The index lists streets (at most 50 a page), not every home.
    assert index.text.count('class="home"') == 0
    area, street, homes = max(groups, key=lambda g: len(g[2]))
    url = f"/a/{DEMO_SLUG}/recruitment/door-knocking/?area={quote(area)}&street={quote(street)}"
    page = client.get(url)
    assert page.status_code == 200
    assert page.text.count('class="home"') == len(homes)
    shown = [a.address for a in homes]
    positions = [page.text.index(address) for address in shown]
    assert positions == sorted(positions)
    assert shown == sorted(shown, key=house_number_key)
    assert "data-print" in page.text and "onclick" not in page.text
    assert (
        client.get(f"/a/{DEMO_SLUG}/recruitment/door-knocking/?area=x&street=y").status_code == 404
    )
