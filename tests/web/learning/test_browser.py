"""The learning phase in a browser: a member on a phone, an organiser making and printing tables."""

import re

import pytest

from minipublic.web.demo import CAST, DEMO_PASSWORD, DEMO_SLUG
from minipublic.web.learning.demo import load as load_learning
from minipublic.web.learning.models import Claim, Contribution, Question, Rating, TablePlan
from minipublic.web.people.actions import do_issue_sign_in_link

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _member_page(live_demo, page_factory, name="Megan"):
    base = live_demo.objects["base_url"]
    link = do_issue_sign_in_link(
        live_demo.objects[f"member:{name}"], acting_user=None, send_email=False
    )
    page = page_factory(phone=True)
    page.goto(link.replace("http://127.0.0.1:8000", base))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/a/{DEMO_SLUG}/me/")
    return page


def test_member_rates_asks_and_flags_on_a_phone(live_demo, page_factory, shot, axe):
    load_learning(live_demo)
    base = live_demo.objects["base_url"]
    megan = live_demo.objects["member:Megan"]
    council = Contribution.objects.get(title="The council's carbon plan so far")
    Rating.objects.filter(contribution=council, participant=megan).delete()
    page = _member_page(live_demo, page_factory)
    # Home: her tables at the next weekend, and the learning links.
    home = page.inner_text("main")
    assert re.search(r"Round 1: table \d", home) and re.search(r"Round 2: table \d", home)
    axe(page)
    shot(page, "learning-10-phone-member-home")

    # Evidence: rate the council's paper 2 / 4 / 3.
    page.get_by_role("link", name=re.compile("Evidence: read and rate it")).click()
    page.wait_for_load_state()
    axe(page)
    card = page.locator(f"#c{council.pk}")
    assert "Employed by the council" in card.inner_text()
    for legend, score in (("Trust", "2"), ("Clarity", "4"), ("Fairness", "3")):
        card.locator("fieldset", has_text=legend).locator("label", has_text=score).click()
    shot(page, "learning-11-phone-rating-chosen")
    card.get_by_role("button", name="Save my rating").click()
    page.wait_for_load_state()
    assert "your rating is saved" in page.inner_text(".messages")
    assert (
        "Your rating: trust 2, clarity 4, fairness 3."
        in page.locator(f"#c{council.pk}").inner_text()
    )
    rating = Rating.objects.get(contribution=council, participant=megan)
    assert (rating.trust, rating.clarity, rating.fairness) == (2, 4, 3)
    axe(page)
    shot(page, "learning-12-phone-rated")

    # Questions: ask one, then vote for someone else's.
    page.get_by_role("navigation", name="Learning").get_by_role("link", name="Questions").click()
    page.wait_for_load_state()
    axe(page)
    page.get_by_label("Your question").fill("Will a heat pump raise my bills if I rent?")
    page.get_by_role("button", name="Ask", exact=True).click()
    page.wait_for_load_state()
    asked = Question.objects.get(text="Will a heat pump raise my bills if I rent?")
    assert asked.participant == megan
    votable = page.get_by_role("button", name=re.compile("^Vote for this question"))
    if votable.count():
        before = Question.objects.filter(votes__participant=megan).count()
        votable.first.click()
        page.wait_for_load_state()
        assert "Your vote has been counted." in page.inner_text(".messages")
        assert Question.objects.filter(votes__participant=megan).count() == before + 1
    axe(page)
    shot(page, "learning-13-phone-questions")

    # Claims: flag one heard in the room.
    page.get_by_role("navigation", name="Learning").get_by_role("link", name="Claims").click()
    page.wait_for_load_state()
    axe(page)
    page.get_by_label("What was said?").fill("Wind turbines kill more birds than cats do.")
    page.get_by_label("Who said it (optional)").fill("someone at table 2")
    page.get_by_role("button", name="Flag the claim").click()
    page.wait_for_load_state()
    assert "The claim is on the register" in page.inner_text(".messages")
    claim = Claim.objects.get(text="Wind turbines kill more birds than cats do.")
    assert claim.flagged_by_participant == megan and claim.heard_from == "someone at table 2"
    assert "Wind turbines kill more birds" in page.inner_text("main")
    axe(page)
    shot(page, "learning-14-phone-claims")

    # The same pages in Welsh.
    page.get_by_role("button", name="Cymraeg").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Gwirio honiadau").is_visible()
    axe(page)
    shot(page, "learning-15-phone-claims-cy")
    page.goto(f"{base}/a/{DEMO_SLUG}/me/learning/evidence/")
    assert page.get_by_role("heading", name="Tystiolaeth", exact=True).is_visible()
    axe(page)
    shot(page, "learning-16-phone-evidence-cy")
    page.goto(f"{base}/a/{DEMO_SLUG}/claims/")
    axe(page)
    shot(page, "learning-17-phone-public-claims-cy")


