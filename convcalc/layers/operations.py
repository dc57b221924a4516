"""The tensor operations of the catalogue: what a Python forward does to tensors besides calling
layers (element-wise arithmetic with broadcasting, reductions, permutes, slices, chunks, stacks,
pads, expands, matrix products, einsum). Each is one declaration (:func:`operation`): its name,
its arguments by name with torch's defaults, its tensor operands, its torch spellings, its shape
rule, how the receptive field goes through it, whether its output is a view of its input, and
its fused multiply-adds. The engine, the measuring pass, the executor and the oracle tests look
an operation up here by its name; the Python frontend answers each spelling from this table.

Shapes are per sample (the batch left out) and torch's ``dim`` arguments count the batch as 0,
as in the source: :func:`axis` turns one into an index of the per-sample shape, and an
operation along the batch is refused (convcalc follows one sample). A rule receives the
operands' shapes, the bound arguments (a dict), the node (for messages) and ``warn(code,
message)`` for a condition that holds only for some input sizes; it returns the output's shape,
or a list of shapes for an operation with several outputs (chunk, split).
"""
from __future__ import annotations

from convcalc import codes
from convcalc.errors import mismatch
from convcalc.layers.common import batch_of_one, fmt_shape, product
# the declaration's form, the registry and what the rules share: convcalc/layers/opspec.py (the
# modules of further operations, attention_ops.py, import it, not this one)
from convcalc.layers.opspec import (OPERATIONS, REQUIRED, OneSample, OpSpec, axis, fail,  # noqa: F401
                                    lookup_operation, new_axis, one_sample, operation, reduced, same_rank, text)
from convcalc.symbolic import dims

def broadcast_shapes(shapes, node, warn) -> tuple:
    """torch's broadcasting, right-aligned: each pair of sizes equal, or one of them 1."""
    out = list(shapes[0])
    for shape in shapes[1:]:
        if len(shape) > len(out):
            out = [1] * (len(shape) - len(out)) + out
        padded = [1] * (len(out) - len(shape)) + list(shape)
        # from the last dim, as torch's infer_size: its message names the last dim that differs
        for i, (a, b) in reversed(list(enumerate(zip(out, padded)))):
            if a == b or b == 1:
                continue
            if a == 1:
                out[i] = b
                continue
            if dims.is_symbolic(a) or dims.is_symbolic(b):
                from convcalc.symbolic.conditions import match_condition

                condition = match_condition((a,), (b,))
                if condition is not None:
                    warn(codes.CONDITIONAL, f"{text(node)}: {fmt_shape(shapes[0])} and {fmt_shape(shape)} broadcast "
                                            f"only when {condition}")
                    continue
            # torch 2.13's words: "The size of tensor a (16) must match the size of tensor b (32) at
            # non-singleton dimension 3", the dimension counted with the batch
            raise fail(codes.ADD_SHAPES, f"{text(node)}: shapes {fmt_shape(shapes[0])} and {fmt_shape(shape)} do not "
                                         f"broadcast (PyTorch: The size of tensor a ({dims.render(a)}) must match the "
                                         f"size of tensor b ({dims.render(b)}) at non-singleton dimension "
                                         f"{i + 1})", node)
    return tuple(out)


def _elementwise(name: str, spellings: str, doc: str, **defaults):
    @operation(name, operands="input other", spellings=spellings, field="elementwise", doc=doc, **defaults)
    def rule(shapes, args, node, warn):
        same_rank(shapes, node)
        return broadcast_shapes(shapes, node, warn)
    return rule


_elementwise("add", "torch.add Tensor.add Tensor.add_", "x + y with broadcasting", alpha=1)
_elementwise("sub", "torch.sub Tensor.sub Tensor.sub_", "x - y with broadcasting", alpha=1)
_elementwise("mul", "torch.mul Tensor.mul Tensor.mul_", "x * y with broadcasting")
_elementwise("div", "torch.div Tensor.div Tensor.div_", "x / y with broadcasting", rounding_mode=None)
_elementwise("maximum", "torch.maximum Tensor.maximum", "the element-wise maximum, with broadcasting")
_elementwise("minimum", "torch.minimum Tensor.minimum", "the element-wise minimum, with broadcasting")


# ---------------------------------------------------------------- reductions


def _reduction(name: str):
    @operation(name, spellings=f"torch.{name} Tensor.{name}", field="reduce", axes="dim",
               doc=f"{name} over dim (an int or a tuple), keepdim keeps them as 1", dim=None, keepdim=False)
    def rule(shapes, args, node, warn):
        return reduced(name, shapes[0], args["dim"], args["keepdim"], node)
    return rule


