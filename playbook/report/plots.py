"""The playbook's charts: each titled, with labelled axes and units, built from the analytics' tables.

One function per kind of picture the notebooks show: what-if bars with 95%
error bars, each strategy's effect as dots and whiskers, changes from a baseline across KPIs, a funnel, queue waits over
time and by hour of day, a cohort heatmap, a response curve with its band
(price response, promotion fatigue, channel saturation), daily series and
a scoring matrix.  Each takes an optional ``ax`` and returns the Axes, so a
notebook can place two side by side; units come from ``playbook.text.units``.
Words come from the catalogue (``playbook.text.i18n``): in the language of
the what-if a chart is drawn from, or the ``language`` argument ('zh', 'en').
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from playbook.analysis.funnel import STEPS
from playbook.text import i18n, units

if TYPE_CHECKING:  # annotations only: whatif imports this module to draw its summary
    from playbook.report.whatif import WhatIf
    from sim.results.result import Result

BASE_COLOUR, BETTER, WORSE, UNCLEAR = "#8c8c8c", "#2a9d8f", "#e76f51", "#457b9d"
EN = i18n.API_LANGUAGE


def _t(key: str, language: str, **values: object) -> str:
    return i18n.t(f"plot.{key}", language, **values)


def _axes(ax: Axes | None = None, size: tuple[float, float] = (7.5, 3.8)) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def _colour(row: pd.Series, baseline: bool) -> str:
    if baseline:
        return BASE_COLOUR
    if not row["significant"]:
        return UNCLEAR
    return BETTER if (row["diff"] > 0) == units.higher_is_better(row["kpi"]) else WORSE


def whatif_bars(wi: WhatIf, kpi: str, ax: Axes | None = None, title: str | None = None) -> Axes:
    """One bar per strategy: the KPI's mean over the replications with its 95% CI as an error bar.

    Colours: grey the baseline; green / red a significant improvement /
    deterioration against it (paired CI); blue a change the runs cannot
    tell from zero.
    """
    ax = _axes(ax)
    rows = [wi.row(kpi, s) for s in wi.strategies]
    k = units.scale(kpi)
    means = np.array([r["mean"] for r in rows]) * k
    err = np.array([[r["mean"] - r["ci_low"], r["ci_high"] - r["mean"]] for r in rows]).T * k
    ax.bar(
        wi.strategies,
        means,
        yerr=np.nan_to_num(err),
        capsize=5,
        color=[_colour(r, s == wi.baseline) for r, s in zip(rows, wi.strategies, strict=True)],
    )
    lang = wi.language
    ax.set_title(title or _t("whatif_title", lang, name=i18n.kpi_name(kpi, lang), n=wi.n, days=wi.days))
    ax.set_xlabel(_t("strategy", lang))
    ax.set_ylabel(i18n.kpi_label(kpi, wi.currency, lang))
    ax.tick_params(axis="x", labelrotation=15 if len(wi.strategies) > 3 else 0)
    return ax


def change_bars(wi: WhatIf, kpis: Sequence[str], ax: Axes | None = None, title: str | None = None) -> Axes:
    """Change from the baseline in % of its mean, per KPI and strategy, with 95% paired CIs (a forest plot)."""
    others = [s for s in wi.strategies if s != wi.baseline]
    ax = _axes(ax, (7.5, 0.5 + 0.35 * len(kpis) * len(others)))
    labels, y = [], 0
    for kpi in kpis:
        for s in others:
            r = wi.row(kpi, s)
            ax.errorbar(
                r["rel_diff"],
                y,
                xerr=[[r["rel_diff"] - r["rel_low"]], [r["rel_high"] - r["rel_diff"]]],
                fmt="o",
                capsize=4,
                color=_colour(r, False),
            )
            labels.append(f"{i18n.kpi_name(kpi, wi.language)}: {s}")
            y += 1
    ax.axvline(0, color=BASE_COLOUR, lw=1)
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.set_xlabel(_t("change_x", wi.language, baseline=wi.baseline))
    ax.set_ylabel(_t("change_y", wi.language))
    ax.set_title(title or _t("change_title", wi.language, baseline=wi.baseline, n=wi.n, days=wi.days))
    return ax


def effects(wi: WhatIf, kpis: Sequence[str], title: str | None = None) -> Figure:
    """Dot-and-whisker chart: each strategy's mean paired change from the baseline with its 95% interval.

    One small panel per KPI (three to a row), each in the KPI's own unit
    (percentage points for shares), strategies down the side; the dashed line
    is no change.  Colours as in :func:`whatif_bars`.  The figure is not
    registered with pyplot, so a notebook shows it only where it is asked to
    (``WhatIf.summary`` embeds it).
    """
    others = [s for s in wi.strategies if s != wi.baseline]
    cols = min(len(kpis), 3)
    rows = -(-len(kpis) // cols)
    fig = Figure(figsize=(2.9 * cols + 1.4, (0.55 + 0.32 * len(others)) * rows + 0.6), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False, sharey=True)
    for ax, kpi in zip(axes.flat, kpis, strict=False):
        k = units.scale(kpi)
        for y, s in enumerate(others):
            r = wi.row(kpi, s)
            ax.errorbar(
                r["diff"] * k,
                y,
                xerr=[[(r["diff"] - r["diff_low"]) * k], [(r["diff_high"] - r["diff"]) * k]],
                fmt="o",
                capsize=3,
                color=_colour(r, False),
            )
        ax.axvline(0, color=BASE_COLOUR, lw=1, ls="--")
        ax.set_title(i18n.kpi_name(kpi, wi.language), fontsize="medium")
        unit, xlabel = units.diff_unit(kpi, wi.currency, wi.language), i18n.t("whatif.change", wi.language)
        ax.set_xlabel(f"{xlabel} ({unit})" if unit else xlabel, fontsize="small")
        ax.tick_params(labelsize="small")
        ax.grid(axis="x", alpha=0.3)
    for ax in axes.flat[len(kpis) :]:
        ax.set_visible(False)
    for row in axes:
        row[0].set_yticks(range(len(others)), others)
        row[0].set_ylim(len(others) - 0.5, -0.5)
    heading = _t("effects_title", wi.language, baseline=wi.baseline, n=wi.n, days=wi.days)
    fig.suptitle(title or heading, fontsize="medium")
    return fig


def funnel(
    steps: pd.DataFrame, by: str = "channel", ax: Axes | None = None, title: str | None = None, language: str = EN
) -> Axes:
    """Step conversion (share of the previous step reaching this one) per group, with Wilson 95% CIs.

    ``steps`` is :func:`playbook.analysis.funnel.funnel`'s table.
    """
    ax = _axes(ax)
    groups = list(dict.fromkeys(steps[by]))
    names = list(dict.fromkeys(steps["step"]))
    width = 0.8 / len(groups)
    for i, g in enumerate(groups):
        part = steps[steps[by] == g].set_index("step").reindex(names)
        x = np.arange(len(names)) + (i - (len(groups) - 1) / 2) * width
        err = np.vstack([part["step_conversion"] - part["ci_low"], part["ci_high"] - part["step_conversion"]])
        ax.bar(
            x,
            part["step_conversion"] * 100,
            width,
            yerr=err * 100,
            capsize=2,
            label=i18n.word("label", str(g), language),
        )
    step = [i18n.word("column", n, language) for n in names]
    before = [i18n.word("column", n, language) for n in _previous(names)]
    before = [_t("previous_step", language) if n == _PREVIOUS else n for n in before]
    ax.set_xticks(
        range(len(names)),
        [f"{a} → {b}" if language == "zh" else f"{a} -> {b}" for a, b in zip(before, step, strict=True)],
    )
    ax.set_xlabel(_t("funnel_x", language))
    ax.set_ylabel(_t("funnel_y", language))
    by_word = i18n.word("column", by, language)
    ax.set_title(title or _t("funnel_title", language, by=by_word))
    ax.legend(title=by_word, fontsize="small", ncols=2)
    return ax


def _previous(names: list[str]) -> list[str]:
    """The step before each of ``names`` in the funnel's order (``playbook.analysis.funnel.STEPS``)."""
    order = list(STEPS)
    return [order[order.index(n) - 1] if n in order[1:] else _PREVIOUS for n in names]


