"""KPI names, units and number formats in English and Chinese (Babel): what a reader sees of every number."""

from __future__ import annotations

import math

import pytest

from playbook.text import units
from sim.results import measures
from sim.results.kpis import KPI_NAMES


@pytest.mark.parametrize(
    "kpi, value, text, diff",
    [
        ("conversion_rate", 0.01756, "1.76%", "+1.76 pp"),
        ("net_revenue", 30322.7, "€30,322.70", "+€30,322.70"),
        ("orders", 826.0, "826", "+826"),
        ("first_response_mean_hours", 7.18, "7.18 h", "+7.18 h"),
        ("average_rating", 4.265, "4.26 stars", "+4.26 stars"),
        ("ltv_to_cac", 5.67, "5.67x", "+5.67x"),
    ],
)
def test_formats_carry_units(kpi, value, text, diff):
    assert units.fmt(value, kpi) == text
    assert units.fmt_diff(value, kpi) == diff
    assert units.fmt_diff(-value, kpi).startswith("-")
    assert units.fmt(float("nan"), kpi) == "n/a"


def test_names_and_labels():
    assert units.label("first_response_mean_hours") == "Mean first-response time (hours)"
    assert units.label("net_revenue", "USD") == "Net revenue (USD)"
    assert units.label("conversion_rate") == "Conversion rate (%)"
    assert units.phrase("ai_resolution_share") == "AI share"
    assert units.definition("conversion_rate") == "orders / sessions"


@pytest.mark.parametrize(
    "language, kpi, value, currency, text",
    [
        ("zh", "net_revenue", 12345, "CNY", "¥12,345.00"),
        ("zh", "net_revenue", 12345, "EUR", "€12,345.00"),
        ("en", "net_revenue", 12345, "EUR", "€12,345.00"),
        ("en", "net_revenue", 12345, "CNY", "CN¥12,345.00"),
        ("zh", "conversion_rate", 0.01756, "CNY", "1.76%"),
        ("en", "orders", 826.4, "EUR", "826"),
        ("zh", "orders", 12345.6, "CNY", "12,346 单"),
        ("zh", "first_response_mean_hours", 7.18, "CNY", "7.18 小时"),
    ],
)
def test_babel_formats_by_locale_and_currency(language, kpi, value, currency, text):
    assert units.fmt(value, kpi, currency, language=language) == text


def test_dates_counts_and_unit_words_follow_the_language():
    assert units.fmt_date("2026-03-05", "en") == "Mar 5, 2026"
    assert units.fmt_date("2026-03-05", "zh") == "2026年3月5日"
    assert units.fmt_count(12345.6, "en") == "12,346"
    assert units.fmt_diff(0.0021, "conversion_rate", language="zh") == "+0.21 个百分点"
    assert units.unit_words("net_revenue", "EUR", "en") == "euros"
    assert units.unit_words("net_revenue", "CNY", "zh") == "人民币"
    assert units.unit_words("first_response_mean_hours", language="zh") == "小时"
    table = units.kpi_table({"net_revenue": 1.0, "conversion_rate": 0.1, "orders": 3.0}, "CNY", language="zh")
    assert "money" not in set(table["unit"]) and list(table["value"]) == ["¥1.00", "10.0%", "3 单"]
    units.set_language("zh")
    try:
        assert units.fmt(2.5, "average_order_value", "CNY") == "¥2.50"
    finally:
        units.set_language("en")
    with pytest.raises(ValueError, match="language = 'fr'"):
        units.set_language("fr")


def test_every_kpi_and_measure_has_a_unit_and_a_name():
    for kpi in [*KPI_NAMES, *measures.MEASURES]:
        assert units.unit(kpi), kpi
        assert units.name(kpi) and "\n" not in units.name(kpi), kpi
    assert units.unit("no_such_kpi") == "" and units.name("no_such_kpi") == "No such kpi"
    assert units.higher_is_better("no_such_kpi") and not units.higher_is_better("first_response_mean_hours")


def test_a_derived_metric_is_formatted_like_a_kpi_once_registered():
    units.register("profit_per_order", "money", "Profit per order", "operating profit / orders", higher_is_better=True)
    assert units.fmt(3.456, "profit_per_order") == "€3.46"
    assert units.label("profit_per_order", "CNY") == "Profit per order (CNY)"
    assert units.definition("profit_per_order") == "operating profit / orders"


@pytest.mark.parametrize(
    "value, text",
    [(1234.5, "1,234"), (12.345, "12.3"), (1.2345, "1.23"), (0.012345, "0.012"), (0.0, "0.00"), (None, "n/a")],
)
def test_about_three_significant_figures(value, text):
    assert units.number(value, "first_response_mean_hours", "en") == text


def test_an_intervals_bounds_take_the_decimals_of_its_mean():
    assert units.number(-12.94, "first_response_mean_hours", "en", like=-9.94) == "-12.94"
    assert units.number(0.5, "orders", "en") == "0" and units.number(0.5, "orders", "en", whole=False) == "0.50"


def test_changes_in_shares_are_percentage_points_and_a_zero_change_has_no_sign():
    assert (
        units.diff_unit("conversion_rate") == "pp" and units.diff_unit("conversion_rate", language="zh") == "个百分点"
    )
    assert units.diff_unit("net_revenue", "CNY", "zh") == "¥" and units.scale("conversion_rate") == 100.0
    # a change in a count keeps decimals: a mean change of 0.5 orders is worth showing
    assert units.fmt_diff(0.0, "orders") == "±0.00" and units.fmt_diff(-2.0, "orders", signed=False) == "2.00"
    assert units.fmt_diff(math.nan, "orders") == "n/a" and units.fmt(None, "orders") == "n/a"


def test_the_kernels_language_is_the_default_and_is_checked():
    assert units.get_language() == "en" and units.locale() == "en" and units.locale("zh") == "zh_CN"
    with pytest.raises(ValueError, match=r"language = 'de': allowed: en, zh"):
        units.fmt(1.0, "orders", language="de")
