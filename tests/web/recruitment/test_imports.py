"""Pool import in the Sortition Foundation format: good file and bad files."""

import pytest

from minipublic.errors import InputError
from minipublic.web.recruitment.imports import read_pool_file

GOOD = (
    b"id,first_name,email,primary_address1,primary_zip,age,gender,area,trust_in_government,housing\n"
    b"101,Ann,ann@example.org,1 High St,AB1 1AA,30-44,woman,north,3,rent\n"
    b"102,Bryn,,2 High St.,AB1 1AB,65+,man,south,8,own\n"
)


def test_good_file_splits_contacts_from_answers():
    pool = read_pool_file(GOOD, "people.csv")
    assert pool.errors == []
    assert pool.id_column == "id"
    ann, bryn = pool.rows
    assert ann.external_id == "101" and ann.row == 2
    assert ann.answers == {
        "age_band": "30-44",
        "gender": "woman",
        "area": "north",
        "trust_in_government": 3,
    }
    assert ann.extra == {"housing": "rent"}
    assert ann.contact["email"] == "ann@example.org"
    assert "email" not in ann.answers and "first_name" not in ann.extra
    assert bryn.household_key == "2 high st ab1 1ab"


@pytest.mark.parametrize(
    ("data", "row", "column", "match"),
    [
        (b"id,gender\n1,woman\n1,man\n", 3, "id", "duplicate id"),
        (b"id,gender\n1,woman\n,man\n", 3, "id", "empty id"),
        (b"id,first_name\n1,Ann\n", 1, None, "no feature columns"),
        (b"", None, None, "cannot read"),
    ],
)
def test_whole_file_errors(data, row, column, match):
    with pytest.raises(InputError, match=match) as info:
        read_pool_file(data, "people.csv")
    assert info.value.row == row
    assert info.value.column == column


def test_cell_errors_are_all_collected_with_row_and_column():
    data = b"id,gender,trust_in_government,housing\n1,woman,11,own\n2,,4,\n3,man,x,rent\n"
    pool = read_pool_file(data, "people.csv")
    where = [(e.row, e.column) for e in pool.errors]
    assert where == [
        (2, "trust_in_government"),
        (3, "gender"),
        (3, "housing"),
        (4, "trust_in_government"),
    ]
    assert "0 to 10" in str(pool.errors[0])
    assert str(pool.errors[1]).startswith("people.csv, row 3, column gender")


def test_named_id_column():
    pool = read_pool_file(b"ref,gender\nA,woman\nB,man\n", "p.csv", id_column="ref")
    assert [r.external_id for r in pool.rows] == ["A", "B"]
    with pytest.raises(InputError, match="no id column"):
        read_pool_file(b"ref,gender\nA,woman\n", "p.csv", id_column="nope")
