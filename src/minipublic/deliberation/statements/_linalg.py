"""Sparse products and a truncated SVD without importing scipy.

Why: ``import scipy.sparse.linalg`` costs about 0.25 s of CPU (scipy.linalg,
the iterative solvers, the array-API layer), several times the whole
pipeline on a Polis conversation of a few hundred participants. The map
needs only two pieces of it: ARPACK's Lanczos iteration (for
:func:`svds`) and LAPACK's ``gesdd`` on an ``n x 2`` matrix. Both are
compiled extension modules inside scipy that import nothing but NumPy, so
they are loaded here from scipy's own files, and scipy's short Python
drivers around them (``scipy.sparse.linalg.svds`` with ``solver="arpack"``
and ``eigsh`` in standard mode, as in scipy 1.18) are followed step by step.
The results are the same to the last bit as scipy's; tests check it, and
would show a later scipy that changes its drivers. With a scipy before 1.18,
or one whose modules are not where 1.18 keeps them, everything here goes
through the scipy package instead (same results, slower start).

The sparse products sum each output in the same order as scipy's
``csr_matvec`` (the stored entries of a row in order, starting from 0), so
they too give scipy's results to the last bit.
"""

from __future__ import annotations

import functools
import importlib.machinery
import importlib.util
import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["Csr", "svds"]


@dataclass(frozen=True, eq=False)
class Csr:
    """A CSR matrix with the products the pipeline needs, without scipy's package.

    The products call scipy's own compiled ``csr_matvec`` / ``csr_matvecs``
    (loaded as described in the module docstring), so each output sums the
    stored entries of its row in order, exactly as ``scipy.sparse`` does;
    with scipy laid out otherwise they go through ``scipy.sparse.csr_array``.
    """

    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    shape: tuple[int, int]

    @classmethod
    def from_sorted(cls, data, rows, indices, shape) -> Csr:
        """From entries sorted by row (and in the wanted order within a row)."""
        index = _index_dtype(len(data), shape)
        indptr = np.zeros(shape[0] + 1, dtype=index)
        np.cumsum(np.bincount(rows, minlength=shape[0]), out=indptr[1:])
        return cls(
            np.ascontiguousarray(data, dtype=np.float64),
            np.ascontiguousarray(indices, dtype=index),
            indptr,
            (int(shape[0]), int(shape[1])),
        )

    @property
    def nnz(self) -> int:
        """Number of stored entries."""
        return int(len(self.data))

    @functools.cached_property
    def rows(self) -> np.ndarray:
        """Row of every stored entry."""
        return np.repeat(np.arange(self.shape[0]), np.diff(self.indptr))

    @functools.cached_property
    def T(self) -> Csr:  # noqa: N802  (as scipy names it)
        """The transpose in CSR form (``A.T.tocsr()``: each row in ascending column order)."""
        n, m = self.shape
        tools = _native()
        if tools is not None:
            indptr = np.zeros(m + 1, dtype=self.indptr.dtype)
            indices = np.empty(self.nnz, dtype=self.indices.dtype)
            data = np.empty(self.nnz)
            tools.sparse.csr_tocsc(
                n, m, self.indptr, self.indices, self.data, indptr, indices, data
            )
            return Csr(data, indices, indptr, (m, n))
        # A stable sort by column keeps each column's entries in row order;
        # NumPy sorts 16-bit keys by radix, in linear time.
        keys = self.indices.astype(np.uint16) if m <= 2**16 else self.indices
        order = np.argsort(keys, kind="stable")
        return Csr.from_sorted(self.data[order], self.indices[order], self.rows[order], (m, n))

    def matvec(self, x: np.ndarray) -> np.ndarray:
        """``A @ x`` for a vector ``x``."""
        n, m = self.shape
        x = np.ascontiguousarray(np.ravel(x), dtype=np.float64)
        tools = _native()
        if tools is None:
            return self._scipy() @ x
        y = np.zeros(n)
        tools.sparse.csr_matvec(n, m, self.indptr, self.indices, self.data, x, y)
        return y

    def rmatvec(self, y: np.ndarray) -> np.ndarray:
        """``A.T @ y``, as ``A.T.tocsr() @ y`` computes it."""
        return self.T.matvec(y)

    def matmat(self, x: np.ndarray) -> np.ndarray:
        """``A @ X`` for a dense ``X`` of shape ``(n_cols, k)``."""
        n, m = self.shape
        x = np.ascontiguousarray(x, dtype=np.float64)
        tools = _native()
        if tools is None:
            return self._scipy() @ x
        k = x.shape[1]
        y = np.zeros((n, k))
        tools.sparse.csr_matvecs(
            n, m, k, self.indptr, self.indices, self.data, x.ravel(), y.ravel()
        )
        return y

    def row_sums(self) -> np.ndarray:
        """``A @ ones``."""
        return self.matvec(np.ones(self.shape[1]))

    def toarray(self) -> np.ndarray:
        """The dense matrix."""
        out = np.zeros(self.shape)
        out[self.rows, self.indices] = self.data
        return out

    def _scipy(self):
        import scipy.sparse as sp

        return sp.csr_array((self.data, self.indices, self.indptr), shape=self.shape)


