"""``python -m playbook calibrate``: from a store's order export to a calibrated scenario and a report.

    python -m playbook calibrate shopify_orders.csv --format shopify --out data/scenarios/my_store.yaml

A shop owner exports a year of Shopify orders.  The command loads them with
the matching ``playbook.data.loaders`` loader (bad rows are dropped and listed,
not fatal), calibrates a scenario on the base scenario (``--base``: everything
orders cannot tell, such as conversion and capacity), simulates it over the
export's own horizon (``--replications`` runs), and writes the scenario with
a header naming the source and the date, and a Markdown report
(``playbook.analysis.calibration_report``) that it also prints.

Privacy by default: customer identifiers are hashed with a salt drawn afresh
for each run and then numbered 1, 2, ... by first order, so neither e-mails
nor hashes reach any output; ``--keep-ids`` skips the hashing (the Shopify
loader still numbers customers instead of keeping e-mails).  Only counts,
shares, amounts, dates and row numbers are written: no value of a bad row
is echoed, and any e-mail address that would reach an output is masked.

Exit status 0 on success; 2 with one line on stderr for an unreadable or too
small export, an invalid base scenario, or an output file it must not
overwrite (it overwrites only files it wrote itself, and only with
``--force``).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import re
import secrets
import shlex
import sys
import zoneinfo
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from playbook.analysis.calibrate import (
    MIN_DAYS,
    MIN_ORDERS,
    Calibration,
    calibrate,
    is_calibrated_file,
    scenario_text,
)
from playbook.analysis.calibration_report import (
    MIN_REPLICATIONS,
    REPORT_MARK,
    Facts,
    compare,
    measure,
    render,
    replicate_measures,
)
from playbook.data.loaders import load_cdnow, load_orders_csv, load_shopify_csv, load_taobao_csv
from playbook.data.taobao import TAOBAO_TZ
from sim.outputs import write_text_atomic
from sim.scenario.definition import load_scenario

FORMATS = ("shopify", "taobao", "csv", "cdnow")
#: The loader of each format but CDNOW (whose loader takes no zone, currency or salt).
LOADERS: dict[str, Callable[..., Any]] = {
    "shopify": load_shopify_csv,
    "csv": load_orders_csv,
    "taobao": load_taobao_csv,
}
#: Formats whose exports always come in one zone and currency: (zone, currency).
FIXED = {"taobao": (TAOBAO_TZ, "CNY")}
#: Column holding the currency, and the order time, in each format's file (used to pick defaults).
_CURRENCY_COLUMN = {"shopify": "Currency", "csv": "currency"}
_TIME_COLUMN = {"shopify": "Created at", "csv": "placed_at"}
_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})$")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: Bad rows listed on the terminal (the report lists them all).
SHOWN_BAD_ROWS = 10


class CalibrateError(Exception):
    """A problem the command reports in one line and exits 2 for."""


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What a run wrote and found: the calibration, the observed-vs-simulated table and the two files."""

    calibration: Calibration
    comparison: pd.DataFrame
    scenario: Path
    report: Path


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m playbook calibrate",
        description="Calibrate a scenario from a store's order export and report observed vs simulated KPIs.",
    )
    p.add_argument("export", help="the order export file")
    p.add_argument("--format", required=True, choices=FORMATS, help="the export's layout")
    p.add_argument("--base", default="data/scenarios/baseline.yaml", help="scenario for what orders cannot tell")
    p.add_argument("--tz", help="the store's time zone (default: the export's own UTC offset, else UTC)")
    p.add_argument("--currency", help="ISO 4217 code (default: the export's currency column, else the base's)")
    p.add_argument("--out", required=True, help="the scenario YAML to write")
    p.add_argument("--report", help="the Markdown report to write (default: OUT with _calibration.md)")
    p.add_argument("--force", action="store_true", help="overwrite OUT / REPORT if this command wrote them")
    p.add_argument("--keep-ids", action="store_true", help="do not hash customer identifiers")
    p.add_argument("--replications", type=int, default=10, help="simulation runs for the comparison (>= 5)")
    p.add_argument("--seed", type=int, default=1, help="seed of the replications")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes for the replications")
    return p


