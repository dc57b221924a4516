"""`shapes --tree`: torchinfo's module tree. The same entries as every table (report/rows.py), with
a row for each container (a Python model's submodule, a `def` call of a description) where it
starts, its parameters summed over what it holds, and every name indented by its depth with
torchinfo's `├─` / `└─` lines. Depth counts as `--depth` counts (report/rows.py: levels)."""
from __future__ import annotations

from typing import Optional

from convcalc.report.common import num
from convcalc.report.rows import levels

BRANCH, LAST, PIPE, SPACE = "├─", "└─", "│ ", "  "


class Node:
    """A container and what it holds, in order: Nodes and entries."""

    __slots__ = ("block", "children", "params", "last")

    def __init__(self, block):
        self.block, self.children, self.params = block, [], 0
        self.last = None  # its last entry: the container's output is that entry's


def build(analysis, listed: list, depth: Optional[int]) -> Node:
    """The tree of containers over ``listed`` (entries folded at ``depth``: a folded entry stands
    for its block, so it sits in the blocks above it). One pass: the open chain is a stack."""
    root = Node(None)
    chain = [root]
    for entry in listed:
        path = levels(analysis.path_of(analysis.rows[entry.rows[0]]))
        if entry.block:  # a folded block: the containers above it
            path = path[:max(0, (depth or len(path)) - 1)]
        keep = 0
        while keep < min(len(chain) - 1, len(path)) and chain[keep + 1].block.uid == path[keep].uid:
            keep += 1
        del chain[keep + 1:]
        for block in path[keep:]:
            node = Node(block)
            chain[-1].children.append(node)
            chain.append(node)
        params = 0 if entry.shared else entry.params  # a shared object counts once, at its first row
        for node in chain:
            node.params += params
            node.last = entry
        chain[-1].children.append(entry)
    return root


def tree_rows(analysis, listed: list, columns: tuple, cell, depth: Optional[int] = None, count=num) -> list:
    """(line, layer, cells...) rows of the tree, depth first; a container's row shows its output
    (its last entry's) and its parameters (``count``: the table's way of writing a count)."""
    out: list = []

    def visit(node: Node, lead: str) -> None:
        for at, child in enumerate(node.children):
            last = at == len(node.children) - 1
            mark = lead + (LAST if last else BRANCH)
            if isinstance(child, Node):
                block = child.block
                name = f"{block.path.rpartition('.')[2]} ({block.label})" if block.path else (block.text or block.label)
                whole = {"params": count(child.params), "output": cell(child.last, "output")}
                out.append([block.line, mark + name] + [whole.get(c, "") for c in columns])
                visit(child, lead + (SPACE if last else PIPE))
            else:
                name = child.module.rpartition(".")[2]
                if child.block:  # a folded submodule: named by its place and class, as a container is
                    text = f"{name} ({child.layer})" if name else child.layer
                else:  # a layer: its attribute name, then its call (a Sequential's index adds nothing)
                    text = (f"{name}: " if name and not name.isdigit() else "") + child.layer
                out.append([child.line, mark + text] + [cell(child, c) for c in columns])

    visit(build(analysis, listed, depth), "")
    return out
