"""Deliberation in a browser: voting by tap and keyboard (and offline), a near-duplicate,
moderation, the opinion map and the criteria heat map; axe-core on every page."""

import pytest

from minipublic.web.demo import CAST, DEMO_PASSWORD, DEMO_SLUG

pytestmark = [pytest.mark.browser]

expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture
def delib_demo(live_demo):
    from minipublic.web.deliberation.demo import load

    load(live_demo)
    return live_demo


def _sign_in(page, base, role="facilitator"):
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=username]").fill(CAST[role].email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()


def _browser_votes(page):
    from minipublic.web.deliberation.models import Vote

    cookie = next(c["value"] for c in page.context.cookies() if c["name"] == "mp_voter")
    return dict(Vote.objects.filter(voter__browser_id=cookie).values_list("statement_id", "value"))


def _wait_for(predicate, timeout=10.0):
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def test_public_votes_by_tap_keyboard_and_offline(delib_demo, page_factory, shot, axe):
    base = delib_demo.objects["base_url"]
    page = page_factory(phone=True)
    page.goto(f"{base}/a/{DEMO_SLUG}/statements/")
    expect(page.locator("#vote-progress")).to_contain_text("Statement 1 of")
    axe(page)
    shot(page, "deliberation-01-vote-phone")
    first = int(page.locator("#vote-statement").input_value())
    page.get_by_role("button", name="Agree", exact=True).click()
    expect(page.locator("#vote-statement")).not_to_have_value(str(first))
    assert _wait_for(lambda: _browser_votes(page).get(first) == 1)
    expect(page.locator("#vote-progress")).to_contain_text("Statement 2 of")
    second = int(page.locator("#vote-statement").input_value())
    page.keyboard.press("d")
    assert _wait_for(lambda: _browser_votes(page).get(second) == -1)
    # Offline: the vote waits in localStorage, then goes when the browser is back online.
    third = int(page.locator("#vote-statement").input_value())
    page.context.set_offline(True)
    page.get_by_role("button", name="Pass / unsure").click()
    expect(page.locator("#queue-note")).to_be_visible()
    shot(page, "deliberation-02-vote-offline")
    assert third not in _browser_votes(page)
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    assert _wait_for(lambda: _browser_votes(page).get(third) == 0)
    expect(page.locator("#queue-note")).to_be_hidden()
    assert len(_browser_votes(page)) == 3


def test_vote_works_without_javascript(delib_demo, browser):
    base = delib_demo.objects["base_url"]
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{base}/a/{DEMO_SLUG}/statements/")
        first = int(page.locator("#vote-statement").input_value())
        page.get_by_role("button", name="Disagree").click()
        page.wait_for_load_state()
        assert _browser_votes(page) == {first: -1}
        expect(page.locator("#vote-progress")).to_contain_text("Statement 2 of")
    finally:
        context.close()


def test_near_duplicate_offers_the_existing_statement(delib_demo, page_factory, shot, axe):
    base = delib_demo.objects["base_url"]
    page = page_factory(phone=True)
    page.goto(f"{base}/a/{DEMO_SLUG}/statements/")
    page.get_by_role("link", name="Write your own statement").click()
    page.get_by_label("Your statement").fill(
        "Buses should run every 20 minutes to villages near Aberwen"
    )
    page.get_by_role("button", name="Submit").click()
    expect(
        page.get_by_role("heading", name="Something very like this is already here")
    ).to_be_visible()
    axe(page)
    shot(page, "deliberation-03-near-duplicate")
    page.get_by_role("link", name="Vote on this one instead").first.click()
    expect(page.locator("#statement-text")).to_contain_text("Buses should run every 20 minutes")
    axe(page)


def test_facilitator_moderates(delib_demo, page_factory, shot, axe):
    from minipublic.web.deliberation.models import ModerationEntry, Statement

    base = delib_demo.objects["base_url"]
    page = page_factory()
    _sign_in(page, base)
    page.goto(f"{base}/a/{DEMO_SLUG}/deliberation/moderate/")
    axe(page)
    shot(page, "deliberation-04-moderation")
    car_club = Statement.objects.get(text__startswith="Car clubs")
    estates = Statement.objects.get(text__startswith="New estates")
    card = page.locator("section.mod-card", has_text="Car clubs")
    card.get_by_role("button", name="Accept").click()
    page.wait_for_load_state()
    card = page.locator("section.mod-card", has_text="New estates")
    card.get_by_label("Reason for rejecting").fill("Planning is outside this question.")
    card.get_by_role("button", name="Reject").click()
    page.wait_for_load_state()
    car_club.refresh_from_db()
    estates.refresh_from_db()
    assert car_club.status == "accepted" and estates.status == "rejected"
    entry = ModerationEntry.objects.get(statement=estates)
    assert (
        entry.reason == "Planning is outside this question."
        and entry.actor_label == CAST["facilitator"].email
    )
    expect(page.get_by_text("Nothing is waiting.")).to_be_visible()
    page.goto(f"{base}/a/{DEMO_SLUG}/deliberation/")
    axe(page)
    shot(page, "deliberation-05-manage")


