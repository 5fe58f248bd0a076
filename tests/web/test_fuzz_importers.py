"""Hypothesis fuzzing of the importers that test_fuzz_archive_and_tracker.py and
recruitment/test_importers_fuzz.py leave out (issue #20).

- the site's imports, end to end through their ``check_*`` action: the pool
  (people) file, the address file, the area-weights file and the public
  panel's survey answers;
- the core readers behind the command line: the categories (quotas) file,
  the people file, and the Polis votes and comments files.

Each importer either succeeds or refuses with one clear error naming the
file (and the row and column where there is one), never another exception
or a traceback. The site's imports are checked against the row count of
every table of the apps they write to: a refused import leaves every count
as it was, and an accepted one adds exactly what its file holds. Every
example runs in a savepoint that is rolled back, so each starts from the
demo.
"""

import csv
import io
import tempfile
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import event as _event
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from minipublic.errors import InputError

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)

JUNK = [
    "",
    " ",
    "²",
    "٣",
    "1e400",
    "nan",
    "-inf",
    "=1+1",
    "3.5",
    "-1",
    "0",
    "10",
    "11",
    "\x00",
    "a\nb",
    '"',
    "é",
    "999999999999999999999",
]
CELL = st.sampled_from(JUNK) | st.text(max_size=10)


def event(outcome: str) -> None:
    """Count outcomes for ``--hypothesis-show-statistics`` (outside a Hypothesis test: nothing)."""
    if currently_in_test_context():
        _event(outcome)


def _csv(rows) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _table(header_pool: list[str], cells=CELL, max_rows: int = 6):
    """A CSV text: a header drawn from *header_pool* (and junk), then rows of *cells*."""
    header = st.lists(st.sampled_from(header_pool) | st.text(max_size=8), min_size=1, max_size=7)
    return header.flatmap(
        lambda h: st.lists(
            st.lists(cells, min_size=len(h), max_size=len(h))
            | st.lists(cells, max_size=len(h) + 2),  # ragged rows too
            max_size=max_rows,
        ).map(lambda rows: _csv([h, *rows]))
    )


def _counts(labels: set[str]) -> dict[str, int]:
    return {
        m._meta.label: m._base_manager.count()
        for m in apps.get_models()
        if m._meta.app_label in labels
    }


class _RollbackError(Exception):
    pass


def _attempt(fn, *, name: str, labels: set[str]) -> tuple[str, dict]:
    """Run *fn* in a rolled-back savepoint: ("imported", count changes) or ("refused", {})."""
    outcome = None
    try:
        with transaction.atomic():
            before = _counts(labels)
            try:
                fn()
            except ValidationError as exc:
                assert exc.messages, "a refusal with no message"
                for message in exc.messages:
                    assert name in message, f"the message does not name {name}: {message!r}"
                    assert "Traceback" not in message
                after = _counts(labels)
                changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
                assert not changed, f"a refused import wrote rows: {changed}"
                outcome = ("refused", {})
            else:
                after = _counts(labels)
                outcome = ("imported", {k: after[k] - before[k] for k in before})
            raise _RollbackError
    except _RollbackError:
        pass
    event(outcome[0])
    return outcome


# --- the pool (people) file ----------------------------------------------------------

POOL_COLUMNS = [
    "id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "primary_address1",
    "primary_zip",
    "age",
    "gender",
    "area",
    "trust_in_government",
    "housing",
]


@pytest.fixture
def open_assembly(user):
    """An assembly open for registration (the demo's panel is drawn, so it refuses imports)."""
    from minipublic.web.assemblies.models import Assembly, StaffRole

    assembly = Assembly.objects.create(
        slug="fuzz-pool", title="Fuzz", question="?", phase="register"
    )
    StaffRole.objects.create(assembly=assembly, user=user("organiser"), role="organiser")
    return assembly