def mask_emails(text: str) -> str:
    """``text`` with every e-mail address replaced by ``<e-mail>``: a last guard before anything is written."""
    return _EMAIL.sub("<e-mail>", text)


def _one_line(exc: BaseException) -> str:
    return mask_emails(" ".join(str(exc).split()) or type(exc).__name__)


def _column(path: Path, column: str) -> pd.Series:
    """One column of a CSV as text; empty when the file lacks it or pandas cannot read it as UTF-8.

    Used only to pick defaults: a file this cannot read is left to the
    loader, whose error names the problem.
    """
    try:
        values = pd.read_csv(path, usecols=[column], dtype=str, keep_default_na=False)[column].str.strip()
    except (ValueError, OSError, pd.errors.ParserError, pd.errors.EmptyDataError):  # UnicodeDecodeError too
        return pd.Series([], dtype=str)
    return values[values != ""]


def _default_currency(path: Path, fmt: str, base_currency: str) -> str:
    """The export's one currency when its currency column has exactly one value, else the base scenario's."""
    column = _CURRENCY_COLUMN.get(fmt)
    values = _column(path, column).str.upper().unique() if column else []
    return str(values[0]) if len(values) == 1 else base_currency


def _default_tz(path: Path, fmt: str) -> str:
    """The UTC offset of the export's first timestamp as an ``Etc/GMT`` zone (POSIX sign: GMT+5 is UTC-5), or UTC.

    Whole-hour offsets only (Etc zones have no others); a store with a
    half-hour offset or daylight saving time should pass ``--tz``.
    """
    column = _TIME_COLUMN.get(fmt)
    times = _column(path, column) if column else pd.Series([], dtype=str)
    match = next((m for m in map(_OFFSET.search, times) if m), None)
    if match is None or match.group(3) != "00":
        return "UTC"
    hours = int(match.group(2))
    return "UTC" if hours == 0 else f"Etc/GMT{'-' if match.group(1) == '+' else '+'}{hours}"


def zone_and_currency(
    path: Path, fmt: str, base_currency: str, tz: str | None = None, currency: str | None = None
) -> tuple[str, str]:
    """The time zone and currency to read ``path`` with: the ones given, else the format's, else the export's own.

    Taobao exports are always Asia/Shanghai and CNY; otherwise the zone is
    the UTC offset of the export's first timestamp (else UTC) and the
    currency the export's one currency (else ``base_currency``).
    """
    zone, money = FIXED.get(fmt, (None, None))
    chosen = (currency or money or _default_currency(path, fmt, base_currency)).upper()
    return tz or zone or _default_tz(path, fmt), chosen


