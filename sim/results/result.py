"""The outcome of one run as tidy pandas tables, with the KPIs and provenance.

``Result.orders`` follows the one orders schema (``sim.results.tables``) that real
exports are loaded into, so ``Result.kpis()`` is ``sim.results.kpis.compute`` on the
run's tables: the same code that measures a real store.  ``Result.measures()``
adds what only a simulation knows (``sim.results.measures``: holding cost, dead
stock, labour, CRM cost, operating profit).

Besides the core tables, the lever tables show what each lever did:

* ``channels``: per channel, spend, sessions, orders, new customers, CAC and ROAS;
* ``sku_daily``: per day and SKU, shelf and reference price, promotion depth,
  funnel, stock on hand and its holding cost (promotion fatigue shows here);
* ``skus``: per SKU, the test-and-kill verdict, end stock and dead stock;
* ``markets`` and ``variants``: the funnel per day and market / A/B arm;
* ``labour``: person-hours and their cost per day and team;
* ``programmes``: CRM and after-sales programmes per day - events, cost, revenue.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.engine.clock import timestamps
from sim.engine.log import EventLog
from sim.engine.model import CELL_STEPS, StoreModel
from sim.engine.operations.orders import labels
from sim.outputs import claim, discard, publish, staging
from sim.results import kpis as kpi_defs
from sim.results import measures
from sim.scenario.definition import Scenario
from sim.version import provenance

#: The command named in a run folder's manifest (``sim.outputs``).
COMMAND = "python -m sim run"

TABLES = (
    "events",
    "orders",
    "tickets",
    "daily",
    "customers",
    "reviews",
    "channels",
    "sku_daily",
    "skus",
    "markets",
    "variants",
    "labour",
    "programmes",
)


class Result:
    """The tables of one run, each built from the finished model the first time it is read.

    A replication of a sweep asks for :meth:`kpis` and :meth:`measures`
    only, and building every table would cost more than computing them: the
    orders, daily, tickets and reviews tables are what the KPIs read, and the
    customers, channels, markets and variants tables and the ``events`` of the
    log (half a million rows in a growth year) are built only if someone
    reads them.  The run's model is kept until then; it is finished and no
    longer changes.
    """

    def __init__(self, model: StoreModel, seed: int | None) -> None:
        self.scenario: Scenario = model.scenario
        self.seed = seed
        self.days: int = model.days
        self._model = model
        self._log: EventLog = model.log

    def __getstate__(self) -> dict[str, Any]:
        """A result pickles with its tables built and without the model (SimPy's generators do not pickle);
        ``events`` is still built from the log when first read."""
        for name in TABLES:
            if name != "events":
                getattr(self, name)
        state = {k: v for k, v in vars(self).items() if k != "_model"}
        state["_order_channels"] = self._order_channels
        return state

    @cached_property
    def orders(self) -> pd.DataFrame:
        """One row per order, in the one orders schema (``sim.results.tables.ORDER_COLUMNS``)."""
        return _orders(self._model)

    @cached_property
    def tickets(self) -> pd.DataFrame:
        """One row per service ticket (``sim.results.tables.TICKET_COLUMNS``)."""
        return _tickets(self._model)

    @cached_property
    def daily(self) -> pd.DataFrame:
        """One row per day and channel: the funnel, spend, orders and revenue (``DAILY_COLUMNS``)."""
        return _daily(self._model, self.orders)

    @cached_property
    def customers(self) -> pd.DataFrame:
        """One row per customer (``sim.results.tables.CUSTOMER_COLUMNS``)."""
        return _customers(self._model, self.orders)

    @cached_property
    def reviews(self) -> pd.DataFrame:
        """One row per review (``sim.results.tables.REVIEW_COLUMNS``)."""
        return _reviews(self._model)

    @cached_property
    def channels(self) -> pd.DataFrame:
        """Per channel over the run: spend, sessions, orders, revenue, new customers, CAC and ROAS."""
        return _channels(self.daily)

    @cached_property
    def sku_daily(self) -> pd.DataFrame:
        """Per day and SKU: prices, promotion depth, funnel, stock at midnight and its holding cost."""
        return _sku_daily(self._model)

    @cached_property
    def skus(self) -> pd.DataFrame:
        """Per SKU: the test-and-kill verdict, end stock, dead stock and write-offs."""
        return _skus(self._model, self.sku_daily)

    @cached_property
    def markets(self) -> pd.DataFrame:
        """The funnel, orders and revenue per day and market."""
        return _by_cell(self._model, self.orders, "market")

    @cached_property
    def variants(self) -> pd.DataFrame:
        """The funnel, orders and revenue per day and A/B arm ('' outside a test)."""
        return _by_cell(self._model, self.orders, "variant")

    @cached_property
    def labour(self) -> pd.DataFrame:
        """Person-hours on the roster, their cost and the hours of work, per day and team."""
        return _labour(self._model)

    @cached_property
    def programmes(self) -> pd.DataFrame:
        """CRM and after-sales programmes per day: events, cost and revenue."""
        return _programmes(self._model, self.orders)

    @cached_property
    def events(self) -> pd.DataFrame:
        """One row per event (``sim.engine.log``), sorted by time.

        A growth year logs half a million events and turning them into a
        table takes about half a second, which the KPIs, the measures and
        every replication of a sweep would pay for nothing.
        """
        return self._log.frame(self.scenario.time.start_date, self._order_channels)

    @cached_property
    def _order_channels(self) -> np.ndarray:
        """Each order's channel label (the events table's ``channel``)."""
        m = self._model
        return np.asarray(m.demand.channels, dtype=object)[np.asarray(m.orders.channel, dtype=int)]

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name, ``events`` included."""
        return {name: getattr(self, name) for name in TABLES}

    def kpis(self) -> dict[str, float]:
        """Every KPI of ``sim.results.kpis`` for this run (SLA measured against ``service.sla_hours``)."""
        return kpi_defs.compute(_Tables(self), sla_hours=self.scenario.service.sla_hours)

    def measures(self) -> dict[str, float]:
        """The simulation-only measures of ``sim.results.measures``: holding cost, dead stock, labour, CRM, profit."""
        return measures.compute(_Tables(self))

    def profit_and_loss(self) -> pd.Series:
        """The P&L lines of ``sim.results.measures.profit_and_loss``, revenue down to operating profit."""
        return measures.profit_and_loss(_Tables(self))

    def write(self, out: str | Path, fmt: str = "parquet", force: bool = False) -> Path:
        """Write the tables, ``kpis.json``, ``scenario.yaml`` and ``provenance.json`` (seed, days, versions) to ``out``.

        ``scenario.yaml`` is the fully resolved scenario and nothing else, so
        ``sim run out/scenario.yaml --seed S --days D`` (S and D from
        ``provenance.json``) reproduces the run.

        ``out`` must be new or empty, or hold a previous run's output and
        ``force`` be given (``sim.outputs.claim``; anything else there is never
        touched).  Everything goes to a staging folder beside ``out`` first and
        is renamed into place at the end, so an interrupted write leaves no
        partial output behind.
        """
        if fmt not in ("parquet", "csv"):
            raise ValueError(f"fmt = {fmt!r}: allowed: 'parquet' or 'csv'")
        out = Path(out)
        claim(out, COMMAND, force=force)
        tmp = staging(out)
        try:
            for name, frame in self.tables().items():
                if fmt == "parquet":
                    frame.to_parquet(tmp / f"{name}.parquet", index=False)
                else:
                    frame.to_csv(tmp / f"{name}.csv", index=False)
            (tmp / "kpis.json").write_text(json.dumps(self.kpis(), indent=2, allow_nan=True) + "\n")
            meta = {**provenance(), "seed": self.seed, "days": self.days}
            (tmp / "provenance.json").write_text(json.dumps(meta, indent=2) + "\n")
            (tmp / "scenario.yaml").write_text(
                f"# fully resolved scenario of this run (seed {self.seed}, {self.days} days: provenance.json)\n"
                + self.scenario.to_yaml()
            )
            publish(tmp, out, COMMAND)
        except BaseException:
            discard(tmp)
            raise
        return out


