"""The expressions the interpreter evaluates: names, literals, operators, comparisons,
subscripts and comprehensions, all bounded (a mixin of the interpreter)."""
from __future__ import annotations

import ast
import re

from convcalc.engine.evaluate import COMPARE, PYTHON_ARITHMETIC, ArithmeticProblem
from convcalc.frontends.python import numeric
from convcalc.frontends.python.builtins import BUILTINS
from convcalc.frontends.python.numeric import Numbers
from convcalc.frontends.python.values import (COMPARISONS, MAX_INT_BITS, MAX_ITEMS, OPS, BoundMethod, Builtin,
                                              ClassInfo, Constant, Function, Instance, Module, ModuleDict, ModuleList, Partial,
                                              Ref, Scope, Sequential, Tensor,
                                              Unfollowable, Unknown, as_container, describe, is_constant, is_hashable,
                                              is_number)


def constant_binop(op: str, left, right, node) -> Constant:
    """torch.ones(dim, 1, 1) * layer_scale: a constant tensor of the broadcast shape."""
    shapes = [v.shape if isinstance(v, Constant) else () for v in (left, right)]
    if op not in ("Add", "Sub", "Mult", "Div", "Pow") or not all(isinstance(v, Constant) or is_number(v)
                                                                 for v in (left, right)):
        raise Unfollowable(f"{OPS.get(op, op)} of {describe(left)} and {describe(right)}", node)
    rank = max(len(s) for s in shapes)
    padded = [(1,) * (rank - len(s)) + tuple(s) for s in shapes]
    out = []
    for a, b in zip(*padded):
        if a != b and 1 not in (a, b):
            raise Unfollowable(f"{OPS.get(op, op)} of constant tensors of shapes {shapes[0]} and {shapes[1]}", node)
        out.append(b if a == 1 else a)
    return Constant(tuple(out))


# the widths and precisions of a % format ('%01999999999d' would build 1.9 GB before its length is seen)
FORMAT_WIDTHS = re.compile(r"%[-+ #0]*(\d*|\*)(?:\.(\d*|\*))?")