_PREVIOUS = "previous step"


def delays_over_time(
    frames: Mapping[str, pd.DataFrame],
    start: str,
    end: str,
    *,
    what: str,
    target_hours: float | None = None,
    freq: str = "D",
    ax: Axes | None = None,
    title: str | None = None,
    language: str = EN,
) -> Axes:
    """Mean hours from ``start`` to ``end`` of the rows that started each day (or week), one line per run.

    Tickets (opened_at -> first_response_at) give the service desk's waits,
    orders (placed_at -> shipped_at) the warehouse's; ``target_hours`` draws
    the promise (SLA) as a dashed line.
    """
    ax = _axes(ax)
    for name, f in frames.items():
        hours = (f[end] - f[start]).dt.total_seconds() / 3600
        series = hours.groupby(f[start].dt.to_period(freq).dt.start_time).mean()
        ax.plot(series.index, series.to_numpy(), marker=".", label=str(name))
    if target_hours is not None:
        ax.axhline(target_hours, color=WORSE, ls="--", lw=1, label=_t("target", language, hours=target_hours))
    ax.set_xlabel(_t("delay_x", language, start=start.replace("_at", "").replace("_", " ")))
    ax.set_ylabel(_t("delay_y", language, what=what))
    period = _t("day", language) if freq == "D" else _t("week", language) if freq == "W" else freq
    ax.set_title(title or _t("delay_title", language, what=what[0].upper() + what[1:], period=period))
    ax.legend(fontsize="small")
    ax.tick_params(axis="x", labelrotation=20)
    return ax


