"""Prices by day: promotions, the reference-price memory behind promotion fatigue, and the struck-through anchor."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from sim.engine.sales.pricing import day_of, price_path, window

START = dt.date(2026, 1, 5)


def test_days_and_windows_are_clipped_to_the_horizon():
    assert day_of(None, START) == 0 and day_of(dt.date(2026, 1, 12), START) == 7
    assert window(dt.date(2026, 1, 12), 5, START, 30) == slice(7, 12)
    assert window(dt.date(2025, 12, 31), 10, START, 30) == slice(0, 5), "began before the run"
    assert window(dt.date(2026, 3, 1), 10, START, 30) == slice(30, 30), "after the horizon: empty"


def test_without_promotions_prices_and_multipliers_stay_put(store):
    path = price_path(store, 30)
    assert np.all(path.shown == np.array([25.0, 55.0, 15.0, 20.0])) and np.all(path.depth == 0)
    assert path.multiplier == pytest.approx(np.ones((30, 4)))


def test_the_docstrings_promotion_fatigue_example(store):
    """Tee 25, elasticity -2.62, 20% off for 28 days, half-life 28, memory weight 0.5, no struck-through price.

    Day 0: 0.8^-2.62 = 1.79; last day: memory 22.5, reference 23.75, lift 1.57; the day after: 0.76.
    """
    sale = {"start": START.isoformat(), "days": 28, "depth": 0.2, "skus": ["tee"], "show_was_price": False}
    s = store.with_overrides({"pricing.promotions": {"sale": sale}})
    path = price_path(s, 60)
    tee = 0
    assert path.shown[0, tee] == 20.0 and path.shown[28, tee] == 25.0 and path.shown[0, 1] == 55.0
    assert path.multiplier[0, tee] == pytest.approx(0.8**-2.62)
    assert path.multiplier[0, tee] == pytest.approx(1.79, abs=0.005)
    # after 28 days (one half-life) the memory has closed half its gap to 20: 22.5, so the reference is 23.75
    assert path.reference[28, tee] == pytest.approx(23.75)
    assert path.multiplier[27, tee] == pytest.approx(1.57, abs=0.01)
    assert path.multiplier[28, tee] == pytest.approx(0.76, abs=0.01), "full price now looks dear: loss aversion"
    assert np.all(np.diff(path.multiplier[28:, tee]) > 0), "recovering as the memory climbs back"
    assert path.multiplier[:, 1] == pytest.approx(np.ones(60)), "SKUs off the sale are untouched"


def test_a_struck_through_price_raises_the_lift(store):
    plain = {"start": START.isoformat(), "days": 7, "depth": 0.2, "show_was_price": False}
    anchored = {**plain, "show_was_price": True}
    a = price_path(store.with_overrides({"pricing.promotions": {"sale": plain}}), 10)
    b = price_path(store.with_overrides({"pricing.promotions": {"sale": anchored}}), 10)
    # day 0: the memory is still at the list price, so the anchor adds nothing; from day 1 it props the reference up
    assert b.multiplier[0] == pytest.approx(a.multiplier[0])
    assert np.all(b.multiplier[1:7] > a.multiplier[1:7]) and np.all(b.perceived[1:7] > a.perceived[1:7])


def test_overlapping_promotions_take_the_deeper_cut(store):
    promos = {
        "a": {"start": START.isoformat(), "days": 10, "depth": 0.1},
        "b": {"start": "2026-01-08", "days": 3, "depth": 0.3, "skus": ["mug"]},
    }
    path = price_path(store.with_overrides({"pricing.promotions": promos}), 12)
    assert path.depth[:, 2].tolist() == [0.1] * 3 + [0.3] * 3 + [0.1] * 4 + [0.0] * 2
