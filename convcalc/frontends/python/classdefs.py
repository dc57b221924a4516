"""Class statements: the bases evaluated, the body run in a scope of its own, the methods bound to
the class, what the bases make of it (an nn.Module, a container, a catalogue layer, an Enum, a
NamedTuple, an exception), and the class decorators (``@dataclass``)."""
from __future__ import annotations

import ast

from convcalc.binding import MISSING
from convcalc.frontends.python.machine import Scope
from convcalc.frontends.python.pyclasses import CONTAINERS, MODULE_BASES, OBJECT, BuiltinType, ClassInfo, MroError
from convcalc.frontends.python.pyexceptions import type_error
from convcalc.frontends.python.pyobjects import Args, Function, Ref, Unknown, call, invoke, nn_class
from convcalc.frontends.python.reasons import Raised, Unfollowable


def catalogue_layer(qname: str):
    """The layer of the catalogue that ``qname`` (torch.nn.LayerNorm) names, or None."""
    from convcalc.layers.catalogue import REGISTRY

    short = nn_class(qname)
    return short if short in REGISTRY else None


def decorator_name(node) -> str:
    """dataclass of ``@dataclass``, ``@dataclasses.dataclass`` and ``@dataclass(frozen=True)``."""
    node = node.func if isinstance(node, ast.Call) else node
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")


ENUM_BASES = {"enum.Enum": None, "enum.IntEnum": int, "enum.StrEnum": str, "enum.Flag": None, "enum.IntFlag": int}
NAMEDTUPLE_BASES = ("typing.NamedTuple",)
DATASET_BASES = ("torch.utils.data.Dataset", "torch.utils.data.dataset.Dataset", "torch.utils.data.IterableDataset")


def inherit(cls: ClassInfo) -> None:
    """What the bases make of a class: an nn.Module, a container, a catalogue layer's subclass, a
    class of a base convcalc does not follow."""
    for base in cls.bases:
        if isinstance(base, ClassInfo) and cls.module and base.foreign and not base.module:
            cls.mixins += (base.foreign,) + base.mixins  # class Model(nn.Module, HubMixin): a mixin after the module
            continue
        if isinstance(base, ClassInfo):
            cls.module |= base.module
            cls.container = cls.container or base.container
            cls.foreign = cls.foreign or base.foreign
            cls.mixins += base.mixins
            cls.dataset = cls.dataset or base.dataset
            cls.layer = cls.layer or base.layer
            if base.enum is not None and cls.enum is None:
                cls.enum, cls.enum_type = {}, base.enum_type
            if base.namedtuple is not None and cls.namedtuple is None:
                cls.namedtuple = base.namedtuple  # class Size(namedtuple("Size", "h w")): its fields
        elif isinstance(base, Ref) and base.qname in MODULE_BASES:
            cls.module = True
        elif isinstance(base, Ref) and base.qname in CONTAINERS:
            cls.module, cls.container = True, CONTAINERS[base.qname]
        elif isinstance(base, Ref) and catalogue_layer(base.qname):
            cls.module, cls.layer = True, catalogue_layer(base.qname)
        elif isinstance(base, Ref) and base.qname in ENUM_BASES:
            cls.enum, cls.enum_type = {}, ENUM_BASES[base.qname]
        elif isinstance(base, Ref) and base.qname in NAMEDTUPLE_BASES:
            cls.namedtuple = ()
        elif isinstance(base, Ref) and base.qname in DATASET_BASES:
            cls.dataset = True  # a plain class to convcalc: what a DataLoader of it gives is the transform's
        elif isinstance(base, Ref) and base.qname not in ("builtins.object", "typing.Generic", "abc.ABC",
                                                           "typing.Protocol"):
            if cls.module and not cls.foreign:
                cls.mixins += (base.qname,)
            else:
                cls.foreign = base.qname


def define_class(frame, stmt: ast.ClassDef) -> None:
    bases = []
    for base in stmt.bases:
        try:
            bases.append(frame.eval(base))
        except Unfollowable as exc:
            bases.append(Ref(f"<{exc.reason}>"))
    bases = [b for b in bases if not (isinstance(b, Ref) and b.qname.endswith("[]"))] or [OBJECT]
    for keyword in stmt.keywords:  # metaclass=ABCMeta: nothing convcalc follows depends on it
        frame.eval(keyword.value)
    try:
        cls = ClassInfo(stmt.name, stmt, bases, {})
    except MroError:
        raise type_error(frame, "Cannot create a consistent method resolution order (MRO)", stmt) from None
    cls.path = frame.src.path
    cls.qualname = frame.scope.prefix() + stmt.name
    inherit(cls)
    body = Scope(frame.scope, "class")
    body.qualname = cls.qualname
    frame.child(body).exec(stmt.body, tolerant=True)
    for name, value in body.vars.items():
        if isinstance(value, Function):
            value.owner = cls
        cls.namespace[name] = value
    if cls.enum is not None:
        make_enum(frame, cls, stmt)
    if any(isinstance(b, Ref) and b.qname in NAMEDTUPLE_BASES for b in bases):
        make_namedtuple(cls, stmt)
    init_subclass(frame, cls, stmt)
    frame.scope.vars[stmt.name] = decorate_class(frame, stmt, cls, body)