def queue_waits(
    tickets: Mapping[str, pd.DataFrame],
    sla_hours: float,
    freq: str = "D",
    ax: Axes | None = None,
    title: str | None = None,
    language: str = EN,
) -> Axes:
    """Service desk: mean first-response time of the tickets opened each day, one line per run, and the SLA."""
    return delays_over_time(
        tickets,
        "opened_at",
        "first_response_at",
        what=_t("first_response", language),
        target_hours=sla_hours,
        freq=freq,
        ax=ax,
        title=title or _t("queue_title", language),
        language=language,
    )


def waits_by_hour(
    tickets: Mapping[str, pd.DataFrame],
    sla_hours: float,
    ax: Axes | None = None,
    title: str | None = None,
    language: str = EN,
) -> Axes:
    """Mean first-response time by the hour of day a ticket was opened: closed hours show up as peaks."""
    ax = _axes(ax)
    for name, t in tickets.items():
        wait = (t["first_response_at"] - t["opened_at"]).dt.total_seconds() / 3600
        series = wait.groupby(t["opened_at"].dt.hour).mean().reindex(range(24))
        ax.plot(series.index, series.to_numpy(), marker="o", label=str(name))
    ax.axhline(sla_hours, color=WORSE, ls="--", lw=1, label=_t("sla", language, hours=sla_hours))
    ax.set_xticks(range(0, 24, 2))
    ax.set_xlabel(_t("hour_x", language))
    ax.set_ylabel(_t("hour_y", language))
    ax.set_title(title or _t("hour_title", language))
    ax.legend(fontsize="small")
    return ax


def cohort_heatmap(
    matrix: pd.DataFrame,
    value_label: str,
    ax: Axes | None = None,
    title: str | None = None,
    percent: bool = True,
    language: str = EN,
) -> Axes:
    """Cohorts (rows) by months of age (columns), e.g. :func:`playbook.analysis.cohorts.retention_matrix`.

    The colour scale is set by the months after the first (month 0 of a
    retention matrix is 100% by construction and would wash out the rest).
    """
    ax = _axes(ax, (7.5, 1.2 + 0.35 * len(matrix)))
    values = matrix.to_numpy(dtype=float) * (100 if percent else 1)
    scale = values[:, 1:] if values.shape[1] > 1 and np.isfinite(values[:, 1:]).any() else values
    low, high = np.nanmin(scale), np.nanmax(scale)
    image = ax.imshow(values, aspect="auto", cmap="viridis", vmin=low, vmax=high)
    for (i, j), v in np.ndenumerate(values):
        if np.isfinite(v):
            ax.text(
                j,
                i,
                f"{v:.0f}" if abs(v) >= 10 else f"{v:.1f}",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if v < (low + high) / 2 else "black",
            )
    ax.set_xticks(range(matrix.shape[1]), [str(c) for c in matrix.columns])
    ax.set_yticks(range(matrix.shape[0]), [str(r) for r in matrix.index])
    ax.set_xlabel(_t("cohort_x", language))
    ax.set_ylabel(_t("cohort_y", language))
    ax.figure.colorbar(image, ax=ax, label=value_label)
    ax.set_title(title or _t("cohort_title", language, value=value_label))
    return ax


