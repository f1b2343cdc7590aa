"""The building blocks of the scenario schema: one field helper and the base of every section.

Every scenario field is declared with :func:`F`, which records its unit, its
allowed range, its doc string and - when the default comes from published
evidence - its source (a file in ``data/reference/`` names the figure and
the study).  ``python -m sim schema`` prints them all.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


def F(
    default: Any,
    unit: str,
    doc: str,
    *,
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    source: str = "",
    **kw: Any,
) -> Any:
    """A scenario field with its unit, range, doc string and (optional) source of the default."""
    extra: dict[str, Any] = {"unit": unit}
    if source:
        extra["source"] = source
    if "default_factory" not in kw:
        kw["default"] = default
    return Field(ge=ge, le=le, gt=gt, description=doc, json_schema_extra=extra, **kw)


class Section(BaseModel):
    """Base of every scenario section: frozen, strict, no unknown keys, no NaN or infinity."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False, validate_default=True)


PROB: dict[str, Any] = dict(ge=0.0, le=1.0)
