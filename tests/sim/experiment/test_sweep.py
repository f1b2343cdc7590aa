"""Running sweeps: the same tables on every executor, resume without loss or rerun, failed tasks recorded.

The Dask tests start a real ``distributed.LocalCluster`` (2 worker processes,
1 thread each).  Sweeps are tiny (baseline store, 7 days, 4 points x 2
replications) so the suite stays fast on a shared machine.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from distributed import Client, LocalCluster

import sim
from sim.cli import main
from sim.errors import OutputError, ScenarioError
from sim.experiment import sweep as sweep_module
from sim.experiment.sweep import BATCH_SECONDS, TAIL_SHARE, BatchSizer, Task, _pooled, plan, run_batch, run_task
from sim.experiment.sweep_definition import SweepDefinition
from sim.experiment.sweep_store import read_parts
from tests.conftest import SCENARIOS

TABLES = ("results", "summary", "failures")


def small(**changes) -> SweepDefinition:
    data = {
        "name": "small",
        "scenario": "baseline.yaml",
        "replications": 2,
        "days": 7,
        "seed": 5,
        "kpis": ["orders", "net_revenue", "sla_attainment"],
        "levers": {"service.agents": [1, 2], "page.load_time_s": [1.5, 2.5]},
    }
    return SweepDefinition.from_dict({**data, **changes}, base_dir=SCENARIOS)


def table_bytes(out: Path) -> dict[str, bytes]:
    return {name: (out / f"{name}.parquet").read_bytes() for name in TABLES}


@pytest.fixture(scope="module")
def client():
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster,
        Client(cluster) as c,
    ):
        yield c


# --- task hooks (module level, so worker processes can unpickle them) -------------------------------


def fail_point_1_rep_0(base, task: Task) -> dict[str, float]:
    """Raise in one replication of one point; run the others as usual."""
    if (task.point, task.replication) == (1, 0):
        raise RuntimeError("injected failure")
    return run_task(base, task)


def counting(folder: str, base, task: Task) -> dict[str, float]:
    """Leave one file per task run; a second run of the same task fails on the existing file."""
    with open(Path(folder) / f"{task.point}-{task.replication}", "x"):
        pass
    return run_task(base, task)


def on_the_installed_base(base, task: Task) -> dict[str, float]:
    """Fail unless this local worker runs on the base scenario it was given once, at start."""
    if base is not sweep_module._installed_base:
        raise RuntimeError("the base scenario came with the batch")
    return run_task(base, task)


def point_5_fails(base, task: Task) -> dict[str, float]:
    """A cheap task (no simulation): its point as the KPI; point 5 raises."""
    if task.point == 5:
        raise ValueError("bad point")
    return {"orders": float(task.point)}


def worker_died(task_fn, batch, base):
    raise RuntimeError("worker died")


# --- tests ----------------------------------------------------------------------------------------


def test_same_tables_on_dask_default_and_one_worker(tmp_path, client, capsys):
    runs = {"one": 1, "default": None, "dask": client}
    for label, executor in runs.items():
        res = sim.sweep(small(), executor=executor, out=tmp_path / label)
        assert res.complete and res.tasks_ran == 8
    assert "Dask dashboard: http" in capsys.readouterr().err
    ref = table_bytes(tmp_path / "one")
    for label in ("default", "dask"):
        assert table_bytes(tmp_path / label) == ref, label
    summary = pd.read_parquet(tmp_path / "one" / "summary.parquet")
    assert summary["n_ok"].tolist() == [2, 2, 2, 2] and summary["n_failed"].eq(0).all()
    assert summary["orders_mean"].nunique() > 1


def test_a_point_equals_replicate_of_its_scenario():
    """Replication j uses SeedSequence(seed).spawn(R)[j] at every point: replicate() reproduces it."""
    d = small()
    res = sim.sweep(d, executor=1, progress=False)
    row = res.summary.iloc[3]
    scenario = d.base.with_overrides(
        {"service.agents": int(row["service.agents"]), "page.load_time_s": float(row["page.load_time_s"])}
    )
    reps = sim.replicate(scenario, n=2, seed=5, days=7, workers=1)
    mine = res.results[res.results["point"] == 3].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine[list(d.kpis)], reps[list(d.kpis)])
    mean, lo, hi = sim.mean_ci(reps["net_revenue"])
    assert row["net_revenue_mean"] == pytest.approx(mean)
    assert (row["net_revenue_ci_low"], row["net_revenue_ci_high"]) == pytest.approx((lo, hi))


def test_resume_after_a_stop_gives_the_same_tables_and_runs_no_task_twice(tmp_path):
    sim.sweep(small(), executor=1, out=tmp_path / "whole", progress=False)
    ran = tmp_path / "ran"
    ran.mkdir()
    hook = partial(counting, str(ran))
    first = sim.sweep(small(), executor=2, out=tmp_path / "cut", max_tasks=3, task_fn=hook, progress=False)
    assert (first.tasks_ran, len(first.results), first.complete) == (3, 3, False)
    assert sorted(first.results["replication"]) == [0, 0, 0]  # replication-major: every point's rep 0 first
    with pytest.raises(OutputError, match="--resume"):
        sim.sweep(small(), executor=2, out=tmp_path / "cut", task_fn=hook, progress=False)
    rest = sim.sweep(small(), executor=2, out=tmp_path / "cut", resume=True, task_fn=hook, progress=False)
    assert rest.tasks_ran == 5 and rest.complete and rest.failures.empty
    assert len(list(ran.iterdir())) == 8
    lines = [
        json.loads(x)
        for p in sorted((tmp_path / "cut" / "parts").glob("part-*.jsonl"))
        for x in p.read_text().splitlines()
    ]
    assert sorted((r["point"], r["replication"]) for r in lines) == [(i, j) for i in range(4) for j in range(2)]
    assert table_bytes(tmp_path / "cut") == table_bytes(tmp_path / "whole")


def test_resume_refuses_a_changed_definition(tmp_path):
    sim.sweep(small(), executor=1, out=tmp_path / "s", max_tasks=1, progress=False)
    with pytest.raises(ScenarioError, match="differs in replications"):
        sim.sweep(small(replications=3), executor=1, out=tmp_path / "s", resume=True, progress=False)


@pytest.mark.parametrize("where", ["processes", "dask"])
def test_a_failing_task_is_recorded_and_the_rest_complete(tmp_path, client, where):
    res = sim.sweep(
        small(),
        executor=2 if where == "processes" else client,
        out=tmp_path / "s",
        task_fn=fail_point_1_rep_0,
        progress=False,
    )
    assert len(res.results) == 7 and res.complete
    fail = res.failures.iloc[0]
    assert (len(res.failures), fail["point"], fail["replication"]) == (1, 1, 0)
    assert fail["error"] == "RuntimeError: injected failure"
    assert fail["seed"] == "SeedSequence(5, spawn_key=(0,))"
    assert res.summary["n_ok"].tolist() == [2, 1, 2, 2] and res.summary["n_failed"].tolist() == [0, 1, 0, 0]
    assert np.isnan(res.summary.loc[1, "orders_ci_low"]) and not np.isnan(res.summary.loc[1, "orders_mean"])
    # resume reruns the failed task only
    again = sim.sweep(small(), executor=1, out=tmp_path / "s", resume=True, progress=False)
    assert again.tasks_ran == 1 and again.failures.empty and again.summary["n_ok"].eq(2).all()
    assert len(read_parts(tmp_path / "s")) == 8


def test_batches_hold_about_a_second_of_work_and_shrink_as_the_sweep_ends():
    sizer = BatchSizer(workers=2)
    assert sizer.size(1000) == 1  # no batch has come back: a task's duration is unknown
    sizer.record(4, 4 * BATCH_SECONDS / 8)  # tasks of 1/8 of a batch's target
    assert sizer.size(1000) == 8
    assert sizer.size(24) == 24 // (TAIL_SHARE * 2) < 8  # near the end the workers share what is left
    assert sizer.size(3) == 1
    sizer.record(1, 100 * BATCH_SECONDS)  # a slow task: back to one a batch
    assert sizer.size(1000) == 1


def test_batches_keep_the_task_order_and_a_failure_stays_with_its_task():
    tasks = plan(small(replications=50, levers={"service.agents": [1, 2, 3, 4, 5, 6]}))[1]
    batches: list[list[Task]] = []
    with ThreadPoolExecutor(2) as pool:

        def submit(task_fn, batch):  # the 7th batch's worker dies
            batches.append(batch)
            return pool.submit(worker_died if len(batches) == 7 else run_batch, task_fn, batch, None)

        outcomes = list(_pooled(submit, 2, point_5_fails, tasks))
    assert [len(b) for b in batches[:4]] == [1, 1, 1, 1] and len(batches[6]) > 1
    assert [t for b in batches for t in b] == tasks  # handed out in order, each task once
    assert sorted(outcomes, key=lambda o: tasks.index(o[0])) == [
        (t, None, "RuntimeError: worker died")
        if t in batches[6]
        else (t, None, "ValueError: bad point")
        if t.point == 5
        else (t, {"orders": float(t.point)}, None)
        for t in tasks
    ]


def test_local_workers_run_on_the_base_scenario_they_got_at_start():
    res = sim.sweep(small(), executor=2, task_fn=on_the_installed_base, progress=False)
    assert res.complete and res.failures.empty


@pytest.mark.parametrize("where", ["processes", "dask"])
def test_batches_of_several_tasks_give_the_tables_of_a_serial_run(tmp_path, client, monkeypatch, where):
    sim.sweep(small(), executor=1, out=tmp_path / "serial", progress=False)
    monkeypatch.setattr(sweep_module, "TAIL_SHARE", 1)  # 8 tasks on 2 workers: batches of up to 4
    monkeypatch.setattr(sweep_module, "BATCH_SECONDS", 1e6)
    sim.sweep(small(), executor=2 if where == "processes" else client, out=tmp_path / "batched", progress=False)
    assert table_bytes(tmp_path / "batched") == table_bytes(tmp_path / "serial")


def test_workers_return_small_kpi_dicts_only():
    d = small()
    _, tasks = plan(d)
    out = run_task(d.base, tasks[0])
    assert list(out) == list(d.kpis) and all(isinstance(v, float) for v in out.values())


def test_bad_executor_and_max_tasks_are_refused(tmp_path):
    with pytest.raises(ValueError, match="executor = 0"):
        sim.sweep(small(), executor=0, out=tmp_path / "never", progress=False)
    assert not (tmp_path / "never").exists()
    with pytest.raises(ValueError, match="executor = 'dask'"):
        sim.sweep(small(), executor="dask", progress=False)
    with pytest.raises(ValueError, match="max_tasks = -1"):
        sim.sweep(small(), max_tasks=-1, progress=False)


def test_cli_runs_a_sweep_and_refuses_an_existing_folder(tmp_path, capsys):
    f = tmp_path / "s.yaml"
    f.write_text(
        f"scenario: {SCENARIOS / 'baseline.yaml'}\nreplications: 2\ndays: 7\nkpis: [orders]\n"
        "levers: {service.agents: [1, 2]}\n"
    )
    assert main(["sweep", str(f), "--workers", "1", "--out", str(tmp_path / "o")]) == 0
    out = capsys.readouterr().out
    assert "s: 2 points x 2 replications; ran 4 tasks now, 4 succeeded, 0 failed" in out
    assert main(["sweep", str(f), "--workers", "1", "--out", str(tmp_path / "o")]) == 2
    assert "--resume" in capsys.readouterr().err
    assert main(["sweep", str(f), "--workers", "1", "--out", str(tmp_path / "o"), "--resume"]) == 0
    assert "ran 0 tasks now" in capsys.readouterr().out
    f.write_text("scenario: nope.yaml\nlevers: {service.agents: [1]}\n")
    assert main(["sweep", str(f), "--out", str(tmp_path / "p")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "scenario = 'nope.yaml': no such file" in err
