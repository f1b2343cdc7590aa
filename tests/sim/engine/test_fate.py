"""Per-order fates: one per order, drawn in bulk, each source from its own stream, with the documented laws."""

from __future__ import annotations

from dataclasses import astuple, replace

import numpy as np

import sim
from sim.engine import fate
from sim.engine.aftersales.customers import ReviewDraws
from sim.engine.model import StoreModel
from tests.sim.levers.test_common import assert_inside


def _model(scenario: sim.Scenario, seed: int = 3) -> StoreModel:
    return StoreModel(scenario, np.random.SeedSequence(seed), 10)


def _draw(model: StoreModel, skus: np.ndarray, options: np.ndarray, defect_p: np.ndarray | None = None) -> list:
    """The fates of one day's orders, each made into a ``Fate``."""
    model.rng.start_day(0)
    dp = model.defect_p if defect_p is None else defect_p
    fates = fate.Fates()
    return [fates[n] for n in fates.draw(model.rng, model.picking, model.carriers, dp, skus, options).tolist()]


def test_one_fate_per_order_and_the_same_fates_for_the_same_seed(baseline):
    skus, options = np.zeros(500, dtype=int), np.zeros(500, dtype=int)
    a, b = _draw(_model(baseline), skus, options), _draw(_model(baseline), skus, options)
    assert len(a) == 500 and a == b
    assert a != _draw(_model(baseline, seed=4), skus, options)
    f = a[0]
    assert type(f) is fate.Fate and type(f.closing) is ReviewDraws
    assert type(f.wrong_item) is bool and type(f.defect) is bool
    assert f.pick_hours > 0 and f.lead > 0 and 0 <= f.return_u < 1 and 0 <= f.closing.churn_u < 1


def test_fates_are_numbered_across_days_and_read_as_rows_or_one_by_one(baseline):
    """A second day's fates follow the first's; a row holds a fate's fields, its review draws last (FIELDS)."""
    model = _model(baseline)
    fates = fate.Fates()
    skus, options = np.zeros(30, dtype=int), np.zeros(30, dtype=int)
    first = fates.draw(model.rng, model.picking, model.carriers, model.defect_p, skus, options)
    second = fates.draw(model.rng, model.picking, model.carriers, model.defect_p, skus[:20], options[:20])
    assert first.tolist() == list(range(30)) and second.tolist() == list(range(30, 50)) and len(fates) == 50
    rows = fates.rows(np.array([3, 42]))
    for row, n in zip(rows, (3, 42), strict=True):
        one = fates[n]
        assert row.tolist() == [float(x) for x in (*astuple(one)[:-1], *astuple(one.closing))]  # as FIELDS says
        assert row[fate.FIELDS.index("churn_u")] == one.closing.churn_u and row[fate.FIELDS.index("lead")] == one.lead
    assert fate.Fates.closings(rows) == [fates[3].closing, fates[42].closing]
    assert fate.Fates.make(rows) == [fates[3], fates[42]]
    lead, churn = fate.columns(rows, "lead", "churn_u")
    assert lead.tolist() == [fates[3].lead, fates[42].lead]
    assert churn.tolist() == [fates[3].closing.churn_u, fates[42].closing.churn_u]


def test_a_lever_on_one_source_leaves_the_other_draws_where_they_were(baseline):
    """Common random numbers: certain defects change the defect flags and nothing else."""
    n = 400
    skus, options = np.zeros(n, dtype=int), np.zeros(n, dtype=int)
    plain = _draw(_model(baseline), skus, options, defect_p=np.zeros(len(baseline.catalogue.skus)))
    faulty = _draw(_model(baseline), skus, options, defect_p=np.ones(len(baseline.catalogue.skus)))
    assert not any(f.defect for f in plain) and all(f.defect for f in faulty)
    assert [replace(f, defect=False) for f in plain] == [replace(f, defect=False) for f in faulty]


def test_draws_follow_their_laws(baseline):
    """Lead multiple: gamma with mean 1; pick hours: lognormal with the layout's mean; uniforms: mean 1/2.

    Theory: E[lead] = 1 (gamma with shape 1/cv^2, scale cv^2), E[pick] = ``Picking.mean_hours``, E[U] = 1/2,
    E[standard exponential] = 1.  Four 99.975% intervals over 20,000 orders (Bonferroni): a correct model
    fails this test at most 1 in 1,000 times.
    """
    n = 20_000
    model = _model(baseline)
    fates = _draw(model, np.zeros(n, dtype=int), np.zeros(n, dtype=int))
    assert_inside([f.lead for f in fates], 1.0, "lead multiple", 0.05, checks=4)
    assert_inside([f.pick_hours for f in fates], model.picking.mean_hours, "pick hours", 0.05, checks=4)
    assert_inside([f.return_u for f in fates], 0.5, "return uniform", 0.02, checks=4)
    assert_inside([f.refund_e for f in fates], 1.0, "refund exponential", 0.06, checks=4)
