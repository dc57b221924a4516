"""Python's builtin exceptions as the interpreter raises them: the classes (``ValueError``,
``KeyError``, ...) as values the program catches, derives from and raises, their instances, and
the helpers that raise them where CPython would (a KeyError, a ZeroDivisionError)."""
from __future__ import annotations

from convcalc.frontends.python.pyclasses import BuiltinType, Instance
from convcalc.frontends.python.pyobjects import Value, describe
from convcalc.frontends.python.reasons import Raised

class PyException(Value):
    """An instance of a builtin exception type: ``ValueError("bad")``."""

    def __init__(self, cls: BuiltinType, args: tuple):
        self.cls, self.args = cls, tuple(args)

    def describe(self) -> str:
        return f"{self.cls.name}({', '.join(describe(a) for a in self.args)})"

    def pytype(self):
        return self.cls

    def attr(self, frame, name, node):
        if name == "args":
            return self.args
        if name == "__class__":
            return self.cls
        return super().attr(frame, name, node)


def _exception_type(name: str, parent: BuiltinType = None) -> BuiltinType:
    kind = BuiltinType(name, None, None, parent, exception=True)
    kind.make = lambda frame, args, node, k=kind: PyException(k, tuple(args.values))
    return kind


BASE_EXCEPTION = _exception_type("BaseException")
EXCEPTION = _exception_type("Exception", BASE_EXCEPTION)
EXCEPTIONS = {"BaseException": BASE_EXCEPTION, "Exception": EXCEPTION}
for _name, _parent in (("ArithmeticError", "Exception"), ("ZeroDivisionError", "ArithmeticError"),
                       ("OverflowError", "ArithmeticError"), ("LookupError", "Exception"),
                       ("IndexError", "LookupError"), ("KeyError", "LookupError"), ("ValueError", "Exception"),
                       ("TypeError", "Exception"), ("AttributeError", "Exception"), ("NameError", "Exception"),
                       ("UnboundLocalError", "NameError"), ("RuntimeError", "Exception"),
                       ("NotImplementedError", "RuntimeError"), ("RecursionError", "RuntimeError"),
                       ("AssertionError", "Exception"), ("StopIteration", "Exception"),
                       ("ImportError", "Exception"), ("ModuleNotFoundError", "ImportError"),
                       ("OSError", "Exception"), ("FileNotFoundError", "OSError"), ("EOFError", "Exception"),
                       ("UnicodeError", "ValueError"), ("Warning", "Exception"), ("UserWarning", "Warning"),
                       ("DeprecationWarning", "Warning"), ("FutureWarning", "Warning"),
                       ("RuntimeWarning", "Warning"), ("KeyboardInterrupt", "BaseException"),
                       ("SystemExit", "BaseException"), ("GeneratorExit", "BaseException")):
    EXCEPTIONS[_name] = _exception_type(_name, EXCEPTIONS[_parent])


def raise_error(frame, name: str, args: tuple, node) -> Raised:
    """The exception CPython raises here, as the program would see it (raise the result)."""
    return Raised(PyException(EXCEPTIONS[name], args), node)


def type_error(frame, message: str, node) -> Raised:
    return raise_error(frame, "TypeError", (message,), node)


def value_error(frame, message: str, node) -> Raised:
    return raise_error(frame, "ValueError", (message,), node)


def attribute_error(frame, message: str, node) -> Raised:
    return raise_error(frame, "AttributeError", (message,), node)


def exception_text(value) -> str:
    """``str(e)`` of an exception object."""
    args = value.args if isinstance(value, PyException) else value.attrs.get("args", ()) if isinstance(
        value, Instance) else ()
    if isinstance(value, PyException) and value.cls.name == "KeyError" and len(args) == 1:
        return repr(args[0])
    if not args:
        return ""
    from convcalc.frontends.python.reprs import to_str

    return to_str(None, args[0], None) if len(args) == 1 else to_str(None, tuple(args), None)
