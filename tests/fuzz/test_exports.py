"""A 200-case slice of the export fuzz harness (``python -m fuzz.exports --cases 1000`` runs the full set)."""

import pandas as pd

from fuzz.exports import Case, classify, invariants, run, targets


def test_a_slice_of_the_export_fuzz_has_no_failures():
    tally = run(200)
    assert not tally.failures, "\n".join(tally.failures[:10])
    assert sum(tally.total.values()) >= 200
    assert set(tally.counts) == {"shopify", "orders_csv", "cdnow", "taobao"}
    for name, counts in tally.counts.items():  # each loader met loads, bad rows and unreadable files
        assert counts["correct load"] and counts["bad rows reported"] and counts["clear error"], name


def test_the_classifier_catches_what_it_must(tmp_path):
    """The harness can fail: a table with an infinite revenue, a raw exception and a wrong message are failures."""
    orders = pd.DataFrame(
        {"order_id": [1], "customer_id": [1], "placed_at": pd.to_datetime(["2024-01-01"]).astype("datetime64[ns]"),
         "revenue": [float("inf")], "refund": [0.0]}
    )  # fmt: skip
    report = pd.DataFrame(columns=["row", "column", "value", "reason"])
    assert "NaN, inf" in invariants(orders, report, one_row_per_order=False)
    target = targets()["orders_csv"]
    path = tmp_path / "export.csv"
    path.write_text("order_id,customer_id,placed_at,revenue,refund\n1,7,2024-01-01,10,0\n")

    def crashes(path, **options):
        raise IndexError("list index out of range")

    outcome, detail = classify(target.__class__(crashes, {}, target.rows), path, {})
    assert outcome == "failure" and "IndexError" in detail
    assert classify(target, path, target.options)[0] == "correct load"
    assert Case((("cell", 1, 1, "x"),), ("none", 0, b""), {}).describe().startswith("edits [cell(row 1")
