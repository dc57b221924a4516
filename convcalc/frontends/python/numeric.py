"""Tensors of known values made from constants while a model is built (RegNet computes its
stage widths with ``torch.arange``, ``torch.log``, ``torch.round`` and ``torch.diff``): 1-d,
int64 or float32 as torch keeps them, each float rounded to float32 after every operation so
that the widths come out as torch's do. Bounded by MAX_ITEMS values."""
from __future__ import annotations

import math
import struct

from convcalc.frontends.python.values import MAX_ITEMS, Constant, Unfollowable, describe, is_number


def f32(x: float) -> float:
    """x rounded to the nearest float32, as a tensor of dtype float32 holds it."""
    try:
        return struct.unpack("f", struct.pack("f", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


class Numbers(Constant):
    """A 1-d tensor of known values (floating: float32, else int64)."""

    def __init__(self, values: list, floating: bool):
        if len(values) > MAX_ITEMS:
            raise Unfollowable(f"a tensor of more than {MAX_ITEMS:,} values", None)
        super().__init__((len(values),))
        self.floating = floating
        self.values = [f32(float(v)) for v in values] if floating else [int(v) for v in values]

    def describe(self) -> str:
        return f"a tensor of {len(self.values)} known values"


def as_numbers(value, node) -> Numbers:
    if isinstance(value, Numbers):
        return value
    if is_number(value):
        return Numbers([value], isinstance(value, float))
    if isinstance(value, (list, tuple)) and all(is_number(v) for v in value):
        return Numbers(list(value), any(isinstance(v, float) for v in value))
    raise Unfollowable(f"a tensor of {describe(value)}", node)


# the element-wise operations on known values: operator -> (function, result is always float)
BINARY = {"Add": (lambda a, b: a + b, False), "Sub": (lambda a, b: a - b, False),
          "Mult": (lambda a, b: a * b, False), "Div": (lambda a, b: a / b, True), "Pow": (lambda a, b: a ** b, False)}
UNARY = {"log": (math.log, True), "exp": (math.exp, True), "sqrt": (math.sqrt, True), "round": (round, False),
         "floor": (math.floor, False), "ceil": (math.ceil, False), "abs": (abs, False)}


def binary(op: str, left, right, node) -> Numbers:
    """``left op right`` where one side is a tensor of known values; a Python float makes an
    int64 tensor float32, as torch's type promotion does."""
    if op not in BINARY:
        raise Unfollowable(f"{op} of tensors of known values", node)
    fn, always_float = BINARY[op]
    floating = always_float or any(isinstance(v, Numbers) and v.floating or isinstance(v, float) for v in (left, right))
    a, b = as_numbers(left, node).values, as_numbers(right, node).values
    if len(a) != len(b) and 1 not in (len(a), len(b)):
        raise Unfollowable(f"{op} of tensors of {len(a)} and {len(b)} values", node)
    count = max(len(a), len(b))
    a, b = (a * count if len(a) == 1 else a), (b * count if len(b) == 1 else b)
    try:
        return Numbers([fn(x, y) for x, y in zip(a, b)], floating)
    except (ZeroDivisionError, OverflowError, ValueError):
        raise Unfollowable(f"{op} of these values", node) from None


def unary(name: str, value, node) -> Numbers:
    fn, to_float = UNARY[name]
    tensor = as_numbers(value, node)
    try:
        out = [fn(v) for v in tensor.values]
    except (ValueError, OverflowError):
        raise Unfollowable(f"torch.{name} of these values", node) from None
    return Numbers(out, to_float or tensor.floating)


def arange(args: list, node) -> Numbers:
    if not 1 <= len(args) <= 3 or not all(is_number(a) for a in args):
        raise Unfollowable("torch.arange with these arguments", node)
    start, end, step = (0, args[0], 1) if len(args) == 1 else (args[0], args[1], args[2] if len(args) > 2 else 1)
    if step == 0 or (end - start) / step > MAX_ITEMS:
        raise Unfollowable("torch.arange of very many values", node)
    count = max(0, math.ceil((end - start) / step))
    return Numbers([start + i * step for i in range(count)], any(isinstance(a, float) for a in args))


def diff(value, node) -> Numbers:
    tensor = as_numbers(value, node)
    return Numbers([b - a for a, b in zip(tensor.values, tensor.values[1:])], tensor.floating)


def method(tensor: Numbers, name: str, args: list, node):
    """.int(), .long(), .float(), .tolist(), .item() of a tensor of known values."""
    if args:
        raise Unfollowable(f".{name}(...) of a tensor of known values", node)
    if name in ("int", "long"):
        return Numbers([math.trunc(v) for v in tensor.values], False)
    if name in ("float", "double"):
        return Numbers(tensor.values, True)
    if name == "tolist":
        return list(tensor.values)
    if name == "item" and len(tensor.values) == 1:
        return tensor.values[0]
    raise Unfollowable(f".{name}() of a tensor of known values", node)


# torch functions on known values: name -> how many tensors it takes (and the rule)
FUNCTIONS = {**{name: "unary" for name in UNARY}, "pow": "binary", "divide": "binary", "div": "binary",
             "mul": "binary", "add": "binary", "sub": "binary", "diff": "diff", "arange": "arange",
             "tensor": "tensor"}
OPERATORS = {"pow": "Pow", "divide": "Div", "div": "Div", "mul": "Mult", "add": "Add", "sub": "Sub"}


def call(name: str, args: list, node):
    """torch.<name>(*args) on known values."""
    rule = FUNCTIONS[name]
    if rule == "arange":
        return arange(args, node)
    if not args:
        raise Unfollowable(f"torch.{name} without its input", node)
    if rule == "tensor":
        return as_numbers(args[0], node)
    if rule == "unary":
        return unary(name, args[0], node)
    if rule == "diff":
        return diff(args[0], node)
    if len(args) != 2:
        raise Unfollowable(f"torch.{name} with {len(args)} arguments", node)
    return binary(OPERATORS[name], args[0], args[1], node)


def involves(args) -> bool:
    """Whether a torch call is on known values (rather than on a tensor flowing through forward)."""
    return any(isinstance(a, Numbers) for a in args)
