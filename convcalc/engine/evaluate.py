"""convcalc's own evaluator of expressions, and the bounded arithmetic both frontends share.

Nothing of an input reaches Python's ``eval``. Every operation is bounded: integers stay within
2**256 (``**`` included), floats' exponents within 64, and a symbolic size that outgrows the
bounds of convcalc/symbolic/dims.py is refused where it is made. :data:`BOUNDED` holds what both
languages mean alike (``+ - * **``); the description language adds its own ``/`` (exact),
``//`` and ``%`` (:data:`ARITHMETIC`), the Python frontend Python's (:data:`PYTHON_ARITHMETIC`).
A problem is an :class:`ArithmeticProblem`; each caller gives it its place and code.
"""
from __future__ import annotations

import operator

from convcalc import codes
from convcalc.errors import ConvcalcError, did_you_mean
from convcalc.symbolic import dims

MAX_POWER_BITS = 256  # a ** b may not exceed 2**256 in size
MAX_FLOAT_EXPONENT = 64


class ArithmeticProblem(Exception):
    """``undecided``: the problem is that a size is symbolic."""

    def __init__(self, message: str, undecided: bool = False):
        super().__init__(message)
        self.message = message
        self.undecided = undecided


def fail(code: str, message: str, node, undecided: bool = False) -> ConvcalcError:
    return ConvcalcError(code, message, node.span, undecided)


def show(value) -> str:
    return dims.render(value) if dims.is_symbolic(value) else repr(value)


# ---------------------------------------------------------------- the bounded operations


def checked(value):
    if type(value) is int and value.bit_length() > MAX_POWER_BITS:
        raise ArithmeticProblem(f"the value is too large (over 2**{MAX_POWER_BITS})")
    return value


def _bounded(fn):
    def apply(a, b):
        try:
            return checked(fn(a, b))
        except OverflowError as exc:  # a float past its range, a symbolic size past the bounds of dims
            raise ArithmeticProblem(str(exc)) from None
    return apply


def _integer_power(a, b):
    """a ** b with b a non-negative int, within the bounds."""
    if isinstance(a, float):
        if b > MAX_FLOAT_EXPONENT:
            raise ArithmeticProblem(f"exponent {b} is too large (at most {MAX_FLOAT_EXPONENT})")
        return a ** b
    if a not in (-1, 0, 1):
        # |a| ** b has between (n - 1) * b + 1 and n * b bits (n: the bits of |a|): refused on the lower
        # bound before anything is built, computed when the upper bound leaves any doubt (2**200 is
        # 201 bits: allowed; the estimate n * b alone said 400)
        bits = abs(a).bit_length()
        if (bits - 1) * b + 1 > MAX_POWER_BITS:
            raise ArithmeticProblem(f"{a} ** {b} is too large (over 2**{MAX_POWER_BITS})")
        if bits * b > MAX_POWER_BITS and (abs(a) ** b).bit_length() > MAX_POWER_BITS:
            raise ArithmeticProblem(f"{a} ** {b} is too large (over 2**{MAX_POWER_BITS})")
    return a ** b


def power(a, b):
    """The description language's ``**``: a non-negative integer exponent, never on a symbolic size."""
    if dims.is_symbolic(a):
        raise ArithmeticProblem(f"** of a symbolic size, ({show(a)}) ** {show(b)}, is not supported; multiply "
                                "instead", undecided=True)
    if dims.is_symbolic(b) or isinstance(b, float) or b < 0:
        raise ArithmeticProblem(f"** takes a non-negative integer exponent, not {show(b)}")
    return _integer_power(a, b)


def python_power(a, b):
    """Python's ``**`` on numbers: negative and float exponents too (a real result only)."""
    if dims.is_symbolic(a) or dims.is_symbolic(b):
        return power(a, b)
    if type(b) is int and b >= 0:
        return _integer_power(a, b)
    if abs(b) > MAX_FLOAT_EXPONENT:
        raise ArithmeticProblem(f"exponent {b} is too large (at most {MAX_FLOAT_EXPONENT})")
    result = a ** b
    if isinstance(result, complex):
        raise ArithmeticProblem(f"({show(a)}) ** {show(b)} is a complex number")
    return result


def _nonzero(b, what: str):
    if b == 0:
        raise ArithmeticProblem(what)


BOUNDED = {"+": _bounded(operator.add), "-": _bounded(operator.sub), "*": _bounded(operator.mul)}


def _exact_divide(a, b):
    """The description language's ``/``: exact, or an error that shows both operands."""
    if isinstance(a, float) or isinstance(b, float):
        _nonzero(b, "division by zero")
        return a / b
    if dims.is_symbolic(b):
        raise ArithmeticProblem(f"cannot divide by the symbolic size {dims.render(b)}", undecided=True)
    _nonzero(b, "division by zero")
    quotient = dims.floor_div(a, b) if b > 0 else -dims.floor_div(a, -b)
    if quotient * b != a:
        raise ArithmeticProblem(f"{show(a)} / {b} is not an integer (use // to round down)")
    return quotient


