"""Linear, LazyLinear, Identity, Flatten and Unflatten."""
from __future__ import annotations

from convcalc import codes
from convcalc.errors import mismatch
from convcalc.layers.common import LayerError, Result, fmt_shape, is_int, product
from convcalc.layers.registry import Traits, register
from convcalc.symbolic.dims import render


@register("Linear", "in_features out_features", traits=Traits(features="in_features", keeps_rank=True, field="linear",
                                                             equals=(("in_features", -1, "linear"),)),
          bias=True, device=None, dtype=None)
@register("LazyLinear", "out_features", traits=Traits(lazy=True, field="linear", rows=True), bias=True, device=None, dtype=None)
def linear(args, shape) -> Result:
    if not shape:
        raise LayerError(codes.CONFIG, f"{args.layer} needs at least one dimension per sample")
    lazy = args.traits.lazy
    fin = shape[-1] if lazy else args.size("in_features")
    fout = args.size("out_features")
    bias = args.bool("bias")
    got = shape[-1]
    if not lazy and is_int(fin) and is_int(got) and fin != got:
        raise LayerError(codes.FEATURES, linear_mismatch(fin, shape), arg="in_features")
    params = fin * fout + (fout if bias else 0)
    formula = f"{render(fin)}*{render(fout)}" + (f" + {render(fout)}" if bias else "")
    return Result((*shape[:-1], fout), params, 0, formula, "linear")


def linear_mismatch(fin: int, shape: tuple) -> str:
    if len(shape) == 1:
        return mismatch("Linear", f"{fin} input features", str(shape[0]))
    return (mismatch("Linear", f"{fin} input features", f"{fmt_shape(shape)} = {render(product(shape))}")
            + f"; did you forget Flatten()? (on a {len(shape)}-d input, Linear acts on the last dimension, "
              f"{render(shape[-1])})")


@register("Bilinear", "in1_features in2_features out_features", operands="input1 input2",
          traits=Traits(features="in1_features", field="linear", equals=(("in1_features", -1, "linear"),), rows=True),
          bias=True, device=None, dtype=None)
def bilinear(args, first, second) -> Result:
    """y = x1ᵀ A x2 + b over the last dims of two inputs whose other dims agree: (*, in1), (*, in2)
    -> (*, out); out*in1*in2 weights and out biases."""
    fin1, fin2, fout = args.size("in1_features"), args.size("in2_features"), args.size("out_features")
    bias = args.bool("bias")
    if not first or not second:
        raise LayerError(codes.CONFIG, "Bilinear needs at least one dimension per sample in each input")
    for name, wanted, shape, which in (("in1_features", fin1, first, "input1"), ("in2_features", fin2, second,
                                                                                  "input2")):
        if is_int(wanted) and is_int(shape[-1]) and wanted != shape[-1]:
            raise LayerError(codes.FEATURES, mismatch("Bilinear", f"{wanted} features in {which} ({name}={wanted})",
                                                      f"{render(shape[-1])} (input {fmt_shape(shape)})"), arg=name)
    if tuple(first[:-1]) != tuple(second[:-1]):
        if len(first) != len(second):  # torch 2.13's words (at::bilinear), its dims counting the batch
            refusal = f"bilinear(): input dimensions do not match: got {len(first) + 1} and {len(second) + 1}"
        else:
            at = next(i for i in range(len(first) - 1) if first[i] != second[i])
            refusal = (f"bilinear(): input batch dimensions do not match at dim {at + 1}: got {render(first[at])} "
                       f"and {render(second[at])}")
        raise LayerError(codes.CONFIG, f"Bilinear: input1 {fmt_shape(first)} and input2 {fmt_shape(second)} must "
                                       f"agree in every dim but the last (PyTorch: {refusal})")
    params = fout * fin1 * fin2 + (fout if bias else 0)
    formula = f"{render(fout)}*{render(fin1)}*{render(fin2)}" + (f" + {render(fout)}" if bias else "")
    return Result((*first[:-1], fout), params, 0, formula, "other")


