"""Browser paths: the commissioner answers and reports progress; a member rates on a phone;
the public reads the tracker and follows it. axe on every page."""

import pytest

from minipublic.web.assemblies.actions import check_change_phase
from minipublic.web.decisions.models import Recommendation
from minipublic.web.demo import CAST, DEMO_PASSWORD, DEMO_SLUG
from minipublic.web.followup.models import Response, StatusUpdate, Verdict

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _to_respond_phase(demo):
    from minipublic.web.decisions.demo import load as load_decisions
    from minipublic.web.followup.demo import load as load_followup

    load_decisions(demo)
    load_followup(demo)
    assembly = demo.objects["assembly"]
    while assembly.phase != "respond":
        assembly = check_change_phase(
            assembly, to_phase=assembly.next_phase.value, acting_user=demo.objects["user:organiser"]
        )
    return assembly


def _sign_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/staff/")


def test_commissioner_answers_and_reports_progress(live_demo, page_factory, shot, axe):
    assembly = _to_respond_phase(live_demo)
    base = live_demo.objects["base_url"]
    rec = Recommendation.objects.adopted(assembly).first()
    Response.objects.filter(recommendation=rec).delete()
    page = page_factory()
    _sign_in(page, base, CAST["commissioner"].email)
    page.goto(f"{base}/a/{DEMO_SLUG}/follow-up/manage/")
    axe(page)
    shot(page, "followup-01-manage")
    page.goto(f"{base}/a/{DEMO_SLUG}/follow-up/{rec.number}/respond/")
    # Rejecting without a reason is refused, and the error is shown.
    page.get_by_label("Rejected").check()
    page.get_by_label("Who is responsible").fill("Cabinet")
    page.get_by_role("button", name="Save and publish").click()
    assert "Give the reason" in page.inner_text("main")
    axe(page)
    shot(page, "followup-02-respond-error")
    page.get_by_label("Accepted", exact=True).check()
    page.get_by_label("What will be done").fill("Three new bus routes.")
    page.get_by_label("By when").fill("2030-06-30")
    page.get_by_role("button", name="Save and publish").click()
    page.wait_for_url(f"{base}/a/{DEMO_SLUG}/follow-up/{rec.number}/")
    assert "Three new bus routes." in page.inner_text("main")
    response = Response.objects.get(recommendation=rec)
    assert response.published_version == 1 and str(response.due_by) == "2030-06-30"
    page.goto(f"{base}/a/{DEMO_SLUG}/follow-up/{rec.number}/progress/")
    page.get_by_label("Status").select_option("in_progress")
    page.get_by_label("Progress (%)").fill("35")
    page.get_by_label("What happened").fill("Budget agreed.")
    page.get_by_role("button", name="Publish the report").click()
    page.wait_for_url(f"{base}/a/{DEMO_SLUG}/follow-up/{rec.number}/")
    page.reload()
    assert "Budget agreed." in page.inner_text("main")
    assert StatusUpdate.objects.filter(response=response, percent=35).exists()
    axe(page)
    shot(page, "followup-03-detail")


def test_member_rates_a_response_on_a_phone_and_public_follows(live_demo, page_factory, shot, axe):
    assembly = _to_respond_phase(live_demo)
    base = live_demo.objects["base_url"]
    link = live_demo.objects["member_link"].replace("http://127.0.0.1:8000", base)
    megan = live_demo.objects["member:Megan"]
    Verdict.objects.filter(participant=megan).delete()  # the demo had her rate them all
    page = page_factory(phone=True)
    page.goto(link)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/a/{DEMO_SLUG}/me/")
    axe(page)
    shot(page, "followup-10-phone-member-home")
    page.get_by_role("link", name="Rate the response to").first.click()
    page.get_by_label("8", exact=True).check()
    page.get_by_role("button", name="Save my verdict").click()
    assert "your rating is saved" in page.inner_text("main")
    page.reload()
    assert "You gave 8 out of 10" in page.inner_text("main")
    assert Verdict.objects.filter(participant=megan, score=8).exists()
    axe(page)
    shot(page, "followup-11-phone-rated")
    public = page_factory(phone=True)
    public.goto(f"{base}/a/{DEMO_SLUG}/follow-up/")
    axe(public)
    shot(public, "followup-12-phone-tracker")
    public.get_by_label("Your email address").fill("new@example.org")
    public.get_by_role("button", name="Follow").click()
    assert "Check your email" in public.inner_text("main")
    axe(public)
    # In Welsh too.
    public.goto(f"{base}/a/{DEMO_SLUG}/follow-up/")
    public.get_by_role("button", name="Cymraeg").click()
    public.wait_for_load_state()
    assert "Beth ddigwyddodd i’r argymhellion" in public.inner_text("main")
    axe(public)
    shot(public, "followup-13-phone-tracker-cy")
    assert assembly.followers.filter(email="new@example.org", confirmed_at__isnull=True).exists()
