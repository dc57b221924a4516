"""The builtins that look into objects and into the running code: ``callable``, ``hasattr``,
``getattr``, ``setattr``, ``delattr``, ``vars``, ``locals``, ``super`` and the ``staticmethod``,
``classmethod`` and ``property`` decorators (registered in builtins.BUILTINS)."""
from __future__ import annotations

from convcalc.frontends.python import pycore
from convcalc.frontends.python.builtins import BUILTINS, arity, builtin
from convcalc.frontends.python.pyclasses import ClassInfo, Instance, SuperProxy
from convcalc.frontends.python.pycore import EXCEPTIONS, isinstance_of, type_error
from convcalc.frontends.python.pyobjects import Builtin, Function, Unknown
from convcalc.frontends.python.reasons import Unfollowable


@builtin("callable")
def _callable(frame, args, node):
    (value,) = arity(frame, "callable", args, 1, 1)
    return pycore.is_callable(value)


@builtin("hasattr")
def _hasattr(frame, args, node):
    obj, name = arity(frame, "hasattr", args, 2, 2)
    if not isinstance(name, str):
        raise type_error(frame, "hasattr(): attribute name must be string", node)
    from convcalc.frontends.python.evaluate import get_attr
    from convcalc.frontends.python.reasons import Raised

    try:
        get_attr(frame, obj, name, node)
        return True
    except Raised as exc:
        if isinstance_of(frame, exc.value, EXCEPTIONS["AttributeError"], node):
            return False
        raise


@builtin("getattr")
def _getattr(frame, args, node):
    values = arity(frame, "getattr", args, 2, 3)
    obj, name = values[0], values[1]
    if not isinstance(name, str):
        raise type_error(frame, "attribute name must be string", node)
    from convcalc.frontends.python.evaluate import get_attr
    from convcalc.frontends.python.reasons import Raised

    try:
        return get_attr(frame, obj, name, node)
    except Raised as exc:
        if len(values) == 3 and isinstance_of(frame, exc.value, EXCEPTIONS["AttributeError"], node):
            return values[2]
        raise


@builtin("setattr")
def _setattr(frame, args, node):
    obj, name, value = arity(frame, "setattr", args, 3, 3)
    if not isinstance(name, str):
        raise type_error(frame, "attribute name must be string", node)
    from convcalc.frontends.python.evaluate import set_attr

    set_attr(frame, obj, name, value, node)


@builtin("delattr")
def _delattr(frame, args, node):
    obj, name = arity(frame, "delattr", args, 2, 2)
    if isinstance(obj, Instance) and name in obj.attrs:
        del obj.attrs[name]
        return None
    raise Unfollowable(f"delattr of {name}", node)


@builtin("vars")
def _vars(frame, args, node):
    """vars(obj): the object's __dict__, as the object gives it (vars() alone: the locals, not followed)."""
    if not args.values:
        raise Unfollowable("vars() of the running code's names", node)
    (value,) = arity(frame, "vars", args, 1, 1)
    from convcalc.frontends.python.evaluate import get_attr

    return get_attr(frame, value, "__dict__", node)


@builtin("locals")
def _locals(frame, args, node):
    """locals(): a snapshot of the running code's names (set_attributes(self, locals()))."""
    arity(frame, "locals", args, 0, 0)
    if frame.scope.kind == "module":
        raise Unfollowable("locals() at module level (the module's live namespace)", node)
    names = {k: v for k, v in frame.scope.vars.items() if not k.startswith("<")}
    unknown = next((k for k, v in names.items() if isinstance(v, Unknown)), None)
    if unknown is not None:
        raise Unfollowable(f"locals() while {unknown} is not known ({names[unknown].reason})", node)
    return names


@builtin("super")
def _super(frame, args, node):
    values = args.values
    if values:
        if len(values) != 2 or not isinstance(values[0], ClassInfo):
            raise Unfollowable("super(...) with other arguments", node)
        return SuperProxy(values[0], values[1])
    function = frame.function
    if function is None or function.owner is None or not function.node.args.args:
        raise Unfollowable("super() outside a method", node)
    first = function.node.args.args[0].arg
    owner = frame.scope.find(first)
    if owner is None:
        raise Unfollowable("super() without its first argument", node)
    return SuperProxy(function.owner, owner.vars[first])


def _decorator_kind(kind: str):
    def wrap(frame, args, node):
        (func,) = arity(frame, kind, args, 1, 1)
        if isinstance(func, Function):
            func.kind = kind
            return func
        raise Unfollowable(f"{kind} of {pycore.describe(func)}", node)
    return wrap


for _kind in ("staticmethod", "classmethod", "property"):
    BUILTINS[_kind] = Builtin(_kind, _decorator_kind(_kind))
