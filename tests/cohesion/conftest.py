"""Shared fixtures: the committed synthetic survey and the R reference values."""

from pathlib import Path

import pandas as pd
import pytest

from minipublic.cohesion import read_responses, read_scales

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def survey():
    scales = read_scales(FIXTURES / "scales.csv")
    responses = read_responses(FIXTURES / "responses.csv", scales)
    return responses, scales


@pytest.fixture(scope="session")
def r_ref():
    def load(name: str) -> pd.DataFrame:
        return pd.read_csv(FIXTURES / name)

    return load