def response_curve(
    x: Sequence[float] | np.ndarray,
    mean: Sequence[float] | np.ndarray,
    low: Sequence[float] | np.ndarray | None = None,
    high: Sequence[float] | np.ndarray | None = None,
    *,
    xlabel: str,
    ylabel: str,
    title: str,
    ax: Axes | None = None,
    label: str | None = None,
    marker_x: float | None = None,
    language: str = EN,
) -> Axes:
    """A KPI against a lever with its 95% band: price response, promotion fatigue, channel saturation."""
    ax = _axes(ax)
    ax.plot(x, mean, marker="o", label=label)
    if low is not None and high is not None:
        band = _t("ci95", language) if label is None else _t("ci95_of", language, label=label)
        ax.fill_between(x, low, high, alpha=0.2, label=band)
    if marker_x is not None:
        ax.axvline(marker_x, color=BASE_COLOUR, ls="--", lw=1, label=_t("current", language))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if label is not None or marker_x is not None or low is not None:
        ax.legend(fontsize="small")
    return ax


def lever_curve(
    wi: WhatIf,
    kpi: str,
    levels: Mapping[str, float],
    *,
    xlabel: str,
    ax: Axes | None = None,
    title: str | None = None,
    current: float | None = None,
) -> Axes:
    """A KPI against one lever's levels, from a what-if whose strategies are those levels (mean and 95% band)."""
    part = wi.series(kpi).loc[list(levels)]
    x = np.array(list(levels.values()), dtype=float)
    order = np.argsort(x)
    k = units.scale(kpi)
    return response_curve(
        x[order],
        part["mean"].to_numpy()[order] * k,
        part["ci_low"].to_numpy()[order] * k,
        part["ci_high"].to_numpy()[order] * k,
        xlabel=xlabel,
        ylabel=i18n.kpi_label(kpi, wi.currency, wi.language),
        ax=ax,
        marker_x=current,
        title=title
        or _t("lever_title", wi.language, name=i18n.kpi_name(kpi, wi.language), lever=xlabel, n=wi.n, days=wi.days),
        language=wi.language,
    )


def daily_series(
    daily: pd.DataFrame,
    column: str,
    by: str | None = "channel",
    ax: Axes | None = None,
    unit: str = "",
    title: str | None = None,
    stacked: bool = True,
    language: str = EN,
) -> Axes:
    """A daily-table column over time, stacked by ``by`` (channels), e.g. sessions or spend per day."""
    ax = _axes(ax)
    table = (
        daily.pivot_table(index="date", columns=by, values=column, aggfunc="sum")
        if by
        else daily.groupby("date")[[column]].sum()
    )
    if stacked and by:
        names = [i18n.word("label", str(c), language) for c in table.columns]
        ax.stackplot(table.index, table.to_numpy().T, labels=names, alpha=0.85)
    else:
        for c in table.columns:
            ax.plot(table.index, table[c], label=i18n.word("label", str(c), language))
    words = i18n.word("column", column, language).replace("_", " ")
    shown_unit = units.UNIT_TEXT[language].get(unit, ("", unit))[1] if unit else ""
    ax.set_xlabel(_t("date", language))
    ax.set_ylabel(_t("per_day", language, column=words) + (f" ({shown_unit})" if unit else ""))
    heading = _t("per_day_by", language, column=words, by=i18n.word("column", by, language)) if by else None
    heading = heading or _t("per_day", language, column=words)
    ax.set_title(title or heading[0].upper() + heading[1:])
    ax.legend(fontsize="small", ncols=3, loc="upper left")
    ax.tick_params(axis="x", labelrotation=20)
    return ax


