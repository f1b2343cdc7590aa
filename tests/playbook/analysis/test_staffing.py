"""Erlang C against the closed form, textbook values and a simulated M/M/c queue."""

import heapq
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from playbook.analysis.staffing import (
    agents_for_sla,
    erlang_c,
    hourly_arrival_rates,
    mean_wait,
    opened_in_hours,
    sla_attainment,
    staffing_plan,
)


def _closed_form(lam, mu, c):
    a = lam / mu
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


@pytest.mark.parametrize("lam, mu, c", [(2.0, 1.0, 3), (10.0, 2.0, 6), (0.5, 1.0, 1), (47.0, 0.5, 100)])
def test_erlang_c_matches_the_closed_form(lam, mu, c):
    assert erlang_c(lam, mu, c) == pytest.approx(_closed_form(lam, mu, c), rel=1e-10)


def test_textbook_values():
    assert erlang_c(2, 1, 3) == pytest.approx(4 / 9)
    assert erlang_c(0.5, 1, 1) == pytest.approx(0.5)  # M/M/1: P(wait) = rho
    assert mean_wait(0.5, 1, 1) == pytest.approx(1.0)  # M/M/1: Wq = rho / (mu - lambda)
    assert sla_attainment(2, 1, 3, 0) == pytest.approx(1 - 4 / 9)
    assert erlang_c(3, 1, 3) == 1.0 and mean_wait(3, 1, 3) == math.inf and sla_attainment(3, 1, 2, 1) == 0.0
    # large c: Erlang B = Poisson pmf(c; a) / cdf(c; a), no overflow in the recursion
    b = stats.poisson.pmf(2100, 2000) / stats.poisson.cdf(2100, 2000)
    assert erlang_c(2000, 1, 2100) == pytest.approx(2100 * b / (2100 - 2000 * (1 - b)), rel=1e-8)


def _simulate_waits(lam, mu, c, n, seed):
    rng = np.random.default_rng(seed)
    arrivals = np.cumsum(rng.exponential(1 / lam, n))
    services = rng.exponential(1 / mu, n)
    free = [0.0] * c
    waits = np.empty(n)
    for i, (t, s) in enumerate(zip(arrivals, services, strict=True)):
        start = max(t, heapq.heappop(free))
        waits[i] = start - t
        heapq.heappush(free, start + s)
    return waits[n // 10 :]


def test_formulas_match_a_simulated_service_desk():
    # Chance of failing on a correct model, from 10 seeds of this run: P(wait) has sd 0.0046 (0.02 is 4.3
    # sd), the mean wait a relative sd of 0.037 (0.15 is 4 sd), SLA attainment sd 0.0054 (0.02 is 3.7 sd):
    # about 3e-4 in all.  (With 120,000 customers the sds were twice as large and 0.02 / 10% failed on
    # about 1 seed in 10.)
    lam, mu, c, target = 8.0, 1.0, 10, 0.25
    waits = _simulate_waits(lam, mu, c, 480_000, seed=42)
    assert np.mean(waits > 0) == pytest.approx(erlang_c(lam, mu, c), abs=0.02)
    assert waits.mean() == pytest.approx(mean_wait(lam, mu, c), rel=0.15)
    assert np.mean(waits <= target) == pytest.approx(sla_attainment(lam, mu, c, target), abs=0.02)


def test_smallest_staffing_meeting_the_sla():
    lam, mu = 30.0, 4.0
    c = agents_for_sla(lam, mu, target=0.1, share=0.8)
    assert sla_attainment(lam, mu, c, 0.1) >= 0.8 > sla_attainment(lam, mu, c - 1, 0.1)
    assert agents_for_sla(lam, mu, target=0.1, share=0.95) > c


def test_plan_from_ticket_arrivals():
    tickets = pd.DataFrame(
        {"opened_at": pd.to_datetime(["2024-01-01 09:10", "2024-01-01 09:50", "2024-01-02 09:30", "2024-01-02 14:00"])}
    )
    rates = hourly_arrival_rates(tickets)
    assert rates[9] == 1.5 and rates[14] == 0.5 and rates.sum() == 2.0 and len(rates) == 24
    plan = staffing_plan(rates, service_rate=2.0, target=0.25, share=0.8)
    assert plan.loc[3, "agents"] == 0 and plan.loc[9, "agents"] >= 1
    assert (plan.loc[plan["agents"] > 0, "sla_attainment"] >= 0.8).all()


@pytest.mark.parametrize(
    "args, match",
    [((-1, 1, 1), "arrival_rate"), ((1, 0, 1), "service_rate"), ((1, 1, 0), "agents"), ((1, 1, 2.5), "whole number")],
)
def test_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        erlang_c(*args)


def test_a_ticket_is_opened_in_hours_to_the_second_on_the_desks_weekdays():
    opened = pd.Series(
        pd.to_datetime(
            [
                "2026-01-05 10:29:59",
                "2026-01-05 10:30:00",
                "2026-01-05 11:59:59",
                "2026-01-05 12:00:00",
                "2026-01-10 11:00:00",
            ]
        )
    )  # Monday x 4, then Saturday
    assert opened_in_hours(opened, 10.5, 12.0, [0, 1, 2, 3, 4]).tolist() == [False, True, True, False, False]
