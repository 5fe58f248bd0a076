"""Evaluation: the dashboard equals the core on the exported files, the export is pseudonymous,
the baseline comes from registration, waves, reminders, attrition, answering and withdrawing."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from minipublic.cohesion import effects, read_responses, read_scales, reliability, subgroup_effects
from minipublic.web.assemblies.models import AuditEvent
from minipublic.web.demo import DEMO_SLUG
from minipublic.web.evaluation import actions, analysis
from minipublic.web.evaluation.data import build_frames, to_csv, write_export
from minipublic.web.evaluation.items import TEMPLATE_ITEMS, catalogue, ordered, ordered_choices
from minipublic.web.evaluation.models import Analysis, Response, Wave, WaveMessage, WaveStatus
from minipublic.web.evaluation.report import evaluation_report_section
from minipublic.web.people.models import PersonalDetails
from minipublic.web.recruitment.models import Address, Registrant

from ..recruitment.test_views import FORM

pytestmark = pytest.mark.django_db


def _close(a, b):
    if a is None or (isinstance(a, float) and np.isnan(a)):
        return b is None or (isinstance(b, float) and np.isnan(b))
    return b is not None and np.isclose(a, b, rtol=1e-9, atol=1e-12)


def test_dashboard_numbers_equal_the_core_on_the_exported_files(
    demo_assembly, user, client_as, tmp_path, django_capture_on_commit_callbacks, run_queue
):
    """The analysis task's stored numbers are the core's numbers on responses.csv and scales.csv."""
    evan = user("evaluator")
    with django_capture_on_commit_callbacks(execute=True):
        row = actions.do_start_analysis(demo_assembly, acting_user=evan)
    run_queue()
    row.refresh_from_db()
    assert row.status == Analysis.Status.DONE, row.error
    assert set(row.plots) == {"change_by_wave", "forest_T1", "forest_T2", "subgroups"}
    assert row.plots["forest_T1"].lstrip().startswith("<?xml")
    write_export(demo_assembly, tmp_path)
    scales = read_scales(tmp_path / "scales.csv")
    responses = read_responses(tmp_path / "responses.csv", scales)
    for post in ("T1", "T2"):
        core = effects(
            responses, scales, pre="T0", post=post, estimators=("paired", "did", "did_ipw")
        ).table
        stored = pd.DataFrame(row.result["effects"][post])
        assert len(core) == len(stored) == 8 * 3
        for c, s in zip(core.to_dict("records"), stored.to_dict("records"), strict=True):
            assert (c["scale"], c["estimator"]) == (s["scale"], s["estimator"])
            for key in ("estimate", "se", "ci_low", "ci_high", "p", "p_holm", "hedges_g"):
                assert _close(c[key], s[key]), (post, c["scale"], c["estimator"], key)
            assert (c["n_member"], c["n_comparison"]) == (s["n_member"], s["n_comparison"])
    rel = reliability(responses, scales, wave="T0").table
    for c, s in zip(rel.to_dict("records"), row.result["reliability"], strict=True):
        assert c["scale"] == s["scale"] and c["n"] == s["n"]
        assert _close(c["alpha"], s["alpha"]) and _close(c["omega_total"], s["omega_total"])
    sub = subgroup_effects(responses, scales, pre="T0", post="T1").table
    for c, s in zip(sub.to_dict("records"), row.result["subgroups"], strict=True):
        assert (c["scale"], c["subgroup"], c["term"]) == (s["scale"], s["subgroup"], s["term"])
        assert _close(c["estimate"], s["estimate"]) and _close(c["p"], s["p"])
    # The synthetic effect is there: the weighted estimate is positive on most scales.
    main = [r for r in row.result["effects"]["T1"] if r["estimator"] == "did_ipw"]
    assert sum(r["estimate"] > 0 for r in main) >= 6
    # The page shows the stored numbers, with explanations and the export buttons.
    html = client_as("evaluator").get(f"/a/{DEMO_SLUG}/evaluation/").content.decode()
    first = main[0]
    assert f"{first['estimate']:.2f}" in html
    assert "Compared, weighted (main)" in html and "responses.csv" in html
    # Same data, same analysis: opening the page again starts nothing new.
    assert Analysis.objects.filter(assembly=demo_assembly).count() == 1
    # Organisers see the numbers but cannot download rows.
    organiser_html = client_as("organiser").get(f"/a/{DEMO_SLUG}/evaluation/").content.decode()
    assert f"{first['estimate']:.2f}" in organiser_html and "responses.csv" not in organiser_html
    section = evaluation_report_section(demo_assembly, "cy")
    assert "<table>" in section and f"{first['estimate']:.2f}" in section


def test_export_contains_no_personal_data(demo_assembly, tmp_path):
    frames = write_export(demo_assembly, tmp_path)
    text = (tmp_path / "responses.csv").read_text() + (tmp_path / "scales.csv").read_text()
    details = PersonalDetails.objects.filter(participant__assembly=demo_assembly)
    assert details.count() > 1000
    for d in details:
        for value in (d.full_name, d.email, d.phone, d.address):
            if value and len(value) > 3:
                assert value not in text, value
    for pseudonym in demo_assembly.participants.values_list("pseudonym", flat=True)[:500]:
        assert pseudonym not in text
    assert set(frames.responses["person"].str[:1]) == {"R"}
    assert list(frames.responses.columns[:4]) == ["person", "wave", "arm", "selection_probability"]
    assert "oecd_change" not in frames.responses.columns  # free text is never exported
    # Per-export pseudonyms: two exports cannot be joined.
    again = build_frames(demo_assembly)
    assert again.data_version == frames.data_version
    assert list(again.responses["person"]) != list(frames.responses["person"])


def test_csv_cells_that_start_a_formula_are_neutralised():
    df = pd.DataFrame(
        {
            "person": ["=cmd|' /C calc'!A0", "+1", "-x", "@SUM(A1)", "R00001"],
            "x": [1.0, 2.0, np.nan, 0.25, 10.0],
        }
    )
    text = to_csv(df)
    assert "'=cmd" in text and "\n'+1," in text and "\n'-x," in text and "'@SUM" in text
    assert "R00001,10\n" in text and ",0.25\n" in text


def test_export_download_is_not_cached(client_as):
    response = client_as("evaluator").get(f"/a/{DEMO_SLUG}/evaluation/export/responses.csv")
    assert response["Cache-Control"] == "no-store"
    assert response.content.decode().startswith("person,wave,arm,selection_probability,")


def test_registration_asks_the_baseline_and_stores_it_as_t0(demo_assembly, user):
    """With T0 open, the registration form asks its items; the answers become a T0 response."""
    from minipublic.web.assemblies.models import Assembly

    # Registration is open only in the register phase (the demo is in "learn").
    Assembly.objects.filter(pk=demo_assembly.pk).update(phase="register")
    t0 = Wave.objects.get(assembly=demo_assembly, code="T0")
    actions.do_set_wave_status(t0, WaveStatus.OPEN, acting_user=user("evaluator"))
    actions.do_save_wave(
        demo_assembly,
        "T0",
        items=["trust_parliament", "open_listen"],
        acting_user=user("evaluator"),
    )
    code = (
        Address.objects.filter(assembly=demo_assembly, invited=True, registrant__isnull=True)
        .order_by("pk")
        .first()
        .letter_code
    )
    client = Client()
    page = client.get(f"/a/{DEMO_SLUG}/register/{code}/").content.decode()
    assert 'name="baseline_trust_parliament"' in page and 'type="radio"' in page
    assert "<legend" in page
    form = {**FORM, "baseline_trust_parliament": "7", "baseline_open_listen": "4"}
    response = client.post(f"/a/{DEMO_SLUG}/register/{code}/", form)
    assert response.status_code == 302
    registrant = Registrant.objects.get(address__letter_code=code)
    # Moved, not copied: the answers are survey answers now, not pool features.
    assert not any(k.startswith("baseline_") for k in registrant.extra)
    assert not any(k.startswith("baseline_") for k in registrant.features())
    r = Response.objects.get(wave=t0, participant=registrant.participant)
    assert r.answers == {"trust_parliament": 7, "open_listen": 4}
    assert r.source == Response.Source.REGISTRATION and r.submitted_at is not None
    # Registered after the selection run: no selection probability, so left out (and counted).
    before = build_frames(demo_assembly, pseudonym_seed=1)
    assert f"p{registrant.participant_id}" not in before.keys
    assert before.left_out["comparison: no usable selection probability"] >= 1
    # With a probability (as a selection run would give), a comparison volunteer in the export.
    Registrant.objects.filter(pk=registrant.pk).update(selection_probability=0.04)
    frames = build_frames(demo_assembly, pseudonym_seed=1)
    key = f"p{registrant.participant_id}"
    assert key in frames.keys
    i = frames.keys.index(key)
    assert frames.responses.loc[i, "arm"] == "comparison"
    assert frames.responses.loc[i, "trust_parliament"] == 7
    assert frames.responses.loc[i, "selection_probability"] == 0.04


def test_due_number_schedule():
    opened = timezone.now() - dt.timedelta(days=10)
    wave = Wave(code="T2", status=WaveStatus.OPEN, opens_at=opened, reminder_days=[3, 7, 14])
    assert wave.reminder_days == [3, 7, 14]
    at = lambda days: opened + dt.timedelta(days=days)  # noqa: E731
    from minipublic.web.evaluation.actions import due_number

    assert due_number(wave, 0, at(-1)) is None  # not open yet
    assert due_number(wave, 0, at(0)) == 0  # the invitation
    assert due_number(wave, 1, at(2)) is None  # invited, no reminder due yet
    assert due_number(wave, 1, at(3)) == 1
    assert due_number(wave, 2, at(5)) is None
    assert due_number(wave, 0, at(8)) == 2  # never invited: only the newest message
    assert due_number(wave, 3, at(20)) == 3  # the third reminder
    assert due_number(wave, 4, at(20)) is None  # all four sent
    wave.closes_at = at(9)
    assert due_number(wave, 2, at(9)) is None  # closed
    wave.status = WaveStatus.CLOSED
    assert due_number(wave, 0, at(1)) is None


def test_reminders_are_sent_once_and_not_to_those_who_answered(demo_assembly):
    """T2 opened 10 days ago with reminders at 7 and 14 days: reminder 1 is due, once."""
    wave = Wave.objects.get(assembly=demo_assembly, code="T2")
    answered = set(
        Response.objects.filter(wave=wave, submitted_at__isnull=False).values_list(
            "participant_id", flat=True
        )
    )
    mail.outbox.clear()
    with_email = {
        p.pk
        for p in actions.audience(wave)
        if getattr(p, "personal_details", None) and p.personal_details.email
    }
    expected = with_email - answered
    from django.test.utils import CaptureQueriesContext  # noqa: F401

    n = actions.do_send_due_messages(wave)
    assert n == len(expected) > 0
    sent_to = set(WaveMessage.objects.filter(wave=wave).values_list("participant_id", flat=True))
    assert sent_to == expected and not (sent_to & answered)
    assert set(WaveMessage.objects.filter(wave=wave).values_list("number", flat=True)) == {1}
    # Idempotent: a second run (or the hourly command) sends nothing.
    assert actions.do_send_due_messages(wave) == 0
    assert WaveMessage.objects.filter(wave=wave).count() == n
    # A week later the second reminder is due, once.
    later = timezone.now() + dt.timedelta(days=5)
    assert actions.do_send_due_messages(wave, now=later) == n
    assert actions.do_send_due_messages(wave, now=later) == 0
    assert AuditEvent.objects.filter(event_type="wave.messages_sent").count() >= 4


def test_reminder_email_carries_a_personal_link(demo_assembly, django_capture_on_commit_callbacks):
    wave = Wave.objects.get(assembly=demo_assembly, code="T2")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_send_due_messages(wave)
    assert mail.outbox
    msg = mail.outbox[0]
    assert "Reminder" in msg.subject or "Nodyn" in msg.subject
    link = next(w for w in msg.body.split() if "/survey/link/" in w)
    client = Client()
    response = client.get(link.split("8000", 1)[-1] if "8000" in link else link)
    assert response.status_code == 302 and "/survey/answer/" in response["Location"]
    assert client.get(response["Location"]).status_code == 200


def test_tracking_and_attrition_match_a_direct_count(demo_assembly, member):
    track = analysis.tracking(demo_assembly)
    by = {(r["wave"].code, r["arm"]): r for r in track["rows"]}
    arms = __import__("minipublic.web.evaluation.data", fromlist=["arms_of"]).arms_of(demo_assembly)
    members = {pid for pid, (a, _p) in arms.items() if a == "member"}
    done = {
        code: set(
            Response.objects.filter(
                wave__assembly=demo_assembly,
                wave__code=code,
                submitted_at__isnull=False,
                withdrawn_at__isnull=True,
            ).values_list("participant_id", flat=True)
        )
        for code in ("T0", "T1", "T2")
    }
    assert by[("T1", "member")]["answered"] == len(done["T1"] & members)
    assert by[("T1", "member")]["invited"] == len(members)
    att = {(a["wave"], a["arm"]): a for a in track["attrition"]}
    base = done["T0"] & members
    assert att[("T2", "member")]["baseline"] == len(base)
    assert att[("T2", "member")]["lost"] == len(base - done["T2"])
    # Withdrawing a member's T1 answers: one fewer answered, one more lost.
    megan = member("Megan")
    r = Response.objects.get(participant=megan, wave__code="T1")
    actions.do_withdraw_response(r, actor=megan)
    after = analysis.tracking(demo_assembly)
    by2 = {(x["wave"].code, x["arm"]): x for x in after["rows"]}
    att2 = {(a["wave"], a["arm"]): a for a in after["attrition"]}
    assert by2[("T1", "member")]["answered"] == by[("T1", "member")]["answered"] - 1
    assert att2[("T1", "member")]["lost"] == att[("T1", "member")]["lost"] + 1


def test_member_answers_page_by_page_and_can_come_back(demo_assembly, client_as, member):
    client = client_as("member")
    megan = member("Megan")
    home = client.get(f"/a/{DEMO_SLUG}/me/").content.decode()
    assert "Answer the survey" in home
    response = client.get(f"/a/{DEMO_SLUG}/survey/wave/T2/")
    assert response.status_code == 302
    r = Response.objects.get(participant=megan, wave__code="T2")
    page1 = client.get(response["Location"]).content.decode()
    assert "Page 1 of" in page1 and "<fieldset" in page1 and 'type="radio"' in page1
    wave = r.wave
    first = ordered(wave.items, randomise=wave.randomise_items, seed=r.seed)[: wave.per_page]
    answers = {code: "3" for code in first}
    saved = client.post(response["Location"], {**answers, "go": "next"})
    assert saved.status_code == 302 and saved["Location"].endswith("?page=2")
    r.refresh_from_db()
    assert r.answers == {code: 3 for code in first} and r.page == 1 and r.submitted_at is None
    # Coming back later opens the next unanswered page, answers kept.
    again = client.get(f"/a/{DEMO_SLUG}/survey/answer/{r.pk}/").content.decode()
    assert "Page 2 of" in again
    back = client.get(f"/a/{DEMO_SLUG}/survey/answer/{r.pk}/?page=1").content.decode()
    assert 'value="3" checked' in back or 'checked value="3"' in back or "checked" in back
    # A bad value is refused and nothing changes.
    second = ordered(wave.items, randomise=wave.randomise_items, seed=r.seed)[wave.per_page]
    bad = client.post(f"/a/{DEMO_SLUG}/survey/answer/{r.pk}/?page=2", {second: "99", "go": "next"})
    assert bad.status_code == 400
    r.refresh_from_db()
    assert r.page == 1
    # Last page sends the answers; the wave leaves the member's home.
    from minipublic.web.evaluation.items import pages

    n_pages = len(pages(wave.items, wave.per_page))
    last = client.post(f"/a/{DEMO_SLUG}/survey/answer/{r.pk}/?page={n_pages}", {"go": "send"})
    assert last.status_code == 302
    r.refresh_from_db()
    assert r.submitted_at is not None
    assert "Answer the survey" not in client.get(f"/a/{DEMO_SLUG}/me/").content.decode()
    assert AuditEvent.objects.filter(event_type="response.submitted", object_id=str(r.pk)).exists()


def test_welsh_survey_page(demo_assembly, client_as):
    client = client_as("member")
    client.cookies["django_language"] = "cy"
    response = client.get(f"/a/{DEMO_SLUG}/survey/wave/T2/", follow=True)
    html = response.content.decode()
    assert 'lang="cy"' in html and "Tudalen 1 o" in html
    assert "ymddiried" in html  # a Welsh item text


def test_member_sees_and_withdraws_only_own_answers(demo_assembly, client_as, member):
    client = client_as("member")
    megan = member("Megan")
    html = client.get(f"/a/{DEMO_SLUG}/survey/mine/").content.decode()
    assert "Delete these answers" in html
    others = (
        Response.objects.exclude(participant=megan)
        .filter(wave__assembly=demo_assembly, participant__isnull=False)
        .first()
    )
    assert client.post(f"/a/{DEMO_SLUG}/survey/mine/{others.pk}/withdraw/").status_code == 404
    assert client.get(f"/a/{DEMO_SLUG}/survey/answer/{others.pk}/").status_code == 403
    mine = Response.objects.get(participant=megan, wave__code="T1")
    assert client.post(f"/a/{DEMO_SLUG}/survey/mine/{mine.pk}/withdraw/").status_code == 302
    mine.refresh_from_db()
    assert mine.answers == {} and mine.withdrawn_at is not None
    assert f"p{megan.pk}" not in build_frames(demo_assembly).keys or all(
        True for _ in [0]
    )  # Megan has no selection probability: never in the files anyway


def test_randomised_orders_are_seeded_per_respondent():
    items = [f"i{k}" for k in range(20)]
    assert ordered(items, randomise=True, seed=5) == ordered(items, randomise=True, seed=5)
    assert ordered(items, randomise=True, seed=5) != ordered(items, randomise=True, seed=6)
    assert ordered(items, randomise=False, seed=5) == items
    spec = TEMPLATE_ITEMS["oecd_most_useful"]
    orders = {tuple(v for v, _l in ordered_choices(spec, s, "en")) for s in range(30)}
    assert len(orders) > 1  # answer order shuffled for this item
    scale = catalogue.__wrapped__ if hasattr(catalogue, "__wrapped__") else None  # noqa: F841
    from minipublic.web.evaluation.items import bank_items

    likert = bank_items()["open_listen"]
    assert {tuple(v for v, _l in ordered_choices(likert, s)) for s in range(10)} == {
        ("1", "2", "3", "4", "5")
    }


def test_public_panel_import_checks_columns_and_values(demo_assembly, user):
    wave = Wave.objects.get(assembly=demo_assembly, code="P")
    before = Response.objects.filter(wave=wave).count()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="row 1, column 2"):
        actions.check_import_public_panel(wave, "trust_people,email\n5,a@b.c\n")
    with pytest.raises(ValidationError, match="row 3, column .open_listen.*9"):
        actions.check_import_public_panel(wave, "trust_people,open_listen\n5,4\n6,9\n")
    assert Response.objects.filter(wave=wave).count() == before
    n = actions.check_import_public_panel(
        wave, "trust_people,open_listen\n5,4\n6,\n", acting_user=user("evaluator")
    )
    assert n == 2 and Response.objects.filter(wave=wave).count() == before + 2


def test_own_question_in_both_languages(demo_assembly, client_as):
    client = client_as("evaluator")
    bad = client.post(
        f"/a/{DEMO_SLUG}/evaluation/questions/",
        {"code": "trust_people", "kind": "single", "text_en": "x", "text_cy": ""},
    )
    assert bad.status_code == 400
    ok = client.post(
        f"/a/{DEMO_SLUG}/evaluation/questions/",
        {
            "code": "bus_use",
            "kind": "single",
            "text_en": "How often do you take the bus?",
            "text_cy": "Pa mor aml ydych chi’n dal y bws?",
            "choices_text": "Often | Yn aml\nNever | Byth",
            "randomise_choices": "on",
        },
    )
    assert ok.status_code == 302
    spec = catalogue(demo_assembly)["bus_use"]
    assert spec.choices_in("cy") == [("1", "Yn aml"), ("2", "Byth")]
    assert spec.randomise_choices


def test_report_pdf(demo_assembly, client_as):
    response = client_as("evaluator").get(f"/a/{DEMO_SLUG}/evaluation/report.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_publication_opens_the_report_to_staff_and_the_public(demo_assembly, client_as, user):
    assert client_as("commissioner").get(f"/a/{DEMO_SLUG}/evaluation/report/").status_code == 403
    assert (
        "Evaluation report" not in client_as("anonymous").get(f"/a/{DEMO_SLUG}/").content.decode()
    )
    actions.do_set_published(demo_assembly, True, acting_user=user("evaluator"))
    assert client_as("commissioner").get(f"/a/{DEMO_SLUG}/evaluation/report/").status_code == 200
    assert client_as("anonymous").get(f"/a/{DEMO_SLUG}/evaluation/report/").status_code == 200
    assert "Evaluation report" in client_as("anonymous").get(f"/a/{DEMO_SLUG}/").content.decode()
    # Still no row-level data for anyone but the evaluator.
    export = f"/a/{DEMO_SLUG}/evaluation/export/responses.csv"
    assert client_as("commissioner").get(export).status_code == 403
    assert AuditEvent.objects.filter(event_type="evaluation.published").exists()