def build_result(model: StoreModel, seed: int | None) -> Result:
    """The result of a finished model; its tables are built when first read."""
    return Result(model, seed)


class _Tables(Mapping[str, pd.DataFrame]):
    """A result's tables by name, each built when first looked up: what the KPIs and measures read."""

    def __init__(self, result: Result) -> None:
        self._result = result

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in TABLES:
            raise KeyError(name)
        frame: pd.DataFrame = getattr(self._result, name)
        return frame

    def __iter__(self) -> Iterator[str]:
        return iter(TABLES)

    def __len__(self) -> int:
        return len(TABLES)


def _orders(model: StoreModel) -> pd.DataFrame:
    start, o, cells = model.scenario.time.start_date, model.orders, model.cells
    cell = np.asarray(o.cell, dtype=int)
    day = np.minimum((np.asarray(o.placed, dtype=float) // 24).astype(int), model.days - 1)
    arms = cells.arms.labels
    variant = labels([*arms, ""], np.where(cells.arms.in_test[day], cell % cells.n_arms, len(arms)))
    market = labels(cells.market_names, cell // cells.n_arms)
    return o.frame(start, model.demand.channels, model.demand.skus, model.carriers.names, variant, market)


def _tickets(model: StoreModel) -> pd.DataFrame:
    d, start = model.desk, model.scenario.time.start_date
    return pd.DataFrame(
        {
            "ticket_id": np.arange(len(d.opened), dtype=np.int64),
            "order_id": np.asarray(d.order_id, dtype=np.int64),
            "customer_id": np.asarray(d.customer_id, dtype=np.int64),
            "reason": pd.array(d.reason, dtype="string"),
            "opened_at": timestamps(start, d.opened),
            "first_response_at": timestamps(start, d.answered),
            "resolved_at": timestamps(start, d.resolved),
            "handled_by": labels(("agent", "ai"), np.asarray(d.by_ai, dtype=bool)),
        }
    )


def _order_days(orders: pd.DataFrame, start: dt.date) -> np.ndarray:
    """The day of the run each order was placed, counted from its ``placed_at`` as ``dt.floor('D')`` does."""
    since = orders["placed_at"].to_numpy() - np.datetime64(start, "ns")
    return since // np.timedelta64(1, "D")


def _per_row(rows: np.ndarray, n_rows: int, orders: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Orders and their revenue per row of a table, given each order's row (-1: none); 0 where none.

    The revenue is summed by pandas' groupby, whose compensated sum is what
    these tables have always held, to the last bit.
    """
    mine = rows >= 0
    rows = rows[mine]
    revenue = np.zeros(n_rows)
    sums = pd.Series(orders["revenue"].to_numpy()[mine]).groupby(rows).sum()
    revenue[sums.index.to_numpy()] = sums.to_numpy()
    return np.bincount(rows, minlength=n_rows), revenue


def _daily(model: StoreModel, orders: pd.DataFrame) -> pd.DataFrame:
    days, channels, f = model.days, model.demand.channels, model.funnel
    start, n_ch = model.scenario.time.start_date, len(channels)

    def per_day(hourly: np.ndarray) -> np.ndarray:
        """Sum an [hour, channel, ...] array to [day * channel] (einsum: half the time of ``sum`` on these axes)."""
        return np.einsum("dhcx->dc", hourly.reshape(days, 24, n_ch, -1)).reshape(-1)

    def of_day(daily: np.ndarray) -> np.ndarray:
        """Sum a [day, channel, ...] array to [day * channel]."""
        return daily.reshape(days, n_ch, -1).sum(axis=2).reshape(-1)

    day = _order_days(orders, start)
    row = np.where(day < days, day * n_ch + np.asarray(model.orders.channel, dtype=int), -1)
    placed, revenue = _per_row(row, days * n_ch, orders)
    new = ~orders["is_repeat"].to_numpy()
    return pd.DataFrame(
        {
            "date": np.repeat(_dates(start, days).values, n_ch),
            "channel": pd.array(np.tile(np.asarray(channels, dtype=object), days), dtype="string"),
            "sessions": per_day(f.sessions),
            "returning_sessions": per_day(f.sessions[:, :, 1:]),
            "views": of_day(f.views),
            "views_out_of_stock": f.views_out_of_stock.reshape(-1),
            "carts": of_day(f.carts),
            "checkouts": of_day(f.checkouts),
            "lost_sales": model.lost_sales.reshape(-1),
            "spend": model.spend.reshape(-1),
            "orders": placed,
            "revenue": revenue,
            "new_customers": np.bincount(row[new & (row >= 0)], minlength=days * n_ch),
        }
    )


def _customers(model: StoreModel, orders: pd.DataFrame) -> pd.DataFrame:
    c, start = model.customers, model.scenario.time.start_date
    n = len(c.first_order)
    per = orders.groupby("customer_id").agg(revenue=("revenue", "sum"), refund=("refund", "sum"))
    per = per.reindex(np.arange(n), fill_value=0.0)
    segments = list(model.scenario.customers.segments) or ["all"]
    return pd.DataFrame(
        {
            "customer_id": np.arange(n, dtype=np.int64),
            "first_order_at": timestamps(start, c.first_order),
            "acquisition_channel": labels(model.demand.channels, c.channel),
            "orders": np.asarray(c.orders, dtype=np.int64),
            "revenue": per["revenue"].to_numpy(dtype=float),
            "refund": per["refund"].to_numpy(dtype=float),
            "churned": np.asarray(c.churned, dtype=bool),
            "segment": labels(segments, c.segment),
            "member": np.asarray(c.member, dtype=bool),
        }
    )


def _reviews(model: StoreModel) -> pd.DataFrame:
    r, start = model.reviews, model.scenario.time.start_date
    return pd.DataFrame(
        {
            "order_id": np.asarray(r.order_id, dtype=np.int64),
            "customer_id": np.asarray(r.customer_id, dtype=np.int64),
            "reviewed_at": timestamps(start, r.time),
            "rating": np.asarray(r.rating, dtype=np.int64),
        }
    )


def _dates(start: dt.date, days: int) -> pd.DatetimeIndex:
    """Midnight of each simulated day, as ``datetime64[ns]``."""
    return timestamps(start, np.arange(days) * 24.0)


def _channels(daily: pd.DataFrame) -> pd.DataFrame:
    """Per channel over the run: spend, sessions, orders, revenue, new customers, CAC and ROAS."""
    t = (
        daily.groupby("channel", observed=True, sort=False)[["spend", "sessions", "orders", "revenue", "new_customers"]]
        .sum()
        .reset_index()
    )
    t["cac"] = t["spend"] / t["new_customers"].where(t["new_customers"] > 0)
    t["roas"] = t["revenue"] / t["spend"].where(t["spend"] > 0)
    return t


def _sku_daily(model: StoreModel) -> pd.DataFrame:
    """Per day and SKU: prices (arm A), promotion depth, funnel, stock at midnight and its holding cost."""
    days, skus, start = model.days, model.demand.skus, model.scenario.time.start_date
    n = len(skus)
    prices = model.offers[0].prices
    steps = model.funnel.by_sku
    stock = np.maximum(model.stock, 0)
    rate = model.scenario.catalogue.holding_cost_rate / 365.0
    killed = model.assortment.killed_day
    live = (killed[None, :] < 0) | (np.arange(days)[:, None] < killed[None, :])
    return pd.DataFrame(
        {
            "date": np.repeat(_dates(start, days).values, n),
            "sku": pd.array(np.tile(np.asarray(skus, dtype=object), days), dtype="string"),
            "price": prices.shown.reshape(-1),
            "reference_price": prices.reference.reshape(-1),
            "promotion_depth": prices.depth.reshape(-1),
            "views": steps[:, :, 0].reshape(-1),
            "views_out_of_stock": steps[:, :, 1].reshape(-1),
            "carts": steps[:, :, 2].reshape(-1),
            "orders_wanted": steps[:, :, 3].reshape(-1),
            "stock_on_hand": stock.reshape(-1),
            "holding_cost": (stock * model.unit_cost[None, :] * rate).reshape(-1),
            "live": live.reshape(-1),
        }
    )


def _skus(model: StoreModel, sku_daily: pd.DataFrame) -> pd.DataFrame:
    """Per SKU: candidate, verdict of the kill review, test conversion and margin, end stock, dead stock, write-offs."""
    a, names = model.assortment, model.demand.skus
    on_hand = np.array(model.inventory.on_hand, dtype=np.int64)
    origin = pd.Timestamp(model.scenario.time.start_date)
    per = sku_daily.groupby("sku", sort=False, observed=True)[["views", "orders_wanted", "holding_cost"]].sum()
    return pd.DataFrame(
        {
            "sku": pd.array(names, dtype="string"),
            "candidate": a.candidate,
            "killed_at": pd.to_datetime(
                [origin + pd.Timedelta(days=int(d)) if d >= 0 else pd.NaT for d in a.killed_day]
            ).as_unit("ns"),
            "test_conversion": a.conversion(),
            "test_margin": a.margin(),
            "views": per["views"].to_numpy(),
            "orders_wanted": per["orders_wanted"].to_numpy(),
            "stock_end": on_hand.copy(),
            "holding_cost": per["holding_cost"].to_numpy(),
            "dead_stock_value": a.dead_stock(on_hand),
            "written_off_value": model.written_off.copy(),
        }
    )


def _by_cell(model: StoreModel, orders: pd.DataFrame, key: str) -> pd.DataFrame:
    """The funnel per day and market (``key`` 'market') or A/B arm ('variant'), with orders placed and revenue.

    One row per day and label, the labels of a day in the order its cells first show them.
    """
    cells, days, start = model.cells, model.days, model.scenario.time.start_date
    counts = model.funnel.by_cell.reshape(-1, len(CELL_STEPS))  # [day * cell, step]
    if key == "market":
        shown = np.tile(np.repeat(np.asarray(cells.market_names, dtype=object), cells.n_arms), (days, 1))
    else:
        arm_labels = np.asarray(cells.arms.labels, dtype=object)[cells.arm_of]
        shown = np.where(cells.arms.in_test[:, None], arm_labels[None, :], "")
    codes, names = pd.factorize(shown.reshape(-1))
    keys, first, group = np.unique(
        np.arange(days).repeat(cells.count) * len(names) + codes, return_index=True, return_inverse=True
    )
    rank = np.empty(len(keys), dtype=np.intp)
    rank[np.argsort(first, kind="stable")] = np.arange(len(keys))  # rows in order of first appearance
    steps = np.zeros((len(keys), len(CELL_STEPS)), dtype=np.int64)
    np.add.at(steps, rank[group], counts)
    row_of_key = np.full(days * len(names), -1)
    row_of_key[keys] = rank
    keys = keys[np.argsort(rank)]
    # each order's row: its day and label, if that day shows the label
    order_codes, order_names = orders[key].factorize()
    code_of = {name: i for i, name in enumerate(names)}
    code = np.append([code_of.get(name, -1) for name in order_names], -1).astype(np.intp)[order_codes]  # -1: none
    day = _order_days(orders, start)
    row = np.where((day < days) & (code >= 0), row_of_key[np.minimum(day, days - 1) * len(names) + code], -1)
    placed, revenue = _per_row(row, len(keys), orders)
    frame = pd.DataFrame(
        {
            "date": _dates(start, days).values[keys // len(names)],
            key: labels(list(names), keys % len(names)),
        }
    )
    for i, step in enumerate(CELL_STEPS):
        frame[step] = steps[:, i]
    frame["orders"] = placed
    frame["revenue"] = revenue
    return frame


def _labour(model: StoreModel) -> pd.DataFrame:
    """Person-hours on the roster, their cost and the hours of work started, per day and team."""
    days, start = model.days, model.scenario.time.start_date
    s = model.scenario
    parts = []
    for team, crew, cost in (
        ("pickers", model.pickers, s.warehouse.hourly_cost),
        ("agents", model.agents, s.service.hourly_cost),
    ):
        hours = np.array([crew.person_hours(d) for d in range(days)])
        busy = crew.busy_hours(days)
        parts.append(
            pd.DataFrame(
                {
                    "date": _dates(start, days).values,
                    "team": team,
                    "person_hours": hours,
                    "cost": hours * cost,
                    "busy_hours": busy,
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    out["team"] = out["team"].astype("string")
    return out


def _programmes(model: StoreModel, orders: pd.DataFrame) -> pd.DataFrame:
    """CRM and after-sales programmes per day: events, cost and revenue."""
    start = model.scenario.time.start_date
    rows = list(model.programmes.rows)
    prompts = np.asarray(model.reviews.prompt_times, dtype=float) // 24
    cost = model.scenario.crm.review_prompts.cost_per_prompt
    for d, n in zip(*np.unique(prompts[prompts < model.days], return_counts=True), strict=True):
        rows.append((int(d), "review_prompts", int(n), n * cost, 0.0))
    sold = orders[orders["warranty"]]
    if len(sold):
        price = sold["revenue"] - sold["unit_price"] * sold["units"] - sold["delivery_fee"]
        claims = sold["cogs"] - sold["units"] * model.unit_cost[pd.Index(model.demand.skus).get_indexer(sold["sku"])]
        per = pd.DataFrame(
            {
                "day": ((sold["placed_at"] - pd.Timestamp(start)).dt.days).to_numpy(),
                "revenue": price.to_numpy(),
                "cost": claims.to_numpy(),
            }
        ).groupby("day")
        for d, g in per:
            rows.append((int(d), "warranty", len(g), float(g["cost"].sum()), float(g["revenue"].sum())))
    frame = pd.DataFrame(rows, columns=["day", "programme", "events", "cost", "revenue"])
    frame = frame.groupby(["day", "programme"], sort=True).sum().reset_index()
    return pd.DataFrame(
        {
            "date": timestamps(start, frame["day"].to_numpy(dtype=float) * 24.0),
            "programme": pd.array(frame["programme"].to_numpy(dtype=object), dtype="string"),
            "events": frame["events"].to_numpy(dtype=np.int64),
            "cost": frame["cost"].to_numpy(dtype=float),
            "revenue": frame["revenue"].to_numpy(dtype=float),
        }
    )
