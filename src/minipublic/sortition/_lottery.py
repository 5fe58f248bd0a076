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
        Proven bound on that deviation, ``k / m`` for a panel of ``k``
        (Flanigan, Kehne and Procaccia 2021; see :func:`round_lottery`).
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

    Every person's probability under the lottery is within ``k / m`` of the
    distribution's, for a panel of ``k`` (strictly: ``|pi'_i - pi_i| < k/m``):
    the bound that Flanigan, Kehne and Procaccia (2021) prove for their
    Beck-Fiala rounding of a panel distribution to an m-uniform lottery.

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
        ``bound`` is ``k / m``; ``max_deviation`` the largest change
        actually made (usually far smaller).

    Notes
    -----
    Composition ``P`` (``c_{P,t}`` seats for type ``t`` of ``n_t``
    interchangeable people; ``sum_t c_{P,t} = k``) has weight ``lambda_P``.
    It gets ``floor(m lambda_P)`` copies plus ``z_P`` in {0, 1}, found by
    Beck and Fiala's iterated rounding: start from the fractional parts
    ``y_P = m lambda_P - floor(m lambda_P)`` and keep the equalities

    - ``sum_{P in F} y_P = const`` (m panels in all), and
    - ``sum_{P in F} c_{P,t} y_P = const`` for each type ``t`` still kept
      (the type's seats),

    where ``F`` is the set of still fractional ``y_P``. Each round a vertex
    of this polytope (simplex with a random objective, from ``seed``) makes
    at least one more ``y_P`` integral. Rows are kept while there are fewer
    equalities than fractional panels; when one must go, it is the lightest
    (per member) of those whose *active seat mass*
    ``A_t = sum_{P in F} c_{P,t}`` is at most ``n_t (k - 1) + 1``, and each
    round lets go of up to ``|F| / 10`` more such rows, lightest first
    (:data:`EXTRA_DROP`: twenty times fewer rounds, and lotteries about as
    close). A row let go under this rule has its seats end within less
    than ``A_t`` of the target, so, with the
    type's seats dealt round its members in a random cyclic order (each
    gets the floor or the ceiling of the type's average), each member's
    count of panels ends within ``A_t / n_t + 1 - 1/n_t <= k`` of
    ``m pi_i``, strictly. A row whose coefficients on ``F`` are all equal
    repeats the first equality and is dropped at once (it stays exact). For
    a single person (``n_t = 1``) the rule is the paper's: a person's
    equality may go only once at most ``k`` fractional panels contain them.

    Why a vertex always makes progress: a row that may not go has
    ``A_t >= k + 1`` (``>= 2k`` when ``n_t >= 2``), and
    ``sum_t A_t = k |F|``. With ``|F| >= k + 2`` fewer than ``|F| - 1``
    such rows exist. With ``|F| <= k + 1`` a single person's such row
    would have them in every fractional panel (a repeat of the first
    equality, already dropped), and at most ``|F| / 2`` types' such rows
    remain: none when ``|F| = 2``, as ``A_t >= 2k`` over two panels of at
    most ``k`` seats makes the row equal on both. Either way enough rows
    may go to leave fewer equalities than ``|F|``, and a vertex has at
    most that many fractional coordinates.

    The paper also proves a bound of order ``sqrt(C log C) / m + 1/m`` for
    a pool with ``C`` distinct feature vectors (the authors' code evaluates
    ``sqrt((1 + ln 2 / ln C) / 2) sqrt(C ln C) / m + 1/m``), which beats
    ``k / m`` when ``C log C`` is small next to ``k**2``; it is not
    implemented here.

    References
    ----------
    Flanigan, B., Kehne, G., & Procaccia, A. D. (2021). Fair sortition made
    transparent. Advances in Neural Information Processing Systems 34,
    25720-25731. Beck-Fiala rounding bound ``k/m``; the authors' code
    (``beckfiala_round`` and ``compute_theoretical_bounds_indloss``:
    ``bounds['bf'] = k/M``) drops an agent's row once its final count is
    sure to lie within ``k`` of the target.

    Beck, J., & Fiala, T. (1981). "Integer-making" theorems. Discrete Applied
    Mathematics, 3(1), 1-8.

    Examples
    --------
    >>> import pandas as pd
    >>> from minipublic.sortition import find_distribution, pool_from_frame, quotas_from_frame
    >>> pool = pool_from_frame(pd.DataFrame({"id": list("abcde"),
    ...                                      "age": ["y", "y", "o", "o", "o"]}))
    >>> quotas = quotas_from_frame(pd.DataFrame(
    ...     {"feature": ["age", "age"], "value": ["y", "o"], "min": [1, 1], "max": [1, 1]}))
    >>> lottery = round_lottery(find_distribution(pool, quotas, 2), m=10)
    >>> lottery.bound, lottery.max_deviation < lottery.bound
    (0.2, True)
    """
    if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 1:
        raise InputError(f"m {m!r} must be a whole number >= 1", column="m")
    return _compute(distribution, int(m), seed_to_int(seed))


def _compute(dist: Distribution, m: int, seed: int) -> Lottery:
    rng = np.random.default_rng(seed)
    comps = np.asarray(dist.compositions, dtype=np.int64)
    size = np.asarray(dist.type_size, dtype=np.int64)
    k = int(dist.panel_size)
    counts = _beck_fiala(comps, dist.panel_probabilities, size, m, k, rng)
    # Expand to m concrete panels, dealing each type's seats round a random
    # cyclic order of its members: c <= n_t consecutive members are distinct,
    # and every member gets floor or ceil(seats / n_t) panels.
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
    bound = k / m
    # The guarantee is about the marginals the compositions imply; the
    # distribution's own probabilities may differ from them by solver tolerance.
    implied = (np.asarray(dist.panel_probabilities) @ (comps / np.maximum(size, 1)))[
        dist.person_type
    ]
    slack = (len(comps) * _TOL + 1e-9) / m  # snapping noise (see _snap)
    if len(ids) and np.abs(realised - implied).max() >= bound + slack:
        raise RuntimeError(  # pragma: no cover - would be a bug, never a bad input
            f"lottery rounding moved a probability by {np.abs(realised - implied).max():.6f}, "
            f"beyond its proven bound k/m = {bound:.6f}"
        )
    dev = float(np.abs(realised - dist.probabilities).max()) if len(ids) else 0.0
    return Lottery(
        panels=tuple(panels),
        ids=tuple(ids),
        target=dist.probabilities,
        realised=realised,
        max_deviation=dev,
        bound=bound,
        seed=seed,
        algorithm=dist.algorithm,
    )


# Fractional parts this close to 0 or 1 are solver noise: snapped.
_TOL = 1e-7
#: Share of the fractional panels' count of rows that a round may let go of
#: beyond the one or two it must (eligible rows only, lightest first; see
#: round_lottery's Notes). HiGHS factorises the basis afresh at every
#: re-solve (30 ms at 1 100 panels), so a round costs the same however
#: many panels it makes whole: with eight features at 2 000 / 100 (1 139
#: panels) 50 rounds instead of 1 080, 21.0 s against 43.6 s, the largest
#: change of a probability 0.0063 against 0.0057 and the mean 0.00146
#: against 0.00139 (bound 0.1); households (894 panels) 7.7 s against
#: 13.2 s, 0.0067 against 0.0053. A fifth: 16.1 s and 0.0073; a third
#: 9.7 s and 0.0078.
EXTRA_DROP = 0.1


def _snap(y: np.ndarray) -> np.ndarray:
    y = np.clip(y, 0.0, 1.0)
    y[y < _TOL] = 0.0
    y[y > 1 - _TOL] = 1.0
    return y


def _beck_fiala(
    comps: np.ndarray, lam: np.ndarray, size: np.ndarray, m: int, k: int, rng: np.random.Generator
) -> np.ndarray:
    """Copies per composition, summing to m (see :func:`round_lottery`, Notes).

    Trusts its input: ``comps`` (P, T) non-negative integers with row sums
    ``k`` and ``comps[:, t] <= size[t]``; ``lam`` (P,) non-negative, summing
    to 1.
    """
    x = m * np.asarray(lam, dtype=float)
    base = np.floor(x + _TOL)
    y = _snap(x - base)
    C = comps.T.astype(float)  # (T, P): seats of type t in composition P
    limit = size * (k - 1) + 1  # drop a type's row once its active seat mass is <= this
    dropped = np.zeros(C.shape[0], dtype=bool)
    polytope: _Polytope | None = None
    while True:
        F = np.nonzero((y > 0) & (y < 1))[0]
        if len(F) == 0:
            break
        if len(F) == 1:
            # The fractional parts sum to a whole number, so a lone one
            # is rounding noise (from weights of ~1e-9 / m, say).
            y[F] = np.round(y[F])
            continue
        sub = C[:, F]
        mass = sub.sum(axis=1)
        # A row equal on every fractional panel repeats the sum equality: it
        # stays exact without being kept.
        dropped |= sub.max(axis=1) == sub.min(axis=1)
        # Rows are kept as long as a vertex can still make progress (closer
        # lotteries in practice); when one must go, only a row whose mass is
        # within the limit may, the lightest per member first.
        excess = int((~dropped).sum()) + 2 - len(F)
        kept = np.nonzero(~dropped)[0]
        # Up to EXTRA_DROP |F| more, as long as every row let go is eligible.
        eligible = int((mass[kept] <= limit[kept]).sum())
        excess = max(excess, min(eligible, excess + int(EXTRA_DROP * len(F))))
        if excess > 0:
            # Eligible rows first (the counting argument says there are
            # enough), each group lightest per member first.
            key = np.lexsort((mass[kept] / size[kept], mass[kept] > limit[kept]))
            dropped[kept[key[:excess]]] = True
        rows = np.nonzero(~dropped)[0]
        if polytope is None:
            polytope = _Polytope(C, F)
        y_new = polytope.vertex(F, rows, y, rng)
        if y_new is None or ((y_new > 0) & (y_new < 1)).sum() >= len(F):
            # Only after numerical trouble in the LP. Fewer equalities
            # than fractional panels remain (see Notes), so a direction
            # keeping all of them exists: move along it to a bound.
            y_new = _null_step(sub[rows], y[F], rng)
        y[F] = y_new
    counts = (base + y).astype(np.int64)
    if int(counts.sum()) != m:  # pragma: no cover - a bug
        raise RuntimeError(f"lottery rounding made {int(counts.sum())} panels, not {m}")
    return counts


class _Polytope:
    """{0 <= z <= 1, C z = C y, sum z = sum y} over the panels first fractional, kept in one LP.

    Each round of the rounding asks for a vertex with a new random objective
    after a few panels became whole and a row or two went. Re-solving one
    HiGHS model from its last basis (panels now whole fixed at their value,
    rows gone made free) takes a few pivots, where a new LP each round took
    a cold solve: 394 rounds of about 0.25 s each for 397 panels. With a
    random objective the optimal vertex is unique (almost surely), so both
    ways give the same vertex, hence the same lottery for the same seed.
    """

    def __init__(self, C: np.ndarray, F: np.ndarray) -> None:
        self.cols = F  # model column j is panel F[j]
        self.where = {int(p): j for j, p in enumerate(F)}
        self.C = C[:, F]
        T, n = self.C.shape
        h = new_highs(solver="simplex", primal_feasibility_tolerance=1e-10)
        empty_i = np.array([], dtype=np.int32)
        h.addCols(n, np.zeros(n), np.zeros(n), np.ones(n), 0, empty_i, empty_i, np.array([]))
        for t in range(T):
            idx = np.nonzero(self.C[t])[0].astype(np.int32)
            h.addRow(-highspy.kHighsInf, highspy.kHighsInf, len(idx), idx, self.C[t, idx])
        h.addRow(-highspy.kHighsInf, highspy.kHighsInf, n, np.arange(n, dtype=np.int32), np.ones(n))
        h.changeObjectiveSense(highspy.ObjSense.kMinimize)
        self.h = h
        self.fixed = np.zeros(n, dtype=bool)

    def vertex(
        self, F: np.ndarray, rows: np.ndarray, y: np.ndarray, rng: np.random.Generator
    ) -> np.ndarray | None:
        """A vertex over the fractional panels ``F`` keeping ``rows`` and the sum (None on trouble).

        Draws ``len(F)`` normal costs from ``rng``, one per fractional panel.
        """
        h = self.h
        free = np.array([self.where[int(p)] for p in F], dtype=np.int32)
        newly = np.setdiff1d(np.nonzero(~self.fixed)[0], free).astype(np.int32)
        if len(newly):
            val = y[self.cols[newly]]
            h.changeColsBounds(len(newly), newly, val, val)
            h.changeColsCost(len(newly), newly, np.zeros(len(newly)))
            self.fixed[newly] = True
        cost = rng.normal(size=len(F))
        h.changeColsCost(len(free), free, cost)
        z_all = y[self.cols]
        T = self.C.shape[0]
        lo = np.full(T + 1, -highspy.kHighsInf)
        hi = np.full(T + 1, highspy.kHighsInf)
        rhs = self.C[rows] @ z_all
        lo[rows] = hi[rows] = rhs
        lo[T] = hi[T] = float(z_all.sum())
        every = np.arange(T + 1, dtype=np.int32)
        h.changeRowsBounds(T + 1, every, lo, hi)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        z = _snap(np.asarray(h.getSolution().col_value, dtype=float))
        # Reject a "vertex" that breaks the equalities beyond rounding noise.
        if (
            np.abs(self.C[rows] @ z - rhs).max(initial=0.0) > 1e-6
            or abs(z.sum() - lo[T]) > 1e-6
            or np.abs(z[self.fixed] - z_all[self.fixed]).max(initial=0.0) > 1e-9
        ):
            return None
        return z[free]


def _null_step(sub: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Move y along a random direction keeping ``sub y`` and ``sum y`` until a bound."""
    M = np.vstack([sub, np.ones((1, len(y)))])
    _, sv, vt = np.linalg.svd(M)
    rank = int((sv > 1e-10 * max(sv.max(initial=0.0), 1.0)).sum())
    basis = vt[rank:]
    d = rng.normal(size=len(basis)) @ basis
    d[np.abs(d) < 1e-15] = 0.0
    if not d.any():  # pragma: no cover - excluded by the counting argument
        raise RuntimeError("lottery rounding is stuck: no direction keeps the equalities")
    up = np.where(d > 0, (1 - y) / np.where(d > 0, d, 1), np.inf)
    down = np.where(d < 0, -y / np.where(d < 0, d, 1), np.inf)
    step = float(min(up.min(), down.min()))
    return _snap(y + step * d)


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
    panels: list[tuple[str, ...]] | Lottery,
    published_panel,
    public_seed: str,
    *,
    fingerprint: str | None = None,
    lottery_sha256: str | None = None,
) -> Verification:
    """Re-derive the draw and compare it with the published panel.

    Parameters
    ----------
    panels : Lottery or list of tuple of str
        The m panels, in order (from ``distribution.csv``).
    published_panel : iterable of str
        Ids of the panel that was announced.
    public_seed : str
    fingerprint : str, optional
        The lottery's SHA-256 as published (committed) *before* the seed was
        chosen. When given, the lottery must have exactly this fingerprint,
        otherwise the draw does not verify: a lottery swapped after the seed
        was known is caught here.
    lottery_sha256 : str, optional
        SHA-256 of the ``distribution.csv`` bytes the panels were read from.
        Needed with *fingerprint* when *panels* is a list; a :class:`Lottery`
        carries its own.

    Returns
    -------
    Verification
    """
    if isinstance(panels, Lottery):
        lottery_sha256 = panels.sha256
        panels = list(panels.panels)
    if not panels:
        raise InputError("the lottery has no panels")
    index, digest = lottery_index(public_seed, len(panels))
    expected = tuple(sorted(panels[index]))
    published = tuple(sorted(str(i) for i in published_panel))
    ok = expected == published
    msgs = []
    if fingerprint is not None:
        fingerprint = str(fingerprint).strip().lower()
        if lottery_sha256 is None:
            raise InputError("the lottery's SHA-256 is needed to check the fingerprint")
        if lottery_sha256.lower() == fingerprint:
            msgs.append(f"The lottery matches the committed fingerprint {fingerprint}.")
        else:
            ok = False
            msgs.append(
                f"The lottery does NOT match the committed fingerprint: its SHA-256 is "
                f"{lottery_sha256}, the fingerprint published before the draw is {fingerprint}."
            )
    msgs += [
        f"SHA-256 of the seed {str(public_seed).strip()!r} is {digest}.",
        f"{int(digest, 16)} mod {len(panels)} = {index}: panel {index} of the lottery.",
    ]
    if expected == published:
        msgs.append(f"The published panel of {len(published)} people matches panel {index}.")
    else:
        missing = sorted(set(expected) - set(published))
        extra = sorted(set(published) - set(expected))
        msgs.append(
            f"The published panel does NOT match panel {index}: "
            f"missing {', '.join(missing) or 'none'}; not expected {', '.join(extra) or 'none'}."
        )
    return Verification(ok, index, expected, published, tuple(msgs))
