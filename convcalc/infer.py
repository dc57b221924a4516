"""Walk a program: evaluate lets, defs, repeats and conditions, and feed every layer to a backend.

The walk is generic over what flows through the network: shapes here (ShapeBackend),
real tensors in the reference executor, torch tensors in the oracle tests. Every loop the
input controls is bounded.
"""
from __future__ import annotations

from collections import ChainMap
from typing import Optional

from convcalc import limits
from convcalc.symbolic import dims
from convcalc import nodes as n
from convcalc.errors import ConvcalcError, Span
from convcalc.limits import deep_stack
from convcalc.layers import LayerError, Result, close_names, fmt_shape, lookup, product

MAX_REPEAT = 100_000  # rounds of one repeat
MAX_STEPS = 50_000  # layers and statements executed in one walk (about 1.5 s of work at the bound)
MAX_CALL_DEPTH = 50  # nested def calls
MAX_POWER_BITS = 256  # a ** b may not exceed 2**256 in size


def fail(code: str, message: str, node) -> ConvcalcError:
    return ConvcalcError(code, message, node.span)


# ---------------------------------------------------------------- expressions


class Evaluator:
    """convcalc's own expression evaluator: nothing reaches Python's eval."""

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
        import difflib  # only on an error

        close = difflib.get_close_matches(node.id, list(self.scope), n=3, cutoff=0.6)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        raise fail("CC002", f"unknown name {node.id!r}{hint}", node)

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
                    raise fail("CC002", f"a condition cannot depend on the symbolic size {dims.render(value)}", side)
            try:
                return COMPARE[op](left, right)
            except TypeError:
                raise fail("CC002", f"cannot compare {show(left)} {op} {show(right)}", node) from None
        number(left, op, node.left)
        number(right, op, node.right)
        return ARITHMETIC[op](left, right, node)


def show(value) -> str:
    return dims.render(value) if dims.is_symbolic(value) else repr(value)


def truth(value, node) -> bool:
    if dims.is_symbolic(value):
        raise fail("CC002", f"a condition cannot depend on the symbolic size {dims.render(value)}", node)
    return bool(value)


def number(value, op: str, node) -> None:
    if isinstance(value, bool) or not (isinstance(value, (int, float)) or dims.is_symbolic(value)):
        raise fail("CC002", f"{op!r} needs numbers, not {show(value)}", node)


def _divide(a, b, node):
    if isinstance(a, float) or isinstance(b, float):
        if b == 0:
            raise fail("CC002", "division by zero", node)
        return a / b
    if dims.is_symbolic(b):
        raise fail("CC002", f"cannot divide by the symbolic size {dims.render(b)}", node)
    if b == 0:
        raise fail("CC002", "division by zero", node)
    quotient = dims.floor_div(a, b) if b > 0 else -dims.floor_div(a, -b)
    if quotient * b != a:
        raise fail("CC002", f"{show(a)} / {b} is not an integer (use // to round down)", node)
    return quotient


def _floor_divide(a, b, node):
    if isinstance(a, float) or isinstance(b, float):
        if b == 0:
            raise fail("CC002", "division by zero", node)
        return a // b
    if dims.is_symbolic(b) or b == 0 or (dims.is_symbolic(a) and b < 0):
        raise fail("CC002", f"cannot floor-divide {show(a)} by {show(b)}", node)
    return dims.floor_div(a, b)


def _modulo(a, b, node):
    if dims.is_symbolic(a) or dims.is_symbolic(b):
        raise fail("CC002", f"% of a symbolic size ({show(a)} % {show(b)}) is not supported", node)
    if b == 0:
        raise fail("CC002", "modulo by zero", node)
    return a % b