def decorate_class(frame, stmt, cls: ClassInfo, body: Scope):
    value = cls
    for decorator in reversed(stmt.decorator_list):
        if decorator_name(decorator) == "dataclass":
            make_dataclass(frame, cls, stmt, body)
            options = {k.arg: k.value for k in decorator.keywords} if isinstance(decorator, ast.Call) else {}
            if not (isinstance(options.get("eq"), ast.Constant) and options["eq"].value is False):
                frozen = isinstance(options.get("frozen"), ast.Constant) and options["frozen"].value is True
                dataclass_eq(frame, cls, stmt, frozen)
            continue
        try:
            made = frame.eval(decorator)
            from convcalc.frontends.python.brains import passes_through

            if passes_through(made):
                raise Unfollowable("a decorator convcalc does not follow", decorator)
            value = call(frame, made, Args([(value, stmt)]), decorator)
        except (Unfollowable, Raised):
            frame.machine.notes.append(frame.note(f"@{frame.segment(decorator)} on {stmt.name} is taken as passing "
                                                  "the class through", decorator))
    return value


def make_dataclass(frame, cls: ClassInfo, stmt: ast.ClassDef, body: Scope) -> None:
    """@dataclass: the fields are the class's annotated names after its bases' ones, and
    ``__init__`` (unless the class writes its own) sets each from its argument."""
    fields = dict(next((c.fields for c in cls.mro()[1:] if isinstance(c, ClassInfo) and c.fields is not None), {}))
    for item in stmt.body:
        if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name) \
                and "ClassVar" not in frame.segment(item.annotation):
            value = body.vars.get(item.target.id, MISSING) if item.value is not None else MISSING
            if isinstance(value, Ref) and value.qname.startswith("dataclasses.field"):
                value = MISSING
            fields[item.target.id] = value
    cls.fields = fields
    if "__init__" in cls.namespace:
        return
    names = list(fields)
    init = ast.FunctionDef(
        name="__init__", args=ast.arguments(posonlyargs=[], args=[ast.arg("self")] + [ast.arg(f) for f in names],
                                            kwonlyargs=[], kw_defaults=[], defaults=[]),
        body=[ast.Assign(targets=[ast.Attribute(ast.Name("self", ast.Load()), f, ast.Store())],
                         value=ast.Name(f, ast.Load())) for f in names] or [ast.Pass()],
        decorator_list=[], returns=None)
    post = cls.lookup("__post_init__")
    if isinstance(post, Function):
        init.body.append(ast.Expr(ast.Call(ast.Attribute(ast.Name("self", ast.Load()), "__post_init__", ast.Load()),
                                           [], [])))
    for node in ast.walk(init):
        ast.copy_location(node, stmt)
    defaults = {f: v for f, v in fields.items() if v is not MISSING}
    method = Function(init, frame.scope, defaults, src=frame.src)
    method.owner = cls
    cls.namespace["__init__"] = method


def make_enum(frame, cls: ClassInfo, stmt: ast.ClassDef) -> None:
    """An Enum's members: each class attribute that is not a method, with its name and value."""
    from convcalc.frontends.python.pyclasses import Instance

    auto = 1
    for name, value in list(cls.namespace.items()):
        if name.startswith("_") or isinstance(value, (Function, Unknown)):
            continue
        if isinstance(value, Ref) and value.qname == "enum.auto()":
            value, auto = auto, auto + 1
        member = Instance(cls, stmt)
        member.attrs.update({"_name_": name, "_value_": value, "name": name, "value": value})
        if isinstance(value, (int, str, float)) and (cls.enum_type is not None or any(
                isinstance(b, BuiltinType) and b.py in (int, str, float) for b in cls.mro())):
            member.native = value
        cls.enum[name] = member
        cls.namespace[name] = member


def make_namedtuple(cls: ClassInfo, stmt: ast.ClassDef) -> None:
    """class Point(NamedTuple): x: int; y: int = 0: the fields, in order, with their defaults."""
    fields = []
    for item in stmt.body:
        if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            fields.append(item.target.id)
    cls.namedtuple = tuple(fields)


def init_subclass(frame, cls: ClassInfo, stmt: ast.ClassDef) -> None:
    """A base's ``__init_subclass__`` runs for each new subclass (an implicit classmethod), with the
    class statement's keywords."""
    for base in cls.mro()[1:]:
        if isinstance(base, ClassInfo) and "__init_subclass__" in base.namespace:
            hook = base.namespace["__init_subclass__"]
            if isinstance(hook, Function):
                keywords = [(k.arg, frame.eval(k.value), k.value, k) for k in stmt.keywords
                            if k.arg not in (None, "metaclass")]
                invoke(frame, hook, Args([(cls, stmt)], keywords), stmt)
            return


def dataclass_eq(frame, cls: ClassInfo, stmt: ast.ClassDef, frozen: bool) -> None:
    """A dataclass's ``__eq__`` compares the tuples of its fields (objects of the same class only);
    without ``frozen=True`` its instances are unhashable, as Python makes them."""
    if "__eq__" in cls.namespace:
        return
    names = list(cls.fields or {})
    mine = "".join(f"self.{f}, " for f in names)
    theirs = "".join(f"other.{f}, " for f in names)
    tree = ast.parse("def __eq__(self, other):\n"
                     "    if other.__class__ is self.__class__:\n"
                     f"        return ({mine}) == ({theirs})\n"
                     "    return NotImplemented\n")  # parsed, never run: field names are identifiers
    method = tree.body[0]
    for node in ast.walk(method):
        ast.copy_location(node, stmt)
        node.end_lineno, node.end_col_offset = stmt.lineno, stmt.col_offset + 1
    function = Function(method, frame.scope, {}, src=frame.src)
    function.owner = cls
    cls.namespace["__eq__"] = function
    if not frozen and "__hash__" not in cls.namespace:
        cls.namespace["__hash__"] = None
