"""A call as the tables show it: with the values its names had (``Conv2d(cin, cout, 1)`` in a
def, called with 64 and 256, is ``Conv2d(64, 256, 1)``), so that a deep network's rows say
what each layer is; a call without names (``Linear(16 * 5 * 5, 120)``) stays as written."""
from __future__ import annotations

import re

from convcalc import nodes as n
from convcalc.layers.common import fmt_value

# a name in the argument list that is not a keyword (``bias=``) nor a constant
NAME = re.compile(r"(?<![\w.'\"])([A-Za-z_]\w*)\b(?!\s*=(?!=))")
STRING = re.compile(r"'[^']*'|\"[^\"]*\"")
CONSTANTS = frozenset({"True", "False", "None"})

# operator -> precedence, to put back the brackets a tree does not keep
PRECEDENCE = {"or": 1, "and": 2, "==": 4, "!=": 4, "<": 4, "<=": 4, ">": 4, ">=": 4,
              "+": 5, "-": 5, "*": 6, "/": 6, "//": 6, "%": 6, "**": 8}


def split_call(text: str) -> tuple:
    """(what is called, its arguments with the closing bracket) of a call's text: the last call of
    a chain (``self.q(x).flatten(2)`` is ``self.q(x).flatten`` and ``2)``)."""
    masked = STRING.sub(lambda m: "'" + "_" * (len(m.group()) - 2) + "'", text.rstrip())
    if not masked.endswith(")"):
        head, _, inside = text.partition("(")
        return head, inside
    depth = 0
    for at in range(len(masked) - 1, -1, -1):
        depth += {")": 1, "]": 1, "}": 1, "(": -1, "[": -1, "{": -1}.get(masked[at], 0)
        if depth == 0:
            return text[:at], text[at + 1:]
    head, _, inside = text.partition("(")
    return head, inside


def has_names(text: str) -> bool:
    """Whether the arguments of a call's text use names (``Conv2d(cin, 8, 3)``, ``nn.Linear(self.n, 2)``)."""
    inside = STRING.sub("''", split_call(text)[1])
    return any(name not in CONSTANTS for name in NAME.findall(inside))


def written_arguments(text: str) -> int:
    """How many arguments a call's text passes (commas at the top level of its brackets)."""
    inside = STRING.sub("''", split_call(text)[1])
    depth, count, seen = 0, 0, False
    for char in inside:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                break
            depth -= 1
        elif char == "," and depth == 0:
            count, seen = count + 1, False
            continue
        seen = seen or not char.isspace()
    return count + seen


def unparse(expr) -> str:
    """An expression of literals as text (``16 * 5 * 5``, ``(3, 3)``)."""
    if isinstance(expr, n.BinOp):
        def side(child, right: bool) -> str:
            text = unparse(child)
            inner = PRECEDENCE.get(child.op, 9) if isinstance(child, n.BinOp) else 9
            outer = PRECEDENCE.get(expr.op, 9)
            return f"({text})" if inner < outer or (right and inner == outer) else text
        return f"{side(expr.left, False)} {expr.op} {side(expr.right, True)}"
    if isinstance(expr, n.Unary):
        return f"{expr.op}{' ' if expr.op == 'not' else ''}{unparse(expr.operand)}"
    if isinstance(expr, n.TupleExpr):
        return fmt_value(tuple(_Text(unparse(item)) for item in expr.items))
    if isinstance(expr, n.Str):
        return repr(expr.value)
    return fmt_value(expr.value)


class _Text(str):
    """Text that fmt_value shows as it is (not quoted)."""

    def __repr__(self):
        return str(self)


def uses_names(expr) -> bool:
    if isinstance(expr, (n.Name, n.Value)):
        return True
    if isinstance(expr, n.BinOp):
        return uses_names(expr.left) or uses_names(expr.right)
    if isinstance(expr, n.Unary):
        return uses_names(expr.operand)
    if isinstance(expr, n.TupleExpr):
        return any(uses_names(item) for item in expr.items)
    return False


def resolved_call(call: n.Call, params, values: dict) -> str:
    """A layer's call with each argument that uses a name shown as its bound value; ``params``:
    the layer's parameters in order, (name, default) pairs (positional arguments bind to them),
    ``values`` the bound arguments. A layer passed in under another name (``norm_layer(64)``)
    is shown by its class (``BatchNorm2d(64)``)."""
    text = " ".join(call.text.split())
    written = split_call(text)[0].rstrip()
    if written.rpartition(".")[2] != call.name and "(" in text and written.isidentifier():
        text = call.name + text[len(written):]
    return with_values(text, call, [values.get(name, _MISSING) for name, _ in params[:len(call.args)]], values)


def resolved_def_call(call: n.Call, args: tuple, kwargs: dict) -> str:
    """A def call with the values it was called with (``Bottleneck(256, 64, 256)``)."""
    return with_values(" ".join(call.text.split()), call, list(args), kwargs)


def with_values(text: str, call: n.Call, positional: list, keywords: dict) -> str:
    """``text`` with its arguments shown by value; as written when it uses no names, or when an
    argument cannot be matched to a value: a layer taking ``*args``, a Python call whose text
    passes other arguments than the call has (``F.avg_pool2d(out, 4)``: the tensor)."""
    if not has_names(text) or len(call.args) != len(positional) or \
            written_arguments(text) != len(call.args) + len(call.kwargs):
        return text
    parts = [shown(expr, value) for expr, value in zip(call.args, positional)]
    parts += [f"{key}={shown(expr, keywords.get(key, _MISSING))}" for key, expr, _ in call.kwargs]
    return split_call(text)[0].rstrip() + "(" + ", ".join(parts) + ")"


_MISSING = object()


def shown(expr, value) -> str:
    """An argument: its literal text when it uses no names, else its value."""
    if not uses_names(expr):
        return unparse(expr)
    return "?" if value is _MISSING else fmt_value(value)