class Expressions:
    """Expression evaluation."""

    def lookup(self, name: str, scope: Scope, node):
        owner = scope.find(name)
        if owner is not None:
            value = owner.vars[name]
        elif name in BUILTINS:
            value = BUILTINS[name]
        else:
            raise Unfollowable(f"{name} is not defined in this file", node)
        if isinstance(value, Unknown):
            raise Unfollowable(f"{name} is not known ({value.reason})", node)
        return value

    def eval(self, node, scope: Scope):
        self.tick(node)
        method = getattr(self, "expr_" + type(node).__name__, None)
        if method is None:
            raise Unfollowable(f"a {type(node).__name__} expression", node)
        return method(node, scope)

    def expr_Constant(self, node, scope):
        value = node.value
        if isinstance(value, (bool, int, float, str)) or value is None:
            if type(value) is int and value.bit_length() > MAX_INT_BITS:
                raise Unfollowable("a very large integer", node)
            if isinstance(value, str) and len(value) > MAX_ITEMS:
                raise Unfollowable("a very long string", node)
            return value
        raise Unfollowable(f"the constant {value!r}", node)

    def expr_Name(self, node, scope):
        return self.lookup(node.id, scope, node)

    def expr_Attribute(self, node, scope):
        return self.get_attr(self.eval(node.value, scope), node.attr, node)

    def expr_Tuple(self, node, scope):
        return tuple(self.elements(node.elts, scope))

    def expr_List(self, node, scope):
        return list(self.elements(node.elts, scope))

    def expr_Set(self, node, scope):
        raise Unfollowable("a set", node)

    def elements(self, elts, scope):
        out = []
        for elt in elts:
            if isinstance(elt, ast.Starred):
                out.extend(self.iterate(self.eval(elt.value, scope), elt))
            else:
                out.append(self.eval(elt, scope))
            if len(out) > MAX_ITEMS:
                raise Unfollowable("a very long list", elt)
        return out

    def expr_Dict(self, node, scope):
        out = {}
        for key, value in zip(node.keys, node.values):
            if key is None:
                other = self.eval(value, scope)
                if not isinstance(other, dict):
                    raise Unfollowable("** of something not a dict", value)
                out.update(other)
                continue
            k = self.eval(key, scope)
            if not is_hashable(k):
                raise Unfollowable("a dict key convcalc cannot follow", key)
            out[k] = self.eval(value, scope)
        return out

    def expr_IfExp(self, node, scope):
        if self.truth(self.eval(node.test, scope), node.test):
            return self.eval(node.body, scope)
        return self.eval(node.orelse, scope)

    def expr_BoolOp(self, node, scope):
        is_and = isinstance(node.op, ast.And)
        value = None
        for operand in node.values:
            value = self.eval(operand, scope)
            if self.truth(value, operand) != is_and:
                return value
        return value

    def expr_UnaryOp(self, node, scope):
        value = self.eval(node.operand, scope)
        if isinstance(node.op, ast.Not):
            return not self.truth(value, node.operand)
        if isinstance(value, Tensor):
            if isinstance(node.op, ast.USub):
                return value
            raise Unfollowable("a unary operator on a tensor", node)
        if not is_number(value):
            raise Unfollowable(f"a unary operator on {describe(value)}", node)
        if isinstance(node.op, ast.USub):
            return -value
        if isinstance(node.op, ast.UAdd):
            return +value
        if isinstance(node.op, ast.Invert) and type(value) is int:
            return ~value
        raise Unfollowable("a unary operator", node)

    def expr_BinOp(self, node, scope):
        left = self.eval(node.left, scope)
        right = self.eval(node.right, scope)
        return self.binop(type(node.op).__name__, left, right, node)

    def binop(self, op: str, left, right, node):
        if isinstance(left, Tensor) or isinstance(right, Tensor):
            return self.tensor_binop(op, left, right, node)
        if isinstance(left, Numbers) or isinstance(right, Numbers):
            return numeric.binary(op, left, right, node)
        if isinstance(left, Constant) or isinstance(right, Constant):
            return constant_binop(op, left, right, node)
        if op == "Add" and isinstance(left, (list, tuple, str)) and type(left) is type(right):
            if len(left) + len(right) > MAX_ITEMS:
                raise Unfollowable("a very long sequence", node)
            self.charge(len(left) + len(right), node)
            return left + right
        if op == "Mult" and isinstance(left, (list, tuple, str)) and type(right) is int:
            if len(left) * max(right, 0) > MAX_ITEMS:
                raise Unfollowable("a very long sequence", node)
            self.charge(len(left) * max(right, 0), node)
            return left * right
        if op == "Mod" and isinstance(left, str):
            values = right if isinstance(right, tuple) else (right,)
            if not all(is_number(v) or isinstance(v, str) for v in values):
                raise Unfollowable("% formatting of something not a constant", node)
            widths = [part for pair in FORMAT_WIDTHS.findall(left) for part in pair if part.isdigit()]
            if any(len(w) > 6 or int(w) > MAX_ITEMS for w in widths) or (
                    "*" in left and any(type(v) is int and v > MAX_ITEMS for v in values)):
                raise Unfollowable("% formatting to a very long string", node)  # '%01999999999d' % 1: 1.9 GB
            try:
                out = left % right
            except (TypeError, ValueError) as exc:
                raise Unfollowable(f"% formatting: {exc}", node) from None
            if len(out) > MAX_ITEMS:
                raise Unfollowable("a very long string", node)
            self.charge(len(out), node)
            return out
        if not (is_number(left) and is_number(right)):
            raise Unfollowable(f"{OPS.get(op, op)} of {describe(left)} and {describe(right)}", node)
        arithmetic = PYTHON_ARITHMETIC.get(OPS.get(op))
        if arithmetic is None:
            raise Unfollowable(f"the operator {OPS.get(op, op)}", node)
        try:
            return arithmetic(left, right)
        except ArithmeticProblem as exc:
            raise Unfollowable(f"{OPS[op]}: {exc.message}", node) from None

    def expr_Compare(self, node, scope):
        left = self.eval(node.left, scope)
        for op, comparator in zip(node.ops, node.comparators):
            right = self.eval(comparator, scope)
            if not self.compare(type(op).__name__, left, right, node):
                return False
            left = right
        return True

    def compare(self, op: str, left, right, node) -> bool:
        if op in ("Is", "IsNot"):
            if right is None or left is None or isinstance(right, bool) or isinstance(left, bool):
                if isinstance(left, (Tensor, Unknown)) or isinstance(right, (Tensor, Unknown)):
                    raise Unfollowable("a comparison with a tensor", node)
                same = left is right
                return same if op == "Is" else not same
            if isinstance(left, (Module, ClassInfo, Function)) or isinstance(right, (Module, ClassInfo, Function)):
                same = left is right
                return same if op == "Is" else not same
            raise Unfollowable("an identity comparison", node)
        if op in ("In", "NotIn"):
            if isinstance(right, (list, tuple)) and all(is_constant(v) for v in right) and is_constant(left):
                found = left in right
            elif isinstance(right, (dict, set)) and is_hashable(left):
                found = left in right
            elif isinstance(right, str) and isinstance(left, str):
                found = left in right
            else:
                raise Unfollowable("an 'in' test", node)
            return found if op == "In" else not found
        if not (is_constant(left) and is_constant(right)):
            raise Unfollowable(f"a comparison of {describe(left)} and {describe(right)}", node)
        try:
            return COMPARE[COMPARISONS[op]](left, right)
        except TypeError:
            raise Unfollowable("a comparison of values of different kinds", node) from None

    def truth(self, value, node) -> bool:
        if is_constant(value) or isinstance(value, (dict, list, tuple)):
            return bool(value)  # a container is true when it holds anything, whatever it holds
        if isinstance(value, (Module, ClassInfo, Function, Ref, Partial, Builtin, BoundMethod, Instance)):
            return True
        raise Unfollowable(f"the truth of {describe(value)}", node)

    def expr_Subscript(self, node, scope):
        return self.subscript(self.eval(node.value, scope), self.eval(node.slice, scope), node)

    def expr_Index(self, node, scope):  # Python 3.8
        return self.eval(node.value, scope)

    def expr_Slice(self, node, scope):
        parts = [None if p is None else self.eval(p, scope) for p in (node.lower, node.upper, node.step)]
        if not all(p is None or type(p) is int for p in parts) or parts[2] == 0:
            raise Unfollowable("a slice", node)
        return slice(*parts)

    def subscript(self, obj, key, node):
        obj = as_container(obj)
        if isinstance(obj, Tensor):
            return self.tensor_index(obj, key, node)
        if isinstance(obj, (Sequential, ModuleList)):
            if isinstance(key, slice):
                return type(obj)(obj.items[key])
            obj = obj.items
        if isinstance(obj, ModuleDict):
            obj = obj.items
        if isinstance(obj, (list, tuple, str)) and (type(key) is int or isinstance(key, slice)):
            try:
                return obj[key]
            except IndexError:
                raise Unfollowable("an index out of range", node) from None
        if isinstance(obj, dict) and is_hashable(key):
            if key not in obj:
                raise Unfollowable(f"the key {key!r} is not in the dict", node)
            return obj[key]
        if isinstance(obj, Ref):
            return Ref(obj.qname + "[]")  # typing: List[int]
        raise Unfollowable(f"indexing {describe(obj)}", node)

    def expr_JoinedStr(self, node, scope):
        out = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                out.append(str(value.value))
            elif isinstance(value, ast.FormattedValue) and value.format_spec is None and value.conversion == -1:
                item = self.eval(value.value, scope)
                if not (is_number(item) or isinstance(item, str)):
                    raise Unfollowable("an f-string of something not a constant", value)
                out.append(str(item))
            else:
                raise Unfollowable("an f-string with a format", value)
        return "".join(out)

    def expr_Lambda(self, node, scope):
        return Function(node, scope, self.defaults(node.args, scope), src=self.src)

    def comprehension(self, node, scope, make):
        inner = Scope(scope)
        out = []

        def loop(i):
            if i == len(node.generators):
                out.append(make(inner))
                if len(out) > MAX_ITEMS:
                    raise Unfollowable("a very long comprehension", node)
                self.charge(1, node)
                return
            gen = node.generators[i]
            for item in list(self.iterate(self.eval(gen.iter, inner), gen.iter)):
                self.tick(gen)
                self.assign(gen.target, item, inner)
                if all(self.truth(self.eval(cond, inner), cond) for cond in gen.ifs):
                    loop(i + 1)

        loop(0)
        return out

    def expr_ListComp(self, node, scope):
        return self.comprehension(node, scope, lambda s: self.eval(node.elt, s))

    def expr_GeneratorExp(self, node, scope):
        return self.comprehension(node, scope, lambda s: self.eval(node.elt, s))

    def expr_DictComp(self, node, scope):
        pairs = self.comprehension(node, scope, lambda s: (self.eval(node.key, s), self.eval(node.value, s)))
        if not all(is_hashable(k) for k, _ in pairs):
            raise Unfollowable("a dict key convcalc cannot follow", node)
        return dict(pairs)

    def iterate(self, value, node):
        value = as_container(value)
        if isinstance(value, (list, tuple, str)):
            self.charge(len(value), node)  # the copy iterated (its rounds also tick the step budget)
            return list(value)
        if isinstance(value, dict):
            return list(value)
        if isinstance(value, (Sequential, ModuleList)):
            return list(value.items)
        if isinstance(value, ModuleDict):
            return list(value.items)
        raise Unfollowable(f"iterating over {describe(value)}", node)
