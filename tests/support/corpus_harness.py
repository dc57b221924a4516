"""Running a corpus file in torch, and reading it with convcalc, for the oracle tests and for
bench/corpus_report.py.

torch side: the file is imported as a module of a package made for it (``corpus.<dir>``, whose
path is the file's directory, so that its sibling files import as in a project), with stub
modules for the torchvision internals the torchvision-style files import (``._api``,
``._utils``, ``..utils``, ``..ops.misc``, ...: the helpers and blocks are convcalc's own library
files, run here in torch, so that what convcalc reads is what torch runs); the model is built by an expression evaluated in the module,
measured in eval mode: parameters as model.parameters() counts them, the output shape, and
the output shape of every leaf module call, in call order (forward hooks).
"""
import importlib
import importlib.util
import os
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(os.path.dirname(HERE), "fixtures", "corpus")


def stub_torchvision(package: str) -> None:
    """The torchvision internals a torchvision-style model file imports, written small."""
    import enum
    import functools

    def module(name, **names):
        mod = types.ModuleType(name)
        mod.__dict__.update(names)
        sys.modules[name] = mod
        return mod

    class Weights:
        def __init__(self, url, transforms, meta):
            self.url, self.transforms, self.meta = url, transforms, meta

    class WeightsEnum(enum.Enum):
        @classmethod
        def verify(cls, obj):
            if obj is None or isinstance(obj, cls):
                return obj
            return cls[obj]

        def get_state_dict(self, *args, **kwargs):
            raise RuntimeError("no downloads in the tests")

    parent = package.rsplit(".", 1)[0]
    helpers = library("torchvision_models.py")  # the same helpers convcalc reads
    module(f"{package}._api", Weights=Weights, WeightsEnum=WeightsEnum, register_model=helpers["register_model"])
    module(f"{package}._utils", **{k: v for k, v in helpers.items() if not k.startswith("__")})
    module(f"{package}._meta", _IMAGENET_CATEGORIES=[f"class {i}" for i in range(1000)])
    module(f"{parent}.utils", _log_api_usage_once=helpers["_log_api_usage_once"])
    ops = library("torchvision_ops.py")  # torchvision's blocks as convcalc describes them, run in torch
    blocks = {k: v for k, v in ops.items() if not k.startswith("__")}
    module(f"{parent}.ops", __path__=[], **blocks)
    module(f"{parent}.ops.misc", **blocks)
    module(f"{parent}.ops.stochastic_depth", **blocks)
    try:  # ``from torchvision.ops import StochasticDepth``: the real one when torchvision is there
        importlib.import_module("torchvision.ops")
    except ImportError:
        module("torchvision", __path__=[])
        module("torchvision.ops", __path__=[], **blocks)
    module(f"{parent}.transforms", __path__=[])
    module(f"{parent}.transforms._presets", ImageClassification=functools.partial(lambda **kw: None))


def library(name: str) -> dict:
    """The namespace of one of convcalc's library files run in torch (the tests' own use of the
    package's data file: convcalc itself only reads it)."""
    import convcalc.frontends.python.imports as imports

    path = os.path.join(imports.LIBRARY_DIR, name)
    namespace = {"__name__": f"convcalc_library_{name[:-3]}"}
    exec(compile(open(path).read(), path, "exec"), namespace)
    return namespace


def load_module(relpath: str):
    """The corpus file ``relpath`` imported as a module of a package of its directory."""
    directory, stem = os.path.split(relpath)
    root = "corpus_" + directory.replace(os.sep, "_")
    package = f"{root}.models"
    for name, path in ((root, []), (package, [os.path.join(CORPUS, directory)])):
        if name not in sys.modules:
            mod = types.ModuleType(name)
            mod.__path__ = path
            sys.modules[name] = mod
    if directory == "torchvision" and f"{package}._api" not in sys.modules:
        stub_torchvision(package)
    return importlib.import_module(f"{package}.{stem[:-3]}")


# the corpus's subclasses of torch layers whose forward runs the layer itself on its own weights
# (F.conv2d / F.linear of self.weight): convcalc reads each call as the layer's
OWN_LAYERS = ("SameConv", "Head")


def measure_in_torch(relpath: str, build: str, shape: tuple):
    """(parameters, output shapes, [(layer name, output shape) of each leaf module call])."""
    import torch

    module = load_module(relpath)
    model = eval(build, vars(module))  # the test's own expression, on the test's own fixture
    model.eval()
    calls = []

    def hook(mod, args, out):
        if isinstance(out, torch.Tensor):
            calls.append((torch_base(type(mod)).__name__, tuple(out.shape[1:])))

    def torch_base(cls):
        return next(c for c in cls.__mro__ if c.__module__.startswith("torch.nn"))

    def own_layer(m) -> bool:
        """A subclass of a torch.nn layer, written in the file, that runs that layer on its own weights
        (F.conv2d(x, self.weight, ...) after its own padding): a call of the layer, as convcalc reads it."""
        base = torch_base(type(m))
        return type(m).__module__ != base.__module__ and base is not torch.nn.Module and \
            type(m).__name__ in OWN_LAYERS

    # the leaves of torch.nn (an empty nn.Sequential() shortcut is no layer; a module of the
    # file's own without children is followed into by convcalc, not counted as a call)
    leaves = [m for m in model.modules() if (not list(m.children()) and type(m).__module__.startswith("torch.nn")
                                              or own_layer(m))
              and not isinstance(m, (torch.nn.Sequential, torch.nn.ModuleList, torch.nn.ModuleDict))]
    handles = [m.register_forward_hook(hook) for m in leaves]
    shapes = shape if isinstance(shape[0], tuple) else (shape,)
    with torch.no_grad():
        out = model(*[torch.zeros(1, *s) for s in shapes])
    for handle in handles:
        handle.remove()
    outputs = [tuple(o.shape[1:]) for o in (out if isinstance(out, (tuple, list)) else (out,))]
    return sum(p.numel() for p in model.parameters()), outputs, calls


def read_with_convcalc(relpath: str, model: str, shape: tuple):
    """convcalc's analysis of ``model`` (a name or a call) of the corpus file, at ``shape``."""
    from convcalc.engine.shapes import analyse
    from convcalc.load import load_programs, parse_input_option

    path = os.path.join(CORPUS, relpath)
    text = open(path).read()
    dims = ", ".join("x".join(map(str, s)) for s in (shape if isinstance(shape[0], tuple) else (shape,)))
    override = parse_input_option(dims)
    [program] = load_programs(path, text, model, override)
    return analyse(program, override)


def layer_calls(analysis) -> list:
    """(layer name, output shape) of every row that is a call of a module object, in order."""
    from convcalc.layers.placement import placement

    # as the hooks record torch's outputs, their first dim left out: a tensor without a batch (a bias
    # table's MLP run in forward) has its own first dim there
    return [(row.name, tuple(row.shape)[1:] if placement(row.shape)[0] is None else tuple(row.shape))
            for row in analysis.rows if getattr(row.node, "instance", None) is not None]
