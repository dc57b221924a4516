"""``inspect``'s questions about a value that model files ask to choose what to build
(pytorchcv's ``create_normalization_layer``: ``isfunction(normalization)`` tells a lambda that
makes a layer from a layer). Answered only where the value's kind is known; a library's name
(a Ref) may be a function or a class of C code: not guessed."""
from __future__ import annotations

from convcalc.frontends.python.brains import CONSTANTS, register
from convcalc.frontends.python.pyclasses import BuiltinType, ClassInfo, Instance
from convcalc.frontends.python.pyobjects import Args, BoundMethod, Builtin, Function, Partial, Ref, Value, describe, nn_class
from convcalc.frontends.python.reasons import Unfollowable
from convcalc.frontends.python.tensors import Tensor
from convcalc.frontends.python.torchobjects import Constant, Module

# values whose kind is known: neither a function, nor a class, nor a method
PLAIN = (Instance, Module, Tensor, Constant, Partial, Builtin, int, float, complex, str, bytes, bool, type(None), list, tuple,
         dict, set, frozenset)
# inspect's question -> the kinds of value it answers True for
QUESTIONS = {"isfunction": (Function,), "isclass": (ClassInfo, BuiltinType), "ismethod": (BoundMethod,)}
KNOWN = (Function, ClassInfo, BuiltinType, BoundMethod) + PLAIN


def ask(frame, qname: str, args: Args, node):
    name = qname.rsplit(".", 1)[-1]
    if len(args.values) != 1 or args.keywords:
        from convcalc.frontends.python.pycore import type_error

        raise type_error(frame, f"{name}() takes 1 positional argument but {len(args)} were given", node)
    value = args.values[0]
    if not isinstance(value, KNOWN):
        raise Unfollowable(f"inspect.{name} of {describe(value)}", node)
    return isinstance(value, QUESTIONS[name])


register([f"inspect.{name}" for name in QUESTIONS], ask)

# ``isinstance(fn, types.FunctionType)``: the types of the types module, as the same questions
TYPES_MODULE = {"types.FunctionType": (Function,), "types.LambdaType": (Function,), "types.MethodType": (BoundMethod,)}


def types_isinstance(value, qname: str, node) -> bool:
    """isinstance against a type of ``types`` where the value's kind is known; a library's class
    (``nn.BatchNorm2d``) is a class, not a function; any other library name is not guessed."""
    if isinstance(value, KNOWN) or value is None:
        return isinstance(value, TYPES_MODULE[qname])
    if isinstance(value, Ref):
        from convcalc.frontends.python.brains import ref_type

        if ref_type(value.qname) is not None:
            return False
    raise Unfollowable(f"isinstance of {describe(value)} against {qname}", node)


# ---------------------------------------------------------------- inspect.signature

# inspect.Parameter's kinds, as their integer values compare (an IntEnum in CPython)
KINDS = {"POSITIONAL_ONLY": 0, "POSITIONAL_OR_KEYWORD": 1, "VAR_POSITIONAL": 2, "KEYWORD_ONLY": 3, "VAR_KEYWORD": 4}
EMPTY = Ref("inspect.Parameter.empty")


class Fields(Value):
    """A value of the inspect module made of named fields (a Signature, a Parameter): read only."""

    def __init__(self, kind: str, fields: dict):
        self.kind, self.fields = kind, fields

    def describe(self) -> str:
        return f"an inspect.{self.kind}"

    def attr(self, frame, name, node):
        if name in self.fields:
            return self.fields[name]
        from convcalc.frontends.python.pycore import attribute_error

        raise attribute_error(frame, f"'{self.kind}' object has no attribute '{name}'", node)


def signature(frame, qname: str, args: Args, node):
    """``inspect.signature(fn).parameters`` of a function of the program (torchvision's
    kwonly_to_pos_or_kw decorator reads which parameters are keyword-only): names, kinds and
    defaults in order. A library's function or a builtin: not followed."""
    if len(args.values) != 1:
        raise Unfollowable("inspect.signature with these arguments", node)
    fn = args.values[0]
    if isinstance(fn, Ref) and layer_class(fn.qname) is not None:
        return layer_signature(layer_class(fn.qname))
    skip = 1 if isinstance(fn, BoundMethod) else 0
    fn = fn.func if isinstance(fn, BoundMethod) else fn
    if not isinstance(fn, Function) or not hasattr(fn.node, "args"):
        raise Unfollowable(f"inspect.signature of {describe(fn)}", node)
    spec = fn.node.args
    ordered = [(a, "POSITIONAL_ONLY") for a in getattr(spec, "posonlyargs", [])] + \
        [(a, "POSITIONAL_OR_KEYWORD") for a in spec.args]
    ordered += [(spec.vararg, "VAR_POSITIONAL")] if spec.vararg else []
    ordered += [(a, "KEYWORD_ONLY") for a in spec.kwonlyargs]
    ordered += [(spec.kwarg, "VAR_KEYWORD")] if spec.kwarg else []
    parameters = {}
    for arg, kind in ordered[skip:]:
        fields = {"name": arg.arg, "kind": KINDS[kind], "default": fn.defaults.get(arg.arg, EMPTY),
                  "empty": EMPTY, "annotation": EMPTY, **KINDS}
        parameters[arg.arg] = Fields("Parameter", fields)
    return Fields("Signature", {"parameters": parameters, "empty": EMPTY})


def layer_class(qname: str):
    """The catalogue's declaration of the torch.nn class ``qname`` names, or None."""
    from convcalc.layers.catalogue import REGISTRY

    return REGISTRY.get(nn_class(qname) or "")


def layer_signature(spec):
    """inspect.signature of a torch.nn class of the catalogue: its constructor as declared
    (LayerSpec.constructor, held to torch's by tests/oracle/test_signature_oracle.py)."""
    from convcalc.layers.registry import REQUIRED, TorchFunction

    parameters = {}
    for name, default in spec.constructor():
        if isinstance(default, TorchFunction):
            default = Ref(f"torch.nn.functional.{default}")
        kind = "VAR_KEYWORD" if name.startswith("**") else "VAR_POSITIONAL" if name.startswith("*") else \
            "POSITIONAL_OR_KEYWORD"
        bare = name.lstrip("*")
        parameters[bare] = Fields("Parameter", {"name": bare, "kind": KINDS[kind], "empty": EMPTY, "annotation": EMPTY,
                                                "default": EMPTY if default is REQUIRED or kind != "POSITIONAL_OR_KEYWORD"
                                                else default, **KINDS})
    return Fields("Signature", {"parameters": parameters, "empty": EMPTY})


register(["inspect.signature"], signature)
CONSTANTS["inspect.Parameter.empty"] = CONSTANTS["inspect.Signature.empty"] = EMPTY  # one object: `is` holds
