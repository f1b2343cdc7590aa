"""Live what-if controls for a workshop: six sliders that rerun a baseline quarter and redraw on release.

``panel(run)`` in ``00_start_here`` and ``12_strategy_lab`` shows one run of
the store as the participant sets it against the baseline: agents, pickers,
page load time, the paid channel's daily budget, the depth of one
mid-quarter sale and no-reason returns.  Say a participant drags *agents*
from 1 to 3 and lets go: the quarter reruns with the same seed (common
random numbers, so the change is the lever's, not luck's), the KPI table
and the bar chart of changes redraw.

Headless (papermill, nbval) the default settings are drawn first as an
ordinary table and figure, so a report still shows them; the sliders come
after, and without ipywidgets a one-line note says how to get them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import display
from matplotlib.figure import Figure

from playbook.report.notebook import Run
from playbook.text import i18n, units
from sim.scenario.definition import Scenario

#: The KPIs the panel compares, in the loop's order: traffic -> conversion -> service -> money.
KPIS = ("sessions", "conversion_rate", "net_revenue", "sla_attainment", "on_time_delivery_rate", "average_rating",
        "return_rate")  # fmt: skip
#: Length of the mid-quarter sale the promotion-depth slider sets, in days.
SALE_DAYS = 7


def paid_channel(scenario: Scenario) -> str:
    """The channel whose daily budget the ad slider sets: paid search if the store buys it, else the first paid one."""
    paid = [name for name, ch in scenario.traffic.channels.items() if ch.daily_budget]
    return "paid_search" if "paid_search" in paid else (paid[0] if paid else "paid_search")


def defaults(scenario: Scenario) -> dict[str, Any]:
    """The six settings of the store as the scenario has it (no sale running)."""
    channel = scenario.traffic.channels.get(paid_channel(scenario))
    return {
        "agents": scenario.service.agents,
        "pickers": scenario.warehouse.pickers,
        "load_time": scenario.page.load_time_s,
        "ad_budget": float(channel.daily_budget or 0.0) if channel else 0.0,
        "promo_depth": 0.0,
        "no_reason": scenario.returns.no_reason_returns,
    }


def overrides(scenario: Scenario, days: int, settings: Mapping[str, Any]) -> dict[str, Any]:
    """Scenario overrides for ``settings`` (the keys of :func:`defaults`); a sale only when its depth is above 0."""
    out: dict[str, Any] = {
        "service.agents": int(settings["agents"]),
        "warehouse.pickers": int(settings["pickers"]),
        "page.load_time_s": float(settings["load_time"]),
        "returns.no_reason_returns": bool(settings["no_reason"]),
    }
    if paid_channel(scenario) in scenario.traffic.channels:
        out[f"traffic.channels.{paid_channel(scenario)}.daily_budget"] = float(settings["ad_budget"])
    if settings["promo_depth"] > 0:
        start = pd.Timestamp(scenario.time.start_date) + pd.Timedelta(days=days // 2)
        sale = {"start": str(start.date()), "days": SALE_DAYS, "depth": float(settings["promo_depth"])}
        out["pricing.promotions"] = {"workshop sale": sale}
    return out


def compare(run: Run, base: Mapping[str, float], settings: Mapping[str, Any]) -> pd.DataFrame:
    """KPIs of the baseline and of one run with ``settings`` (same seed): baseline, yours, change in %."""
    return changes(base, run.simulate(overrides(run.scenario, run.days, settings)).kpis())


def changes(base: Mapping[str, float], yours: Mapping[str, float]) -> pd.DataFrame:
    """The :data:`KPIS` of two runs side by side: baseline, yours, change in % (NaN where the baseline is 0)."""
    rows = {k: (base[k], yours[k]) for k in KPIS if k in base and k in yours}
    frame = pd.DataFrame(rows, index=["baseline", "yours"]).T
    frame["change_pct"] = (frame["yours"] / frame["baseline"].where(frame["baseline"] != 0) - 1) * 100
    return frame


def draw(frame: pd.DataFrame, run: Run) -> None:
    """Show the comparison as a table (formatted in the run's language) and a bar chart of the changes."""
    lang, tr = run.language, i18n.translator(run.language, "controls")
    table = pd.DataFrame(
        {
            tr(col): [units.fmt(v, k, run.currency, lang) for k, v in frame[col].items()]
            for col in ("baseline", "yours")
        },
        index=[i18n.kpi_name(k, lang) for k in frame.index],
    )
    display(table)
    change_chart(frame, run)
    plt.show()


def change_chart(frame: pd.DataFrame, run: Run) -> Figure:
    """A bar per KPI of its change against the baseline in %, green where the change is good, red where bad."""
    lang, tr = run.language, i18n.translator(run.language, "controls")
    fig, ax = plt.subplots(figsize=(7.5, 3.6), layout="constrained")
    change = frame["change_pct"].fillna(0.0)
    good = [(v >= 0) == units.higher_is_better(k) for k, v in change.items()]
    ax.barh([i18n.kpi_name(k, lang) for k in change.index], change, color=["#2a9d8f" if g else "#e76f51" for g in good])
    ax.axvline(0, color="grey", lw=0.8)
    if change.abs().max() < 1:  # at the baseline (no change) an axis of +-5 % reads better than +-0.04 %
        ax.set_xlim(-5, 5)
    ax.invert_yaxis()
    ax.set_xlabel(tr("axis"))
    ax.set_title(tr("title", days=run.days))
    return fig


def widgets(run: Run, start: Mapping[str, Any]) -> dict[str, Any]:
    """The six controls, keyed as :func:`defaults`, set to ``start``; each reports a new value on release only."""
    import ipywidgets as w

    tr = i18n.translator(run.language, "controls")
    style, layout = {"description_width": "10em"}, w.Layout(width="32em")
    kw: dict[str, Any] = {"continuous_update": False, "style": style, "layout": layout}
    budget = max(float(start["ad_budget"]), 1.0)
    return {
        "agents": w.IntSlider(value=start["agents"], min=1, max=8, description=tr("agents"), **kw),
        "pickers": w.IntSlider(value=start["pickers"], min=1, max=8, description=tr("pickers"), **kw),
        "load_time": w.FloatSlider(
            value=start["load_time"], min=0.5, max=6.0, step=0.1, description=tr("load_time"), **kw
        ),
        "ad_budget": w.FloatSlider(
            value=start["ad_budget"], min=0.0, max=3 * budget, step=budget / 10, description=tr("ad_budget"), **kw
        ),
        "promo_depth": w.FloatSlider(
            value=start["promo_depth"], min=0.0, max=0.5, step=0.05, description=tr("promo_depth"), **kw
        ),
        "no_reason": w.Checkbox(value=start["no_reason"], description=tr("no_reason"), style=style, layout=layout),
    }


def panel(run: Run, settings: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Draw ``settings`` (default: the scenario's) against the baseline, then the sliders that redraw it.

    Returns the static comparison, so a notebook or test can read the numbers.
    """
    base = run.simulate().kpis()
    start = {**defaults(run.scenario), **(settings or {})}
    frame = compare(run, base, start)
    draw(frame, run)
    tr = i18n.translator(run.language, "controls")
    try:
        import ipywidgets as w
    except ImportError:
        print(tr("static"))
        return frame
    controls = widgets(run, start)
    out = w.Output()

    def redraw(_: Any = None) -> None:
        with out:
            out.clear_output(wait=True)
            draw(compare(run, base, {k: c.value for k, c in controls.items()}), run)

    for control in controls.values():
        control.observe(redraw, names="value")
    display(w.VBox([w.HTML(tr("release")), *controls.values(), out]))
    return frame
