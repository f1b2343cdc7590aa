"""Selection matrix: hand-checked scores, dominance and weight sensitivity."""

from pathlib import Path

import pandas as pd
import pytest

from playbook.analysis.selection import DEFAULT_WEIGHTS, rank_sensitivity, score_candidates

SAMPLE = Path(__file__).resolve().parents[3] / "data" / "samples" / "candidate_skus.csv"


@pytest.fixture
def small():
    return pd.DataFrame(
        {"sku": ["A", "B", "C"], "demand": [100.0, 300.0, 200.0], "margin": [0.6, 0.2, 0.4], "lead": [10.0, 30.0, 20.0]}
    )


def test_scores_by_hand(small):
    out = score_candidates(small, {"demand": 1, "margin": 1, "lead": 2}, lower_is_better=["lead"]).set_index("sku")
    # A: u = (0, 1, 1) -> 3/4;  B: (1, 0, 0) -> 1/4;  C: (0.5, 0.5, 0.5) -> 1/2
    assert out["score"].to_dict() == pytest.approx({"A": 0.75, "B": 0.25, "C": 0.5})
    assert out["rank"].to_dict() == {"A": 1, "C": 2, "B": 3}
    assert out.loc["A", "u_lead"] == 1.0


def test_constant_criterion_cannot_separate_and_ties_share_rank(small):
    out = score_candidates(small.assign(margin=0.5), {"margin": 1.0})
    assert (out["score"] == 0).all() and (out["rank"] == 1).all()


def test_sample_candidates_and_sensitivity():
    candidates = pd.read_csv(SAMPLE)
    ranked = score_candidates(candidates)
    assert len(ranked) == 10 and ranked["rank"].tolist() == sorted(ranked["rank"])
    assert set(DEFAULT_WEIGHTS) <= set(candidates.columns)
    sens = rank_sensitivity(candidates, change=0.3).set_index("sku")
    assert (sens["best_rank"] <= sens["rank"]).all() and (sens["rank"] <= sens["worst_rank"]).all()
    assert sens["changes_rank"].any()
    stable = sens[~sens["changes_rank"]]
    assert (stable["moved_by"] == "").all() and (stable["best_rank"] == stable["worst_rank"]).all()


def test_dominant_candidate_never_moves_and_close_pair_swaps():
    frame = pd.DataFrame(
        {"sku": ["top", "x", "y", "low"], "demand": [10.0, 6.0, 5.0, 1.0], "margin": [0.9, 0.50, 0.60, 0.1]}
    )
    sens = rank_sensitivity(frame, {"demand": 1.0, "margin": 1.0}, change=0.2).set_index("sku")
    assert not sens.loc["top", "changes_rank"] and not sens.loc["low", "changes_rank"]
    assert sens.loc["x", "changes_rank"] and sens.loc["y", "changes_rank"]
    # base: y 2nd (0.535), x 3rd (0.528); demand +20% or margin -20% puts x ahead
    assert sens.loc["x", "moved_by"] == "demand +20%, margin -20%" and sens.loc["x", "best_rank"] == 2


@pytest.mark.parametrize(
    "weights, kwargs, match",
    [
        ({"demand": -1.0}, {}, r"weights\['demand'\] must be in \[0, inf\]"),
        ({"demand": 0.0}, {}, "not all be 0"),
        ({"volume": 1.0}, {}, "volume"),
        ({"demand": 1.0}, {"lower_is_better": ["lead"]}, "lead"),
        ({}, {}, "at least one criterion"),
    ],
)
def test_bad_input(small, weights, kwargs, match):
    with pytest.raises(ValueError, match=match):
        score_candidates(small, weights, **kwargs)
