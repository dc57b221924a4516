"""What a layer is: its PyTorch signature, its rule and its traits, registered by name.

A family module registers its layers with ``@register(names, required, traits=..., **defaults)``;
the rule receives the bound arguments (:class:`Args`) and the incoming shape of one sample
(channels first, no batch) and returns a ``Result`` or raises ``LayerError``
(convcalc/layers/common.py). The :class:`Traits` say what the rest of convcalc needs to know
about a layer without testing its name.
"""
from __future__ import annotations

from typing import Optional

from convcalc import codes
from convcalc.binding import MISSING, BindError, bind
from convcalc.errors import Record, did_you_mean
from convcalc.layers.common import LayerError, fmt_value, is_int, is_size
from convcalc.symbolic.dims import Dim, is_symbolic

REQUIRED = object()


class TorchFunction(str):
    """A default that torch gives as a function of torch.nn.functional (TransformerEncoderLayer's
    ``activation=F.relu``), declared by its name, as convcalc binds it; inspect.signature shows the
    function (frontends/python/brains/inspect_brain.py)."""


class Traits(Record):
    """What other modules may ask of a layer instead of its name.

    * ``rank``: spatial dims it acts on (Conv2d: 2), None for rank-free layers;
    * ``exact_rank``: its input is exactly channels + ``rank`` dims (a convolution; not a pool,
      which also takes a sample without channels, nor BatchNorm1d), so that a first layer tells
      the model's input;
    * ``channels`` / ``features``: the argument that must equal the incoming channels (dim 0) /
      last dimension (``in_features``);
    * ``equals``: the checks an input size must pass by equality, ((argument, axis, kind), ...)
      or a function (values, shape) -> [(axis, value, kind)] (convcalc inputs relaxes these);
    * ``geometry``: the arguments that bound a spatial size (kernels, strides, paddings, scales);
    * ``field``: how the receptive field goes through it (convcalc/metrics/rules.py), None when
      the layer keeps it (element-wise layers, norms);
    * ``transposed``, ``lazy`` (in_channels from the input), ``cancels_bias`` (a norm that subtracts
      the per-channel mean), ``keeps_rank`` (any rank in, the same rank and last dim semantics
      out: Linear, activations, dropout), ``drops_channels`` (Dropout1d/2d/3d),
      ``int_buffers`` (buffers kept as int64 whatever the dtype: num_batches_tracked), ``mode``
      (the interpolation of an upsampling layer without a mode argument), ``divides`` (a size
      check that is not a threshold: a size must be divisible by something, PixelUnshuffle's
      factor; every other layer accepts all sizes from its smallest on, convcalc/inputs/decide.py),
      ``indices`` (its input holds integer indices, not values: Embedding), ``implicit_dim`` (a
      ``dim=None`` that torch picks by the input's rank, with a warning: Softmax, LogSoftmax),
      ``channel_window`` (each output reads a window across the channels: LocalResponseNorm),
      ``batch``: where the layer takes the batch of each operand, a function (values, ranks) ->
      one full-tensor axis per operand (None: the operand holds no batch, an unbatched sequence),
      for layers that do not take it first (``nn.LSTM`` without ``batch_first``); None: first;
      ``mixes``: the layer mixes the positions of its per-sample dims (a recurrence, attention),
      so the batch must stand exactly where it takes it (element-wise and row-wise layers, those
      with ``keeps_rank`` or ``rows``, accept it anywhere among the dims they do not act on);
      ``rows``: the layer acts on each position alone, over its last dims (LayerNorm, Softmax over
      a dim, Embedding), so the batch may stand at any other dim; ``axes``: a layer that only
      rearranges dims (Flatten, Unflatten) names its dim arguments, as an operation's ``axes``
      (convcalc/layers/operations.py), so that it may fold the batch (``flatten(0, 1)``); a
      row-wise layer names its ``dim`` (Softmax), which must not be the batch's;
      ``probe``: a layer of several operands, or of a rank its traits do not tell, names operands
      it accepts, (values) -> one shape per operand, so that its parameters are known when no walk
      runs it (convcalc/engine/probe.py);
      ``counted``: what the counting tools' tables know the layer as (convcalc/metrics/conventions.py):
      its class without ``Lazy`` and without its rank (Conv2d, LazyConv3d: ``Conv``; MaxPool1d:
      ``MaxPool``), set by :func:`register`; the rank is ``rank``.
    """

    __slots__ = ("rank", "exact_rank", "channels", "features", "equals", "geometry", "field", "transposed", "lazy",
                 "cancels_bias", "keeps_rank", "drops_channels", "int_buffers", "mode", "divides", "indices",
                 "implicit_dim", "channel_window", "batch", "mixes", "rows", "axes", "probe", "counted")
    _defaults = {"mode": None, "rank": None, "exact_rank": False, "channels": None, "features": None, "equals": (),
                 "geometry": (), "field": None, "transposed": False, "lazy": False, "cancels_bias": False,
                 "keeps_rank": False, "drops_channels": False, "int_buffers": 0, "divides": False,
                 "indices": False, "implicit_dim": False, "channel_window": False,
                 "batch": None, "mixes": False, "rows": False, "axes": (), "probe": None, "counted": ""}

    def _replace(self, **changes) -> "Traits":
        return Traits(**{**{name: getattr(self, name) for name in self.__slots__}, **changes})

    def with_rank(self, rank: int) -> "Traits":
        return self._replace(rank=rank)

    def equalities(self, values: dict, shape: tuple) -> list:
        """(axis, required size, kind) of the equality checks on ``shape``."""
        if callable(self.equals):
            return self.equals(values, shape)
        out = []
        for arg, axis, kind in self.equals:
            value = values.get(arg)
            if is_size(value) and shape and -len(shape) <= axis < len(shape):
                out.append((axis % len(shape), value, kind))
        return out


