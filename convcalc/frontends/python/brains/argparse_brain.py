"""argparse as training scripts use it: a parser's arguments and their defaults, which
``parse_args()`` returns as the namespace (the command line is not known: its defaults are what a
script run without options uses). The namespace is a value of its own, so it stays known however
much later script code convcalc does not follow (recovery.py poisons what a statement writes)."""
from __future__ import annotations

from convcalc.frontends.python import pycore
from convcalc.frontends.python.brains import register
from convcalc.frontends.python.pycore import type_error
from convcalc.frontends.python.pyobjects import Args, Builtin, Ref, Unknown, Value, call
from convcalc.frontends.python.reasons import Unfollowable

class ArgumentParser(Value):
    """argparse.ArgumentParser: the defaults of its arguments, which parse_args() returns (the
    command line is not known: its defaults are what a script run without options uses)."""

    def __init__(self):
        self.defaults: dict = {}

    def describe(self) -> str:
        return "an argparse.ArgumentParser"

    def attr(self, frame, name, node):
        if name in ("add_argument_group", "add_mutually_exclusive_group"):
            return Builtin(name, lambda f, args, n: self)
        if name == "add_argument":
            return Builtin(name, lambda f, args, n: self.add_argument(f, args, n))
        if name == "set_defaults":
            return Builtin(name, lambda f, args, n: self.defaults.update(args.named))
        if name in ("parse_args", "parse_known_args"):
            def parse(f, args, n, known=name == "parse_known_args"):
                namespace = Namespace(dict(self.defaults))
                return (namespace, []) if known else namespace
            return Builtin(name, parse)
        if name in ("print_help", "print_usage", "error", "add_subparsers", "format_help"):
            return Builtin(name, lambda f, args, n: None)
        raise Unfollowable(f"ArgumentParser.{name}", node)

    def add_argument(self, frame, args: Args, node):
        flags = [v for v in args.values if isinstance(v, str)]
        named = args.named
        if not flags:
            raise type_error(frame, "add_argument needs a name", node)
        dest = named.get("dest")
        if dest is None:
            longs = [f for f in flags if f.startswith("--")]
            dest = (longs[0] if longs else flags[0]).lstrip("-").replace("-", "_")
        action = named.get("action")
        if "default" in named:
            default = named["default"]
        elif action == "store_true":
            default = False
        elif action == "store_false":
            default = True
        else:
            default = None
        kind = named.get("type")
        if isinstance(default, str) and kind is not None and not isinstance(kind, Ref):
            default = call(frame, kind, Args.of(default), node)
        self.defaults[dest] = default
        return None


class Namespace(Value):
    def __init__(self, values: dict):
        self.values = values

    def describe(self) -> str:
        return "an argparse.Namespace"

    def attr(self, frame, name, node):
        if name in self.values:
            value = self.values[name]
            if isinstance(value, Unknown):
                raise Unfollowable(f"{name} of the namespace is not known ({value.reason})", node)
            return value
        if name == "__dict__":
            return self.values  # vars(opt): the namespace's own dict, live as CPython's is
        raise pycore.attribute_error(frame, f"'Namespace' object has no attribute '{name}'", node)

    def set_attr(self, frame, name, value, node):
        self.values[name] = value

    def forget(self, name, reason: str) -> bool:
        if name is not None:  # opt.extra = some_library(...): that attribute; a call reading opt changes none
            self.values[name] = Unknown(reason)
        return True


def argument_parser(frame, qname, args, node):
    return ArgumentParser()


def namespace(frame, qname, args, node):
    return Namespace(dict(args.named))


register("argparse.ArgumentParser", argument_parser)
register("argparse.Namespace types.SimpleNamespace", namespace)
