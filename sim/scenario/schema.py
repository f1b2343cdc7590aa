"""The scenario schema as a table: every field with its type, unit, range, default and source.

``python -m sim schema`` prints it; the README's lever table is generated
from it, so the documentation cannot drift from the code.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim.scenario.definition import Scenario


def _bounds(field: FieldInfo) -> str:
    lo = hi = None
    lo_open = hi_open = False
    for m in field.metadata:
        for attr, is_lo, is_open in (
            ("ge", True, False),
            ("gt", True, True),
            ("le", False, False),
            ("lt", False, True),
        ):
            v = getattr(m, attr, None)
            if v is not None:
                if is_lo:
                    lo, lo_open = v, is_open
                else:
                    hi, hi_open = v, is_open
    if lo is None and hi is None:
        return ""
    return f"{'(' if lo_open else '['}{'' if lo is None else lo}, {'' if hi is None else hi}{')' if hi_open else ']'}"


def _type_name(annotation: Any) -> str:
    name = getattr(annotation, "__name__", None) or str(annotation)
    return name.replace("typing.", "")


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    args = getattr(annotation, "__args__", ())
    if (
        getattr(annotation, "__origin__", None) is dict
        and args
        and isinstance(args[1], type)
        and issubclass(args[1], BaseModel)
    ):
        return args[1]
    return None


def rows(
    model: type[BaseModel] = Scenario, prefix: str = "", instance: BaseModel | None = None
) -> Iterator[dict[str, str]]:
    """One row per leaf field: path, type, unit, range, default, description, source.

    A nested section's default is the one its parent sets, not its class's:
    ``warehouse.shift.end_hour`` is 17.0 because ``Warehouse`` builds its
    ``shift`` that way, although a bare ``Shift()`` ends at 18.0.  So the
    walk carries the parent's default ``instance`` down (``<name>`` rows of
    keyed sections show the class defaults of a new entry).  A field whose
    own default is None is resolved on loading (``delivery.reference_fee``)
    and shows None.
    """
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        own = field.get_default(call_default_factory=True)
        default = own if own is None or instance is None else getattr(instance, name)
        sub = _model_of(field.annotation)
        if sub is not None:
            keyed = getattr(field.annotation, "__origin__", None) is dict
            if keyed:
                yield from rows(sub, f"{path}.<name>.")
            else:
                yield from rows(sub, f"{path}.", default if isinstance(default, BaseModel) else None)
            continue
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        yield {
            "path": path,
            "type": _type_name(field.annotation),
            "unit": str(extra.get("unit", "")),
            "range": _bounds(field),
            "default": "" if isinstance(default, BaseModel) else repr(default),
            "description": field.description or "",
            "source": str(extra.get("source", "")),
        }


def markdown() -> str:
    """The schema as a Markdown table."""
    out = ["| field | unit | range | default | meaning | source |", "|---|---|---|---|---|---|"]
    for r in rows():
        out.append(
            f"| `{r['path']}` | {r['unit']} | {r['range']} | {r['default']} | {r['description']} | {r['source']} |"
        )
    return "\n".join(out)
