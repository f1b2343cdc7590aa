"""Every playbook test starts in English: the format language is process state (``units.set_language``), and a
test that runs a notebook helper in Chinese must not change what the next test on the same worker sees."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from playbook.text import units


@pytest.fixture(autouse=True)
def english_formats() -> Iterator[None]:
    units.set_language("en")
    yield
    units.set_language("en")