for _name in ("mean", "sum", "amax", "amin"):
    _reduction(_name)


# ---------------------------------------------------------------- layout


@operation("permute", "dims", spellings="torch.permute Tensor.permute", sizes="dims", view=True, axes="dims:order")
def permute(shapes, args, node, warn):
    """the dims in a new order (the batch must stay first)"""
    shape, order = shapes[0], tuple(args["dims"])
    full = len(shape) + 1
    if len(order) != full or sorted(d % full if type(d) is int else d for d in order) != list(range(full)):
        raise fail(codes.CONFIG, mismatch(text(node), f"a permutation of the {full} dims (batch included)",
                                          str(tuple(order))), node)
    if order[0] % full != 0:
        raise one_sample(f"{text(node)} moves the batch dimension", node)
    return tuple(shape[d % full - 1] for d in order[1:])


@operation("transpose", "dim0 dim1", spellings="torch.transpose Tensor.transpose Tensor.transpose_ torch.swapaxes "
                                               "Tensor.swapaxes torch.swapdims Tensor.swapdims", view=True,
           axes="dim0 dim1")
def transpose(shapes, args, node, warn):
    """two dims swapped"""
    shape = list(shapes[0])
    a, b = (axis(args[d], len(shape), node, text(node)) for d in ("dim0", "dim1"))
    shape[a], shape[b] = shape[b], shape[a]
    return tuple(shape)


@operation("squeeze", spellings="torch.squeeze Tensor.squeeze Tensor.squeeze_", view=True, axes="dim", dim=None)
def squeeze(shapes, args, node, warn):
    """dims of size 1 removed (one, or every one)"""
    shape, dim = shapes[0], args["dim"]
    if dim is None:
        if any(dims.is_symbolic(d) for d in shape):
            raise fail(codes.CONFIG, f"{text(node)}: which sizes are 1 depends on the input size; give squeeze a dim",
                       node)
        return tuple(d for d in shape if d != 1)
    at = axis(dim, len(shape), node, text(node))
    return tuple(d for i, d in enumerate(shape) if i != at or d != 1)


@operation("unsqueeze", "dim", spellings="torch.unsqueeze Tensor.unsqueeze Tensor.unsqueeze_", view=True, axes="dim")
def unsqueeze(shapes, args, node, warn):
    """a dim of size 1 inserted"""
    shape = shapes[0]
    at = new_axis(args["dim"], len(shape), node, text(node))
    return (*shape[:at], 1, *shape[at:])


def _length(size, start, stop, step, node):
    """len(range(size)[start:stop:step]), also for a symbolic size with bounds that fit it."""
    symbolic_bound = dims.is_symbolic(start) or dims.is_symbolic(stop)  # x[..., :y.size(2)]: clamped or not
    if not dims.is_symbolic(size) and not symbolic_bound:
        return len(range(size)[slice(start, stop, step)])
    if symbolic_bound or step != 1 or (start is not None and start < 0) or (stop is not None and stop < 0):
        raise fail(codes.CONFIG, f"{text(node)}: a slice of the symbolic size {dims.render(size)} needs bounds that "
                                 "do not depend on it", node, undecided=True)
    first = start or 0
    return size - first if stop is None else stop - first


@operation("slice", "dim", view=True, field="axis", axes="dim", start=None, stop=None, step=1)
def slice_(shapes, args, node, warn):
    """x[..., start:stop:step] along one dim (indexing, narrow)"""
    dim = args["dim"]
    shape = list(shapes[0])
    at = axis(dim, len(shape), node, text(node))
    if type(args["step"]) is not int or args["step"] < 1:
        raise fail(codes.CONFIG, f"{text(node)}: a slice step must be a positive integer (PyTorch: step must be "
                                 "greater than zero)", node)
    shape[at] = _length(shape[at], args["start"], args["stop"], args["step"], node)
    if type(shape[at]) is int and shape[at] < 1:
        raise fail(codes.EMPTY, f"{text(node)} leaves no element along dim {dim} (size {dims.render(shapes[0][at])})",
                   node)
    return tuple(shape)


@operation("select", "dim index", spellings="torch.select Tensor.select", view=True, axes="dim")
def select(shapes, args, node, warn):
    """one index of a dim, the dim removed (x[:, 0])"""
    dim, index = args["dim"], args["index"]
    shape = shapes[0]
    at = axis(dim, len(shape), node, text(node))
    size = shape[at]
    if type(size) is int and not -size <= index < size:
        raise fail(codes.CONFIG, f"{text(node)}: index {index} is out of range for size {size} along dim {dim}", node)
    return tuple(d for i, d in enumerate(shape) if i != at)


