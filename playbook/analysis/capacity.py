"""Capacity of the store's teams: hours on shift, hours of work, utilisation; and the per-stage SOP checklist.

Stage 10 of the guide asks for owners, SOPs and a result metric for every
stage.  Two questions follow for a small team: is each role's capacity in
proportion to its work (utilisation = hours of work / hours on shift), and
does each stage meet its target (``data/sop_checklist.yaml``)?  Hours on
shift are the run's roster (``Result.labour``: a crew plan's shifts, or
people x shift).  Hours of work are the count of jobs times the mean time
per job: a ticket answered by an agent takes ``service.handle_minutes_mean``;
an order picked takes the layout's mean pick time
(``sim.engine.operations.fulfilment.pick_minutes``: walking scales with
``warehouse.path_length_factor``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd
import yaml

from sim.engine.operations.fulfilment import pick_minutes
from sim.results.result import Result


def shift_hours(start_hour: float, end_hour: float, weekdays: Iterable[int], start: dt.date, days: int) -> float:
    """Hours a shift is open over ``days`` days from ``start``: (end - start) on each listed weekday."""
    open_days = sum((start + dt.timedelta(days=d)).weekday() in set(weekdays) for d in range(days))
    return open_days * (end_hour - start_hour)


def utilisation(result: Result) -> pd.DataFrame:
    """Agents and pickers of one run: people, hours on shift, hours of work and utilisation (work / shift).

    A utilisation far below 1 is idle capacity; near 1 the queue grows
    without bound (Erlang C).  The work of AI-answered tickets is not an
    agent's; jobs taken after the horizon (the drain) are not counted, as
    their hours are not on the roster.  ``people`` is everyone on the plan (a crew plan: the sum of its
    shifts' people).  ``result`` is a :class:`sim.Result`.
    """
    s = result.scenario
    end = pd.Timestamp(s.time.start_date) + pd.Timedelta(days=result.days)  # work of the drain is not on the roster
    t = result.tickets
    agent_tickets = int(((t["handled_by"] == "agent") & (t["first_response_at"] < end)).sum())
    picked = int((result.orders["picked_at"] < end).sum())
    rostered = result.labour.groupby("team")["person_hours"].sum()
    rows = []
    for role, team, jobs, minutes in (
        ("agents", s.service, agent_tickets, s.service.handle_minutes_mean),
        ("pickers", s.warehouse, picked, pick_minutes(s.warehouse)),
    ):
        on_shift = float(rostered.get(role, 0.0))
        work = jobs * minutes / 60
        people = sum(c.people for c in team.crew.values()) if team.crew else getattr(team, role)
        rows.append(
            {
                "role": role,
                "people": people,
                "jobs": jobs,
                "hours_on_shift": on_shift,
                "hours_of_work": work,
                "utilisation": work / on_shift if on_shift else float("nan"),
            }
        )
    return pd.DataFrame(rows).set_index("role")


def targets(path: str | Path, values: Mapping[str, float]) -> pd.DataFrame:
    """The SOP checklist of ``path`` against ``values``: one row per stage with its KPI value, bounds and status.

    The file lists stages with an owner (a role), a ``sim.results.kpis`` name and a
    target ``{min: x}`` and/or ``{max: y}``; ``values`` maps KPI names to the
    store's values (a what-if's baseline means, say).  Columns: ``stage``,
    ``owner``, ``kpi``, ``value``, ``min`` and ``max`` (NaN where the target has
    no such bound), ``status`` ('meets' / 'misses', a code to filter on) and any
    translations the file carries (``stage_zh``, ``owner_zh``).  Numbers stay
    numbers: ``playbook.report.checklist`` words and formats them for a reader.
    KeyError naming the stage when its KPI is not among ``values``.
    """
    rows = []
    for item in yaml.safe_load(Path(path).read_text(encoding="utf-8"))["stages"]:
        kpi, target = item["kpi"], item["target"]
        if kpi not in values:
            raise KeyError(f"{path}: KPI {kpi!r} of stage {item['stage']!r} is not among the measured KPIs")
        value, low, high = values[kpi], target.get("min"), target.get("max")
        ok = (low is None or value >= low) and (high is None or value <= high)
        names = {k: v for k, v in item.items() if k.startswith(("stage_", "owner_"))}
        rows.append(
            {
                "stage": item["stage"],
                "owner": item["owner"],
                "kpi": kpi,
                "value": value,
                "min": float("nan") if low is None else low,
                "max": float("nan") if high is None else high,
                "status": "meets" if ok else "misses",
                **names,
            }
        )
    return pd.DataFrame(rows)