PLAIN = Traits()


class LayerSpec(Record):
    """name; params: ((name, default or REQUIRED), ...) of its constructor, in PyTorch's order;
    rule; family; var_args: Identity(*args, **kwargs); traits. What its ``forward`` takes:
    ``operands``, the names of its tensors (a name ending in ``?`` may be None: an optional
    mask); ``call_params``, its other arguments ((name, default), ...), bound into the same Args
    as the constructor's; ``outputs``: None for one tensor out, or (args) -> the names of its
    outputs when it gives several (MaxPool2d(return_indices=True): output and indices); a name
    may be nested in a tuple, as the forward returns it (``nn.LSTM``: output, (h_n, c_n)), and
    None stands for an output that is None (``MultiheadAttention(need_weights=False)``'s weights).
    The rule is called with one shape per operand (None for an absent optional one).
    ``signature``: the forward's parameters in Python's order, where it is not the operands then
    ``call_params`` (``MultiheadAttention``: need_weights before attn_mask); ``packs``: forward
    parameters that take a tuple of operands, ((parameter, (operand, ...)), ...) (``nn.LSTM``'s
    hx = (h_0, c_0)). ``init_names``: the constructor's parameters as ``inspect.signature`` names them,
    where they are not ``params`` (``nn.Sigmoid``: ``*args, **kwargs``, it has no ``__init__`` of its
    own; a deprecated alias torch still takes)."""

    __slots__ = ("name", "params", "rule", "family", "var_args", "traits", "operands", "call_params", "outputs",
                 "signature", "packs", "init_names")
    _defaults = {"var_args": False, "traits": PLAIN, "operands": ("input",), "call_params": (), "outputs": None,
                 "signature": None, "packs": (), "init_names": None}

    def constructor(self) -> tuple:
        """((name, default or REQUIRED), ...) as inspect.signature gives the class's parameters; a
        name ``*args`` or ``**kwargs`` is one that collects the rest."""
        if self.init_names is None:
            return self.params
        defaults = dict(self.params)
        return tuple((name, defaults.get(name, None if name[0] != "*" else REQUIRED)) for name in self.init_names)

    def forward_names(self) -> tuple:
        """The forward's parameters in Python's order, a pack standing for its operands."""
        if self.signature is not None:
            return self.signature
        packed = {name for _, names in self.packs for name in names}
        firsts = {names[0]: pack for pack, names in self.packs}
        names = [firsts.get(o.rstrip("?"), o.rstrip("?")) for o in self.operands
                 if o.rstrip("?") not in packed or o.rstrip("?") in firsts]
        return tuple(names) + tuple(p for p, _ in self.call_params)

    def output_names(self, args: "Args") -> tuple:
        """The names of its tensors out, flat, for these arguments: one ("output",) unless it gives several."""
        return tuple(_leaves(self.output_structure(args)))

    def output_structure(self, args: "Args"):
        """The names of its outputs as its forward returns them: a name, or a (nested) tuple of
        names and None."""
        made = self.outputs(args) if self.outputs is not None else "output"
        return made[0] if isinstance(made, tuple) and len(made) == 1 and isinstance(made[0], str) else made

    def returned(self, args: "Args", tensors: tuple):
        """``tensors`` (one per name of :meth:`output_names`) in the structure its forward returns."""
        found = iter(tensors)

        def build(item):
            if item is None:
                return None
            if isinstance(item, tuple):
                return tuple(build(i) for i in item)
            return next(found)
        return build(self.output_structure(args))

    def bind_call(self, args: "Args", kwargs: dict) -> "Args":
        """``args`` with the forward's own arguments (``call_params``) bound in by name."""
        if not kwargs and not self.call_params:
            return args
        names = dict(self.call_params)
        for key in kwargs:
            if key not in names:
                hint = did_you_mean(key, list(names), "", cutoff=0.5)
                raise LayerError(codes.ARGUMENT, f"{self.name}'s forward has no argument {key!r}{hint}", arg=key)
        values = dict(args.values)
        values.update({name: kwargs.get(name, default) for name, default in self.call_params})
        bound = Args(self.name, values, self.traits)
        bound.padded_tail = args.padded_tail
        return bound

    def bind(self, args: tuple, kwargs: dict) -> "Args":
        """Bind like Python: positional, then keywords, then defaults."""
        if self.var_args:
            return Args(self.name, {}, self.traits)
        defaults = dict(self.params)
        try:
            bound, _, _ = bind(self.name, [p for p, _ in self.params], args, kwargs,
                               lambda name, _: MISSING if defaults[name] is REQUIRED else defaults[name])
        except BindError as exc:
            raise LayerError(codes.ARGUMENT, exc.message, arg=exc.key) from None
        if self.family == "conv" and not self.traits.transposed:
            expand_single(bound)
        return Args(self.name, bound, self.traits)


