"""axe-core on the organiser's and the public's pages, on a 390 px phone, in English and Welsh.

The whole demo (recruitment and selection included) is loaded, so the long
lists (registrants, panel, audit log, door-knocking) are full.
"""

import pytest

from minipublic.web.demo import CAST, DEMO_PASSWORD, DEMO_SLUG

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STAFF_PAGES = [
    "dashboard/",
    "dates/",
    "members/",
    "audit/",
    "audit/?type=panel_member.responded",
    "recruitment/",
    "recruitment/settings/",
    "recruitment/registrants/",
    "recruitment/door-knocking/",
    "recruitment/import/",
    "recruitment/support/",
    "selection/",
    "selection/panel/",
    "selection/runs/{run}/",
]
PUBLIC_PAGES = ["", "lottery/", "register/"]


@pytest.mark.parametrize("language", ["en", "cy"])
def test_axe_on_every_page_on_a_phone(live_demo, page_factory, shot, axe, language):
    from minipublic.web.recruitment.demo import load as load_recruitment
    from minipublic.web.selection.demo import load as load_selection

    load_recruitment(live_demo)
    load_selection(live_demo)
    run = live_demo.objects["selection_run"]
    base = live_demo.objects["base_url"]

    public = page_factory(phone=True)
    public.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    for path in PUBLIC_PAGES:
        public.goto(f"{base}/a/{DEMO_SLUG}/{path}")
        assert public.locator("html").get_attribute("lang") == language
        axe(public)
        shot(public, f"axe-{language}-public-{path.strip('/') or 'home'}")

    page = page_factory(phone=True)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=username]").fill(CAST["organiser"].email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{base}/staff/")
    for path in STAFF_PAGES:
        page.goto(f"{base}/a/{DEMO_SLUG}/{path.format(run=run.pk)}")
        assert page.locator("html").get_attribute("lang") == language
        axe(page)
        name = path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-")
        shot(page, f"axe-{language}-{name.replace('{run}', 'run')}")
    # One street of the door-knocking list (the demo has oversampled areas).
    page.goto(f"{base}/a/{DEMO_SLUG}/recruitment/door-knocking/")
    page.locator("main table a[href*='street=']").first.click()
    page.wait_for_load_state()
    assert page.locator("li.home").count() > 1
    axe(page)
    shot(page, f"axe-{language}-door-knocking-street")
