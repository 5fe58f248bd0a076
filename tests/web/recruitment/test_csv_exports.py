"""CSV exports neutralise formula cells and are not cached (issue #14 item 14)."""

import csv
import io

import pytest

from minipublic.web.demo import DEMO_SLUG
from minipublic.web.recruitment.letters import mail_merge_csv
from minipublic.web.recruitment.models import Address, AddressFile

pytestmark = pytest.mark.django_db

NASTY = ['=HYPERLINK("http://evil","x")', "@SUM(A1:A9)", "+1+cmd|' /C calc'!A0", "-2+3", "\t=1"]


def test_letters_csv_neutralises_formulas_and_is_not_cached(client_as, demo_assembly):
    address_file = AddressFile.objects.get(assembly=demo_assembly)
    invited = list(
        Address.objects.filter(address_file=address_file, invited=True).order_by(
            "area", "street", "address"
        )[: len(NASTY)]
    )
    for a, bad in zip(invited, NASTY, strict=True):
        Address.objects.filter(pk=a.pk).update(address=bad, street=bad)
    response = client_as("organiser").get(
        f"/a/{DEMO_SLUG}/recruitment/addresses/{address_file.pk}/letters.csv"
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    cells = {r["address"] for r in rows} | {r["street"] for r in rows}
    for bad in NASTY:
        assert bad not in cells
        assert "'" + bad in cells
    for row in rows:
        for value in row.values():
            assert value[:1] not in ("=", "+", "-", "@", "\t", "\r")


def test_mail_merge_csv_cells():
    class A:
        letter_code, address, street, postcode, area = "AB12-CD34", "=1+1", "@x", "+44", "north"

    out = mail_merge_csv([A()], register_url="https://example.org/join")
    assert out.splitlines()[1] == "AB12-CD34,'=1+1,'@x,'+44,north,https://example.org/join"


def test_post_csv_is_not_cached(client_as):
    response = client_as("organiser").get(f"/a/{DEMO_SLUG}/recruitment/letters-to-post.csv")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
