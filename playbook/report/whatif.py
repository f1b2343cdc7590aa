"""What-ifs: several strategies against one baseline over paired replications, with a computed verdict.

A strategy is the baseline scenario with some fields changed by dotted path
(``{"service.agents": 2}``) or a whole other :class:`Scenario`.  Every
strategy runs on the *same* ``n`` seeds as the baseline (replication i of
each uses the i-th seed spawned from ``SeedSequence(seed)``, as in
:func:`sim.compare`), so the paired differences cancel most of the noise the
strategies share: a what-if of 10 pairs reads like one of many more
independent runs.  For each strategy and KPI the table holds the mean and
its 95% Student-t interval, and the mean paired difference from the baseline
with its interval (:func:`sim.mean_ci`), absolute and in % of the baseline
mean.  The verdict sentences are built from those numbers, so a notebook
never states a conclusion its runs do not support.
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from playbook.text import i18n, units
from sim.engine.rng import as_seed_sequence
from sim.experiment.runs import check_replications, mean_ci, run_many
from sim.scenario.definition import Scenario

Strategy = Mapping[str, Any] | Scenario


@dataclass(frozen=True)
class WhatIf:
    """Replications of a baseline and its strategies, and the tidy table of their comparison."""

    table: pd.DataFrame  #: one row per (strategy, kpi); see :func:`compare_strategies`
    runs: dict[str, pd.DataFrame]  #: KPIs of every replication, by strategy (baseline first)
    baseline: str
    n: int
    days: int
    seed: int
    currency: str = "EUR"
    language: str = i18n.API_LANGUAGE  #: of the sentences, table headings and plot labels ('zh' or 'en')

    @property
    def strategies(self) -> list[str]:
        """Strategy names in the order given, baseline first."""
        return list(self.runs)

    def row(self, kpi: str, strategy: str) -> pd.Series:
        """The table row of one strategy and KPI (KeyError naming what exists otherwise)."""
        hit = self.table[(self.table["strategy"] == strategy) & (self.table["kpi"] == kpi)]
        if hit.empty:
            raise KeyError(f"no row for strategy {strategy!r} and kpi {kpi!r}; strategies: {self.strategies}")
        return hit.iloc[0]

    def means(self, strategy: str | None = None) -> dict[str, float]:
        """Mean of every KPI over the replications of ``strategy`` (default: the baseline)."""
        return {k: float(v) for k, v in self.runs[strategy or self.baseline].mean().items()}

    def series(self, kpi: str) -> pd.DataFrame:
        """Mean and 95% CI of ``kpi`` per strategy (index: strategy, in the order given)."""
        part = self.table[self.table["kpi"] == kpi].set_index("strategy")
        return part.loc[self.strategies, ["mean", "ci_low", "ci_high", "diff", "diff_low", "diff_high", "significant"]]

    def ratio_of_changes(self, numerator: str, denominator: str, strategy: str) -> tuple[float, float, float] | None:
        """Change in ``numerator`` per unit of change in ``denominator`` (e.g. net revenue per unit of extra spend).

        ratio = mean paired diff of the numerator / mean paired diff of the
        denominator; its interval divides the numerator's paired 95% CI by the
        denominator's mean change, which treats that change as known (true
        when it is set by the strategy, as a budget is).  None when the
        denominator does not change.
        """
        num, den = self.row(numerator, strategy), self.row(denominator, strategy)
        if not den["diff"]:
            return None
        ends = sorted((num["diff_low"] / den["diff"], num["diff_high"] / den["diff"]))
        return num["diff"] / den["diff"], ends[0], ends[1]

    def derive(
        self,
        kpi: str,
        func: Callable[[pd.DataFrame], pd.Series],
        *,
        unit: str,
        name: str,
        definition: str,
        higher_is_better: bool = True,
    ) -> WhatIf:
        """A copy with one more metric computed per replication from the KPIs (``func(runs) -> Series``).

        The metric is registered with ``playbook.text.units`` so that tables,
        sentences and plots show its unit, and compared like any KPI: paired,
        replication by replication.
        """
        units.register(kpi, unit, name, definition, higher_is_better)
        runs = {s: frame.assign(**{kpi: func(frame)}) for s, frame in self.runs.items()}
        extra = _table(runs, self.baseline, [kpi])
        return replace(self, table=pd.concat([self.table, extra], ignore_index=True), runs=runs)

    def with_contribution(self) -> WhatIf:
        """A copy with ``contribution``: what the store earns before labour, per replication.

        contribution = net revenue x gross margin (net revenue less the goods
        kept and shipping) - marketing spend - CRM cost - holding cost - dead
        stock + membership fees, i.e. ``operating_profit`` + ``labour_cost``:
        the money scale for levers that do not change the roster.
        """
        return self.derive(
            "contribution",
            lambda k: k["operating_profit"] + k["labour_cost"],
            unit="money",
            name=i18n.t("kpi.contribution", "en"),
            definition=i18n.t("whatif.contribution_definition", "en"),
        )

    def summary(self, kpis: Sequence[str], by_strategy: bool = False) -> Summary:
        """Each strategy's effect on ``kpis``: a dot-and-whisker chart and a compact table (see :class:`Summary`).

        The table has a column per strategy and two rows per KPI: its mean
        [95% CI], and its mean paired change from the baseline [95% CI], the
        unit in each row's header.  ``by_strategy`` turns it round, a row per
        strategy and two columns per KPI: narrow enough for a report page when
        there are many strategies and few KPIs (12_strategy_lab's nine).

        Shown as the last line of a notebook cell it displays both; its
        ``table`` is the table as a DataFrame.
        """
        lang, c = self.language, self.currency
        rows: dict[tuple[str, str], list[str]] = {}
        for kpi in kpis:
            head = i18n.kpi_name(kpi, lang)
            level, change = [], []
            for s in self.strategies:
                r = self.row(kpi, s)
                level.append(_cell(r["mean"], r["ci_low"], r["ci_high"], kpi=kpi, language=lang, signed=False))
                change.append(
                    ""
                    if s == self.baseline
                    else _cell(*_snap(r["diff"], r["diff_low"], r["diff_high"], ref=r["mean"]), kpi=kpi, language=lang)
                    + (" *" if r["significant"] else "")
                )
            symbol = units.unit_symbol(kpi, c, lang)
            value_head = f"{i18n.t('table.value', lang)} ({symbol})" if symbol else i18n.t("table.value", lang)
            rows[(head, value_head)] = level
            rows[(head, f"{self._t('change')} ({units.diff_unit(kpi, c, lang) or symbol})")] = change
        frame = pd.DataFrame(
            list(rows.values()),
            index=pd.MultiIndex.from_tuples(list(rows)),
            columns=pd.Index(self.strategies, name=i18n.t("plot.strategy", lang)),
        )
        if by_strategy:
            frame = frame.T
        frame.attrs["note"] = self._t("note", n=self.n, days=self.days)
        return Summary(frame, self, tuple(kpis))

    def _t(self, key: str, **values: Any) -> str:
        """The what-if message ``key`` in this what-if's language."""
        return i18n.t(f"whatif.{key}", self.language, **values)

    def pair(self, kpi: str, strategy: str, against: str | None = None) -> dict[str, Any]:
        """``strategy`` minus ``against`` (default: the baseline) for ``kpi``, paired replication by replication.

        Keys: mean_a (against), mean_b (strategy), diff, diff_low, diff_high
        (mean paired difference and its 95% Student-t CI), significant.
        """
        against = against or self.baseline
        for name in (strategy, against):
            if name not in self.runs:
                raise KeyError(f"no strategy {name!r}; strategies: {self.strategies}")
        b, a = self.runs[strategy][kpi].to_numpy(float), self.runs[against][kpi].to_numpy(float)
        d, lo, hi = mean_ci(b - a)
        return {
            "mean_a": float(np.nanmean(a)),
            "mean_b": float(np.nanmean(b)),
            "diff": d,
            "diff_low": lo,
            "diff_high": hi,
            "significant": bool(lo > 0 or hi < 0),
        }

    def interaction(self, kpi: str, combined: str, parts: Sequence[str]) -> tuple[float, float, float]:
        """How much more (or less) ``combined`` changes ``kpi`` than its ``parts`` one at a time, with a 95% CI.

        Per replication i: (combined_i - base_i) - sum_p (part_p,i - base_i);
        mean and Student-t interval over i.  Positive: the levers amplify each
        other (the guide's self-amplifying loop); negative: they overlap.
        """
        base = self.runs[self.baseline][kpi].to_numpy(float)
        joint = self.runs[combined][kpi].to_numpy(float) - base
        alone = sum(self.runs[p][kpi].to_numpy(float) - base for p in parts)
        return mean_ci(joint - alone)

    def conclusion(self, kpi: str, strategy: str, against: str | None = None) -> str:
        """One sentence on ``strategy`` vs ``against`` (default: the baseline) for ``kpi``, from the paired CI."""
        against = against or self.baseline
        r, c = self.pair(kpi, strategy, against), self.currency
        what = i18n.kpi_phrase(kpi, self.language)
        lang = self.language
        a, b = units.fmt(r["mean_a"], kpi, c, lang), units.fmt(r["mean_b"], kpi, c, lang)
        ci = self._t(
            "ci",
            low=units.fmt_diff(r["diff_low"], kpi, c, language=lang),
            high=units.fmt_diff(r["diff_high"], kpi, c, language=lang),
            n=self.n,
            days=self.days,
        )
        if r["diff_low"] == r["diff_high"] == 0:
            return self._t("unchanged", strategy=strategy, what=what, n=self.n, days=self.days, value=a)
        if not r["significant"]:
            diff = units.fmt_diff(r["diff"], kpi, c, language=lang)
            return self._t("no_difference", strategy=strategy, what=what, a=a, b=b, diff=diff, ci=ci)
        good = (r["diff"] > 0) == units.higher_is_better(kpi)
        return self._t(
            "changes",
            strategy=strategy,
            verb=self._t("raises" if r["diff"] > 0 else "cuts"),
            what=what,
            size=units.fmt_diff(r["diff"], kpi, c, signed=False, language=lang),
            a=a,
            b=b,
            ci=ci,
            judgement=self._t("better" if good else "worse"),
            against=against,
        )

    def best(self, kpi: str) -> str:
        """The strategy (baseline included) with the best mean of ``kpi``, by the KPI's better direction."""
        means = self.table[self.table["kpi"] == kpi].set_index("strategy")["mean"]
        return str(means.idxmax() if units.higher_is_better(kpi) else means.idxmin())

    def verdict(self, kpi: str) -> str:
        """Which strategy wins on ``kpi`` and whether the runs can tell it from the baseline."""
        winner, what = self.best(kpi), i18n.kpi_phrase(kpi, self.language)
        if winner == self.baseline:
            value = units.fmt(self.row(kpi, winner)["mean"], kpi, self.currency, self.language)
            return self._t("none_beats", baseline=self.baseline, what=what, value=value)
        if not self.row(kpi, winner)["significant"]:
            side = self._t("highest" if units.higher_is_better(kpi) else "lowest")
            return self._t(
                "unclear", baseline=self.baseline, what=what, side=side, conclusion=self.conclusion(kpi, winner)
            )
        return self._t("best", what=what, conclusion=self.conclusion(kpi, winner))

    def headline(self, kpi: str, strategy: str | None = None, against: str | None = None) -> dict[str, Any]:
        """Machine-readable record of one comparison for the report index.

        ``strategy`` defaults to the best one on ``kpi`` other than the
        baseline (the least bad when none beats it); ``against`` to the baseline.
        ``short`` is the one-line form the index table shows.
        """
        if strategy is None:
            means = self.table[(self.table["kpi"] == kpi) & (self.table["strategy"] != self.baseline)]
            means = means.set_index("strategy")["mean"]
            strategy = str(means.idxmax() if units.higher_is_better(kpi) else means.idxmin())
        against = against or self.baseline
        r, c = self.pair(kpi, strategy, against), self.currency
        short = self._t(
            "short",
            strategy=strategy,
            against=against,
            name=i18n.kpi_name(kpi, self.language),
            diff=units.fmt_diff(r["diff"], kpi, c, language=self.language),
            low=units.fmt_diff(r["diff_low"], kpi, c, language=self.language),
            high=units.fmt_diff(r["diff_high"], kpi, c, language=self.language),
        )
        return {
            "kpi": kpi,
            "unit": units.unit(kpi),
            "baseline": against,
            "strategy": strategy,
            "mean_baseline": r["mean_a"],
            "mean_strategy": r["mean_b"],
            "diff": r["diff"],
            "ci_low": r["diff_low"],
            "ci_high": r["diff_high"],
            "significant": r["significant"],
            "n": self.n,
            "days": self.days,
            "short": short,
            "conclusion": self.conclusion(kpi, strategy, against),
        }


def _snap(diff: float, low: float, high: float, *, ref: float) -> tuple[float, float, float]:
    """``diff`` and its interval with rounding noise (below 1e-9 of ``ref``'s size) set to 0.

    The same costs summed in another order differ by 1e-12: that is no change.
    """
    tiny = 1e-9 * max(1.0, abs(ref)) if np.isfinite(ref) else 0.0
    return (0.0 if abs(diff) <= tiny else diff, 0.0 if abs(low) <= tiny else low, 0.0 if abs(high) <= tiny else high)


def _cell(mid: float, low: float, high: float, *, kpi: str, language: str, signed: bool = True) -> str:
    """'44,647 [43,900 – 45,310]' in the KPI's shown unit, no unit; one number when every run gave the same."""

    def show(v: float) -> str:
        bare = units.number(v, kpi, language, whole=False if signed else None, like=mid)
        return ("+" if v > 0 else "" if v < 0 or bare == "n/a" else "±") + bare if signed else bare

    constant = (low == high == mid) or not (np.isfinite(low) and np.isfinite(high))
    return show(mid) if constant else f"{show(mid)} [{show(low)} – {show(high)}]"


@dataclass(frozen=True)
class Summary:
    """What a notebook shows for a what-if: each strategy's effect as a chart, then the compact table.

    The chart (``playbook.report.plots.effects``) has one panel per KPI: a
    dot per strategy at its mean paired change from the baseline and a
    whisker over the change's 95% interval, in the KPI's own unit, green /
    red where the interval shows it better / worse and blue where it
    includes 0.  The table has one value and its interval per cell, the unit
    in the column header only, and no interval for a value every run gave.
    Displayed in a notebook, the chart is an embedded PNG (nothing to load).
    """

    table: pd.DataFrame
    whatif: WhatIf
    kpis: tuple[str, ...]

    def figure(self) -> Any:
        """The dot-and-whisker chart as a matplotlib Figure (not registered with pyplot)."""
        from playbook.report import plots

        return plots.effects(self.whatif, self.kpis)

    def png(self) -> bytes:
        """The chart as PNG bytes."""
        buffer = io.BytesIO()
        self.figure().savefig(buffer, format="png", dpi=110)
        return buffer.getvalue()

    def _repr_html_(self) -> str:
        encoded = base64.b64encode(self.png()).decode("ascii")
        wi = self.whatif
        alt = html.escape(i18n.t("plot.effects_title", wi.language, baseline=wi.baseline, n=wi.n, days=wi.days))
        table = re.sub(  # the interval on a second, smaller line: six strategies fit a laptop's width
            r"<td>([^<\[]*?) \[([^\]<]*)\]([^<]*)</td>",
            r'<td>\1\3<br><small style="color: #667">[\2]</small></td>',
            self.table.to_html(classes="whatif-table"),
        ).replace("<table", '<table style="white-space: nowrap; font-size: 12px"', 1)
        return (
            f'<div class="whatif-summary"><img src="data:image/png;base64,{encoded}" alt="{alt}" '
            f'style="max-width: 100%">{table}<p><small>{html.escape(self.table.attrs["note"])}</small></p></div>'
        )

    def __repr__(self) -> str:
        return f"{self.table.to_string()}\n{self.table.attrs['note']}"


def _scenario(base: Scenario, strategy: Strategy) -> Scenario:
    return strategy if isinstance(strategy, Scenario) else base.with_overrides(dict(strategy))


def replicate_all(
    scenarios: Mapping[str, Scenario], *, n: int, seed: int, days: int, workers: int | None = None
) -> dict[str, pd.DataFrame]:
    """KPIs and measures of ``n`` replications of every scenario, one frame per scenario name.

    Replication i of every scenario uses the i-th seed spawned from
    ``SeedSequence(seed)`` (common random numbers, the seeds of
    :func:`sim.replicate`); all scenarios' runs share one process pool, so
    the workers stay busy across strategies.  Unlike ``sim.replicate`` the
    rows carry ``Result.measures()`` too (labour, holding and CRM costs,
    operating profit), which what-ifs on capacity and programmes need.
    """
    n = check_replications(n)
    seeds = as_seed_sequence(seed).spawn(n)
    rows = run_many([(sc, s, days) for sc in scenarios.values() for s in seeds], workers)
    return {name: pd.DataFrame(rows[i * n : (i + 1) * n]) for i, name in enumerate(scenarios)}


def _table(runs: Mapping[str, pd.DataFrame], baseline: str, kpis: Sequence[str]) -> pd.DataFrame:
    """The tidy comparison table of :func:`compare_strategies` from per-replication KPIs."""
    rows = []
    for name, frame in runs.items():
        for kpi in kpis:
            values, ref = frame[kpi].to_numpy(float), runs[baseline][kpi].to_numpy(float)
            mean, lo, hi = mean_ci(values)
            d, d_lo, d_hi = mean_ci(values - ref)
            ref_mean = float(np.nanmean(ref)) if np.isfinite(ref).any() else float("nan")
            rel = 100.0 / abs(ref_mean) if ref_mean else float("nan")  # a loss-making baseline keeps the sign
            rows.append(
                {
                    "strategy": name,
                    "kpi": kpi,
                    "unit": units.unit(kpi),
                    "mean": mean,
                    "ci_low": lo,
                    "ci_high": hi,
                    "diff": d,
                    "diff_low": d_lo,
                    "diff_high": d_hi,
                    "rel_diff": d * rel,
                    "rel_low": d_lo * rel,
                    "rel_high": d_hi * rel,
                    "significant": bool(d_lo > 0 or d_hi < 0),
                    "n": int(np.isfinite(values - ref).sum()),
                }
            )
    return pd.DataFrame(rows)


def compare_strategies(
    base: Scenario,
    strategies: Mapping[str, Strategy],
    *,
    n: int = 10,
    days: int = 90,
    seed: int = 0,
    workers: int | None = None,
    baseline: str = "baseline",
    kpis: Iterable[str] | None = None,
    language: str = i18n.API_LANGUAGE,
) -> WhatIf:
    """Run ``base`` and every strategy on the same ``n`` seeds; compare each with ``base``.

    Table columns: strategy, kpi, unit, mean, ci_low, ci_high (95% Student-t
    interval of the strategy's own replications), diff, diff_low, diff_high
    (mean paired difference strategy - baseline and its interval: the numbers
    :func:`sim.compare` gives), rel_diff, rel_low, rel_high (the same in % of
    the baseline mean's size, so a rise stays positive when the baseline is a
    loss), significant (the diff interval excludes 0), n.
    ``kpis`` limits the table (default: every KPI); ``language`` ('zh' or
    'en') is the one of the sentences, headings and plot labels built from it.
    """
    i18n.check_language(language)
    if baseline in strategies:
        raise ValueError(f"a strategy is named {baseline!r}, the baseline's name; rename it")
    if not strategies:
        raise ValueError("give at least one strategy to compare with the baseline")
    scenarios = {baseline: base, **{name: _scenario(base, s) for name, s in strategies.items()}}
    runs = replicate_all(scenarios, n=n, seed=seed, days=days, workers=workers)
    wanted = list(kpis) if kpis is not None else list(runs[baseline].columns)
    table = _table(runs, baseline, wanted)
    return WhatIf(table, runs, baseline, int(n), int(days), int(seed), base.money.currency, language)


# --- the store as it is now, and what-ifs stated relative to it ----------------------------------------------
#
# A notebook reads "the store as it is now" from its scenario and states each what-if as a change of it ("+1 agent",
# "page 0.5 s faster", "budget x1.5"), so the same notebook runs on any scenario (baseline, growth, a calibrated
# twin of a real store) with no value of the store restated as a parameter.  Each helper returns overrides by
# dotted path, ready for :func:`compare_strategies` or ``Run.simulate``.

EVERY_DAY = [0, 1, 2, 3, 4, 5, 6]
#: The head-count field of each team when it has no crew plan: ``service.agents``, ``warehouse.pickers``.
HEAD_COUNT = {"service": "agents", "warehouse": "pickers"}


def _team(scenario: Scenario, team: str) -> Any:
    """The section of ``team``: ``scenario.service`` or ``scenario.warehouse`` (ValueError for another name)."""
    if team not in HEAD_COUNT:
        raise ValueError(f"team {team!r}: allowed: one of {list(HEAD_COUNT)}")
    return getattr(scenario, team)


def more_people(scenario: Scenario, team: str, delta: int) -> dict[str, Any]:
    """``delta`` more people (fewer when negative) on every shift of ``team`` ('service' or 'warehouse').

    A team with a staffing plan (``crew``) gets ``delta`` more on each of its
    shifts: growth.yaml's early and late agent become two and two with
    ``delta=1``.  No floor is applied: a head count the schema refuses raises
    its ScenarioError naming the field.
    """
    section = _team(scenario, team)
    if section.crew:
        return {f"{team}.crew.{name}.people": shift.people + delta for name, shift in section.crew.items()}
    field = HEAD_COUNT[team]
    return {f"{team}.{field}": getattr(section, field) + delta}


def head_count(scenario: Scenario, team: str) -> int:
    """People of ``team`` on its largest shift now (the crew plan's busiest shift, else agents or pickers)."""
    section = _team(scenario, team)
    if section.crew:
        return max(shift.people for shift in section.crew.values())
    return int(getattr(section, HEAD_COUNT[team]))


def hours(scenario: Scenario, team: str, earlier: float = 0.0, later: float = 0.0, every_day: bool = False) -> dict:
    """``team``'s working day opened ``earlier`` hours sooner and closed ``later`` hours later, within 0-24.

    Negative values shorten or move the day (``earlier=-1.5, later=10``: a
    desk of 10:30-12:00 becomes 12:00-22:00).  ``every_day`` opens all seven
    weekdays.  With a crew plan the first shift of the day starts earlier and
    the last one ends later.
    """
    section = _team(scenario, team)
    shifts = dict(section.crew) if section.crew else {"": section.shift}
    first = min(shifts, key=lambda n: shifts[n].start_hour)
    last = max(shifts, key=lambda n: shifts[n].end_hour)
    out: dict[str, Any] = {}
    for name, shift in shifts.items():
        start = min(max(shift.start_hour - (earlier if name == first else 0.0), 0.0), 23.5)
        end = min(max(shift.end_hour + (later if name == last else 0.0), start + 0.5), 24.0)
        path = f"{team}.crew.{name}" if name else f"{team}.shift"
        weekdays = EVERY_DAY if every_day else list(shift.weekdays)
        out.update({f"{path}.start_hour": start, f"{path}.end_hour": end, f"{path}.weekdays": weekdays})
    return out


def working_day(scenario: Scenario, team: str) -> tuple[float, float]:
    """The hours ``team`` starts and ends its day now: (first start, last end) of its shifts."""
    section = _team(scenario, team)
    shifts = list(section.crew.values()) if section.crew else [section.shift]
    return min(s.start_hour for s in shifts), max(s.end_hour for s in shifts)


def shifted(scenario: Scenario, path: str, delta: float, low: float = 0.0, high: float = 1.0) -> float:
    """The value at ``path`` now plus ``delta``, kept within [low, high] (a score 0-1 by default)."""
    return round(float(min(max(scenario.get(path) + delta, low), high)), 9)  # 0.55 + 0.3 is 0.85, not ...0001


def every_option(scenario: Scenario, field: str, value: Any) -> dict[str, Any]:
    """``field`` of every delivery option set to ``value`` (a carrier-wide change, whatever the options' names)."""
    return {f"delivery.options.{name}.{field}": value for name in scenario.delivery.options}


def main_option(scenario: Scenario) -> str:
    """The delivery option most orders choose ('standard' in the bundled stores)."""
    options = scenario.delivery.options
    return max(options, key=lambda name: options[name].share)


def _named(name: str, names: Iterable[str], what: str) -> str:
    known = list(names)
    if name not in known:
        raise ValueError(f"{what} {name!r} is not in the scenario; allowed: one of {known}")
    return name


def paid_channel(scenario: Scenario, name: str = "") -> str:
    """``name`` if the scenario has that channel, else (empty) its paid channel with the largest daily budget."""
    channels = scenario.traffic.channels
    if name:
        return _named(name, channels, "channel")
    paid = {n: c.daily_budget for n, c in channels.items() if c.daily_budget > 0}
    if not paid:
        raise ValueError(f"the scenario has no paid channel (daily_budget > 0); channels: {list(channels)}")
    return max(paid, key=lambda n: paid[n])


def returning_channel(scenario: Scenario, name: str = "") -> str:
    """``name`` if given, else the channel with the highest share of returning visitors (e-mail, a private domain).

    It is the channel a newsletter or win-back message brings customers back through.
    """
    channels = scenario.traffic.channels
    if name:
        return _named(name, channels, "channel")
    return max(channels, key=lambda n: channels[n].returning_share)


def search_channels(scenario: Scenario) -> list[str]:
    """Unpaid channels with 'search' in their name: those whose volume follows titles and alt text (SEO)."""
    return [n for n, c in scenario.traffic.channels.items() if "search" in n and c.daily_budget == 0]


def main_sku(scenario: Scenario, name: str = "") -> str:
    """``name`` if the catalogue has it, else the SKU with the largest demand weight (the best seller)."""
    skus = scenario.catalogue.skus
    if name:
        return _named(name, skus, "SKU")
    return max(skus, key=lambda n: skus[n].demand_weight)


def median_price(scenario: Scenario) -> float:
    """The median selling price of the catalogue: the store's price level, in its currency."""
    return float(np.median([s.price for s in scenario.catalogue.skus.values()]))


def stock_value(scenario: Scenario) -> float:
    """The catalogue's opening stock at unit cost, in the store's currency: the size of its inventory."""
    return float(sum(s.initial_stock * s.unit_cost for s in scenario.catalogue.skus.values()))
