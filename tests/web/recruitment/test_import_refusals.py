"""Imports refuse what they cannot use (issue #13): drawn pool, no id column, missing quota features."""

import pytest
from django.core.exceptions import ValidationError

from minipublic.web.demo import DEMO_SLUG
from minipublic.web.recruitment import actions
from minipublic.web.recruitment.models import Registrant
from minipublic.web.selection.actions import do_save_quotas, quota_set_of
from minipublic.web.selection.quotas import QuotaLine

from .test_actions import POOL

pytestmark = pytest.mark.django_db


def test_import_into_a_drawn_pool_is_refused(demo_assembly, client_as):
    n = Registrant.objects.filter(assembly=demo_assembly).count()
    with pytest.raises(ValidationError, match="already been drawn"):
        actions.check_import_pool(demo_assembly, name="people.csv", data=POOL)
    # The page says so and offers no form; a posted file changes nothing.
    client = client_as("organiser")
    page = client.get(f"/a/{DEMO_SLUG}/recruitment/import/")
    assert "already been drawn" in page.text and 'type="file"' not in page.text
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        f"/a/{DEMO_SLUG}/recruitment/import/",
        {"file": SimpleUploadedFile("people.csv", b"name,town\nAnn,X\nBob,Y\n", "text/csv")},
    )
    assert response.status_code == 400
    assert Registrant.objects.filter(assembly=demo_assembly).count() == n


def test_file_without_an_id_column_is_refused(other_assembly):
    with pytest.raises(ValidationError) as info:
        actions.check_import_pool(
            other_assembly, name="people.csv", data=b"name,town\nAnn,X\nBob,Y\n"
        )
    (message,) = info.value.message_dict["file"]
    assert message.startswith("people.csv, row 1: the file has no id column")
    assert "name, town" in message
    assert not Registrant.objects.filter(assembly=other_assembly).exists()


def test_file_without_the_quota_features_is_refused(other_assembly):
    do_save_quotas(
        quota_set_of(other_assembly),
        panel_size=2,
        lines=[
            QuotaLine("gender", "woman", 50, 10, "range"),
            QuotaLine("housing", "owner", 50, 10, "range"),
        ],
    )
    with pytest.raises(ValidationError) as info:
        actions.check_import_pool(other_assembly, name="people.csv", data=POOL)
    assert info.value.message_dict["file"] == [
        "people.csv, row 1, column housing: the column 'housing' is missing: "
        "the quotas use this feature"
    ]
    assert not Registrant.objects.filter(assembly=other_assembly).exists()
    # With the column it is imported.
    with_housing = b"id,gender,housing\nA1,woman,owner\nA2,man,renter\n"
    assert actions.check_import_pool(other_assembly, name="p.csv", data=with_housing).n_rows == 2


def test_weights_import_errors_are_shown_open(client_as, other_assembly):
    from django.core.files.uploadedfile import SimpleUploadedFile

    # The other demo assembly is still in its invite phase.
    response = client_as("other_staff").post(
        f"/a/{other_assembly.slug}/recruitment/weights/import/",
        {"file": SimpleUploadedFile("weights.csv", b"place,size\nx,y\n", "text/csv")},
    )
    assert response.status_code == 400
    text = response.text
    assert '<details id="weights-import" open>' in text
    assert "weights.csv" in text and 'class="form-errors"' in text


def test_file_errors_in_welsh():
    from django.utils import translation

    from minipublic.errors import InputError
    from minipublic.web.recruitment.errors import explain

    error = InputError("the value is empty", file="pobl.csv", row=4, column="gender")
    assert explain(error) == str(error)  # English: exactly the reader's sentence
    with translation.override("cy"):
        welsh = explain(error)
        assert welsh == "pobl.csv, rhes 4, colofn gender: mae’r gwerth yn wag"
        trust = explain(InputError("trust '12' must be a whole number from 0 to 10", row=3))
        assert trust.startswith("rhes 3: ") and "'12'" in trust and "o 0 i 10" in trust
