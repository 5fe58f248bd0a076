"""Against the peer implementation sortition-algorithms (test-only dependency)."""

import numpy as np
import pytest

from minipublic.sortition import find_distribution, synthetic_pool

sa = pytest.importorskip("sortition_algorithms")
from sortition_algorithms.committee_generation import (  # noqa: E402
    find_distribution_maximin,
    find_distribution_nash,
)
from sortition_algorithms.features import read_in_features  # noqa: E402
from sortition_algorithms.people import read_in_people  # noqa: E402
from sortition_algorithms.settings import Settings  # noqa: E402


def _peer_inputs(sp):
    q = sp.quotas.astype(str)
    features, _, _ = read_in_features(list(q.columns), q.to_dict("records"))
    settings = Settings(id_column="id", columns_to_keep=[])
    people, _ = read_in_people(
        list(sp.people.columns), sp.people.to_dict("records"), features, settings
    )
    return features, people


def _peer_probabilities(committees, probs, ids):
    out = dict.fromkeys(ids, 0.0)
    for committee, p in zip(committees, probs, strict=True):
        for pid in committee:
            out[pid] += p
    return np.array([out[i] for i in ids])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_leximin_min_equals_peer_maximin_min(seed):
    sp = synthetic_pool(
        60, seed=seed, panel_size=8, quota_features=("age", "gender", "trust_in_government")
    )
    features, people = _peer_inputs(sp)
    committees, probs, _ = find_distribution_maximin(features, people, 8, [])
    theirs = _peer_probabilities(committees, probs, sp.people["id"].tolist())
    ours = find_distribution(sp.pool(), sp.quota_set(), 8, algorithm="leximin")
    ours_maximin = find_distribution(sp.pool(), sp.quota_set(), 8, algorithm="maximin")
    assert ours.probabilities.min() >= theirs.min() - 1e-4
    assert abs(ours.probabilities.min() - theirs.min()) < 1e-4
    assert abs(ours_maximin.probabilities.min() - theirs.min()) < 1e-4
    assert abs(theirs.sum() - 8) < 1e-6


def test_nash_not_worse_than_peer_nash():
    sp = synthetic_pool(30, seed=5, panel_size=5, quota_features=("age", "gender"))
    features, people = _peer_inputs(sp)
    committees, probs, _ = find_distribution_nash(features, people, 5, [])
    theirs = _peer_probabilities(committees, probs, sp.people["id"].tolist())
    ours = find_distribution(sp.pool(), sp.quota_set(), 5, algorithm="nash")
    # Nash welfare is maximised: ours at least theirs (up to their tolerance).
    assert np.log(ours.probabilities).sum() >= np.log(theirs).sum() - 1e-3
    assert ours.probabilities.min() >= theirs.min() - 1e-4
