"""The P&L waterfall of notebook 00: one bar per non-zero line, ending at operating profit."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from playbook.report.plots import pnl_waterfall  # noqa: E402


def test_the_waterfall_steps_down_from_revenue_to_operating_profit():
    pnl = pd.Series(
        {
            "revenue": 100.0,
            "refunds": -10.0,
            "cogs": -40.0,
            "shipping": -15.0,
            "marketing": -12.0,
            "labour": -15.0,
            "holding": -1.0,
            "crm": 0.0,
            "membership_fees": 0.0,
            "operating_profit": 7.0,
        }
    )
    ax = pnl_waterfall(pnl)
    bars = ax.patches
    assert [t.get_text() for t in ax.get_xticklabels()][-1] == "operating profit"
    assert len(bars) == 8  # seven non-zero lines and the profit
    # each cost bar hangs from the running total: refunds from 100 down to 90, COGS from 90 to 50
    assert (bars[1].get_y(), bars[1].get_height()) == (90.0, 10.0)
    assert (bars[2].get_y(), bars[2].get_height()) == (50.0, 40.0)
    assert (bars[-1].get_y(), bars[-1].get_height()) == (0.0, 7.0)
    assert "7.0% of revenue" in ax.get_title() and "EUR" in ax.get_ylabel() and ax.get_xlabel()
    plt.close(ax.figure)