def _pool_import(assembly, organiser, data: bytes) -> None:
    from minipublic.web.recruitment.actions import check_import_pool

    def run():
        check_import_pool(assembly, name="pool.csv", data=data, acting_user=organiser)

    outcome, added = _attempt(run, name="pool.csv", labels={"recruitment", "people"})
    if outcome == "imported":
        rows = added["recruitment.Registrant"]
        assert rows >= 1 and added["people.Participant"] == rows
        assert added["people.PersonalDetails"] == rows and added["recruitment.PoolImport"] == 1


@FUZZ
@given(text=_table(POOL_COLUMNS))
def test_pool_import(open_assembly, user, text):
    _pool_import(open_assembly, user("organiser"), text.encode())


@FUZZ
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["1", "2", "3", "", "1 ", "x\x00"]) | st.text(max_size=4),
            st.sampled_from(["woman", "man", "", "²"]),
            st.sampled_from(["north", "south", " "]),
            st.sampled_from(["0", "5", "10", "11", "-1", "3.5", ""]),
            st.sampled_from(["a@b.org", "", "not an email", "\x00"]),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_pool_import_plausible_rows(open_assembly, user, rows):
    """The right header with rows that are mostly valid, so that imports succeed too."""
    text = _csv([["id", "gender", "area", "trust_in_government", "email"], *rows])
    _pool_import(open_assembly, user("organiser"), text.encode())


@FUZZ
@given(data=st.binary(max_size=400))
def test_pool_import_random_bytes(open_assembly, user, data):
    _pool_import(open_assembly, user("organiser"), data)


def test_good_pool_imports(open_assembly, user):
    """The fuzz checks can pass: a valid file is imported, row for row."""
    good = "id,email,gender,area\n1,a@b.c,woman,north\n2,,man,south\n"
    from minipublic.web.recruitment.actions import check_import_pool

    def run():
        check_import_pool(open_assembly, name="pool.csv", data=good.encode())

    assert (
        _attempt(run, name="pool.csv", labels={"recruitment", "people"})[1][
            "recruitment.Registrant"
        ]
        == 2
    )


# --- the address file and the area weights -------------------------------------------


def _address_upload(assembly, organiser, data: bytes) -> None:
    from minipublic.web.recruitment.actions import check_upload_address_file

    def run():
        check_upload_address_file(
            assembly, name="addresses.csv", data=data, area_column="area", acting_user=organiser
        )

    outcome, added = _attempt(run, name="addresses.csv", labels={"recruitment"})
    if outcome == "imported":
        assert added["recruitment.AddressFile"] == 1 and added["recruitment.Address"] >= 1


@FUZZ
@given(text=_table(["address", "postcode", "area", "street", "uprn"]))
def test_address_upload(open_assembly, user, text):
    _address_upload(open_assembly, user("organiser"), text.encode())


@FUZZ
@given(data=st.binary(max_size=400))
def test_address_upload_random_bytes(open_assembly, user, data):
    _address_upload(open_assembly, user("organiser"), data)


@FUZZ
@given(text=_table(["area", "weight"], cells=CELL | st.sampled_from(["north", "south", "0.5"])))
def test_area_weights_import(demo_assembly, user, text):
    from minipublic.web.recruitment.actions import check_import_area_weights

    def run():
        check_import_area_weights(
            demo_assembly, name="weights.csv", data=text.encode(), acting_user=user("organiser")
        )

    _attempt(run, name="weights.csv", labels={"recruitment"})


# --- survey answers: the public panel's file -----------------------------------------


@pytest.fixture
def public_wave(demo_assembly):
    from minipublic.web.evaluation.models import Wave

    return Wave.objects.get(assembly=demo_assembly, code="P")


def _survey_cells():
    """The public wave's item codes, and every answer value any of them allows."""
    codes, allowed = _survey_items()
    return codes, sorted({v for c in codes for v in allowed[c]})


def _survey_items() -> tuple[list[str], dict[str, list[str]]]:
    from minipublic.web.evaluation.items import catalogue
    from minipublic.web.evaluation.models import Wave

    wave = Wave.objects.get(assembly__slug="aberwen-climate", code="P")
    specs = catalogue(wave.assembly)
    allowed = {c: [str(v) for v, _en, _cy in specs[c].choices] for c in wave.items}
    return list(wave.items), allowed