def test_map_page_public_phone_and_room_view(delib_demo, page_factory, shot, axe):
    base = delib_demo.objects["base_url"]
    page = page_factory(phone=True)
    page.goto(f"{base}/a/{DEMO_SLUG}/opinion-map/")
    expect(page.get_by_role("heading", name="What unites everyone")).to_be_visible()
    expect(page.get_by_role("img", name="Opinion map")).to_be_visible()
    axe(page)
    shot(page, "deliberation-06-map-phone")
    staff = page_factory()
    _sign_in(staff, base)
    staff.goto(f"{base}/a/{DEMO_SLUG}/deliberation/room/")
    axe(staff)
    shot(staff, "deliberation-07-room")
    staff.goto(f"{base}/a/{DEMO_SLUG}/deliberation/value-map/")
    axe(staff)
    shot(staff, "deliberation-08-value-map")


def test_criteria_heat_map(delib_demo, page_factory, shot, axe):
    base = delib_demo.objects["base_url"]
    page = page_factory()
    _sign_in(page, base)
    page.goto(f"{base}/a/{DEMO_SLUG}/deliberation/heat-map/")
    table = page.get_by_role("table")
    expect(table).to_contain_text("Car-free town centre on Saturdays")
    expect(table).to_contain_text("The shuttle bus would not reach the villages")
    axe(page)
    shot(page, "deliberation-09-heat-map")
    page.goto(f"{base}/a/{DEMO_SLUG}/deliberation/criteria/")
    axe(page)
    page.goto(f"{base}/a/{DEMO_SLUG}/deliberation/meta-consensus/")
    axe(page)
    shot(page, "deliberation-10-meta-consensus")
    # Welsh
    page.goto(f"{base}/a/{DEMO_SLUG}/deliberation/heat-map/")
    page.locator("form.language button[value=cy]").click()
    page.wait_for_load_state()
    axe(page)
    shot(page, "deliberation-11-heat-map-cy")


def test_member_in_the_deliberate_phase(delib_demo, page_factory, shot, axe):
    """A member signs in, sees the Deliberation section, answers the survey and scores a proposal."""
    from minipublic.web.assemblies.actions import do_change_phase
    from minipublic.web.assemblies.models import Phase
    from minipublic.web.deliberation import actions
    from minipublic.web.deliberation.models import Rating, Score

    base = delib_demo.objects["base_url"]
    assembly = delib_demo.objects["assembly"]
    do_change_phase(assembly, Phase.DELIBERATE, acting_user=delib_demo.objects["user:organiser"])
    conversation = assembly.conversation
    conversation.refresh_from_db()
    actions.check_set_dri_stage(conversation, "post")
    megan = delib_demo.objects["member:Megan"]
    page = page_factory(phone=True)
    page.goto(delib_demo.objects["member_link"].replace("http://127.0.0.1:8000", base))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Deliberation")).to_be_visible()
    axe(page)
    page.get_by_role("link", name="Answer the short survey on considerations and options").click()
    expect(page.get_by_text("You have answered.")).to_be_visible()
    axe(page)
    shot(page, "deliberation-12-survey-phone")
    first = conversation.considerations.first()
    page.locator(f"input[name=c-{first.pk}][value='7']").check()
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_text("Thank you: your answers are saved.")).to_be_visible()
    assert Rating.objects.get(participant=megan, stage="post", consideration=first).rating == 7
    page.goto(f"{base}/a/{DEMO_SLUG}/criteria/score/")
    axe(page)
    shot(page, "deliberation-13-score-phone")
    card = page.locator("form.score-card").first
    card.locator("fieldset").first.get_by_label("does not meet it").check()
    card.locator("fieldset").first.locator("input[type=text]").fill("Too slow for the villages.")
    card.get_by_role("button", name="Save my scores for this proposal").click()
    expect(page.get_by_text("are saved")).to_be_visible()
    assert (
        Score.objects.filter(
            participant=megan, reason="Too slow for the villages.", fit="not"
        ).count()
        == 1
    )
    # The voting page in Welsh.
    page.goto(f"{base}/a/{DEMO_SLUG}/statements/")
    page.locator("form.language button[value=cy]").click()
    page.wait_for_load_state()
    expect(page.get_by_role("button", name="Cytuno", exact=True)).to_be_visible()
    axe(page)
    shot(page, "deliberation-14-vote-cy")
