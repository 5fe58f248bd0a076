"""The whole decisions path in a browser: draft → amend → ballot → results → minority
statement → report, with axe-core on every page (desktop, phone, Welsh)."""

import re

import pytest

from minipublic.web.assemblies.actions import do_change_phase
from minipublic.web.assemblies.models import Assembly, Phase
from minipublic.web.decisions import actions
from minipublic.web.decisions.models import Ballot, Recommendation
from minipublic.web.demo import CAST, DEMO_PASSWORD, DEMO_SLUG
from minipublic.web.people.actions import do_issue_sign_in_link
from minipublic.web.people.models import Participant, User

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _sign_in_staff(page, base):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email address").fill(CAST["organiser"].email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/staff/")


def _sign_in_member(page, base, participant):
    link = do_issue_sign_in_link(participant, acting_user=None, send_email=False)
    page.goto(base + "/signin/" + link.rstrip("/").rsplit("/", 1)[1] + "/")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/a/{DEMO_SLUG}/me/")


def test_draft_amend_vote_results_statement_report(live_demo, page_factory, shot, axe):
    base = live_demo.objects["base_url"]
    d = f"{base}/a/{DEMO_SLUG}"
    assembly = Assembly.objects.get(slug=DEMO_SLUG)
    olivia = User.objects.get(email=CAST["organiser"].email)
    members = list(
        Participant.objects.filter(assembly=assembly, is_active=True).select_related(
            "personal_details"
        )
    )
    megan = next(m for m in members if m.first_name == "Megan")
    do_change_phase(assembly, Phase.DELIBERATE, acting_user=olivia)

    # Draft.
    org = page_factory()
    _sign_in_staff(org, base)
    org.goto(f"{d}/decisions/new/")
    axe(org)
    org.get_by_label("Short title").fill("Warm homes first")
    org.locator("textarea[name=text]").fill(
        "Insulate the coldest homes first, starting with tenants."
    )
    org.get_by_label("Drafted by").fill("Table 2")
    org.get_by_role("button", name="Save the recommendation").click()
    org.wait_for_url(re.compile(r".*/decisions/r/\d+/$"))
    rec = Recommendation.objects.get(assembly=assembly, title="Warm homes first")
    axe(org)
    shot(org, "decisions-01-recommendation")

    # A member proposes an amendment, on a phone.
    mem = page_factory(phone=True)
    _sign_in_member(mem, base, megan)
    assert "Propose amendments to" in mem.inner_text("main")
    shot(mem, "decisions-02-member-home")
    mem.goto(f"{d}/decisions/r/{rec.number}/")
    mem.get_by_label("Your proposed text").fill(
        "Insulate the coldest homes first, starting with tenants and older people."
    )
    mem.get_by_label("Why").fill("Older people suffer most from the cold.")
    mem.get_by_role("button", name="Send the amendment").click()
    expect(mem.locator(".messages")).to_contain_text("Your amendment was sent")
    axe(mem)
    shot(mem, "decisions-03-amendment-sent-phone")

    # The organiser accepts it; the history shows the difference.
    org.reload()
    org.get_by_text("Decide on this amendment").click()
    org.get_by_label("Accept: its text becomes the new version").check()
    org.get_by_label("Reason (shown to members)").fill("Agreed by the whole room.")
    org.get_by_role("button", name="Record the decision").click()
    expect(org.locator(".messages")).to_contain_text("Decision recorded")
    expect(org.locator(".history ins").first).to_contain_text("older people")
    axe(org)

    # Ballot: prepare, keep the default rule, open in the Decide phase.
    org.goto(f"{d}/decisions/ballots/new/")
    org.get_by_label("Recommendation").select_option(str(rec.pk))
    org.get_by_label("Scale").select_option("gradient5")
    org.get_by_role("button", name="Prepare the ballot").click()
    org.wait_for_url(re.compile(r".*/decisions/ballots/\d+/$"))
    axe(org)
    shot(org, "decisions-04-ballot-rule")
    ballot = Ballot.objects.get(recommendation=rec)
    do_change_phase(assembly, Phase.DECIDE, acting_user=olivia)
    org.reload()
    org.get_by_role("button", name="Seal the rule and open voting").click()
    expect(org.locator("#rule-hash")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    ballot.refresh_from_db()
    assert org.inner_text("#rule-hash") == ballot.rule_sha256
    axe(org)

    # The member votes on a phone, changes the vote, sees the receipt; then in Welsh.
    mem.goto(f"{d}/vote/")
    mem.get_by_label("4 · Serious reservations").check()
    mem.get_by_role("button", name="Cast my vote").click()
    mem.get_by_label("5 · Block").check()
    mem.get_by_role("button", name="Change my vote").click()
    receipt = mem.locator(".receipt").inner_text()
    assert re.fullmatch(r"R-[A-Z0-9]{4}-[A-Z0-9]{4}", receipt)
    axe(mem)
    shot(mem, "decisions-05-voted-phone")
    mem.get_by_role("button", name="Cymraeg").click()
    expect(mem.locator("h1")).to_have_text("Pleidleisio ar yr argymhellion")
    axe(mem)
    shot(mem, "decisions-06-voted-phone-cy")
    mem.get_by_role("button", name="English").click()
    for m in members:
        if m != megan:
            actions.check_cast_vote(ballot, participant=m, value=1)

    # Close; the results page for the public shows the distribution and the receipt.
    org.goto(f"{d}/decisions/ballots/{ballot.pk}/")
    expect(org.get_by_text(f"{len(members)} of {len(members)} members have voted")).to_be_visible()
    org.get_by_role("button", name="Close voting and publish the result").click()
    expect(org.locator(".messages")).to_contain_text("Voting is closed")
    public = page_factory()
    public.goto(f"{d}/results/")
    expect(public.locator("svg.stacked-bar").first).to_be_visible()
    public.get_by_label("Receipt code").fill(receipt)
    public.get_by_role("button", name="Check").click()
    expect(public.get_by_role("status")).to_contain_text("Block")
    axe(public)
    shot(public, "decisions-07-results")

    # Megan did not support it: she writes a minority statement.
    mem.goto(f"{d}/decisions/r/{rec.number}/")
    mem.get_by_role("link", name="Write a minority statement").click()
    mem.get_by_label("Title").fill("Not everyone can wait")
    mem.get_by_label("Statement").fill("Families with babies should come first too.")
    mem.get_by_role("button", name="Publish the statement").click()
    expect(mem.locator(".statement")).to_contain_text("Not everyone can wait")
    axe(mem)

    # The report, as a page (public, English and Welsh) and as PDF.
    public.goto(f"{d}/report/")
    expect(public.locator("#rec-" + str(rec.number))).to_contain_text("Not everyone can wait")
    axe(public)
    shot(public, "decisions-08-report")
    public.get_by_role("button", name="Cymraeg").click()
    expect(public.get_by_role("heading", name="Cynnwys")).to_be_visible()
    axe(public)
    response = public.request.get(f"{d}/report.pdf")
    assert response.status == 200 and response.body().startswith(b"%PDF")
