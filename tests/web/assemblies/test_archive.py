"""Whole-assembly archive: export → import into an empty site → export gives identical files."""

import io
import json
import zipfile

import pytest

from minipublic.web.assemblies.archive import ArchiveError, export_assembly, import_assembly
from minipublic.web.assemblies.models import Assembly, AuditEvent  # noqa: F401
from minipublic.web.demo import DEMO_SLUG, OTHER_SLUG

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _files(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _wipe(slug: str) -> None:
    """Remove every row of the assembly, as if this were an empty site (raw deletes: the
    audit log and protected keys refuse ordinary ones)."""
    from minipublic.web.assemblies.archive import _collect, _dependency_order

    rows = _collect(Assembly.objects.get(slug=slug))
    for model in reversed(_dependency_order(list(rows))):
        pks = [o.pk for o in rows[model]]
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            through._base_manager.filter(**{f"{field.m2m_field_name()}__in": pks})._raw_delete(
                "default"
            )
        model._base_manager.filter(pk__in=pks)._raw_delete("default")


def test_round_trip_gives_identical_files(demo_assembly):
    first = export_assembly(demo_assembly)
    files = _files(first)
    manifest = json.loads(files["manifest.json"])
    assert manifest["assembly"] == DEMO_SLUG
    assert manifest["counts"]["people.participant"] == demo_assembly.participants.count()
    assert manifest["counts"]["assemblies.auditevent"] == demo_assembly.audit_events.count()
    # Staff accounts travel as email and name only: never a password hash.
    accounts = json.loads(files["data/accounts.json"])
    assert {"email", "display_name"} == set(accounts[0])
    assert b"pbkdf2" not in first and b"argon2" not in first
    n_participants = demo_assembly.participants.count()
    _wipe(DEMO_SLUG)
    summary = import_assembly(first)
    assert summary.slug == DEMO_SLUG
    again = Assembly.objects.get(slug=DEMO_SLUG)
    assert again.participants.count() == n_participants
    second = export_assembly(again)
    again_files = _files(second)
    differing = sorted(
        n for n in files.keys() | again_files.keys() if files.get(n) != again_files.get(n)
    )
    assert not differing, f"files differ after export → import → export: {differing}"
    assert second == first


def test_the_other_assembly_is_not_in_the_archive(demo_assembly, other_assembly):
    text = b"".join(_files(export_assembly(demo_assembly)).values())
    assert OTHER_SLUG.encode() not in text


def test_csv_cells_are_spreadsheet_safe(demo_assembly):
    demo_assembly.public_summary = '=HYPERLINK("http://x")'
    demo_assembly.save(update_fields=["public_summary"])
    csv_text = _files(export_assembly(demo_assembly))["csv/assemblies.assembly.csv"].decode()
    assert "'=HYPERLINK" in csv_text


def test_import_refuses_an_existing_assembly(demo_assembly):
    data = export_assembly(demo_assembly)
    before = AuditEvent.objects.count()
    with pytest.raises(ArchiveError, match="exists"):
        import_assembly(data, source="demo.zip")
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.update({"data/people.participant.json": b"[]"}), "has been changed"),
        (lambda f: f.pop("data/people.participant.json"), "missing"),
        (lambda f: f.update({"extra.txt": b"x"}), "not listed"),
        (lambda f: f.update({"manifest.json": b"{"}), "not valid JSON"),
    ],
)
def test_a_changed_archive_is_refused_and_nothing_is_written(demo_assembly, change, message):
    files = _files(export_assembly(demo_assembly))
    _wipe(DEMO_SLUG)
    change(files)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    with pytest.raises(ArchiveError, match=message):
        import_assembly(buffer.getvalue(), source="x.zip")
    assert not Assembly.objects.filter(slug=DEMO_SLUG).exists()


def test_not_a_zip_file():
    with pytest.raises(ArchiveError, match="x.zip: not a minipublic archive"):
        import_assembly(b"hello", source="x.zip")


def test_cli_export_and_import(demo_assembly, tmp_path, monkeypatch, settings):
    from typer.testing import CliRunner

    from minipublic.cli import app

    monkeypatch.setenv("MINIPUBLIC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MINIPUBLIC_DEV", "1")
    settings.MINIPUBLIC_DEV = True  # the settings were read before the environment changed
    runner = CliRunner()
    out = tmp_path / "demo.zip"
    result = runner.invoke(app, ["assembly", "export", DEMO_SLUG, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == export_assembly(demo_assembly)
    result = runner.invoke(app, ["assembly", "import", str(out)])
    assert result.exit_code == 2 and "exists" in result.output
    result = runner.invoke(app, ["assembly", "export", "no-such", "--out", str(out)])
    assert result.exit_code == 2 and "No assembly" in result.output
