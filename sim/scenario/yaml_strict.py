"""The one YAML reader of user input: a strict ``SafeLoader`` and :func:`load_yaml`.

PyYAML's safe loader reads YAML 1.1, which quietly turns what a store
operator typed into something else.  A scenario with::

    service:
      agents: 3
    service:          # pasted twice: the second silently replaced the first
      sla_hours: 8:30 # read as 510 (base 60)
    warehouse:
      pickers: 017    # read as 15 (octal)
    traffic.channels.paid_search.cost_per_click: 1e-9  # read as the text "1e-9"

now fails with one :class:`ScenarioError` naming the file, the line and the
field, e.g. ``scenario.yaml: line 4 (service): duplicate key 'service'
(first on line 1)``.  Dates that do not exist (``2026-02-30``), bad tags
(``!!int 3.5``) and syntax errors are reported the same way; an alias bomb
(``&a [*a, *a, ...]`` nested ten deep) is refused after composing, before
anything is expanded.  Scenario files, sweep files and ``--set`` values are all
read here.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from sim.errors import ScenarioError
from sim.scenario.messages import one_line, shorten

#: nodes a document may expand to (aliases counted each time they are used); a large scenario has ~30,000
MAX_NODES = 200_000
#: characters of YAML text read at all (a large scenario is ~100 kB)
MAX_CHARS = 5_000_000
#: levels of nesting (a scenario has 5; deeper input is refused before the parser's cost grows with it)
MAX_DEPTH = 50

_MERGE = "tag:yaml.org,2002:merge"
_NUMBER_12 = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)$")  # 1e-9: a float in YAML 1.2, text in 1.1
_OCTAL = re.compile(r"^[-+]?0[0-7_]+$")
_BOOL_11 = {"yes", "no", "on", "off"}


class StrictError(yaml.MarkedYAMLError):
    """A value YAML 1.1 would read differently from what was meant, or a duplicate key."""


class StrictLoader(yaml.SafeLoader):
    """``SafeLoader`` that rejects duplicate keys, YAML 1.1 surprises and constructor crashes, at their line."""

    depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise StrictError(None, None, f"nested deeper than {MAX_DEPTH} levels", mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, OverflowError) as exc:  # `!!int 3.5`, `2026-02-30`, `!!float abc`
            tag = node.tag.rsplit(":", 1)[-1]
            kind = {"timestamp": "a date", "int": "an integer", "float": "a number"}.get(tag, f"a valid {tag}")
            raise StrictError(None, None, f"{shorten(node.value)} is not {kind} ({exc})", node.start_mark) from None

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode):
            first: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == _MERGE:
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    seen = first.setdefault(key, key_node.start_mark.line + 1)
                except TypeError:
                    continue  # an unhashable key: the base class reports it
                if seen != key_node.start_mark.line + 1:
                    raise StrictError(
                        None, None, f"duplicate key {shorten(key)} (first on line {seen})", key_node.start_mark
                    )
        return super().construct_mapping(node, deep)

    def construct_yaml_int(self, node: ScalarNode) -> int:
        if node.style is None:
            text = str(node.value)
            if ":" in text:
                _surprise(node, f"YAML 1.1 reads {text} as a base-60 number")
            if _OCTAL.match(text):
                _surprise(node, f"YAML 1.1 reads {text} as an octal number ({int(text.replace('_', ''), 8)})")
        return super().construct_yaml_int(node)

    def construct_yaml_float(self, node: ScalarNode) -> float:
        if node.style is None and ":" in str(node.value):
            _surprise(node, f"YAML 1.1 reads {node.value} as a base-60 number")
        return super().construct_yaml_float(node)

    def construct_yaml_bool(self, node: ScalarNode) -> bool:
        if node.style is None and str(node.value).lower() in _BOOL_11:
            meant = str(node.value).lower() in ("yes", "on")
            _surprise(node, f"YAML 1.1 reads {node.value} as {meant}", "write true or false")
        return super().construct_yaml_bool(node)

    def construct_yaml_str(self, node: ScalarNode) -> str:
        if node.style is None and _NUMBER_12.match(str(node.value)):
            raise StrictError(
                None,
                None,
                f"YAML 1.1 reads {node.value} as text, not a number; "
                f"write it with a decimal point ({_plain(str(node.value))}) or quote it if text is meant",
                node.start_mark,
            )
        return super().construct_yaml_str(node)


def _plain(text: str) -> str:
    mantissa, _, exponent = text.lower().partition("e")
    return f"{mantissa if '.' in mantissa else mantissa + '.0'}e{exponent}"


def _surprise(node: ScalarNode, what: str, hint: str = "write the number plainly") -> None:
    raise StrictError(None, None, f"{what}; {hint}, or quote it ('{node.value}') if text is meant", node.start_mark)


for _tag, _method in (
    ("int", StrictLoader.construct_yaml_int),
    ("float", StrictLoader.construct_yaml_float),
    ("bool", StrictLoader.construct_yaml_bool),
    ("str", StrictLoader.construct_yaml_str),
):
    StrictLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _method)


def _expanded_size(root: Node) -> None:
    """Refuse a document whose aliases expand past ``MAX_NODES`` nodes, or that contains itself."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()

    def size(node: Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in on_path:
            raise StrictError(None, None, "an alias refers to a node that contains it (recursive)", node.start_mark)
        on_path.add(key)
        total = 1
        if isinstance(node, SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        on_path.discard(key)
        if total > MAX_NODES:
            raise StrictError(
                None,
                None,
                f"aliases expand this document past {MAX_NODES:,} values (an alias bomb?); write the values out",
                node.start_mark,
            )
        sizes[key] = total
        return total

    size(root)


def _field_at(root: Node | None, index: int) -> str:
    """Dotted path of the deepest mapping key whose key or value spans text position ``index``."""
    path: list[str] = []
    node, seen = root, set()
    while node is not None and id(node) not in seen:
        seen.add(id(node))
        nxt: Node | None = None
        step: tuple[str, Node] | None = None
        if isinstance(node, MappingNode):  # the last key starting at or before `index` whose value spans it
            for k, v in node.value:
                if k.start_mark.index <= index <= max(k.end_mark.index, v.end_mark.index):
                    step = (str(k.value) if isinstance(k, ScalarNode) else "?", v)
            if step is not None:
                path.append(step[0])
                nxt = step[1]
        elif isinstance(node, SequenceNode):
            for i, v in enumerate(node.value):
                if v.start_mark.index <= index <= v.end_mark.index:
                    path.append(f"[{i}]")
                    nxt = v
                    break
        node = nxt
    return ".".join(path).replace(".[", "[")


def _check_flow_depth(text: str, origin: str) -> None:
    """Refuse ``[[[[...`` nested past ``MAX_DEPTH`` before the scanner, whose work grows with its square, sees it.

    Brackets inside quoted text count too: a scenario has no reason to hold 50 of them.
    """
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return
    depth, line = 0, 1
    for ch in text:
        if ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise ScenarioError(f"{origin}: line {line}: brackets nested deeper than {MAX_DEPTH} levels")
        elif ch in "]}":
            depth = max(0, depth - 1)
        elif ch == "\n":
            line += 1


def load_yaml(text: str, origin: str) -> Any:
    """Parse ``text`` strictly; any defect raises one-line :class:`ScenarioError` with origin, line and field."""
    if len(text) > MAX_CHARS:
        raise ScenarioError(f"{origin}: {len(text):,} characters; allowed: at most {MAX_CHARS:,}")
    _check_flow_depth(text, origin)
    root: Node | None = None
    loader: StrictLoader | None = None
    try:
        loader = StrictLoader(text)  # the reader refuses control characters here
        root = loader.get_single_node()
        if root is None:
            return None
        _expanded_size(root)
        return loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        raise ScenarioError(_marked_message(exc, root, origin)) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(one_line(f"{origin}: not valid YAML ({exc})")) from None
    finally:
        if loader is not None:
            loader.dispose()


def _marked_message(exc: yaml.MarkedYAMLError, root: Node | None, origin: str) -> str:
    mark = exc.problem_mark or exc.context_mark
    where = ""
    if mark is not None:
        field = _field_at(root, mark.index) if root is not None else ""
        where = f" line {mark.line + 1}" + (f" ({field})" if field else "")
    problem = " ".join(p for p in (exc.context, exc.problem) if p)
    prefix = "" if isinstance(exc, StrictError) else "not valid YAML: "
    return one_line(f"{origin}:{where}: {prefix}{problem}")
