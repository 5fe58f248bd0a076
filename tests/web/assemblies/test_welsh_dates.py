"""Dates round-trip in every language: date inputs always carry ISO dates (issue #13)."""

import datetime as dt
import re

import pytest

from minipublic.web.demo import DEMO_SLUG

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "cy"])
def test_phase_dates_round_trip(client_as, demo_assembly, language):
    client = client_as("organiser")
    client.cookies["django_language"] = language
    url = f"/a/{DEMO_SLUG}/dates/"
    page = client.get(url)
    assert page.status_code == 200
    # What the browser would submit: every date input's value as shown.
    values = dict(re.findall(r'type="date" name="(\w+)" value="([^"]*)"', page.text))
    if not values:  # attribute order may differ
        values = {
            m.group(2): m.group(1)
            for m in re.finditer(r'type="date"[^>]*value="([^"]*)"[^>]*name="(\w+)"', page.text)
        }
    assert values, "no date inputs found"
    for value in values.values():
        assert value == "" or re.fullmatch(r"\d{4}-\d{2}-\d{2}", value), value
    before = {(r.phase, r.starts_on, r.ends_on) for r in demo_assembly.phase_dates.all()}
    assert any(v for v in values.values())
    data = {**values, "decide_starts_on": "2027-03-01", "decide_ends_on": "2027-03-31"}
    response = client.post(url, data)
    assert response.status_code == 302
    after = {(r.phase, r.starts_on, r.ends_on) for r in demo_assembly.phase_dates.all()}
    decide = demo_assembly.phase_dates.get(phase="decide")
    assert (decide.starts_on, decide.ends_on) == (dt.date(2027, 3, 1), dt.date(2027, 3, 31))
    # Nothing else changed: the other dates survived the round trip.
    assert {x for x in after if x[0] != "decide"} == {x for x in before if x[0] != "decide"}
    again = client.get(url).text
    assert 'value="2027-03-01"' in again and 'value="2027-03-31"' in again


def test_assembly_texts_follow_the_language(client, demo_assembly):
    url = f"/a/{DEMO_SLUG}/"
    english = client.get(url).text
    assert "Aberwen Climate Assembly" in english and "Cynulliad Hinsawdd Aberwen" not in english
    client.cookies["django_language"] = "cy"
    welsh = client.get(url).text
    assert "Cynulliad Hinsawdd Aberwen" in welsh
    assert demo_assembly.question_cy in welsh.replace("&#x27;", "'")


def test_organiser_saves_welsh_texts(client_as, demo_assembly):
    client = client_as("organiser")
    url = f"/a/{DEMO_SLUG}/edit/"
    response = client.get(url)
    assert response.status_code == 200 and "title_cy" in response.text
    data = {
        "title": demo_assembly.title,
        "title_cy": "Cynulliad Newydd",
        "question": demo_assembly.question,
        "question_cy": "Cwestiwn?",
        "commissioner": demo_assembly.commissioner,
        "languages": ["en", "cy"],
        "public_summary": demo_assembly.public_summary,
        "public_summary_cy": "Crynodeb",
        "is_public": "on",
    }
    assert client.post(url, data).status_code == 302
    demo_assembly.refresh_from_db()
    assert (demo_assembly.title_cy, demo_assembly.question_cy) == ("Cynulliad Newydd", "Cwestiwn?")
    assert demo_assembly.title == "Aberwen Climate Assembly"
