"""Issue #13's browser paths on a 390 px phone, with axe on every page opened.

1. A resident registers with the code from their letter, in Welsh; the panel
   is drawn; they accept their seat through the link in their invitation,
   sign in with the link they are then sent, and see their member home.
2. The organiser saves the phase dates in Welsh and gets the same dates back.
3. The pages of recruitment, selection and members pass axe in both languages.
"""

import re

import pytest
from django.core import mail

from minipublic.web.assemblies.models import Assembly
from minipublic.web.demo import CAST, DEMO_PASSWORD, DEMO_SLUG
from minipublic.web.recruitment.models import Address, Message, Registrant, Status

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _welsh(page, base):
    """Switch the site to Welsh with the header's language button."""
    page.goto(f"{base}/")
    page.get_by_role("button", name="Cymraeg").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "cy"


def _sign_in_staff(page, base):
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=username]").fill(CAST["organiser"].email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{base}/staff/")


def _link(body: str, base: str, part: str) -> str:
    url = re.search(rf"https?://\S+{part}\S+", body).group(0)
    return base + "/" + url.split("/", 3)[3]


def _draw_small_panel(assembly, organiser, keep):
    """Organiser's side, by actions: a pool of *keep* people, quotas, run, commit, draw, invite."""
    from decimal import Decimal

    from minipublic.web.selection import actions
    from minipublic.web.selection.quotas import QuotaLine

    # Test set-up: everyone else leaves the pool, so the panel (everyone left) is known.
    Registrant.objects.filter(assembly=assembly).exclude(pk__in=[r.pk for r in keep]).update(
        status=Status.WITHDRAWN
    )
    actions.do_save_quotas(
        actions.quota_set_of(assembly),
        panel_size=len(keep),
        lines=[
            QuotaLine("gender", v, Decimal(0), Decimal(0), "any") for v in ("woman", "man", "other")
        ],
        acting_user=organiser,
    )
    run = actions.do_create_run(
        assembly, algorithm="leximin", seed="path-test", m=10, acting_user=organiser
    )
    actions.compute_run(run)
    run.refresh_from_db()
    actions.check_commit_run(run, acting_user=organiser)
    actions.check_draw(run, public_seed="1 2 3", acting_user=organiser)
    run.refresh_from_db()
    actions.do_invite_panel(run, acting_user=organiser)
    return run


