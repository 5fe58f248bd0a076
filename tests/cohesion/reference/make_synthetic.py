"""Write the committed synthetic survey used by the R-checked tests.

Run from the repository root:

    .venv/bin/python tests/cohesion/reference/make_synthetic.py

It writes tests/cohesion/fixtures/responses.csv and tests/cohesion/fixtures/scales.csv
(seeded: the same files every time).
"""

from pathlib import Path

from minipublic.cohesion import simulate_survey

SEED = 20251125
OUT = Path(__file__).resolve().parents[1] / "fixtures"

if __name__ == "__main__":
    responses, scales = simulate_survey(n_pool=360, n_public=60, seed=SEED)
    OUT.mkdir(exist_ok=True)
    responses.drop(columns=["z"]).to_csv(OUT / "responses.csv", index=False, float_format="%.15g")
    out = scales.copy()
    out["reverse"] = out["reverse"].astype(int)
    out["min"] = out["min"].map(lambda v: f"{v:g}")
    out["max"] = out["max"].map(lambda v: f"{v:g}")
    out.to_csv(OUT / "scales.csv", index=False)
    print(f"wrote {len(responses)} rows and {len(scales)} items to {OUT}")
