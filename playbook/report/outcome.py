"""What happened to one notebook of a report run: the record the runner fills and the HTML pages show."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Outcome:
    """What happened to one notebook of a run."""

    notebook: str
    title: str
    status: str = "pending"  #: pending, ok or failed
    seconds: float = 0.0
    error: str = ""  #: for failures: the failing cell and the exception
    parameters: dict[str, Any] = field(default_factory=dict)
    headline: dict[str, Any] | None = None