def _power(a, b, node):
    if dims.is_symbolic(a):
        raise fail("CC002", f"** of a symbolic size, ({show(a)}) ** {show(b)}, is not supported; multiply instead",
                   node)
    if dims.is_symbolic(b) or isinstance(b, float) or b < 0:
        raise fail("CC002", f"** takes a non-negative integer exponent, not {show(b)}", node)
    if isinstance(a, float):
        if b > 64:
            raise fail("CC002", f"exponent {b} is too large (at most 64)", node)
        return a ** b
    if a not in (-1, 0, 1) and abs(a).bit_length() * b > MAX_POWER_BITS:
        raise fail("CC002", f"{a} ** {b} is too large (over 2**{MAX_POWER_BITS})", node)
    return a ** b


def _check_size(value, node):
    if isinstance(value, int) and value.bit_length() > MAX_POWER_BITS:
        raise fail("CC002", f"the value is too large (over 2**{MAX_POWER_BITS})", node)
    return value


def _arith(fn):
    def apply(a, b, node):
        try:
            return _check_size(fn(a, b), node)
        except OverflowError as exc:
            raise fail("CC002", str(exc), node) from None
    return apply


ARITHMETIC = {
    "+": _arith(lambda a, b: a + b),
    "-": _arith(lambda a, b: a - b),
    "*": _arith(lambda a, b: a * b),
    "/": _divide,
    "//": _floor_divide,
    "%": _modulo,
    "**": _power,
}
COMPARE = {
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}

# ---------------------------------------------------------------- the walk


class Frame:
    """What a def call or the top level sees: the scope, and the enclosing residual's shortcut slot."""

    __slots__ = ("scope", "residual")

    def __init__(self, scope: ChainMap, residual: Optional[list] = None):
        self.scope = scope
        self.residual = residual


def no_input(program: n.Program) -> ConvcalcError:
    """The error of a network with no input line (or input comment), at its first layer."""
    first_layer = next((s for s in program.body if not isinstance(s, (n.Input, n.Let, n.Def))), None)
    span = first_layer.span if first_layer else Span(1, 1, 1, 2)
    if program.path.endswith(".py"):
        return ConvcalcError("CC001", "no input shape: add a comment such as `# convcalc: input 3x32x32` on the "
                                      "line before the model, or pass --input", span)
    return ConvcalcError("CC001", "no input line: add one such as `input 3x32x32` before the first layer, or pass "
                                  "--input", span)


