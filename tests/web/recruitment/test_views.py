"""Pages: public registration (English and Welsh), organiser uploads, lottery task, letters."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from minipublic.web.demo import DEMO_SLUG
from minipublic.web.recruitment.models import Address, AddressFile, Registrant, household_pseudonym

pytestmark = pytest.mark.django_db

FORM = {
    "age_band": "30-44",
    "gender": "man",
    "education": "school",
    "ethnicity": "white",
    "disability": "no",
    "trust_in_government": "3",
    "barriers": ["no_point", "no_time"],
    "support_needs": ["travel"],
    "first_name": "Dai",
    "last_name": "Rees",
    "email": "dai@example.org",
    "phone": "",
    "consent": "on",
}


def _free_code():
    return (
        Address.objects.filter(assembly__slug=DEMO_SLUG, invited=True, registrant__isnull=True)
        .order_by("pk")
        .first()
        .letter_code
    )


@pytest.mark.usefixtures("registration_open")
def test_register_by_code_in_english():
    client = Client()
    code = _free_code()
    # Typed in lower case with a space: still found.
    response = client.post(f"/a/{DEMO_SLUG}/register/", {"code": code.lower().replace("-", " ")})
    assert response.status_code == 302
    assert response["Location"] == f"/a/{DEMO_SLUG}/register/{code}/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "which of these might stop you?" in html
    assert "No point, nothing will change" in html
    response = client.post(f"/a/{DEMO_SLUG}/register/{code}/", FORM)
    assert response.status_code == 302
    registrant = Registrant.objects.get(address__letter_code=code)
    assert registrant.trust_in_government == 3
    assert registrant.barriers == ["no_point", "no_time"]
    assert registrant.language == "en"
    done = client.get(response["Location"])
    assert registrant.participant.pseudonym in done.content.decode()
    # The code cannot be used twice.
    again = client.post(f"/a/{DEMO_SLUG}/register/", {"code": code})
    assert again.status_code == 400
    assert "already registered" in again.content.decode()


@pytest.mark.usefixtures("registration_open")
def test_register_in_welsh():
    client = Client()
    client.cookies["django_language"] = "cy"
    code = _free_code()
    page = client.get(f"/a/{DEMO_SLUG}/register/{code}/")
    html = page.content.decode()
    assert 'lang="cy"' in html
    assert "Dim pwynt, fydd dim byd yn newid" in html
    assert "Eich preifatrwydd" in html
    response = client.post(f"/a/{DEMO_SLUG}/register/{code}/", FORM)
    assert response.status_code == 302
    registrant = Registrant.objects.get(address__letter_code=code)
    assert registrant.language == "cy"
    assert registrant.participant.personal_details.preferred_language == "cy"


@pytest.mark.usefixtures("registration_open")
def test_errors_per_field_and_nothing_saved():
    client = Client()
    code = _free_code()
    before = Registrant.objects.count()
    response = client.post(
        f"/a/{DEMO_SLUG}/register/{code}/", {**FORM, "consent": "", "email": "", "age_band": ""}
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"consent", "email", "age_band"}
    assert "Please tick the box to agree" in response.content.decode()
    assert Registrant.objects.count() == before


@pytest.mark.usefixtures("registration_open")
def test_unknown_code_and_bad_trust_value():
    client = Client()
    response = client.get(f"/a/{DEMO_SLUG}/register/ABCD-EFGH/")
    assert response.status_code == 404
    assert "We cannot find this code" in response.content.decode()
    code = _free_code()
    response = client.post(
        f"/a/{DEMO_SLUG}/register/{code}/", {**FORM, "trust_in_government": "11"}
    )
    assert response.status_code == 400
    assert "trust_in_government" in response.context["form"].errors


@pytest.mark.usefixtures("registration_open")
def test_open_link_asks_for_address_and_area(client_as):
    from minipublic.web.recruitment.actions import registration_settings

    token = registration_settings(
        Address.objects.filter(assembly__slug=DEMO_SLUG).first().assembly
    ).open_link_token
    client = Client()
    page = client.get(f"/a/{DEMO_SLUG}/join/{token}/")
    fields = page.context["form"].fields
    assert "address" in fields and "area" in fields
    response = client.post(
        f"/a/{DEMO_SLUG}/join/{token}/",
        {**FORM, "area": "east", "address": "4 Quay St", "postcode": "AB9 9ZZ"},
    )
    assert response.status_code == 302
    registrant = Registrant.objects.get(
        source="open_link", household_key=household_pseudonym("4 quay st ab9 9zz")
    )
    assert registrant.area == "east"


@pytest.mark.usefixtures("registration_open")
def test_organiser_uploads_runs_lottery_and_gets_letters(client_as, demo_assembly):
    from minipublic.web.progress.models import TaskProgress
    from minipublic.web.recruitment.tasks import run_invitation_lottery

    client = client_as("organiser")
    data = b"address,area\n" + b"".join(f"{i} New Rd,north\n".encode() for i in range(1, 41))
    response = client.post(
        f"/a/{DEMO_SLUG}/recruitment/addresses/upload/",
        {"file": SimpleUploadedFile("new.csv", data), "area_column": "area"},
    )
    assert response.status_code == 302
    address_file = AddressFile.objects.get(assembly=demo_assembly, name="new.csv")
    response = client.post(
        f"/a/{DEMO_SLUG}/recruitment/addresses/{address_file.pk}/lottery/",
        {"n_letters": "5", "seed": "town hall 12 May"},
    )
    assert response.status_code == 302
    progress = TaskProgress.objects.get(kind="recruitment.invitation_lottery")
    # The test transaction never commits, so run the task body here.
    run_invitation_lottery.call(
        progress_id=str(progress.pk),
        address_file_id=address_file.pk,
        n_letters=5,
        seed="town hall 12 May",
        acting_user_id=None,
    )
    progress.refresh_from_db()
    assert progress.status == "succeeded"
    address_file.refresh_from_db()
    assert address_file.lottery_status == "done" and address_file.seed == "town hall 12 May"
    pdf = client.get(f"/a/{DEMO_SLUG}/recruitment/addresses/{address_file.pk}/letters.pdf")
    assert pdf.status_code == 200
    body = b"".join(pdf.streaming_content)
    assert body.startswith(b"%PDF")
    # One page per invited household.
    assert body.count(b"/Type /Page") - body.count(b"/Type /Pages") == 5
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    f"/a/{DEMO_SLUG}/recruitment/addresses/{address_file.pk}/letters.csv"
                ).content.decode()
            )
        )
    )
    codes = set(address_file.addresses.filter(invited=True).values_list("letter_code", flat=True))
    assert {r["letter_code"] for r in rows} == codes and len(rows) == 5
    # A second lottery on the same file is refused on the page.
    response = client.post(
        f"/a/{DEMO_SLUG}/recruitment/addresses/{address_file.pk}/lottery/",
        {"n_letters": "5", "seed": "again"},
    )
    assert response.status_code == 400


@pytest.mark.usefixtures("registration_open")
def test_bad_upload_shows_row_and_column(client_as):
    client = client_as("organiser")
    response = client.post(
        f"/a/{DEMO_SLUG}/recruitment/addresses/upload/",
        {"file": SimpleUploadedFile("bad.csv", b"address,area\n1 A Rd,\n"), "area_column": "area"},
    )
    assert response.status_code == 400
    assert "bad.csv, row 2, column area: the area is empty" in response.content.decode()


def test_pool_import_page_lists_errors(client_as, other_assembly):
    # The demo's panel is drawn (its pool is closed to imports): use the other assembly.
    client = client_as("other_staff")
    data = b"id,gender,trust_in_government\nX1,woman,3\nX2,,44\n"
    response = client.post(
        f"/a/{other_assembly.slug}/recruitment/import/",
        {"file": SimpleUploadedFile("p.csv", data)},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "p.csv, row 3, column gender: the value is empty" in html
    assert "p.csv, row 3, column trust_in_government" in html
    assert not Registrant.objects.filter(external_id="X1").exists()


@pytest.mark.usefixtures("registration_open")
def test_weights_page_rejects_bad_number(client_as, demo_assembly):
    from minipublic.web.recruitment.models import AreaWeight

    client = client_as("organiser")
    weights = list(AreaWeight.objects.filter(assembly=demo_assembly))
    data = {f"weight_{w.pk}": "1" for w in weights}
    data[f"weight_{weights[0].pk}"] = "zero"
    response = client.post(f"/a/{DEMO_SLUG}/recruitment/weights/", data)
    assert response.status_code == 400
    assert "Enter a number more than 0." in response.content.decode()
    data[f"weight_{weights[0].pk}"] = "2.5"
    assert client.post(f"/a/{DEMO_SLUG}/recruitment/weights/", data).status_code == 302
    assert AreaWeight.objects.get(pk=weights[0].pk).weight == 2.5


def test_overview_and_support_board_render(client_as):
    client = client_as("organiser")
    html = client.get(f"/a/{DEMO_SLUG}/recruitment/").content.decode()
    assert "Responses by area" in html and "aberwen.example/join" in html
    board = client.get(f"/a/{DEMO_SLUG}/recruitment/support/?who=all")
    assert board.status_code == 200
    assert board.context["n_rows"] > 100


def test_inviting_forms_only_in_the_phases_that_accept_them(client_as, demo_assembly):
    """After the register phase the page says why, instead of offering forms that would be refused."""
    client = client_as("organiser")
    url = f"/a/{DEMO_SLUG}/recruitment/"
    type(demo_assembly).objects.filter(pk=demo_assembly.pk).update(phase="register")
    html = client.get(url).content.decode()
    assert "Upload addresses" in html and 'id="inviting-closed"' not in html
    type(demo_assembly).objects.filter(pk=demo_assembly.pk).update(phase="deliberate")
    html = client.get(url).content.decode()
    assert "Upload addresses" not in html and "Save weights" not in html
    assert "Remake the letters" not in html and "Make the letters (PDF)" not in html
    assert 'id="inviting-closed"' in html
    upload = client.post(
        f"{url}addresses/upload/",
        {
            "file": SimpleUploadedFile("late.csv", b"address,area\n1 Rd,north\n"),
            "area_column": "area",
        },
    )
    assert upload.status_code == 403
    assert not AddressFile.objects.filter(assembly=demo_assembly, name="late.csv").exists()
