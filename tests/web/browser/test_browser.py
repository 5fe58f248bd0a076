"""The issue's browser paths: organiser moves the phase, member signs in, Welsh switch, progress bar."""

import pytest

from minipublic.web.demo import CAST, DEMO_PASSWORD, DEMO_SLUG

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _sign_in_staff(page, base, email=CAST["organiser"].email):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/staff/")


def test_organiser_moves_assembly_to_next_phase(live_demo, page_factory, shot):
    base = live_demo.objects["base_url"]
    page = page_factory()
    page.goto(f"{base}/")
    shot(page, "01-home")
    _sign_in_staff(page, base)
    shot(page, "02-your-assemblies")
    page.get_by_role("link", name="Aberwen Climate Assembly").click()
    page.wait_for_url(f"{base}/a/{DEMO_SLUG}/dashboard/")
    assert page.locator(".step-current .step-label").inner_text().startswith("Learn")
    shot(page, "03-dashboard-learn")
    page.get_by_role("button", name="Move to the “Deliberate” phase").click()
    page.wait_for_load_state()
    assert "now in the “Deliberate” phase" in page.locator(".messages").inner_text()
    assert page.locator(".step-current .step-label").inner_text().startswith("Deliberate")
    shot(page, "04-dashboard-deliberate")
    page.get_by_role("link", name="Audit log").click()
    # The newest line, in plain words.
    assert "Moved to the next phase" in page.locator(".audit-item").first.inner_text()
    shot(page, "05-audit-log")
    page.get_by_role("link", name="Staff", exact=True).click()
    shot(page, "06-staff")
    live_demo.objects["assembly"].refresh_from_db()
    assert live_demo.objects["assembly"].phase == "deliberate"


def test_keyboard_reaches_main_content(live_demo, page_factory):
    """The first Tab lands on the skip link, which moves focus to the main landmark."""
    page = page_factory()
    page.goto(live_demo.objects["base_url"] + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_member_opens_link_and_sees_home_on_phone(live_demo, page_factory, shot):
    base = live_demo.objects["base_url"]
    link = live_demo.objects["member_link"].replace("http://127.0.0.1:8000", base)
    page = page_factory(phone=True)
    page.goto(link)
    shot(page, "10-phone-sign-in-confirm")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/a/{DEMO_SLUG}/me/")
    assert page.get_by_role("heading", name="Hello, Megan").is_visible()
    assert page.get_by_role("heading", name="Your next session").is_visible()
    assert "Weekend 1" in page.inner_text("main")
    shot(page, "11-phone-member-home")
    # The same link a second time, in another browser: a clear refusal.
    other = page_factory(phone=True)
    other.goto(link)
    assert "already been used" in other.inner_text("main")
    shot(other, "12-phone-link-used")
    other.goto(f"{base}/signin/tampered-link/")
    assert "has been changed" in other.inner_text("main")
    shot(other, "13-phone-link-tampered")


def test_welsh_switch_changes_the_page(live_demo, page_factory, shot):
    base = live_demo.objects["base_url"]
    page = page_factory(phone=True)
    page.goto(f"{base}/a/{DEMO_SLUG}/")
    assert page.locator("html").get_attribute("lang") == "en"
    shot(page, "20-phone-public-page-en")
    page.get_by_role("button", name="Cymraeg").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "cy"
    assert page.get_by_role("heading", name="Ble mae’r cynulliad nawr").is_visible()
    shot(page, "21-phone-public-page-cy")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Where the assembly is now").is_visible()


def test_progress_bar_follows_background_task(live_demo, page_factory, shot, run_queue):
    """The organiser starts a task; HTMX polls until the worker has finished it."""
    base = live_demo.objects["base_url"]
    page = page_factory()
    _sign_in_staff(page, base)
    page.goto(f"{base}/a/{DEMO_SLUG}/members/")
    page.get_by_role("button", name="Email a new sign-in link to every member").click()
    page.wait_for_load_state()
    box = page.locator(".progress-box")
    assert "Waiting to start" in box.inner_text()
    shot(page, "30-members-task-queued")
    run_queue()
    page.locator(".progress-box.status-succeeded").wait_for(timeout=10_000)
    assert "100%" in page.locator(".progress-box").inner_text()
    shot(page, "31-members-task-finished")


def test_other_pages_render_on_phone(live_demo, page_factory, shot):
    base = live_demo.objects["base_url"]
    page = page_factory(phone=True)
    page.goto(f"{base}/accounts/login/")
    shot(page, "40-phone-login")
    _sign_in_staff(page, base)
    page.goto(f"{base}/a/{DEMO_SLUG}/dashboard/")
    shot(page, "41-phone-dashboard")
    page.goto(f"{base}/a/{DEMO_SLUG}/staff/")
    shot(page, "42a-phone-staff")
    page.get_by_role("button", name="Send the invitation").click()
    page.wait_for_load_state()
    assert page.locator(".errorlist").first.is_visible()
    shot(page, "42-phone-staff-form-errors")
    page.goto(f"{base}/a/{DEMO_SLUG}/phase/reopen/")
    shot(page, "43-phone-reopen")
    response = page.goto(f"{base}/no-such-page/")
    assert response.status == 404
    assert "Page not found" in page.inner_text("main")
    shot(page, "44-phone-404")
