"""Seeded synthetic survey data that follows the data contract (for examples, tests, benchmarks)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit

from minipublic.cohesion._data import check_scales
from minipublic.cohesion._instruments import instrument_scales
from minipublic.errors import InputError


def simulate_survey(
    *,
    n_pool: int = 360,
    n_public: int = 60,
    scales: pd.DataFrame | None = None,
    waves: tuple[str, ...] = ("T0", "T1", "T2"),
    effect: float = 0.3,
    trend_slope: float = 0.25,
    selection_slope: float = 1.0,
    mean_selection_probability: float = 0.3,
    missing_rate: float = 0.02,
    dropout: float = 0.12,
    seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    r"""Simulate a cohesion survey: members, comparison volunteers and the public over waves.

    Each scale has a latent factor :math:`\eta` (standard normal at baseline;
    scales correlate 0.5 within a level and 0.3 across levels). Each item is
    :math:`x = c + h\,(\lambda\eta + \sqrt{1-\lambda^2}\,\varepsilon)/3`, rounded and
    clipped to the item's range (``c`` the midpoint, ``h`` half the range,
    loadings :math:`\lambda \sim U(0.6, 0.9)`), reverse keyed where the scales say so.

    A covariate :math:`z \sim N(0,1)` drives both selection and change: every
    volunteer's selection probability is :math:`p = \mathrm{expit}(a + b z)`
    (``b = selection_slope``, ``a`` set so the mean is ``mean_selection_probability``),
    members are drawn by independent Bernoulli(p) lotteries, and every latent
    factor moves by ``trend_slope * z`` after baseline. Members gain ``effect``
    (in latent SD units) at the second wave and half of it at later waves.
    So the naive difference in differences is biased by the selection on ``z``,
    and the odds-of-selection weighting removes the bias.

    Parameters
    ----------
    n_pool : int, default 360
        Registered volunteers (members plus comparison).
    n_public : int, default 60
        Outside-sample respondents (``arm = public``; no selection probability).
    scales : pandas.DataFrame, optional
        Scales table; default the instrument bank's full-form cohesion scales.
    waves : tuple of str, default ("T0", "T1", "T2")
    effect, trend_slope, selection_slope, mean_selection_probability : float
    missing_rate : float, default 0.02
        Share of item answers left empty at random.
    dropout : float, default 0.12
        Base share of people missing each later wave (more likely for low baseline trust).
    seed : int, default 0

    Returns
    -------
    responses : pandas.DataFrame
        Long table per the data contract, plus ``reason_no_point`` (0/1) and ``z``.
    scales : pandas.DataFrame
    """
    if scales is None:
        scales = instrument_scales(form="full")
    scales = check_scales(scales)
    if n_pool < 2 or n_public < 0 or len(waves) < 1:
        raise InputError(f"need n_pool >= 2 and n_public >= 0, got {n_pool}, {n_public}")
    rng = np.random.default_rng(seed)
    n = n_pool + n_public
    names = list(pd.unique(scales["scale"]))
    lvl = scales.groupby("scale")["level"].first().reindex(names).to_numpy()
    k = len(names)
    phi = np.where(lvl[:, None] == lvl[None, :], 0.5, 0.3)
    np.fill_diagonal(phi, 1.0)
    eta0 = rng.standard_normal((n, k)) @ np.linalg.cholesky(phi).T
    z = rng.standard_normal(n)
    a = np.log(mean_selection_probability / (1 - mean_selection_probability))
    p = expit(a + selection_slope * z)
    member = np.zeros(n, dtype=bool)
    member[:n_pool] = rng.random(n_pool) < p[:n_pool]
    arm = np.where(member, "member", "comparison")
    arm[n_pool:] = "public"
    prob = p.copy()
    prob[n_pool:] = np.nan
    lam = rng.uniform(0.6, 0.9, size=len(scales))
    scale_pos = {s: i for i, s in enumerate(names)}
    col = np.array([scale_pos[s] for s in scales["scale"]])
    lo = scales["min"].to_numpy()
    hi = scales["max"].to_numpy()
    rev = scales["reverse"].to_numpy(dtype=bool)
    macro = [i for i, lv in enumerate(lvl) if lv == "macro"]
    trust0 = eta0[:, macro].mean(axis=1) if macro else eta0.mean(axis=1)
    no_point = (rng.random(n) < expit(-1.0 - 1.2 * trust0)).astype(int)
    persons = np.array([f"P{i + 1:05d}" for i in range(n)])
    frames = []
    for t, wave in enumerate(waves):
        if t == 0:
            eta = eta0
            present = np.ones(n, dtype=bool)
        else:
            gain = effect if t == 1 else effect / 2
            eta = eta0 + 0.3 * rng.standard_normal((n, k)) + trend_slope * z[:, None]
            eta = eta + gain * member[:, None]
            present = rng.random(n) > expit(np.log(dropout / (1 - dropout)) - 0.6 * trust0)
        e = rng.standard_normal((n, len(scales)))
        cont = lam * eta[:, col] + np.sqrt(1 - lam**2) * e
        x = np.clip(np.rint((lo + hi) / 2 + (hi - lo) / 2 * cont / 3), lo, hi)
        x[:, rev] = (lo + hi)[rev] - x[:, rev]
        x[rng.random(x.shape) < missing_rate] = np.nan
        df = pd.DataFrame(
            {
                "person": persons,
                "wave": wave,
                "arm": arm,
                "selection_probability": prob,
            }
        )
        df = pd.concat([df, pd.DataFrame(x, columns=list(scales["item"]))], axis=1)
        df["reason_no_point"] = no_point
        df["z"] = z
        frames.append(df[present])
    responses = pd.concat(frames, ignore_index=True)
    return responses, scales
