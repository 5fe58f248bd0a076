"""In a browser: a member answers a wave on a phone (save and continue), the evaluator reads the dashboard.

Each page is checked with axe-core (WCAG 2.1 AA) and saved as a screenshot in
var/screenshots/.
"""

import pytest

from minipublic.web.demo import CAST, DEMO_PASSWORD, DEMO_SLUG
from minipublic.web.evaluation.demo import load as load_evaluation
from minipublic.web.evaluation.models import Response

pytestmark = [pytest.mark.browser]


def test_member_answers_a_wave_on_a_phone(live_demo, page_factory, shot, axe):
    base = live_demo.objects["base_url"]
    # Foundation demo + evaluation: the eight named members, T2 open for them.
    load_evaluation(live_demo)
    megan = live_demo.objects["member:Megan"]
    link = live_demo.objects["member_link"].replace("http://127.0.0.1:8000", base)
    page = page_factory(phone=True)
    page.goto(link)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Answer the survey").click()
    page.wait_for_load_state()
    assert "Page 1 of" in page.content()
    axe(page)
    shot(page, "evaluation-01-member-page1-phone")
    # Answer the first two questions of page 1 by tapping their labels.
    fieldsets = page.locator("form.survey-form fieldset")
    assert fieldsets.count() >= 2
    fieldsets.nth(0).locator("label").nth(3).click()
    fieldsets.nth(1).locator("label").nth(2).click()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()
    assert "Page 2 of" in page.content()
    response = Response.objects.get(participant=megan, wave__code="T2")
    assert sum(v is not None for v in response.answers.values()) == 2
    assert response.page == 1 and response.submitted_at is None
    # Reload, then go back to page 1: the answers are still ticked.
    page.reload()
    assert "Page 2 of" in page.content()
    page.goto(f"{base}/a/{DEMO_SLUG}/survey/answer/{response.pk}/?page=1")
    assert page.locator("input[type=radio]:checked").count() == 2
    # Welsh.
    page.get_by_role("button", name="Cymraeg").click()
    page.wait_for_load_state()
    assert "Tudalen 1 o" in page.content()
    axe(page)
    shot(page, "evaluation-02-member-page1-welsh-phone")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    # Through to the end and send.
    while page.get_by_role("button", name="Save and continue").count():
        page.get_by_role("button", name="Save and continue").click()
        page.wait_for_load_state()
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_load_state()
    assert "Thank you" in page.content()
    axe(page)
    response.refresh_from_db()
    assert response.submitted_at is not None
    page.get_by_role("link", name="See or delete the answers you have given").first.click()
    page.wait_for_load_state()
    axe(page)
    shot(page, "evaluation-03-member-my-answers-phone")
    page.goto(f"{base}/a/{DEMO_SLUG}/me/")
    assert "Answer the survey" not in page.content()


@pytest.mark.slow
def test_evaluator_reads_the_dashboard(live_demo, page_factory, shot, axe):
    from minipublic.web.demo import load_demo
    from minipublic.web.evaluation import actions, analysis
    from minipublic.web.evaluation.data import data_version
    from minipublic.web.evaluation.models import Analysis

    base = live_demo.objects["base_url"]
    # The registrants, the selection and the evaluation: members and comparison volunteers.
    for app in ("recruitment", "selection", "evaluation"):
        module = __import__(f"minipublic.web.{app}.demo", fromlist=["load"])
        module.load(live_demo)
    assert load_demo  # the per-app loaders above are what load_demo runs
    assembly = live_demo.objects["assembly"]
    # The analysis task's body, run here (the live server has no worker).
    row = Analysis.objects.create(assembly=assembly, data_version=data_version(assembly))
    result, plots = analysis.run(assembly)
    actions.do_store_analysis(row, result=result, plots=plots)

    page = page_factory()
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=username]").fill(CAST["evaluator"].email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    page.goto(f"{base}/a/{DEMO_SLUG}/dashboard/")
    page.get_by_role("link", name="Evaluation").first.click()
    page.wait_for_load_state()
    text = page.content()
    assert "Who has answered" in text and "Compared, weighted (main)" in text
    main = next(r for r in result["effects"]["T1"] if r["estimator"] == "did_ipw")
    assert f"{main['estimate']:.2f}" in text
    assert page.locator("img.plot").count() >= 3
    page.wait_for_load_state("networkidle")
    loaded = page.evaluate(
        "[...document.images].filter(i => i.classList.contains('plot'))"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    assert loaded
    axe(page)
    shot(page, "evaluation-04-dashboard")
    for path, name in (("waves/", "waves"), ("questions/", "questions"), ("report/", "report")):
        page.goto(f"{base}/a/{DEMO_SLUG}/evaluation/{path}")
        axe(page)
        shot(page, f"evaluation-05-{name}")
    phone = page_factory(phone=True)
    phone.context.add_cookies(page.context.cookies())
    phone.goto(f"{base}/a/{DEMO_SLUG}/evaluation/")
    axe(phone)
    shot(phone, "evaluation-06-dashboard-phone")
