"""Bridging model: monotone ALS, a stationary point of the loss, and a toy with known answer."""

import numpy as np
import pandas as pd
import pytest
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


@pytest.mark.parametrize(
    ("seed", "n", "m", "density", "max_iter", "native"),
    [
        (5, 80, 25, 0.6, 40, True),
        (6, 300, 40, 0.2, 200, True),
        (7, 25, 90, 0.5, 200, True),
        (8, 150, 60, 0.1, 200, True),
        (9, 1000, 200, 0.3, 200, True),  # ratings in several blocks of _residuals
        (5, 80, 25, 0.6, 40, False),
        (6, 300, 40, 0.2, 200, False),
    ],
)
def test_fit_is_bit_identical_to_the_plain_als_loop(seed, n, m, density, max_iter, native):
    """The fast sweeps (batched products, reused work arrays, scipy's kernels
    loaded directly or through scipy) give exactly the numbers of the loop as
    first written: one scipy sparse product per sum, fresh arrays each sweep."""
    import scipy.sparse as sp

    from minipublic.deliberation.statements import _linalg

    rng = np.random.default_rng(seed)
    cells = rng.random((n, m)) < density
    p, s = np.nonzero(cells)
    votes = pd.DataFrame({"participant": p, "statement": s, "vote": rng.choice([-1, 0, 1], len(p))})
    matrix = build_vote_matrix(votes)
    n, m = matrix.shape
    saved = list(_linalg._NATIVE)
    if not native:
        _linalg._NATIVE[:] = [None]
    try:
        model = fit_bridging(matrix, seed=3, max_iter=max_iter)
    finally:
        _linalg._NATIVE[:] = saved

    # The loop as first written: six sparse-vector products per side.
    keep = matrix.values != 0
    rows, cols = matrix.rows[keep], matrix.indices[keep].astype(np.int64)
    r = (matrix.values[keep] > 0).astype(np.float64)
    N = len(r)
    g = np.random.default_rng(3)
    bu, bs, fu, fs = np.zeros(n), np.zeros(m), g.normal(0, 0.1, n), g.normal(0, 0.1, m)
    Obs = sp.csr_array((np.ones(N), (rows, cols)), shape=(n, m))
    R = sp.csr_array((r, (rows, cols)), shape=(n, m))
    ObsT, RT = Obs.T.tocsr(), R.T.tocsr()
    n_u, n_s = np.asarray(Obs.sum(axis=1)).ravel(), np.asarray(Obs.sum(axis=0)).ravel()
    # The model's own arithmetic: lambda_i = 5 * 0.03 (not the literal 0.15,
    # one bit apart), times N / (n + m).
    lam_i, lam_f = 5 * 0.03, 0.03
    li, lf = lam_i * (N / (n + m)), lam_f * (N / (n + m))

    def side(obs, RR, n_obs, mu, b_o, f_o):
        sf, sff = obs @ f_o, obs @ (f_o**2)
        sy = RR @ np.ones(RR.shape[1]) - mu * n_obs - obs @ b_o
        syf = RR @ f_o - mu * sf - obs @ (b_o * f_o)
        a11, a22 = n_obs + li, sff + lf
        det = a11 * a22 - sf**2
        return (a22 * sy - sf * syf) / det, (a11 * syf - sf * sy) / det

    mu, losses = float(r.mean()), []
    for _ in range(max_iter):
        bu, fu = side(Obs, R, n_u, mu, bs, fs)
        bs, fs = side(ObsT, RT, n_s, mu, bu, fu)
        mu = float(np.mean(r - bu[rows] - bs[cols] - fu[rows] * fs[cols]))
        losses.append(bridging_loss(r, rows, cols, mu, bu, fu, bs, fs, lam_i, lam_f))
        if len(losses) > 1 and losses[-2] - losses[-1] <= 1e-9 * max(losses[-2], 1e-300):
            break
    if fs[np.argmax(np.abs(fs))] < 0:
        fs, fu = -fs, -fu
    assert np.array_equal(model.losses, losses)
    assert np.array_equal(model.statement_intercepts, bs)
    assert np.array_equal(model.statement_factors, fs)
    assert np.array_equal(model.participant_factors, fu)
    assert model.mu == mu