def score_bars(
    scored: pd.DataFrame,
    weights: Mapping[str, float],
    id_column: str = "sku",
    ax: Axes | None = None,
    title: str | None = None,
    language: str = EN,
) -> Axes:
    """Each candidate's score split into its criteria's weighted contributions (``score_candidates`` output)."""
    ax = _axes(ax, (7.5, 0.6 + 0.32 * len(scored)))
    total = sum(weights.values())
    left = np.zeros(len(scored))
    for criterion, w in weights.items():
        part = scored[f"u_{criterion}"].to_numpy(float) * w / total
        shown = i18n.word("criterion", criterion, language)
        ax.barh(scored[id_column], part, left=left, label=_t("weight", language, criterion=shown, w=w))
        left += part
    ax.invert_yaxis()
    ax.set_xlabel(_t("score_x", language))
    ax.set_ylabel(_t("candidate", language))
    ax.set_title(title or _t("score_title", language))
    ax.legend(fontsize="small", loc="lower right")
    return ax


def shown_rating(result: Result) -> pd.Series:
    """The rating a visitor sees each day: all reviews so far, the scenario's initial ones included (stars)."""
    cfg = result.scenario.reviews
    days = pd.date_range(result.scenario.time.start_date, periods=result.days, freq="D")
    per_day = result.reviews.set_index("reviewed_at")["rating"].resample("D").agg(["sum", "count"])
    per_day = per_day.reindex(days, fill_value=0)
    count = cfg.initial_count + per_day["count"].cumsum()
    stars = cfg.initial_rating * cfg.initial_count + per_day["sum"].cumsum()
    return (stars / count.where(count > 0)).fillna(cfg.initial_rating).rename("rating")


def loop(results: Mapping[str, Result], title: str | None = None, language: str = EN) -> tuple[Axes, Axes]:
    """The guide's loop in one figure, one line per run: the rating visitors see (top), cumulative orders (bottom).

    ``results`` maps a label to a :class:`sim.Result`.  Runs on the same seed
    differ only through the levers that separate them, so the gap between
    the lines is what service did to the rating and, through it, to sales.
    """
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7.5, 5.5), sharex=True, layout="constrained")
    for name, r in results.items():
        rating = shown_rating(r)
        top.plot(rating.index, rating.to_numpy(), label=str(name))
        orders = r.daily.groupby("date")["orders"].sum().cumsum()
        bottom.plot(orders.index, orders.to_numpy(), label=str(name))
    top.set_ylabel(_t("rating_shown", language))
    top.set_title(title or _t("loop_title", language))
    top.legend(fontsize="small")
    bottom.set_ylabel(_t("orders_so_far", language))
    bottom.set_xlabel(_t("date", language))
    bottom.legend(fontsize="small")
    bottom.tick_params(axis="x", labelrotation=20)
    return top, bottom


def fatigue_curve(
    sku_daily: pd.DataFrame,
    sku: str,
    currency: str = "EUR",
    window: int = 7,
    title: str | None = None,
    language: str = EN,
) -> tuple[Axes, Axes]:
    """Promotion fatigue of one SKU: price shown and reference price (top), carts per day (bottom).

    ``sku_daily`` is :attr:`sim.Result.sku_daily`.  Each sale pulls the
    reference price (what customers consider fair) down; after the sale the
    full price sits above it and carts fall below their pre-sale level.
    """
    part = part_of(sku_daily, sku)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7.5, 5.5), sharex=True, layout="constrained")
    top.step(part["date"], part["price"], where="post", label=_t("price_shown", language))
    top.plot(part["date"], part["reference_price"], label=_t("reference_price", language))
    top.set_ylabel(_t("price_y", language, currency=currency))
    top.set_title(title or _t("fatigue_title", language, sku=sku))
    top.legend(fontsize="small")
    carts = part.set_index("date")["carts"]
    bottom.bar(
        carts.index,
        carts.to_numpy(),
        color=np.where(part["promotion_depth"] > 0, WORSE, UNCLEAR),
        label=_t("carts_label", language),
    )
    mean = carts.rolling(window, min_periods=1).mean().to_numpy()
    bottom.plot(carts.index, mean, color="black", label=_t("mean_window", language, window=window))
    bottom.set_ylabel(_t("carts_y", language, sku=sku))
    bottom.set_xlabel(_t("date", language))
    bottom.legend(fontsize="small")
    bottom.tick_params(axis="x", labelrotation=20)
    return top, bottom


