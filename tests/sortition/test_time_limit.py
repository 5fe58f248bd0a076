"""``time_limit``: a valid, not-yet-optimal distribution with a proven bound; the size estimate."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from minipublic.cli import app
from minipublic.sortition import estimate_seconds, find_distribution, selfselected_pool
from minipublic.sortition._model import composition_ok


def _pool():
    sp = selfselected_pool(300, seed=3, panel_size=30)
    return sp, sp.pool(), sp.quota_set()


@pytest.mark.parametrize("interior", [False, True])
def test_time_limit_returns_valid_not_optimal_distribution(interior, monkeypatch):
    """Also when the master is solved by the interior-point method (every panel then has weight)."""
    if interior:
        from minipublic.sortition import _leximin

        monkeypatch.setattr(_leximin, "COLD_IPM_RATIO", -1.0)
        monkeypatch.setattr(_leximin, "INTERIOR_ROWS", 0)
    _, pool, quotas = _pool()
    full = find_distribution(pool, quotas, 30, algorithm="leximin")
    assert full.optimal
    bound = full.min_upper_bound
    assert full.stats["min_probability"] <= bound + 1e-7
    cut = find_distribution(pool, quotas, 30, algorithm="leximin", time_limit=1e-6)
    assert not cut.optimal and cut.stats["optimal"] is False
    assert cut.stats["min_probability_upper_bound"] == bound
    assert cut.stats["min_probability"] <= full.stats["min_probability"] + 1e-7
    assert abs(cut.probabilities.sum() - 30) < 1e-6
    assert abs(cut.panel_probabilities.sum() - 1) < 1e-9
    assert all(composition_ok(cut.instance, c) for c in cut.compositions)
    # The probabilities are those of the panels in the returned mixture.
    implied = (cut.compositions / cut.type_size).T @ cut.panel_probabilities
    assert np.allclose(cut.probabilities, implied[cut.person_type], atol=1e-9)


def test_estimate_counts_types():
    sp, pool, quotas = _pool()
    n_types, seconds = estimate_seconds(pool, quotas)
    features = list(sp.quota_features)
    assert n_types == len(sp.people[features].drop_duplicates())
    assert seconds > 0
    hh_types, _ = estimate_seconds(sp.pool(households=True), quotas)
    assert hh_types > n_types


def test_cli_time_limit_marks_manifest(tmp_path):
    sp, _, _ = _pool()
    sp.people.to_csv(tmp_path / "people.csv", index=False)
    sp.quotas.to_csv(tmp_path / "categories.csv", index=False)
    out = tmp_path / "run"
    args = ["sortition", "select", str(tmp_path / "people.csv"), str(tmp_path / "categories.csv")]
    r = CliRunner().invoke(
        app, [*args, "--size", "30", "--out", str(out), "-m", "50", "--time-limit", "0.000001"]
    )
    assert r.exit_code == 0, r.output
    assert "NOT yet optimal" in r.output
    stats = json.loads((out / "manifest.json").read_text())["statistics"]
    assert stats["optimal"] is False
    assert stats["min_probability"] <= stats["min_probability_upper_bound"]
