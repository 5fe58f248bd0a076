"""Hypothesis fuzzing of two importers: the assembly archive and the follow-up tracker CSV.

Each importer, fed random bytes, random files of the right kind, or mutations of
a real export, must either succeed or refuse with its one clear error (an
``ArchiveError`` / ``ValidationError`` naming the file), never another
exception, and a refused import must leave every table as it was.

Every example runs inside a savepoint that is rolled back afterwards, so the
examples start from the same database (the demo; for the archive, the demo
assembly removed first, so an untouched export imports cleanly).
"""

import csv
import hashlib
import io
import json
import zipfile

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minipublic.web.assemblies.archive import (
    FORMAT,
    VERSION,
    ArchiveError,
    _collect,
    _dependency_order,
    export_assembly,
    import_assembly,
)
from minipublic.web.assemblies.models import Assembly
from minipublic.web.demo import OTHER_SLUG
from minipublic.web.followup.csvfile import COLUMNS, check_import_csv, export_csv

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
SOURCE = "fuzzed.zip"
CSV_NAME = "fuzzed.csv"


def _row_counts(app_labels=None) -> dict[str, int]:
    """Rows per table (of the given apps, or of every app): the "nothing written" check."""
    return {
        m._meta.label: m._base_manager.count()
        for m in apps.get_models()
        if app_labels is None or m._meta.app_label in app_labels
    }


class _RollbackError(Exception):
    pass


def _in_savepoint(fn):
    """Run *fn* in a savepoint that is always rolled back; return what it returned."""
    result = None
    try:
        with transaction.atomic():
            result = fn()
            raise _RollbackError
    except _RollbackError:
        pass
    return result


# --- the assembly archive -----------------------------------------------------------


def _wipe(slug: str) -> None:
    """Remove every row of the assembly, as if this were an empty site (raw deletes: the
    audit log and protected keys refuse ordinary ones)."""
    rows = _collect(Assembly.objects.get(slug=slug))
    for model in reversed(_dependency_order(list(rows))):
        pks = [o.pk for o in rows[model]]
        # The rows of many-to-many tables too, or SQLite's foreign-key check at the end of
        # the test finds them pointing at nothing.
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            if through._meta.auto_created:
                through._base_manager.filter(**{f"{field.m2m_field_name()}__in": pks})._raw_delete(
                    "default"
                )
        model._base_manager.filter(pk__in=pks)._raw_delete("default")


