"""Every node of a parsed file, listed once: several passes read the whole module (the imports'
aliases, the layer constructions for coverage, the input comments' calls, attribute reads for
unused layers, names read in classes), and each ``ast.walk`` of it cost about a second per 400,000
nodes under a profiler (a generator per node); a file of 99,000 statements was walked six times.
The list is made once per module and kept on the tree itself (it dies with it); the frontend
never edits a parsed tree (the methods it makes up are trees of their own)."""
from __future__ import annotations

import ast

_KEPT = "_convcalc_nodes"


def all_nodes(tree: ast.AST) -> list:
    """The nodes of ``tree``, ``tree`` first, in ``ast.walk``'s order (breadth first, fields in order)."""
    found = getattr(tree, _KEPT, None)
    if found is None:
        found = walk_list(tree)
        setattr(tree, _KEPT, found)
    return found


def walk_list(tree: ast.AST) -> list:
    out = [tree]
    node_type, append = ast.AST, out.append
    for node in out:  # the list grows as it is read: breadth first, as ast.walk
        for name in node._fields:
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, node_type):
                        append(item)
            elif isinstance(value, node_type):
                append(value)
    return out

