"""The audit log in plain words, filtered by type and date, paginated (issue #13)."""

import pytest

from minipublic.web.assemblies.events import EVENT_LABELS, event_label, plain_value
from minipublic.web.demo import DEMO_SLUG

pytestmark = pytest.mark.django_db


FOUNDATION = (
    "assembly.",
    "role.",
    "participant.",
    "sign_in",
    "phase",
    "meeting.",
    "task.",
    "address_file.",
    "invitation_lottery",
    "registra",
    "pool.",
    "support",
    "door",
    "letters",
    "quotas.",
    "selection.",
    "panel",
    "area_weights",
    "draw",
    "run.",
)


def test_every_event_type_of_the_demo_has_words(demo_assembly):
    """Recruitment and selection events have their own words; every event reads as words."""
    types = set(demo_assembly.audit_events.values_list("event_type", flat=True))
    foundation = {t for t in types if t.startswith(FOUNDATION)}
    assert foundation <= set(EVENT_LABELS), foundation - set(EVENT_LABELS)
    for t in types:
        label = str(event_label(t))
        assert label and "." not in label and "_" not in label, (t, label)


def test_plain_values():
    assert plain_value(["a", "b"]) == "a, b"
    assert plain_value(list(range(12))) == "0, 1, 2, 3, 4, 5, 6, 7 and 4 more"
    assert plain_value(True) == "yes" and plain_value(None) == "—"


def test_audit_log_page_filters_and_pages(client_as, demo_assembly):
    client = client_as("organiser")
    url = f"/a/{DEMO_SLUG}/audit/"
    page = client.get(url)
    assert page.status_code == 200
    assert ">panel_member.responded<" not in page.text  # (only as a filter's option value)
    assert "['" not in page.text  # no Python lists
    total = demo_assembly.audit_events.count()
    assert f"{total} changes" in page.text
    # The tab title has its separators.
    assert "<title>Audit log · Aberwen Climate Assembly · minipublic</title>" in page.text
    # Dates in the language's format: "3 December 2026, 09:24", not "Dec. 3, 2026, 9:24 a.m."
    assert " a.m." not in page.text and " p.m." not in page.text
    # One type only.
    only = client.get(url, {"type": "panel_member.responded"}).text
    n = demo_assembly.audit_events.filter(event_type="panel_member.responded").count()
    assert f"{n} change" in only
    assert only.count('class="audit-item"') == n
    assert event_label("panel_member.responded") in only
    # A date range with no events.
    none = client.get(url, {"since": "2001-01-01", "until": "2001-01-02"}).text
    assert "No changes match these filters." in none
    # Pages keep the filters.
    if total > 50:
        second = client.get(url, {"page": 2}).text
        assert "Page 2 of" in second
    bad = client.get(url, {"since": "2001-01-05", "until": "2001-01-01"})
    assert bad.status_code == 200 and "before the start date" in bad.text
