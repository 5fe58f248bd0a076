"""User-supplied ids are validated: 404, never a server error (issue #14 item 8)."""

import pytest

from minipublic.web.demo import DEMO_SLUG

pytestmark = pytest.mark.django_db

BAD = ["not-a-uuid", "1", "'; drop table x; --", "00000000-0000-0000-0000-000000000000"]


@pytest.mark.parametrize("value", BAD)
@pytest.mark.parametrize("page", ["members/", "recruitment/"])
def test_malformed_progress_is_404(client_as, value, page):
    response = client_as("organiser").get(f"/a/{DEMO_SLUG}/{page}", {"progress": value})
    assert response.status_code == 404


def test_progress_of_another_assembly_is_404(client_as, other_assembly):
    from minipublic.web.people.tasks import run_send_sign_in_links
    from minipublic.web.progress.actions import do_start_task

    other = do_start_task(run_send_sign_in_links, kind="t", title="t", assembly=other_assembly)
    response = client_as("organiser").get(f"/a/{DEMO_SLUG}/members/", {"progress": str(other.pk)})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/a/{slug}/selection/runs/99999999999999999999999/",
        "/a/{slug}/recruitment/addresses/99999999999999999999999/letters.csv",
    ],
)
def test_huge_ids_are_404(client_as, url):
    assert client_as("organiser").get(url.format(slug=DEMO_SLUG)).status_code == 404
