"""``python -m playbook calibrate``: the bundled samples, a Shopify export never seen before, bad input, privacy.

Statistics.  The command's verdicts compare the mean of n simulated runs
with the export's value.  A run's KPIs vary around the scenario's expected
value with standard deviation sd, so the mean's error has standard error
se = sd / sqrt(n); a test that asserts a tolerance fails on a correct
scenario only if that error pushes the mean past the bound.  Each test below
states that chance and keeps it under 1 in 1,000 by asserting the margin
it needs (3.29 se, the two-sided 0.1% normal quantile) as well as the
tolerance, so a test that lacked the replications to decide would fail
loudly instead of passing or failing by luck.  Seeds are fixed, so on one
machine every run gives the same numbers.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from playbook.__main__ import main as playbook_main
from playbook.analysis.calibrate import SCENARIO_MARK
from playbook.analysis.calibrate_command import Outcome, load_export, main, run
from playbook.analysis.calibration_report import REPORT_MARK, TOLERANCES
from playbook.data.taobao import PERSONAL_COLUMNS as TAOBAO_PERSONAL

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "data" / "samples"
BASE = str(ROOT / "data" / "scenarios" / "baseline.yaml")
SHOPIFY = SAMPLES / "shopify_orders_export.csv"
#: Two-sided 0.1% quantile of the normal distribution: a margin of Z se is crossed by chance with probability 1/1000.
Z = float(stats.norm.ppf(1 - 0.0005))


def command(export: Path, fmt: str, out: Path, *extra: str) -> list[str]:
    return [str(export), "--format", fmt, "--base", BASE, "--out", str(out), "--workers", "1", *extra]


def run_captured(argv: list[str]) -> tuple[Outcome, str]:
    stdout = io.StringIO()
    outcome = run(argv, stdout=stdout)
    return outcome, stdout.getvalue()


def assert_within_by_a_margin(comparison: pd.DataFrame, replications: int) -> None:
    """Every tolerance met, and by a margin of Z standard errors of the simulated mean (from its 95% t interval)."""
    t = float(stats.t.ppf(0.975, replications - 1))
    for kpi, (kind, bound) in TOLERANCES.items():
        row = comparison.loc[kpi]
        se = (row["ci_high"] - row["ci_low"]) / 2 / t / (row["observed"] if kind == "relative" else 1.0)
        assert abs(row["gap"]) + Z * se <= bound, (kpi, row.to_dict())
        assert row["verdict"] == "within"


def main_captured(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    return status, out.getvalue(), err.getvalue()


# --- a Shopify export from a process unlike the sample's ------------------------------------------------------

SHOPIFY_COLUMNS = (
    "Name,Email,Financial Status,Fulfillment Status,Fulfilled at,Currency,Subtotal,Shipping,Taxes,Total,Created at,"
    "Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name,Shipping Name,Shipping Address1,"
    "Shipping City,Phone,Cancelled at,Refunded Amount,Id,Source"
).split(",")
PERSONAL = ("Email", "Billing Name", "Shipping Name", "Shipping Address1", "Phone")
FIRST = ("Mira", "Tomas", "Ines", "Kwame", "Yuki", "Olga", "Rafael", "Zofia", "Arjun", "Lena")
LAST = ("Okafor", "Lindqvist", "Moreau", "Tanaka", "Novak", "Haddad", "Costa", "Brennan", "Ivanova", "Mehta")
STREETS = ("Juniper Lane", "Harbour Road", "Quarry Street", "Alder Close", "Mill Row")
TEA_SHOP = (("TEA-01", "Sencha tin", 12.5, 30), ("TEA-02", "Oolong tin", 18.0, 22), ("POT-01", "Clay teapot", 64.0, 6))
TEA_SHOP += (("CUP-02", "Cup pair", 27.0, 15), ("SET-01", "Gift set", 95.0, 4), ("WHK-01", "Bamboo whisk", 15.0, 23))


def tea_shop_export(path: Path, seed: int, days: int = 150, new_per_day: float = 9.0) -> Path:
    """A Shopify export of a tea shop in UTC+8: a seeded process the calibration was not built on.

    Unlike the bundled sample (12 hand-written orders, one line each, UTC-5):
    new customers arrive as a Poisson process with a weekend peak; each buys
    at a lognormal rate (median once in 40 days) for an exponential lifetime
    (mean 70 days) - a Pareto/NBD-like process, not the BG/NBD the
    calibration fits; evening-heavy hours; one to three line items of six
    SKUs at 12.50 to 95.00 with free shipping from 50 and 8% tax; 5% of
    orders refunded in full and 3% in part.  Two rows are broken on purpose
    (an unparseable date, a text Total): they must be dropped and reported.
    Every customer has a name, e-mail, street address and phone number.
    """
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2025-02-03")
    weekday = np.array([0.9, 0.9, 1.0, 1.0, 1.1, 1.3, 1.2])
    hours = np.array([1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 7, 6, 6, 6, 7, 8, 10, 12, 12, 10, 6, 3], dtype=float)
    weights = np.array([k[3] for k in TEA_SHOP], dtype=float)
    orders: list[tuple[int, float]] = []
    customers = 0
    for day in range(days):
        for _ in range(rng.poisson(new_per_day * weekday[(start + pd.Timedelta(days=day)).day_of_week])):
            rate, t = rng.lognormal(np.log(1 / 40), 0.9), day + rng.random()
            end = min(days, t + rng.exponential(70.0))
            while t < end:
                orders.append((customers, t))
                t += rng.exponential(1 / rate)
            customers += 1
    orders.sort(key=lambda o: o[1])
    rows = []
    for number, (c, t) in enumerate(orders):
        first, last = FIRST[c % 10], LAST[c // 10 % 10]
        person = {
            "Email": f"{first}.{last}{c}@mailbox.test".lower(),
            "Billing Name": f"{first} {last}",
            "Shipping Name": f"{first} {last}",
            "Shipping Address1": f"{10 + c % 89} {STREETS[c % 5]}",
            "Shipping City": "Tacoma",
            "Phone": f"+1 555 01{c % 100:02d}",
        }
        when = start + pd.Timedelta(days=int(t), hours=int(rng.choice(24, p=hours / hours.sum())))
        when += pd.Timedelta(minutes=int(rng.integers(60)))
        lines = rng.choice(len(TEA_SHOP), size=1 + rng.binomial(2, 0.25), replace=False, p=weights / weights.sum())
        qty = 1 + rng.binomial(1, 0.2, size=len(lines))
        subtotal = float(sum(TEA_SHOP[k][2] * q for k, q in zip(lines, qty, strict=True)))
        shipping, taxes = (0.0 if subtotal >= 50 else 5.95), round(0.08 * subtotal, 2)
        total = round(subtotal + shipping + taxes, 2)
        u = rng.random()
        status, refund = (
            ("refunded", total) if u < 0.05 else ("partially_refunded", total / 3) if u < 0.08 else ("paid", 0)
        )
        stamp = when.strftime("%Y-%m-%d %H:%M:%S +0800")
        head = {
            **person,
            "Financial Status": status,
            "Fulfillment Status": "fulfilled",
            "Fulfilled at": (when + pd.Timedelta(hours=20)).strftime("%Y-%m-%d %H:%M:%S +0800"),
            "Currency": "USD",
            "Subtotal": f"{subtotal:.2f}",
            "Shipping": f"{shipping:.2f}",
            "Taxes": f"{taxes:.2f}",
            "Total": f"{total:.2f}",
            "Created at": stamp,
            "Refunded Amount": f"{refund:.2f}",
            "Id": str(7_100_000_000 + number),
            "Source": "web",
        }
        for j, (k, q) in enumerate(zip(lines, qty, strict=True)):
            line = {"Lineitem quantity": str(q), "Lineitem name": TEA_SHOP[k][1], "Lineitem sku": TEA_SHOP[k][0]}
            line["Lineitem price"] = f"{TEA_SHOP[k][2]:.2f}"
            rows.append({"Name": f"#{2001 + number}", "Email": person["Email"], **(head if j == 0 else {}), **line})
    rows[40]["Created at"], rows[41]["Total"] = "yesterday", "twelve"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=SHOPIFY_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


# --- runs shared by the tests -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("calibrate")


@pytest.fixture(scope="module")
def csv_run(folder) -> tuple[Outcome, str]:
    """The bundled orders CSV (60 orders of 20 customers over 56 days), 20 replications."""
    return run_captured(command(SAMPLES / "orders_sample.csv", "csv", folder / "sample.yaml", "--replications", "20"))


@pytest.fixture(scope="module")
def unseen(folder) -> Path:
    return tea_shop_export(folder / "tea_shop_orders.csv", seed=20251)


@pytest.fixture(scope="module")
def unseen_run(folder, unseen) -> tuple[Outcome, str]:
    """The tea shop (about 3,600 orders of 1,400 customers over 150 days), 10 replications."""
    return run_captured(command(unseen, "shopify", folder / "tea_shop.yaml", "--replications", "10"))


@pytest.fixture(scope="module")
def shopify_run(folder) -> tuple[Outcome, str]:
    """The bundled Shopify sample (2,700 orders of 1,669 customers over 365 days), 10 replications."""
    return run_captured(command(SHOPIFY, "shopify", folder / "shopify_sample.yaml", "--replications", "10"))


@pytest.fixture(scope="module")
def taobao_run(folder) -> tuple[Outcome, str]:
    """The bundled Taobao sample (300 orders of 137 customers over 27 days, Double 11), 80 replications."""
    export = SAMPLES / "taobao_orders_export.csv"
    return run_captured(command(export, "taobao", folder / "taobao_sample.yaml", "--replications", "80"))


# --- the bundled samples ---------------------------------------------------------------------------------------------


def test_bundled_shopify_sample_meets_the_tolerances(shopify_run):
    """A year of the bundled Shopify shop: every verdict "within", with a margin of Z standard errors.

    Measured (10 runs): gaps +3.1% (order rate, se 0.7%), 0.0% (AOV, se
    0.35%), -0.5 points (repeat share, se 0.3 points): margins of 10 to 17 se,
    so a scenario whose true gap is the measured one fails by chance far less
    than 1 time in 1,000.
    """
    outcome, _ = shopify_run
    assert_within_by_a_margin(outcome.comparison, replications=10)
    report = outcome.report.read_text(encoding="utf-8")
    assert "2,700 orders of 1,669 customers, 2024-03-01 to 2025-02-28" in report
    assert "time zone Etc/GMT+5" in report and "money in USD" in report and "Rows dropped as bad: 0" in report


def test_bundled_taobao_sample_meets_the_tolerances(taobao_run):
    """27 days around Double 11: every verdict "within", with a margin of Z standard errors.

    Why it once read +10.1%, "outside (uncertain)" (10 runs, seed 1): (1)
    Double 11 fell on a Monday, and the weekly profile folded its 94 orders
    into every Monday of the twin (2.7 times an ordinary day): +7.1% over 200
    runs (se 0.7%); the profiles now leave out one-off spike days
    (``calibrate.spike_days``): +4.2% (se 0.7%).  (2) What is left is the
    purchase-rate fit's compromise: 27% of second orders come within 4 days
    of the first, but a twin's customer orders again only once the first
    order has settled (4.1 days), so the repeat share (0.613) and the orders
    per customer (2.19) cannot both be reached; the fit expects order rate
    +3.8% and repeat share -3.7 points ("expected" in the verdict lines).
    (3) Noise: a run's order count has sd 11% (300 orders, a few heavy
    buyers), so 10 runs know the rate to +/- 3.5% (se); seed 1's ten now
    give +0.8%.  Here 80 runs (seed 1: +4.0%, +0.5%, -2.5 points; se 1.25%,
    0.35%, 0.5 points): margins of 4.8 to 13 se, so a twin whose true gap is
    the measured one fails by chance less than 1 time in 1,000.
    """
    outcome, _ = taobao_run
    assert_within_by_a_margin(outcome.comparison, replications=80)
    report = outcome.report.read_text(encoding="utf-8")
    assert "money in CNY" in report and "time zone Asia/Shanghai" in report
    expected = outcome.calibration.checks.loc["order_rate_per_day", "expected"]
    assert f"expected {expected:.4g}" in report


def test_csv_sample_writes_a_scenario_that_reproduces_it(csv_run):
    """Scenario valid and as calibrated; its expectation within the tolerances; the runs agree with the expectation.

    60 orders of 20 customers are too few for the tolerances to be decided by
    simulation in a test: a run's order count has a standard deviation of
    about 27% here (measured over 120 runs), so the mean of 20 runs is known
    only to +/- 6% (one se), and a 10% tolerance would fail by chance about
    1 time in 10 on a correct scenario.  So the claim is split in two
    checks with a known false-failure rate: (1) the scenario's analytic
    expectation (``Calibration.checks``, exact arithmetic) is within the
    tolerances - deterministic; (2) the simulated mean agrees with that
    expectation within t(0.9995, 19) se - a correct scenario fails this 1
    time in 1,000.  The tea-shop test below checks the tolerances on the
    simulation itself, where the data are large enough.
    """
    outcome, stdout = csv_run
    cal, comparison = outcome.calibration, outcome.comparison
    loaded = sim.load_scenario(outcome.scenario)
    assert loaded.to_dict() == cal.scenario.to_dict()
    header = outcome.scenario.read_text(encoding="utf-8").splitlines()[:3]
    assert SCENARIO_MARK in header[0] and "orders_sample.csv" in header[0]
    assert header[2] == f"# calibrated on: {dt.date.today().isoformat()}"
    expected = cal.checks["expected"]
    observed = cal.checks["observed"]
    assert abs(expected["order_rate_per_day"] / observed["order_rate_per_day"] - 1) <= 0.10
    assert abs(expected["average_order_value"] / observed["average_order_value"] - 1) <= 0.05
    assert abs(expected["repeat_purchase_rate"] - observed["repeat_purchase_rate"]) <= 0.05
    t = float(stats.t.ppf(1 - 0.0005, 19))
    pairs = {
        "order_rate_per_day": "order_rate_per_day",
        "average_order_value": "average_order_value",
        "repeat_customer_share": "repeat_purchase_rate",
    }
    for kpi, check in pairs.items():
        row = comparison.loc[kpi]
        se = (row["ci_high"] - row["ci_low"]) / 2 / float(stats.t.ppf(0.975, 19))
        assert abs(row["simulated"] - expected[check]) <= t * se, kpi
    report = outcome.report.read_text(encoding="utf-8")
    assert report.startswith(REPORT_MARK) and report.strip() in stdout
    for kpi in TOLERANCES:
        assert f"- {kpi}: within" in report or f"- {kpi}: outside" in report


def test_unseen_shopify_export_meets_the_tolerances(unseen_run):
    """A Shopify export the project has never seen: order rate within 10%, AOV within 5%, repeat share within 5 points.

    Measured on this export (10 runs): gaps about +3% (order rate), +0.2%
    (AOV), -2.5 points (repeat share), with standard errors of about 1%,
    0.5% and 0.3 points.  The test asserts that each gap plus Z = 3.29
    standard errors stays inside its tolerance: then a scenario whose true
    gap equals the measured one fails by chance at most 1 time in 1,000
    (each of the three, so at most 3 in 1,000 together; far less here, as
    the margins are 6 to 20 standard errors).
    """
    outcome, stdout = unseen_run
    assert_within_by_a_margin(outcome.comparison, replications=10)
    assert sim.load_scenario(outcome.scenario).to_dict() == outcome.calibration.scenario.to_dict()
    report = outcome.report.read_text(encoding="utf-8")
    # the two broken rows (and the other lines of their orders) are dropped and listed
    assert "row 42, column 'Created at': unparseable date" in stdout
    assert "| 42 | Created at | unparseable date |" in report and "not a number" in report
    assert "| hour_19 |" in report and "| weekday_Sat |" in report
    assert "time zone Etc/GMT-8" in report and "money in USD" in report


def test_customer_ids_are_hashed_then_numbered(unseen):
    """Default: ids numbered 1..C by first order whatever the salt (a new one each load); --keep-ids: no e-mails."""
    kw = dict(tz="Etc/GMT-8", currency="USD")
    a, _ = load_export(unseen, "shopify", keep_ids=False, **kw)
    b, _ = load_export(unseen, "shopify", keep_ids=False, **kw)
    assert a["customer_id"].equals(b["customer_id"])
    assert a["customer_id"].iloc[0] == 1 and a["customer_id"].max() == a["customer_id"].nunique()
    kept, _ = load_export(unseen, "shopify", keep_ids=True, **kw)  # Shopify e-mails become numbers even so
    assert (
        pd.api.types.is_integer_dtype(kept["customer_id"])
        and kept["customer_id"].nunique() == a["customer_id"].nunique()
    )


# --- privacy ----------------------------------------------------------------------------------------------------------


def personal_data(path: Path, columns: tuple[str, ...]) -> set[str]:
    table = pd.read_csv(path, dtype=str, keep_default_na=False).rename(columns=str.strip)
    values = {v.strip().lower() for c in columns if c in table for v in table[c]}
    values |= {v.split("@")[0] for v in values if "@" in v}  # the local part alone is personal too
    return {v for v in values if len(v) >= 4}


def test_no_personal_data_in_any_output(folder, unseen, unseen_run, csv_run, shopify_run):
    """Scan every file the runs wrote and everything they printed for the exports' e-mails, names, addresses, phones."""
    shopify = SAMPLES / "shopify_orders_small.csv"
    secrets = personal_data(unseen, PERSONAL)
    secrets |= personal_data(shopify, ("Email", "Billing Name", "Shipping Name", "Shipping City"))
    secrets |= personal_data(SHOPIFY, ("Email", "Billing Name", "Shipping Name", "Billing Address1", "Phone"))
    assert len(secrets) > 1000  # the scan looks for something
    taobao = SAMPLES / "taobao_orders_export.csv"
    secrets |= personal_data(taobao, TAOBAO_PERSONAL)
    status, out, err = main_captured(command(shopify, "shopify", folder / "shop.yaml"))  # too small: exit 2
    taobao_run = run_captured(command(taobao, "taobao", folder / "taobao.yaml", "--replications", "5"))
    assert taobao_run[0].calibration.scenario.money.currency == "CNY"
    texts = [unseen_run[1], csv_run[1], taobao_run[1], shopify_run[1], out, err]
    texts += [p.read_text(encoding="utf-8") for p in folder.iterdir() if p.suffix in (".yaml", ".md")]
    assert status == 2 and len(texts) >= 14
    found = {s for s in secrets for text in texts if s in text.lower()}
    assert not found


