"""Product selection: a weighted scoring matrix of demand, margin and supply control, and its sensitivity.

Each candidate SKU has one column per criterion (for example monthly search
volume for demand, gross margin share, a 1-5 supply-control rating of
supplier choice, lead time and exclusivity).  Scores are transparent on
purpose: a founder should see why a product ranks where it does and whether
the ranking survives a different view of what matters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from playbook.data.loaders import check_frame, check_values

#: Demand x margin x supply control, the stage-1 matrix on ``data/samples/candidate_skus.csv``.
DEFAULT_WEIGHTS: Mapping[str, float] = {"monthly_searches": 0.4, "gross_margin": 0.35, "supply_control": 0.25}


def score_candidates(
    candidates: pd.DataFrame,
    weights: Mapping[str, float] = DEFAULT_WEIGHTS,
    *,
    lower_is_better: Sequence[str] = (),
    id_column: str = "sku",
) -> pd.DataFrame:
    """Weighted additive score in [0, 1] and rank (1 = best) of each candidate.

    Each criterion k is rescaled to [0, 1] by min-max,
    u_ik = (x_ik - min_k) / (max_k - min_k) (1 - that for ``lower_is_better``
    columns such as lead time; 0 for a criterion on which all candidates are
    equal, since it cannot separate them), and
    score_i = sum_k w_k u_ik / sum_k w_k.  The additive form lets a strength
    on one criterion make up for a weakness on another, at the rate the
    weights set.  Ties share the better rank.  Returns the candidates sorted
    by rank with the ``u_<criterion>`` columns, ``score`` and ``rank``.
    """
    criteria = _check(candidates, weights, lower_is_better, id_column)
    x = candidates[criteria].to_numpy(dtype=float)
    low, span = x.min(axis=0), np.ptp(x, axis=0)
    unit = np.divide(x - low, span, out=np.zeros_like(x), where=span > 0)
    flip = np.isin(criteria, list(lower_is_better)) & (span > 0)
    unit[:, flip] = 1 - unit[:, flip]
    w = np.array([weights[c] for c in criteria], dtype=float)
    out = candidates[[id_column]].join(pd.DataFrame(unit, columns=[f"u_{c}" for c in criteria], index=candidates.index))
    out["score"] = unit @ w / w.sum()
    out["rank"] = out["score"].rank(ascending=False, method="min").astype(int)
    return out.sort_values(["rank", id_column], kind="stable").reset_index(drop=True)


def rank_sensitivity(
    candidates: pd.DataFrame,
    weights: Mapping[str, float] = DEFAULT_WEIGHTS,
    *,
    change: float = 0.2,
    lower_is_better: Sequence[str] = (),
    id_column: str = "sku",
) -> pd.DataFrame:
    """Which candidates change rank when one weight at a time moves by +-``change`` (relative)?

    For every criterion k and sign s, w'_k = w_k (1 + s change) with the other
    weights fixed, and the candidates are re-ranked with
    :func:`score_candidates`.  One row per candidate: base ``rank``,
    ``best_rank`` and ``worst_rank`` over the perturbations, ``changes_rank``
    and ``moved_by`` (the perturbations that moved it, e.g. 'gross_margin
    +20%').  A candidate that stays put is robust to that much disagreement
    about the weights; a shortlist should not hinge on one that moves.
    """
    check_values(change, "change", 0, 0.99)
    base = score_candidates(candidates, weights, lower_is_better=lower_is_better, id_column=id_column)
    base = base.set_index(id_column)["rank"]
    ranks, labels = [], []
    for criterion in weights:
        for sign in (+1, -1):
            moved = dict(weights, **{criterion: weights[criterion] * (1 + sign * change)})
            ranks.append(
                score_candidates(candidates, moved, lower_is_better=lower_is_better, id_column=id_column)
                .set_index(id_column)["rank"]
                .reindex(base.index)
            )
            labels.append(f"{criterion} {'+' if sign > 0 else '-'}{change:.0%}")
    table = pd.concat(ranks, axis=1, keys=labels)
    moved_by = table.ne(base, axis=0)
    return pd.DataFrame(
        {
            "rank": base,
            "best_rank": table.min(axis=1).clip(upper=base),
            "worst_rank": table.max(axis=1).clip(lower=base),
            "changes_rank": moved_by.any(axis=1),
            "moved_by": moved_by.apply(lambda row: ", ".join(row.index[row]), axis=1),
        }
    ).reset_index()


def _check(
    candidates: pd.DataFrame, weights: Mapping[str, float], lower_is_better: Iterable[str], id_column: str
) -> list[str]:
    criteria = list(weights)
    if not criteria:
        raise ValueError("weights must name at least one criterion column")
    check_frame(candidates, [id_column, *criteria], "candidates")
    for criterion in criteria:
        check_values(weights[criterion], f"weights[{criterion!r}]", 0)
        check_values(candidates[criterion], f"candidates.{criterion}")
    if sum(weights.values()) <= 0:
        raise ValueError("weights must not all be 0")
    unknown = set(lower_is_better) - set(criteria)
    if unknown:
        raise ValueError(f"lower_is_better names {sorted(unknown)}, which are not weighted criteria {criteria}")
    if candidates[id_column].duplicated().any():
        raise ValueError(f"candidates.{id_column} must be unique")
    return criteria
