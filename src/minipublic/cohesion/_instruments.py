"""The instrument bank: survey items for the three levels of cohesion, with sources.

The bank is data (``data/instruments.csv`` shipped in the package) so that the
site can build registration (short form) and wave (full form) surveys from it.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import pandas as pd

from minipublic.errors import InputError

BANK_COLUMNS = (
    "item",
    "scale",
    "level",
    "form",
    "min",
    "max",
    "reverse",
    "response_scale",
    "text_en",
    "text_cy",
    "source",
)
FORMS = ("short", "full")
LANGUAGES = ("en", "cy")


@lru_cache(maxsize=1)
def _bank() -> pd.DataFrame:
    with resources.files("minipublic.cohesion").joinpath("data/instruments.csv").open("rb") as fh:
        bank = pd.read_csv(fh, dtype={"text_cy": str}, keep_default_na=False)
    bank["reverse"] = bank["reverse"].astype(int).astype(bool)
    bank["min"] = bank["min"].astype(float)
    bank["max"] = bank["max"].astype(float)
    return bank


def instrument_bank(*, form: str = "full") -> pd.DataFrame:
    """The instrument bank as a table, one row per item.

    Parameters
    ----------
    form : {"full", "short"}, default "full"
        ``"short"`` keeps the items asked at registration; ``"full"`` keeps every
        item (asked at each survey wave). Short-form items are a subset of the full form.

    Returns
    -------
    pandas.DataFrame
        Columns ``item, scale, level, form, min, max, reverse, response_scale,
        text_en, text_cy, source``. ``level`` is ``macro``, ``meso`` or ``micro``
        for cohesion scales, ``registration`` for disengagement reasons and
        ``policy`` for climate-policy attitudes. ``text_cy`` (Welsh) is empty:
        Welsh wording is left to professional translators.

    Examples
    --------
    >>> bank = instrument_bank(form="short")
    >>> bank.loc[bank["item"] == "trust_people", "source"].iloc[0][:24]
    'European Social Survey c'
    """
    if form not in FORMS:
        raise InputError(f"form must be one of {', '.join(FORMS)}, got {form!r}", column="form")
    bank = _bank()
    if form == "short":
        bank = bank[bank["form"] == "short"]
    return bank.reset_index(drop=True).copy()


def instrument_scales(
    *, form: str = "full", levels: tuple[str, ...] = ("macro", "meso", "micro")
) -> pd.DataFrame:
    """A ``scales.csv`` table (the data contract) for the bank's cohesion items.

    Parameters
    ----------
    form : {"full", "short"}, default "full"
    levels : tuple of str, default ("macro", "meso", "micro")

    Returns
    -------
    pandas.DataFrame
        Columns ``scale, level, item, reverse, min, max``.
    """
    bank = instrument_bank(form=form)
    bank = bank[bank["level"].isin(levels)]
    return bank.loc[:, ["scale", "level", "item", "reverse", "min", "max"]].reset_index(drop=True)


def survey_items(*, form: str = "full", language: str = "en") -> list[dict]:
    """Items as plain dictionaries, ready for a survey form.

    Parameters
    ----------
    form : {"full", "short"}, default "full"
    language : {"en", "cy"}, default "en"
        ``"cy"`` falls back to English for items without a Welsh text (all at
        present); each dictionary says which language its ``text`` is in.

    Returns
    -------
    list of dict
        Keys ``item, scale, level, text, language, response_scale, min, max, source``.
    """
    if language not in LANGUAGES:
        raise InputError(f"language must be one of {', '.join(LANGUAGES)}, got {language!r}")
    out = []
    for rec in instrument_bank(form=form).itertuples(index=False):
        text, lang = rec.text_en, "en"
        if language == "cy" and rec.text_cy:
            text, lang = rec.text_cy, "cy"
        out.append(
            {
                "item": rec.item,
                "scale": rec.scale,
                "level": rec.level,
                "text": text,
                "language": lang,
                "response_scale": rec.response_scale,
                "min": rec.min,
                "max": rec.max,
                "source": rec.source,
            }
        )
    return out
