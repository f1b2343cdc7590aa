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
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from sim.engine.clock import timestamps
from sim.engine.log import EventLog
from sim.engine.model import CELL_STEPS, StoreModel
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


@dataclass
class Result:
    """The tables of one run.  ``events`` is built from the run's log on first use (see :attr:`events`)."""

    scenario: Scenario
    seed: int | None
    days: int
    orders: pd.DataFrame
    tickets: pd.DataFrame
    daily: pd.DataFrame
    customers: pd.DataFrame
    reviews: pd.DataFrame
    channels: pd.DataFrame
    sku_daily: pd.DataFrame
    skus: pd.DataFrame
    markets: pd.DataFrame
    variants: pd.DataFrame
    labour: pd.DataFrame
    programmes: pd.DataFrame
    #: the run's event log and each order's channel label: what :attr:`events` is built from
    log: EventLog = field(repr=False)
    order_channels: np.ndarray = field(repr=False)

    @cached_property
    def events(self) -> pd.DataFrame:
        """One row per event (``sim.engine.log``), sorted by time; built the first time it is read.

        A growth year logs half a million events and turning them into a
        table takes about half a second, which the KPIs, the measures and
        every replication of a sweep would pay for nothing.
        """
        return self.log.frame(self.scenario.time.start_date, self.order_channels)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name, ``events`` included."""
        return {name: getattr(self, name) for name in TABLES}

    def _built_tables(self) -> dict[str, pd.DataFrame]:
        """Every table but ``events``: all that KPIs and measures read."""
        return {name: getattr(self, name) for name in TABLES if name != "events"}

    def kpis(self) -> dict[str, float]:
        """Every KPI of ``sim.results.kpis`` for this run (SLA measured against ``service.sla_hours``)."""
        return kpi_defs.compute(self._built_tables(), sla_hours=self.scenario.service.sla_hours)

    def measures(self) -> dict[str, float]:
        """The simulation-only measures of ``sim.results.measures``: holding cost, dead stock, labour, CRM, profit."""
        return measures.compute(self._built_tables())

    def profit_and_loss(self) -> pd.Series:
        """The P&L lines of ``sim.results.measures.profit_and_loss``, revenue down to operating profit."""
        return measures.profit_and_loss(self._built_tables())

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
    """Turn a finished model into tables."""
    s = model.scenario
    start = s.time.start_date
    channels, skus = model.demand.channels, model.demand.skus
    cells, o = model.cells, model.orders
    arm = np.asarray(o.cell, dtype=int) % cells.n_arms
    day = np.minimum((np.asarray(o.placed, dtype=float) // 24).astype(int), model.days - 1)
    variant = np.where(cells.arms.in_test[day], np.asarray(cells.arms.labels, dtype=object)[arm], "")
    market = np.asarray(cells.market_names, dtype=object)[np.asarray(o.cell, dtype=int) // cells.n_arms]
    orders = o.frame(start, channels, skus, model.carriers.names, variant, market)
    daily = _daily(model, orders, start)
    sku_daily = _sku_daily(model, start)
    return Result(
        scenario=s,
        seed=seed,
        days=model.days,
        orders=orders,
        tickets=_tickets(model, start),
        daily=daily,
        customers=_customers(model, orders, start),
        reviews=_reviews(model, start),
        channels=_channels(daily),
        sku_daily=sku_daily,
        skus=_skus(model, sku_daily),
        markets=_by_cell(model, orders, start, "market"),
        variants=_by_cell(model, orders, start, "variant"),
        labour=_labour(model, start),
        programmes=_programmes(model, orders, start),
        log=model.log,
        order_channels=np.asarray(channels, dtype=object)[np.asarray(o.channel, dtype=int)]
        if len(o)
        else np.array([], dtype=object),
    )


def _tickets(model: StoreModel, start: dt.date) -> pd.DataFrame:
    d = model.desk
    return pd.DataFrame(
        {
            "ticket_id": np.arange(len(d.opened), dtype=np.int64),
            "order_id": np.asarray(d.order_id, dtype=np.int64),
            "customer_id": np.asarray(d.customer_id, dtype=np.int64),
            "reason": pd.array(d.reason, dtype="string"),
            "opened_at": timestamps(start, d.opened),
            "first_response_at": timestamps(start, d.answered),
            "resolved_at": timestamps(start, d.resolved),
            "handled_by": pd.array(np.where(np.asarray(d.by_ai, dtype=bool), "ai", "agent"), dtype="string"),
        }
    )


def _daily(model: StoreModel, orders: pd.DataFrame, start: dt.date) -> pd.DataFrame:
    days, channels, f = model.days, model.demand.channels, model.funnel
    n_ch = len(channels)

    def per_day(hourly: np.ndarray) -> np.ndarray:
        """Sum an [hour, channel, ...] array to [day * channel]."""
        return hourly.reshape(days, 24, n_ch, -1).sum(axis=(1, 3)).reshape(-1)

    frame = pd.DataFrame(
        {
            "date": np.repeat(_dates(start, days).values, n_ch),
            "channel": pd.array(np.tile(np.asarray(channels, dtype=object), days), dtype="string"),
            "sessions": per_day(f.sessions),
            "returning_sessions": per_day(f.sessions[:, :, 1:]),
            "views": per_day(f.views),
            "views_out_of_stock": per_day(f.views_out_of_stock),
            "carts": per_day(f.carts),
            "checkouts": per_day(f.checkouts),
            "lost_sales": model.lost_sales.reshape(-1),
            "spend": model.spend.reshape(-1),
        }
    )
    day = orders["placed_at"].dt.floor("D")
    grouped = (
        orders.assign(date=day, new=~orders["is_repeat"])
        .groupby(["date", "channel"], observed=True)
        .agg(orders=("order_id", "size"), revenue=("revenue", "sum"), new_customers=("new", "sum"))
    )
    frame = frame.merge(grouped.reset_index(), on=["date", "channel"], how="left")
    for col in ("orders", "new_customers"):
        frame[col] = frame[col].fillna(0).astype(np.int64)
    frame["revenue"] = frame["revenue"].fillna(0.0).astype(float)
    return frame


def _customers(model: StoreModel, orders: pd.DataFrame, start: dt.date) -> pd.DataFrame:
    c = model.customers
    n = len(c.first_order)
    per = orders.groupby("customer_id").agg(revenue=("revenue", "sum"), refund=("refund", "sum"))
    per = per.reindex(np.arange(n), fill_value=0.0)
    segments = list(model.scenario.customers.segments) or ["all"]
    return pd.DataFrame(
        {
            "customer_id": np.arange(n, dtype=np.int64),
            "first_order_at": timestamps(start, c.first_order),
            "acquisition_channel": pd.array(
                np.asarray(model.demand.channels, dtype=object)[np.asarray(c.channel, dtype=int)] if n else [],
                dtype="string",
            ),
            "orders": np.asarray(c.orders, dtype=np.int64),
            "revenue": per["revenue"].to_numpy(dtype=float),
            "refund": per["refund"].to_numpy(dtype=float),
            "churned": np.asarray(c.churned, dtype=bool),
            "segment": pd.array(
                np.asarray(segments, dtype=object)[np.asarray(c.segment, dtype=int)] if n else [], dtype="string"
            ),
            "member": np.asarray(c.member, dtype=bool),
        }
    )


def _reviews(model: StoreModel, start: dt.date) -> pd.DataFrame:
    r = model.reviews
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


def _sku_daily(model: StoreModel, start: dt.date) -> pd.DataFrame:
    """Per day and SKU: prices (arm A), promotion depth, funnel, stock at midnight and its holding cost."""
    days, skus = model.days, model.demand.skus
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
    on_hand = model.inventory.on_hand
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


def _by_cell(model: StoreModel, orders: pd.DataFrame, start: dt.date, key: str) -> pd.DataFrame:
    """The funnel per day and market (``key`` 'market') or A/B arm ('variant'), with orders placed and revenue."""
    cells, days = model.cells, model.days
    counts = model.funnel.by_cell  # [day, cell, step]
    if key == "market":
        labels = np.tile(np.repeat(np.asarray(cells.market_names, dtype=object), cells.n_arms), (days, 1))
    else:
        arm_labels = np.asarray(cells.arms.labels, dtype=object)[cells.arm_of]
        labels = np.where(cells.arms.in_test[:, None], arm_labels[None, :], "")
    frame = pd.DataFrame(
        {"date": np.repeat(_dates(start, days).values, cells.count), key: labels.reshape(-1).astype(str)}
    )
    for i, step in enumerate(CELL_STEPS):
        frame[step] = counts[:, :, i].reshape(-1)
    frame = frame.groupby(["date", key], sort=False).sum().reset_index()
    placed = (
        orders.assign(date=orders["placed_at"].dt.floor("D"))
        .groupby(["date", key], observed=True)
        .agg(orders=("order_id", "size"), revenue=("revenue", "sum"))
        .reset_index()
    )
    frame[key] = frame[key].astype("string")
    frame = frame.merge(placed, on=["date", key], how="left")
    frame["orders"] = frame["orders"].fillna(0).astype(np.int64)
    frame["revenue"] = frame["revenue"].fillna(0.0).astype(float)
    return frame


def _labour(model: StoreModel, start: dt.date) -> pd.DataFrame:
    """Person-hours on the roster, their cost and the hours of work started, per day and team."""
    days = model.days
    s = model.scenario
    parts = []
    for team, crew, cost in (
        ("pickers", model.pickers, s.warehouse.hourly_cost),
        ("agents", model.agents, s.service.hourly_cost),
    ):
        hours = np.array([crew.person_hours(d) for d in range(days)])
        busy = np.array([crew.busy_hours.get(d, 0.0) for d in range(days)])
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


def _programmes(model: StoreModel, orders: pd.DataFrame, start: dt.date) -> pd.DataFrame:
    """CRM and after-sales programmes per day: events, cost and revenue."""
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