def expand_single(bound: dict) -> None:
    """A convolution's stride, dilation or zero padding of one item is that value on every dim, as
    torch's convolution expands it (Conv2d(3, 8, 3, stride=[2]) keeps (2,) and strides 2 on both);
    its kernel_size is not (a (3,) kernel makes a weight torch's forward refuses)."""
    for name in ("stride", "dilation") + (("padding",) if bound.get("padding_mode", "zeros") == "zeros" else ()):
        value = bound.get(name)
        if isinstance(value, (tuple, list)) and len(value) == 1 and type(value[0]) is int:
            bound[name] = value[0]


def _leaves(item):
    if isinstance(item, tuple):
        for each in item:
            yield from _leaves(each)
    elif item is not None:
        yield item


REGISTRY: dict[str, LayerSpec] = {}


def counted_as(name: str) -> str:
    """The family a counting tool's table knows a layer by: LazyConv2d and Conv1d are Conv,
    UpsamplingNearest2d is UpsamplingNearest (the rank is a trait of its own)."""
    bare = name[len("Lazy"):] if name.startswith("Lazy") else name
    return bare[:-2] if len(bare) > 2 and bare[-2] in "123" and bare[-1] == "d" else bare


def register(names, required: str = "", family: str = "", var_args: bool = False, traits: Traits = PLAIN,
             ranks: tuple = (), operands: str = "input", call_params: tuple = (), outputs=None, signature=None,
             packs: tuple = (), init_names: str = "", **defaults):
    """``required`` is a space-separated list; ``defaults`` keep PyTorch's order; ``ranks``, one
    per name, is each layer's spatial rank (Conv1d Conv2d Conv3d: 1, 2, 3); ``operands`` the
    forward's tensors (space-separated), ``call_params`` its other arguments, ``outputs`` as
    LayerSpec has it."""
    if isinstance(names, str):
        names = names.split()

    def wrap(rule):
        params = tuple((p, REQUIRED) for p in required.split()) + tuple(defaults.items())
        for i, name in enumerate(names):
            own = traits.with_rank(ranks[i]) if ranks else traits
            own = own if own.counted else own._replace(counted=counted_as(name))
            REGISTRY[name] = LayerSpec(name, params, rule, family or rule.__module__.rsplit(".", 1)[-1], var_args,
                                       own, tuple(operands.split()), tuple(call_params), outputs,
                                       tuple(signature.split()) if signature else None, tuple(packs),
                                       tuple(init_names.split()) if init_names else None)
        return rule

    return wrap


