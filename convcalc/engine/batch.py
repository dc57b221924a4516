"""Where the batch goes: the shape engine's tracking of the batch axis through layers and
operations (convcalc/layers/placement.py says how a shape carries it).

A tensor whose batch is first and whole takes the usual path, untouched. Otherwise the full
tensor is *lifted*: its sizes with the batch standing in as the symbol N (times its fold), so
that the rules, which know nothing of batches, work out where N goes:

* a layer that takes the batch at a declared place (``Traits.batch``: nn.LSTM without
  ``batch_first`` takes it at dim 1) runs on the per-sample shape when the batch stands there,
  and says where its outputs have it; elsewhere, it would read the batch as a sequence or a
  feature: a finding (CC108);
* a layer that acts on each position over its last dims (``keeps_rank``, ``rows``: Linear,
  LayerNorm) runs on the per-sample shape, and once more on the lifted one to see that N goes
  through untouched;
* an operation runs on the lifted shapes, its dim arguments moved past a stand-in batch of 1:
  N comes out at its new place (``permute(2, 0, 1)``), multiplied by what was folded into it
  (``flatten(0, 1)``), or nowhere clean (a reduction over the batch): a finding.
"""
from __future__ import annotations

from convcalc import codes
from convcalc.errors import ConvcalcError
from convcalc.layers.common import LayerError, fmt_shape
from convcalc.layers.placement import BATCH_NAME, N, Placed, placed, placement
from convcalc.symbolic import dims

# the batch as a symbol: an identifier no input line can spell (the description language's names are ASCII)
NAME = BATCH_NAME


def trivial(shapes) -> bool:
    """Every operand's batch first and whole: the usual path."""
    return all(s is None or (getattr(s, "batch", 0) == 0 and getattr(s, "fold", 1) == 1) for s in shapes)


def touches_batch(axes, args: dict, shapes) -> bool:
    """Whether an operation's dim arguments name the batch's dim 0 (``permute(2, 0, 1)``,
    ``flatten(0, 1)``, ``transpose(0, 1)``): then it runs on the lifted shapes, which follow it."""
    if not shapes or shapes[0] is None:
        return False
    full = len(shapes[0]) + 1
    for name, kind in axes:
        value = args.get(name)
        if kind == "sizes" or value is None:
            continue
        if kind == "order":
            if isinstance(value, tuple) and value and type(value[0]) is int and value[0] % full != 0:
                return True
            continue
        for d in value if isinstance(value, tuple) else (value,):
            if type(d) is int and -full <= d < full and d % full == 0:
                return True
    return False


def lift(shape) -> tuple:
    """The full tensor's sizes, the batch as N times its fold (a tensor without a batch: its own)."""
    at, fold = placement(shape)
    if at is None:  # marked as whole, so that a rule that reads every axis itself (einops) adds no batch
        return placed(tuple(shape), None)
    return (*shape[:at], N * fold, *shape[at:])


def settle(full: tuple):
    """A lifted shape back to a per-sample one with the batch's place, or None when N is not one
    dim times a factor that does not hold it (the batch mixed into a dim, or gone)."""
    hits = [i for i, d in enumerate(full) if NAME in dims.symbols(d)]
    if len(hits) != 1:
        return None
    at = hits[0]
    fold = dims.exact_quotient(full[at], N)
    if fold is None or NAME in dims.symbols(fold) or (type(fold) is int and fold < 1):
        return None
    return placed(full[:at] + full[at + 1:], at, fold)


def shown(shape) -> str:
    """A tensor's full sizes with the batch as N: (7, N, 64); folded: (N*4, 16, 32)."""
    at, fold = placement(shape)
    sizes = [dims.render(d) for d in shape]
    if at is not None:
        sizes.insert(at, "N" if fold == 1 else f"N*{dims.render(fold)}")
    return "(" + ", ".join(sizes) + ")"


def mixed(message: str, arg=None) -> LayerError:
    return LayerError(codes.BATCH, message, arg=arg)


# ---------------------------------------------------------------- layers


def expected_axes(spec, args, shapes) -> tuple:
    """Where the layer takes the batch of each operand: its trait's answer, else first."""
    if spec.traits.batch is None:
        return tuple(0 for _ in shapes)
    return spec.traits.batch(args.values, tuple(shapes))