def _floor_divide(a, b):
    if dims.is_symbolic(b) or b == 0 or (dims.is_symbolic(a) and (isinstance(b, float) or b < 0)):
        raise ArithmeticProblem(f"cannot floor-divide {show(a)} by {show(b)}")
    return dims.floor_div(a, b) if dims.is_symbolic(a) else a // b


def _modulo(a, b):
    if dims.is_symbolic(a) or dims.is_symbolic(b):
        raise ArithmeticProblem(f"% of a symbolic size ({show(a)} % {show(b)}) is not supported", undecided=True)
    _nonzero(b, "modulo by zero")
    return a % b


def _true_divide(a, b):
    if dims.is_symbolic(a) or dims.is_symbolic(b):
        raise ArithmeticProblem(f"{show(a)} / {show(b)} of a symbolic size is not followed (// is)",
                                undecided=True)
    _nonzero(b, "division by zero")
    return a / b


ARITHMETIC = {**BOUNDED, "/": _bounded(_exact_divide), "//": _bounded(_floor_divide), "%": _bounded(_modulo),
              "**": _bounded(power)}
PYTHON_ARITHMETIC = {**BOUNDED, "/": _bounded(_true_divide), "//": _bounded(_floor_divide), "%": _bounded(_modulo),
                     "**": _bounded(python_power)}
COMPARE = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
           ">=": operator.ge}


# ---------------------------------------------------------------- the evaluator


class Evaluator:
    """Evaluates the description language's expressions in a scope."""

    def __init__(self, scope):
        self.scope = scope

    def __call__(self, node):
        method = getattr(self, "eval_" + type(node).__name__)
        return method(node)

    def eval_Num(self, node):
        return node.value

    eval_Float = eval_Str = eval_Const = eval_Num

    def eval_Name(self, node):
        if node.id in self.scope:
            return self.scope[node.id]
        raise fail(codes.ARGUMENT, f"unknown name {node.id!r}{did_you_mean(node.id, self.scope)}", node)

    def eval_Value(self, node):
        """A size computed by a Python forward, in this walk's values of the input's symbols."""
        value = node.value
        if not dims.is_symbolic(value):
            return value
        return dims.substitute(value, {s: self.scope[s] for s in dims.symbols(value) if s in self.scope})

    def eval_Call(self, node):
        """A layer object given as an argument (``TransformerEncoder(TransformerEncoderLayer(64, 4), 2)``):
        its bound arguments (convcalc/layers/registry.py's Built)."""
        from convcalc.layers.catalogue import lookup
        from convcalc.layers.common import LayerError
        from convcalc.layers.registry import Built

        spec = lookup(node.name)
        if spec is None:
            raise fail(codes.ARGUMENT, f"unknown layer {node.name!r}", node)
        try:
            return Built(spec.name, spec.bind(tuple(self(a) for a in node.args), {k: self(v) for k, v, _ in
                                                                                   node.kwargs}))
        except LayerError as exc:
            raise fail(exc.code, exc.message, node) from None

    def eval_TupleExpr(self, node):
        return tuple(self(item) for item in node.items)

    def eval_Unary(self, node):
        value = self(node.operand)
        if node.op == "not":
            return not truth(value, node)
        number(value, node.op, node)
        return -value if node.op == "-" else value

    def eval_BinOp(self, node):
        op = node.op
        if op in ("and", "or"):
            left = self(node.left)
            if truth(left, node.left) == (op == "or"):
                return left
            return self(node.right)
        left, right = self(node.left), self(node.right)
        if op in COMPARE:
            for value, side in ((left, node.left), (right, node.right)):
                if dims.is_symbolic(value):
                    raise fail(codes.ARGUMENT, f"a condition cannot depend on the symbolic size "
                                               f"{dims.render(value)}", side, undecided=True)
            try:
                return COMPARE[op](left, right)
            except TypeError:
                raise fail(codes.ARGUMENT, f"cannot compare {show(left)} {op} {show(right)}", node) from None
        number(left, op, node.left)
        number(right, op, node.right)
        try:
            return ARITHMETIC[op](left, right)
        except ArithmeticProblem as exc:
            raise fail(codes.ARGUMENT, exc.message, node, exc.undecided) from None


def truth(value, node) -> bool:
    if dims.is_symbolic(value):
        raise fail(codes.ARGUMENT, f"a condition cannot depend on the symbolic size {dims.render(value)}", node,
                   undecided=True)
    return bool(value)


def number(value, op: str, node) -> None:
    if isinstance(value, bool) or not (isinstance(value, (int, float)) or dims.is_symbolic(value)):
        raise fail(codes.ARGUMENT, f"{op!r} needs numbers, not {show(value)}", node)
