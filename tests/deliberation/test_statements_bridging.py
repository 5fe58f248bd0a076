"""Bridging model: monotone ALS, a stationary point of the loss, and a toy with known answer."""

import numpy as np
import pandas as pd
from scipy.optimize import approx_fprime

from minipublic.deliberation.statements import build_vote_matrix, fit_bridging
from minipublic.deliberation.statements._bridging import bridging_loss


def two_camps(seed=0, n=60):
    """Statement 0: everyone agrees. 1, 2: camp A agrees, camp B disagrees. 3: the reverse."""
    rng = np.random.default_rng(seed)
    rows = []
    for p in range(n):
        camp = p < n // 2
        for s, rule in enumerate([1.0, camp, camp, not camp]):
            if rng.random() < 0.9:
                agree = rng.random() < (0.92 if rule else 0.08)
                rows.append((p, s, 1 if agree else -1))
        if rng.random() < 0.5:
            rows.append((p, 4, 0))  # passes carry no rating
    return pd.DataFrame(rows, columns=["participant", "statement", "vote"])


def test_toy_bridging_statement_has_high_intercept_and_small_factor():
    m = build_vote_matrix(two_camps())
    model = fit_bridging(m, seed=0)
    b, f = model.statement_intercepts, model.statement_factors
    assert b[0] == max(b[:4])
    assert abs(f[0]) < min(abs(f[1]), abs(f[2]), abs(f[3])) / 3
    assert np.sign(f[1]) == np.sign(f[2]) == -np.sign(f[3])
    flags = model.is_bridging(min_intercept=0.3)
    assert flags[0] and not flags[1:4].any()
    assert model.n_ratings[4] == 0 and b[4] == 0.0


def test_loss_never_increases():
    model = fit_bridging(build_vote_matrix(two_camps(seed=1)), seed=3)
    assert np.all(np.diff(model.losses) <= 1e-12)


def test_solution_is_a_stationary_point_of_the_loss():
    m = build_vote_matrix(two_camps(seed=2, n=20))
    model = fit_bridging(m, seed=0, tol=1e-14, max_iter=5000)
    keep = m.values != 0
    rows, cols = m.rows[keep], m.indices[keep]
    r = (m.values[keep] > 0).astype(float)
    n, k = m.shape

    def loss(theta):
        mu = theta[0]
        bu, fu = theta[1 : 1 + n], theta[1 + n : 1 + 2 * n]
        bs, fs = theta[1 + 2 * n : 1 + 2 * n + k], theta[1 + 2 * n + k :]
        return bridging_loss(r, rows, cols, mu, bu, fu, bs, fs, 0.15, 0.03)

    theta = np.concatenate(
        [
            [model.mu],
            model.participant_intercepts,
            model.participant_factors,
            model.statement_intercepts,
            model.statement_factors,
        ]
    )
    assert np.isclose(loss(theta), model.loss)
    grad = approx_fprime(theta, loss, 1e-7)
    assert np.max(np.abs(grad)) < 1e-5


def test_seeded_fit_is_reproducible():
    m = build_vote_matrix(two_camps(seed=4))
    a, b = fit_bridging(m, seed=9), fit_bridging(m, seed=9)
    assert np.array_equal(a.statement_intercepts, b.statement_intercepts)
