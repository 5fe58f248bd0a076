"""Readers of uploaded address and weight files: errors name file, row and column.

The stage-one lottery is the core's :func:`minipublic.sortition.invite`; its
oracle tests (brute force, hypothesis) are in tests/sortition/test_invite_oracle.py.
"""

import pytest

from minipublic.errors import InputError
from minipublic.web.recruitment.files import read_address_table, read_area_weights

GOOD = b"address,street,postcode,area\n1 High St,High St,AB1 1AA,north\n2 High St,,AB1 1AB,north\n5 Mill Lane,,,east\n"


def test_read_address_table():
    table = read_address_table(GOOD, "addresses.csv")
    assert list(table["area"]) == ["north", "north", "east"]
    assert list(table["row"]) == [2, 3, 4]
    # The street is guessed from the address when the column is empty.
    assert list(table["street"]) == ["High St", "High St", "Mill Lane"]
    assert table["household_key"].iloc[0] == "1 high st ab1 1aa"


@pytest.mark.parametrize(
    ("data", "row", "column", "match"),
    [
        (b"addr,area\n1 High St,north\n", None, "address", "no 'address' column"),
        (b"address,ward\n1 High St,north\n", None, "area", "no 'area' column"),
        (b"address,area\n1 High St,north\n2 High St,\n", 3, "area", "area is empty"),
        (b"address,area\n1 High St,north\n,north\n", 3, "address", "address is empty"),
        (b"address,area\n1 High St,north\n1  high st.,north\n", 3, "address", "listed twice"),
        (b"address,area\n", None, None, "no rows"),
        (b"\xff\xfe\x00bad", None, None, "UTF-8"),
    ],
)
def test_read_address_table_errors_name_row_and_column(data, row, column, match):
    with pytest.raises(InputError, match=match) as info:
        read_address_table(data, "addresses.csv")
    assert info.value.file == "addresses.csv"
    assert info.value.row == row
    if column:
        assert info.value.column == column


def test_read_address_table_custom_area_column_and_xlsx():
    import io

    import pandas as pd

    buf = io.BytesIO()
    pd.DataFrame({"Address": ["1 A Rd", "2 A Rd"], "Ward": ["w1", "w2"]}).to_excel(buf, index=False)
    table = read_address_table(buf.getvalue(), "a.xlsx", area_column="ward")
    assert list(table["area"]) == ["w1", "w2"]


def test_read_area_weights():
    assert read_area_weights(b"area,weight\nnorth,1.5\neast,2\n", "w.csv") == {
        "north": 1.5,
        "east": 2.0,
    }
    for data, row in [
        (b"area,weight\nnorth,x\n", 2),
        (b"area,weight\nnorth,1\neast,-1\n", 3),
        (b"area,weight\nnorth,1\nnorth,2\n", 3),
    ]:
        with pytest.raises(InputError) as info:
            read_area_weights(data, "w.csv")
        assert info.value.row == row