# --- bad input: one line, exit 2, nothing written -------------------------------------------------------------------


def test_the_bundled_shopify_sample_is_too_small(tmp_path):
    """12 orders over 13 days: the one line says how many orders and days are needed."""
    status, out, err = main_captured(command(SAMPLES / "shopify_orders_small.csv", "shopify", tmp_path / "s.yaml"))
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("calibrate: shopify_orders_small.csv:")
    assert "12 orders over 13 days" in err and "at least 20 orders over at least 7 days" in err
    assert list(tmp_path.iterdir()) == []


MALFORMED = {
    "missing.csv": (None, "csv", "no such file"),
    "empty.csv": ("", "csv", "cannot read it as a csv export"),
    "columns.csv": ("Name,Email,Total\n#1,a@b.test,3\n", "shopify", "lacks Shopify column(s)"),
    "binary.csv": ("\x00\xff\xfe garbage", "shopify", "cannot read it as a shopify export"),
    "all_bad.csv": (
        "order_id,customer_id,placed_at,revenue,refund\n1,7,soon,5,0\n2,8,2024-01-01,-3,0\n",
        "csv",
        "no usable orders (2 bad row(s) dropped); needed: at least 20 orders over at least 7 days",
    ),
    "one_week.csv": (
        "order_id,customer_id,placed_at,revenue,refund\n"
        + "".join(f"{i},{i % 9},2024-01-0{1 + i % 3}T10:00:00,20,0\n" for i in range(1, 31)),
        "csv",
        "30 orders over 3 days; allowed: at least 20 orders over at least 7 days",
    ),
    "taobao.csv": ("订单编号\n1\n", "taobao", "cannot read it as a taobao export"),
}


