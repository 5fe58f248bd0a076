"""The scipy-free sparse products and SVD give scipy's numbers to the last bit."""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.linalg import LinearOperator
from scipy.sparse.linalg import svds as scipy_svds

from minipublic.deliberation.statements import _linalg
from minipublic.deliberation.statements._linalg import Csr, svds


@pytest.fixture(params=["native", "scipy"])
def mode(request, monkeypatch):
    """Both routes: scipy's kernels loaded directly, and plain ``import scipy``."""
    if request.param == "native":
        assert _linalg._native() is not None, "scipy's compiled modules were not found"
    else:
        monkeypatch.setattr(_linalg, "_NATIVE", [None])
    return request.param


def random_csr(rng, n, m, density=0.3):
    a = sp.random_array((n, m), density=density, format="csr", rng=rng)
    a.sort_indices()
    return a, Csr(a.data, a.indices, a.indptr, a.shape)


def test_products_and_transpose_equal_scipy(mode):
    rng = np.random.default_rng(0)
    for n, m in [(1, 1), (7, 3), (3, 9), (120, 45), (40, 300)]:
        a, c = random_csr(rng, n, m)
        at = a.T.tocsr()
        assert np.array_equal(c.T.indptr, at.indptr)
        assert np.array_equal(c.T.indices, at.indices)
        assert np.array_equal(c.T.data, at.data)
        x, y, xs = rng.normal(size=m), rng.normal(size=n), rng.normal(size=(m, 4))
        assert np.array_equal(c.matvec(x), a @ x)
        assert np.array_equal(c.rmatvec(y), at @ y)
        assert np.array_equal(c.matmat(xs), a @ xs)
        assert np.array_equal(c.row_sums(), a @ np.ones(m))
        assert np.array_equal(c.toarray(), a.toarray())


@pytest.mark.parametrize("shape", [(60, 20), (20, 60), (200, 120), (35, 35)])
def test_svds_equals_scipy_svds_bit_for_bit(mode, shape):
    rng = np.random.default_rng(sum(shape))
    a, c = random_csr(rng, *shape, density=0.4)
    at = a.T.tocsr()
    v0 = rng.standard_normal(min(shape))
    op = LinearOperator(shape, matvec=lambda x: a @ x, rmatvec=lambda y: at @ y, dtype=float)
    _, s_ref, vt_ref = scipy_svds(op, k=2, v0=v0, tol=0.0, maxiter=100 * max(shape))
    s, vt = svds(c.matvec, c.rmatvec, shape, k=2, v0=v0, tol=0.0, maxiter=100 * max(shape))
    assert np.array_equal(s, s_ref)
    assert np.array_equal(vt, vt_ref)


def test_native_route_does_not_import_scipy():
    import subprocess
    import sys

    code = (
        "import sys, numpy as np\n"
        "from minipublic.deliberation.statements._linalg import Csr, svds, _native\n"
        "assert _native() is not None\n"
        "rng = np.random.default_rng(0)\n"
        "rows = np.repeat(np.arange(30), 10)\n"
        "cols = np.tile(np.arange(10), 30)\n"
        "c = Csr.from_sorted(rng.normal(size=300), rows, cols, (30, 10))\n"
        "svds(c.matvec, c.rmatvec, (30, 10), k=2, v0=rng.normal(size=10), tol=0.0, maxiter=3000)\n"
        "c.T.matvec(np.ones(30))\n"
        "print([m for m in sys.modules if m == 'scipy' or m.startswith('scipy.')])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