def layer_plan(spec, args, shapes) -> str:
    """How to run a layer on these operands: "direct" (the batch where the layer takes it: the
    rule on the per-sample shapes) or "rows" (a row-wise layer with the batch among the dims it
    does not act on, checked by a lifted run); a finding when the batch is where the layer does
    not take it."""
    rows = spec.traits.keeps_rank or spec.traits.rows
    if spec.traits.axes and not rows and (not trivial(shapes) or touches_batch(spec.traits.axes, args.values, shapes)):
        return "layout"
    if spec.traits.axes and rows and shapes and shapes[0] is not None and not trivial(shapes):
        acting_on_batch(spec, args, shapes[0])  # a batch first and whole: the layer's own checks, as before
    if spec.traits.batch is None and trivial(shapes):
        return "direct"
    wanted = expected_axes(spec, args, shapes)
    folds = {placement(s)[1] for s, w in zip(shapes, wanted) if s is not None and w is not ... and
             placement(s)[0] is not None}
    if len(folds) > 1:
        shown_all = ", ".join(shown(s) for s in shapes if s is not None)
        raise mixed(f"{spec.name}: its tensors {shown_all} have batches of different sizes (N and N times a "
                    "factor): torch would refuse them or pair up the wrong samples")
    names = [o.rstrip("?") for o in spec.operands]
    for index, (shape, want) in enumerate(zip(shapes, wanted)):
        if shape is None or want is ...:
            continue
        at = placement(shape)[0]
        if at == want:
            continue
        if rows and at is None:  # a tensor without a batch (a bias table made in forward): its rows, as they are
            continue
        if rows and index == 0 and want == 0 and at is not None and not spec.traits.mixes:
            return "rows"
        raise mixed(misplaced(spec, args, names[index] if index < len(names) else "input", shape, want))
    return "direct"


def acting_on_batch(spec, args, shape) -> None:
    """A row-wise layer whose dim argument names the whole tensor's batch dim (Softmax(1) on a
    sequence-first 32x[N]x256): a finding, since it would mix the samples."""
    at = placement(shape)[0]
    if at is None:
        return
    full = len(shape) + 1
    for name, _ in spec.traits.axes:
        value = args.values.get(name)
        if type(value) is int and -full <= value < full and value % full == at:
            raise mixed(f"{spec.name}({name}={value}) on {shown(shape)} acts along dim {at}, where the batch stands: "
                        "torch would mix the samples (move the batch away, e.g. with permute, or pick another dim)",
                        arg=name)


def misplaced(spec, args, operand: str, shape, want) -> str:
    """The finding of a layer that would read the batch as something else, with torch's numbers."""
    at = placement(shape)[0]
    layer = spec.name
    full = shown(shape)
    first = args.values.get("batch_first")
    setting = f" (batch_first={first})" if isinstance(first, bool) else ""
    if at is None:
        return f"{layer}{setting} takes the batch at dim {want} of its {operand}, but {operand} {full} has no batch"
    if want is None:
        return (f"{layer} reads its {len(shape) + 1}-d {operand} {full} as one unbatched sample, its dim 0 as the "
                f"sequence: the batch would run through the {layer} as positions of one sample (give it "
                f"{len(shape) + 2} dims, e.g. unsqueeze)")
    hint = ""
    if isinstance(first, bool) and {at, want} == {0, 1}:
        hint = f"; pass batch_first={not first}, or transpose(0, 1) first"
    what = "a sequence or a feature"
    if spec.traits.mixes:
        what = "positions it mixes (a sequence, or the keys of attention)"
    return (f"{layer}{setting} takes the batch at dim {want} of its {operand}, but here the batch is dim {at} of "
            f"{full}: torch would read dim {want} as the batch and the batch as {what}{hint}")


def takes_any_batch(rule, args, shape) -> bool:
    """The rule on the lifted input with the batch as a number (7 and 11 samples): a row-wise
    layer's checks take a symbolic batch as a size that may fit, a real one as it is."""
    at, fold = placement(shape)
    if at is None or type(fold) is not int:
        return True
    for batch in (7, 11):
        try:
            rule(args, (*shape[:at], batch * fold, *shape[at:])[1:])
        except (LayerError, ConvcalcError, TypeError, ValueError):
            return False
    return True


def rows_output(spec, args, shape, result, rule) -> tuple:
    """A row-wise layer's output with the batch's place: the rule once more on the lifted input
    (the layer takes dim 0 as its batch, so the real batch is one of its per-sample dims)."""
    full = lift(shape)
    try:
        lifted = rule(args, full[1:])
    except (LayerError, ConvcalcError, TypeError, ValueError):
        lifted = None
    out = settle((full[0], *lifted.shape)) if lifted is not None else None
    if out is not None and not takes_any_batch(rule, args, shape):
        out = None  # a symbolic batch passed a check a real one fails (LayerNorm(1) over the batch's dim)
    if out is None or tuple(out) != tuple(result.shape):
        raise mixed(f"{spec.name} acts on the dims of {shown(shape)} where the batch stands (dim "
                    f"{placement(shape)[0]}): torch would mix the samples (move the batch away from the dims it "
                    "acts on, e.g. with permute)")
    return out


def layer_outputs(spec, args, shapes, result, plan: str, rule) -> list:
    """The output shapes of a layer, each with the batch's place."""
    outputs = list(result.shapes) if result.shapes is not None else [result.shape]
    first = shapes[0]
    if type(first) is tuple and result.batch is None and spec.traits.batch is None:
        return [tuple(out) for out in outputs]  # the batch first and whole, in and out: plain tuples (placed)
    if plan == "rows":
        return [rows_output(spec, args, first, result, rule)] + outputs[1:]
    at, fold = placement(first)
    wanted = expected_axes(spec, args, shapes)
    axes = result.batch if result.batch is not None else (wanted[0],) * len(outputs)
    return [placed(out, axis if at is not None else None, fold) for out, axis in zip(outputs, axes)]


