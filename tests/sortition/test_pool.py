"""Reading pools and quotas: formats and errors that name file, row and column."""

import pandas as pd
import pytest

from minipublic.errors import InputError
from minipublic.sortition import (
    check_feasibility,
    normalise_address,
    read_pool,
    read_quotas,
)


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


PEOPLE = "id,age,gender,address\n1,young,m,1 High St\n2,old,f,1 high st.\n3,old,m,2 Low Rd\n"
CATS = "feature,value,min,max\nage,young,0,1\nage,old,1,2\ngender,m,0,2\ngender,f,0,2\n"


def test_reads_csv_and_old_header(tmp_path):
    pool = read_pool(_write(tmp_path, "p.csv", PEOPLE))
    assert pool.ids == ["1", "2", "3"] and pool.id_column == "id"
    q = read_quotas(_write(tmp_path, "c.csv", CATS.replace("feature,value", "category,name")))
    assert q.features == ["age", "gender"] and q.get("age", "old").max == 2
    assert len(pool.sha256) == 64


def test_reads_xlsx(tmp_path):
    path = tmp_path / "p.xlsx"
    pd.read_csv(_write(tmp_path, "p.csv", PEOPLE), dtype=str).to_excel(path, index=False)
    assert read_pool(path).ids == ["1", "2", "3"]


def test_households_normalised(tmp_path):
    pool = read_pool(_write(tmp_path, "p.csv", PEOPLE), household_columns="address")
    assert pool.households[0] == pool.households[1] != pool.households[2]
    assert normalise_address(" 1  High St. ") == "1 high st"


@pytest.mark.parametrize(
    ("cats", "row", "column", "words"),
    [
        (CATS + "region,north,0,1\n", 6, "feature", "unknown feature"),
        (CATS.replace("age,old,1,2", "age,old,3,2"), 3, "min", "more than max"),
        (CATS.replace("age,old,1,2", "age,old,one,2"), 3, "min", "not a whole number"),
        (CATS.replace("age,old,1,2", "age,young,1,2"), 3, "value", "listed twice"),
    ],
)
def test_quota_errors(tmp_path, cats, row, column, words):
    pool = read_pool(_write(tmp_path, "p.csv", PEOPLE))
    with pytest.raises(InputError) as info:
        check_feasibility(pool, read_quotas(_write(tmp_path, "c.csv", cats)), 2)
    err = info.value
    assert (err.file, err.row, err.column) == ("c.csv", row, column)
    assert words in err.message


def test_value_without_quota_names_people_row(tmp_path):
    pool = read_pool(_write(tmp_path, "p.csv", PEOPLE.replace("3,old,m", "3,middle,m")))
    with pytest.raises(InputError) as info:
        check_feasibility(pool, read_quotas(_write(tmp_path, "c.csv", CATS)), 2)
    assert (info.value.file, info.value.row, info.value.column) == ("p.csv", 4, "age")
    assert "'middle'" in info.value.message


def test_duplicate_id(tmp_path):
    with pytest.raises(InputError) as info:
        read_pool(_write(tmp_path, "p.csv", PEOPLE + "2,old,m,9 Rd\n"))
    assert info.value.row == 5 and info.value.column == "id" and "duplicate" in info.value.message


@pytest.mark.parametrize("text", ["", "id,age\n"])
def test_empty_files(tmp_path, text):
    with pytest.raises(InputError, match="empty"):
        read_pool(_write(tmp_path, "p.csv", text))
    with pytest.raises(InputError, match="empty"):
        read_quotas(_write(tmp_path, "c.csv", text or ""))


def test_missing_column(tmp_path):
    with pytest.raises(InputError) as info:
        read_quotas(_write(tmp_path, "c.csv", "feature,value,min\nage,old,1\n"))
    assert info.value.column == "max" and info.value.row == 1


def test_bad_size(tmp_path):
    pool = read_pool(_write(tmp_path, "p.csv", PEOPLE))
    with pytest.raises(InputError):
        check_feasibility(pool, read_quotas(_write(tmp_path, "c.csv", CATS)), 0)