@pytest.mark.parametrize("name", MALFORMED)
def test_malformed_exports(tmp_path, name):
    text, fmt, message = MALFORMED[name]
    export = tmp_path / name
    if text is not None:
        export.write_bytes(text.encode("latin-1", errors="ignore") if name == "binary.csv" else text.encode())
    out = tmp_path / "out" / "s.yaml"
    out.parent.mkdir()
    status, stdout, err = main_captured(command(export, fmt, out))
    assert status == 2 and err.count("\n") == 1 and err.startswith("calibrate: "), err
    assert message in err, err
    assert list(out.parent.iterdir()) == []


def test_bad_options_and_base(tmp_path):
    sample = SAMPLES / "orders_sample.csv"
    bad_base = tmp_path / "base.yaml"
    bad_base.write_text("service:\n  agents: -1\n")
    cases = {
        ("--replications", "4"): "--replications = 4: allowed: an integer >= 5",
        ("--base", str(bad_base)): "--base: ",
        ("--out", str(tmp_path / "s.json")): "allowed: a .yaml or .yml file",
        ("--tz", "Mars/Olympus"): "--tz Mars/Olympus: unknown time zone",
        ("--report", str(tmp_path / "s.yaml")): "the same file as --out",
        ("--currency", "euro"): "--currency EURO: allowed: a three-letter ISO 4217 code",
    }
    for extra, message in cases.items():
        status, _, err = main_captured(command(sample, "csv", tmp_path / "s.yaml", *extra))
        assert status == 2 and err.count("\n") == 1 and message in err, err
    assert [p.name for p in tmp_path.iterdir()] == ["base.yaml"]