def part_of(sku_daily: pd.DataFrame, sku: str) -> pd.DataFrame:
    """The rows of one SKU, sorted by date (KeyError naming the SKUs there are)."""
    part = sku_daily[sku_daily["sku"] == sku].sort_values("date")
    if part.empty:
        raise KeyError(f"no SKU {sku!r} in sku_daily; SKUs: {sorted(sku_daily['sku'].unique())}")
    return part


def control_chart(
    chart: pd.DataFrame,
    ylabel: str,
    ax: Axes | None = None,
    title: str | None = None,
    percent: bool = False,
    events: Mapping[str, object] | None = None,
    language: str = EN,
) -> Axes:
    """A control chart (``playbook.analysis.alerts.p_chart`` or ``ewma_chart``): values, limits and alerts marked red.

    ``events`` maps a label to a date to draw as a vertical line (a shock's
    start, a release), so the delay between cause and alarm is visible.
    """
    ax = _axes(ax)
    k = 100.0 if percent else 1.0
    x = chart.index
    ax.plot(x, chart["value"] * k, marker=".", lw=0.8, color=UNCLEAR, label=_t("value", language))
    if "ewma" in chart:
        ax.plot(x, chart["ewma"] * k, color="black", label="EWMA")
    ax.plot(x, chart["ucl"] * k, ls="--", color=BASE_COLOUR, label=_t("limits", language))
    ax.plot(x, chart["lcl"] * k, ls="--", color=BASE_COLOUR)
    hits = chart[chart["alert"].astype(bool)]
    ax.scatter(
        hits.index,
        (hits["ewma"] if "ewma" in hits else hits["value"]) * k,
        color=WORSE,
        zorder=3,
        label=_t("alert", language),
    )
    for name, when in (events or {}).items():
        ax.axvline(pd.Timestamp(when), color=WORSE, lw=1, ls=":")
        ax.annotate(str(name), (pd.Timestamp(when), ax.get_ylim()[1]), fontsize=8, va="top", rotation=90)
    ax.set_xlabel(_t("date", language))
    ax.set_ylabel(ylabel)
    ax.set_title(title or _t("control_title", language, kpi=chart["kpi"].iloc[0]))
    ax.legend(fontsize="small")
    ax.tick_params(axis="x", labelrotation=20)
    return ax


def pnl_waterfall(pnl: pd.Series, currency: str = "EUR", ax: Axes | None = None, title: str | None = None) -> Axes:
    """A profit-and-loss waterfall: revenue, then each cost as a step down, ending in operating profit.

    ``pnl`` is ``Result.profit_and_loss()`` (or the mean of several runs'):
    lines in order, costs negative, the last one ``operating_profit``.  Lines
    that are zero (no CRM, no membership) are left out.
    """
    ax = _axes(ax, size=(8.5, 4.2))
    lines = pnl.drop("operating_profit")
    lines = lines[(lines != 0) | (lines.index == "revenue")]
    tops = lines.cumsum()
    bottoms = tops - lines
    colours = [BASE_COLOUR if name == "revenue" else (BETTER if v > 0 else WORSE) for name, v in lines.items()]
    ax.bar(lines.index, lines.abs(), bottom=np.minimum(bottoms, tops), color=colours)
    profit = float(pnl["operating_profit"])
    ax.bar(["operating profit"], [abs(profit)], bottom=[min(profit, 0.0)], color=BETTER if profit >= 0 else WORSE)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_title(title or f"Profit and loss: revenue to operating profit ({profit / pnl['revenue']:.1%} of revenue)")
    ax.set_xlabel("P&L line")
    ax.set_ylabel(f"money ({currency})")
    ax.tick_params(axis="x", rotation=30)
    return ax