def chunk_count(size, chunks: int) -> int:
    """How many pieces torch.chunk makes of ``size``: fewer than asked when they run out."""
    if dims.is_symbolic(size):
        return chunks  # as many as asked (sizes that give fewer are the walk's to find)
    piece = -(-size // chunks)
    return -(-size // piece) if size else 0


@operation("chunk", "chunks", spellings="torch.chunk Tensor.chunk", view=True, field="axis", axes="dim", outputs="pieces", dim=0)
def chunk(shapes, args, node, warn):
    """pieces of ceil(size / chunks) along dim; the last smaller, fewer when they run out"""
    chunks, dim = args["chunks"], args["dim"]
    shape = shapes[0]
    at = axis(dim, len(shape), node, text(node))
    if type(chunks) is not int or chunks < 1:
        raise fail(codes.CONFIG, f"{text(node)}: chunks={chunks} must be a positive integer (PyTorch: chunk expects "
                                 f"`chunks` to be greater than 0, got: {chunks})", node)
    size = shape[at]
    piece = dims.ceil_div(size, chunks)
    count = chunk_count(size, chunks)
    if count > MAX_PIECES:
        raise fail(codes.CONFIG, f"{text(node)}: {count:,} pieces, over convcalc's bound of {MAX_PIECES:,}", node)
    out = []
    for index in range(count):
        if type(size) is int:
            length = min(piece, size - index * piece)
        else:
            length = piece if index < chunks - 1 else size - index * piece
        if type(length) is int and length < 1:
            raise fail(codes.EMPTY, f"{text(node)}: a size of {size} makes fewer than {chunks} chunks", node)
        out.append((*shape[:at], length, *shape[at + 1:]))
    return out


MAX_PIECES = 4096  # outputs of one chunk or split: each becomes a tensor to follow


@operation("split", "split_size_or_sections", spellings="torch.split Tensor.split", view=True, field="axis", axes="dim",
           outputs="pieces", dim=0)
def split(shapes, args, node, warn):
    """pieces of one size along dim (the last smaller), or the sizes listed"""
    sizes, dim = args["split_size_or_sections"], args["dim"]
    shape = shapes[0]
    at = axis(dim, len(shape), node, text(node))
    size = shape[at]
    if isinstance(sizes, (tuple, list)):
        sizes = tuple(sizes)
        if not all(type(s) is int for s in sizes):
            raise fail(codes.CONFIG, f"{text(node)}: the sections {sizes} must be integers", node)
        if type(size) is int and sum(sizes) != size:
            raise fail(codes.CONFIG, mismatch(text(node), f"sections that add up to the size {size}",
                                              f"{list(sizes)} = {sum(sizes)}"), node)
        if any(s < 1 for s in sizes):
            raise fail(codes.EMPTY, f"{text(node)}: a section of {min(sizes)} leaves an empty piece", node)
        lengths = list(sizes)
    elif type(sizes) is int and sizes > 0:
        if dims.is_symbolic(size):
            raise fail(codes.CONFIG, f"{text(node)}: how many pieces of {sizes} a size of {dims.render(size)} makes "
                                     "depends on the input size", node, undecided=True)
        lengths = [min(sizes, size - start) for start in range(0, size, sizes)]
    else:
        raise fail(codes.CONFIG, f"{text(node)}: split_size_or_sections={sizes!r} must be a positive integer or a "
                                 "list of sizes", node)
    if len(lengths) > MAX_PIECES:
        raise fail(codes.CONFIG, f"{text(node)}: {len(lengths):,} pieces, over convcalc's bound of {MAX_PIECES:,}",
                   node)
    return [(*shape[:at], length, *shape[at + 1:]) for length in lengths]


@operation("stack", operands="*tensors", spellings="torch.stack", field="layout", axes="dim", dim=0)
def stack(shapes, args, node, warn):
    """equal tensors stacked along a new dim"""
    first = shapes[0]
    for shape in shapes[1:]:
        if shape != first:
            raise fail(codes.CONCAT_SHAPES, f"{text(node)}: {fmt_shape(first)} and {fmt_shape(shape)} differ; stack "
                                            f"needs equal shapes (PyTorch: stack expects each tensor to be equal size, "
                                            f"but got {batch_of_one(first)} at entry 0 and {batch_of_one(shape)} at entry "
                                            f"{shapes.index(shape)})", node)
    at = new_axis(args["dim"], len(first), node, text(node))
    return (*first[:at], len(shapes), *first[at:])


@operation("pad", "pad", spellings="torch.nn.functional.pad", field="pad", mode="constant", value=None)
def pad(shapes, args, node, warn):
    """(left, right) pairs from the last dim backwards; negative values crop"""
    pads, mode = tuple(args["pad"]), args["mode"]
    shape = list(shapes[0])
    if mode == "constant" and len(pads) == 2 * len(shape) + 2:  # the batch's pair too (monai's HighResNet)
        if pads[-2:] != (0, 0):
            raise one_sample(f"{text(node)}: padding {pads} pads the batch", node)
        pads = pads[:-2]
    if len(pads) % 2 or len(pads) // 2 > len(shape) or not all(type(p) is int for p in pads):
        raise fail(codes.CONFIG, f"{text(node)}: padding {pads} must be pairs of integers for at most the "
                                 f"{len(shape)} dims of a sample", node)
    for i in range(len(pads) // 2):
        at = len(shape) - 1 - i
        left, right = pads[2 * i], pads[2 * i + 1]
        size = shape[at]
        if mode == "reflect" and type(size) is int and max(left, right) >= size:
            raise fail(codes.CONFIG, f"{text(node)}: reflect padding ({left}, {right}) must be smaller than the size "
                                     f"{size}", node)
        shape[at] = size + left + right
        if type(shape[at]) is int and shape[at] < 1:
            raise fail(codes.EMPTY, f"{text(node)}: padding ({left}, {right}) on a size of {size} leaves "
                                    f"{shape[at]}", node)
    return tuple(shape)


def expanded(shape: tuple, target: tuple, node) -> tuple:
    if len(target) > len(shape):
        raise one_sample(f"{text(node)}: expanding {fmt_shape(shape)} to {fmt_shape(target)} adds dims before the "
                         "batch", node)
    if len(target) < len(shape):
        raise fail(codes.CONFIG, mismatch(text(node), f"at least {len(shape)} sizes per sample", fmt_shape(target)),
                   node)
    padded = (1,) * (len(target) - len(shape)) + tuple(shape)
    for have, want in zip(padded, target):
        if have != want and have != 1 and not (dims.is_symbolic(have) or dims.is_symbolic(want)):
            raise fail(codes.ADD_SHAPES, f"{text(node)}: {fmt_shape(shape)} cannot expand to {fmt_shape(target)} "
                                         "(only sizes of 1 expand)", node)
    return tuple(target)


@operation("expand", "size", spellings="Tensor.expand", sizes="size", view=True, field="elementwise", axes="size:sizes")
def expand(shapes, args, node, warn):
    """sizes of 1 repeated to the sizes given (batch first; -1 keeps a size)"""
    shape = shapes[0]
    target = tuple(args["size"])[1:]
    target = tuple(shape[i - (len(target) - len(shape))] if t == -1 else t for i, t in enumerate(target))
    return expanded(shape, target, node)


@operation("new_full", "size", spellings="Tensor.new_full", sizes="size", fill_value=None)
def new_full(shapes, args, node, warn):
    """a tensor made in forward for each sample of the batch (torch.zeros(x.size(0), ...), a parameter
    expanded to the batch): size batch first (-1 the batch of the tensor given), values fill_value
    (None: not known, a random tensor's)"""
    size = tuple(args["size"])
    if not size or size[0] != -1:
        raise one_sample(f"{text(node)}: a new tensor whose first size {size[0] if size else '()'} is not the "
                         "batch", node)
    for s in size[1:]:
        if not dims.is_symbolic(s) and (type(s) is not int or s < 0):
            raise fail(codes.CONFIG, f"{text(node)}: the size {s!r} of a new tensor must be a non-negative integer",
                       node)
        if s == 0:
            raise fail(codes.EMPTY, f"{text(node)}: a new tensor of size 0 along a dim", node)
    return tuple(size[1:])


@operation("gather", "dim", operands="input index", spellings="torch.gather Tensor.gather", axes="dim",
           work=lambda shapes, args, out: product(out or (1,)))
def gather(shapes, args, node, warn):
    """the input's values at the index tensor's positions along dim: the index's shape (each of its
    other dims at most the input's); verify reads the index's values mod the dim's size"""
    shape, index = shapes[0], shapes[1]
    if len(index) != len(shape):
        raise fail(codes.CONFIG, f"{text(node)}: an index of {len(index) + 1} dims for an input of {len(shape) + 1} "
                                 "(PyTorch: Index tensor must have the same number of dimensions as input tensor)",
                   node)
    at = axis(args["dim"], len(shape), node, text(node))
    for d, (have, want) in enumerate(zip(shape, index)):
        if d != at and type(have) is int and type(want) is int and want > have:
            raise fail(codes.CONFIG, f"{text(node)}: the index's size {want} along dim {d + 1} is larger than the "
                                     f"input's {have}, which PyTorch refuses", node)
    if type(shape[at]) is int and shape[at] == 0 and product(index or (1,)) > 0:
        raise fail(codes.ARGUMENT, f"{text(node)}: an index into a dim of size 0, which PyTorch refuses", node)
    return tuple(index)


@operation("repeat", "repeats", spellings="Tensor.repeat", sizes="repeats", work=lambda shapes, args, out: product(out))
def repeat(shapes, args, node, warn):
    """each dim tiled the number of times given (batch first: 1, the batch kept)"""
    shape, repeats = shapes[0], tuple(args["repeats"])
    for r in repeats:
        if not dims.is_symbolic(r) and (type(r) is not int or r < -1):
            raise fail(codes.ARGUMENT, f"{text(node)}: repeats must be sizes, not {r!r}", node)
    if len(repeats) < len(shape) + 1:
        raise fail(codes.CONFIG, f"{text(node)}: {len(repeats)} repeats for a {len(shape) + 1}-d tensor (batch "
                                 "included) (PyTorch: Number of dimensions of repeat dims can not be smaller than "
                                 "number of dimensions of tensor)", node)
    if len(repeats) > len(shape) + 1:
        raise one_sample(f"{text(node)}: repeats that add dims before the batch", node)
    if repeats[0] != 1:
        raise one_sample(f"{text(node)}: repeating the batch dimension ({dims.render(repeats[0]) if repeats[0] != -1 else 'the batch size'} times)", node)
    if any(type(r) is int and r < 0 for r in repeats):
        raise fail(codes.ARGUMENT, f"{text(node)}: a negative repeat, which PyTorch refuses", node)
    out = tuple(s * r for s, r in zip(shape, repeats[1:]))
    if any(s == 0 for s in out):
        raise fail(codes.EMPTY, f"{text(node)}: a repeat of 0 leaves an empty tensor", node)
    return out


@operation("expand_as", operands="input other", spellings="Tensor.expand_as", view=True, field="elementwise")
def expand_as(shapes, args, node, warn):
    """sizes of 1 repeated to the other tensor's sizes"""
    return expanded(shapes[0], shapes[1], node)


# ---------------------------------------------------------------- products


def _matmul_fmas(shapes, args, out) -> dims.Dim:
    """flop_counter's matmul / 2: one multiply-add per output element and contracted index."""
    return product(out) * shapes[0][-1]


def matmul_shape(a: tuple, b: tuple, node, warn) -> tuple:
    """torch.matmul of two tensors that each carry the batch: the last two dims multiply, the
    leading dims (the batch among them) broadcast."""
    if len(a) < 2 or len(b) < 2:
        raise fail(codes.CONFIG, f"{text(node)}: {fmt_shape(a)} @ {fmt_shape(b)}: with the batch first, a tensor of "
                                 f"{min(len(a), len(b)) + 1} dims multiplies its batch rows; convcalc follows one "
                                 "sample (each operand needs 2 dims per sample)", node)
    same_rank([a, b], node)
    left = (1,) + tuple(a) if len(a) == 1 else tuple(a)
    right = tuple(b) + (1,) if len(b) == 1 else tuple(b)
    # as torch's matmul: the leading dims broadcast first, then bmm multiplies their product's matrices
    lead = broadcast_shapes([left[:-2], right[:-2]], node, warn) if len(left) > 2 or len(right) > 2 else ()
    if left[-1] != right[-2]:
        condition = None
        if dims.is_symbolic(left[-1]) or dims.is_symbolic(right[-2]):
            from convcalc.symbolic.conditions import match_condition

            condition = match_condition((left[-1],), (right[-2],))
        if condition is None:
            batches = dims.render(product(lead))  # the batch, of one, times the leading dims
            raise fail(codes.FEATURES, f"{text(node)}: {fmt_shape(a)} @ {fmt_shape(b)}: the inner sizes "
                                       f"{dims.render(left[-1])} and {dims.render(right[-2])} differ (PyTorch: "
                                       f"Expected size for first two dimensions of batch2 tensor to be: [{batches}, "
                                       f"{dims.render(left[-1])}] but got: [{batches}, {dims.render(right[-2])}].)",
                       node)
        warn(codes.CONDITIONAL, f"{text(node)}: {fmt_shape(a)} @ {fmt_shape(b)} fit only when {condition}")
    out = lead + (left[-2], right[-1])
    if len(a) == 1:
        out = out[:-2] + out[-1:]
    if len(b) == 1:
        out = out[:-1]
    return out


@operation("matmul", operands="input other", spellings="torch.matmul Tensor.matmul", field="layout",
           fmas=lambda shapes, args, out: product(out or (1,)) * (shapes[0][-1] if shapes[0] else 1),
           work=lambda shapes, args, out: product(out or (1,)) * (shapes[0][-1] if shapes[0] else 1))
def matmul(shapes, args, node, warn):
    """the matrix product of the last two dims, the others broadcast (x @ y)"""
    return matmul_shape(shapes[0], shapes[1], node, warn)


@operation("bmm", operands="input mat2", spellings="torch.bmm Tensor.bmm", field="layout", fmas=_matmul_fmas,
           work=_matmul_fmas)
def bmm(shapes, args, node, warn):
    """a batch of matrix products: b x n x m @ b x m x p (per sample: n x m @ m x p)"""
    a, b = shapes
    if len(a) != 2 or len(b) != 2:
        raise fail(codes.CONFIG, f"{text(node)}: bmm needs 3-d tensors (batch included), not "
                                 f"{len(a) + 1}-d and {len(b) + 1}-d", node)
    return matmul_shape(a, b, node, warn)


@operation("linear", "in_features out_features", field="layout", bias=True,
           fmas=lambda shapes, args, out: product(out or (1,)) * args["in_features"],
           work=lambda shapes, args, out: product(out or (1,)) * args["in_features"])
def linear(shapes, args, node, warn):
    """``F.linear(x, layer.weight, layer.bias)``: a Linear's map on the last dim with weights the
    model passes (a module's own, not a call of the module: torchinfo's hooks do not see it)"""
    shape, inner, outer = shapes[0], args["in_features"], args["out_features"]
    for size in (inner, outer):
        if type(size) is not int or size < 0:
            raise fail(codes.ARGUMENT, f"{text(node)}: the weight's sizes must be sizes, not {size!r}", node)
    if not shape:
        raise fail(codes.CONFIG, f"{text(node)}: F.linear of a tensor without a dim per sample", node)
    if shape[-1] != inner:
        raise fail(codes.FEATURES, f"{text(node)}: {fmt_shape(shape)} @ the weight's {inner}x{outer}: the last "
                                   f"size {dims.render(shape[-1])} is not {inner}, which PyTorch refuses (mat1 and "
                                   "mat2 shapes cannot be multiplied)", node)
    return (*shape[:-1], outer)


@operation("take", "dim index_shape", field="layout", axes="dim", least=0,
           work=lambda shapes, args, out: product(out or (1,)))
def take(shapes, args, node, warn):
    """``table[index]`` by a tensor of indices (a relative-position bias table read at an index
    table), ``x.index_select(dim, index)``: that dim replaced by the index's shape; ``least``, the
    size the dim must have for the largest index known; verify reads stand-in indices (i mod size)"""
    shape, dim, index_shape = shapes[0], args["dim"], args["index_shape"]
    full = len(shape) + 1
    if type(dim) is not int or not -full <= dim < full:
        raise fail(codes.CONFIG, f"{text(node)}: dim={dim!r} is out of range for a {full}-d tensor (batch included)",
                   node)
    if dim % full == 0:
        raise one_sample(f"{text(node)}: indexing the batch dim by an index tensor", node)
    if not isinstance(index_shape, tuple) or any(type(s) is not int or s < 0 for s in index_shape):
        raise fail(codes.ARGUMENT, f"{text(node)}: index_shape must be sizes, not {index_shape!r}", node)
    axis = dim % full - 1
    if shape[axis] == 0 and product(index_shape or (1,)) > 0:
        raise fail(codes.ARGUMENT, f"{text(node)}: an index into a dim of size 0, which PyTorch refuses", node)
    least = args["least"]
    if type(least) is not int or least < 0:
        raise fail(codes.ARGUMENT, f"{text(node)}: least must be a size, not {least!r}", node)
    if type(shape[axis]) is int and shape[axis] < least:
        raise fail(codes.ARGUMENT, f"{text(node)}: an index of {least - 1} (or -{least}) into a dim of size "
                                   f"{shape[axis]}, out of its bounds, which PyTorch refuses", node)
    return (*shape[:axis], *index_shape, *shape[axis + 1:])


# ---------------------------------------------------------------- einsum


def einsum_subscripts(equation, ranks: list, node) -> tuple:
    """(each operand's subscripts, the output's) of an einsum equation for operands of ``ranks``
    dims per sample, ``...`` expanded to letters of its own; the batch is each one's first letter."""
    if not isinstance(equation, str):
        raise fail(codes.ARGUMENT, f"{text(node)}: the equation must be a string, not {equation!r}", node)
    compact = equation.replace(" ", "")
    inputs, arrow, output = compact.partition("->")
    parts = inputs.split(",")
    if len(parts) != len(ranks):
        more = "more" if len(ranks) > len(parts) else "fewer"
        raise fail(codes.ARGUMENT, f"{text(node)}: the equation names {len(parts)} operand(s), {len(ranks)} given "
                                   f"(PyTorch: einsum(): {more} operands were provided than specified in the equation)",
                   node)
    wide = 0  # the dims an ellipsis stands for, at most
    for part, rank in zip(parts, ranks):
        letters = part.replace("...", "", 1)
        if not all(c.isascii() and c.isalpha() for c in letters):
            at = next(i for i, c in enumerate(equation) if not (c.isascii() and c.isalpha()) and c not in " .,->")
            raise fail(codes.ARGUMENT, f"{text(node)}: subscripts are letters (and one ...), not {part!r} (PyTorch: "
                                       f"einsum(): invalid subscript given at index {at} in the equation string, "
                                       "subscripts must be in [a-zA-Z])", node)
        if "..." in part:
            wide = max(wide, rank + 1 - len(letters))
        elif len(letters) != rank + 1:
            raise fail(codes.CONFIG, f"{text(node)}: {part!r} names {len(letters)} dims of an operand of {rank + 1} "
                                     f"(PyTorch: einsum(): the number of subscripts in the equation ({len(letters)}) "
                                     f"does not match the number of dimensions ({rank + 1}) for operand "
                                     f"{parts.index(part)} and no ellipsis was given)", node)
    filler = "".join(chr(0x391 + i) for i in range(wide))  # Greek capitals: never an equation's letter

    def expanded(part: str, rank: int) -> str:
        here = rank + 1 - len(part.replace("...", "", 1))
        return part.replace("...", filler[wide - here:] if here else "", 1)

    subscripts = [expanded(p, r) if "..." in p else p for p, r in zip(parts, ranks)]
    if not arrow:  # implicit: the ellipsis dims, then the letters seen once, in alphabetical order
        seen = "".join(subscripts)
        output = filler + "".join(sorted(c for c in set(seen) if seen.count(c) == 1 and c not in filler))
    else:
        output = output.replace("...", filler, 1)
        twice = [c for c in output if output.count(c) > 1]
        if twice:
            raise fail(codes.ARGUMENT, f"{text(node)}: {twice[0]!r} is twice in the output (PyTorch: einsum(): output "
                                       f"subscript {twice[0]} appears more than once in the output)", node)
    return subscripts, output


def einsum_sizes(subscripts: list, shapes: list, node) -> dict:
    """Each letter's size but the batch's (a size of 1 broadcasts, as torch's einsum does)."""
    sizes: dict = {}
    for index, (sub, shape) in enumerate(zip(subscripts, shapes)):
        own: dict = {}
        for letter, size in zip(sub[1:], shape):
            first = own.setdefault(letter, size)
            if size != first:  # a diagonal ("bii->bi") takes equal sizes
                raise fail(codes.CONFIG, f"{text(node)}: {letter!r} is twice in operand {index}, with sizes "
                                         f"{dims.render(first)} and {dims.render(size)} (PyTorch: einsum(): subscript "
                                         f"{letter} is repeated for operand {index} but the sizes don't match, "
                                         f"{dims.render(size)} != {dims.render(first)})", node,
                           undecided=dims.is_symbolic(size) or dims.is_symbolic(first))
            known = sizes.setdefault(letter, size)
            if known == 1:
                sizes[letter] = size
            elif size != 1 and size != known:
                raise fail(codes.CONFIG, f"{text(node)}: {letter!r} is {dims.render(known)} in one operand and "
                                         f"{dims.render(size)} in operand {index} (PyTorch: einsum(): subscript "
                                         f"{letter} has size {dims.render(size)} for operand {index} which does not "
                                         f"broadcast with previously seen size {dims.render(known)})", node,
                           undecided=dims.is_symbolic(size) or dims.is_symbolic(known))
    return sizes


def _einsum_fmas(shapes, args, out) -> dims.Dim:
    """flop_counter / 2, per sample, as torch's einsum runs (opt_einsum not installed): the operands
    left to right, a summed letter a size of 1 does not carry summed as soon as no later operand
    has it, each pair with a letter left to sum one batched product (one multiply-add per
    combination of the sizes the pair carries), a pair without one an element-wise product, which
    flop_counter does not count."""
    subscripts, output = einsum_subscripts(args["equation"], [len(s) for s in shapes], None)
    operands = [dict(zip(sub[1:], shape)) for sub, shape in zip(subscripts, shapes)]
    summed = sorted({c for sub in subscripts for c in sub[1:]} - set(output))
    count = {c: sum(1 for op in operands if op.get(c, 1) != 1) for c in summed}
    total, a = 0, operands[0]
    for b in operands[1:]:
        pair = []
        for c in summed:
            if a.get(c, 1) != 1 and b.get(c, 1) != 1:
                count[c] -= 1
                if count[c] == 1:  # no later operand has it: summed by this product
                    pair.append(c)
                    count[c] = 0
            elif count[c] == 1 and (a.get(c, 1) != 1 or b.get(c, 1) != 1):  # one side has it, nothing later
                (a if a.get(c, 1) != 1 else b)[c] = 1  # summed out first
                count[c] = 0
        carried = {c: b.get(c, 1) if a.get(c, 1) == 1 else a[c] for c in set(a) | set(b)}
        if pair:
            total = total + product(size for size in carried.values() if size != 1)
        a = {c: 1 if c in pair else size for c, size in carried.items()}
    return total


def _einsum_work(shapes, args, out) -> dims.Dim:
    """The reference executor visits every combination of the letters' sizes."""
    subscripts, _ = einsum_subscripts(args["equation"], [len(s) for s in shapes], None)
    return product(einsum_sizes(subscripts, shapes, None).values())


@operation("einsum", "equation", operands="*operands", leading="equation", spellings="torch.einsum",
           fmas=_einsum_fmas, work=_einsum_work, axes="equation:equation")
def einsum(shapes, args, node, warn):
    """Einstein summation: the output's letters kept, the others summed (torch.einsum("bij,bjk->bik", a, b))"""
    subscripts, output = einsum_subscripts(args["equation"], [len(s) for s in shapes], node)
    batch = subscripts[0][:1]
    if not batch or any(s[:1] != batch or batch in s[1:] for s in subscripts) or output[:1] != batch or \
            batch in output[1:]:
        raise one_sample(f"{text(node)}: each operand and the output must keep the batch as their first subscript, "
                         "and only there", node)
    sizes = einsum_sizes(subscripts, shapes, node)
    missing = [c for c in output[1:] if c not in sizes]
    if missing:
        raise fail(codes.ARGUMENT, f"{text(node)}: the output subscript {missing[0]!r} is in no operand (PyTorch: "
                                   "einsum(): output subscript " + missing[0] + " does not appear in the equation "
                                   "for any input operand)", node)
    return tuple(sizes[c] for c in output[1:])


@operation("new_zeros", "size", spellings="Tensor.new_zeros Tensor.new_ones Tensor.new_empty", sizes="size")
def new_zeros(shapes, args, node, warn):
    """a new tensor of the sizes given; the batch size among them (-1, or x.size(0) in a forward:
    an LSTM's initial state) says where it stands"""
    size = tuple(args["size"])
    if size.count(-1) > 1 or any(not (d == -1 or dims.is_symbolic(d) or (type(d) is int and d >= 0)) for d in size):
        raise fail(codes.ARGUMENT, f"{text(node)}: sizes {size}: one batch size at most, the others sizes", node)
    from convcalc.layers.placement import placed

    if -1 not in size:
        return placed(size, None)
    at = size.index(-1)
    return placed(size[:at] + size[at + 1:], at)


def output_shapes(name: str, shapes: list, args: dict, node, warn):
    """The output shape (a list of shapes for several outputs) of operation ``name``."""
    out = OPERATIONS[name].rule(shapes, args, node, warn)
    for shape in out if isinstance(out, list) else [out]:
        product(shape)  # a symbolic size must stay within the bounds of dims
    return out


from convcalc.layers import attention_ops, statistics_ops  # noqa: E402,F401  (sdpa, var and std register)
from convcalc.layers import einops_ops  # noqa: E402,F401  (einops' operations, declared there)
