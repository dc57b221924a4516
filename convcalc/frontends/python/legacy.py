"""The Python frontend: PyTorch model definitions read with ``ast``, never imported or executed.

A small interpreter runs a bounded subset of Python over the module's syntax tree: literals,
module-level constants and arithmetic, functions, classes, ``for`` loops over known lists,
``if`` on known values, lists and dicts. Values are Python constants or descriptions of
``torch.nn`` objects (a catalogue layer, ``nn.Sequential``, ``nn.ModuleList``, an instance of
a class of the file). A model's ``forward`` is then run on a symbolic tensor: every layer it
applies, every functional call it knows (``F.relu``, ``F.max_pool2d``, ``torch.flatten``,
``x.view``, ``torch.cat``, ``+``) becomes a node of the tree the shape engine walks.

Whatever cannot be followed raises :class:`Unfollowable`: while building modules the names
and attributes the statement could have written become unknown (so they are never guessed);
in ``forward`` the walk stops there and keeps the layers before it, which are exact, with a
note saying where and why it stopped.
"""
from __future__ import annotations

import ast
import math
import re
from typing import Optional

from convcalc import nodes as n
from convcalc.errors import ConvcalcError, Span
from convcalc.frontends.syntax import MAX_DIGITS
from convcalc import codes

MAX_STEPS = 200_000  # statements and expressions interpreted for one model (or the module itself)
MAX_DEPTH = 60  # nested function calls
MAX_ITEMS = 100_000  # elements of one list, range or string the code builds
MAX_INT_BITS = 256

NOTE = codes.NOTE
INPUT_COMMENT = re.compile(r"#\s*convcalc:\s*input\b[ \t]*([^#\r\n]*)")


class Unfollowable(Exception):
    """Something convcalc does not follow; ``node`` is the ast node it happened at."""

    def __init__(self, reason: str, node=None):
        super().__init__(reason)
        self.reason = reason
        self.node = node


class Abort(Unfollowable):
    """A raise statement: the function stops, and nothing after it is followed."""


class _Signal(Exception):
    pass


class _Return(_Signal):
    def __init__(self, value):
        self.value = value


class _Break(_Signal):
    pass


class _Continue(_Signal):
    pass


# ---------------------------------------------------------------- values


class Unknown:
    """A name or attribute a statement convcalc could not follow may have written."""

    def __init__(self, reason: str):
        self.reason = reason


class Ref:
    """Something imported, by its qualified name: torch.nn.Conv2d, torch.flatten, math.floor."""

    def __init__(self, qname: str):
        self.qname = qname

    def __repr__(self):
        return f"Ref({self.qname})"


class Module:
    """Base of the torch.nn objects convcalc follows."""


class Layer(Module):
    """A layer of the catalogue with constant arguments; ``call`` is the node emitted per use."""

    def __init__(self, name: str, call: n.Call, origin: tuple):
        self.name = name
        self.call = call
        self.origin = origin  # (function name, Span of its call) while the layer was built


class Opaque(Module):
    """An nn module outside convcalc's catalogue (nn.LSTM, nn.Embedding, a loss)."""

    def __init__(self, qname: str):
        self.qname = qname


class Sequential(Module):
    def __init__(self, items: list):
        self.items = items


class ModuleList(Module):
    def __init__(self, items: list):
        self.items = items


class ModuleDict(Module):
    def __init__(self, items: dict):
        self.items = items


class ClassInfo:
    def __init__(self, name: str, node: ast.ClassDef, bases: list, namespace: dict):
        self.name = name
        self.node = node
        self.bases = bases  # ClassInfo or Ref
        self.namespace = namespace
        self.module = False  # an nn.Module subclass
        self.sequential = False  # an nn.Sequential subclass
        self.foreign: Optional[str] = None  # a base convcalc does not follow

    def mro(self) -> list:
        order: list = []
        for cls in [self] + [c for b in self.bases if isinstance(b, ClassInfo) for c in b.mro()]:
            if cls not in order:
                order.append(cls)
        return order

    def lookup(self, name: str):
        for cls in self.mro():
            if name in cls.namespace:
                return cls.namespace[name]
        return None


class Instance(Module):
    def __init__(self, cls: ClassInfo, node):
        self.cls = cls
        self.attrs: dict = {}
        self.seq: Optional[list] = None  # the items of an nn.Sequential subclass
        self.node = node
        self.poisoned: Optional[str] = None
        self.traced = False


class Function:
    def __init__(self, node: ast.AST, scope: "Scope", defaults: dict, kind: str = "function"):
        self.node = node  # FunctionDef or Lambda
        self.scope = scope  # where it was defined
        self.defaults = defaults  # parameter name -> value (or Unknown)
        self.owner: Optional[ClassInfo] = None
        self.kind = kind  # function, staticmethod, classmethod

    @property
    def name(self) -> str:
        return getattr(self.node, "name", "<lambda>")


class BoundMethod:
    def __init__(self, func: Function, obj):
        self.func = func
        self.obj = obj


class Builtin:
    def __init__(self, name: str, fn):
        self.name = name
        self.fn = fn


class SuperProxy:
    def __init__(self, cls: ClassInfo, obj):
        self.cls = cls
        self.obj = obj


class Tensor:
    """A tensor flowing through forward: where it was produced, and its saved name once needed."""

    def __init__(self, pos: int, label: str, span: Span):
        self.pos = pos
        self.label = label
        self.span = span
        self.saved: Optional[str] = None
        self.named = False


class TensorMethod:
    def __init__(self, tensor: Tensor, name: str):
        self.tensor = tensor
        self.name = name


class _Batch:
    def __repr__(self):
        return "x.size(0)"


BATCH = _Batch()


class Scope:
    def __init__(self, parent: Optional["Scope"] = None, kind: str = "function"):
        self.vars: dict = {}
        self.parent = parent
        self.kind = kind

    def find(self, name: str) -> Optional["Scope"]:
        scope = self
        while scope is not None:
            if name in scope.vars:
                return scope
            scope = scope.parent
        return None


# ---------------------------------------------------------------- the trace of forward


class Trace:
    """The nodes a forward produces, in order; Save nodes are inserted where a tensor is needed later."""

    def __init__(self):
        self.body: list = []
        self.current: Optional[Tensor] = None
        self.saves: list = []  # (position, Save node)
        self.names: set = set()
        self.sites: dict = {}  # id(emitted Call) -> (Span in forward, ("layer", id) or ("op", where), origin)
        self.layers_used: dict = {}  # id(layer) -> uses

    def start(self, span: Span) -> Tensor:
        tensor = Tensor(0, "x", span)
        self.current = tensor
        return tensor

    def save_name(self, tensor: Tensor) -> str:
        if tensor.saved is None:
            base = tensor.label or "tensor"
            name, i = base, 1
            while name in self.names:
                i += 1
                name = f"{base}#{i}"
            self.names.add(name)
            tensor.saved = name
            self.saves.append((tensor.pos, n.Save(name, tensor.span)))
        return tensor.saved

    def use(self, tensor: Tensor, span: Span) -> None:
        """Make ``tensor`` the value flowing, restoring it if something else flowed since."""
        if self.current is not tensor:
            self.body.append(n.Restore(self.save_name(tensor), span))
            self.current = tensor

    def emit(self, node, label: str, span: Span, site: Optional[Span] = None) -> Tensor:
        """Append a node; ``site`` is where the forward that wrote it was called (for messages)."""
        if site is not None and id(node) not in self.sites:
            self.sites[id(node)] = (site, ("op", span.line, span.col), ())
        self.body.append(node)
        tensor = Tensor(len(self.body), label, span)
        self.current = tensor
        return tensor

    def finish(self) -> list:
        out: list = []
        saves = sorted(self.saves, key=lambda s: s[0])
        i = 0
        for pos in range(len(self.body) + 1):
            while i < len(saves) and saves[i][0] == pos:
                out.append(saves[i][1])
                i += 1
            if pos < len(self.body):
                out.append(self.body[pos])
        return out


# ---------------------------------------------------------------- functional calls

# qualified name -> (layer, parameters after the input in order, defaults to pass explicitly)
_F = "torch.nn.functional."
_ACT = {"relu": "ReLU", "relu6": "ReLU6", "elu": "ELU", "selu": "SELU", "silu": "SiLU", "mish": "Mish",
        "gelu": "GELU", "leaky_relu": "LeakyReLU", "hardswish": "Hardswish", "hardsigmoid": "Hardsigmoid",
        "sigmoid": "Sigmoid", "tanh": "Tanh", "softplus": "Softplus"}
_ACT_PARAMS = {"ReLU": ("inplace",), "ReLU6": ("inplace",), "ELU": ("alpha", "inplace"), "SELU": ("inplace",),
               "SiLU": ("inplace",), "Mish": ("inplace",), "GELU": ("approximate",),
               "LeakyReLU": ("negative_slope", "inplace"), "Hardswish": ("inplace",), "Hardsigmoid": ("inplace",),
               "Sigmoid": (), "Tanh": (), "Softplus": ("beta", "threshold")}
FUNCTIONAL: dict = {}
for _name, _layer in _ACT.items():
    FUNCTIONAL[_F + _name] = (_layer, _ACT_PARAMS[_layer], {})
for _name in ("relu", "sigmoid", "tanh", "selu"):
    FUNCTIONAL["torch." + _name] = (_ACT[_name], (), {})
for _d in "123":
    FUNCTIONAL[_F + f"max_pool{_d}d"] = (f"MaxPool{_d}d", ("kernel_size", "stride", "padding", "dilation",
                                                           "ceil_mode", "return_indices"), {})
    FUNCTIONAL[_F + f"avg_pool{_d}d"] = (f"AvgPool{_d}d", ("kernel_size", "stride", "padding", "ceil_mode",
                                                           "count_include_pad") + (("divisor_override",)
                                                                                   if _d != "1" else ()), {})
    FUNCTIONAL[_F + f"adaptive_avg_pool{_d}d"] = (f"AdaptiveAvgPool{_d}d", ("output_size",), {})
    FUNCTIONAL[_F + f"adaptive_max_pool{_d}d"] = (f"AdaptiveMaxPool{_d}d", ("output_size", "return_indices"), {})
    FUNCTIONAL["torch." + f"max_pool{_d}d"] = FUNCTIONAL[_F + f"max_pool{_d}d"]
