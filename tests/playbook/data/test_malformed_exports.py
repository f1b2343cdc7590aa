"""Hand-made malformed exports (tests/data/malformed/exports): each gives exactly its one-line message."""

from pathlib import Path

import pytest
import yaml

from playbook.data import loaders
from playbook.data.loaders import DataError, LoadError

FOLDER = Path(__file__).resolve().parents[2] / "data" / "malformed" / "exports"
CASES = yaml.safe_load((FOLDER / "expected.yaml").read_text(encoding="utf-8"))


def test_every_file_has_a_message_and_every_loader_a_file():
    files = {p.name for p in FOLDER.iterdir() if p.suffix in (".csv", ".txt")}
    assert files == set(CASES) and len(files) >= 15
    assert {case["loader"] for case in CASES.values()} == {
        "load_shopify_csv", "load_orders_csv", "load_cdnow", "load_taobao_csv"
    }  # fmt: skip


@pytest.mark.parametrize("name", sorted(CASES))
def test_malformed_export_gives_its_message(name):
    case = CASES[name]
    load = getattr(loaders, case["loader"])
    with pytest.raises(LoadError) as info:
        load(FOLDER / name, **case["options"])
    assert str(info.value) == case["message"]
    assert "\n" not in case["message"] and len(case["message"]) < 300
    if isinstance(info.value, DataError):  # bad rows: errors="report" returns them instead of raising
        orders, report = load(FOLDER / name, errors="report", **case["options"])
        first = report.iloc[0]
        assert f"row {first.row}, column {first.column!r}: {first.reason}" in case["message"]
    else:  # the file itself is unreadable: no mode loads it
        with pytest.raises(LoadError, match="^" + case["message"].split(":")[0]):
            load(FOLDER / name, errors="report", **case["options"])
