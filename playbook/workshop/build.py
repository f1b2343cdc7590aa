"""``python -m playbook workshop --out workshop/``: the material a facilitator hands out and teaches from.

The folder holds

* ``00_start_here.ipynb`` ... ``13_your_store.ipynb`` (at the top of the
  folder): a student copy of every notebook: each code cell tagged
  ``solution`` becomes an empty answer cell (``answer = ...``, tagged
  ``answer``), every output and execution count is cleared, so a participant
  runs the notebook top to bottom and the checks say "not answered yet";
* ``data/``: the scenarios, samples and checklist the notebooks read, beside
  them: Jupyter runs a notebook in its own folder and the notebooks resolve
  ``data/...`` against the working directory first, so the copy is the one used;
* ``agenda.md``: the facilitator's day in Chinese and English: every block
  with its minutes, each stage's notebook, objective, key message, live and
  homework exercises, a common mistake and how to answer it; the exercises'
  tasks and hints; and a 90-minute short version.

The folder is claimed and published through :mod:`sim.outputs`: never half
written, and a folder this command did not write is refused.
"""

from __future__ import annotations

import argparse
import shutil
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import nbformat
import yaml

from playbook.report import exercises
from sim import outputs
from sim.errors import OutputError

ROOT = Path(__file__).resolve().parents[2]
AGENDA = Path(__file__).with_name("agenda.yaml")
COMMAND = "workshop"
#: What a student copy's answer cell holds in place of the worked solution.
ANSWER_CELL = "answer = ...  # your answer here / 在这里填你的答案"
SOLUTION, ANSWER = "solution", "answer"
#: The day's length in minutes, breaks included (a full workshop day: 5.5 to 7.5 hours).
DAY_MINUTES = (330, 450)


@cache
def agenda() -> dict[str, Any]:
    """The agenda's blocks (``day``) and the 90-minute version (``short``) from ``agenda.yaml``."""
    return dict(yaml.safe_load(AGENDA.read_text(encoding="utf-8")))


def student_copy(nb: Any) -> Any:
    """``nb`` (nbformat) with every ``solution`` cell an empty answer cell and no outputs: the participant's copy."""
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type != "code":
            continue
        if SOLUTION in tags:
            cell.source = ANSWER_CELL
            cell.metadata["tags"] = [ANSWER if t == SOLUTION else t for t in tags]
        cell.outputs = []
        cell.execution_count = None
    return nb


def _title(block: Mapping[str, Any], language: str) -> str:
    if "title" in block:
        return str(block["title"][language])
    return f"`{block['notebook']}.ipynb`"


HEAD = {
    "zh": {
        "title": "# 工作坊引导手册（一天）",
        "intro": "全天 {total} 分钟（含休息）。学员用本文件夹里的学员版笔记本（无答案、无输出），"
        "在本文件夹里启动 Jupyter。每道练习运行检查单元格即可看到“回答正确”或提示。",
        "table": "| 时间 | 分钟 | 环节 | 学习目标 | 核心信息 | 现场练习 | 课后练习 |\n|---|---|---|---|---|---|---|",
        "mistakes": "## 常见错误与应对",
        "reply": "应对：",
        "short": "## 90 分钟精简版",
        "lab": "## 不写代码的学员：实验室页面（`make lab`）",
        "lab_intro": "`make lab` 在学员自己的电脑上（只对本机 127.0.0.1 开放）启动一个网页，打印它的地址；"
        "页面上是策略实验室的六个杠杆、指标卡和图表，不显示代码，也不需要联网。用在以下环节：",
        "short_table": "| 分钟 | 环节 |\n|---|---|",
        "hints": "## 练习答案提示",
    },
    "en": {
        "title": "# Facilitator's agenda (one day)",
        "intro": "The day is {total} minutes, breaks included. Participants use the student copies in this folder "
        "(no solutions, no outputs), starting Jupyter here. Each exercise's check cell prints "
        '"correct" or a hint.',
        "table": "| start | minutes | block | learning objective | key message | live exercise | homework |\n"
        "|---|---|---|---|---|---|---|",
        "mistakes": "## Common mistakes and how to answer them",
        "reply": "Answer: ",
        "short": "## The 90-minute version",
        "lab": "## Participants who do not code: the lab page (`make lab`)",
        "lab_intro": "`make lab` serves a web page to the machine it runs on (127.0.0.1) and prints its address: "
        "the strategy lab's six levers, KPI tiles and charts, no code shown, no internet needed. Use it here:",
        "short_table": "| minutes | block |\n|---|---|",
        "hints": "## Exercise answers and hints",
    },
}


