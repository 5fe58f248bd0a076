"""Transparent lottery: round a distribution to m equally likely panels, draw from a public seed."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd

from minipublic.errors import InputError
from minipublic.sortition._distribution import Distribution, seed_to_int
from minipublic.sortition._model import new_highs

__all__ = [
    "Draw",
    "Lottery",
    "Verification",
    "draw",
    "lottery_from_frame",
    "lottery_index",
    "round_lottery",
    "verify",
]


@dataclass(frozen=True, eq=False)
class Lottery:
    """A uniform lottery: ``m`` panels, each drawn with probability ``1/m``.

    Attributes
    ----------
    panels : tuple of tuple of str
        The m panels (ids sorted); the same panel may appear several times.
    ids : tuple of str
        Everyone in the pool, pool order.
    target : ndarray, shape (n,)
        Selection probabilities of the distribution that was rounded.
    realised : ndarray, shape (n,)
        Selection probabilities under the lottery: panels containing the
        person, divided by m.
    max_deviation : float
        ``max_i |realised_i - target_i|``.
    bound : float
        Guaranteed bound on that deviation, ``(k + 2) / m`` (see
        :func:`round_lottery`).
    seed : int
        Seed of the rounding's random choices.
    algorithm : str
        Algorithm of the rounded distribution.
    """

    panels: tuple[tuple[str, ...], ...]
    ids: tuple[str, ...]
    target: np.ndarray
    realised: np.ndarray
    max_deviation: float
    bound: float
    seed: int
    algorithm: str

    @property
    def m(self) -> int:
        """Number of panels."""
        return len(self.panels)

    def to_frame(self) -> pd.DataFrame:
        """``panel,probability,ids`` with ids separated by spaces (``distribution.csv``)."""
        return pd.DataFrame(
            {
                "panel": range(self.m),
                "probability": [1.0 / self.m] * self.m,
                "ids": [" ".join(p) for p in self.panels],
            }
        )

    def to_csv(self) -> str:
        """The exact bytes written to ``distribution.csv`` (hashed in the manifest)."""
        buf = io.StringIO()
        buf.write("panel,probability,ids\n")
        prob = format(1.0 / self.m, ".12g")
        for j, panel in enumerate(self.panels):
            buf.write(f"{j},{prob},{' '.join(panel)}\n")
        return buf.getvalue()

    @property
    def sha256(self) -> str:
        """SHA-256 of :meth:`to_csv` (publish it before the seed is known)."""
        return hashlib.sha256(self.to_csv().encode("utf-8")).hexdigest()

    def to_dict(self) -> dict:
        """JSON-able summary (the panels themselves are in :meth:`to_csv`)."""
        return {
            "m": self.m,
            "max_deviation": self.max_deviation,
            "bound": self.bound,
            "seed": self.seed,
            "algorithm": self.algorithm,
            "sha256": self.sha256,
        }


@dataclass(frozen=True)
class Draw:
    """The panel drawn from a public seed.

    Attributes
    ----------
    public_seed : str
        The seed as announced (leading/trailing spaces removed).
    digest : str
        ``SHA-256(public_seed as UTF-8)`` in hex.
    index : int
        ``int(digest, 16) mod m``: the 0-based row of ``distribution.csv``.
    m : int
    panel : tuple of str
        Ids of the drawn panel.
    lottery_sha256 : str
    """

    public_seed: str
    digest: str
    index: int
    m: int
    panel: tuple[str, ...]
    lottery_sha256: str

    def to_dict(self) -> dict:
        """JSON-able form."""
        d = dict(self.__dict__)
        d["panel"] = list(self.panel)
        return d


@dataclass(frozen=True)
class Verification:
    """Result of :func:`verify`."""

    matches: bool
    index: int
    expected_panel: tuple[str, ...]
    published_panel: tuple[str, ...]
    messages: tuple[str, ...]

    def to_dict(self) -> dict:
        """JSON-able form."""
        return {
            "matches": self.matches,
            "index": self.index,
            "expected_panel": list(self.expected_panel),
            "published_panel": list(self.published_panel),
            "messages": list(self.messages),
        }


def lottery_index(public_seed: str, m: int) -> tuple[int, str]:
    """Index into m panels from a public seed: ``int(SHA-256(seed)) mod m``.

    The seed string has leading and trailing white space removed and is
    encoded as UTF-8; the 32-byte digest is read as a big-endian unsigned
    integer. The bias of the modulo is below ``m / 2**256``.

    Examples
    --------
    >>> lottery_index("12 31 7 44 9", 1000)[0]
    637
    """
    if m < 1:
        raise InputError(f"the lottery has {m} panels")
    digest = hashlib.sha256(str(public_seed).strip().encode("utf-8")).hexdigest()
    return int(digest, 16) % m, digest


def round_lottery(distribution: Distribution, *, m: int = 1000, seed: int | str = 0) -> Lottery:
    """Round a distribution to a uniform lottery over ``m`` panels.

    Parameters
    ----------
    distribution : Distribution
    m : int, default 1000
        Number of panels; each is drawn with probability ``1/m``.
    seed : int or str, default 0
        Seed for the rounding's random choices. It must be fixed before the
        public seed is known (the lottery is published first).

    Returns
    -------
    Lottery

    Notes
    -----
    Each composition ``P`` gets ``floor(m lambda_P)`` copies plus 0 or 1 more,
    chosen by iterative LP rounding in the manner of Beck and Fiala, as
    Flanigan, Kehne and Procaccia (2021) do: with ``y_P`` the fractional
    parts, the constraints ``sum_P y_P = const`` (m panels in all) and, for
    each type ``t`` still *active*, ``sum_P a_{P,t} y_P = const``
    (``a_{P,t} = c_{P,t}/n_t``) are kept while a vertex of the LP with a
    random objective makes at least one ``y_P`` integral. A type is dropped
    only when fewer rows than fractional panels would otherwise remain,
    and then the one with the least fractional mass, which is then at most
    ``k + 1``; its count therefore moves by less than ``k + 1`` in all.
    Within a type, the seats of the m panels are filled by cycling through a
    random order of its members, so each member gets the floor or the
    ceiling of the type's average (at most one more panel). Hence every
    person's lottery probability is within ``(k + 2) / m`` of the target;
    in practice far closer (``max_deviation``).

    References
    ----------
    Flanigan, B., Kehne, G., & Procaccia, A. D. (2021). Fair sortition made
    transparent. Advances in Neural Information Processing Systems 34.

    Beck, J., & Fiala, T. (1981). "Integer-making" theorems. Discrete Applied
    Mathematics, 3(1), 1-8.
    """
    if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 1:
        raise InputError(f"m {m!r} must be a whole number >= 1", column="m")
    return _compute(distribution, int(m), seed_to_int(seed))


def _compute(dist: Distribution, m: int, seed: int) -> Lottery:
    rng = np.random.default_rng(seed)
    comps = dist.compositions
    size = dist.type_size.astype(float)
    counts = _beck_fiala(comps, dist.panel_probabilities, size, m, rng)
    # Expand to m concrete panels, filling each type's seats cyclically.
    slots = np.repeat(np.arange(len(comps)), counts)
    members = [[] for _ in range(len(size))]
    for i, t in enumerate(dist.person_type):
        members[t].append(i)
    order = [rng.permutation(np.array(ms, dtype=np.int64)) for ms in members]
    pointer = np.zeros(len(size), dtype=np.int64)
    ids = dist.ids
    panels = []
    hits = np.zeros(len(ids), dtype=np.int64)
    for j in slots:
        chosen: list[int] = []
        for t in np.nonzero(comps[j])[0]:
            c = int(comps[j, t])
            n_t = len(order[t])
            take = order[t][(pointer[t] + np.arange(c)) % n_t]
            pointer[t] += c
            chosen.extend(int(x) for x in take)
        hits[chosen] += 1
        panels.append(tuple(sorted(ids[i] for i in chosen)))
    realised = hits / m
    dev = float(np.abs(realised - dist.probabilities).max())
    return Lottery(
        panels=tuple(panels),
        ids=tuple(ids),
        target=dist.probabilities,
        realised=realised,
        max_deviation=dev,
        bound=(dist.panel_size + 2) / m,
        seed=seed,
        algorithm=dist.algorithm,
    )


def _beck_fiala(
    comps: np.ndarray, lam: np.ndarray, size: np.ndarray, m: int, rng: np.random.Generator
) -> np.ndarray:
    """Integer copies per composition summing to m (see :func:`round_lottery`)."""
    x = m * np.asarray(lam, dtype=float)
    base = np.floor(x + 1e-9)
    y = np.clip(x - base, 0.0, 1.0)
    y[y < 1e-9] = 0.0
    y[y > 1 - 1e-9] = 1.0
    total = m - base.sum()
    A = (comps / size).T  # (T, P)
    active = np.ones(A.shape[0], dtype=bool)
    for _ in range(10 * len(y) + 10):
        F = np.nonzero((y > 0) & (y < 1))[0]
        if len(F) == 0:
            break
        sub = A[:, F]
        mass = sub.sum(axis=1)
        active &= mass > 1e-12
        rows = np.nonzero(active)[0]
        if len(rows) + 1 >= len(F):
            order = rows[np.argsort(mass[rows], kind="stable")]
            drop = len(rows) + 2 - len(F)
            active[order[:drop]] = False
            rows = np.nonzero(active)[0]
        y_new = _vertex(sub[rows], y[F], rng)
        if y_new is None:
            break
        y_new[y_new < 1e-9] = 0.0
        y_new[y_new > 1 - 1e-9] = 1.0
        if ((y_new > 0) & (y_new < 1)).sum() >= len(F) and len(rows):
            # No progress (numerical degeneracy): drop the lightest active row.
            active[rows[np.argmin(mass[rows])]] = False
        y[F] = y_new
    # Whatever is left fractional (only possible after numerical trouble) is
    # resolved by largest remainder, keeping the total.
    extra = int(round(total - np.floor(y + 1e-9).sum()))
    frac_order = np.argsort(-(y - np.floor(y + 1e-9)), kind="stable")
    add = np.floor(y + 1e-9)
    add[frac_order[: max(0, extra)]] += 1
    counts = (base + add).astype(np.int64)
    diff = m - counts.sum()
    if diff != 0:
        counts[np.argmax(lam)] += diff
    return counts


def _vertex(sub: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> np.ndarray | None:
    """A vertex of {0 <= z <= 1, sub z = sub y, sum z = sum y} with a random objective."""
    R, F = sub.shape
    h = new_highs(solver="simplex", primal_feasibility_tolerance=1e-10)
    cost = rng.normal(size=F)
    empty_i = np.array([], dtype=np.int32)
    h.addCols(F, cost, np.zeros(F), np.ones(F), 0, empty_i, empty_i, np.array([], dtype=float))
    rhs = sub @ y
    for r in range(R):
        idx = np.nonzero(sub[r])[0].astype(np.int32)
        h.addRow(float(rhs[r]), float(rhs[r]), len(idx), idx, sub[r, idx])
    s = float(y.sum())
    h.addRow(s, s, F, np.arange(F, dtype=np.int32), np.ones(F))
    h.changeObjectiveSense(highspy.ObjSense.kMinimize)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return np.clip(np.asarray(h.getSolution().col_value, dtype=float), 0.0, 1.0)


def draw(lottery: Lottery, public_seed: str) -> Draw:
    """Draw the panel of a lottery from a public seed.

    ``index = int(SHA-256(public_seed)) mod m`` (see :func:`lottery_index`);
    the panel is row ``index`` of ``distribution.csv``.

    Parameters
    ----------
    lottery : Lottery
    public_seed : str
        E.g. the numbers announced at a public ceremony, ``"12 31 7 44 9"``.

    Returns
    -------
    Draw
    """
    if str(public_seed).strip() == "":
        raise InputError("the public seed is empty", column="seed")
    index, digest = lottery_index(public_seed, lottery.m)
    return Draw(
        str(public_seed).strip(), digest, index, lottery.m, lottery.panels[index], lottery.sha256
    )


def lottery_from_frame(frame: pd.DataFrame, *, source: str = "distribution.csv") -> list[tuple]:
    """Panels (tuples of ids, in row order) from a ``panel,probability,ids`` table."""
    for col in ("panel", "probability", "ids"):
        if col not in frame.columns:
            raise InputError(f"missing column {col!r}", file=source, row=1, column=col)
    panels = []
    for j, (p, ids) in enumerate(zip(frame["panel"], frame["ids"], strict=True)):
        if str(p).strip() != str(j):
            raise InputError(
                f"panel number {p!r} should be {j} (rows in order from 0)",
                file=source,
                row=j + 2,
                column="panel",
            )
        panels.append(tuple(sorted(str(ids).split())))
    return panels


def verify(
    panels: list[tuple[str, ...]] | Lottery, published_panel, public_seed: str
) -> Verification:
    """Re-derive the draw and compare it with the published panel.

    Parameters
    ----------
    panels : Lottery or list of tuple of str
        The m panels, in order (from ``distribution.csv``).
    published_panel : iterable of str
        Ids of the panel that was announced.
    public_seed : str

    Returns
    -------
    Verification
    """
    if isinstance(panels, Lottery):
        panels = list(panels.panels)
    if not panels:
        raise InputError("the lottery has no panels")
    index, digest = lottery_index(public_seed, len(panels))
    expected = tuple(sorted(panels[index]))
    published = tuple(sorted(str(i) for i in published_panel))
    ok = expected == published
    msgs = [
        f"SHA-256 of the seed {str(public_seed).strip()!r} is {digest}.",
        f"{int(digest, 16)} mod {len(panels)} = {index}: panel {index} of the lottery.",
    ]
    if ok:
        msgs.append(f"The published panel of {len(published)} people matches panel {index}.")
    else:
        missing = sorted(set(expected) - set(published))
        extra = sorted(set(published) - set(expected))
        msgs.append(
            f"The published panel does NOT match panel {index}: "
            f"missing {', '.join(missing) or 'none'}; not expected {', '.join(extra) or 'none'}."
        )
    return Verification(ok, index, expected, published, tuple(msgs))
