"""The outcome of one run as tidy pandas tables, with the KPIs and provenance.

``Result.orders`` follows the one orders schema (``sim.tables``) that real
exports are loaded into, so ``Result.kpis()`` is ``sim.kpis.compute`` on the
run's tables: the same code that measures a real store.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import kpis as kpi_defs
from sim.model import StoreModel
from sim.scenario import Scenario
from sim.version import provenance

TABLES = ("events", "orders", "tickets", "daily", "customers", "reviews")


@dataclass
class Result:
    scenario: Scenario
    seed: int | None
    days: int
    events: pd.DataFrame
    orders: pd.DataFrame
    tickets: pd.DataFrame
    daily: pd.DataFrame
    customers: pd.DataFrame
    reviews: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in TABLES}

    def kpis(self) -> dict[str, float]:
        """Every KPI of ``sim.kpis`` for this run (SLA measured against ``service.sla_hours``)."""
        return kpi_defs.compute(self.tables(), sla_hours=self.scenario.service.sla_hours)

    def write(self, out: str | Path, fmt: str = "parquet") -> Path:
        """Write the tables, ``kpis.json`` and ``scenario.yaml`` (with seed and version) to ``out``.

        Everything goes to a temporary folder beside ``out`` first and is
        renamed into place at the end, so an interrupted write leaves no
        partial output behind.  An existing ``out`` is replaced.
        """
        if fmt not in ("parquet", "csv"):
            raise ValueError(f"fmt = {fmt!r}: allowed: 'parquet' or 'csv'")
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
        try:
            for name, frame in self.tables().items():
                if fmt == "parquet":
                    frame.to_parquet(tmp / f"{name}.parquet", index=False)
                else:
                    frame.to_csv(tmp / f"{name}.csv", index=False)
            (tmp / "kpis.json").write_text(json.dumps(self.kpis(), indent=2, allow_nan=True) + "\n")
            meta = {"provenance": {**provenance(), "seed": self.seed, "days": self.days}}
            (tmp / "scenario.yaml").write_text(
                "# fully resolved scenario of this run\n" + _yaml(meta) + self.scenario.to_yaml())
            if out.exists():
                shutil.rmtree(out)
            os.replace(tmp, out)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return out


def _yaml(data: dict[str, Any]) -> str:
    import yaml

    return yaml.safe_dump(data, sort_keys=False)


def build_result(model: StoreModel, seed: int | None) -> Result:
    """Turn a finished model into tables."""
    s = model.scenario
    start = s.time.start_date
    channels, skus = model.demand.channels, model.demand.skus
    orders = model.orders.frame(start, channels, skus, model.carriers.names)
    events = model.log.frame(start, np.asarray(channels, dtype=object)[np.asarray(model.orders.channel, dtype=int)]
                             if len(model.orders) else np.array([], dtype=object))
    return Result(
        scenario=s, seed=seed, days=model.days, events=events, orders=orders,
        tickets=_tickets(model, start), daily=_daily(model, orders, start),
        customers=_customers(model, orders, start), reviews=_reviews(model, start),
    )


def _ts(start, hours) -> pd.Series:
    return pd.Timestamp(start) + pd.to_timedelta(np.asarray(hours, dtype=float), unit="h")


def _tickets(model: StoreModel, start) -> pd.DataFrame:
    d = model.desk
    return pd.DataFrame({
        "ticket_id": np.arange(len(d.opened), dtype=np.int64),
        "order_id": np.asarray(d.order_id, dtype=np.int64),
        "customer_id": np.asarray(d.customer_id, dtype=np.int64),
        "reason": pd.array(d.reason, dtype="string"),
        "opened_at": _ts(start, d.opened),
        "first_response_at": _ts(start, d.answered),
        "resolved_at": _ts(start, d.resolved),
        "handled_by": pd.array(np.where(np.asarray(d.by_ai, dtype=bool), "ai", "agent"), dtype="string"),
    })


def _daily(model: StoreModel, orders: pd.DataFrame, start) -> pd.DataFrame:
    days, channels, f = model.days, model.demand.channels, model.funnel
    n_ch = len(channels)

    def per_day(hourly: np.ndarray) -> np.ndarray:
        """Sum an [hour, channel, ...] array to [day * channel]."""
        return hourly.reshape(days, 24, n_ch, -1).sum(axis=(1, 3)).reshape(-1)

    dates = pd.date_range(pd.Timestamp(start), periods=days, freq="D")
    frame = pd.DataFrame({
        "date": np.repeat(dates.values, n_ch),
        "channel": pd.array(np.tile(np.asarray(channels, dtype=object), days), dtype="string"),
        "sessions": per_day(f.sessions),
        "returning_sessions": per_day(f.sessions[:, :, 1:]),
        "views": per_day(f.views),
        "views_out_of_stock": per_day(f.views_out_of_stock),
        "carts": per_day(f.carts),
        "checkouts": per_day(f.checkouts),
        "lost_sales": model.lost_sales.reshape(-1),
        "spend": per_day(f.sessions[:, :, :2]) * np.tile(model.demand.cost_per_click, days),
    })
    day = orders["placed_at"].dt.floor("D")
    grouped = orders.assign(date=day, new=~orders["is_repeat"]).groupby(["date", "channel"], observed=True).agg(
        orders=("order_id", "size"), revenue=("revenue", "sum"), new_customers=("new", "sum"))
    frame = frame.merge(grouped.reset_index(), on=["date", "channel"], how="left")
    for col in ("orders", "new_customers"):
        frame[col] = frame[col].fillna(0).astype(np.int64)
    frame["revenue"] = frame["revenue"].fillna(0.0).astype(float)
    return frame


def _customers(model: StoreModel, orders: pd.DataFrame, start) -> pd.DataFrame:
    c = model.customers
    n = len(c.first_order)
    per = orders.groupby("customer_id").agg(revenue=("revenue", "sum"), refund=("refund", "sum"))
    per = per.reindex(np.arange(n), fill_value=0.0)
    return pd.DataFrame({
        "customer_id": np.arange(n, dtype=np.int64),
        "first_order_at": _ts(start, c.first_order),
        "acquisition_channel": pd.array(np.asarray(model.demand.channels, dtype=object)[
            np.asarray(c.channel, dtype=int)] if n else [], dtype="string"),
        "orders": np.asarray(c.orders, dtype=np.int64),
        "revenue": per["revenue"].to_numpy(dtype=float),
        "refund": per["refund"].to_numpy(dtype=float),
        "churned": np.asarray(c.churned, dtype=bool),
    })


def _reviews(model: StoreModel, start) -> pd.DataFrame:
    r = model.reviews
    return pd.DataFrame({
        "order_id": np.asarray(r.order_id, dtype=np.int64),
        "customer_id": np.asarray(r.customer_id, dtype=np.int64),
        "reviewed_at": _ts(start, r.time),
        "rating": np.asarray(r.rating, dtype=np.int64),
    })