FUNCTIONAL[_F + "dropout"] = ("Dropout", ("p", "training", "inplace"), {})
for _d in "123":
    FUNCTIONAL[_F + f"dropout{_d}d"] = (f"Dropout{_d}d", ("p", "training", "inplace"), {})
FUNCTIONAL[_F + "softmax"] = ("Softmax", ("dim", "_stacklevel", "dtype"), {})
FUNCTIONAL[_F + "log_softmax"] = ("LogSoftmax", ("dim", "_stacklevel", "dtype"), {})
FUNCTIONAL["torch.softmax"] = ("Softmax", ("dim", "dtype"), {})
FUNCTIONAL["torch.log_softmax"] = ("LogSoftmax", ("dim", "dtype"), {})
FUNCTIONAL[_F + "interpolate"] = ("Upsample", ("size", "scale_factor", "mode", "align_corners",
                                               "recompute_scale_factor", "antialias"), {})
FUNCTIONAL[_F + "pixel_shuffle"] = ("PixelShuffle", ("upscale_factor",), {})
FUNCTIONAL[_F + "pixel_unshuffle"] = ("PixelUnshuffle", ("downscale_factor",), {})
FUNCTIONAL["torch.pixel_shuffle"] = FUNCTIONAL[_F + "pixel_shuffle"]
FUNCTIONAL["torch.flatten"] = ("Flatten", ("start_dim", "end_dim"), {"start_dim": 0})
# arguments that do not change shapes and may not be constants (self.training, a device, a dtype)
SKIPPED_ARGS = {"training", "_stacklevel", "dtype", "device", "antialias", "recompute_scale_factor"}

TENSOR_METHODS = {"relu": ("ReLU", ()), "sigmoid": ("Sigmoid", ()), "tanh": ("Tanh", ()),
                  "softmax": ("Softmax", ("dim",)), "log_softmax": ("LogSoftmax", ("dim",)),
                  "flatten": ("Flatten", ("start_dim", "end_dim"))}
SAME_TENSOR_METHODS = {"contiguous", "clone", "detach", "float", "double", "half", "cpu", "cuda", "to",
                       "requires_grad_"}
CONCAT = {"torch.cat", "torch.concat", "torch.concatenate"}
NO_OP = {"torch.nn.init", "torch.manual_seed", "print", "warnings.warn", "torch._assert"}

# weight initialisation that never changes a shape
INIT_NAMES = {"modules", "named_modules", "children", "named_children", "parameters", "named_parameters",
              "apply", "isinstance", "hasattr", "getattr", "len", "range", "enumerate", "zip", "math", "sqrt"}
INIT_TARGET_ATTRS = {"data", "weight", "bias", "requires_grad"}


# ---------------------------------------------------------------- positions


class Source:
    def __init__(self, text: str, path: str):
        self.text = text
        self.path = path
        self.lines = re.split(r"\r\n|\r|\n", text)  # as Python counts lines
        self.starts = [0]
        for m in re.finditer(r"\r\n|\r|\n", text):
            self.starts.append(m.end())

    def col(self, line: int, byte_col: int) -> int:
        if not 0 < line <= len(self.lines):
            return byte_col + 1
        text = self.lines[line - 1]
        if text.isascii():
            return byte_col + 1
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore")) + 1

    def span(self, node) -> Span:
        line = getattr(node, "lineno", 1) or 1
        col = self.col(line, getattr(node, "col_offset", 0) or 0)
        end_line = getattr(node, "end_lineno", None) or line
        end_col = self.col(end_line, getattr(node, "end_col_offset", None) or 0)
        if end_line == line and end_col <= col:
            end_col = col + 1
        return Span(line, col, end_line, end_col)

    def segment(self, node) -> str:
        """The source text of a node (ast.get_source_segment splits the whole file on every call)."""
        end_line = getattr(node, "end_lineno", None)
        if end_line is None or not 0 < node.lineno <= len(self.starts) or end_line > len(self.starts):
            return ""
        start = self.starts[node.lineno - 1] + self.col(node.lineno, node.col_offset) - 1
        end = self.starts[end_line - 1] + self.col(end_line, node.end_col_offset) - 1
        return self.text[start:end]


# ---------------------------------------------------------------- the interpreter


