"""Shared helpers for the statement-map tests."""

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# ../shared/data/polis beside the repository; MINIPUBLIC_POLIS_DATA overrides it
# (a git worktree sits one level deeper than the main checkout).
POLIS_DATA = Path(
    os.environ.get("MINIPUBLIC_POLIS_DATA", REPO_ROOT.parent / "shared" / "data" / "polis")
)
CONVERSATIONS = [
    "15-per-hour-seattle",
    "brexit-consensus",
    "scoop-hivemind.biodiversity",
    "vtaiwan.uberx",
]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def conversation_dir(name: str) -> Path:
    """The folder of a public Polis conversation, or skip the test clearly."""
    path = POLIS_DATA / name
    if not (path / "votes.csv").exists():
        pytest.skip(f"Polis open data not found at {path} (../shared/data/polis is absent)")
    return path


@pytest.fixture(scope="session")
def polis_conversation():
    """Loader with a cache: name -> (votes table, statements table, moderated-out ids)."""
    from minipublic.deliberation.statements import read_statements, read_votes

    cache = {}

    def load(name):
        if name not in cache:
            path = conversation_dir(name)
            votes = read_votes(path / "votes.csv")
            statements = read_statements(path / "comments.csv")
            mod_out = statements.loc[statements["moderated"] == -1, "statement"].tolist()
            cache[name] = (votes, statements, mod_out)
        return cache[name]

    return load


@pytest.fixture(scope="session")
def polis_dir():
    """name -> folder of a public Polis conversation (skips when absent)."""
    return conversation_dir


def _random_votes(
    seed: int, n_participants: int, n_statements: int, n_votes: int, *, timestamps: bool = False
) -> tuple[pd.DataFrame, np.random.Generator]:
    """A long vote table with random ids and votes, and the generator for more draws."""
    rng = np.random.default_rng(seed)
    columns = {
        "participant": rng.integers(0, n_participants, n_votes),
        "statement": rng.integers(0, n_statements, n_votes),
        "vote": rng.choice([-1, 0, 1], n_votes),
    }
    if timestamps:
        columns["timestamp"] = rng.integers(0, 50, n_votes)
    return pd.DataFrame(columns), rng


@pytest.fixture(scope="session")
def random_votes():
    """(seed, n_participants, n_statements, n_votes, timestamps=False) -> (votes, rng)."""
    return _random_votes