class Walker:
    def __init__(self, program: n.Program, backend, input_override: Optional[n.Input] = None):
        self.program = program
        self.backend = backend
        self.input_override = input_override
        self.steps = 0
        self.calls: list[str] = []
        self.saved: dict = {}
        self.defs: dict[str, n.Def] = {s.name: s for s in program.body if isinstance(s, n.Def)}
        self.globals: dict = {}
        self.value = None
        self.labels: list[str] = []  # the blocks and defs around the current layer

    @deep_stack
    def run(self):
        first_layer = next((s for s in self.program.body if not isinstance(s, (n.Input, n.Let, n.Def))), None)
        inputs = [s for s in self.program.body if isinstance(s, n.Input)]
        if len(inputs) > 1:
            raise fail("CC001", f"a second input line (the first is on line {inputs[0].span.line})", inputs[1])
        given = self.input_override or (inputs[0] if inputs else None)
        if given is None:
            raise no_input(self.program)
        # a Python model's input comment stands above its class, which may come after the blocks it uses
        python = self.program.path.endswith(".py")
        if inputs and first_layer and inputs[0].span.line > first_layer.span.line and not python:
            raise fail("CC001", f"the input line must come before the first layer (line {first_layer.span.line})",
                       inputs[0])
        shape = self.input_shape(given)
        self.value = self.backend.start(shape, given)
        frame = Frame(ChainMap(self.globals))
        self.walk(self.program.body, frame)
        return self.value

    def input_shape(self, given: n.Input) -> tuple:
        shape = []
        for dim in given.dims:
            if isinstance(dim, n.Name):
                value = dims.sym(dim.id)
                self.globals[dim.id] = value
            elif dim.value < 1:
                raise fail("CC002", f"input dimensions must be at least 1, not {dim.value}", dim)
            else:
                value = dim.value
            shape.append(value)
        if not shape:
            raise fail("CC001", "input needs at least one dimension", given)
        return tuple(shape)

    def step(self, node) -> None:
        self.steps += 1
        if limits.searching is not None:
            limits.searching.spend()
        if self.steps > MAX_STEPS:
            raise fail("CC002", f"the network unrolls into more than {MAX_STEPS:,} layers and statements; "
                                "convcalc stops there", node)

    def walk(self, body, frame: Frame) -> None:
        for stmt in body:
            self.step(stmt)
            try:
                getattr(self, "do_" + type(stmt).__name__)(stmt, frame)
            except OverflowError as exc:  # a symbolic size grew past the bounds of dims
                raise fail("CC002", str(exc), stmt) from None

    # ------------------------------------------------------------- statements
    def do_Input(self, stmt, frame):
        if frame.scope.maps[0] is not self.globals:
            raise fail("CC001", "input belongs at the top level, not inside a block", stmt)

    def do_Def(self, stmt, frame):
        if frame.scope.maps[0] is not self.globals:
            self.defs[stmt.name] = stmt  # a def inside a def: known from here on

    def do_Let(self, stmt, frame):
        frame.scope[stmt.name] = Evaluator(frame.scope)(stmt.value)

    def do_If(self, stmt, frame):
        cond = Evaluator(frame.scope)(stmt.cond)
        self.walk(stmt.body if truth(cond, stmt.cond) else stmt.orelse, frame)

    def do_Repeat(self, stmt, frame):
        count = Evaluator(frame.scope)(stmt.count)
        if type(count) is not int or count < 0:
            raise fail("CC002", f"repeat needs a non-negative integer count, not {show(count)}", stmt.count)
        if count > MAX_REPEAT:
            raise fail("CC002", f"repeat {count:,} is over the limit of {MAX_REPEAT:,} rounds", stmt.count)
        self.labels.append("repeat")
        for i in range(count):
            if stmt.var:
                frame.scope[stmt.var] = i
            self.walk(stmt.body, frame)
        self.labels.pop()

    def do_Residual(self, stmt, frame):
        x = self.value
        shortcut: list = []
        inner = Frame(frame.scope, shortcut)
        self.labels.append("residual")
        self.walk(stmt.body, inner)
        body_out = self.value
        if shortcut:
            self.value = x
            self.walk(shortcut[0].body, Frame(frame.scope))
            x = self.value
        self.labels.pop()
        self.value = self.backend.add(body_out, x, stmt, "residual add")

    def do_Shortcut(self, stmt, frame):
        if frame.residual is None:
            raise fail("CC001", "shortcut: belongs inside a residual: block", stmt)
        if frame.residual:
            raise fail("CC001", f"a residual has at most one shortcut: (the first is on line "
                                f"{frame.residual[0].span.line})", stmt)
        frame.residual.append(stmt)

    def do_Concat(self, stmt, frame):
        x = self.value
        outputs = []
        self.labels.append("concat")
        for branch in stmt.branches:
            self.value = x
            self.walk(branch.body, Frame(frame.scope))
            outputs.append((self.value, branch))
        self.labels.pop()
        self.value = self.backend.concat(outputs, stmt, "concat")

    def do_Branch(self, stmt, frame):
        raise fail("CC001", "branch: belongs inside a concat: block", stmt)

    def do_Save(self, stmt, frame):
        self.saved[stmt.name] = (self.value, stmt)

    def saved_tensor(self, stmt):
        if stmt.name not in self.saved:
            known = ", ".join(sorted(self.saved)) or "none yet"
            raise fail("CC002", f"no tensor was saved as {stmt.name!r} (saved: {known})", stmt)
        return self.saved[stmt.name]

    def do_ConcatSaved(self, stmt, frame):
        saved, where = self.saved_tensor(stmt)
        self.value = self.backend.concat([(self.value, stmt), (saved, where)], stmt, f"concat {stmt.name}")

    def do_AddSaved(self, stmt, frame):
        saved, _ = self.saved_tensor(stmt)
        self.value = self.backend.add(self.value, saved, stmt, f"add {stmt.name}")

    def do_Restore(self, stmt, frame):
        self.value, _ = self.saved_tensor(stmt)

    def do_Reshape(self, stmt, frame):
        target = tuple(Evaluator(frame.scope)(d) for d in stmt.dims)
        reshape = getattr(self.backend, "reshape", None)
        if reshape is None:
            raise fail("CC106", f"{stmt.text}: this command cannot follow a view/reshape", stmt)
        self.value = reshape(self.value, target, stmt, tuple(self.labels))

    def do_Call(self, stmt, frame):
        evaluate = Evaluator(frame.scope)
        args = [evaluate(a) for a in stmt.args]
        kwargs = {key: evaluate(value) for key, value, _ in stmt.kwargs}
        if stmt.name in self.defs:
            return self.call_def(self.defs[stmt.name], stmt, args, kwargs)
        spec = lookup(stmt.name)
        if spec is None:
            close = close_names(stmt.name, self.defs)
            hint = f"; did you mean {' or '.join(close)}?" if close else ""
            raise ConvcalcError("CC002", f"unknown layer {stmt.name!r}{hint}", stmt.name_span or stmt.span)
        try:
            bound = spec.bind(tuple(args), kwargs)
            self.value = self.backend.layer(spec, bound, self.value, stmt, tuple(self.labels))
        except LayerError as exc:
            # argument errors point at the argument; shape problems at the layer, as PyTorch names the layer
            exc.span = exc.span or argument_span(stmt, spec, exc.arg if exc.code == "CC002" else None)
            raise

    def call_def(self, definition: n.Def, stmt: n.Call, args, kwargs):
        if definition.name in self.calls:
            chain = " -> ".join(self.calls + [definition.name])
            raise fail("CC002", f"recursion: {chain}", stmt)
        if len(self.calls) >= MAX_CALL_DEPTH:
            raise fail("CC002", f"def calls nested more than {MAX_CALL_DEPTH} deep", stmt)
        names = [p for p, _ in definition.params]
        if len(args) > len(names):
            raise fail("CC002", f"{definition.name} takes {len(names)} arguments ({', '.join(names)}) "
                                f"but {len(args)} were given", stmt)
        local = dict(zip(names, args))
        for key, value in kwargs.items():
            if key not in names:
                import difflib

                close = difflib.get_close_matches(key, names, n=2, cutoff=0.5)
                hint = f"; did you mean {' or '.join(close)}?" if close else f"; it takes {', '.join(names)}"
                raise fail("CC002", f"{definition.name} has no parameter {key!r}{hint}", stmt)
            if key in local:
                raise fail("CC002", f"{definition.name} got {key!r} twice", stmt)
            local[key] = value
        for name, default in definition.params:
            if name not in local:
                if default is None:
                    raise fail("CC002", f"{definition.name} is missing its argument {name!r}", stmt)
                local[name] = Evaluator(ChainMap(local, self.globals))(default)
        self.calls.append(definition.name)
        self.labels.append(definition.name)
        self.walk(definition.body, Frame(ChainMap(local, self.globals)))
        self.labels.pop()
        self.calls.pop()