def _exercise_ids(notebook: str, live: bool) -> str:
    ids = [i for i, e in exercises.exercises().items() if e["stage"] == notebook and bool(e.get("live")) == live]
    return ", ".join(ids) or "-"


def agenda_markdown(language: str) -> str:
    """The facilitator's agenda in ``language``: the timed day, mistakes, exercise hints and the short version."""
    h, day = HEAD[language], agenda()["day"]
    total = sum(int(b["minutes"]) for b in day)
    lines = [h["title"], "", h["intro"].format(total=total), "", h["table"]]
    clock = 9 * 60
    for b in day:
        stage = "objective" in b
        cells = [
            f"{clock // 60:02d}:{clock % 60:02d}",
            str(b["minutes"]),
            _title(b, language)
            if stage
            else _title(b, language) + (f" (`{b['notebook']}.ipynb`)" if "notebook" in b else ""),
            b["objective"][language] if stage else "",
            b["message"][language] if stage else "",
            _exercise_ids(b["notebook"], True) if stage else "",
            _exercise_ids(b["notebook"], False) if stage else "",
        ]
        lines.append("| " + " | ".join(cells) + " |")
        clock += int(b["minutes"])
    lines += ["", h["mistakes"], ""]
    lines += [
        f"- `{b['notebook']}.ipynb`: {b['mistake'][language]}\n  {h['reply']}{b['reply'][language]}"
        for b in day
        if "mistake" in b
    ]
    lines += ["", h["lab"], "", h["lab_intro"], ""]
    lines += [f"- `{b['notebook']}.ipynb`: {b['lab'][language]}" for b in day if "lab" in b]
    lines += ["", h["hints"], ""]
    for i, e in exercises.exercises().items():
        lines.append(f"- **{i}** (`{e['stage']}.ipynb`, {e['kind']}): {e['task'][language]} — {e['hint'][language]}")
    lines += ["", h["short"], "", h["short_table"]]
    lines += [f"| {b['minutes']} | {_title(b, language)} |" for b in agenda()["short"]]
    return "\n".join(lines) + "\n"


def build(out: Path, *, force: bool = False) -> Path:
    """Write the workshop folder ``out`` (student notebooks, data, agenda.md) through a staging folder."""
    mode = outputs.claim(out, COMMAND, force=force)
    tmp = outputs.staging(out)
    try:
        for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
            nb = student_copy(nbformat.read(path, as_version=4))
            nbformat.write(nb, tmp / path.name)
        shutil.copytree(ROOT / "data", tmp / "data")
        text = "\n".join(agenda_markdown(lang) for lang in ("zh", "en"))
        outputs.write_text_atomic(tmp / "agenda.md", text)
        if mode == "replace":
            outputs.clear(out)
        return outputs.publish(tmp, out, COMMAND)
    except BaseException:
        outputs.discard(tmp)
        raise


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m playbook workshop [--out workshop] [--force]``."""
    parser = argparse.ArgumentParser(prog="python -m playbook workshop", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="workshop", help="folder to write (default: workshop)")
    parser.add_argument("--force", action="store_true", help="replace a workshop folder this command wrote before")
    args = parser.parse_args(argv)
    try:
        out = build(Path(args.out), force=args.force)
    except OutputError as error:
        print(f"error: {error}")
        return 2
    print(f"workshop: {out}/ (student notebooks, data/, agenda.md)")
    return 0
