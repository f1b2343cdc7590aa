"""Measures of the simulated store that real order exports do not carry: stock, labour, programmes, profit.

``Result.measures()`` returns them beside the shared KPIs of
``Result.kpis()``, so a what-if prices its capacity and programme decisions:
more agents show up in ``labour_cost``, a bigger test launch in
``holding_cost`` and ``dead_stock_value``, a CRM campaign in ``crm_cost``.  Each is computed
from one of the lever tables of ``Result`` (``sku_daily``, ``skus``,
``labour``, ``programmes``) and is 0 when its lever is not used, never nan.

``operating_profit`` ties them together: net revenue - cost of the goods
kept - defective returns written off at cost (``write_off_cost``) -
shipping - marketing spend - labour - holding - CRM costs + membership fees
(:func:`profit_and_loss` gives it line by line).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from sim.results.kpis import kept_cogs

#: The measures :func:`compute` returns, in order: name -> (unit, higher is better).
MEASURES: dict[str, tuple[str, bool]] = {
    "holding_cost": ("money", False),
    "dead_stock_value": ("money", False),
    "labour_cost": ("money", False),
    "crm_cost": ("money", False),
    "membership_fees": ("money", True),
    "operating_profit": ("money", True),
    "write_off_cost": ("money", False),
    "picker_utilisation": ("share", False),
    "agent_utilisation": ("share", False),
}
MEASURE_NAMES = tuple(MEASURES)
CRM_COSTS = ("campaign:", "review_prompts")
FEES = ("membership", "membership_renewal")


def holding_cost(sku_daily: pd.DataFrame) -> float:
    """Holding cost = sum over days and SKUs of stock on hand x unit cost x holding_cost_rate / 365."""
    return float(sku_daily["holding_cost"].sum())


def dead_stock_value(skus: pd.DataFrame) -> float:
    """Dead stock = units left on the shelf of killed SKUs at the end x unit cost."""
    return float(skus["dead_stock_value"].sum())


def labour_cost(labour: pd.DataFrame) -> float:
    """Labour cost = person-hours on the roster x hourly cost, pickers and agents."""
    return float(labour["cost"].sum())


def write_off_cost(skus: pd.DataFrame) -> float:
    """Write-offs = defective units returned and thrown away x unit cost."""
    return float(skus["written_off_value"].sum())


def utilisation(labour: pd.DataFrame, team: str) -> float:
    """Utilisation = hours of work (picks, agents' tickets) / person-hours on the roster of ``team``; 0 unstaffed."""
    rows = labour[labour["team"] == team]
    rostered = rows["person_hours"].sum()
    return float(rows["busy_hours"].sum() / rostered) if rostered > 0 else 0.0


def crm_cost(programmes: pd.DataFrame) -> float:
    """CRM cost = campaign messages and review prompts sent x their unit cost."""
    crm = programmes["programme"].str.startswith(CRM_COSTS)
    return float(programmes.loc[crm, "cost"].sum())


def membership_fees(programmes: pd.DataFrame) -> float:
    """Membership fees = joining and renewal fees paid in the horizon."""
    return float(programmes.loc[programmes["programme"].isin(FEES), "revenue"].sum())


#: The lines of the profit and loss, in order: what :func:`profit_and_loss` returns (costs negative).
PNL_LINES = (
    "revenue",
    "refunds",
    "cogs",
    "write_offs",
    "shipping",
    "marketing",
    "labour",
    "holding",
    "crm",
    "membership_fees",
)


def profit_and_loss(tables: Mapping[str, pd.DataFrame]) -> pd.Series:
    """The run's profit and loss, line by line (money; costs and refunds negative), ending in operating profit.

    revenue (goods, fees, warranties) - refunds - COGS of the orders kept -
    defective returns written off at cost - shipping (parcels and return labels) - marketing - labour - holding -
    CRM + membership fees = ``operating_profit``: the waterfall of notebook 00.
    """
    orders, daily, programmes = tables["orders"], tables["daily"], tables["programmes"]
    lines = pd.Series(
        [
            orders["revenue"].sum(),
            -orders["refund"].sum(),
            -kept_cogs(orders),
            -write_off_cost(tables["skus"]),
            -orders["shipping_cost"].sum(),
            -daily["spend"].sum(),
            -labour_cost(tables["labour"]),
            -holding_cost(tables["sku_daily"]),
            -crm_cost(programmes),
            membership_fees(programmes),
        ],
        index=list(PNL_LINES),
        dtype=float,
    )
    lines["operating_profit"] = lines.sum()
    return lines


def operating_profit(tables: Mapping[str, pd.DataFrame]) -> float:
    """Net revenue - COGS of kept orders - write-offs - shipping - marketing - labour - holding - CRM + fees."""
    return float(profit_and_loss(tables)["operating_profit"])


def compute(tables: Mapping[str, pd.DataFrame]) -> dict[str, float]:
    """Every measure of this module from a run's tables."""
    return {
        "holding_cost": holding_cost(tables["sku_daily"]),
        "dead_stock_value": dead_stock_value(tables["skus"]),
        "labour_cost": labour_cost(tables["labour"]),
        "crm_cost": crm_cost(tables["programmes"]),
        "membership_fees": membership_fees(tables["programmes"]),
        "operating_profit": operating_profit(tables),
        "write_off_cost": write_off_cost(tables["skus"]),
        "picker_utilisation": utilisation(tables["labour"], "pickers"),
        "agent_utilisation": utilisation(tables["labour"], "agents"),
    }
