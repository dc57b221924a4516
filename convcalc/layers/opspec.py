"""The form of a tensor operation's declaration (:class:`OpSpec`, :func:`operation`), the one
registry of them (``OPERATIONS``), and what their shape rules share (dims counted with the batch,
messages). The declarations are in convcalc/layers/operations.py and the modules it imports
(attention_ops.py); each imports this module, so that none imports another."""
from __future__ import annotations

from convcalc import codes
from convcalc.binding import MISSING, BindError, bind
from convcalc.errors import ConvcalcError, Record
from convcalc.layers.common import fmt_shape

REQUIRED = object()


class OpSpec(Record):
    """One tensor operation. ``params``: ((name, default or REQUIRED), ...) of its other arguments,
    in torch's order; ``operands``: the names of its tensors, one starting with ``*`` taking any
    number of them (``stack``'s); ``spellings``: the torch names it answers to (``Tensor.chunk``,
    ``torch.chunk``, ``F.pad``); ``sizes``: the argument that takes sizes either as one sequence
    or as several ints (``x.permute(0, 2, 1)``, ``x.permute((0, 2, 1))``); ``field``: the
    receptive-field rule (convcalc/metrics/rules.py); ``view``: its output shares its input's
    storage; ``fmas``: (shapes, args, output) -> fused multiply-adds per sample, fvcore's
    convention (None: 0); ``doc``: one line for docs/operations.md; ``leading``: the arguments
    torch takes before the tensors (``einsum``'s equation); ``work``: (shapes, args, output) -> the
    elements the reference executor visits per sample, where that is more than the output's
    (verify's budget: convcalc/verify.py); ``axes``: its arguments that name dims of the full
    tensor, ((name, kind), ...), kind "dim" (a dim or a tuple of them), "order" (a permutation of
    every dim) or "sizes" (a size for every dim): the batch-axis tracking moves them when the
    batch is not first (convcalc/engine/batch.py). ``outputs``: how many tensors it gives, when
    several: a number (``std_mean``: 2), or "pieces" where its arguments and the tensor's size
    decide (``chunk``, ``split``). ``whole``: it reads every axis of the tensor itself (einops'
    patterns): it runs on the full sizes, the batch a size N among them, and the engine finds the
    batch in what comes out (engine/batch.op_outputs), a fold of it included."""

    __slots__ = ("name", "params", "operands", "rule", "spellings", "sizes", "field", "view", "fmas", "doc",
                 "leading", "work", "axes", "outputs", "whole")
    _defaults = {"spellings": (), "sizes": None, "field": "layout", "view": False, "fmas": None, "doc": "",
                 "leading": (), "work": None, "axes": (), "outputs": None, "whole": False}

    @property
    def variadic(self) -> bool:
        return bool(self.operands) and self.operands[-1].startswith("*")

    def bind(self, args: tuple, kwargs: dict) -> dict:
        """The arguments by name, as Python binds them, with torch's defaults."""
        defaults = dict(self.params)
        try:
            bound, _, _ = bind(self.name, [p for p, _ in self.params], args, kwargs,
                               lambda name, _: MISSING if defaults[name] is REQUIRED else defaults[name])
        except BindError as exc:
            raise ConvcalcError(codes.ARGUMENT, exc.message) from None
        return bound


OPERATIONS: dict[str, OpSpec] = {}


def operation(name: str, params: str = "", operands: str = "input", spellings: str = "", sizes=None,
              field: str = "layout", view: bool = False, fmas=None, doc: str = "", leading: str = "", work=None,
              axes: str = "", outputs=None, whole: bool = False, **defaults):
    """Register an operation: ``params`` its required arguments (space-separated), ``defaults``
    the optional ones in torch's order; ``spellings`` space-separated torch names; ``leading`` the
    params torch takes before the tensors; ``axes`` its dim arguments, ``name`` or ``name:kind``
    (see OpSpec)."""
    def wrap(rule):
        spec_params = tuple((p, REQUIRED) for p in params.split()) + tuple(defaults.items())
        moved = tuple((a.split(":")[0], a.split(":")[1] if ":" in a else "dim") for a in axes.split())
        OPERATIONS[name] = OpSpec(name, spec_params, tuple(operands.split()), rule, tuple(spellings.split()), sizes,
                                  field, view, fmas, doc or (rule.__doc__ or "").strip().split("\n")[0],
                                  tuple(leading.split()), work, moved, outputs, whole)
        return rule
    return wrap


def lookup_operation(name: str):
    return OPERATIONS.get(name)


# ---------------------------------------------------------------- what the rules share


def fail(code: str, message: str, node, undecided: bool = False) -> ConvcalcError:
    return ConvcalcError(code, message, node.span if node is not None else None, undecided)


class OneSample(ConvcalcError):
    """An operation torch does but convcalc does not follow: it moves, splits, joins or reduces the
    batch, and convcalc follows one sample. In a description it is an error; a Python forward
    that does it is not followed from there (never a finding against code torch runs)."""


def one_sample(message: str, node) -> OneSample:
    return OneSample(codes.CONFIG, f"{message}; convcalc follows one sample", node.span if node is not None else None)


def axis(dim, rank: int, node, what: str) -> int:
    """The per-sample index of torch's ``dim`` on a tensor of ``rank`` dims per sample."""
    full = rank + 1
    if type(dim) is not int or not -full <= dim < full:
        raise fail(codes.CONFIG, f"{what}: dim={dim} is out of range for a {full}-d tensor (batch included), "
                                 f"[-{full}, {full - 1}]", node)
    if dim % full == 0:
        raise one_sample(f"{what}: dim={dim} is the batch dimension", node)
    return dim % full - 1


def new_axis(dim, rank: int, node, what: str) -> int:
    """The per-sample index a new dim goes to (unsqueeze, stack): one past the last is allowed."""
    full = rank + 2
    if type(dim) is not int or not -full <= dim < full or dim % full == 0:
        raise fail(codes.CONFIG, f"{what}: dim={dim} must be a dim after the batch, in [1, {full - 1}] or "
                                 f"[-{full - 1}, -1]", node)
    return dim % full - 1


def text(node) -> str:
    return " ".join(node.text.split()) if node is not None else "the operation"


# ---------------------------------------------------------------- element-wise


def same_rank(shapes, node) -> None:
    """Tensors that each carry the batch first broadcast sample by sample only when they have as
    many dims: otherwise torch lines one's batch up with a dim of the other's samples."""
    ranks = {len(s) for s in shapes}
    if len(ranks) > 1:
        shown = " and ".join(f"{fmt_shape(s)} ({len(s) + 1}-d with the batch)" for s in shapes)
        raise fail(codes.ADD_SHAPES, f"{text(node)}: {shown} differ in rank, so torch would line the batch of one "
                                     "up with a dim of the other; convcalc follows one sample (give both the same "
                                     "dims, e.g. with unsqueeze or view)", node)


def reduced(name: str, shape: tuple, chosen, keepdim, node) -> tuple:
    """The per-sample shape a reduction over ``chosen`` (an int or a tuple of dims) leaves: the dims
    gone, or kept as 1; over every dim (None or ()) it would take in the batch: not followed."""
    if chosen is None or chosen == ():
        raise one_sample(f"{text(node)}: a {name} over every dim takes in the batch", node)
    wanted = chosen if isinstance(chosen, tuple) else (chosen,)
    axes = {axis(d, len(shape), node, text(node)) for d in wanted}
    if keepdim:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)
