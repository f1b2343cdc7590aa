"""Stages 2-3 levers: markets with localisation, navigation and filters, images/video, titles and alt text.

Theory compared with: a market without its language converts at
``foreign_language_multiplier`` (0.6, CSA Research 2020) of a localised one,
so its conversion ratio to the home market is about 0.6; quality scores move
their step by ``1 +- effect (2q - 1)``.
"""

from __future__ import annotations

import pytest

import sim
from tests.sim.levers.test_common import assert_direction, assert_directions, assert_rejected, channel_sessions, kpi

ABROAD = {
    "home": {"traffic_share": 0.6},
    "abroad": {"traffic_share": 0.4, "local_language": False, "local_payment": False, "local_delivery": False},
}


def market_conversion(name: str):
    def m(r: sim.Result) -> float:
        t = r.markets[r.markets["market"] == name]
        return float(t["orders_wanted"].sum() / t["sessions"].sum())

    return m


def test_localising_a_market_raises_its_conversion(baseline):
    foreign = baseline.with_overrides({"markets": ABROAD})
    local = foreign.with_overrides({"markets.abroad": {"traffic_share": 0.4}})
    assert_directions(
        foreign,
        local,
        {"abroad conversion": (market_conversion("abroad"), +1), "store conversion": (kpi("conversion_rate"), +1)},
        days=40,
    )


def test_an_unlocalised_market_converts_at_the_published_ratio(baseline):
    only_language = baseline.with_overrides(
        {"markets": {"home": {"traffic_share": 0.5}, "abroad": {"traffic_share": 0.5, "local_language": False}}}
    )
    r = sim.simulate(
        only_language.with_overrides({"traffic.channels.organic_search.sessions_per_day": 2000.0}), seed=1, days=40
    )
    ratio = market_conversion("abroad")(r) / market_conversion("home")(r)
    assert ratio == pytest.approx(0.6, abs=0.08)
    shares = r.markets.groupby("market")["sessions"].sum()
    assert shares["abroad"] / shares.sum() == pytest.approx(0.5, abs=0.01)
    assert set(r.orders["market"]) == {"home", "abroad"}


def test_cross_border_delivery_days_make_parcels_late_unless_the_promise_is_localised(baseline):
    far = {"home": {"traffic_share": 0.5}, "abroad": {"traffic_share": 0.5, "extra_delivery_days": 4.0}}
    promised = baseline.with_overrides({"markets": far})
    unpromised = baseline.with_overrides({"markets": {**far, "abroad": {**far["abroad"], "local_delivery": False}}})
    assert_direction(promised, unpromised, kpi("on_time_delivery_rate"), -1, days=40, n=4)


def test_better_navigation_lowers_bounce(baseline):
    assert_direction(
        baseline, baseline.with_overrides({"page.navigation_quality": 0.9}), kpi("bounce_rate"), -1, days=30, n=4
    )


def test_better_images_and_video_raise_conversion(baseline):
    assert_direction(
        baseline, baseline.with_overrides({"page.media_quality": 0.9}), kpi("conversion_rate"), +1, days=40
    )


def test_titles_and_alt_text_grow_organic_search(baseline):
    seo = baseline.with_overrides({"traffic.channels.organic_search.seo_sensitive": True})
    better = seo.with_overrides({"page.seo_quality": 0.9})
    assert_direction(seo, better, channel_sessions("organic_search"), +1, days=20, n=4)


@pytest.mark.parametrize(
    "override, path",
    [
        ({"markets": {"home": {"traffic_share": 0.7}}}, "markets"),
        ({"markets.home.traffic_share": 1.5}, "markets.home.traffic_share"),
        ({"markets.home.extra_delivery_days": -1.0}, "markets.home.extra_delivery_days"),
        ({"page.navigation_quality": 1.2}, "page.navigation_quality"),
        ({"funnel.foreign_language_multiplier": 1.5}, "funnel.foreign_language_multiplier"),
    ],
)
def test_bad_store_values_name_their_path(baseline, override, path):
    assert_rejected(baseline, override, path)
