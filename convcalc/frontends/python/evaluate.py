"""Expressions: one handler per kind of ast node (the :data:`EXPRESSIONS` table), each given the
frame it runs in. Names resolve as Python resolves them (local, enclosing, module, builtins);
attributes, calls, operators and indexing are answered by the values themselves
(pyobjects.py, pyclasses.py, torchobjects.py) or, for Python's own values, by pycore.py."""
from __future__ import annotations

import ast

from convcalc.frontends.python import pycore
from convcalc.frontends.python.builtins import BUILTINS
from convcalc.frontends.python.machine import MAX_INT_BITS, MAX_ITEMS, Scope
from convcalc.frontends.python.pyobjects import Args, Function, Unknown, Value, call, is_hashable
from convcalc.frontends.python.reasons import Abort, OverSteps, Unfollowable, Why
from convcalc.symbolic import dims

# keyword arguments that never change a shape and may not be known (self.training, a device, a
# dtype): a value convcalc cannot follow there is passed as not known, not a reason to stop
OPTIONAL_KEYWORDS = {"training", "_stacklevel", "dtype", "device", "antialias", "recompute_scale_factor", "generator",
                     "out", "layout", "pin_memory", "memory_format", "non_blocking", "requires_grad"}


def evaluate(frame, node):
    frame.tick(node)
    handler = EXPRESSIONS.get(type(node))
    if handler is None:
        raise Unfollowable(f"{EXPRESSION_WORDS.get(type(node).__name__, 'this expression')}", node)
    return handler(frame, node)


EXPRESSION_WORDS = {"Await": "await", "Yield": "a yield outside a generator", "YieldFrom": "yield from"}


# ---------------------------------------------------------------- names


def lookup(frame, name: str, node):
    scope = frame.scope
    if name in scope.local_names and name not in scope.vars and scope.kind == "function":
        raise pycore.raise_error(frame, "UnboundLocalError", (f"cannot access local variable '{name}' where it is "
                                                              "not associated with a value",), node)
    owner = scope.find(name)
    if owner is not None:
        value = owner.vars[name]
    elif name in BUILTINS:
        value = BUILTINS[name]
    else:
        if scope.was_deleted(name):
            raise pycore.raise_error(frame, "NameError", (f"name '{name}' is not defined",), node)
        if name in ("__file__", "__spec__", "__loader__", "__package__", "__builtins__"):
            raise Unfollowable(f"{name}: where the file is and how it was loaded", node)
        # not a NameError: a name this file does not define may come from what convcalc does not read
        # (a star import of a library, a file outside the tree)
        raise Unfollowable(f"{name} is not defined in this file", node, kind=Why.UNKNOWN)
    if isinstance(value, Unknown):
        raise Unfollowable(f"{name} is not known ({value.reason})", node)
    return value


def eval_name(frame, node):
    return lookup(frame, node.id, node)


def eval_constant(frame, node):
    value = node.value
    if isinstance(value, (bool, int, float, str, bytes)) or value is None or value is Ellipsis:
        if type(value) is int and value.bit_length() > MAX_INT_BITS:
            raise Unfollowable("a very large integer", node)
        if isinstance(value, (str, bytes)) and len(value) > MAX_ITEMS:
            raise Unfollowable("a very long string", node)
        return value
    raise Unfollowable(f"the constant {type(value).__name__}", node)


# ---------------------------------------------------------------- attributes


def get_attr(frame, obj, name: str, node):
    if isinstance(obj, Value):
        return obj.attr(frame, name, node)
    if dims.is_symbolic(obj):
        raise Unfollowable(f"the attribute {name} of the input's size", node)
    return pycore.native_attr(frame, obj, name, node)


def set_attr(frame, obj, name: str, value, node) -> None:
    if isinstance(obj, Value):
        obj.set_attr(frame, name, value, node)
        return
    raise pycore.attribute_error(frame, f"'{pycore.type_name(obj)}' object attribute '{name}' is read-only", node)


def eval_attribute(frame, node):
    return get_attr(frame, evaluate(frame, node.value), node.attr, node)


# ---------------------------------------------------------------- containers


def elements(frame, elts) -> list:
    out = []
    for elt in elts:
        if isinstance(elt, ast.Starred):
            out.extend(pycore.iterate(frame, evaluate(frame, elt.value), elt))
        else:
            out.append(evaluate(frame, elt))
        if len(out) > MAX_ITEMS:
            raise Unfollowable("a very long list", elt)
    frame.charge(len(out), elts[0] if elts else None)
    return out


def eval_tuple(frame, node):
    return tuple(elements(frame, node.elts))


def eval_list(frame, node):
    return elements(frame, node.elts)


def eval_set(frame, node):
    items = elements(frame, node.elts)
    for item in items:
        if not is_hashable(item):
            raise pycore.type_error(frame, f"unhashable type: '{pycore.type_name(item)}'", node)
    return set(items)