def _sign_in_organiser(page, base):
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=username]").fill(CAST["organiser"].email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()


def test_organiser_makes_and_prints_a_table_plan(
    live_demo, page_factory, shot, axe, run_queue, tmp_path
):
    load_learning(live_demo)
    base = live_demo.objects["base_url"]
    page = page_factory()
    _sign_in_organiser(page, base)
    page.goto(f"{base}/a/{DEMO_SLUG}/learning/")
    axe(page)
    shot(page, "learning-20-sessions")
    card = page.locator(".card", has_text="Weekend 2")
    card.get_by_role("link", name="Tables").click()
    page.wait_for_load_state()
    axe(page)
    page.get_by_label("Number of tables").fill("2")
    page.get_by_label("Rounds").fill("3")
    page.get_by_label("Seed (optional)").fill("5")
    page.get_by_role("button", name="Make the table plan").click()
    page.wait_for_load_state()
    assert page.locator(".progress-box").is_visible()
    shot(page, "learning-21-plan-queued")
    run_queue()
    page.locator(".progress-box.status-succeeded").wait_for(timeout=15_000)
    page.get_by_role("link", name="See the result").click()
    page.wait_for_load_state()
    plan = TablePlan.objects.get(meeting__title__startswith="Weekend 2")
    assert plan.status == "ready" and plan.seed == 5 and plan.rounds == 3
    text = page.inner_text("main")
    assert "Round 3" in text and "Megan Morgan" in text
    assert f"{plan.repeat_meetings}\nrepeat meetings" in text
    axe(page)
    shot(page, "learning-22-plan")

    page.get_by_role("link", name="Print the plan (one page per table)").click()
    page.wait_for_load_state()
    axe(page)
    shot(page, "learning-23-print-screen")
    sheets = page.locator(".print-page")
    assert sheets.count() == 2 * 3
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.get_by_role("button", name="Print").is_visible()
    shot(page, "learning-24-print-media")
    pdf = tmp_path / "plan.pdf"
    page.pdf(path=str(pdf), format="A4")
    n_pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    assert n_pages == 6, f"{n_pages} printed pages for 6 tables × rounds"
    page.emulate_media(media="screen")

    # Welsh, on a phone.
    phone = page_factory(phone=True)
    _sign_in_organiser(phone, base)
    phone.get_by_role("button", name="Cymraeg").click()
    phone.wait_for_load_state()
    phone.goto(f"{base}/a/{DEMO_SLUG}/learning/sessions/{plan.meeting_id}/tables/")
    assert phone.get_by_role("heading", name="Cynllun byrddau").is_visible()
    axe(phone)
    shot(phone, "learning-25-phone-plan-cy")
    for path in ("evidence/", "questions/", "claims/"):
        phone.goto(f"{base}/a/{DEMO_SLUG}/learning/{path}")
        axe(phone)
        shot(phone, f"learning-26-phone-{path.strip('/')}-cy")
