"""A member of the public registers on a phone, once in English and once in Welsh."""

import pytest

from minipublic.web.demo import CAST, DEMO_PASSWORD, DEMO_SLUG
from minipublic.web.recruitment.models import Address, Registrant

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _free_codes(n):
    return list(
        Address.objects.filter(assembly__slug=DEMO_SLUG, invited=True, registrant__isnull=True)
        .order_by("pk")
        .values_list("letter_code", flat=True)[:n]
    )


def _fill_form(page, *, first_name, email, trust, barrier, support, welsh=False):
    page.get_by_label("Eich oedran" if welsh else "Your age").select_option("45-64")
    page.get_by_label("Eich rhywedd" if welsh else "Your gender").select_option("woman")
    page.get_by_label(
        "Eich cymhwyster uchaf" if welsh else "Your highest qualification"
    ).select_option("no qualifications")
    page.get_by_label("Eich grŵp ethnig" if welsh else "Your ethnic group").select_option("white")
    page.locator("#id_disability").select_option("no")
    page.locator(f"input[name=trust_in_government][value='{trust}']").check()
    page.locator(f"input[name=barriers][value='{barrier}']").check()
    page.locator(f"input[name=support_needs][value='{support}']").check()
    page.locator("#id_first_name").fill(first_name)
    page.locator("#id_email").fill(email)
    page.locator("#id_consent").check()


def test_public_registers_in_english_and_in_welsh(live_demo, page_factory, shot):
    from minipublic.web.recruitment.demo import load

    # live_demo loads the foundation apps only; add this app's demo data.
    load(live_demo)
    # The demo is in its learn phase; registration is open in the register phase.
    from minipublic.web.assemblies.models import Assembly

    Assembly.objects.filter(slug=DEMO_SLUG).update(phase="register")
    base = live_demo.objects["base_url"]
    code_en, code_cy = _free_codes(2)

    # English, on a phone: the code is typed in lower case with a space.
    page = page_factory(phone=True)
    page.goto(f"{base}/a/{DEMO_SLUG}/register/")
    shot(page, "recruitment-01-code-en")
    page.get_by_label("Your registration code").fill(code_en.lower().replace("-", " "))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/a/{DEMO_SLUG}/register/{code_en}/")
    # Submitting with nothing filled shows an error beside each field.
    page.get_by_role("button", name="Register").click()
    assert page.locator(".form-errors").is_visible()
    assert page.locator(".has-error").count() >= 6
    shot(page, "recruitment-02-errors-en")
    _fill_form(
        page,
        first_name="Bethan",
        email="bethan@example.org",
        trust=2,
        barrier="no_point",
        support="caring",
    )
    shot(page, "recruitment-03-filled-en")
    page.get_by_role("button", name="Register").click()
    page.wait_for_url(f"{base}/a/{DEMO_SLUG}/register/done/")
    assert "Thank you for registering" in page.content()
    shot(page, "recruitment-04-done-en")
    registrant = Registrant.objects.get(address__letter_code=code_en)
    assert registrant.trust_in_government == 2 and registrant.barriers == ["no_point"]
    assert registrant.support_needs == ["caring"] and registrant.language == "en"

    # Welsh: switch language with the header button, then register.
    page = page_factory(phone=True)
    page.goto(f"{base}/a/{DEMO_SLUG}/register/")
    page.get_by_role("button", name="Cymraeg").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "cy"
    page.get_by_label("Eich cod cofrestru").fill(code_cy)
    page.get_by_role("button", name="Parhau").click()
    page.wait_for_url(f"{base}/a/{DEMO_SLUG}/register/{code_cy}/")
    assert "Dim pwynt, fydd dim byd yn newid" in page.content()
    _fill_form(
        page,
        first_name="Gwenllian",
        email="gwen@example.org",
        trust=7,
        barrier="language",
        support="interpreter",
        welsh=True,
    )
    shot(page, "recruitment-05-filled-cy")
    page.get_by_role("button", name="Cofrestru").click()
    page.wait_for_url(f"{base}/a/{DEMO_SLUG}/register/done/")
    assert "Diolch am gofrestru" in page.content()
    shot(page, "recruitment-06-done-cy")
    registrant = Registrant.objects.get(address__letter_code=code_cy)
    assert registrant.language == "cy" and registrant.trust_in_government == 7

    # The organiser sees both on the recruitment and support pages.
    page = page_factory()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email address").fill(CAST["organiser"].email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/staff/")
    page.goto(f"{base}/a/{DEMO_SLUG}/recruitment/")
    assert "2002" in page.locator(".counts").inner_text()
    shot(page, "recruitment-07-overview")
    page.goto(f"{base}/a/{DEMO_SLUG}/recruitment/support/?who=all")
    shot(page, "recruitment-08-support-board")
    page.goto(f"{base}/a/{DEMO_SLUG}/recruitment/door-knocking/")
    # The door-knocking list starts with its streets; each opens on its own page.
    assert page.locator("table a[href*='street=']").count() > 1
