"""A plot font that draws Chinese: Noto Sans CJK SC, shipped in the ``mplfonts`` wheel, made matplotlib's default.

matplotlib's own default, DejaVu Sans, has no CJK glyphs: a chart titled
"售后: 首次响应时间" came out as boxes ("tofu") with a "Glyph ... missing from
font(s) DejaVu Sans" warning per character.  :func:`configure` registers the
Noto Sans CJK SC file that the ``mplfonts`` package installs (a font from the
package index, so a fresh machine gets it from ``requirements.txt`` alone; no
system font, no download at run time) and puts it first in
``font.sans-serif``; it covers Latin letters, digits, ¥, € and the minus sign
too, so English charts keep one consistent face.  ``import playbook`` calls it,
so every notebook, report and saved figure uses it.  Nothing is written into
matplotlib's install folder (``mplfonts init`` would).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

#: The package that ships the font file, the file inside it, and the family name matplotlib reads from it.
FONT_PACKAGE, FONT_FILE, FAMILY = "mplfonts", "fonts/NotoSansCJKsc-Regular.otf", "Noto Sans CJK SC"


def font_path() -> Path:
    """Where the CJK font file is installed (inside the ``mplfonts`` package)."""
    return Path(str(resources.files(FONT_PACKAGE).joinpath(FONT_FILE)))


def configure() -> str:
    """Register the CJK font with matplotlib and make it the default sans-serif face; return its family name.

    Calling it again changes nothing (the font is registered once, the list
    keeps one entry of it).
    """
    from matplotlib import font_manager, rcParams

    path = font_path()
    if not any(Path(f.fname) == path for f in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(str(path))
    rcParams["font.family"] = ["sans-serif"]
    rcParams["font.sans-serif"] = [FAMILY, *(f for f in rcParams["font.sans-serif"] if f != FAMILY)]
    return FAMILY