def argument_span(call: n.Call, spec, arg: Optional[str]) -> Span:
    """The span of the argument a layer error names, or the whole call."""
    if arg is None:
        return call.span
    for key, value, key_span in call.kwargs:
        if key == arg:
            return Span(key_span.line, key_span.col, value.span.end_line, value.span.end_col)
    names = [p for p, _ in spec.params]
    if arg in names and names.index(arg) < len(call.args):
        return call.args[names.index(arg)].span
    return call.span


# ---------------------------------------------------------------- shapes


class Row:
    """One line of the table: a layer (``layer`` as written, ``name`` Conv2d), or an add,
    concat or view of a block."""

    __slots__ = ("node", "layer", "name", "input", "shape", "params", "buffers", "formula", "kind", "geometry",
                 "global_pool", "blocks", "trainable")

    def __init__(self, node, layer: str, name: str, input: tuple, shape: tuple, params: dims.Dim = 0,
                 buffers: dims.Dim = 0, formula: str = "", kind: str = "other", geometry: Optional[tuple] = None,
                 global_pool: bool = False, blocks: tuple = (), trainable: bool = True):
        self.node, self.layer, self.name, self.input, self.shape = node, layer, name, input, shape
        self.params, self.buffers, self.formula, self.kind = params, buffers, formula, kind
        self.geometry, self.global_pool, self.blocks, self.trainable = geometry, global_pool, blocks, trainable

    def __repr__(self):
        return f"Row(line {self.line}, {self.layer!r} -> {self.shape})"

    @property
    def line(self) -> int:
        return self.node.span.line

    @property
    def macs(self) -> dims.Dim:
        """Per sample, torchinfo's convention: conv = params x output positions; every other
        layer = params, Linear included whatever its input's rank (torchinfo 1.8.0 multiplies
        by the batch only; see convcalc/metrics.py)."""
        if self.kind == "conv":
            return self.params * product(self.shape[1:])
        return self.params

    @property
    def elements(self) -> dims.Dim:
        """Output elements per sample that take memory: a view shares its input's storage."""
        return 0 if self.name == "view" else product(self.shape)


