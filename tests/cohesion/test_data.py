"""Input checks (file, row, column) and scale scoring on hand-worked cases."""

import numpy as np
import pandas as pd
import pytest

from minipublic.cohesion import (
    check_responses,
    check_scales,
    read_responses,
    read_scales,
    score_scales,
)
from minipublic.errors import InputError

SCALES = pd.DataFrame(
    {
        "scale": ["t", "t", "t", "o"],
        "level": ["macro", "macro", "macro", "meso"],
        "item": ["a", "b", "c", "d"],
        "reverse": [0, 1, 0, 0],
        "min": [0, 0, 0, 1],
        "max": [10, 10, 10, 5],
    }
)


def _responses(**over):
    df = pd.DataFrame(
        {
            "person": ["1", "2", "1"],
            "wave": ["T0", "T0", "T1"],
            "arm": ["member", "comparison", "member"],
            "selection_probability": [0.2, 0.4, 0.2],
            "a": [2, 5, 4],
            "b": [8, np.nan, 6],
            "c": [5, 5, 5],
            "d": [3, 4, 5],
        }
    )
    for k, v in over.items():
        df[k] = v
    return df


def test_scores_hand_worked():
    """Reverse keying x -> min + max - x, mean of items, complete cases by default."""
    res = score_scales(_responses(), SCALES)
    # person 1 T0: a=2, b=10-8=2, c=5 -> 3; person 2: b missing -> NaN; person 1 T1: 4, 4, 5
    assert res.scores["t"].tolist()[0] == pytest.approx(3.0)
    assert np.isnan(res.scores["t"].iloc[1])
    assert res.scores["t"].iloc[2] == pytest.approx(13 / 3)
    assert res.scores["o"].tolist() == [3.0, 4.0, 5.0]
    lenient = score_scales(_responses(), SCALES, min_answered=2)
    assert lenient.scores["t"].iloc[1] == pytest.approx(5.0)
    miss = res.missing.set_index(["scale", "wave"])
    assert miss.loc[("t", "T0"), "n_missing_answers"] == 1
    assert miss.loc[("t", "T0"), "n_scored"] == 1
    assert miss.loc[("t", "T0"), "n_rows"] == 2


@pytest.mark.parametrize(
    ("over", "row", "column"),
    [
        ({"arm": ["member", "jury", "member"]}, 3, "arm"),
        ({"selection_probability": [0.2, 1.0, 0.2]}, 3, "selection_probability"),
        ({"a": [2, 11, 4]}, 3, "a"),
        ({"d": [3, "x", 5]}, 3, "d"),
        ({"wave": ["T0", "T0", "T0"]}, 4, "person"),
        ({"selection_probability": [0.2, 0.4, 0.3]}, 4, "selection_probability"),
    ],
)
def test_bad_responses_name_row_and_column(over, row, column):
    with pytest.raises(InputError) as err:
        check_responses(_responses(**over), check_scales(SCALES))
    assert err.value.row == row
    assert err.value.column == column


def test_missing_item_column():
    with pytest.raises(InputError, match="item 'd'"):
        check_responses(_responses().drop(columns=["d"]), check_scales(SCALES))


@pytest.mark.parametrize(
    ("col", "value", "match"),
    [
        ("level", "mega", "level must be one of"),
        ("reverse", 2, "reverse must be 1 or 0"),
        ("min", 20, "not less than max"),
        ("item", "a", "listed twice"),
    ],
)
def test_bad_scales(col, value, match):
    bad = SCALES.copy()
    bad.loc[2, col] = value
    with pytest.raises(InputError, match=match) as err:
        check_scales(bad)
    assert err.value.row == 4


def test_member_may_have_probability_one():
    df = _responses(selection_probability=[1.0, 0.4, 1.0])
    assert check_responses(df, check_scales(SCALES))["selection_probability"].iloc[0] == 1.0


def test_person_changing_arm_is_reported():
    with pytest.raises(InputError, match="changes arm") as err:
        check_responses(
            _responses(arm=["member", "comparison", "comparison"]), check_scales(SCALES)
        )
    assert err.value.row == 4


def test_min_answered_must_be_positive():
    with pytest.raises(InputError, match="min_answered"):
        score_scales(_responses(), SCALES, min_answered=0)


def test_public_arm_may_have_no_probability():
    df = _responses(arm=["member", "public", "member"], selection_probability=[0.2, np.nan, 0.2])
    out = check_responses(df, check_scales(SCALES))
    assert np.isnan(out["selection_probability"].iloc[1])


def test_readers_report_file(tmp_path):
    (tmp_path / "scales.csv").write_text("scale,level,item,reverse,min\n")
    with pytest.raises(InputError, match="scales.csv"):
        read_scales(tmp_path / "scales.csv")
    with pytest.raises(InputError, match="file not found"):
        read_responses(tmp_path / "nope.csv", check_scales(SCALES))
