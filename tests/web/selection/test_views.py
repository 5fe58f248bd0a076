"""Forms and pages of the selection app."""

from decimal import Decimal

import pytest

from minipublic.web.recruitment.models import Registrant
from minipublic.web.selection import actions
from minipublic.web.selection.forms import DrawForm, QuotaEditorForm, SelectionRunForm
from minipublic.web.selection.quotas import QuotaLine

pytestmark = pytest.mark.django_db

LINES = [
    QuotaLine("gender", "man", Decimal(50), Decimal(5), "range"),
    QuotaLine("gender", "woman", Decimal(50), Decimal(5), "range"),
]


def test_quota_editor_form_reads_rows_and_rejects_bad_values():
    data = {
        "panel_size": "10",
        "row-0-share": "45.5",
        "row-0-tolerance": "2",
        "row-0-direction": "at_least",
        "row-1-share": "54.5",
        "row-1-tolerance": "2",
        "row-1-direction": "range",
        # A posted feature/value is ignored: rows come from the server.
        "row-0-feature": "evil",
    }
    form = QuotaEditorForm(data, lines=LINES)
    assert form.is_valid(), form.errors
    lines = form.cleaned_lines()
    assert lines[0] == QuotaLine("gender", "man", Decimal("45.5"), Decimal(2), "at_least")
    bad = QuotaEditorForm(
        {**data, "row-1-share": "101", "row-0-tolerance": "-1", "row-0-direction": "up"},
        lines=LINES,
    )
    assert not bad.is_valid()
    assert set(bad.errors) == {"row-1-share", "row-0-tolerance", "row-0-direction"}


def test_run_and_draw_forms():
    assert not SelectionRunForm({"algorithm": "magic", "seed": "", "m": "5"}).is_valid()
    assert SelectionRunForm({"algorithm": "nash", "seed": "x", "m": "1000"}).is_valid()
    assert not DrawForm({"public_seed": "1 2 3"}).is_valid()  # the confirmation is required
    assert DrawForm({"public_seed": "1 2 3", "confirm": "on"}).is_valid()


def _editor_post(quota_set, lines, size, **changes):
    data = {"panel_size": str(size)}
    for i, line in enumerate(lines):
        data[f"row-{i}-share"] = str(line.share)
        data[f"row-{i}-tolerance"] = str(line.tolerance)
        data[f"row-{i}-direction"] = line.direction
    data.update(changes)
    return data


def test_quota_page_features_check_and_relax(small_pool, client_as):
    client = client_as("organiser")
    base = f"/a/{small_pool.slug}/selection/quotas/"
    page = client.get(base)
    assert page.status_code == 200 and b"trust_band" in page.content
    r = client.post(base + "features/", {"panel_size": "10", "features": ["gender", "trust_band"]})
    assert r.status_code == 302
    qs = actions.quota_set_of(small_pool)
    lines = actions.lines_of(qs)
    assert [(x.feature, x.value) for x in lines] == [
        ("gender", "man"),
        ("gender", "woman"),
        ("trust_band", "high"),
        ("trust_band", "low"),
        ("trust_band", "medium"),
    ]
    # The live check: min/max as typed and the core's plain-words verdict; nothing is saved.
    data = _editor_post(qs, lines, 10)
    r = client.post(base + "check/", data)
    assert r.status_code == 200 and b"Feasible" in r.content
    low = next(i for i, x in enumerate(lines) if x.value == "low")
    registrants = Registrant.objects.filter(assembly=small_pool)
    size = len({r.household_key for r in registrants if r.trust_band == "low"}) + 2
    impossible = _editor_post(
        qs, lines, size, **{f"row-{low}-share": "100", f"row-{low}-direction": "at_least"}
    )
    r = client.post(base + "check/", impossible)
    assert r.status_code == 200 and b"Not feasible" in r.content
    assert b"Smallest change" in r.content
    assert actions.quota_set_of(small_pool).panel_size == 10
    # Relax: saved, and now feasible.
    r = client.post(base + "relax/", impossible)
    assert r.status_code == 302
    qs.refresh_from_db()
    assert qs.panel_size == size
    assert actions.feasibility_of(small_pool, actions.lines_of(qs), size).feasible


def test_run_page_shows_results_and_transparency_is_public(demo_assembly, client_as):
    run = actions.drawn_run(demo_assembly)
    r = client_as("organiser").get(f"/a/{demo_assembly.slug}/selection/runs/{run.pk}/")
    body = r.content.decode()
    assert "histogram-data" in body and "chart.umd.min.js" in body
    assert "Panel against the targets" in body
    r = client_as("anonymous").get(f"/a/{demo_assembly.slug}/lottery/")
    body = r.content.decode()
    assert run.public_seed in body and run.lottery_sha256 in body
    assert "minipublic sortition verify" in body
    r = client_as("anonymous").get(f"/a/{demo_assembly.slug}/lottery/distribution.csv")
    assert r["Content-Disposition"] == 'attachment; filename="distribution.csv"'
    assert r.content.decode() == run.lottery_csv


def test_probabilities_csv(demo_assembly, client_as):
    run = actions.drawn_run(demo_assembly)
    r = client_as("evaluator").get(
        f"/a/{demo_assembly.slug}/selection/runs/{run.pk}/probabilities.csv"
    )
    lines = r.content.decode().splitlines()
    assert lines[0] == "id,probability,lottery_probability,zero_reason"
    assert len(lines) == 1 + len(run.probabilities)


def test_pages_in_welsh(demo_assembly, client_as):
    client = client_as("organiser")
    client.post("/i18n/setlang/", {"language": "cy", "next": "/"})
    run = actions.drawn_run(demo_assembly)
    public = client.get(f"/a/{demo_assembly.slug}/lottery/").content.decode()
    assert "Sut y dewiswyd y panel" in public and "Gwiriwch drosoch eich hun" in public
    page = client.get(f"/a/{demo_assembly.slug}/selection/quotas/").content.decode()
    assert "Cwotâu" in page and "Nodweddion â chwotâu" in page
    page = client.get(f"/a/{demo_assembly.slug}/selection/runs/{run.pk}/").content.decode()
    assert "Tegwch" in page
    page = client.get(f"/a/{demo_assembly.slug}/selection/panel/").content.decode()
    assert "Y panel a phobl yn lle eraill" in page


def test_quota_and_panel_forms_only_in_the_phases_that_accept_them(client_as, demo_assembly):
    """Outside their phases the pages show the quotas and the panel read-only, and say why."""
    client = client_as("organiser")
    quotas = f"/a/{demo_assembly.slug}/selection/quotas/"
    panel = f"/a/{demo_assembly.slug}/selection/panel/"
    type(demo_assembly).objects.filter(pk=demo_assembly.pk).update(phase="select")
    html = client.get(quotas).content.decode()
    assert "Save quotas" in html and 'id="quotas-closed"' not in html
    assert "Record answer" in client.get(panel).content.decode()
    type(demo_assembly).objects.filter(pk=demo_assembly.pk).update(phase="deliberate")
    html = client.get(quotas).content.decode()
    assert "Save quotas" not in html and "Use these features" not in html
    assert 'id="quotas-closed"' in html and "disabled" in html
    html = client.get(panel).content.decode()
    assert "Record answer" not in html and "Draw a replacement" not in html
    assert 'id="panel-closed"' in html
