"""The support board stores what the organiser arranged, and audits old → new."""

import pytest

from minipublic.web.assemblies.models import AuditEvent
from minipublic.web.demo import CAST, DEMO_PASSWORD, DEMO_SLUG
from minipublic.web.recruitment.models import SupportArrangement


def _requested(assembly_slug=DEMO_SLUG):
    return (
        SupportArrangement.objects.filter(
            registrant__assembly__slug=assembly_slug, state="requested"
        )
        .order_by("pk")
        .first()
    )


@pytest.mark.django_db
def test_support_board_post_saves_and_audits_old_values(client_as):
    arrangement = _requested()
    client = client_as("organiser")
    url = f"/a/{DEMO_SLUG}/recruitment/support/{arrangement.pk}/"
    response = client.post(
        url, {"state": "arranged", "arrangement": "Taxi both ways", "cost": "24.50"}
    )
    assert response.status_code == 302
    arrangement.refresh_from_db()
    assert (arrangement.state, arrangement.arrangement, str(arrangement.cost)) == (
        "arranged",
        "Taxi both ways",
        "24.50",
    )
    event = AuditEvent.objects.filter(event_type="support.updated").latest("created_at")
    assert event.old["state"] == "requested" and event.old["arrangement"] == ""
    assert event.new["state"] == "arranged" and event.new["cost"] == "24.50"


@pytest.mark.django_db
def test_support_board_refuses_a_negative_cost_and_stores_nothing(client_as):
    arrangement = _requested()
    client = client_as("organiser")
    url = f"/a/{DEMO_SLUG}/recruitment/support/{arrangement.pk}/"
    response = client.post(
        url, {"state": "arranged", "arrangement": "x", "cost": "-3"}, follow=True
    )
    assert "Not saved" in response.content.decode()
    arrangement.refresh_from_db()
    assert arrangement.state == "requested"


@pytest.mark.browser
@pytest.mark.slow
def test_support_board_submit_and_reload_in_browser(live_demo, page_factory):
    from minipublic.web.recruitment.demo import load

    load(live_demo)
    base = live_demo.objects["base_url"]
    page = page_factory()
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=username]").fill(CAST["organiser"].email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    page.goto(f"{base}/a/{DEMO_SLUG}/recruitment/support/?who=all")
    # The first request on the board that nobody has arranged yet.
    selects = page.locator("select[name=state]")
    ids = [selects.nth(i).get_attribute("id") for i in range(selects.count())]
    pks = [int(i.removeprefix("state-")) for i in ids]
    arrangement = (
        SupportArrangement.objects.filter(pk__in=pks, state="requested").order_by("pk").first()
    )
    assert arrangement is not None, "the demo has no open support request on the board"
    page.locator(f"#state-{arrangement.pk}").select_option("arranged")
    page.locator(f"#arr-{arrangement.pk}").fill("Childminder booked")
    page.locator(f"#cost-{arrangement.pk}").fill("40")
    page.locator(f"#arr-{arrangement.pk}").locator("xpath=..").get_by_role("button").click()
    page.wait_for_load_state()
    assert "saved" in page.content()
    page.reload()
    assert page.locator(f"#state-{arrangement.pk}").input_value() == "arranged"
    assert page.locator(f"#arr-{arrangement.pk}").input_value() == "Childminder booked"
    assert page.locator(f"#cost-{arrangement.pk}").input_value() == "40.00"
    arrangement.refresh_from_db()
    assert arrangement.state == "arranged" and str(arrangement.cost) == "40.00"
