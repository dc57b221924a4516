"""The tree both frontends produce (network files and Python model definitions).

Every node carries a Span (1-based line and column) so that any problem found while
computing can point at the text that caused it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

from convcalc.errors import Span

# ---------------------------------------------------------------- expressions


@dataclass(frozen=True)
class Num:
    value: int
    span: Span


@dataclass(frozen=True)
class Float:
    value: float
    span: Span


@dataclass(frozen=True)
class Str:
    value: str
    span: Span


@dataclass(frozen=True)
class Const:
    """True, False or None."""

    value: object
    span: Span


@dataclass(frozen=True)
class Name:
    id: str
    span: Span


@dataclass(frozen=True)
class BinOp:
    """op is one of + - * // / % ** == != < <= > >= and or"""

    op: str
    left: "Expr"
    right: "Expr"
    span: Span


@dataclass(frozen=True)
class Unary:
    """op is '-', '+' or 'not'"""

    op: str
    operand: "Expr"
    span: Span


@dataclass(frozen=True)
class TupleExpr:
    items: tuple
    span: Span


Expr = Union[Num, Float, Str, Const, Name, BinOp, Unary, TupleExpr]

# ---------------------------------------------------------------- statements


@dataclass(frozen=True)
class Input:
    """input 3x32x32: each dim is a Num or a Name (a symbol)."""

    dims: tuple
    span: Span


@dataclass(frozen=True)
class Call:
    """A layer or a def call: Conv2d(3, 32, 3, padding=1).

    ``name`` is without the nn. / torch.nn. prefix; ``text`` is the call as written.
    """

    name: str
    args: tuple  # of Expr
    kwargs: tuple  # of (str, Expr, Span of the keyword)
    text: str
    span: Span
    name_span: Optional[Span] = None


@dataclass(frozen=True)
class Let:
    name: str
    value: Expr
    span: Span


@dataclass(frozen=True)
class Repeat:
    count: Expr
    var: Optional[str]
    body: tuple
    span: Span


@dataclass(frozen=True)
class Residual:
    """out = body(x) + shortcut(x); the Shortcut is a statement somewhere in body."""

    body: tuple
    span: Span


@dataclass(frozen=True)
class Shortcut:
    body: tuple
    span: Span


@dataclass(frozen=True)
class Concat:
    branches: tuple  # of Branch
    span: Span


@dataclass(frozen=True)
class Branch:
    body: tuple
    span: Span


@dataclass(frozen=True)
class Save:
    name: str
    span: Span


@dataclass(frozen=True)
class ConcatSaved:
    name: str
    span: Span


@dataclass(frozen=True)
class AddSaved:
    name: str
    span: Span


@dataclass(frozen=True)
class Def:
    name: str
    params: tuple  # of (name, default Expr or None)
    body: tuple
    span: Span


@dataclass(frozen=True)
class If:
    cond: Expr
    body: tuple
    orelse: tuple
    span: Span


Stmt = Union[Input, Call, Let, Repeat, Residual, Shortcut, Concat, Branch, Save, ConcatSaved, AddSaved, Def, If]


@dataclass(frozen=True)
class Program:
    body: tuple
    source: str = ""
    path: str = "<expr>"
    name: str = ""  # the model's name, for Python files holding several
    notes: tuple = field(default=())  # informational notes of the frontend (what was skipped)

    @property
    def input(self) -> Optional[Input]:
        for stmt in self.body:
            if isinstance(stmt, Input):
                return stmt
        return None