class Interp:
    def __init__(self, src: Source, tree: ast.Module):
        self.src = src
        self.tree = tree
        self.globals = Scope(None, "module")
        self.steps = 0
        self.depth = 0
        self.trace: Optional[Trace] = None
        self.frames: list = []  # (function, call span) of the functions being run
        self.instances: list = []  # every Instance built, for the unused-layer check
        self.building: list = []  # classes instantiated, with the depth at which they were
        self.external_reads: Optional[set] = None  # OBJ.NAME reads of the file, computed once for all models
        self.subclasses: Optional[dict] = None  # see subclasses_of

    # ------------------------------------------------------------- bookkeeping
    def tick(self, node) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise Unfollowable(f"the code runs more than {MAX_STEPS:,} steps; convcalc stops there", node)

    def fresh_budget(self) -> None:
        self.steps = 0

    # ------------------------------------------------------------- statements
    def run_module(self) -> None:
        self.exec_block(self.tree.body, self.globals, tolerant=True)

    def exec_block(self, stmts, scope: Scope, tolerant: bool = False) -> None:
        for stmt in stmts:
            if tolerant and self.trace is None:
                try:
                    self.exec_stmt(stmt, scope)
                except Unfollowable as exc:
                    self.recover(stmt, scope, exc)
            else:
                self.exec_stmt(stmt, scope)

    def exec_stmt(self, stmt, scope: Scope) -> None:
        self.tick(stmt)
        kind = type(stmt).__name__
        method = getattr(self, "stmt_" + kind, None)
        if method is None:
            raise Unfollowable(f"a {kind} statement", stmt)
        method(stmt, scope)

    def stmt_Expr(self, stmt, scope):
        if isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
            return  # a docstring
        self.eval(stmt.value, scope)

    def stmt_Pass(self, stmt, scope):
        pass

    def stmt_Import(self, stmt, scope):
        for alias in stmt.names:
            if alias.asname:
                scope.vars[alias.asname] = Ref(alias.name)
            else:
                top = alias.name.split(".")[0]
                scope.vars[top] = Ref(top)

    def stmt_ImportFrom(self, stmt, scope):
        base = "." * (stmt.level or 0) + (stmt.module or "")
        for alias in stmt.names:
            if alias.name == "*":
                if base in ("torch.nn", "torch.nn.modules"):
                    from convcalc.layers.catalogue import REGISTRY

                    for name in list(REGISTRY) + ["Sequential", "ModuleList", "ModuleDict", "Module"]:
                        scope.vars[name] = Ref("torch.nn." + name)
                elif base == "torch.nn.functional":
                    for qname in FUNCTIONAL:
                        if qname.startswith(_F):
                            scope.vars[qname[len(_F):]] = Ref(qname)
                else:
                    raise Unfollowable(f"from {base} import *", stmt)
                continue
            scope.vars[alias.asname or alias.name] = Ref(f"{base}.{alias.name}")

    def stmt_Assign(self, stmt, scope):
        value = self.eval(stmt.value, scope)
        for target in stmt.targets:
            self.assign(target, value, scope)

    def stmt_AnnAssign(self, stmt, scope):
        if stmt.value is not None:
            self.assign(stmt.target, self.eval(stmt.value, scope), scope)

    def stmt_AugAssign(self, stmt, scope):
        target = stmt.target
        if isinstance(target, ast.Name):
            current = self.lookup(target.id, scope, target)
        elif isinstance(target, ast.Attribute):
            current = self.get_attr(self.eval(target.value, scope), target.attr, target)
        elif isinstance(target, ast.Subscript):
            current = self.subscript(self.eval(target.value, scope), self.eval(target.slice, scope), target)
        else:
            raise Unfollowable("an augmented assignment", stmt)
        value = self.eval(stmt.value, scope)
        op = type(stmt.op).__name__
        if isinstance(current, list) and op == "Add":
            current.extend(self.iterate(value, stmt.value))  # list += iterable extends in place
            return
        result = self.binop(op, current, value, stmt)
        self.assign(target, result, scope)

    def stmt_If(self, stmt, scope):
        if self.truth(self.eval(stmt.test, scope), stmt.test):
            self.exec_block(stmt.body, scope, tolerant=True)
        else:
            self.exec_block(stmt.orelse, scope, tolerant=True)

    def stmt_For(self, stmt, scope):
        items = list(self.iterate(self.eval(stmt.iter, scope), stmt.iter))
        broke = False
        for item in items:
            self.tick(stmt)
            self.assign(stmt.target, item, scope)
            try:
                self.exec_block(stmt.body, scope, tolerant=True)
            except _Break:
                broke = True
                break
            except _Continue:
                continue
        if not broke:
            self.exec_block(stmt.orelse, scope, tolerant=True)

    def stmt_Break(self, stmt, scope):
        raise _Break()

    def stmt_Continue(self, stmt, scope):
        raise _Continue()

    def stmt_Return(self, stmt, scope):
        raise _Return(None if stmt.value is None else self.eval(stmt.value, scope))

    def stmt_Raise(self, stmt, scope):
        raise Abort(f"raise {self.src.segment(stmt.exc) if stmt.exc is not None else ''}".strip(), stmt)

    def stmt_Assert(self, stmt, scope):
        pass  # an assert never changes a shape; a failing one would stop the program, not convcalc

    def stmt_FunctionDef(self, stmt, scope):
        kind = "function"
        for decorator in stmt.decorator_list:
            name = decorator.id if isinstance(decorator, ast.Name) else None
            if name in ("staticmethod", "classmethod"):
                kind = name
            else:
                scope.vars[stmt.name] = Unknown(f"{stmt.name} is decorated with {self.src.segment(decorator)}")
                return
        scope.vars[stmt.name] = Function(stmt, scope, self.defaults(stmt.args, scope), kind=kind)

    def stmt_ClassDef(self, stmt, scope):
        bases = []
        for base in stmt.bases:
            try:
                bases.append(self.eval(base, scope))
            except Unfollowable as exc:
                bases.append(Ref(f"<{exc.reason}>"))
        cls = ClassInfo(stmt.name, stmt, bases, {})
        for base in bases:
            if isinstance(base, ClassInfo):
                cls.module |= base.module
                cls.sequential |= base.sequential
                cls.foreign = cls.foreign or base.foreign
            elif isinstance(base, Ref) and base.qname in ("torch.nn.Module", "nn.Module"):
                cls.module = True
            elif isinstance(base, Ref) and base.qname == "torch.nn.Sequential":
                cls.module = cls.sequential = True
            elif isinstance(base, Ref) and base.qname != "builtins.object":
                cls.foreign = base.qname
        body = Scope(scope, "class")
        self.exec_block(stmt.body, body, tolerant=True)
        for name, value in body.vars.items():
            if isinstance(value, Function):
                value.owner = cls
                value.scope = scope  # methods do not see the class body
            cls.namespace[name] = value
        scope.vars[stmt.name] = cls

    def defaults(self, args: ast.arguments, scope: Scope) -> dict:
        out = {}
        positional = list(getattr(args, "posonlyargs", [])) + list(args.args)
        for arg, default in zip(positional[len(positional) - len(args.defaults):], args.defaults):
            out[arg.arg] = self.try_eval(default, scope)
        for arg, default in zip(args.kwonlyargs, args.kw_defaults):
            if default is not None:
                out[arg.arg] = self.try_eval(default, scope)
        return out

    def try_eval(self, node, scope):
        try:
            return self.eval(node, scope)
        except Unfollowable as exc:
            return Unknown(exc.reason)

    # ------------------------------------------------------------- recovery while building modules
    def recover(self, stmt, scope: Scope, exc: Unfollowable) -> None:
        """A statement that could not be followed: what it may have written becomes unknown."""
        if isinstance(exc, Abort):
            raise exc
        if isinstance(stmt, ast.Return):
            raise Abort(exc.reason, exc.node) from None  # the function's result is not known
        if self.is_weight_init(stmt, scope, 0):
            return
        line = getattr(exc.node, "lineno", None) or stmt.lineno
        reason = f"line {line}: {exc.reason}"
        for node in ast.walk(stmt):
            if isinstance(node, (ast.Name,)) and isinstance(node.ctx, ast.Store):
                self.poison_name(node.id, scope, reason)
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                self.poison_name(node.name, scope, reason)
            elif isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.ctx, ast.Store):
                self.poison_root(node, scope, reason, getattr(node, "attr", None))
            elif isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute):
                    self.poison_root(func.value, scope, reason, None)
                for arg in list(node.args) + [k.value for k in node.keywords]:
                    if isinstance(arg, (ast.Name, ast.Attribute, ast.Starred)):
                        self.poison_root(arg, scope, reason, None)

    def poison_name(self, name: str, scope: Scope, reason: str) -> None:
        owner = scope.find(name) or scope
        owner.vars[name] = Unknown(reason)

    def poison_root(self, node, scope: Scope, reason: str, attr: Optional[str]) -> None:
        """x.a.b = ... or x.append(...): x (or, for self.attr = ..., only that attribute) becomes unknown."""
        chain = []
        while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
            chain.append(node)
            node = node.value
        if not isinstance(node, ast.Name):
            return
        owner = scope.find(node.id)
        if owner is None:
            return
        value = owner.vars[node.id]
        if isinstance(value, Instance):
            if attr is not None and len(chain) == 1 and isinstance(chain[0], ast.Attribute):
                value.attrs[attr] = Unknown(reason)
            elif chain and isinstance(chain[-1], ast.Attribute):
                value.attrs[chain[-1].attr] = Unknown(reason)  # self.layers.append(...): that attribute
            else:
                value.poisoned = reason
        elif isinstance(value, (list, dict, Module)) or chain:
            if not isinstance(value, (Ref, ClassInfo, Function, int, float, str, bool, type(None))):
                owner.vars[node.id] = Unknown(reason)

    def is_weight_init(self, stmt, scope: Scope, depth: int) -> bool:
        """Weight initialisation (nn.init.*, m.weight.data.normal_(), loops over self.modules()) changes no shape."""
        if depth > 3:
            return False
        saw_init = False
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                qualified = self.src.segment(func)
                if "init." in qualified or (name.endswith("_") and not name.startswith("_")):
                    saw_init = True
                    continue
                if name in INIT_NAMES:
                    continue
                if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self":
                    method = self.method_of_self(scope, name)
                    if method is not None and all(self.is_weight_init(s, scope, depth + 1)
                                                  for s in method.node.body):
                        saw_init = True
                        continue
                return False
            if isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.ctx, ast.Store):
                if not (isinstance(node, ast.Attribute) and node.attr in INIT_TARGET_ATTRS):
                    return False
            if isinstance(node, (ast.Return, ast.FunctionDef, ast.ClassDef, ast.Delete, ast.Global, ast.Nonlocal)):
                return False
        if isinstance(stmt, (ast.Expr, ast.For, ast.If)):
            return saw_init
        return False

    def method_of_self(self, scope: Scope, name: str) -> Optional[Function]:
        owner = scope.find("self")
        value = owner.vars.get("self") if owner else None
        if isinstance(value, Instance):
            method = value.cls.lookup(name)
            if isinstance(method, Function):
                return method
        return None

    # ------------------------------------------------------------- assignment
    def assign(self, target, value, scope: Scope) -> None:
        if isinstance(target, ast.Name):
            if isinstance(value, Tensor) and not value.named and value.saved is None:
                value.label, value.named = target.id, True
            scope.vars[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            items = list(self.iterate(value, target))
            starred = [i for i, t in enumerate(target.elts) if isinstance(t, ast.Starred)]
            if starred:
                i = starred[0]
                after = len(target.elts) - i - 1
                if len(items) < len(target.elts) - 1:
                    raise Unfollowable("too few values to unpack", target)
                parts = items[:i] + [items[i:len(items) - after]] + items[len(items) - after:]
                for t, v in zip(target.elts, parts):
                    self.assign(t.value if isinstance(t, ast.Starred) else t, v, scope)
                return
            if len(items) != len(target.elts):
                raise Unfollowable(f"unpacking {len(items)} values into {len(target.elts)} names", target)
            for t, v in zip(target.elts, items):
                self.assign(t, v, scope)
        elif isinstance(target, ast.Attribute):
            obj = self.eval(target.value, scope)
            if isinstance(obj, Instance):
                if isinstance(value, Tensor):
                    raise Unfollowable(f"a tensor stored in self.{target.attr}", target)
                obj.attrs[target.attr] = value
            elif isinstance(obj, ClassInfo):
                obj.namespace[target.attr] = value
            else:
                raise Unfollowable(f"setting an attribute of {describe(obj)}", target)
        elif isinstance(target, ast.Subscript):
            obj = self.eval(target.value, scope)
            key = self.eval(target.slice, scope)
            if isinstance(obj, list) and type(key) is int and -len(obj) <= key < len(obj):
                obj[key] = value
            elif isinstance(obj, dict) and is_hashable(key):
                obj[key] = value
            elif isinstance(obj, (ModuleList, Sequential)) and type(key) is int and -len(obj.items) <= key < len(obj.items):
                obj.items[key] = value
            elif isinstance(obj, ModuleDict) and isinstance(key, str):
                obj.items[key] = value
            else:
                raise Unfollowable("an item assignment", target)
        else:
            raise Unfollowable("an assignment target", target)

    # ------------------------------------------------------------- names
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

    # ------------------------------------------------------------- expressions
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
        if op == "Add" and isinstance(left, (list, tuple, str)) and type(left) is type(right):
            if len(left) + len(right) > MAX_ITEMS:
                raise Unfollowable("a very long sequence", node)
            return left + right
        if op == "Mult" and isinstance(left, (list, tuple, str)) and type(right) is int:
            if len(left) * max(right, 0) > MAX_ITEMS:
                raise Unfollowable("a very long sequence", node)
            return left * right
        if op == "Mod" and isinstance(left, str):
            values = right if isinstance(right, tuple) else (right,)
            if not all(is_number(v) or isinstance(v, str) for v in values):
                raise Unfollowable("% formatting of something not a constant", node)
            try:
                out = left % right
            except (TypeError, ValueError) as exc:
                raise Unfollowable(f"% formatting: {exc}", node) from None
            if len(out) > MAX_ITEMS:
                raise Unfollowable("a very long string", node)
            return out
        if not (is_number(left) and is_number(right)):
            raise Unfollowable(f"{OPS.get(op, op)} of {describe(left)} and {describe(right)}", node)
        try:
            if op == "Add":
                result = left + right
            elif op == "Sub":
                result = left - right
            elif op == "Mult":
                result = left * right
            elif op == "Div":
                result = left / right
            elif op == "FloorDiv":
                result = left // right
            elif op == "Mod":
                result = left % right
            elif op == "Pow":
                if type(left) is int and type(right) is int:
                    if right < 0:
                        result = left ** right
                    elif left not in (-1, 0, 1) and abs(left).bit_length() * right > MAX_INT_BITS:
                        raise Unfollowable(f"{left} ** {right} is too large", node)
                    else:
                        result = left ** right
                else:
                    if abs(right) > 64:
                        raise Unfollowable("a large exponent", node)
                    result = left ** right
            else:
                raise Unfollowable(f"the operator {OPS.get(op, op)}", node)
        except (ZeroDivisionError, OverflowError, ValueError) as exc:
            raise Unfollowable(f"{OPS.get(op, op)}: {exc}", node) from None
        if type(result) is int and result.bit_length() > MAX_INT_BITS:
            raise Unfollowable("a very large integer", node)
        if isinstance(result, complex):
            raise Unfollowable("a complex number", node)
        return result

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
            elif isinstance(right, dict) and is_hashable(left):
                found = left in right
            elif isinstance(right, str) and isinstance(left, str):
                found = left in right
            else:
                raise Unfollowable("an 'in' test", node)
            return found if op == "In" else not found
        if not (is_constant(left) and is_constant(right)):
            raise Unfollowable(f"a comparison of {describe(left)} and {describe(right)}", node)
        try:
            return {"Eq": lambda: left == right, "NotEq": lambda: left != right, "Lt": lambda: left < right,
                    "LtE": lambda: left <= right, "Gt": lambda: left > right, "GtE": lambda: left >= right}[op]()
        except TypeError:
            raise Unfollowable("a comparison of values of different kinds", node) from None

    def truth(self, value, node) -> bool:
        if is_constant(value) or isinstance(value, dict):
            return bool(value)
        if isinstance(value, (Module, ClassInfo, Function, Ref)):
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
        if isinstance(obj, Tensor):
            raise Unfollowable("indexing a tensor", node)
        if isinstance(obj, TensorShape):
            if key == 0:
                return BATCH
            raise Unfollowable("a size of the tensor other than the batch (x.shape[0])", node)
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
        return Function(node, scope, self.defaults(node.args, scope))

    def comprehension(self, node, scope, make):
        inner = Scope(scope)
        out = []

        def loop(i):
            if i == len(node.generators):
                out.append(make(inner))
                if len(out) > MAX_ITEMS:
                    raise Unfollowable("a very long comprehension", node)
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
        if isinstance(value, (list, tuple, str)):
            return list(value)
        if isinstance(value, dict):
            return list(value)
        if isinstance(value, (Sequential, ModuleList)):
            return list(value.items)
        if isinstance(value, ModuleDict):
            return list(value.items)
        raise Unfollowable(f"iterating over {describe(value)}", node)

    # ------------------------------------------------------------- attributes
    def get_attr(self, obj, name: str, node):
        if isinstance(obj, Ref):
            return Ref(f"{obj.qname}.{name}")
        if isinstance(obj, Instance):
            if obj.poisoned:
                raise Unfollowable(f"the {obj.cls.name} object is not known ({obj.poisoned})", node)
            if name in obj.attrs:
                value = obj.attrs[name]
                if isinstance(value, Unknown):
                    raise Unfollowable(f"self.{name} is not known ({value.reason})", node)
                return value
            value = obj.cls.lookup(name)
            if isinstance(value, Function):
                if value.kind == "staticmethod":
                    return value
                if value.kind == "classmethod":
                    return BoundMethod(value, obj.cls)
                return BoundMethod(value, obj)
            if value is not None:
                if isinstance(value, Unknown):
                    raise Unfollowable(f"{obj.cls.name}.{name} is not known ({value.reason})", node)
                return value
            if name == "training":
                raise Unfollowable("self.training depends on train() / eval() mode", node)
            raise Unfollowable(f"{obj.cls.name} has no attribute {name} that convcalc knows", node)
        if isinstance(obj, ClassInfo):
            value = obj.lookup(name)
            if value is None or isinstance(value, Unknown):
                raise Unfollowable(f"{obj.name}.{name} is not known", node)
            if isinstance(value, Function) and value.kind == "classmethod":
                return BoundMethod(value, obj)
            return value
        if isinstance(obj, SuperProxy):
            return self.super_attr(obj, name, node)
        if isinstance(obj, Tensor):
            if name == "shape":
                return TensorShape(obj)
            return TensorMethod(obj, name)
        if isinstance(obj, Layer):
            return self.layer_attr(obj, name, node)
        if isinstance(obj, (list, dict, Sequential, ModuleList, ModuleDict)):
            method = CONTAINER_METHODS.get((container_kind(obj), name))
            if method is not None:
                return Builtin(name, lambda args, kwargs, node, o=obj, m=method: m(self, o, args, kwargs, node))
        if isinstance(obj, str) and name in ("format", "join", "lower", "upper", "startswith", "endswith"):
            return Builtin(name, lambda args, kwargs, node, o=obj, a=name: string_method(o, a, args, kwargs, node))
        raise Unfollowable(f"the attribute {name} of {describe(obj)}", node)

    def layer_attr(self, layer: Layer, name: str, node):
        """conv.out_channels, fc.in_features: the constructor's arguments."""
        from convcalc.engine.evaluate import Evaluator
        from convcalc.layers.catalogue import lookup

        spec = lookup(layer.name)
        try:
            evaluate = Evaluator({})
            bound = spec.bind(tuple(evaluate(a) for a in layer.call.args),
                              {k: evaluate(v) for k, v, _ in layer.call.kwargs})
        except ConvcalcError:
            raise Unfollowable(f"the arguments of {layer.call.text}", node) from None
        if name in bound.values:
            return bound.values[name]
        raise Unfollowable(f"the attribute {name} of {layer.name}", node)

    def super_attr(self, proxy: SuperProxy, name: str, node):
        mro = proxy.obj.cls.mro() if isinstance(proxy.obj, Instance) else proxy.cls.mro()
        after = mro[mro.index(proxy.cls) + 1:] if proxy.cls in mro else []
        for cls in after:
            if name in cls.namespace:
                value = cls.namespace[name]
                if isinstance(value, Function):
                    return BoundMethod(value, proxy.obj)
                return value
        if name == "__init__":
            if proxy.cls.sequential:
                return Builtin("nn.Sequential.__init__",
                               lambda args, kwargs, node: self.init_sequential(proxy.obj, args, kwargs, node))
            if proxy.cls.module or not proxy.cls.foreign:
                return Builtin("__init__", lambda args, kwargs, node: None)
        raise Unfollowable(f"super().{name}", node)

    def init_sequential(self, obj, args, kwargs, node):
        obj.seq = self.sequential_items(args, node)
        return None

    # ------------------------------------------------------------- calls
    def expr_Call(self, node, scope):
        if isinstance(node.func, ast.Name) and scope.find(node.func.id) is None:
            special = {"super": self.call_super, "getattr": self.call_getattr, "setattr": self.call_setattr,
                       "hasattr": self.call_hasattr}.get(node.func.id)
            if special is not None:
                return special(node, scope)
        func = self.eval(node.func, scope)
        if isinstance(func, Ref):
            return self.call_ref(func, node, scope)
        if isinstance(func, TensorMethod):
            return self.tensor_method(func, node, scope)
        args, kwargs = self.call_args(node, scope)
        return self.call(func, args, kwargs, node)

    def call_super(self, node, scope):
        if node.args:
            args, _ = self.call_args(node, scope)
            if len(args) != 2 or not isinstance(args[0][0], ClassInfo):
                raise Unfollowable("super(...) with other arguments", node)
            return SuperProxy(args[0][0], args[1][0])
        func = self.frames[-1][2] if self.frames else None
        if func is None or func.owner is None or not func.node.args.args:
            raise Unfollowable("super() outside a method", node)
        first = func.node.args.args[0].arg
        return SuperProxy(func.owner, self.lookup(first, scope, node))

    def call_getattr(self, node, scope):
        args, kwargs = self.call_args(node, scope)
        if kwargs or len(args) not in (2, 3) or not isinstance(args[1][0], str):
            raise Unfollowable("getattr with a name that is not a constant", node)
        obj, name = args[0][0], args[1][0]
        if len(args) == 3 and isinstance(obj, Instance) and name not in obj.attrs and obj.cls.lookup(name) is None:
            return args[2][0]
        return self.get_attr(obj, name, node)

    def call_setattr(self, node, scope):
        args, kwargs = self.call_args(node, scope)
        if kwargs or len(args) != 3 or not isinstance(args[0][0], Instance) or not isinstance(args[1][0], str):
            raise Unfollowable("setattr with a name that is not a constant", node)
        if isinstance(args[2][0], Tensor):
            raise Unfollowable("a tensor stored in an attribute", node)
        args[0][0].attrs[args[1][0]] = args[2][0]
        return None

    def call_hasattr(self, node, scope):
        args, kwargs = self.call_args(node, scope)
        if kwargs or len(args) != 2 or not isinstance(args[0][0], Instance) or not isinstance(args[1][0], str):
            raise Unfollowable("hasattr", node)
        obj, name = args[0][0], args[1][0]
        return name in obj.attrs or obj.cls.lookup(name) is not None

    def call_args(self, node, scope, skip=()):
        """[(value, ast node)], [(key, value, value node, keyword node)]."""
        args = []
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                for item in self.iterate(self.eval(arg.value, scope), arg):
                    args.append((item, arg))
            else:
                args.append((self.eval(arg, scope), arg))
        kwargs = []
        for kw in node.keywords:
            if kw.arg is None:
                mapping = self.eval(kw.value, scope)
                if not isinstance(mapping, dict) or not all(isinstance(k, str) for k in mapping):
                    raise Unfollowable("** of something not a dict", kw)
                kwargs.extend((k, v, kw.value, kw) for k, v in mapping.items())
            elif kw.arg in skip:
                continue
            else:
                kwargs.append((kw.arg, self.eval(kw.value, scope), kw.value, kw))
        return args, kwargs

    def call(self, func, args, kwargs, node):
        if isinstance(func, Function):
            return self.invoke(func, [v for v, _ in args], {k: v for k, v, _, _ in kwargs}, node)
        if isinstance(func, BoundMethod):
            return self.invoke(func.func, [func.obj] + [v for v, _ in args], {k: v for k, v, _, _ in kwargs}, node)
        if isinstance(func, Builtin):
            return func.fn([v for v, _ in args], {k: v for k, v, _, _ in kwargs}, node)
        if isinstance(func, ClassInfo):
            return self.instantiate(func, [v for v, _ in args], {k: v for k, v, _, _ in kwargs}, node)
        if isinstance(func, Module):
            return self.call_module(func, [v for v, _ in args], {k: v for k, v, _, _ in kwargs}, node)
        raise Unfollowable(f"calling {describe(func)}", node)

    def invoke(self, func: Function, args: list, kwargs: dict, node):
        if self.depth >= MAX_DEPTH:
            raise Unfollowable(f"calls nested more than {MAX_DEPTH} deep", node)
        scope = Scope(func.scope)
        self.bind(func, args, kwargs, scope, node)
        self.depth += 1
        self.frames.append((func.name, self.src.span(node) if node is not None else None, func))
        try:
            if isinstance(func.node, ast.Lambda):
                return self.eval(func.node.body, scope)
            try:
                self.exec_block(func.node.body, scope, tolerant=True)
            except _Return as ret:
                return ret.value
            except (_Break, _Continue):
                raise Unfollowable("break/continue outside a loop", node) from None
            return None
        finally:
            self.depth -= 1
            self.frames.pop()

    def bind(self, func: Function, args: list, kwargs: dict, scope: Scope, node) -> None:
        spec = func.node.args
        positional = [a.arg for a in list(getattr(spec, "posonlyargs", [])) + list(spec.args)]
        if len(args) > len(positional) and spec.vararg is None:
            raise Unfollowable(f"{func.name} takes {len(positional)} arguments but {len(args)} were given", node)
        values = dict(zip(positional, args))
        if spec.vararg is not None:
            scope.vars[spec.vararg.arg] = tuple(args[len(positional):])
        extra = {}
        names = set(positional) | {a.arg for a in spec.kwonlyargs}
        for key, value in kwargs.items():
            if key in names:
                if key in values:
                    raise Unfollowable(f"{func.name} got {key} twice", node)
                values[key] = value
            elif spec.kwarg is not None:
                extra[key] = value
            else:
                raise Unfollowable(f"{func.name} has no parameter {key}", node)
        if spec.kwarg is not None:
            scope.vars[spec.kwarg.arg] = extra
        for name in positional + [a.arg for a in spec.kwonlyargs]:
            if name in values:
                scope.vars[name] = values[name]
            elif name in func.defaults:
                scope.vars[name] = func.defaults[name]
            else:
                raise Unfollowable(f"{func.name} is missing its argument {name}", node)

    def instantiate(self, cls: ClassInfo, args: list, kwargs: dict, node):
        if cls.foreign:
            raise Unfollowable(f"{cls.name} derives from {cls.foreign}, which convcalc does not follow", node)
        obj = Instance(cls, node)
        self.instances.append(obj)
        self.building.append((cls, self.depth))
        init = cls.lookup("__init__")
        if isinstance(init, Function):
            self.invoke(init, [obj] + args, kwargs, node)
        elif cls.sequential:
            obj.seq = self.sequential_items(args, node)
        elif args or kwargs:
            raise Unfollowable(f"{cls.name}() takes no arguments", node)
        return obj

    def sequential_items(self, args, node) -> list:
        if len(args) == 1 and isinstance(args[0], dict):
            items = list(args[0].values())
        else:
            items = list(args)
        for item in items:
            if not isinstance(item, Module):
                raise Unfollowable(f"nn.Sequential of {describe(item)}", node)
        return items

    def call_ref(self, ref: Ref, node, scope):
        from convcalc.layers.catalogue import REGISTRY

        qname = ref.qname
        short = qname.rsplit(".", 1)[-1]
        if qname.startswith("torch.nn.") and qname.count(".") == 2 and short in REGISTRY:
            args, kwargs = self.call_args(node, scope, skip=SKIPPED_ARGS)
            return self.make_layer(short, args, kwargs, node)
        if qname in ("torch.nn.Sequential",):
            args, kwargs = self.call_args(node, scope)
            if kwargs:
                raise Unfollowable("nn.Sequential with keywords", node)
            return Sequential(self.sequential_items([v for v, _ in args], node))
        if qname == "torch.nn.ModuleList":
            args, _ = self.call_args(node, scope)
            items = list(self.iterate(args[0][0], node)) if args else []
            if not all(isinstance(i, Module) for i in items):
                raise Unfollowable("nn.ModuleList of something not a module", node)
            return ModuleList(items)
        if qname == "torch.nn.ModuleDict":
            args, _ = self.call_args(node, scope)
            items = dict(args[0][0]) if args and isinstance(args[0][0], dict) else {}
            if args and not isinstance(args[0][0], dict):
                raise Unfollowable("nn.ModuleDict of something not a dict", node)
            return ModuleDict(items)
        if qname in FUNCTIONAL or qname in CONCAT or qname == "torch.add":
            return self.functional(qname, node, scope)
        if any(qname == p or qname.startswith(p + ".") for p in NO_OP):
            return None
        if qname in ("collections.OrderedDict", "typing.OrderedDict"):
            args, kwargs = self.call_args(node, scope)
            out = dict(self.iterate_pairs(args[0][0], node)) if args else {}
            out.update({k: v for k, v, _, _ in kwargs})
            return out
        if qname == "typing.cast":
            args, _ = self.call_args(node, scope)
            return args[-1][0]
        if qname.startswith("math."):
            args, _ = self.call_args(node, scope)
            return math_call(short, [v for v, _ in args], node)
        if qname.startswith("torch.nn.") and qname.count(".") == 2 and short[:1].isupper():
            self.call_args(node, scope, skip=SKIPPED_ARGS)
            return Opaque(qname)
        raise Unfollowable(f"{qname} is not followed", node)

    def iterate_pairs(self, value, node):
        pairs = self.iterate(value, node) if not isinstance(value, dict) else list(value.items())
        for pair in pairs:
            if not isinstance(pair, tuple) or len(pair) != 2 or not is_hashable(pair[0]):
                raise Unfollowable("a dict of something not pairs", node)
        return pairs

    def make_layer(self, name: str, args, kwargs, node) -> Layer:
        exprs = tuple(const_node(v, self.src.span(nd), nd, name) for v, nd in args)
        kw = []
        for key, value, value_node, kw_node in kwargs:
            if key in SKIPPED_ARGS:
                continue
            kw.append((key, const_node(value, self.src.span(value_node), value_node, name),
                       self.src.span(kw_node) if kw_node is not None and hasattr(kw_node, "lineno")
                       else self.src.span(value_node)))
        call = n.Call(name, exprs, tuple(kw), self.src.segment(node), self.src.span(node), self.src.span(node.func))
        origin = tuple((f[0], f[1]) for f in self.frames if f[1] is not None)
        return Layer(name, call, origin)

    # ------------------------------------------------------------- tensors
    def caller_span(self, span: Span) -> Span:
        """Where the forward running now was called from (self.up1(x5, x4)), or ``span`` itself."""
        for _, call_span, _ in reversed(self.frames):
            if call_span is not None and call_span.line != span.line:
                return call_span
        return span

    def need_trace(self, node) -> Trace:
        if self.trace is None:
            raise Unfollowable("a tensor operation outside forward", node)
        return self.trace

    def tensor_arg(self, value, node) -> Tensor:
        if not isinstance(value, Tensor):
            raise Unfollowable(f"{describe(value)} where a tensor flowing through forward was expected", node)
        return value

    def call_module(self, module, args: list, kwargs: dict, node):
        trace = self.need_trace(node)
        if isinstance(module, Instance):
            if module.poisoned:
                raise Unfollowable(f"the {module.cls.name} object is not known ({module.poisoned})", node)
            forward = module.cls.lookup("forward")
            if isinstance(forward, Function):
                module.traced = True
                return self.invoke(forward, [module] + args, kwargs, node)
            if module.seq is not None:
                module.traced = True
                return self.call_module(Sequential(module.seq), args, kwargs, node)
            raise Unfollowable(f"{module.cls.name} has no forward", node)
        if len(args) != 1 or kwargs:
            raise Unfollowable(f"a module called with {len(args)} arguments", node)
        x = self.tensor_arg(args[0], node)
        if isinstance(module, Sequential):
            for item in module.items:
                x = self.call_module(item, [x], {}, node)
            return x
        if isinstance(module, Layer):
            trace.use(x, self.src.span(node) if node is not None else module.call.span)
            emitted = n.Call(*module.call._values())
            site = self.src.span(node) if node is not None else module.call.span
            trace.sites[id(emitted)] = (site, ("layer", id(module)), module.origin)
            trace.layers_used[id(module)] = trace.layers_used.get(id(module), 0) + 1
            return trace.emit(emitted, "", site)
        if isinstance(module, Opaque):
            raise Unfollowable(f"{module.qname.replace('torch.nn.', 'nn.')} is not in convcalc's catalogue", node)
        raise Unfollowable(f"calling {describe(module)}", node)

    def functional_layer(self, layer: str, params: tuple, forced: dict, tensor: Tensor, args, kwargs, node) -> Tensor:
        trace = self.need_trace(node)
        exprs, kw = [], []
        for i, (value, value_node) in enumerate(args):
            if i >= len(params):
                raise Unfollowable(f"too many arguments for {layer}", node)
            if params[i] in SKIPPED_ARGS:
                continue
            kw.append((params[i], const_node(value, self.src.span(value_node), value_node, layer),
                       self.src.span(value_node)))
        given = {k for k, _, _ in kw}
        for key, value, value_node, kw_node in kwargs:
            if key in SKIPPED_ARGS:
                continue
            if key not in params:
                raise Unfollowable(f"the argument {key} of {layer}", node)
            given.add(key)
            kw.append((key, const_node(value, self.src.span(value_node), value_node, layer), self.src.span(kw_node)))
        for key, value in forced.items():
            if key not in given:
                kw.append((key, const_node(value, self.src.span(node), node, layer), self.src.span(node)))
        span = self.src.span(node)
        call = n.Call(layer, tuple(exprs), tuple(kw), self.src.segment(node), span, self.src.span(node.func))
        trace.use(tensor, span)
        trace.sites[id(call)] = (span, ("op", id(call)), ())
        return trace.emit(call, "", span)

    def functional(self, qname: str, node, scope):
        trace = self.need_trace(node)
        span = self.src.span(node)
        if qname in CONCAT or qname == "torch.add":
            args, kwargs = self.call_args(node, scope)
            if qname == "torch.add":
                if len(args) != 2 or kwargs:
                    raise Unfollowable("torch.add with other arguments", node)
                return self.tensor_binop("Add", args[0][0], args[1][0], node)
            dim = dict((k, v) for k, v, _, _ in kwargs).get("dim", args[1][0] if len(args) > 1 else 0)
            tensors = list(self.iterate(args[0][0], node)) if args else []
            if dim not in (1, -3) or (dim == -3 and False):
                raise Unfollowable(f"torch.cat along dim={dim!r} (only dim=1, the channels, is followed)", node)
            if len(tensors) < 1 or not all(isinstance(t, Tensor) for t in tensors):
                raise Unfollowable("torch.cat of something not tensors flowing through forward", node)
            if len(tensors) == 1:
                return tensors[0]
            names = [trace.save_name(t) for t in tensors[1:]]
            trace.use(tensors[0], span)
            result = None
            for name in names:
                result = trace.emit(n.ConcatSaved(name, span), "", span, self.caller_span(span))
            return result
        layer, params, forced = FUNCTIONAL[qname]
        if not node.args:
            raise Unfollowable(f"{qname} without its input", node)
        tensor = self.tensor_arg(self.eval(node.args[0], scope), node.args[0])
        rest = ast.Call(func=node.func, args=node.args[1:], keywords=node.keywords)
        skip = {p for p in params if p in SKIPPED_ARGS}
        arg_nodes = []
        for i, arg in enumerate(rest.args):
            if isinstance(arg, ast.Starred):
                raise Unfollowable(f"*args in {qname}", node)
            arg_nodes.append(None if i < len(params) and params[i] in skip else arg)
        args = [(self.eval(a, scope), a) for a in arg_nodes if a is not None]
        positions = [params[i] for i, a in enumerate(arg_nodes) if a is not None and i < len(params)]
        if len(arg_nodes) > len(params):
            raise Unfollowable(f"too many arguments for {qname}", node)
        kwargs = []
        for kw in node.keywords:
            if kw.arg is None:
                raise Unfollowable(f"** in {qname}", node)
            if kw.arg in SKIPPED_ARGS:
                continue
            kwargs.append((kw.arg, self.eval(kw.value, scope), kw.value, kw))
        # positional values become keywords so that functional orders (F.max_pool2d) need not match nn's
        kwargs = [(p, v, nd, nd) for p, (v, nd) in zip(positions, args)] + kwargs
        return self.functional_layer(layer, params, forced, tensor, [], kwargs, node)

    def tensor_method(self, method: TensorMethod, node, scope):
        trace = self.need_trace(node)
        tensor, name = method.tensor, method.name
        span = self.src.span(node)
        if name in ("view", "reshape"):
            args, kwargs = self.call_args(node, scope)
            if kwargs:
                raise Unfollowable(f"{name} with keywords", node)
            values = [v for v, _ in args]
            if len(values) == 1 and isinstance(values[0], (tuple, list)):
                values = list(values[0])
            if len(values) < 2 or not (values[0] is BATCH or values[0] == -1):
                raise Unfollowable(f"x.{name}(...) that does not keep the batch first (x.size(0) or -1)", node)
            rest = values[1:]
            if not all(type(v) is int for v in rest):
                raise Unfollowable(f"x.{name}(...) with sizes convcalc cannot follow", node)
            if values[0] is BATCH and rest == [-1]:
                call = n.Call("Flatten", (), (), self.src.segment(node), span, self.src.span(node.func))
                trace.use(tensor, span)
                trace.sites[id(call)] = (span, ("op", id(call)), ())
                return trace.emit(call, "", span)
            node_dims = tuple(n.Num(v, span) for v in rest)
            trace.use(tensor, span)
            return trace.emit(n.Reshape(node_dims, values[0] == -1, self.src.segment(node), span), "", span,
                              self.caller_span(span))
        if name == "size":
            args, kwargs = self.call_args(node, scope)
            if len(args) == 1 and args[0][0] == 0 and not kwargs:
                return BATCH
            raise Unfollowable("a size of the tensor other than the batch (x.size(0))", node)
        if name in TENSOR_METHODS:
            layer, params = TENSOR_METHODS[name]
            forced = {"start_dim": 0} if name == "flatten" else {}
            args, kwargs = self.call_args(node, scope)
            if len(args) > len(params):
                raise Unfollowable(f"too many arguments for x.{name}", node)
            kw = [(p, v, nd, nd) for p, (v, nd) in zip(params, args)] + kwargs
            return self.functional_layer(layer, params, forced, tensor, [], kw, node)
        if name in SAME_TENSOR_METHODS:
            return tensor
        raise Unfollowable(f"x.{name}(...)", node)

    def tensor_binop(self, op: str, left, right, node):
        trace = self.need_trace(node)
        if isinstance(left, Tensor) and isinstance(right, Tensor):
            if op not in ("Add", "Sub"):
                raise Unfollowable(f"tensor {OPS.get(op, op)} tensor (broadcasting is not followed)", node)
            span = self.src.span(node)
            name = trace.save_name(right)
            trace.use(left, span)
            return trace.emit(n.AddSaved(name, span), "", span, self.caller_span(span))
        tensor, other = (left, right) if isinstance(left, Tensor) else (right, left)
        if is_number(other) and op in ("Add", "Sub", "Mult", "Div", "FloorDiv", "Pow", "Mod"):
            return tensor  # an element-wise operation with a number keeps the shape
        raise Unfollowable(f"tensor {OPS.get(op, op)} {describe(other)}", node)


class TensorShape:
    def __init__(self, tensor: Tensor):
        self.tensor = tensor


# ---------------------------------------------------------------- helpers


OPS = {"Add": "+", "Sub": "-", "Mult": "*", "Div": "/", "FloorDiv": "//", "Mod": "%", "Pow": "**",
       "MatMult": "@", "LShift": "<<", "RShift": ">>", "BitAnd": "&", "BitOr": "|", "BitXor": "^"}


def is_number(value) -> bool:
    return isinstance(value, (int, float))


def is_constant(value) -> bool:
    if isinstance(value, (bool, int, float, str)) or value is None:
        return True
    if isinstance(value, (tuple, list)):
        return all(is_constant(v) for v in value)
    return False


def is_hashable(value) -> bool:
    if isinstance(value, (bool, int, float, str)) or value is None:
        return True
    return isinstance(value, tuple) and all(is_hashable(v) for v in value)


def describe(value) -> str:
    if isinstance(value, Tensor):
        return "a tensor"
    if isinstance(value, Layer):
        return f"nn.{value.name}"
    if isinstance(value, Instance):
        return f"a {value.cls.name}"
    if isinstance(value, Ref):
        return value.qname
    if isinstance(value, ClassInfo):
        return f"the class {value.name}"
    if isinstance(value, Function):
        return f"the function {value.name}"
    if value is BATCH:
        return "the batch size"
    if isinstance(value, (Sequential, ModuleList, ModuleDict, Opaque)):
        return type(value).__name__
    if is_constant(value):
        text = repr(value)
        return text if len(text) < 40 else text[:37] + "..."
    return type(value).__name__


def const_node(value, span: Span, node, layer: str):
    if isinstance(value, bool) or value is None:
        return n.Const(value, span)
    if isinstance(value, int):
        return n.Num(value, span)
    if isinstance(value, float):
        return n.Float(value, span)
    if isinstance(value, str):
        return n.Str(value, span)
    if isinstance(value, (tuple, list)):
        return n.TupleExpr(tuple(const_node(v, span, node, layer) for v in value), span)
    raise Unfollowable(f"an argument of {layer} that is {describe(value)}, not a constant", node)


def container_kind(obj) -> str:
    if isinstance(obj, list):
        return "list"
    if isinstance(obj, dict):
        return "dict"
    if isinstance(obj, ModuleDict):
        return "moduledict"
    return "modules"


def _append(interp, obj, args, kwargs, node):
    items = obj if isinstance(obj, list) else obj.items
    if len(args) != 1 or kwargs:
        raise Unfollowable("append with other arguments", node)
    if not isinstance(obj, list) and not isinstance(args[0], Module):
        raise Unfollowable("appending something not a module", node)
    if len(items) >= MAX_ITEMS:
        raise Unfollowable("a very long list", node)
    items.append(args[0])


def _extend(interp, obj, args, kwargs, node):
    items = obj if isinstance(obj, list) else obj.items
    new = list(interp.iterate(args[0], node)) if len(args) == 1 and not kwargs else None
    if new is None or (not isinstance(obj, list) and not all(isinstance(v, Module) for v in new)):
        raise Unfollowable("extend", node)
    if len(items) + len(new) > MAX_ITEMS:
        raise Unfollowable("a very long list", node)
    items.extend(new)


def _insert(interp, obj, args, kwargs, node):
    items = obj if isinstance(obj, list) else obj.items
    if len(args) != 2 or type(args[0]) is not int or kwargs:
        raise Unfollowable("insert", node)
    items.insert(args[0], args[1])


def _add_module(interp, obj, args, kwargs, node):
    if len(args) != 2 or not isinstance(args[1], Module):
        raise Unfollowable("add_module", node)
    if isinstance(obj, ModuleDict):
        obj.items[args[0]] = args[1]
    else:
        obj.items.append(args[1])


def _pop(interp, obj, args, kwargs, node):
    items = obj if isinstance(obj, list) else obj.items
    if kwargs or len(args) > 1 or not items:
        raise Unfollowable("pop", node)
    return items.pop(*args)


def _dict_get(interp, obj, args, kwargs, node):
    items = obj if isinstance(obj, dict) else obj.items
    if not args or not is_hashable(args[0]):
        raise Unfollowable("get", node)
    return items.get(args[0], args[1] if len(args) > 1 else None)


def _dict_view(kind):
    def view(interp, obj, args, kwargs, node):
        items = obj if isinstance(obj, dict) else obj.items
        return list({"keys": items.keys, "values": items.values, "items": items.items}[kind]())
    return view


def _copy(interp, obj, args, kwargs, node):
    return list(obj) if isinstance(obj, list) else dict(obj)


def _update(interp, obj, args, kwargs, node):
    if len(args) > 1 or (args and not isinstance(args[0], dict)):
        raise Unfollowable("update", node)
    obj.update(*args, **kwargs)


CONTAINER_METHODS = {
    ("list", "append"): _append, ("modules", "append"): _append,
    ("list", "extend"): _extend, ("modules", "extend"): _extend,
    ("list", "insert"): _insert, ("modules", "insert"): _insert,
    ("list", "pop"): _pop, ("list", "copy"): _copy, ("dict", "copy"): _copy,
    ("modules", "add_module"): _add_module, ("moduledict", "add_module"): _add_module,
    ("dict", "get"): _dict_get, ("dict", "keys"): _dict_view("keys"), ("dict", "values"): _dict_view("values"),
    ("dict", "items"): _dict_view("items"), ("moduledict", "keys"): _dict_view("keys"),
    ("moduledict", "values"): _dict_view("values"), ("moduledict", "items"): _dict_view("items"),
    ("dict", "update"): _update,
}


def string_method(obj: str, name: str, args, kwargs, node):
    if not all(is_constant(a) for a in args) or kwargs and name != "format":
        raise Unfollowable(f"str.{name}", node)
    if name == "format":
        if any("{" in str(a) for a in args) or re.search(r"\{[^}]*[:!][^}]*\}", obj):
            raise Unfollowable("str.format with a format spec", node)
        out = obj.format(*args, **kwargs)
    elif name == "join":
        items = args[0] if args else []
        if not all(isinstance(i, str) for i in items):
            raise Unfollowable("str.join", node)
        out = obj.join(items)
    else:
        out = getattr(obj, name)(*args)
    if isinstance(out, str) and len(out) > MAX_ITEMS:
        raise Unfollowable("a very long string", node)
    return out


def math_call(name: str, args: list, node):
    if not all(is_number(a) for a in args):
        raise Unfollowable(f"math.{name} of something not a number", node)
    functions = {"floor": math.floor, "ceil": math.ceil, "sqrt": math.sqrt, "log2": math.log2, "log": math.log,
                 "prod": lambda *a: math.prod(a), "gcd": math.gcd}
    if name not in functions:
        raise Unfollowable(f"math.{name}", node)
    try:
        if name == "prod":
            return math.prod(args)
        return functions[name](*args)
    except (ValueError, OverflowError, TypeError) as exc:
        raise Unfollowable(f"math.{name}: {exc}", node) from None


def _builtin(name):
    def wrap(fn):
        BUILTINS[name] = Builtin(name, fn)
        return fn
    return wrap


BUILTINS: dict = {}


def _numbers(name, args, node, count=None):
    if count is not None and len(args) != count:
        raise Unfollowable(f"{name} with {len(args)} arguments", node)
    if not all(is_number(a) for a in args):
        raise Unfollowable(f"{name} of {', '.join(describe(a) for a in args)}", node)


@_builtin("range")
def _range(args, kwargs, node):
    _numbers("range", args, node)
    if not 1 <= len(args) <= 3 or kwargs or not all(type(a) is int for a in args):
        raise Unfollowable("range", node)
    r = range(*args)
    if len(r) > MAX_ITEMS:
        raise Unfollowable(f"a range of {len(r):,} items", node)
    return list(r)


@_builtin("len")
def _len(args, kwargs, node):
    value = args[0] if len(args) == 1 else None
    if isinstance(value, (list, tuple, str, dict)):
        return len(value)
    if isinstance(value, (Sequential, ModuleList, ModuleDict)):
        return len(value.items)
    raise Unfollowable(f"len of {describe(value)}", node)


def _convert(kind):
    def convert(args, kwargs, node):
        if kwargs or len(args) > 1:
            raise Unfollowable(kind.__name__, node)
        if not args:
            return kind()
        value = args[0]
        if kind is int and isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                raise Unfollowable(f"int({value!r})", node) from None
        _numbers(kind.__name__, args, node)
        try:
            return kind(value)
        except (OverflowError, ValueError) as exc:
            raise Unfollowable(f"{kind.__name__}: {exc}", node) from None
    return convert


BUILTINS["int"] = Builtin("int", _convert(int))
BUILTINS["float"] = Builtin("float", _convert(float))
BUILTINS["bool"] = Builtin("bool", _convert(bool))


@_builtin("abs")
def _abs(args, kwargs, node):
    _numbers("abs", args, node, 1)
    return abs(args[0])


@_builtin("round")
def _round(args, kwargs, node):
    _numbers("round", args, node)
    if not 1 <= len(args) <= 2 or kwargs:
        raise Unfollowable("round", node)
    return round(*args)


def _minmax(fn):
    def apply(args, kwargs, node):
        values = list(args[0]) if len(args) == 1 and isinstance(args[0], (list, tuple)) else list(args)
        if kwargs or not values:
            raise Unfollowable(fn.__name__, node)
        _numbers(fn.__name__, values, node)
        return fn(values)
    return apply


BUILTINS["min"] = Builtin("min", _minmax(min))
BUILTINS["max"] = Builtin("max", _minmax(max))


@_builtin("sum")
def _sum(args, kwargs, node):
    values = list(args[0]) if args and isinstance(args[0], (list, tuple)) else None
    if values is None or kwargs or len(args) > 2:
        raise Unfollowable("sum", node)
    _numbers("sum", values, node)
    return sum(values, args[1] if len(args) > 1 else 0)


def _sequence(kind):
    def make(args, kwargs, node):
        if kwargs or len(args) > 1:
            raise Unfollowable(kind.__name__, node)
        if not args:
            return kind()
        value = args[0]
        if isinstance(value, (list, tuple, str, dict)):
            return kind(value)
        if isinstance(value, (Sequential, ModuleList)):
            return kind(value.items)
        raise Unfollowable(f"{kind.__name__} of {describe(value)}", node)
    return make


BUILTINS["list"] = Builtin("list", _sequence(list))
BUILTINS["tuple"] = Builtin("tuple", _sequence(tuple))


@_builtin("dict")
def _dict(args, kwargs, node):
    if len(args) > 1 or (args and not isinstance(args[0], dict)):
        raise Unfollowable("dict", node)
    out = dict(args[0]) if args else {}
    out.update(kwargs)
    return out


@_builtin("enumerate")
def _enumerate(args, kwargs, node):
    if not args or len(args) > 2 or kwargs:
        raise Unfollowable("enumerate", node)
    items = _sequence(list)([args[0]], {}, node)
    start = args[1] if len(args) > 1 else 0
    return [(start + i, v) for i, v in enumerate(items)]


@_builtin("zip")
def _zip(args, kwargs, node):
    if kwargs:
        raise Unfollowable("zip", node)
    return list(zip(*[_sequence(list)([a], {}, node) for a in args]))


@_builtin("reversed")
def _reversed(args, kwargs, node):
    return list(reversed(_sequence(list)(args, kwargs, node)))


@_builtin("sorted")
def _sorted(args, kwargs, node):
    items = _sequence(list)(args, {}, node)
    if kwargs or not all(is_number(i) for i in items) and not all(isinstance(i, str) for i in items):
        raise Unfollowable("sorted", node)
    return sorted(items)


@_builtin("isinstance")
def _isinstance(args, kwargs, node):
    if len(args) != 2:
        raise Unfollowable("isinstance", node)
    value, kinds = args
    kinds = kinds if isinstance(kinds, tuple) else (kinds,)
    types = {"int": int, "float": float, "str": str, "bool": bool, "tuple": tuple, "list": list, "dict": dict}
    if not is_constant(value) and not isinstance(value, dict):
        raise Unfollowable("isinstance of something not a constant", node)
    wanted = []
    for kind in kinds:
        if not (isinstance(kind, Builtin) and kind.name in types):
            raise Unfollowable("isinstance against a class convcalc does not follow", node)
        wanted.append(types[kind.name])
    return isinstance(value, tuple(wanted))


@_builtin("print")
def _print(args, kwargs, node):
    return None


@_builtin("super")
def _super(args, kwargs, node):
    raise Unfollowable("super() outside a method", node)


@_builtin("getattr")
def _getattr(args, kwargs, node):
    raise Unfollowable("getattr", node)


BUILTINS["object"] = Ref("builtins.object")


# ---------------------------------------------------------------- models of a file


class PythonModel:
    """One model of a Python file: the program, and what the lint checks need besides it."""

    def __init__(self, program: n.Program, sites: dict, complete: bool, unused: list, has_input: bool):
        self.program = program
        self.sites = sites  # id(emitted node) -> (Span in forward, layer id, origin)
        self.complete = complete  # forward was followed to its end
        self.unused = unused  # (Span of the assignment, attribute, class name)
        self.has_input = has_input


class FileModels:
    def __init__(self):
        self.models: list = []
        self.notes: list = []  # ConvcalcError(CC900) about the file itself
        self.problems: list = []  # ConvcalcError: malformed input comments

    @property
    def programs(self) -> list:
        return [m.program for m in self.models]


def models_from_source(text: str, path: str) -> list:
    """Every model of a Python file that convcalc can follow, as a Program named after it."""
    result = read_models(text, path)
    if result.problems:
        raise result.problems[0]
    if not result.programs:  # say why there is nothing to show (lint, which reads whole trees, only notes it)
        if result.notes:
            raise ConvcalcError(codes.SYNTAX, result.notes[0].message, result.notes[0].span)
        raise ConvcalcError(codes.SYNTAX, "no model found: convcalc reads nn.Module subclasses with a forward, and "
                                     "nn.Sequential(...) assigned to a name", Span(1, 1, 1, 2))
    return result.programs


def note(message: str, span: Span) -> ConvcalcError:
    return ConvcalcError(NOTE, message, span)


def read_models(text: str, path: str) -> FileModels:
    result = FileModels()
    src = Source(text, path)
    try:
        tree = ast.parse(text, filename=path)
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        line = getattr(exc, "lineno", None) or 1
        result.notes.append(note(f"not read: Python cannot parse this file ({getattr(exc, 'msg', exc)})",
                                 Span(line, 1, line, 2)))
        return result
    interp = Interp(src, tree)
    try:
        interp.run_module()
    except (Unfollowable, _Signal, RecursionError):
        pass
    interp.fresh_budget()
    candidates = find_candidates(interp, tree, src, result)
    nested = set()
    built = []
    for name, make, where, comment_nodes, kind in candidates:
        interp.fresh_budget()
        interp.building = []
        first_instance = len(interp.instances)
        try:
            value = make()
        except (Unfollowable, RecursionError) as exc:
            reason = exc.reason if isinstance(exc, Unfollowable) else "nested too deeply"
            at = exc.node if isinstance(exc, Unfollowable) and getattr(exc, "node", None) is not None else where
            result.notes.append(note(f"model {name}: not followed ({reason})", src.span(at)))
            continue
        except _Signal:
            continue
        if value is None:
            continue
        nested.update(cls for cls, depth in interp.building if depth > 0)
        built.append((name, value, where, comment_nodes, interp.instances[first_instance:], kind))
    classes = {value.cls for _, value, _, _, _, kind in built if kind == "class"}
    for name, value, where, comment_nodes, instances, kind in built:
        if kind == "class" and value.cls in nested and not input_comment(src, comment_nodes)[0]:
            continue  # a building block of another model of the file, checked there
        if kind == "factory" and isinstance(value, Instance) and value.cls in classes \
                and not input_comment(src, comment_nodes)[0]:
            continue  # def alexnet(**kwargs): return AlexNet(**kwargs): the class is checked
        model = trace_model(interp, src, name, value, where, comment_nodes, result, instances)
        if model is not None:
            result.models.append(model)
    return result


def find_candidates(interp: Interp, tree: ast.Module, src: Source, result: FileModels) -> list:
    """(name, make, node, comment nodes): classes, module-level modules, factory functions."""
    out = []
    seen_values = set()
    for stmt in tree.body:
        if isinstance(stmt, ast.ClassDef):
            cls = interp.globals.vars.get(stmt.name)
            if not isinstance(cls, ClassInfo) or not cls.module:
                continue
            init = cls.lookup("__init__")
            if isinstance(init, Function) and required_params(init, skip=1):
                if input_comment(src, [stmt])[0]:
                    result.notes.append(note(f"model {stmt.name}: __init__ needs arguments "
                                             f"({', '.join(required_params(init, skip=1))}); checked where it is used",
                                             src.span(stmt)))
                continue
            if cls.foreign:
                result.notes.append(note(f"model {stmt.name}: derives from {cls.foreign}, which convcalc does not "
                                         "follow", src.span(stmt)))
                continue
            out.append((stmt.name, lambda c=cls, s=stmt: interp.instantiate(c, [], {}, s), stmt, [stmt], "class"))
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                if not isinstance(target, ast.Name):
                    continue
                value = interp.globals.vars.get(target.id)
                if not isinstance(value, Module) or id(value) in seen_values:
                    continue
                seen_values.add(id(value))
                if isinstance(value, Instance) and isinstance(stmt.value, ast.Call) and not stmt.value.args \
                        and not stmt.value.keywords and isinstance(stmt.value.func, ast.Name) \
                        and stmt.value.func.id == value.cls.name:
                    continue  # model = Net(): the class itself is checked
                if isinstance(value, (Layer, Opaque, ModuleList, ModuleDict)):
                    continue
                comment = [stmt] + ([value.cls.node] if isinstance(value, Instance) else [])
                out.append((target.id, lambda v=value: v, stmt, comment, "value"))
        elif isinstance(stmt, ast.FunctionDef):
            func = interp.globals.vars.get(stmt.name)
            if not isinstance(func, Function) or required_params(func) or stmt.name.startswith("_"):
                continue

            def make(f=func, s=stmt):
                value = interp.invoke(f, [], {}, s)
                return value if isinstance(value, (Sequential, Instance)) else None

            out.append((stmt.name, make, stmt, [stmt], "factory"))
    return out


def required_params(func: Function, skip: int = 0) -> list:
    spec = func.node.args
    positional = [a.arg for a in list(getattr(spec, "posonlyargs", [])) + list(spec.args)][skip:]
    names = positional + [a.arg for a in spec.kwonlyargs]
    return [p for p in names if p not in func.defaults]


def input_comment(src: Source, nodes) -> tuple:
    """(Input node or None, problem or None) from `# convcalc: input 3x32x32` above one of ``nodes``."""
    for node in nodes:
        if node is None:
            continue
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        line = first - 1
        while line >= 1:
            text = src.lines[line - 1] if line <= len(src.lines) else ""
            stripped = text.strip()
            if not stripped.startswith("#"):
                break
            m = INPUT_COMMENT.search(text)
            if m:
                return parse_input_comment(text, line, m)
            line -= 1
    return None, None


def parse_input_comment(text: str, line: int, m) -> tuple:
    dims_text = m.group(1).rstrip()
    start = m.start(1) + 1
    span = Span(line, m.start() + 1, line, m.start(1) + 1 + len(dims_text))
    if not dims_text:
        return None, ConvcalcError(codes.SYNTAX, "`# convcalc: input` needs dimensions, e.g. # convcalc: input 3x32x32",
                                   span)
    dims = []
    offset = 0
    for piece in re.split("[x×]", dims_text):
        token = piece.strip()
        col = start + offset + (len(piece) - len(piece.lstrip()))
        dim_span = Span(line, col, line, col + max(1, len(token)))
        if re.fullmatch(r"\d+", token) and len(token) <= MAX_DIGITS:
            dims.append(n.Num(int(token), dim_span))
        elif re.fullmatch(r"[A-Za-z_][A-Za-z_0-9]*", token):
            dims.append(n.Name(token, dim_span))
        elif re.fullmatch(r"\d+", token):
            return None, ConvcalcError(codes.SYNTAX, f"a number of {len(token):,} digits in `# convcalc: input`; "
                                                f"numbers go up to 2**256 ({MAX_DIGITS} digits)", dim_span)
        else:
            return None, ConvcalcError(codes.SYNTAX, f"bad input dimension {token!r} in `# convcalc: input`: expected "
                                                "numbers or names joined by x, e.g. 3x32x32", dim_span)
        offset += len(piece) + 1
    return n.Input(tuple(dims), span), None


def trace_model(interp: Interp, src: Source, name: str, value, where, comment_nodes, result: FileModels,
                instances: list):
    given, problem = input_comment(src, comment_nodes + ([value.cls.node] if isinstance(value, Instance) else []))
    if problem is not None:
        result.problems.append(problem)
    interp.fresh_budget()
    trace = Trace()
    interp.trace = trace
    notes = []
    complete = True
    forward = value.cls.lookup("forward") if isinstance(value, Instance) else None
    start_node = forward.node if isinstance(forward, Function) else where
    x = trace.start(src.span(start_node))
    try:
        out = interp.call_module(value, [x], {}, None)
        if isinstance(out, Tensor):
            trace.use(out, src.span(start_node))
        elif trace.body:
            notes.append(note(f"model {name}: forward returns {describe(out)}; the shapes shown are those of the "
                              "last tensor computed", src.span(start_node)))
    except (Unfollowable, RecursionError) as exc:
        complete = False
        reason = exc.reason if isinstance(exc, Unfollowable) else "nested too deeply"
        at = exc.node if isinstance(exc, Unfollowable) and exc.node is not None else start_node
        notes.append(note(f"model {name}: stopped following forward here ({reason}); the layers before are "
                          "checked", src.span(at)))
    except _Signal:
        complete = False
    finally:
        interp.trace = None
    body = trace.finish()
    if not any(isinstance(s, (n.Call, n.Reshape)) for s in body):
        for item in notes:
            result.notes.append(item)
        if not notes:
            result.notes.append(note(f"model {name}: no layer to check", src.span(where)))
        return None
    program = n.Program(tuple(([given] if given is not None else []) + body), src.text, src.path, name,
                        tuple(notes), n.PYTHON)
    model = PythonModel(program, trace.sites, complete, [], given is not None)
    if complete:
        model.unused = unused_layers(interp, src, instances)
    return model


# ---------------------------------------------------------------- unused layers (CC211)

DYNAMIC = {"getattr", "setattr", "vars", "__dict__", "_modules", "modules", "children", "named_children",
           "named_modules", "apply", "state_dict", "__getattr__"}


def unused_layers(interp: Interp, src: Source, instances: list) -> list:
    """Layers an __init__ assigns to self that no method of the class (or code of the file) ever reads."""
    out = []
    done = set()
    if interp.external_reads is None:
        interp.external_reads = external_attribute_reads(interp.tree)
    external = interp.external_reads
    followed_bases = ("torch.nn.Module", "torch.nn.Sequential", "builtins.object")
    for obj in instances:
        cls = obj.cls
        if not obj.traced or cls in done or not isinstance(cls.lookup("forward"), Function):
            continue
        done.add(cls)
        family = cls.mro() + subclasses_of(interp).get(cls, [])
        if any(isinstance(b, Ref) and b.qname not in followed_bases for c in family for b in c.bases):
            continue
        reads, dynamic = self_reads(family)
        if dynamic:
            continue
        init = cls.namespace.get("__init__")
        if not isinstance(init, Function):
            continue
        for stmt in ast.walk(init.node):
            if not isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                continue
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                if not (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                        and target.value.id == "self"):
                    continue
                attr = target.attr
                value = obj.attrs.get(attr)
                if not isinstance(value, (Layer, Sequential, ModuleList, ModuleDict, Instance)):
                    continue
                if attr in reads or attr in external:
                    continue
                out.append((src.span(stmt), attr, cls.name))
    return out


def subclasses_of(interp: Interp) -> dict:
    """class -> the module's classes that derive from it: built once for all the models of a
    file (asked per model, it was quadratic in the number of classes)."""
    if interp.subclasses is None:
        interp.subclasses = {}
        for c in (v for v in interp.globals.vars.values() if isinstance(v, ClassInfo)):
            for base in c.mro()[1:]:
                interp.subclasses.setdefault(base, []).append(c)
    return interp.subclasses


def self_reads(classes) -> tuple:
    """Attributes read as self.NAME anywhere in these classes; True if some method reads them dynamically."""
    reads = set()
    dynamic = False
    for cls in classes:
        for item in cls.node.body:
            if not isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            nodes = list(ast.walk(item))
            owned = {id(node.value) for node in nodes if isinstance(node, ast.Attribute)}  # NAME.attr's NAMEs
            for node in nodes:
                if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
                    if isinstance(node.ctx, ast.Load):
                        reads.add(node.attr)
                        if node.attr in DYNAMIC and item.name != "__init__":
                            dynamic = True
                elif isinstance(node, ast.Name) and node.id in DYNAMIC and item.name != "__init__":
                    dynamic = True
                elif isinstance(node, ast.Name) and node.id == "self" and item.name != "__init__":
                    if id(node) not in owned:
                        dynamic = True  # self passed somewhere: anything may read it
    return reads, dynamic


def external_attribute_reads(tree: ast.Module) -> set:
    """NAME of every OBJ.NAME read in the file where OBJ is not self."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            if not (isinstance(node.value, ast.Name) and node.value.id == "self"):
                out.add(node.attr)
    return out