def load_export(path: Path, fmt: str, *, tz: str, currency: str, keep_ids: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The export's orders (customers numbered 1, 2, ... by first order) and the bad rows dropped.

    Identifiers are hashed with a fresh random salt unless ``keep_ids``; the
    numbering then makes the result independent of the salt, so the same
    export always gives the same scenario.
    """
    try:
        if fmt == "cdnow":
            orders, bad = load_cdnow(path, errors="report")
        else:
            salt = None if keep_ids else secrets.token_hex(16)
            orders, bad = LOADERS[fmt](
                path, tz=tz, currency=currency, errors="report", hash_ids=not keep_ids, salt=salt
            )
    except Exception as exc:  # any failure to read the file is the export's problem: one line, exit 2
        raise CalibrateError(f"{path.name}: cannot read it as a {fmt} export: {_one_line(exc)}") from None
    if not keep_ids:
        orders["customer_id"] = pd.factorize(orders["customer_id"])[0] + 1
    orders.attrs["source"] = path.name
    return orders, bad


def _check_zone_and_currency(tz: str, currency: str) -> None:
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise CalibrateError(f"--tz {tz}: unknown time zone; allowed: an IANA name such as Europe/Berlin") from None
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise CalibrateError(f"--currency {currency}: allowed: a three-letter ISO 4217 code such as EUR")


def _check_target(path: Path, force: bool, ours: Callable[[Path], bool], what: str) -> None:
    if path.exists() and not (force and ours(path)):
        why = (
            "it was not written by this command, so it is never overwritten"
            if force
            else "pass --force to overwrite a file this command wrote"
        )
        raise CalibrateError(f"{what} {path} exists: {why}; choose another path")
    if not path.parent.is_dir():
        raise CalibrateError(f"{what} {path}: folder {path.parent} does not exist")


def _is_report(path: Path) -> bool:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.readline().rstrip("\n") == REPORT_MARK
    except (OSError, UnicodeDecodeError):
        return False


def run(argv: Sequence[str], stdout: TextIO = sys.stdout) -> Outcome:
    """Do the work of :func:`main`; raise :class:`CalibrateError` for what it reports in one line.

    Everything is computed before anything is written, and both files are
    written atomically, so a failure leaves no half-written output.
    """
    args = parser().parse_args(list(argv))
    export, out = Path(args.export), Path(args.out)
    report = Path(args.report) if args.report else out.with_name(out.stem + "_calibration.md")
    if args.replications < MIN_REPLICATIONS:
        raise CalibrateError(f"--replications = {args.replications}: allowed: an integer >= {MIN_REPLICATIONS}")
    if args.workers < 1:
        raise CalibrateError(f"--workers = {args.workers}: allowed: an integer >= 1")
    if out.suffix not in (".yaml", ".yml"):
        raise CalibrateError(f"--out {out}: allowed: a .yaml or .yml file")
    if report.resolve() == out.resolve():
        raise CalibrateError(f"--report {report}: the same file as --out; allowed: another path")
    _check_target(out, args.force, is_calibrated_file, "--out")
    _check_target(report, args.force, _is_report, "--report")
    if not export.is_file():
        raise CalibrateError(f"{export}: no such file")
    try:
        base = load_scenario(args.base)
    except ValueError as exc:
        raise CalibrateError(f"--base: {_one_line(exc)}") from None
    tz, currency = zone_and_currency(export, args.format, base.money.currency, args.tz, args.currency)
    _check_zone_and_currency(tz, currency)
    orders, bad = load_export(export, args.format, tz=tz, currency=currency, keep_ids=args.keep_ids)
    if len(bad):
        print(f"{export.name}: {len(bad)} bad row(s) dropped (all listed in the report):", file=stdout)
        for r in bad.head(SHOWN_BAD_ROWS).itertuples():
            print(mask_emails(f"  row {r.row}, column {r.column!r}: {r.reason}"), file=stdout)
    if orders.empty:
        raise CalibrateError(
            f"{export.name}: no usable orders ({len(bad)} bad row(s) dropped); "
            f"needed: at least {MIN_ORDERS} orders over at least {MIN_DAYS} days"
        )
    try:
        cal = calibrate(orders, base=base, name=out.stem)
    except ValueError as exc:
        raise CalibrateError(f"{export.name}: {_one_line(exc)} ({len(bad)} bad row(s) dropped)") from None
    runs = replicate_measures(cal.scenario, cal.days, args.replications, args.seed, args.workers)
    comparison = compare(measure(orders, cal.days), runs)
    command = shlex.join(["python", "-m", "playbook", "calibrate", *argv])
    made_on = dt.date.today().isoformat()
    facts = Facts(
        command=command,
        made_on=made_on,
        export=export.name,
        export_format=args.format,
        base=args.base,
        time_zone=tz if args.format != "cdnow" else "none (dates without times)",
        currency=cal.scenario.money.currency,
        ids="kept as in the export (--keep-ids)"
        if args.keep_ids
        else "hashed with a salt drawn for this run, then numbered 1, 2, ... by first order",
        rows_dropped=bad,
        replications=args.replications,
        seed=args.seed,
    )
    text = mask_emails(render(cal, comparison, facts))
    yaml_text = mask_emails(scenario_text(cal, regenerate=command, made_on=made_on))
    write_text_atomic(out, yaml_text)
    write_text_atomic(report, text + "\n")
    print(text, file=stdout)
    print(f"wrote {out} and {report}", file=stdout)
    return Outcome(cal, comparison, out, report)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; 2 and one line on stderr for a problem with the input or the outputs."""
    try:
        run(sys.argv[1:] if argv is None else argv)
    except CalibrateError as exc:
        print(f"calibrate: {exc}", file=sys.stderr)
        return 2
    return 0