def test_register_in_welsh_accept_by_link_and_sign_in_on_a_phone(
    live_demo, page_factory, shot, axe
):
    from minipublic.web.recruitment.demo import load as load_recruitment

    load_recruitment(live_demo)
    assembly = live_demo.objects["assembly"]
    Assembly.objects.filter(pk=assembly.pk).update(phase="register")
    base = live_demo.objects["base_url"]
    code = (
        Address.objects.filter(assembly=assembly, invited=True, registrant__isnull=True)
        .order_by("pk")
        .values_list("letter_code", flat=True)
        .first()
    )

    # 1. Register with the letter's code, in Welsh, on a phone.
    page = page_factory(phone=True)
    _welsh(page, base)
    page.goto(f"{base}/a/{DEMO_SLUG}/register/")
    axe(page)
    page.locator("input[name=code]").fill(code)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{base}/a/{DEMO_SLUG}/register/{code}/")
    # A failed submit: the error summary takes the focus and lists the problems.
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    summary = page.locator(".form-errors")
    assert summary.is_visible() and summary.locator("li").count() >= 3
    assert page.evaluate("document.activeElement.classList.contains('form-errors')")
    axe(page)
    shot(page, "path-01-register-errors-cy")
    page.locator("#id_age_band").select_option("45-64")
    page.locator("#id_gender").select_option("woman")
    page.locator("#id_education").select_option("degree")
    page.locator("#id_ethnicity").select_option("white")
    page.locator("#id_disability").select_option("no")
    page.locator("input[name=trust_in_government][value='5']").check()
    page.locator("input[name=support_needs][value='interpreter']").check()
    page.locator("#id_first_name").fill("Nia")
    page.locator("#id_email").fill("nia@example.org")
    page.locator("#id_consent").check()
    mail.outbox.clear()
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(f"{base}/a/{DEMO_SLUG}/register/done/")
    axe(page)
    shot(page, "path-02-registered-cy")
    nia = Registrant.objects.select_related("participant").get(address__letter_code=code)
    assert nia.language == "cy" and nia.support_needs == ["interpreter"]
    # Her confirmation, in Welsh.
    (confirmation,) = [m for m in mail.outbox if m.to == ["nia@example.org"]]
    assert nia.pseudonym in confirmation.body
    assert Message.objects.filter(registrant=nia, kind="registered").count() == 1

    # 2. The draw (organiser's side by actions): Nia and nine others.
    others = list(
        Registrant.objects.filter(assembly=assembly, status=Status.REGISTERED)
        .exclude(pk=nia.pk)
        .exclude(participant__personal_details__email="")
        .order_by("pk")[:9]
    )
    mail.outbox.clear()
    run = _draw_small_panel(assembly, live_demo.objects["user:organiser"], [nia, *others])
    assert nia.pseudonym in run.panel
    (invitation,) = [m for m in mail.outbox if m.to == ["nia@example.org"]]
    seat_link = _link(invitation.body, base, "/seat/")

    # 3. Accept the seat by the link in the invitation.
    page.goto(seat_link)
    assert page.locator("html").get_attribute("lang") == "cy"
    axe(page)
    shot(page, "path-03-seat-cy")
    mail.outbox.clear()
    page.locator("button[name=response][value=accepted]").click()
    page.wait_for_load_state()
    axe(page)
    shot(page, "path-04-seat-accepted-cy")
    nia.refresh_from_db()
    nia.participant.refresh_from_db()
    assert nia.status == Status.ACCEPTED and nia.participant.is_member
    assert nia.participant.personal_details.preferred_language == "cy"

    # 4. Sign in with the link she is sent, and see the member home.
    (sign_in,) = [m for m in mail.outbox if m.to == ["nia@example.org"]]
    page.goto(_link(sign_in.body, base, "/signin/"))
    axe(page)
    shot(page, "path-05-sign-in-cy")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{base}/a/{DEMO_SLUG}/me/")
    assert "Nia" in page.locator("h1").inner_text()
    axe(page)
    shot(page, "path-06-member-home-cy")

    # 5. The organiser sees her on the members page with her status and details.
    staff = page_factory(phone=True)
    _sign_in_staff(staff, base)
    staff.goto(f"{base}/a/{DEMO_SLUG}/members/")
    row = staff.locator("tr", has_text=nia.pseudonym)
    assert "nia@example.org" in row.inner_text() and "Accepted" in row.inner_text()
    axe(staff)
    shot(staff, "path-07-members-en")


def test_organiser_saves_dates_in_welsh_and_gets_them_back(live_demo, page_factory, shot, axe):
    base = live_demo.objects["base_url"]
    page = page_factory(phone=True)
    _sign_in_staff(page, base)
    _welsh(page, base)
    page.goto(f"{base}/a/{DEMO_SLUG}/dates/")
    axe(page)
    inputs = page.locator("input[type=date]")
    before = [inputs.nth(i).input_value() for i in range(inputs.count())]
    assert before and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) for v in before if v)
    assert sum(1 for v in before if v) >= 10
    page.locator("input[name=decide_ends_on]").fill("2027-06-30")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(f"{base}/a/{DEMO_SLUG}/dates/")
    after = [inputs.nth(i).input_value() for i in range(inputs.count())]
    index = [inputs.nth(i).get_attribute("name") for i in range(inputs.count())].index(
        "decide_ends_on"
    )
    expected = list(before)
    expected[index] = "2027-06-30"
    assert after == expected
    axe(page)
    shot(page, "path-08-dates-cy")
    stored = live_demo.objects["assembly"].phase_dates.get(phase="decide")
    assert stored.ends_on.isoformat() == "2027-06-30"