# ---------------------------------------------------------------- operations


def layout_layer(spec, args, shapes) -> tuple:
    """(the Result, its output) of a layer that only rearranges dims (Flatten, Unflatten), run on
    the lifted shape with its dims moved past a stand-in batch: it may fold the batch."""
    from convcalc.layers.registry import Args

    moved = Args(args.layer, lifted_args(spec.traits.axes, args.values), args.traits)
    full = lift(shapes[0])
    try:
        result = spec.rule(moved, full)
    except LayerError as exc:
        if NAME not in exc.message:
            raise
        result = None
    out = settle(tuple(result.shape)) if result is not None else None
    if out is None:
        raise mixed(f"{spec.name} on {shown(shapes[0])}: it would mix the batch into a dim with others (torch's "
                    "result would not keep the samples apart)")
    result.shape = out
    return result, out


def lifted_args(axes, args: dict) -> dict:
    """An operation's arguments for its lifted operands: dims past the stand-in batch of 1."""
    moved = dict(args)
    for name, kind in axes:
        value = moved.get(name)
        if value is None:
            continue
        if kind == "equation":  # einsum: a letter of its own for the stand-in batch, first everywhere
            moved[name] = stand_in_equation(value) if isinstance(value, str) else value
        elif kind == "order":  # a permutation of every dim: the stand-in batch stays first
            moved[name] = (0,) + tuple(d + 1 if type(d) is int and d >= 0 else d for d in value)
        elif kind == "sizes":  # sizes of every dim, the stand-in batch's 1 before them
            moved[name] = (1,) + tuple(value)
        elif isinstance(value, tuple):
            moved[name] = tuple(d + 1 if type(d) is int and d >= 0 else d for d in value)
        elif type(value) is int and value >= 0:
            moved[name] = value + 1
    return moved


def stand_in_equation(equation: str) -> str:
    """An einsum equation over the lifted operands, whose stand-in batch of 1 comes first: a letter
    the equation does not use, prepended to every operand and to the output (an implicit output
    written out first, as torch forms it: the ellipsis, then the letters used once, in order)."""
    text = equation.replace(" ", "")
    free = next((c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in text), None)
    if free is None:
        return equation
    inputs, arrow, output = text.partition("->")
    if not arrow:
        letters = [c for c in inputs if c.isalpha()]
        output = ("..." if "..." in inputs else "") + "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    return ",".join(free + part for part in inputs.split(",")) + "->" + free + output


def op_outputs(name: str, spec, shapes, args: dict, node, warn, compute):
    """An operation on operands whose batch is not first (or folded): its outputs with the
    batch's place, or a finding where the batch would be mixed."""
    lifted = [lift(s) for s in shapes]
    if spec.field == "elementwise" and len(lifted) > 1:
        # a tensor without a batch broadcasts right-aligned against the others' full sizes (a bias table
        # added to each sample's scores): its missing leading dims are torch's 1s
        rank = max(len(s) for s in lifted)
        lifted = [(1,) * (rank - len(full)) + tuple(full) if s is not None and placement(s)[0] is None else full
                  for s, full in zip(shapes, lifted)]
    if spec.whole:  # it reads every axis itself: the full sizes, marked as such (no batch stands before them)
        lifted = [placed(tuple(s), None) if s is not None else None for s in lifted]
    moved = lifted_args(spec.axes, args)
    notes: list = []
    try:
        out = compute(name, lifted, moved, node, lambda code, message: notes.append((code, message)))
    except ConvcalcError as exc:
        if NAME not in exc.message:
            raise
        raise ConvcalcError(codes.BATCH, f"{text(node)}: on {' and '.join(shown(s) for s in shapes)}, it would act "
                                         "along the batch (torch would mix the samples)", node.span) from None
    for code, message in notes:
        if NAME in message:
            raise ConvcalcError(codes.BATCH, f"{text(node)}: on {' and '.join(shown(s) for s in shapes)}, it fits "
                                             "only for some batch sizes", node.span)
        warn(code, message)
    several = isinstance(out, list)
    if all(s is None or placement(s)[0] is None for s in shapes):  # no operand holds a batch: neither does the result
        return [placed(tuple(o), None) for o in out] if several else placed(tuple(out), None)
    # a result the rule says holds no batch (new_zeros of sizes without -1) stays so; others find theirs
    settled = [o if is_placed(o) and placement(o)[0] is None else settle(tuple(o)) for o in (out if several else [out])]
    if any(s is None for s in settled):
        raise ConvcalcError(codes.BATCH, f"{text(node)}: on {' and '.join(shown(s) for s in shapes)}, it would "
                                         "take in or mix the batch (torch's result would hold several samples in "
                                         "one position, or none)", node.span)
    return settled if several else settled[0]


def text(node) -> str:
    return " ".join(node.text.split()) if node is not None and getattr(node, "text", None) else "the operation"


def is_placed(shape) -> bool:
    return isinstance(shape, Placed)


def per_sample(shape) -> str:
    return fmt_shape(shape)
