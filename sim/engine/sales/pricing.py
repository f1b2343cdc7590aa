"""Prices by day: the promotion calendar, the reference-price memory behind promotion fatigue, and anchors.

Everything here is deterministic, so the whole horizon is computed once,
before the run, as arrays [day, sku]:

* ``shown``: the shelf price, list price x (1 - promotion depth);
* ``reference``: the price customers consider fair.  It mixes an external
  reference, the SKU's ``reference_price`` (competitors' price), with the
  memory of this store's own prices (Mazumdar, Raj & Sinha 2005):
  ``reference = reference_price + memory_weight * (memory - reference_price)``,
  where the memory is an exponentially smoothed record of the prices shown
  (Kalyanaram & Winer 1995) that each day closes ``1 - 0.5 ** (1 /
  half_life)`` of its gap to the shown price;
* ``perceived``: the reference price pulled up toward a struck-through "was"
  price by ``anchor_weight`` (Compeau & Grewal 1998);
* ``multiplier``: add-to-cart multiplier ``(shown / perceived) **
  elasticity``, with the elasticity times ``loss_aversion`` when the shown
  price is above the perceived one.

A worked example: the tee (25, elasticity -2.62) on a 20% sale for 28 days
with a 28-day half-life, memory weight 0.5 and no struck-through price.
Day 0 of the sale: shown 20 against a reference of 25, multiplier
0.8^-2.62 = 1.79.  By the last day the memory has fallen to 22.5, the
reference to 23.75 and the lift is down to 1.57; the day after the sale the
shown 25 is above the reference: 1.053^(-2.62 x 2) = 0.76 - full-price
conversion 24% below normal, recovering as the memory climbs back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from sim.engine.calendar import sales_discount
from sim.scenario.definition import Scenario


def day_of(date: dt.date | None, start: dt.date) -> int:
    """Day index of ``date`` on the model clock (None: day 0)."""
    return 0 if date is None else (date - start).days


def window(date: dt.date | None, length: int, start: dt.date, days: int) -> slice:
    """The days [first, first + length) of a dated entry, clipped to the horizon."""
    first = day_of(date, start)
    return slice(min(max(first, 0), days), min(max(first + length, 0), days))


@dataclass
class PricePath:
    """Prices of every SKU on every day of the horizon, arrays [day, sku]."""

    shown: np.ndarray
    depth: np.ndarray
    reference: np.ndarray
    perceived: np.ndarray
    multiplier: np.ndarray


def price_path(s: Scenario, days: int) -> PricePath:
    """The shelf price, reference price and add-to-cart multiplier of each SKU on each day."""
    names = list(s.catalogue.skus)
    skus = list(s.catalogue.skus.values())
    n = len(skus)
    list_price = np.array([k.price for k in skus])
    depth = np.zeros((days, n))
    struck = np.zeros((days, n), dtype=bool)
    for promo in s.pricing.promotions.values():
        cols = [names.index(k) for k in promo.skus] if promo.skus else list(range(n))
        rows = window(promo.start, promo.days, s.time.start_date, days)
        depth[rows, cols] = np.maximum(depth[rows, cols], promo.depth)
        if promo.show_was_price and promo.depth > 0:
            struck[rows, cols] = True
    sale = sales_discount(s, days)[:, None]
    struck |= sale > 0
    depth = np.maximum(depth, sale)
    shown = list_price * (1.0 - depth)

    keep = 0.5 ** (1.0 / s.pricing.reference_half_life_days)
    external = np.array([k.reference_price for k in skus], dtype=float)
    memory = np.empty((days, n))
    m = external.copy()
    for d in range(days):
        memory[d] = m
        m = m + (1.0 - keep) * (shown[d] - m)
    reference = external + s.pricing.memory_weight * (memory - external)

    permanent = np.array([k.was_price or 0.0 for k in skus])
    was = np.maximum(np.where(struck, list_price, 0.0), permanent)
    perceived = reference + s.pricing.anchor_weight * np.maximum(was - reference, 0.0)
    ratio = shown / perceived
    elasticity = np.array([k.elasticity for k in skus])
    exponent = elasticity * np.where(ratio > 1.0, s.pricing.loss_aversion, 1.0)
    return PricePath(shown, depth, reference, perceived, ratio**exponent)
