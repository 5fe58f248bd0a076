"""Pages of the decisions app: submit, reload, check what was stored; the report and the CLI."""

import csv
import io
import shutil
import subprocess

import pytest
from django.test import Client
from typer.testing import CliRunner

from minipublic.web.assemblies.actions import do_change_phase
from minipublic.web.assemblies.models import AuditEvent, Phase
from minipublic.web.decisions import actions
from minipublic.web.decisions.models import Amendment, Ballot, MinorityStatement, Recommendation

from ..conftest import sign_in_member

pytestmark = pytest.mark.django_db


def _to(assembly, phase, organiser):
    for p in list(Phase)[list(Phase).index(Phase(assembly.phase)) + 1 :]:
        do_change_phase(assembly, p, acting_user=organiser)
        if p == phase:
            break
    assembly.refresh_from_db()


def test_full_path_through_the_pages(demo_assembly, client_as, members, user):
    slug = demo_assembly.slug
    organiser = client_as("organiser")
    megan = sign_in_member(Client(), members[0])
    _to(demo_assembly, Phase.DELIBERATE, user("organiser"))

    # Draft.
    r = organiser.post(
        f"/a/{slug}/decisions/new/",
        {
            "title": "Tree planting",
            "text": "Plant 10,000 trees.",
            "drafted_by": "Table 8",
            "theme": "",
        },
    )
    rec = Recommendation.objects.get(assembly=demo_assembly, title="Tree planting")
    assert r.status_code == 302 and r["Location"].endswith(f"/r/{rec.number}/")
    # A member amends.
    r = megan.post(
        f"/a/{slug}/decisions/r/{rec.number}/amendments/",
        {"text": "Plant 20,000 trees.", "reason": "More shade."},
    )
    amendment = Amendment.objects.get(recommendation=rec)
    assert amendment.proposer == members[0]
    page = megan.get(f"/a/{slug}/decisions/r/{rec.number}/").content.decode()
    assert "<ins>20,000</ins>" in page and "More shade." in page
    # The organiser accepts it.
    organiser.post(
        f"/a/{slug}/decisions/r/{rec.number}/amendments/{amendment.pk}/decide/",
        {"decision": "accept", "reason": "Agreed at session 6."},
    )
    rec.refresh_from_db()
    assert rec.text == "Plant 20,000 trees." and rec.versions.count() == 2
    # A ballot: prepare, change the rule, open.
    organiser.post(
        f"/a/{slug}/decisions/ballots/new/", {"recommendation": rec.pk, "scale": "gradient5"}
    )
    ballot = Ballot.objects.get(recommendation=rec)
    r = organiser.post(
        f"/a/{slug}/decisions/ballots/{ballot.pk}/",
        {
            "support": ["1", "2"],
            "strong_opposition": ["5"],
            "support_percent": "60",
            "strict": "0",
            "quorum_percent": "25",
            "max_strong_opposition_percent": "",
            "opens_if_ballot": "",
            "opens_if_outcome": "",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    ballot.refresh_from_db()
    assert ballot.rule["support_percent"] == "60.00"
    _to(demo_assembly, Phase.DECIDE, user("organiser"))
    organiser.post(f"/a/{slug}/decisions/ballots/{ballot.pk}/open/")
    ballot.refresh_from_db()
    assert ballot.status == "open" and ballot.rule_sha256
    assert (
        ballot.rule_sha256
        in organiser.get(f"/a/{slug}/decisions/ballots/{ballot.pk}/").content.decode()
    )
    # Changing the sealed rule from the page is refused and audited.
    organiser.post(f"/a/{slug}/decisions/ballots/{ballot.pk}/", {"support_percent": "10"})
    ballot.refresh_from_db()
    assert ballot.rule["support_percent"] == "60.00"
    assert AuditEvent.objects.filter(
        event_type="ballot.rule_change_refused", object_id=str(ballot.pk)
    ).exists()
    # Members vote; Megan changes her vote; her page shows her receipt.
    for i, m in enumerate(members):
        c = sign_in_member(Client(), m)
        c.post(f"/a/{slug}/vote/{ballot.pk}/", {f"b{ballot.pk}-value": str(5 if i < 2 else 1)})
    megan.post(f"/a/{slug}/vote/{ballot.pk}/", {f"b{ballot.pk}-value": "2"})
    vote_page = megan.get(f"/a/{slug}/vote/").content.decode()
    receipt = actions.my_vote(ballot, members[0]).receipt
    assert receipt in vote_page and "Support with reservations" in vote_page
    # Results hidden until close, then published.
    assert "Tree planting" not in client_as("anonymous").get(f"/a/{slug}/results/").content.decode()
    organiser.post(f"/a/{slug}/decisions/ballots/{ballot.pk}/close/")
    ballot.refresh_from_db()
    assert ballot.status == "closed" and ballot.result["adopted"] is True
    assert ballot.result["distribution"][0][1] == len(members) - 2
    results = client_as("anonymous").get(f"/a/{slug}/results/").content.decode()
    assert "Tree planting" in results and 'role="img"' in results
    tally = list(
        csv.DictReader(
            io.StringIO(client_as("anonymous").get(f"/a/{slug}/results/tally.csv").content.decode())
        )
    )
    mine = [row for row in tally if row["receipt"] == receipt]
    assert len(mine) == 1 and mine[0]["value"] == "2"
    check = (
        client_as("anonymous")
        .get(f"/a/{slug}/results/", {"receipt": receipt.lower()})
        .content.decode()
    )
    assert "is counted in the ballot" in check
    # Megan (who voted 2) writes a minority statement; another member co-signs.
    megan.post(
        f"/a/{slug}/decisions/r/{rec.number}/minority/new/",
        {"title": "Not enough", "text": "We wanted more trees."},
    )
    st = MinorityStatement.objects.get(recommendation=rec)
    sign_in_member(Client(), members[1]).post(
        f"/a/{slug}/decisions/r/{rec.number}/minority/{st.pk}/sign/"
    )
    assert st.signatures.count() == 2
    report = client_as("anonymous").get(f"/a/{slug}/report/").content.decode()
    assert "Not enough" in report and "Signed by 2 members" in report and "Tree planting" in report


def test_report_pdf_is_a_tagged_pdf(demo_assembly, client_as, tmp_path):
    r = client_as("anonymous").get(f"/a/{demo_assembly.slug}/report.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    data = r.content
    assert data.startswith(b"%PDF")
    if not shutil.which("pdfinfo"):
        pytest.skip("poppler-utils (pdfinfo, pdftotext) not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert "Tagged:          yes" in info
    pages = int(info.split("Pages:")[1].split()[0])
    assert pages >= 8
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert f"Page 2 / {pages}" in text and "Contents" in text and "Minority statement" in text


def test_missing_pdf_libraries_are_named_not_a_crash(demo_assembly, client_as, monkeypatch):
    import builtins

    from minipublic.web.decisions import report

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0': error 0x7e")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    assert "libpango-1.0-0" in report.weasyprint_problem()
    r = client_as("anonymous").get(f"/a/{demo_assembly.slug}/report.pdf")
    assert r.status_code == 503
    body = r.content.decode()
    assert "apt-get install" in body and "libpangoft2-1.0-0" in body
    page = client_as("anonymous").get(f"/a/{demo_assembly.slug}/report/").content.decode()
    assert "cannot be made on this server" in page


def test_welsh_report_and_cli(demo_assembly, tmp_path):
    from minipublic.cli import app

    result = CliRunner().invoke(
        app,
        [
            "report",
            demo_assembly.slug,
            "--pdf",
            str(tmp_path / "r.pdf"),
            "--html",
            str(tmp_path / "r.html"),
            "--language",
            "cy",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    html = (tmp_path / "r.html").read_text()
    assert 'lang="cy"' in html and "Cynnwys" in html  # "Contents"
    bad = CliRunner().invoke(app, ["report", "no-such-assembly", "--pdf", str(tmp_path / "x.pdf")])
    assert bad.exit_code == 2 and "No assembly" in bad.output
    assert not (tmp_path / "x.pdf").exists()


def test_skipped_staged_ballot_is_explained_on_its_page(demo_assembly, client_as):
    skipped = Ballot.objects.get(assembly=demo_assembly, status="skipped")
    page = client_as("member").get(
        f"/a/{demo_assembly.slug}/decisions/r/{skipped.recommendation.number}/"
    )
    assert "It was not held" in page.content.decode()
