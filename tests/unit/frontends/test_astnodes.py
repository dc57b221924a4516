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
    """The plain recursion: a node's children stand in its class and function, but a definition's
    decorators stand where the definition stands (before it, outside it)."""
    out = {}
    definitions = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)

    def visit(node, inside, around):
        decorators = node.decorator_list if isinstance(node, definitions) else ()
        for child in ast.iter_child_nodes(node):
            here = around if any(child is d for d in decorators) else inside
            out[id(child)] = here
            cls, func = here
            visit(child, (child if isinstance(child, ast.ClassDef) else cls,
                          child if isinstance(child, definitions[1:]) else func), here)

    visit(tree, (None, None), (None, None))
    return out


NESTED = MIXED + '''
@register(nn.Conv2d(1, 1, 1))
class C(Base, metaclass=make(nn.Conv2d(2, 2, 2))):
    layer = nn.Conv2d(3, 3, 3)
    def f(self, x=nn.Conv2d(4, 4, 4)) -> g(nn.Conv2d(5, 5, 5)):
        def h(): return nn.Conv2d(6, 6, 6)
        class D: e = nn.Conv2d(7, 7, 7)
        return lambda: nn.Conv2d(8, 8, 8)
    after = nn.Conv2d(9, 9, 9); more = nn.Conv2d(10, 10, 10)
top = nn.Conv2d(11, 11, 11)
'''


@pytest.mark.parametrize("source", [NESTED] + [p.read_text() for p in FILES[:20]])
def test_enclosing_of_each_call_is_the_plain_recursion(source):
    """Every call of the file (a call in a decorator belongs to what is around the definition)."""
    tree = ast.parse(source)
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    theirs = plain(tree)
    assert enclosing(tree, calls) == {id(c): theirs[id(c)] for c in calls}


@pytest.mark.parametrize("source", [NESTED] + [p.read_text() for p in FILES[:40]])
def test_names_in_classes_are_those_a_walk_of_each_class_finds(source):
    from convcalc.frontends.python.discovery import names_in_classes

    tree = ast.parse(source)
    expected = {node.id for stmt in tree.body if isinstance(stmt, ast.ClassDef) for node in ast.walk(stmt)
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    assert names_in_classes(tree) == expected