class Analysis:
    """The rows of a walk, up to its first error; warnings are ConvcalcErrors with code CC2xx.

    Rows come only through add_row, which keeps the totals as they come."""

    def __init__(self, path: str, source: str):
        self.path, self.source = path, source
        self.input: tuple = ()
        self.output: tuple = ()
        self.error: Optional[ConvcalcError] = None
        self.rows: list = []
        self.warnings: list = []
        # params, trainable params, buffers, mult-adds and output elements of the rows so far
        self.totals: tuple = (0, 0, 0, 0, 0)

    def add_row(self, row: Row) -> None:
        """Append a row and add its numbers to the totals: a symbolic total that outgrows the
        bounds of dims fails here, inside the walk, at the layer that did it (not in a report)."""
        self.rows.append(row)
        numbers = (row.params, row.params if row.trainable else 0, row.buffers, row.macs, row.elements)
        self.totals = tuple(t + v for t, v in zip(self.totals, numbers))

    def __repr__(self):
        return f"Analysis({self.path!r}, {len(self.rows)} rows, error={self.error!r})"

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def total_params(self) -> dims.Dim:
        return self.totals[0]

    @property
    def trainable_params(self) -> dims.Dim:
        return self.totals[1]

    @property
    def total_buffers(self) -> dims.Dim:
        return self.totals[2]

    @property
    def total_macs(self) -> dims.Dim:
        return self.totals[3]

    @property
    def symbolic(self) -> bool:
        return any(dims.is_symbolic(d) for d in self.input)

    def diagnostics(self):
        problems = list(self.warnings) + ([self.error] if self.error else [])
        return [p.diagnostic(self.path, self.source) for p in problems]


