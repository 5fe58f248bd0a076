"""Sparse Polis PCA against a dense mean-imputed PCA (scikit-learn) and red-dwarf."""

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA

from minipublic.deliberation.statements import build_vote_matrix, polis_pca


def random_votes(n=60, m=15, density=0.5, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for p in range(n):
        for s in range(m):
            if rng.random() < density or s == 0:
                rows.append((p, s, int(rng.choice([-1, 0, 1], p=[0.35, 0.2, 0.45]))))
    return pd.DataFrame(rows, columns=["participant", "statement", "vote"])


def dense_oracle(matrix):
    """Polis' PCA written the slow, obvious way: impute means, sklearn PCA, scale."""
    X = matrix.to_dense()
    mean = np.nanmean(X, axis=0)
    imputed = np.where(np.isnan(X), mean, X)
    pca = PCA(n_components=2, svd_solver="full").fit(imputed)
    n_votes = (~np.isnan(X)).sum(axis=1)
    proj = pca.transform(imputed) * np.sqrt(X.shape[1] / np.maximum(n_votes, 1))[:, None]
    return mean, pca, proj


def align(a, b):
    """Flip the columns of b to match a's signs."""
    signs = np.sign(np.sum(a * b, axis=0))
    return b * signs


def test_sparse_pca_equals_dense_imputed_pca():
    m = build_vote_matrix(random_votes())
    ours = polis_pca(m, seed=3)
    mean, pca, proj = dense_oracle(m)
    np.testing.assert_allclose(ours.center, mean, atol=1e-12)
    comps = align(pca.components_.T, ours.components.T).T
    np.testing.assert_allclose(comps, pca.components_, atol=1e-7)
    np.testing.assert_allclose(ours.explained_variance, pca.explained_variance_, rtol=1e-7)
    np.testing.assert_allclose(align(proj, ours.projections), proj, atol=1e-7)


def test_hand_computed_projection_and_extremity():
    # Three participants, two statements; participant 2 voted once.
    votes = pd.DataFrame(
        {"participant": [0, 0, 1, 1, 2], "statement": [0, 1, 0, 1, 0], "vote": [1, 1, -1, -1, 1]}
    )
    res = polis_pca(build_vote_matrix(votes), n_components=1)
    # mu = (1/3, 0); deviations: p0 (2/3, 1), p1 (-4/3, -1), p2 (2/3, .)
    np.testing.assert_allclose(res.center, [1 / 3, 0])
    v = res.components[0]
    expected_p2 = np.sqrt(2 / 1) * (2 / 3) * v[0]  # sqrt(m / n_i) scaling
    assert np.isclose(res.projections[2, 0], expected_p2)
    # Polis' extremity: a virtual participant disagreeing with statement j alone,
    # sqrt(m) * |-1 - mu_j| * |v_j|: sqrt(2) * 4/3 * |v0| and sqrt(2) * 1 * |v1|.
    assert np.isclose(res.extremity[0], np.sqrt(2) * (4 / 3) * abs(v[0]))
    assert np.isclose(res.extremity[1], np.sqrt(2) * abs(v[1]))
    # The plotted statement position is the agreeing virtual participant.
    assert np.isclose(res.statement_projections[0, 0], np.sqrt(2) * (2 / 3) * v[0])


def test_hidden_statement_scaling_matches_polis_zeroed_columns():
    """Polis zeroes moderated-out columns: they count as votes in the scaling."""
    m = build_vote_matrix(random_votes(seed=4))
    plain = polis_pca(m, seed=0)
    hidden = polis_pca(m, seed=0, n_hidden=3)
    n_votes = m.votes_per_participant()
    k = m.shape[1]
    ratio = np.sqrt((k + 3) / (n_votes + 3)) / np.sqrt(k / n_votes)
    np.testing.assert_allclose(hidden.projections, plain.projections * ratio[:, None], atol=1e-9)


def test_warm_start_reaches_the_same_components_faster():
    m = build_vote_matrix(random_votes(n=300, m=40, seed=1))
    cold = polis_pca(m, seed=0)
    warm = polis_pca(m, seed=1, start=cold.components)
    np.testing.assert_allclose(np.abs(warm.components), np.abs(cold.components), atol=1e-6)
    assert warm.n_iter <= cold.n_iter


def test_matches_red_dwarf_reducer():
    from reddwarf.utils.reducer.base import run_reducer

    m = build_vote_matrix(random_votes(n=80, m=20, seed=7))
    X_rd, _, _ = run_reducer(m.to_dense(), reducer="pca", random_state=0)
    ours = polis_pca(m, seed=0).projections
    np.testing.assert_allclose(np.abs(ours), np.abs(X_rd), atol=1e-6)