@register("Embedding", "num_embeddings embedding_dim", traits=Traits(field="unknown", indices=True, rows=True), padding_idx=None,
          max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False,
          device=None, dtype=None)
def embedding(args, shape) -> Result:
    """A lookup: each index of the input becomes a row of embedding_dim values."""
    count = args.size("num_embeddings")
    dim = args.size("embedding_dim")
    padding_idx = args["padding_idx"]
    if padding_idx is not None and not (is_int(padding_idx) and is_int(count) and -count <= padding_idx < count):
        raise LayerError(codes.ARGUMENT, f"Embedding: padding_idx={padding_idx} must be within num_embeddings "
                                         f"({count})", arg="padding_idx")
    trainable = args["_freeze"] is not True
    result = Result((*shape, dim), count * dim, 0, f"{render(count)}*{render(dim)}", trainable=trainable)
    return result


@register("Identity", var_args=True, traits=Traits(keeps_rank=True), init_names="*args **kwargs")
def identity(args, shape) -> Result:
    return Result(shape)


def batch_dim(layer: str, arg: str, value: int, rank: int) -> int:
    """Normalise a dim that counts the batch as 0 into an index of the per-sample shape."""
    full = rank + 1
    if not -full <= value < full:
        raise LayerError(codes.CONFIG, f"{layer}: {arg}={value} is out of range for a {full}-d input "
                                  f"(batch included), [-{full}, {full - 1}]", arg=arg)
    index = value % full
    if index == 0:
        raise LayerError(codes.CONFIG, f"{layer}: {arg}={value} is the batch dimension; convcalc's shapes "
                                  "are per sample, so dims start at 1", arg=arg)
    return index - 1


@register("Flatten", traits=Traits(field="flatten", axes=(("start_dim", "dim"), ("end_dim", "dim"))), start_dim=1,
          end_dim=-1)
def flatten(args, shape) -> Result:
    full = len(shape) + 1
    if all(is_int(args[d]) and -full <= args[d] < full and args[d] % full == 0 for d in ("start_dim", "end_dim")):
        return Result(shape)  # Flatten(0, 0) flattens the batch dim alone: nothing changes
    start = batch_dim("Flatten", "start_dim", args.int("start_dim"), len(shape))
    end = batch_dim("Flatten", "end_dim", args.int("end_dim"), len(shape))
    if end < start:
        raise LayerError(codes.CONFIG, "Flatten: start_dim cannot come after end_dim", arg="end_dim")
    return Result((*shape[:start], product(shape[start:end + 1]), *shape[end + 1:]))


@register("Unflatten", "dim unflattened_size", traits=Traits(field="unflatten", divides=True, axes=(("dim", "dim"),)))
def unflatten(args, shape) -> Result:
    index = batch_dim("Unflatten", "dim", args.int("dim"), len(shape))
    sizes = args["unflattened_size"]
    if not isinstance(sizes, tuple) or not sizes or not all(is_int(v) for v in sizes):
        raise args.bad("unflattened_size", "a tuple of integers")
    if sizes.count(-1) > 1 or any(v < 1 and v != -1 for v in sizes):
        raise args.bad("unflattened_size", "positive integers with at most one -1")
    size = shape[index]
    known = product(v for v in sizes if v != -1)
    if is_int(size):
        if size % known or (-1 not in sizes and known != size):
            raise LayerError(codes.CONFIG, f"Unflatten: sizes {sizes} do not multiply to dimension {index + 1} "
                                      f"of size {size}", arg="unflattened_size")
    elif -1 not in sizes:
        raise LayerError(codes.CONFIG, f"Unflatten: sizes {sizes} cannot be checked against the symbolic size "
                                  f"{render(size)}; use -1 for that part", arg="unflattened_size", undecided=True)
    sizes = tuple(size // known if v == -1 else v for v in sizes)
    return Result((*shape[:index], *sizes, *shape[index + 1:]))
