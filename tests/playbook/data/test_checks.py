"""Input checks of every analysis: the column that is missing, the frame that is empty, the value out of range."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from playbook.data.checks import check_frame, check_values


def test_a_good_frame_passes_and_bounds_are_closed():
    frame = pd.DataFrame({"revenue": [0.0, 5.0], "share": [0.0, 1.0]})
    check_frame(frame, ["revenue", "share"], "orders", {"revenue": (0, None), "share": (0, 1)})


def test_missing_column_and_empty_frame_are_named():
    frame = pd.DataFrame({"revenue": [1.0, -2.0]})
    with pytest.raises(ValueError, match=r"orders lacks column\(s\) \['refund'\]; it needs \['revenue', 'refund'\]"):
        check_frame(frame, ["revenue", "refund"], "orders")
    with pytest.raises(ValueError, match="orders is empty: it needs at least one row"):
        check_frame(frame.iloc[:0], ["revenue"], "orders")


def test_out_of_range_names_the_dotted_column_range_first_value_and_count():
    frame = pd.DataFrame({"revenue": [1.0, -2.0, -3.0]})
    with pytest.raises(ValueError) as info:
        check_frame(frame, ["revenue"], "orders", {"revenue": (0, None)})
    assert str(info.value) == "orders.revenue must be in [0, inf] and not missing; found -2.0 (2 value(s) out of range)"


def test_values_are_returned_as_floats_and_missing_is_out_of_range():
    assert check_values([1, 2], "x", 0, 2).tolist() == [1.0, 2.0]
    with pytest.raises(ValueError, match=r"x must be in \[-inf, 1\] and not missing; found nan"):
        check_values([0.5, np.nan], "x", high=1)
    with pytest.raises(ValueError, match="x must be in .*found 3.0"):
        check_values(np.array([[0.0, 3.0]]), "x", 0, 1)
    with pytest.raises(ValueError, match="^x is empty$"):
        check_values([], "x")
