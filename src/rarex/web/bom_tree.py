"""A product's bill of materials as a nested tree, with the paths that trigger findings marked."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_NODES = 2000  # a page shows at most this many tree nodes; the rest is summarised


@dataclass
class Node:
    part_id: str
    description: str
    origin: str
    quantity: str | None
    on_path: bool
    triggers: tuple[str, ...]
    children: list[Node] = field(default_factory=list)


@dataclass
class Tree:
    root: Node | None
    shown: int
    truncated: bool


def build(
    root: str,
    parts: Iterable[Mapping[str, Any]],
    bom: Iterable[Mapping[str, Any]],
    findings: Iterable[Mapping[str, Any]],
) -> Tree:
    """The tree under ``root``; a node is on a path when a finding's BOM path passes through it,
    and its ``triggers`` name the findings (measure/limb) whose path ends there."""
    info = {p["part_id"]: p for p in parts}
    children: dict[str, list[tuple[str, str]]] = {}
    for line in bom:
        children.setdefault(line["parent_id"], []).append((line["child_id"], line["quantity"]))
    prefixes: set[tuple[str, ...]] = set()
    ends: dict[tuple[str, ...], set[str]] = {}
    for finding in findings:
        ref = f"{finding['measure']}/{finding['limb']}"
        for path in finding["paths"]:
            full = tuple(path)
            prefixes.update(full[:k] for k in range(1, len(full) + 1))
            ends.setdefault(full, set()).add(ref)
    if root not in info:
        return Tree(None, 0, False)
    count = 0
    truncated = False

    def node(part_id: str, quantity: str | None, path: tuple[str, ...]) -> Node:
        nonlocal count, truncated
        count += 1
        part = info.get(part_id, {})
        made = Node(
            part_id,
            str(part.get("description", "")),
            str(part.get("origin", "")),
            quantity,
            path in prefixes,
            tuple(sorted(ends.get(path, ()))),
        )
        for child, qty in children.get(part_id, []):
            if count >= MAX_NODES:
                truncated = True
                break
            made.children.append(node(child, _quantity(qty), (*path, child)))
        return made

    tree_root = node(root, None, (root,))
    return Tree(tree_root, count, truncated)


def _quantity(value: str) -> str:
    """``2.000000`` → ``2``; other decimals as stored."""
    text = str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text
