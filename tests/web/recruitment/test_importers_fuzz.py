"""Every importer: one clear line naming the file (row, column), never a traceback (issue #14 items 13, 18).

Hypothesis feeds each reader arbitrary tables; the reader either returns or
raises :class:`~minipublic.errors.InputError` whose message is one line that
names the file. The command-line readers exit 2 with that line.
"""

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minipublic.errors import InputError
from minipublic.web.recruitment.files import MAX_COLUMNS, read_address_table, read_area_weights
from minipublic.web.recruitment.imports import read_pool_file

CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["²", "٣", "1e400", "nan", "-inf", "inf", "", " ", "=1+1", "3.5", "-1", "10"]),
)


def _csv(header, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _tables(columns):
    return st.lists(st.lists(CELLS, min_size=len(columns), max_size=len(columns)), max_size=6).map(
        lambda rows: _csv(columns, rows)
    )


def _one_clear_line(exc: InputError, name: str) -> None:
    message = str(exc)
    assert "\n" not in message and name in message
    assert "np.float64" not in message and "Traceback" not in message


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(data=_tables(["address", "postcode", "area"]))
def test_address_reader(data):
    try:
        read_address_table(data, "addresses.csv")
    except InputError as exc:
        _one_clear_line(exc, "addresses.csv")


@SETTINGS
@given(data=_tables(["area", "weight"]))
def test_weights_reader(data):
    try:
        read_area_weights(data, "weights.csv")
    except InputError as exc:
        _one_clear_line(exc, "weights.csv")


@SETTINGS
@given(data=_tables(["id", "gender", "trust_in_government", "email"]))
def test_pool_reader(data):
    try:
        pool = read_pool_file(data, "pool.csv")
    except InputError as exc:
        _one_clear_line(exc, "pool.csv")
    else:
        for error in pool.errors:
            _one_clear_line(error, "pool.csv")


def test_superscript_trust_is_a_row_error_not_a_crash():
    pool = read_pool_file(_csv(["id", "trust_in_government"], [["a", "²"], ["b", "3"]]), "p.csv")
    assert any("trust_in_government" in str(e) for e in pool.errors)


@pytest.mark.parametrize("reader", [read_address_table, read_pool_file])
def test_wide_files_are_refused_quickly(reader):
    header = ["id", "address", "area"] + [f"c{i}" for i in range(10_000)]
    data = _csv(header, [["1", "1 High St", "north"] + ["x"] * 10_000])
    with pytest.raises(InputError) as info:
        reader(data, "wide.csv")
    assert f"at most {MAX_COLUMNS}" in str(info.value) and "wide.csv" in str(info.value)


@settings(max_examples=40, deadline=None)
@given(low=CELLS, high=CELLS)
def test_sortition_quota_bounds_from_the_cli(tmp_path_factory, low, high):
    from typer.testing import CliRunner

    from minipublic.cli import app

    folder = tmp_path_factory.mktemp("q")
    (folder / "people.csv").write_text("id,gender\na,w\nb,m\nc,w\nd,m\n")
    (folder / "categories.csv").write_bytes(
        _csv(
            ["feature", "value", "min", "max"], [["gender", "w", low, high], ["gender", "m", 0, 2]]
        )
    )
    result = CliRunner().invoke(
        app,
        [
            "sortition",
            "check",
            str(folder / "people.csv"),
            str(folder / "categories.csv"),
            "--panel-size",
            "2",
        ],
    )
    assert result.exit_code in (0, 1, 2), result.output
    assert (
        "Traceback" not in result.output
        and result.exception is None
        or isinstance(result.exception, SystemExit)
    )


@pytest.mark.parametrize("bad", ["1e400", "nan", "inf", "-inf"])
def test_quota_bound_overflow_is_one_line(tmp_path, bad):
    from minipublic.sortition import read_quotas

    path = tmp_path / "categories.csv"
    path.write_text(f"feature,value,min,max\ngender,w,0,{bad}\n")
    with pytest.raises(InputError) as info:
        read_quotas(path)
    _one_clear_line(info.value, "categories.csv")
    assert "row 2" in str(info.value) and "max" in str(info.value)


@pytest.mark.parametrize("bad", ["-inf", "inf", "1e400", "nan"])
def test_polis_timestamp_is_one_line(tmp_path, bad):
    from minipublic.deliberation.statements._io import read_votes

    path = tmp_path / "votes.csv"
    path.write_text(f"timestamp,datetime,comment-id,voter-id,vote\n{bad},x,1,1,1\n1,x,2,1,-1\n")
    with pytest.raises(InputError) as info:
        read_votes(path)
    _one_clear_line(info.value, "votes.csv")


@pytest.mark.parametrize("reader", [read_address_table, read_pool_file])
def test_a_nul_character_is_an_error_naming_its_cell(reader):
    data = _csv(
        ["id", "address", "area"], [["1", "1 High St", "north"], ["2", "2 Mill\x00 Rd", "south"]]
    )
    with pytest.raises(InputError) as info:
        reader(data, "nul.csv")
    message = str(info.value)
    assert "nul.csv" in message and "row 3" in message and "address" in message
    assert "NUL" in message
