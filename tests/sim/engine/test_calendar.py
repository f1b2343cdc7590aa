"""The calendar: seasons, platform sales days, the Chinese New Year carrier pause, stock before peaks.

Theory compared with: a day's expected sessions are its month's weight
(scaled to a mean of 1) times its sales days' multipliers; a pause moves
every collection inside it to the first collection after it.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import sim
from sim.engine.calendar import Calendar
from sim.engine.rng import as_seed_sequence
from tests.conftest import SCENARIOS
from tests.sim.engine.test_model import _digest as digest
from tests.sim.levers.test_common import assert_rejected


def test_a_flat_calendar_changes_nothing(baseline):
    plain = baseline.with_overrides({"calendar": {}})
    flat = plain.with_overrides(
        {"calendar": {"monthly_traffic": [2.0] * 12, "sales_days": {"none": {"traffic_multiplier": 1.0}}}}
    )
    assert digest(sim.simulate(plain, seed=5, days=20)) == digest(sim.simulate(flat, seed=5, days=20))


def test_a_sales_day_multiplies_the_months_traffic(baseline):
    cal = Calendar(baseline, 365)
    monthly = np.asarray(baseline.calendar.monthly_traffic)
    black_friday = (dt.date(2026, 11, 27) - baseline.time.start_date).days
    assert cal.traffic[black_friday] == pytest.approx(2.0 * monthly[10] / monthly.mean())
    assert cal.discount[black_friday] == 0.2 and cal.cart[black_friday].max() > 1.0
    assert cal.traffic[black_friday + 1] == pytest.approx(monthly[10] / monthly.mean())
    # the year's sessions weights average 1 before the sales days are added
    assert np.mean(monthly[[d.month - 1 for d in pd.date_range("2026-01-05", periods=365)]] / monthly.mean()) == (
        pytest.approx(1.0, abs=0.01)
    )


@pytest.fixture(scope="module")
def year(baseline) -> sim.Result:
    return sim.simulate(baseline, seed=21, days=365)


def test_the_year_has_seasons_and_peak_days(year):
    # measured over 8 years: month ratio 1.93, peak day 4.4x the median (far above the 1.4 and 2.5 floors)
    months = year.daily.groupby(pd.to_datetime(year.daily["date"]).dt.month)["sessions"].sum()
    assert months.max() / months.min() >= 1.4
    days = year.daily.groupby("date")["orders"].sum()
    assert days.max() / days.median() >= 2.5
    assert pd.Timestamp(days.idxmax()).month in (6, 11, 12)
    depth = year.sku_daily.groupby("date")["promotion_depth"].max()
    assert depth.loc[pd.Timestamp("2026-11-27")] == 0.2


def test_carriers_collect_nothing_during_the_pause(year, baseline):
    pause = baseline.calendar.carrier_pauses["chinese_new_year"]
    first, end = pd.Timestamp(pause.start), pd.Timestamp(pause.start) + pd.Timedelta(days=pause.days)
    o = year.orders
    assert not o["shipped_at"].between(first, end, inclusive="left").any()
    waited = o[(o["picked_at"] >= first) & (o["picked_at"] < end)]
    assert len(waited) > 10
    after = end + pd.Timedelta(hours=baseline.warehouse.carrier_pickup_hour)
    assert (waited["shipped_at"] == after).all()


def test_reorder_points_that_follow_the_calendar_lose_fewer_sales_at_peaks(baseline):
    """The fourth quarter only: Black Friday, Cyber Monday and Christmas on a 14-day supplier lead time.

    Over 4 paired quarters: a fixed reorder point runs out at the peaks (measured ~60 lost sales a year),
    one that looks a lead time ahead does not; a correct model leaves the difference of the sums this
    clear with a chance far below 1 in 1,000 (the fixed policy loses sales in every quarter measured).
    """
    q4 = baseline.with_overrides({"time.start_date": "2026-10-05"})
    fixed = q4.with_overrides({"calendar.reorder_ahead": False})
    lost = {True: 0, False: 0}
    for seed in as_seed_sequence(3).spawn(4):
        for ahead, scenario in ((True, q4), (False, fixed)):
            lost[ahead] += int(sim.simulate(scenario, seed, 90).daily["lost_sales"].sum())
    assert lost[False] > 0 and lost[True] < lost[False]


def test_a_sales_day_must_be_a_date(baseline):
    assert_rejected(baseline, {"calendar.sales_days": {"x": {"month": 2, "day": 30}}}, "calendar.sales_days.x")
    assert_rejected(baseline, {"calendar.monthly_traffic": [1.0] * 11}, "calendar.monthly_traffic")
    assert_rejected(baseline, {"calendar.category_season": {"toys": [1.0] * 11}}, "calendar")


def test_peak_stretch_is_the_multiplier_inside_a_peak_and_one_outside(baseline):
    """The day lookup against the definition: a parcel collected in [start, end) of a peak."""
    cal = Calendar(sim.load_scenario(SCENARIOS / "china_store.yaml"), 365)
    assert cal.peaks and cal.peak_multiplier > 1
    for t in np.random.default_rng(5).uniform(0, 400 * 24, 2000).tolist() + [t for p in cal.peaks for t in p]:
        inside = any(t0 <= t < t1 for t0, t1 in cal.peaks)
        assert cal.peak_stretch(t) == (cal.peak_multiplier if inside else 1.0), t


def test_peak_stretches_of_many_times_are_each_times_peak_stretch():
    cal = Calendar(sim.load_scenario(SCENARIOS / "china_store.yaml"), 365)
    t = np.random.default_rng(9).uniform(0, 400 * 24, 3000)
    assert cal.peak_stretches(t).tolist() == [cal.peak_stretch(x) for x in t]