@FUZZ
@given(data=st.data())
def test_survey_answers_import(public_wave, user, data):
    from minipublic.web.evaluation.actions import check_import_public_panel

    codes, values = _survey_cells()
    text = data.draw(
        _table([*codes, "email", "name"], cells=st.sampled_from(values) | CELL), label="file"
    )

    def run():
        check_import_public_panel(
            public_wave, text, file_name="panel.csv", acting_user=user("evaluator")
        )

    outcome, added = _attempt(run, name="panel.csv", labels={"evaluation"})
    if outcome == "imported":
        assert added["evaluation.Response"] >= 1


@FUZZ
@given(data=st.data())
def test_survey_answers_plausible_rows(public_wave, user, data):
    """Item codes as the header and mostly allowed answers, so that imports succeed too."""
    from minipublic.web.evaluation.actions import check_import_public_panel

    codes, allowed = _survey_items()
    header = data.draw(st.lists(st.sampled_from(codes), min_size=1, max_size=4, unique=True))
    # Nine draws in ten an allowed answer (or blank) of that column's item.
    column = [st.sampled_from([*allowed[c] * 9, "", " 3 ", "99", "x", "²"]) for c in header]
    rows = data.draw(st.lists(st.tuples(*column).map(list), max_size=5))
    text = _csv([header, *rows])

    def run():
        check_import_public_panel(
            public_wave, text, file_name="panel.csv", acting_user=user("evaluator")
        )

    outcome, added = _attempt(run, name="panel.csv", labels={"evaluation"})
    if outcome == "imported":
        nonblank = [r for r in rows if any(c.strip() for c in r)]
        assert added["evaluation.Response"] == len(nonblank)


@FUZZ
@given(text=st.text(max_size=300))
def test_survey_answers_random_text(public_wave, user, text):
    from minipublic.web.evaluation.actions import check_import_public_panel

    def run():
        check_import_public_panel(
            public_wave, text, file_name="panel.csv", acting_user=user("evaluator")
        )

    _attempt(run, name="panel.csv", labels={"evaluation"})


# --- the core readers (command line): categories, people, Polis votes and comments ---


def _one_clear_line(exc: InputError, name: str) -> None:
    message = str(exc)
    assert "\n" not in message and name in message, message
    assert "Traceback" not in message and "np.float64" not in message


def _read(reader, name: str, data: bytes, **kw):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            result = reader(path, **kw)
        except InputError as exc:
            _one_clear_line(exc, name)
            event("refused")
            return None
        event("read")
        return result


CORE = settings(max_examples=60, deadline=None, derandomize=True)


@CORE
@given(
    text=_table(
        ["feature", "value", "min", "max", "min_flex", "max_flex"],
        cells=CELL | st.sampled_from(["gender", "woman", "man", "1", "2", "5"]),
    )
)
def test_categories_reader(text):
    from minipublic.sortition import read_quotas

    _read(read_quotas, "categories.csv", text.encode())


@CORE
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["gender", "age", "", "gender "]),
            st.sampled_from(["woman", "man", "16-29", "", "woman"]),
            st.sampled_from(["0", "1", "2", "5", "-1", "3.5", "", "1e400"]),
            st.sampled_from(["0", "2", "5", "10", "nan", "", "x"]),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_categories_reader_plausible_rows(rows):
    """The right header with mostly valid bounds, so that reads succeed too."""
    from minipublic.sortition import read_quotas

    _read(read_quotas, "categories.csv", _csv([["feature", "value", "min", "max"], *rows]).encode())


@CORE
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["0", "1", "2", "-1", "x", "", "1"]),
            st.text(max_size=20) | st.sampled_from(["Buses at night", ""]),
            st.sampled_from(["1", "0", "-1", "", "2"]),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_polis_comments_reader_plausible_rows(rows):
    from minipublic.deliberation.statements import read_statements

    _read(
        read_statements,
        "comments.csv",
        _csv([["comment-id", "comment-body", "moderated"], *rows]).encode(),
    )