def eval_dict(frame, node):
    out = {}
    for key, value in zip(node.keys, node.values):
        if key is None:
            other = evaluate(frame, value)
            other = other.native if hasattr(other, "native") and isinstance(other.native, dict) else other
            if not isinstance(other, dict):
                raise pycore.type_error(frame, f"'{pycore.type_name(other)}' object is not a mapping", value)
            out.update(other)
            continue
        k = evaluate(frame, key)
        if not is_hashable(k):
            raise pycore.type_error(frame, f"unhashable type: '{pycore.type_name(k)}'", key)
        out[k] = evaluate(frame, value)
    frame.charge(len(out), node)
    return out


# ---------------------------------------------------------------- operators


def eval_ifexp(frame, node):
    if pycore.truth(frame, evaluate(frame, node.test), node.test):
        return evaluate(frame, node.body)
    return evaluate(frame, node.orelse)


def eval_boolop(frame, node):
    is_and = isinstance(node.op, ast.And)
    value = None
    for operand in node.values:
        value = evaluate(frame, operand)
        if pycore.truth(frame, value, operand) != is_and:
            return value
    return value


UNARY = {ast.Not: "not", ast.USub: "-", ast.UAdd: "+", ast.Invert: "~"}
BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**",
          ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>", ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^"}
COMPARISONS = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Is: "is",
               ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in"}


def eval_unaryop(frame, node):
    return pycore.unary(frame, UNARY[type(node.op)], evaluate(frame, node.operand), node)


def eval_binop(frame, node):
    left = evaluate(frame, node.left)
    right = evaluate(frame, node.right)
    return pycore.binop(frame, BINARY[type(node.op)], left, right, node)


def eval_compare(frame, node):
    """``a < b < c`` is ``a < b and b < c``: the first false result, or the last, as it is (a
    comparison of tensors gives a tensor of booleans: ``mask != 0``)."""
    left = evaluate(frame, node.left)
    result = True
    last = len(node.ops) - 1
    for at, (op, comparator) in enumerate(zip(node.ops, node.comparators)):
        right = evaluate(frame, comparator)
        result = compare_values(frame, COMPARISONS[type(op)], left, right, node)
        if at < last and not pycore.truth(frame, result, node):
            return result
        left = right
    return result


def compare_values(frame, op: str, left, right, node) -> bool:
    if isinstance(left, Value) or isinstance(right, Value):
        from convcalc.frontends.python.brains import value_compare

        found = value_compare(frame, op, left, right, node)
        if found is not None:
            return found
    return pycore.compare(frame, op, left, right, node)


def eval_namedexpr(frame, node):
    value = evaluate(frame, node.value)
    from convcalc.frontends.python.execute import assign

    assign(frame, node.target, value)
    return value


# ---------------------------------------------------------------- subscripts


def eval_subscript(frame, node):
    return pycore.subscript(frame, evaluate(frame, node.value), evaluate(frame, node.slice), node)


def eval_slice(frame, node):
    parts = [None if p is None else evaluate(frame, p) for p in (node.lower, node.upper, node.step)]
    for part in parts:
        if dims.is_symbolic(part):
            return slice(*parts)  # a tensor's index may take a size; a list's refuses it
        if part is not None and type(part) is not int and not isinstance(part, bool):
            if isinstance(part, Value):
                return slice(*parts)
            raise pycore.type_error(frame, "slice indices must be integers or None or have an __index__ method",
                                    node)
    if parts[2] == 0:
        raise pycore.value_error(frame, "slice step cannot be zero", node)
    return slice(*parts)


def eval_index(frame, node):  # Python 3.8
    return evaluate(frame, node.value)


# ---------------------------------------------------------------- text


def eval_joinedstr(frame, node):
    out, total, unknown = [], 0, None
    for value in node.values:
        try:
            piece = value.value if isinstance(value, ast.Constant) else evaluate(frame, value)
        except (OverSteps, Abort):
            raise
        except Unfollowable as exc:  # a text not known (the batch's size in a message): the string is not
            unknown = unknown or exc.reason  # known, and says why where it is used; never guessed
            continue
        total += len(piece)
        if total > MAX_ITEMS:
            raise Unfollowable("a very long string", node)
        out.append(piece)
    frame.charge(total, node)
    if unknown is not None:
        return Unknown(f"the text of an f-string ({unknown})")
    return "".join(out)


def eval_formattedvalue(frame, node):
    from convcalc.frontends.python.strings import convert, format_value

    item = convert(frame, evaluate(frame, node.value), {-1: None, 115: "s", 114: "r", 97: "a"}[node.conversion], node)
    spec = evaluate(frame, node.format_spec) if node.format_spec is not None else ""
    return format_value(frame, item, spec, node)


# ---------------------------------------------------------------- functions


def eval_lambda(frame, node):
    from convcalc.frontends.python.execute import defaults

    return Function(node, frame.scope, defaults(frame, node.args), src=frame.src)