def _index_dtype(nnz: int, shape: tuple[int, int]):
    """int32 while it can hold every index, as scipy chooses."""
    limit = np.iinfo(np.int32).max
    return np.int32 if max(nnz, *shape) <= limit else np.int64


# --- scipy's compiled ARPACK and LAPACK, loaded without the scipy package ---

_NATIVE: list = []


def _load(directory: str, relative: str, name: str):
    """The extension module ``name`` from scipy's folder ``relative``, not registered in sys.modules."""
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = os.path.join(directory, relative, name + suffix)
        if os.path.exists(path):
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module
    raise ImportError(name)


class _Native:
    def __init__(self, arpack, batched, sparse, int_dtype):
        self.arpack, self.batched, self.sparse, self.int_dtype = arpack, batched, sparse, int_dtype


def _native():
    """scipy's compiled ARPACK, LAPACK SVD and sparse products, or None when not found."""
    if not _NATIVE:
        try:
            spec = importlib.util.find_spec("scipy")
            directory = list(spec.submodule_search_locations)[0]
            config = _load_source(os.path.join(directory, "__config__.py"), "_scipy_config")
            if not config.__dict__.get("_built_with_meson"):
                raise ImportError("scipy config")
            version = _scipy_version(directory)
            if version < (1, 18):  # the modules below appeared in this form in 1.18
                raise ImportError(f"scipy {version}")
            ilp64 = bool(config.CONFIG["Build Dependencies"]["lapack"].get("has ilp64", False))
            arpack = _load(directory, "sparse/linalg/_eigen/arpack", "_arpacklib")
            batched = _load(directory, "linalg", "_batched_linalg")
            sparse = _load(directory, "sparse", "_sparsetools")
            for module, names in (
                (arpack, ("dsaupd_wrap", "dseupd_wrap")),
                (batched, ("_svd",)),
                (sparse, ("csr_matvec", "csr_matvecs", "csr_tocsc")),
            ):
                if not all(callable(getattr(module, name, None)) for name in names):
                    raise ImportError(module.__name__)
            _NATIVE.append(_Native(arpack, batched, sparse, np.int64 if ilp64 else np.int32))
        except (ImportError, OSError, KeyError, AttributeError, TypeError, IndexError, ValueError):
            _NATIVE.append(None)
    return _NATIVE[0]