# --- your store beside its calibrated twin (playbook.analysis.twin) ---------------------------------------------


def _twin_lines(ax: Axes, table: pd.DataFrame, n: int, language: str) -> None:
    """The export's curve in black, the twin's mean in blue over the range of its runs."""
    ax.fill_between(
        table.index, table["low"], table["high"], color=UNCLEAR, alpha=0.2, label=_t("twin_range", language, n=n)
    )
    ax.plot(table.index, table["simulated"], color=UNCLEAR, label=_t("twin_mean", language, n=n))
    ax.plot(table.index, table["observed"], color="black", linewidth=1.2, label=_t("your_store", language))
    ax.legend(fontsize="small", loc="best")


def twin_daily(table: pd.DataFrame, n: int, window: int = 7, ax: Axes | None = None, language: str = EN) -> Axes:
    """Orders per day of the export and of the twin's runs (``playbook.analysis.twin.daily_band``)."""
    ax = _axes(ax)
    _twin_lines(ax, table, n, language)
    ax.set_xlabel(_t("date", language))
    ax.set_ylabel(_t("twin_daily_y", language))
    ax.set_title(_t("twin_daily_title", language, window=window))
    ax.tick_params(axis="x", labelrotation=20)
    return ax


def twin_repeat(table: pd.DataFrame, n: int, ax: Axes | None = None, language: str = EN) -> Axes:
    """Share of customers back for a second order within d days (``playbook.analysis.twin.repeat_band``), in %."""
    ax = _axes(ax)
    _twin_lines(ax, table * 100, n, language)
    ax.set_xlabel(_t("twin_repeat_x", language))
    ax.set_ylabel(_t("twin_repeat_y", language))
    ax.set_title(_t("twin_repeat_title", language))
    return ax


def twin_values(
    observed: np.ndarray, simulated: np.ndarray, currency: str, ax: Axes | None = None, language: str = EN
) -> Axes:
    """Order values of the export and of the twin's runs pooled, as cumulative shares: % of orders up to a value.

    Cumulative, because the twin prices its orders in a few value bands: its
    histogram is a comb, while its cumulative curve steps across the export's.
    """
    ax = _axes(ax)
    for values, colour, label in ((simulated, UNCLEAR, "twin_runs"), (observed, "black", "your_store")):
        shown = np.sort(values)
        ax.step(shown, np.arange(1, len(shown) + 1) * 100 / max(len(shown), 1), where="post", color=colour,
                label=_t(label, language))  # fmt: skip
    ax.set_xlabel(_t("twin_value_x", language, currency=units.unit_symbol("average_order_value", currency, language)))
    ax.set_ylabel(_t("twin_value_y", language))
    ax.set_title(_t("twin_value_title", language))
    ax.legend(fontsize="small", loc="lower right")
    return ax


def twin_profile(table: pd.DataFrame, kind: str, ax: Axes | None = None, language: str = EN) -> Axes:
    """Share of orders by weekday (``kind`` 'weekday') or hour of day ('hour'): export beside the twin's 95% CI.

    ``table``: ``playbook.analysis.twin.profile`` of the comparison.
    """
    ax = _axes(ax)
    x = np.arange(len(table))
    err = np.vstack([table["simulated"] - table["ci_low"], table["ci_high"] - table["simulated"]]) * 100
    ax.bar(x - 0.2, table["observed"] * 100, width=0.4, color="black", label=_t("your_store", language))
    ax.bar(x + 0.2, table["simulated"] * 100, width=0.4, color=UNCLEAR, yerr=err, capsize=2,
           label=_t("twin_mean_ci", language))  # fmt: skip
    names = [i18n.t(f"day.d{i}", language)[:3] for i in x] if kind == "weekday" else [str(i) for i in x]
    ax.set_xticks(x, names, fontsize="small" if kind == "hour" else None)
    ax.set_xlabel(_t(f"twin_{kind}_x", language))
    ax.set_ylabel(_t("twin_share_y", language))
    ax.set_title(_t(f"twin_{kind}_title", language))
    ax.legend(fontsize="small")
    return ax