@CORE
@given(data=st.binary(max_size=300))
def test_categories_reader_random_bytes(data):
    from minipublic.sortition import read_quotas

    _read(read_quotas, "categories.csv", data)


@CORE
@given(text=_table(["id", "gender", "age", "area", "address1", "postcode"]))
def test_people_reader(text):
    from minipublic.sortition import read_pool

    _read(read_pool, "people.csv", text.encode())


POLIS_VOTES = ["timestamp", "datetime", "comment-id", "voter-id", "vote"]
PARTICIPANT_VOTES = ["participant", "group-id", "n-comments", "n-votes", "0", "1", "2"]
OWN_VOTES = ["participant", "statement", "vote", "timestamp"]
VOTE_CELLS = CELL | st.sampled_from(["1", "-1", "0", "2", "7", "1700000000000"])


@CORE
@given(text=_table(POLIS_VOTES + PARTICIPANT_VOTES + OWN_VOTES, cells=VOTE_CELLS))
def test_polis_votes_reader(text):
    from minipublic.deliberation.statements import read_votes

    _read(read_votes, "votes.csv", text.encode())


@CORE
@given(header=st.sampled_from([POLIS_VOTES, PARTICIPANT_VOTES, OWN_VOTES]), data=st.data())
def test_polis_votes_reader_right_header(header, data):
    """The three accepted headers, exactly, with fuzzed rows."""
    from minipublic.deliberation.statements import read_votes

    rows = data.draw(
        st.lists(st.lists(VOTE_CELLS, min_size=len(header), max_size=len(header)), max_size=6)
    )
    _read(read_votes, "votes.csv", _csv([header, *rows]).encode())


@CORE
@given(data=st.binary(max_size=300))
def test_polis_votes_reader_random_bytes(data):
    from minipublic.deliberation.statements import read_votes

    _read(read_votes, "votes.csv", data)


@CORE
@given(
    text=_table(
        [
            "timestamp",
            "datetime",
            "comment-id",
            "author-id",
            "agrees",
            "disagrees",
            "moderated",
            "comment-body",
            "statement",
            "text",
        ],
        cells=VOTE_CELLS,
    )
)
def test_polis_comments_reader(text):
    from minipublic.deliberation.statements import read_statements

    _read(read_statements, "comments.csv", text.encode())


@pytest.mark.parametrize(
    ("reader", "name", "text"),
    [
        ("minipublic.sortition:read_quotas", "categories.csv", "feature,value\ng,w\ng,m,3\n"),
        ("minipublic.sortition:read_pool", "people.csv", "id,gender\n1,w\n2,m,x\n"),
        (
            "minipublic.deliberation.statements:read_votes",
            "votes.csv",
            "participant,statement,vote\n1,1,1\n2,1,1,9\n",
        ),
    ],
)
def test_ragged_row_is_one_line_naming_the_row(reader, name, text):
    """Found by the fuzzing above: pandas' parser message spanned two lines and named no row."""
    from importlib import import_module

    module, function = reader.split(":")
    with pytest.raises(InputError) as info:
        _read_raw(getattr(import_module(module), function), name, text.encode())
    _one_clear_line(info.value, name)
    assert info.value.row == 3 and "cells, the header has" in str(info.value)


def _read_raw(reader, name: str, data: bytes):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        return reader(path)


def test_carriage_return_in_survey_answers_is_a_row_error(public_wave):
    """Found by the fuzzing above: a CR inside an unquoted cell was csv.Error, a server error."""
    from minipublic.web.evaluation.actions import check_import_public_panel

    with pytest.raises(ValidationError, match=r"panel.csv, row 2: this row cannot be read"):
        check_import_public_panel(public_wave, "trust_people\n5\r7\n", file_name="panel.csv")
