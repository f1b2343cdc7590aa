"""After ``import playbook`` matplotlib's default font draws Chinese: checked from the font's own character map."""

from __future__ import annotations

import io
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from fontTools.ttLib import TTFont  # noqa: E402
from matplotlib import font_manager  # noqa: E402

import playbook  # noqa: E402, F401  (importing it configures the font)
from playbook.report import fonts  # noqa: E402

#: GB 2312 level 1: the 3,755 most common hanzi (一级汉字), rows 16-55 of the standard, taken from Python's codec.
COMMON_HANZI = "".join(
    bytes([row, col]).decode("gb2312")
    for row in range(0xB0, 0xD8)
    for col in range(0xA1, 0xFF)
    if not (row == 0xD7 and col > 0xF9)
)
#: The guide's own terms and the symbols the playbook's charts print.
GUIDE_TERMS = "选品转化率客单价复购率履约售后好评率首次响应时间净收入¥€−%"


def test_default_font_covers_common_chinese_from_its_cmap():
    path = font_manager.findfont(font_manager.FontProperties(family=matplotlib.rcParams["font.family"]))
    assert font_manager.FontProperties(fname=path).get_name() == fonts.FAMILY
    cmap = TTFont(path, fontNumber=0, lazy=True).getBestCmap()
    assert len(COMMON_HANZI) == 3755
    missing = [c for c in COMMON_HANZI + GUIDE_TERMS if ord(c) not in cmap]
    assert not missing, f"{len(missing)} characters missing from {path}: {''.join(missing[:40])}"


def test_a_chinese_chart_draws_without_missing_glyph_warnings():
    fig, ax = plt.subplots()
    ax.set_title("售后: 首次响应时间 (小时)")
    ax.set_xlabel("策略")
    ax.plot([1, 2], [-1, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" is a UserWarning: it would fail here
        fig.savefig(io.BytesIO(), format="png")
        fig.savefig(io.BytesIO(), format="svg")
    plt.close(fig)


def test_configure_is_idempotent():
    before = len(font_manager.fontManager.ttflist)
    assert fonts.configure() == fonts.FAMILY
    assert len(font_manager.fontManager.ttflist) == before
    assert matplotlib.rcParams["font.sans-serif"].count(fonts.FAMILY) == 1