def _files(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return buffer.getvalue()


def _reseal(files: dict[str, bytes]) -> dict[str, bytes]:
    """Recompute the manifest's checksums, so a changed member gets past them."""
    manifest = json.loads(files["manifest.json"])
    manifest["sha256"] = {
        n: hashlib.sha256(c).hexdigest() for n, c in files.items() if n != "manifest.json"
    }
    return {**files, "manifest.json": json.dumps(manifest).encode()}


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@pytest.fixture
def archive(other_assembly) -> bytes:
    """The export of the demo's second (smaller) assembly, which is then removed from the
    site, so that a good archive imports; the small one keeps every example quick."""
    data = export_assembly(other_assembly)
    _wipe(OTHER_SLUG)
    return data


def _check_archive(data: bytes) -> None:
    def attempt():
        before = _row_counts()
        try:
            import_assembly(data, source=SOURCE)
        except ArchiveError as exc:
            assert str(exc).startswith(f"{SOURCE}: "), str(exc)
            after = _row_counts()
            changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
            assert not changed, f"refused import wrote rows: {changed}"
            return "refused"
        assert Assembly.objects.count() == before["assemblies.Assembly"] + 1
        return "imported"

    _in_savepoint(attempt)


def test_untouched_export_imports(archive):
    _check_archive(archive)
    assert _in_savepoint(lambda: import_assembly(archive, source=SOURCE).slug) == OTHER_SLUG


def test_manifest_without_assembly_is_refused(archive):
    """Found by fuzzing (fixed): a manifest with no "assembly" key imported under the name ''.
    The manifest's assembly must now match the archived assembly row."""
    files = _files(archive)
    manifest = json.loads(files["manifest.json"])
    del manifest["assembly"]
    files["manifest.json"] = json.dumps(manifest).encode()
    with pytest.raises(ArchiveError, match=SOURCE):
        _in_savepoint(lambda: import_assembly(_zip(files), source=SOURCE))


@pytest.mark.parametrize("order", [None, [], ["assemblies.assembly"]])
def test_manifest_order_must_cover_every_data_file(archive, order):
    """Found by fuzzing (fixed): with no "order" (or a partial one) the import created only
    the listed kinds of row and reported success. The order must now list every data file."""
    files = _files(archive)
    manifest = json.loads(files["manifest.json"])
    if order is None:
        del manifest["order"]
    else:
        manifest["order"] = order
    files["manifest.json"] = json.dumps(manifest).encode()
    with pytest.raises(ArchiveError, match=SOURCE):
        _in_savepoint(lambda: import_assembly(_zip(files), source=SOURCE))


@FUZZ
@given(data=st.binary(max_size=2000))
def test_archive_random_bytes(archive, data):
    _check_archive(data)


@FUZZ
@given(
    members=st.dictionaries(
        st.sampled_from(["manifest.json", "data/accounts.json", "data/assemblies.assembly.json"])
        | st.text(min_size=1, max_size=12),
        st.binary(max_size=200) | JSON.map(lambda v: json.dumps(v).encode()),
        max_size=4,
    )
)
def test_archive_random_zip(archive, members):
    _check_archive(_zip(members))


@FUZZ
@given(
    manifest=st.fixed_dictionaries(
        {},
        optional={
            "format": st.just(FORMAT) | JSON,
            "version": st.just(VERSION) | JSON,
            "assembly": st.just(OTHER_SLUG) | JSON,
            "order": JSON,
            "sha256": JSON,
            "counts": JSON,
        },
    )
)
def test_archive_random_manifest(archive, manifest):
    """A manifest of the right shape with wrong values (the real format/version mixed in)."""
    files = {**_files(archive), "manifest.json": json.dumps(manifest).encode()}
    _check_archive(_zip(files))


@FUZZ
@given(choice=st.data())
def test_archive_mutated_export(archive, choice):
    files = _files(archive)
    names = sorted(files)
    kind = choice.draw(
        st.sampled_from(
            ["drop", "extra", "change", "change-resealed", "truncate", "manifest-key", "row"]
        ),
        label="kind",
    )
    if kind == "truncate":
        cut = choice.draw(st.integers(0, len(archive) - 1), label="cut")
        _check_archive(archive[:cut])
        return
    if kind == "drop":
        files.pop(choice.draw(st.sampled_from(names), label="dropped"))
    elif kind == "extra":
        name = choice.draw(st.text(min_size=1, max_size=20), label="extra name")
        files[name] = choice.draw(st.binary(max_size=50), label="extra bytes")
    elif kind in ("change", "change-resealed"):
        name = choice.draw(st.sampled_from(names), label="changed")
        content = files[name]
        at = choice.draw(st.integers(0, max(0, len(content) - 1)), label="at")
        new = choice.draw(st.binary(min_size=0, max_size=8), label="new bytes")
        files[name] = content[:at] + new + content[at + len(new) :]
        if kind == "change-resealed" and name != "manifest.json":
            files = _reseal(files)
    elif kind == "manifest-key":
        manifest = json.loads(files["manifest.json"])
        keys = sorted(manifest)
        key = choice.draw(st.sampled_from(keys), label="key")
        if choice.draw(st.booleans(), label="delete"):
            del manifest[key]
        else:
            manifest[key] = choice.draw(JSON, label="value")
        files["manifest.json"] = json.dumps(manifest).encode()
    elif kind == "row":
        # Change one field of one row of one data file, keeping the checksums right.
        data_names = [n for n in names if n.startswith("data/") and n.endswith(".json")]
        name = choice.draw(st.sampled_from(data_names), label="data file")
        rows = json.loads(files[name])
        if rows:
            i = choice.draw(st.integers(0, len(rows) - 1), label="row")
            row = rows[i]
            target = row.get("fields", row) if isinstance(row, dict) else row
            if isinstance(target, dict) and target:
                key = choice.draw(st.sampled_from(sorted(target)), label="field")
                if choice.draw(st.booleans(), label="delete"):
                    del target[key]
                else:
                    target[key] = choice.draw(JSON, label="value")
            files[name] = json.dumps(rows).encode()
            files = _reseal(files)
    _check_archive(_zip(files))


# --- the follow-up tracker CSV ---------------------------------------------------------


CELL = st.sampled_from(
    [
        "",
        "1",
        "2",
        "0",
        "-1",
        "99999",
        "accepted",
        "accepted_in_part",
        "rejected",
        "outside_powers",
        "not_started",
        "in_progress",
        "done",
        "stalled",
        "as_recommended",
        "watered_down",
        "not_judged",
        "50",
        "101",
        "2027-01-31",
        "2027-02-30",
        "31/01/2027",
        "https://example.org/x",
        "javascript:alert(1)",
        "'=SUM(A1)",
        "٣",
        "²",
    ]
) | st.text(max_size=30)


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


@pytest.fixture
def commissioner(user):
    return user("commissioner")


def _check_csv(assembly, acting_user, data: bytes) -> None:
    def attempt():
        before = _row_counts({"followup", "assemblies"})
        try:
            check_import_csv(assembly, data, name=CSV_NAME, acting_user=acting_user)
        except ValidationError as exc:
            assert exc.messages, "a ValidationError with no message"
            for message in exc.messages:
                assert CSV_NAME in message, message
            after = _row_counts({"followup", "assemblies"})
            changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
            assert not changed, f"refused import wrote rows: {changed}"
            return "refused"
        return "imported"

    _in_savepoint(attempt)


def test_untouched_tracker_csv_imports(demo_assembly, commissioner):
    _check_csv(demo_assembly, commissioner, export_csv(demo_assembly).encode())


@FUZZ
@given(data=st.binary(max_size=1000))
def test_tracker_random_bytes(demo_assembly, commissioner, data):
    _check_csv(demo_assembly, commissioner, data)


@FUZZ
@given(rows=st.lists(st.lists(CELL, max_size=len(COLUMNS) + 2), max_size=6))
def test_tracker_random_csv_with_header(demo_assembly, commissioner, rows):
    _check_csv(demo_assembly, commissioner, _csv([list(COLUMNS), *rows]))


@FUZZ
@given(choice=st.data())
def test_tracker_mutated_export(demo_assembly, commissioner, choice):
    rows = list(csv.reader(io.StringIO(export_csv(demo_assembly))))
    for _ in range(choice.draw(st.integers(1, 4), label="changes")):
        kind = choice.draw(
            st.sampled_from(["cell", "drop-row", "dup-row", "drop-col", "short-row"]), label="kind"
        )
        if len(rows) < 2:
            break
        i = choice.draw(st.integers(1, len(rows) - 1), label="row")
        if kind == "cell":
            j = choice.draw(st.integers(0, len(rows[i]) - 1), label="column")
            rows[i][j] = choice.draw(CELL, label="value")
        elif kind == "drop-row":
            del rows[i]
        elif kind == "dup-row":
            rows.insert(i, list(rows[i]))
        elif kind == "drop-col":
            j = choice.draw(st.integers(0, len(rows[0]) - 1), label="column")
            for r in rows:
                if j < len(r):
                    del r[j]
        elif kind == "short-row":
            rows[i] = rows[i][: choice.draw(st.integers(0, len(rows[i])), label="keep")]
    _check_csv(demo_assembly, commissioner, _csv(rows))