def _load_source(path: str, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None:
        raise ImportError(path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _scipy_version(directory: str) -> tuple[int, ...]:
    with open(os.path.join(directory, "version.py"), encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("version ="):
                text = line.split("=", 1)[1].strip().strip("'\"")
                return tuple(int(p) for p in text.split(".")[:2])
    raise ImportError("scipy version")


def svds(
    matvec: Callable[[np.ndarray], np.ndarray],
    rmatvec: Callable[[np.ndarray], np.ndarray],
    shape: tuple[int, int],
    *,
    k: int,
    v0: np.ndarray,
    tol: float,
    maxiter: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Top ``k`` singular values and right singular vectors of an operator.

    The same as ``scipy.sparse.linalg.svds(LinearOperator(shape, matvec,
    rmatvec), k=k, v0=v0, tol=tol, maxiter=maxiter)`` (ARPACK on the Gram
    operator of the smaller side, then an SVD of the ``max(shape) x k``
    image), returning ``(s, vt)`` in ARPACK's order (ascending).

    Raises
    ------
    RuntimeError
        ARPACK did not converge or reported an error.
    """
    native = _native()
    if native is not None:
        try:
            return _svds_native(matvec, rmatvec, shape, k, v0, tol, maxiter, native)
        except _NewStartVectorError:
            # ARPACK met an invariant subspace and wants a random vector, which
            # scipy draws from fresh OS entropy: leave that rare case to scipy.
            pass
    from scipy.sparse.linalg import LinearOperator
    from scipy.sparse.linalg import svds as scipy_svds

    op = LinearOperator(shape, matvec=matvec, rmatvec=rmatvec, dtype=np.float64)
    _, s, vt = scipy_svds(op, k=k, v0=v0, tol=tol, maxiter=maxiter)
    return s, vt


class _NewStartVectorError(Exception):
    pass


def _svds_native(matvec, rmatvec, shape, k, v0, tol, maxiter, native):
    arpack, batched, int_dtype = native.arpack, native.batched, native.int_dtype
    n, m = shape
    if n >= m:
        x_dot, xh_dot, transpose = matvec, rmatvec, False
    else:
        x_dot, xh_dot, transpose = rmatvec, matvec, True
    dim = min(n, m)
    eigvec = _eigsh(lambda x: xh_dot(x_dot(x)), dim, k, v0, tol**2, maxiter, arpack, int_dtype)
    eigvec, _ = np.linalg.qr(eigvec)
    av = np.hstack([np.asarray(x_dot(col.reshape(-1, 1))).reshape(-1, 1) for col in eigvec.T])
    if not np.isfinite(av).all():
        raise ValueError("array must not contain infs or NaNs")
    overwrite = bool(av.ndim == 2 and av.flags["F_CONTIGUOUS"])
    u, s, vh, errors = batched._svd(av, "gesdd", True, False, overwrite)
    if errors:
        raise RuntimeError(f"SVD did not converge: {errors}")
    u, s, vh = u[:, ::-1], s[::-1], vh[::-1]
    vt = u.T.conj() if transpose else vh @ eigvec.T.conj()
    return s, vt


def _eigsh(op, n, k, v0, tol, maxiter, arpack, int_dtype) -> np.ndarray:
    """scipy's ``eigsh`` in mode 1, ``which="LM"``, with a start vector: the eigenvectors."""
    ncv = max(2 * k + 1, 20)
    ncv_used = min(ncv, n)
    if k >= n or ncv_used <= k:
        raise ValueError(f"k={k} too large for an operator of size {n}")
    resid = np.array(v0, copy=True, dtype="d")
    v = np.zeros((n, ncv), "d")
    state = {
        "tol": tol,
        "getv0_rnorm0": 0.0,
        "aitr_betaj": 0.0,
        "aitr_rnorm1": 0.0,
        "aitr_wnorm": 0.0,
        "aup2_rnorm": 0.0,
        "ido": 0,
        "which": 0,  # LM
        "bmat": 0,  # I
        "info": 1,  # start from resid
        "iter": 0,
        "maxiter": int(maxiter),
        "mode": 1,
        "n": n,
        "nconv": 0,
        "ncv": ncv_used,
        "nev": k,
        "np": 0,
        "shift": 1,
        **dict.fromkeys(
            [
                "getv0_first",
                "getv0_iter",
                "getv0_itry",
                "getv0_orth",
                "aitr_iter",
                "aitr_j",
                "aitr_orth1",
                "aitr_orth2",
                "aitr_restart",
                "aitr_step3",
                "aitr_step4",
                "aitr_ierr",
                "aup2_initv",
                "aup2_iter",
                "aup2_getv0",
                "aup2_cnorm",
                "aup2_kplusp",
                "aup2_nev",
                "aup2_nev0",
                "aup2_np0",
                "aup2_numcnv",
                "aup2_update",
                "aup2_ushift",
            ],
            0,
        ),
    }
    workd = np.zeros(3 * n, dtype="d")
    workl = np.zeros(ncv_used * (ncv_used + 8), dtype="d")
    ipntr = np.zeros(11, dtype=int_dtype)
    while True:
        arpack.dsaupd_wrap(state, resid, v, ipntr, workd, workl)
        ido = state["ido"]
        if ido in (1, 5):
            x = slice(ipntr[0], ipntr[0] + n)
            y = slice(ipntr[1], ipntr[1] + n)
            workd[y] = np.asarray(op(workd[x])).reshape(n)
        elif ido == 2:
            x = slice(ipntr[0], ipntr[0] + n)
            y = slice(ipntr[1], ipntr[1] + n)
            workd[y] = workd[x]
        elif ido == 4:
            raise _NewStartVectorError
        elif ido == 3:
            raise RuntimeError("ARPACK requested user shifts")
        else:
            if state["info"] != 0:
                raise RuntimeError(
                    f"ARPACK stopped with info={state['info']} after {state['iter']} iterations"
                )
            break
    state["info"] = 0
    sselect = np.zeros(ncv_used, dtype=int_dtype)
    d = np.zeros(k, dtype="d")
    z = np.zeros((n, ncv_used), dtype="d", order="F")
    arpack.dseupd_wrap(state, True, 0, sselect, d, z, 0, resid, v, ipntr, workd, workl)
    if state["info"] != 0:
        raise RuntimeError(f"ARPACK's eigenvector extraction failed (info={state['info']})")
    return z[:, : state["nconv"]].copy(order="C")
