"""The organiser's whole selection path in a browser.

Sets quotas, sees the infeasible warning, applies the suggested relaxation,
runs the selection on the demo's ~2 000 registrants (panel of 100) with the
background worker, holds the public draw, and replaces a decliner. The
elapsed time of the selection in the browser flow is printed (run with -s).
"""

import re
import time

import pytest

from minipublic.web.assemblies.models import Assembly
from minipublic.web.demo import CAST, DEMO_PASSWORD, DEMO_SLUG
from minipublic.web.recruitment.demo import load as load_recruitment
from minipublic.web.recruitment.models import Registrant
from minipublic.web.selection.models import SelectionRun

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _sign_in(page, base):
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=username]").fill(CAST["organiser"].email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()


def test_organiser_selects_draws_and_replaces(live_demo, page_factory, shot, run_queue):
    base = live_demo.objects["base_url"]
    # live_demo loads the foundation apps only; add the demo's ~2 000 registrants.
    load_recruitment(live_demo)
    # The foundation demo is in the learn phase; quotas and the draw belong to "select".
    Assembly.objects.filter(slug=DEMO_SLUG).update(phase="select")
    page = page_factory()
    _sign_in(page, base)

    # Quotas: choose the features (the attitude feature trust_band among them).
    page.goto(f"{base}/a/{DEMO_SLUG}/selection/quotas/")
    page.get_by_label("Panel size (seats)").first.fill("100")
    for feature in ("age_band", "gender", "area", "trust_band"):
        page.locator(f"input[name=features][value={feature}]").check()
    page.get_by_role("button", name="Use these features").click()
    page.wait_for_load_state()
    # The rows start at the pool's own shares +- 2 points: feasible.
    page.locator("#feasibility .feasible").wait_for(timeout=60_000)
    row = page.locator("tr", has=page.locator("td", has_text="trust_band")).filter(
        has=page.locator("td", has_text="low")
    )
    assert row.count() == 1
    shot(page, "selection-01-quotas")
    # Ask for at least 90 % low-trust members: the live check says it is impossible.
    row.locator("select").select_option("at_least")
    row.locator("input[name$='-share']").fill("90")
    page.locator("#feasibility .infeasible").wait_for(timeout=60_000)
    text = page.locator("#feasibility").inner_text()
    assert "Not feasible" in text and "trust_band" in text
    assert "Smallest change" in text
    shot(page, "selection-02-infeasible")
    # Relax as suggested: saved and feasible.
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Apply the suggested relaxation").click()
    page.locator(".message", has_text="relaxation applied").wait_for(timeout=60_000)
    page.locator("#feasibility .feasible").wait_for(timeout=60_000)
    shot(page, "selection-03-relaxed")
    # The relaxation lowers only the mistyped row (fewest quotas changed).
    # Then the population's shares: at least 40 % low trust, 40 % medium and
    # 20 % high (each +- 5 points), and save.
    for value, share, tolerance, expected_min in (
        ("medium", "40", "5", "35"),
        ("high", "20", "5", "15"),
        ("low", "40", "0", "40"),
    ):
        row = page.locator("tr", has=page.locator("td", has_text="trust_band")).filter(
            has=page.locator("td", has_text=re.compile(rf"^{value}$"))
        )
        row.locator("input[name$='-share']").fill(share)
        row.locator("input[name$='-tolerance']").fill(tolerance)
        expect(row.locator("[data-min]")).to_have_text(expected_min, timeout=60_000)
    expect(page.locator("#feasibility .feasible")).to_be_visible(timeout=60_000)
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Save quotas").click()
    page.locator(".message", has_text="Quotas saved").wait_for()

    # Selection run as a background task with progress on the page.
    page.goto(f"{base}/a/{DEMO_SLUG}/selection/")
    page.get_by_label("Seed of the computation").fill("browser-test-1")
    started = time.monotonic()
    page.get_by_role("button", name="Start the selection").click()
    page.locator(".progress-box").wait_for()
    shot(page, "selection-04-progress")
    # The worker of `minipublic serve`, in this process; the page polls meanwhile.
    run_queue()
    page.get_by_role("link", name="See the result").wait_for(timeout=120_000)
    elapsed = time.monotonic() - started
    print(
        f"\nselection of {Registrant.objects.filter(assembly__slug=DEMO_SLUG).count()} "
        f"registrants, panel 100, in the browser flow: {elapsed:.1f} s"
    )
    page.get_by_role("link", name="See the result").click()
    page.get_by_role("heading", name="Panel against the targets").wait_for()
    page.wait_for_load_state("load")
    assert page.locator("#histogram").is_visible()
    shot(page, "selection-05-results")

    # Commit this run before the seed exists: its fingerprint goes public.
    page.get_by_role("button", name="Commit this selection").click()
    page.locator(".message", has_text="Committed").wait_for()
    committed = SelectionRun.objects.get(assembly__slug=DEMO_SLUG).lottery_sha256
    public = page_factory()
    public.goto(f"{base}/a/{DEMO_SLUG}/lottery/")
    assert committed in public.locator("#commitments").inner_text()

    # The public draw.
    page.get_by_label("Public seed").fill("12 31 7 44 9")
    page.get_by_label("I am entering the seed now").check()
    page.get_by_role("button", name="Draw the panel").click()
    page.locator(".message", has_text="The panel has been drawn").wait_for()
    run = SelectionRun.objects.get(assembly__slug=DEMO_SLUG)
    assert run.public_seed == "12 31 7 44 9" and len(run.panel) == 100
    shot(page, "selection-06-panel")

    # Invite, one declines, replace them.
    page.get_by_role("button", name="Invite them").click()
    page.wait_for_load_state()
    first = page.locator("tbody tr[id^=member-]").first
    first.locator("select").select_option("declined")
    first.get_by_role("button", name="Record answer").click()
    page.wait_for_load_state()
    declined = page.locator("tbody tr[id^=member-]", has_text="Declined").first
    declined.get_by_role("button", name="Draw a replacement").click()
    page.locator(".message", has_text="is replaced by").wait_for()
    assert run.replacements.count() == 1
    shot(page, "selection-07-replaced")

    # The public page, signed out.
    public = page_factory()
    public.goto(f"{base}/a/{DEMO_SLUG}/lottery/")
    assert "12 31 7 44 9" in public.content()
    assert "matches panel" in public.locator("#verification").inner_text()
    shot(public, "selection-08-transparency")
