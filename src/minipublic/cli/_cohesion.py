"""``minipublic cohesion``: cohesion survey analysis over CSV files (no server)."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from minipublic.cli._lazy import LazyConsole, progress_bar
from minipublic.errors import MinipublicError

app = typer.Typer(
    help="Cohesion evaluation: reliability, factor structure and effects of the assembly.",
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help, without importing rich (see _app.py)
)
_err = LazyConsole(stderr=True)
_out = LazyConsole()
FLOAT = "%.17g"  # full precision in every CSV

Responses = Annotated[
    Path,
    typer.Argument(help="Long responses CSV (person, wave, arm, selection_probability, items)."),
]
Scales = Annotated[Path, typer.Argument(help="scales.csv: scale, level, item, reverse, min, max.")]
OutDir = Annotated[Path, typer.Option("--out", help="Folder for the outputs (created if needed).")]


@contextmanager
def _guard():
    """Show a user-facing error as one red line and exit with status 2."""
    try:
        yield
    except MinipublicError as exc:
        _err.print(f"[red]error: {exc}[/red]", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


def _progress(label: str):
    return progress_bar(_err, label)


def _load(responses: Path, scales: Path):
    from minipublic.cohesion import read_responses, read_scales

    sc = read_scales(scales)
    return read_responses(responses, sc), sc


def _outdir(out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    return out


@app.command()
def reliability(
    responses: Responses,
    scales: Scales,
    wave: Annotated[str, typer.Option(help="Wave to analyse, e.g. T0.")],
    out: OutDir,
) -> None:
    """Cronbach's alpha and omega total per scale: writes DIR/reliability.csv and DIR/item_total.csv."""
    from minipublic.cohesion import reliability as run

    with _guard():
        r, sc = _load(responses, scales)
        with _progress("reliability") as progress:
            res = run(r, sc, wave=wave, progress=progress)
        out = _outdir(out)
        res.table[["scale", "alpha", "omega_total", "n"]].to_csv(
            out / "reliability.csv", index=False, float_format=FLOAT
        )
        res.item_total.to_csv(out / "item_total.csv", index=False, float_format=FLOAT)
    _out.print(res.table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    _out.print(f"wrote {out / 'reliability.csv'} and {out / 'item_total.csv'}")


@app.command()
def cfa(
    responses: Responses,
    scales: Scales,
    wave: Annotated[str, typer.Option(help="Wave for the single-group CFA, e.g. T0.")],
    out: OutDir,
    by: Annotated[str, typer.Option(help="One factor per 'scale' or per 'level'.")] = "scale",
    invariance: Annotated[
        bool,
        typer.Option("--invariance/--no-invariance", help="Also test invariance across waves."),
    ] = True,
    waves: Annotated[
        str | None, typer.Option(help="Comma-separated waves for invariance (default: all).")
    ] = None,
) -> None:
    """Confirmatory factor analysis (ML): DIR/cfa_fit.csv, DIR/cfa_loadings.csv, DIR/invariance.csv."""
    from minipublic.cohesion import cfa as run_cfa
    from minipublic.cohesion import invariance as run_inv

    with _guard():
        r, sc = _load(responses, scales)
        with _progress("confirmatory factor analysis") as progress:
            res = run_cfa(r, sc, wave=wave, by=by)
            progress(0.25, "invariance across waves")
            inv = None
            if invariance:
                wl = [w.strip() for w in waves.split(",")] if waves else None
                inv = run_inv(
                    r, sc, waves=wl, by=by, progress=lambda f, m: progress(0.25 + 0.75 * f, m)
                )
        out = _outdir(out)
        fit = {k: res.fit[k] for k in ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "n")}
        import pandas as pd

        pd.DataFrame([fit]).to_csv(out / "cfa_fit.csv", index=False, float_format=FLOAT)
        res.loadings.to_csv(out / "cfa_loadings.csv", index=False, float_format=FLOAT)
        if inv is not None:
            inv.table.to_csv(out / "invariance.csv", index=False, float_format=FLOAT)
    _out.print(
        f"CFA at {wave} (n = {fit['n']}): chi2 = {fit['chisq']:.2f}, df = {fit['df']}, "
        f"CFI = {fit['cfi']:.3f}, TLI = {fit['tli']:.3f}, RMSEA = {fit['rmsea']:.3f}, SRMR = {fit['srmr']:.3f}"
    )
    if not res.converged:
        _err.print("[yellow]warning: the optimiser did not fully converge[/yellow]")
    if inv is not None:
        _out.print(inv.table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    _out.print(f"wrote {out}")


@app.command()
def effects(
    responses: Responses,
    scales: Scales,
    pre: Annotated[str, typer.Option(help="Baseline wave, e.g. T0.")],
    post: Annotated[str, typer.Option(help="Later wave, e.g. T1.")],
    out: OutDir,
    attrition: Annotated[
        bool, typer.Option(help="Add did_ipw_attrition (inverse-probability-of-response weights).")
    ] = False,
    trust_scale: Annotated[
        str, typer.Option(help="Scale that defines 'low baseline trust'.")
    ] = "trust_institutions",
    no_point_column: Annotated[
        str, typer.Option(help="0/1 column: 'no point' reason.")
    ] = "reason_no_point",
    plots: Annotated[
        str, typer.Option(help="Plot formats, comma-separated (svg, png).")
    ] = "svg,png",
) -> None:
    """Effects of the assembly: DIR/effects.csv, DIR/subgroups.csv, plots and DIR/summary.md."""
    from minipublic.cohesion import (
        effects as run_effects,
    )
    from minipublic.cohesion import (
        plot_change_by_wave,
        plot_forest,
        plot_subgroups,
        score_scales,
        subgroup_effects,
        summary_markdown,
    )

    with _guard():
        r, sc = _load(responses, scales)
        with _progress("effects") as progress:
            res = run_effects(
                r,
                sc,
                pre=pre,
                post=post,
                attrition=attrition,
                progress=lambda f, m: progress(0.6 * f, m),
            )
            groups = []
            if trust_scale in set(sc["scale"]):
                groups.append("low_trust")
            if no_point_column in r.columns:
                groups.append("no_point")
            sub = None
            if groups:
                progress(0.7, "subgroups")
                sub = subgroup_effects(
                    r,
                    sc,
                    pre=pre,
                    post=post,
                    subgroups=tuple(groups),
                    trust_scale=trust_scale,
                    no_point_column=no_point_column,
                )
            progress(0.85, "plots")
            out = _outdir(out)
            cols = [
                "scale",
                "estimator",
                "estimate",
                "se",
                "ci_low",
                "ci_high",
                "p",
                "p_holm",
                "p_bh",
                "n_member",
                "n_comparison",
            ]
            res.table[cols].to_csv(out / "effects.csv", index=False, float_format=FLOAT)
            res.table[["scale", "estimator", "df", "cohen_d", "hedges_g"]].to_csv(
                out / "effect_sizes.csv", index=False, float_format=FLOAT
            )
            figs = {
                "forest": plot_forest(res),
                "change_by_wave": plot_change_by_wave(score_scales(r, sc)),
            }
            if sub is not None:
                sub.table.to_csv(out / "subgroups.csv", index=False, float_format=FLOAT)
                figs["subgroups"] = plot_subgroups(sub)
            for fmt in [f.strip() for f in plots.split(",") if f.strip()]:
                if fmt not in ("svg", "png", "pdf"):
                    raise typer.BadParameter(f"unknown plot format {fmt!r}; use svg, png or pdf")
                for name, fig in figs.items():
                    fig.savefig(out / f"{name}.{fmt}", dpi=150)
            (out / "summary.md").write_text(summary_markdown(res, subgroups=sub), encoding="utf-8")
    main = res.table[res.table["estimator"] == "did_ipw"]
    _out.print(
        main[["scale", "estimate", "ci_low", "ci_high", "p_holm"]].to_string(
            index=False, float_format=lambda v: f"{v:.3f}"
        )
    )
    _out.print(f"wrote {out / 'effects.csv'}, plots and {out / 'summary.md'}")


@app.command()
def instruments(
    out: Annotated[Path, typer.Option("--out", help="CSV file to write.")],
    form: Annotated[str, typer.Option(help="'short' (registration) or 'full' (waves).")] = "full",
    scales_only: Annotated[
        bool, typer.Option("--scales", help="Write a scales.csv for the cohesion items instead.")
    ] = False,
) -> None:
    """Write the instrument bank (items, texts, sources) or a matching scales.csv."""
    from minipublic.cohesion import instrument_bank, instrument_scales

    with _guard():
        table = instrument_scales(form=form) if scales_only else instrument_bank(form=form)
        if scales_only:
            table = table.assign(reverse=table["reverse"].astype(int))
        out.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(out, index=False, float_format="%g")
    _out.print(f"wrote {len(table)} items to {out}")


@app.command()
def simulate(
    out: OutDir,
    seed: Annotated[int, typer.Option(help="Random seed (recorded in the output names).")] = 0,
    n_pool: Annotated[
        int, typer.Option(help="Registered volunteers (members + comparison).")
    ] = 360,
    n_public: Annotated[int, typer.Option(help="Outside-sample respondents.")] = 60,
    effect: Annotated[float, typer.Option(help="True effect on members, latent SD units.")] = 0.3,
) -> None:
    """Write a synthetic survey (responses.csv, scales.csv) to try the other commands on."""
    from minipublic.cohesion import simulate_survey

    with _guard():
        r, sc = simulate_survey(n_pool=n_pool, n_public=n_public, effect=effect, seed=seed)
        out = _outdir(out)
        r.drop(columns=["z"]).to_csv(out / "responses.csv", index=False, float_format=FLOAT)
        sc.assign(reverse=sc["reverse"].astype(int)).to_csv(
            out / "scales.csv", index=False, float_format="%g"
        )
    _out.print(
        f"wrote {len(r)} rows to {out / 'responses.csv'} and {len(sc)} items to {out / 'scales.csv'} (seed {seed})"
    )
