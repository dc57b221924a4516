"""The one list of a parsed file's nodes (astnodes.all_nodes) is ast.walk's, node for node and in
its order, on every model file of the corpus and on the conformance programs' syntax; the
enclosing class and function of each node (coverage.enclosing) is the one a plain recursion finds."""
import ast

import pytest

from paths import CORPUS, FIXTURES

from convcalc.frontends.python.astnodes import all_nodes, walk_list
from convcalc.frontends.python.coverage import enclosing

FILES = sorted(CORPUS.rglob("*.py")) + sorted((FIXTURES / "peers").rglob("*.py"))

MIXED = '''
class A:
    x = [lambda y: y + 1 for _ in range(3)]
    def f(self, *a, k=1, **kw):
        class B:
            def g(self):
                return {i: j async for i, j in z} if q else (yield from w)
        try:
            pass
        except (E, F) as e:
            del e
        else:
            match v:
                case [1, *rest] if rest: pass
                case {"k": p, **others}: pass
        finally:
            global G
async def h():
    async with a as b, c:
        await d[1:2, ::3]
    t: int = 5
'''


@pytest.mark.parametrize("path", FILES[:80], ids=lambda p: p.name)
def test_all_nodes_is_ast_walk(path):
    tree = ast.parse(path.read_text())
    mine = all_nodes(tree)
    assert len(mine) == sum(1 for _ in ast.walk(tree))
    assert all(a is b for a, b in zip(mine, ast.walk(tree)))
    assert all_nodes(tree) is mine  # made once


def test_every_kind_of_statement_and_expression():
    tree = ast.parse(MIXED)
    assert [type(a) for a in walk_list(tree)] == [type(b) for b in ast.walk(tree)]
    assert all(a is b for a, b in zip(walk_list(tree), ast.walk(tree)))


def plain(tree) -> dict:
    out = {}

    def visit(node, cls, func):
        for child in ast.iter_child_nodes(node):
            out[id(child)] = (cls, func)
            visit(child, child if isinstance(child, ast.ClassDef) else cls,
                  child if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else func)

    visit(tree, None, None)
    return out


@pytest.mark.parametrize("source", [MIXED] + [p.read_text() for p in FILES[:10]])
def test_enclosing_is_the_plain_recursion(source):
    tree = ast.parse(source)
    shared = {id(node) for node in ast.walk(tree) if not node._fields}  # one Load(), one Add() for all
    mine, theirs = enclosing(tree), plain(tree)
    assert mine.keys() == theirs.keys()
    assert {k: v for k, v in mine.items() if k not in shared} == {k: v for k, v in theirs.items() if k not in shared}