def test_never_overwrites_a_users_file(tmp_path, csv_run):
    """A user's file is kept even with --force; a file this command wrote is replaced only with --force."""
    sample = SAMPLES / "orders_sample.csv"
    mine = tmp_path / "my_store.yaml"
    mine.write_text("# my own store, by hand\nmeta:\n  name: mine\n")
    for extra in ((), ("--force",)):
        status, _, err = main_captured(command(sample, "csv", mine, *extra))
        assert status == 2 and "exists" in err and err.count("\n") == 1
        assert mine.read_text() == "# my own store, by hand\nmeta:\n  name: mine\n"
    ours = tmp_path / "ours.yaml"
    shutil.copy(csv_run[0].scenario, ours)
    status, _, err = main_captured(command(sample, "csv", ours, "--replications", "5"))
    assert status == 2 and "pass --force" in err
    assert main_captured(command(sample, "csv", ours, "--replications", "5", "--force"))[0] == 0
    assert (tmp_path / "ours_calibration.md").read_text(encoding="utf-8").startswith(REPORT_MARK)


def test_the_playbook_command_knows_calibrate(capsys):
    with pytest.raises(SystemExit) as stop:
        playbook_main(["calibrate", "--help"])
    assert stop.value.code == 0 and "--keep-ids" in capsys.readouterr().out