def comprehension(frame, node, make) -> list:
    inner_scope = Scope(frame.scope, "comprehension")
    inner = frame.child(inner_scope)
    from convcalc.frontends.python.execute import assign

    out = []

    def loop(i, current):
        if i == len(node.generators):
            out.append(make(current))
            if len(out) > MAX_ITEMS:
                raise Unfollowable("a very long comprehension", node)
            frame.charge(1, node)
            return
        gen = node.generators[i]
        source = frame if i == 0 else current  # the first iterable is evaluated where the comprehension is
        for item in pycore.iterate(frame, evaluate(source, gen.iter), gen.iter):
            frame.tick(gen)
            assign(current, gen.target, item)
            if all(pycore.truth(frame, evaluate(current, cond), cond) for cond in gen.ifs):
                loop(i + 1, current)

    loop(0, inner)
    return out


def eval_listcomp(frame, node):
    return comprehension(frame, node, lambda f: evaluate(f, node.elt))


def eval_generatorexp(frame, node):
    from convcalc.frontends.python.pyobjects import Iterator

    return Iterator(comprehension(frame, node, lambda f: evaluate(f, node.elt)))


def eval_setcomp(frame, node):
    items = comprehension(frame, node, lambda f: evaluate(f, node.elt))
    for item in items:
        if not is_hashable(item):
            raise pycore.type_error(frame, f"unhashable type: '{pycore.type_name(item)}'", node)
    return set(items)


def eval_dictcomp(frame, node):
    pairs = comprehension(frame, node, lambda f: (evaluate(f, node.key), evaluate(f, node.value)))
    for key, _ in pairs:
        if not is_hashable(key):
            raise pycore.type_error(frame, f"unhashable type: '{pycore.type_name(key)}'", node)
    return dict(pairs)


# ---------------------------------------------------------------- calls


def call_args(frame, node) -> Args:
    """A call's arguments, evaluated, with ``*`` and ``**`` unpacked."""
    if id(node) in frame.machine.preset:
        return frame.machine.preset[id(node)]
    positional = []
    for arg in node.args:
        if isinstance(arg, ast.Starred):
            positional.extend((item, arg) for item in pycore.iterate(frame, evaluate(frame, arg.value), arg))
        else:
            positional.append((evaluate(frame, arg), arg))
    keywords = []
    for kw in node.keywords:
        if kw.arg is None:
            mapping = evaluate(frame, kw.value)
            if hasattr(mapping, "native") and isinstance(getattr(mapping, "native"), dict):
                mapping = mapping.native
            if not isinstance(mapping, dict):
                raise pycore.type_error(frame, f"argument after ** must be a mapping, not "
                                               f"{pycore.type_name(mapping)}", kw)
            if not all(isinstance(k, str) for k in mapping):
                raise pycore.type_error(frame, "keywords must be strings", kw)
            keywords.extend((k, v, kw.value, kw) for k, v in mapping.items())
        elif kw.arg in OPTIONAL_KEYWORDS:
            try:
                keywords.append((kw.arg, evaluate(frame, kw.value), kw.value, kw))
            except Unfollowable as exc:
                keywords.append((kw.arg, Unknown(exc.reason), kw.value, kw))
        else:
            keywords.append((kw.arg, evaluate(frame, kw.value), kw.value, kw))
    seen = set()
    for key, _, _, kw in keywords:
        if key in seen:
            raise pycore.type_error(frame, f"got multiple values for keyword argument '{key}'", kw)
        seen.add(key)
    return Args(positional, keywords)


def eval_call(frame, node):
    func = evaluate(frame, node.func)
    return call(frame, func, call_args(frame, node), node)


def eval_starred(frame, node):
    raise Unfollowable("a starred expression here", node)


EXPRESSIONS = {
    ast.Constant: eval_constant, ast.Name: eval_name, ast.Attribute: eval_attribute, ast.Tuple: eval_tuple,
    ast.List: eval_list, ast.Set: eval_set, ast.Dict: eval_dict, ast.IfExp: eval_ifexp, ast.BoolOp: eval_boolop,
    ast.UnaryOp: eval_unaryop, ast.BinOp: eval_binop, ast.Compare: eval_compare, ast.Subscript: eval_subscript,
    ast.Slice: eval_slice, ast.JoinedStr: eval_joinedstr, ast.FormattedValue: eval_formattedvalue,
    ast.Lambda: eval_lambda, ast.ListComp: eval_listcomp, ast.GeneratorExp: eval_generatorexp,
    ast.SetComp: eval_setcomp, ast.DictComp: eval_dictcomp, ast.Call: eval_call, ast.NamedExpr: eval_namedexpr,
    ast.Starred: eval_starred,
}
if hasattr(ast, "Index"):  # Python 3.8's subscripts
    EXPRESSIONS[getattr(ast, "Index")] = eval_index