class Built:
    """A layer object given as another layer's argument (``TransformerEncoder(encoder_layer, 6)``,
    ``norm=LayerNorm(64)``): its name and bound arguments; hashable, as arguments are."""

    __slots__ = ("name", "args", "_key")

    def __init__(self, name: str, args: "Args"):
        self.name, self.args = name, args
        self._key = (name, tuple(args.values.items()))

    def __eq__(self, other):
        return isinstance(other, Built) and self._key == other._key

    def __hash__(self):
        return hash(self._key)

    def __repr__(self):
        return f"{self.name}(...)"

    def result(self, *shapes):
        """Its rule on these shapes (one per operand): its output and parameters."""
        return REGISTRY[self.name].rule(self.args, *shapes)


# ---------------------------------------------------------------- argument checks


class Args:
    """Bound arguments with typed accessors that raise CC002 naming the argument, and the
    layer's traits."""

    def __init__(self, layer: str, values: dict, traits: Traits = PLAIN):
        self.layer = layer
        self.values = values
        self.traits = traits
        # rows of padding at the end of each dim of the input, added by a pad layer right before
        # (fast neural style's ReflectionPad2d, then an unpadded stride-2 convolution)
        self.padded_tail: tuple = ()
        self.values_key = None  # the values as a key of the rule cache (engine/shapes.rule_result), once made

    def fresh(self) -> "Args":
        """A copy for another walk: its own values dict, their key kept, no padding of that walk's."""
        made = Args(self.layer, dict(self.values), self.traits)
        made.values_key = self.values_key
        return made

    def tail(self, shape: tuple, nd: int, i: int) -> int:
        """The padding rows a pad layer right before added at the end of spatial dim ``i``."""
        if len(self.padded_tail) != len(shape):
            return 0
        return self.padded_tail[len(shape) - nd + i]

    def __getitem__(self, name):
        return self.values[name]

    def bad(self, name: str, wanted: str) -> LayerError:
        value = self.values[name]
        symbolic = is_symbolic(value) or isinstance(value, tuple) and any(is_symbolic(v) for v in value)
        return LayerError(codes.ARGUMENT, f"{self.layer} argument {name}={fmt_value(value)} must be {wanted}",
                          arg=name, undecided=symbolic)

    def size(self, name: str, minimum: int = 1) -> Dim:
        value = self.values[name]
        if not is_size(value):
            raise self.bad(name, "an integer")
        if is_int(value) and value < minimum:
            raise self.bad(name, f"at least {minimum}")
        return value

    def int(self, name: str, minimum: Optional[int] = None) -> int:
        value = self.values[name]
        if not is_int(value):
            raise self.bad(name, "an integer")
        if minimum is not None and value < minimum:
            raise self.bad(name, f"at least {minimum}")
        return value

    def ints(self, name: str, n: int, minimum: int = 0) -> tuple:
        """An int or a tuple of n ints (kernel_size=3 or (3, 5))."""
        value = self.values[name]
        if type(value) is int and n >= 1:  # the usual: one int for every dim (a rule reads several per walk)
            if value < minimum:
                raise self.bad(name, f"at least {minimum}")
            return (value,) * n
        items = (value,) * n if is_int(value) else value
        if not isinstance(items, tuple) or len(items) != n or not all(is_int(v) for v in items):
            raise self.bad(name, f"an integer or a tuple of {n} integers")
        if any(v < minimum for v in items):
            raise self.bad(name, f"at least {minimum}")
        return items

    def bool(self, name: str) -> bool:
        value = self.values[name]
        if not isinstance(value, bool):
            raise self.bad(name, "True or False")
        return value

    def number(self, name: str, low: Optional[float] = None, high: Optional[float] = None) -> float:
        value = self.values[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.bad(name, "a number")
        if (low is not None and value < low) or (high is not None and value > high):
            raise self.bad(name, f"between {low} and {high}" if high is not None else f"at least {low}")
        return value

    def choice(self, name: str, options) -> str:
        value = self.values[name]
        if value not in options or not isinstance(value, (str, type(None))):
            raise self.bad(name, "one of " + ", ".join(repr(o) for o in options))
        return value


