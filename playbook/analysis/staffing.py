"""Service-desk staffing with the Erlang C queue (M/M/c).

Tickets (or calls, chats) arrive at random at rate lambda, each takes an
exponential handling time of mean 1/mu, and c agents serve them first come,
first served.  The offered load is a = lambda / mu agents' worth of work; the
queue is stable only when a < c.  Rates are per unit of time of the caller's
choosing (per hour, say); times come back in the same unit.
"""

from __future__ import annotations

import math

import pandas as pd

from playbook.data.loaders import check_frame, check_values


def _check(arrival_rate: float, service_rate: float, agents: int) -> tuple[float, float, int]:
    lam = float(check_values(arrival_rate, "arrival_rate", 0))
    mu = float(check_values(service_rate, "service_rate", 1e-12))
    c = int(check_values(agents, "agents", 1))
    if c != agents:
        raise ValueError(f"agents must be a whole number >= 1, got {agents!r}")
    return lam, mu, c


def erlang_c(arrival_rate: float, service_rate: float, agents: int) -> float:
    """P(wait): probability that an arriving ticket finds all ``agents`` busy.

    C(c, a) = [a^c/c! * c/(c-a)] / [sum_{k<c} a^k/k! + a^c/c! * c/(c-a)], a = lambda/mu,
    computed through the Erlang B recursion B_0 = 1, B_k = a B_{k-1} / (k + a B_{k-1}),
    C = c B_c / (c - a (1 - B_c)), which never forms a^c or c! and so stays
    exact for hundreds of agents.  1 when a >= c (the queue grows without bound).
    """
    lam, mu, c = _check(arrival_rate, service_rate, agents)
    a = lam / mu
    if a >= c:
        return 1.0
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return c * b / (c - a * (1 - b))


def mean_wait(arrival_rate: float, service_rate: float, agents: int) -> float:
    """Mean time in queue Wq = C(c, a) / (c mu - lambda); infinite when a >= c.

    By Little's law the mean number waiting is Lq = lambda Wq.
    """
    lam, mu, c = _check(arrival_rate, service_rate, agents)
    return math.inf if lam >= c * mu else erlang_c(lam, mu, c) / (c * mu - lam)


def sla_attainment(arrival_rate: float, service_rate: float, agents: int, target: float) -> float:
    """Share of tickets answered within ``target``: P(W <= t) = 1 - C(c, a) exp(-(c mu - lambda) t).

    Given that it waits, a ticket's wait is exponential with rate c mu - lambda
    (the rate at which agents free up, less arrivals); 0 when a >= c.
    """
    lam, mu, c = _check(arrival_rate, service_rate, agents)
    t = float(check_values(target, "target", 0))
    return 0.0 if lam >= c * mu else 1 - erlang_c(lam, mu, c) * math.exp(-(c * mu - lam) * t)


def agents_for_sla(
    arrival_rate: float, service_rate: float, target: float, share: float, *, max_agents: int = 10_000
) -> int:
    """Smallest c with P(W <= target) >= share, searching upwards from the stability bound floor(a) + 1.

    Attainment rises with c, so the first c that meets the SLA is the answer.
    """
    lam, mu, _ = _check(arrival_rate, service_rate, 1)
    check_values(share, "share", 0, 1 - 1e-12)
    for c in range(int(lam / mu) + 1, max_agents + 1):
        if sla_attainment(lam, mu, c, target) >= share:
            return c
    raise ValueError(f"no staffing up to max_agents={max_agents} answers {share:.0%} within {target}")


def hourly_arrival_rates(tickets: pd.DataFrame) -> pd.Series:
    """Mean tickets opened per hour for each hour of the day (0..23) over the days the table spans.

    lambda_h = tickets opened in hour h / days covered (first to last opened_at day).
    """
    check_frame(tickets, ("opened_at",), "tickets")
    days = (tickets["opened_at"].max().normalize() - tickets["opened_at"].min().normalize()).days + 1
    counts = tickets["opened_at"].dt.hour.value_counts().reindex(range(24), fill_value=0).sort_index()
    return (counts / days).rename("arrivals_per_hour").rename_axis("hour")


def staffing_plan(arrival_rates: pd.Series, service_rate: float, target: float, share: float) -> pd.DataFrame:
    """Agents needed in each period and what they achieve.

    For each period's lambda: agents = :func:`agents_for_sla` (0 when nothing
    arrives), then P(wait), Wq, SLA attainment and occupancy lambda / (c mu).
    """
    check_values(arrival_rates, "arrival_rates", 0)
    rows = []
    for period, lam in arrival_rates.items():
        if lam == 0:
            rows.append((period, 0, 0.0, 0.0, 1.0, 0.0))
            continue
        c = agents_for_sla(lam, service_rate, target, share)
        rows.append(
            (
                period,
                c,
                erlang_c(lam, service_rate, c),
                mean_wait(lam, service_rate, c),
                sla_attainment(lam, service_rate, c, target),
                lam / (c * service_rate),
            )
        )
    return pd.DataFrame(
        rows,
        columns=[arrival_rates.index.name or "period", "agents", "p_wait", "mean_wait", "sla_attainment", "occupancy"],
    ).set_index(arrival_rates.index.name or "period")


def opened_in_hours(opened: pd.Series, start_hour: float, end_hour: float, weekdays: list[int]) -> pd.Series:
    """Whether each ticket was opened while the desk was open: on one of ``weekdays`` (0 = Monday), at a time of
    day in [``start_hour``, ``end_hour``), counted to the second.

    A desk open 10:30-12:00 takes a ticket opened at 10:40 at once; one opened
    at 12:10 waits for tomorrow - whole hours alone would call both "11" and "12".
    """
    hour_of_day = (opened - opened.dt.normalize()).dt.total_seconds() / 3600
    return opened.dt.day_of_week.isin(weekdays) & (hour_of_day >= start_hour) & (hour_of_day < end_hour)
