"""The content security policy allows no inline script, and the pages still work (issue #14 item 16)."""

import pytest

from minipublic.web.demo import CAST, DEMO_PASSWORD, DEMO_SLUG

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.django_db
def test_csp_header_has_no_inline_scripts(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    script = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    assert "frame-ancestors 'none'" in policy


def test_pages_work_under_the_policy(live_demo, page_factory, axe):
    from minipublic.web.recruitment.demo import load as load_recruitment
    from minipublic.web.selection.demo import load as load_selection
    from minipublic.web.selection.models import SelectionRun

    load_recruitment(live_demo)
    load_selection(live_demo)
    base = live_demo.objects["base_url"]
    page = page_factory()
    violations = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=username]").fill(CAST["organiser"].email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    # The Chart.js histogram is drawn by a static file, not an inline script.
    run = SelectionRun.objects.get(assembly__slug=DEMO_SLUG)
    page.goto(f"{base}/a/{DEMO_SLUG}/selection/runs/{run.pk}/")
    page.wait_for_load_state("load")
    assert page.evaluate("typeof Chart !== 'undefined' && !!Chart.getChart('histogram')")
    assert page.evaluate("typeof htmx !== 'undefined'")
    axe(page)
    # An HTMX progress partial polls and swaps under the policy.
    from minipublic.web.assemblies.models import Assembly
    from minipublic.web.people.tasks import run_send_sign_in_links
    from minipublic.web.progress.actions import do_start_task

    progress = do_start_task(
        run_send_sign_in_links,
        kind="test",
        title="Checking the progress bar",
        assembly=Assembly.objects.get(slug=DEMO_SLUG),
    )
    page.goto(f"{base}/a/{DEMO_SLUG}/members/?progress={progress.pk}")
    page.get_by_text("Checking the progress bar").first.wait_for()
    for url in ("/", f"/a/{DEMO_SLUG}/", f"/a/{DEMO_SLUG}/lottery/", f"/a/{DEMO_SLUG}/members/"):
        page.goto(base + url)
        page.wait_for_load_state("load")
    assert not violations, violations