class ShapeBackend:
    """Propagates shapes and records a Row per layer."""

    def __init__(self, analysis: Analysis):
        self.analysis = analysis

    def start(self, shape, node):
        try:
            product(shape)  # the input's memory: a symbolic size must stay within the bounds of dims
        except OverflowError as exc:
            raise fail("CC002", f"the input: {exc}", node) from None
        self.analysis.input = shape
        return shape

    def layer(self, spec, args, shape, call: n.Call, blocks):
        result: Result = spec.rule(args, shape)
        for code, message, arg in result.warnings:
            self.analysis.warnings.append(ConvcalcError(code, message, argument_span(call, spec, arg)))
        self.analysis.add_row(Row(call, call.text, spec.name, shape, result.shape, result.params,
                                      result.buffers, result.formula, result.kind, result.geometry,
                                      result.global_pool, blocks, result.trainable))
        return result.shape

    def add(self, a, b, node, label):
        if a != b:
            condition = symbolic_match(a, b)
            if condition is None:
                raise fail("CC104", f"{label}: shapes {fmt_shape(a)} and {fmt_shape(b)} differ; an add needs equal "
                                    "shapes", node)
            self.analysis.warnings.append(fail("CC203", f"{label}: shapes {fmt_shape(a)} and {fmt_shape(b)} are "
                                                        f"equal only when {condition}", node))
        self.analysis.add_row(Row(node, label, "add", a, a))
        return a

    def concat(self, outputs, node, label):
        first, first_node = outputs[0]
        for shape, where in outputs[1:]:
            if len(shape) != len(first) or shape[1:] != first[1:]:
                condition = symbolic_match(first, shape, skip_channels=True)
                if condition is None:
                    raise fail("CC105", f"{label}: {fmt_shape(first)} (line {first_node.span.line}) and "
                                        f"{fmt_shape(shape)} (line {where.span.line}) differ in a dimension other "
                                        "than channels (PyTorch: Sizes of tensors must match except in dimension 1)",
                               node)
                self.analysis.warnings.append(fail("CC203", f"{label}: {fmt_shape(first)} (line {first_node.span.line})"
                                                            f" and {fmt_shape(shape)} (line {where.span.line}) match "
                                                            f"only when {condition}", node))
        shape = (sum((s[0] for s, _ in outputs), 0), *first[1:])
        self.analysis.add_row(Row(node, label, "concat", first, shape))
        return shape

    def reshape(self, shape, target, node, blocks):
        """x.view(x.size(0), ...) or x.view(-1, ...): per-sample target sizes, at most one -1."""
        shape_out = reshape_shape(shape, target, node)
        self.analysis.add_row(Row(node, node.text, "view", shape, shape_out, blocks=blocks))
        return shape_out


def reshape_shape(shape, target, node) -> tuple:
    """The per-sample shape after a view; CC107 when the sizes cannot match (PyTorch's message quoted)."""
    text = " ".join(node.text.split())
    batch = "-1" if node.infer_batch else "1"
    written = "[" + ", ".join([batch] + [str(t) for t in target]) + "]"
    if not target or any(type(t) is not int or (t < 1 and t != -1) for t in target):
        raise fail("CC107", f"{text}: the sizes must be positive integers (one may be -1)", node)
    if target.count(-1) > (0 if node.infer_batch else 1):
        raise fail("CC107", f"{text}: only one dimension can be -1 (PyTorch: only one dimension can be inferred)",
                   node)
    total = product(shape)
    known = product(t for t in target if t != -1)
    if -1 not in target:
        if type(total) is int and total != known:
            fold = " (the batch would absorb the difference)" if node.infer_batch and total % known == 0 else ""
            raise fail("CC107", f"{text} expects {known} elements per sample but receives "
                                f"{fmt_shape(shape)} = {total}{fold} (PyTorch: shape '{written}' is invalid for "
                                f"input of size {total})", node)
        return target
    if type(total) is int and total % known:
        raise fail("CC107", f"{text}: {fmt_shape(shape)} = {total} elements per sample do not divide into "
                            f"{known} (PyTorch: shape '{written}' is invalid for input of size {total})", node)
    rest = dims.floor_div(total, known)
    return tuple(rest if t == -1 else t for t in target)


def symbolic_match(a: tuple, b: tuple, skip_channels: bool = False):
    """None when two differing shapes can never be equal; with symbolic sizes, the condition
    under which they are (``H ≡ 0 (mod 8)``), solved in convcalc/inputs.py."""
    if not any(dims.is_symbolic(d) for d in (*a, *b)):
        return None
    from convcalc.symbolic.conditions import match_condition

    return match_condition(a, b, skip_channels)


def analyse(program: n.Program, input_override: Optional[n.Input] = None) -> Analysis:
    """Shapes and parameters of every layer; stops at the first error."""
    analysis = Analysis(program.path, program.source)
    try:
        analysis.output = Walker(program, ShapeBackend(analysis), input_override).run()
    except ConvcalcError as exc:
        analysis.error = exc
    return analysis
