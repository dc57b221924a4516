"""The shapes of the tensor operations a Python forward uses besides layers (an ``n.Op`` node):
element-wise arithmetic with broadcasting, reductions, permutes, slices, chunks, stacks, pads
and expands, each with torch's rule for the output shape.

Shapes are per sample (the batch left out) and torch's ``dim`` arguments count the batch as 0,
as in the source: :func:`axis` turns one into an index of the per-sample shape, and an
operation along the batch is refused (convcalc follows one sample). A rule receives the
operands' shapes, the evaluated arguments, the node (for messages) and ``warn(code, message)``
for a condition that holds only for some input sizes.
"""
from __future__ import annotations

from convcalc import codes
from convcalc.engine.evaluate import fail
from convcalc.errors import mismatch
from convcalc.layers.common import fmt_shape, product
from convcalc.symbolic import dims

# operations whose output shares its input's storage (no memory of their own)
VIEWS = {"view", "permute", "transpose", "squeeze", "unsqueeze", "slice", "select", "chunk", "split", "expand"}
ELEMENTWISE = {"add", "sub", "mul", "div", "maximum", "minimum"}


def axis(dim, rank: int, node, what: str) -> int:
    """The per-sample index of torch's ``dim`` on a tensor of ``rank`` dims per sample."""
    full = rank + 1
    if type(dim) is not int or not -full <= dim < full:
        raise fail(codes.CONFIG, f"{what}: dim={dim} is out of range for a {full}-d tensor (batch included), "
                                 f"[-{full}, {full - 1}]", node)
    if dim % full == 0:
        raise fail(codes.CONFIG, f"{what}: dim={dim} is the batch dimension; convcalc follows one sample", node)
    return dim % full - 1


def text(node) -> str:
    return " ".join(node.text.split())


def broadcast(shapes, args, node, warn) -> tuple:
    """torch's broadcasting, right-aligned: each pair of sizes equal, or one of them 1."""
    out = list(shapes[0])
    for shape in shapes[1:]:
        if len(shape) > len(out):
            out = [1] * (len(shape) - len(out)) + out
        padded = [1] * (len(out) - len(shape)) + list(shape)
        for i, (a, b) in enumerate(zip(out, padded)):
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
            raise fail(codes.ADD_SHAPES, f"{text(node)}: shapes {fmt_shape(shapes[0])} and {fmt_shape(shape)} do not "
                                         f"broadcast (PyTorch: the size of tensor a ({dims.render(a)}) must match the "
                                         f"size of tensor b ({dims.render(b)}) at non-singleton dimension "
                                         f"{i + 1 - len(out)})", node)
    return tuple(out)


def reduce(shapes, args, node, warn) -> tuple:
    """mean / sum / amax / amin over ``dims`` (an int or a tuple), keeping them as 1 with keepdim."""
    chosen, keepdim = args
    shape = shapes[0]
    wanted = chosen if isinstance(chosen, tuple) else (chosen,)
    axes = {axis(d, len(shape), node, text(node)) for d in wanted}
    if keepdim:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def permute(shapes, args, node, warn) -> tuple:
    shape = shapes[0]
    order = args[0]
    full = len(shape) + 1
    if len(order) != full or sorted(d % full if type(d) is int else d for d in order) != list(range(full)):
        raise fail(codes.CONFIG, mismatch(text(node), f"a permutation of the {full} dims (batch included)",
                                          str(tuple(order))), node)
    if order[0] % full != 0:
        raise fail(codes.CONFIG, f"{text(node)} moves the batch dimension; convcalc follows one sample", node)
    return tuple(shape[d % full - 1] for d in order[1:])


def transpose(shapes, args, node, warn) -> tuple:
    shape = list(shapes[0])
    a, b = (axis(d, len(shape), node, text(node)) for d in args)
    shape[a], shape[b] = shape[b], shape[a]
    return tuple(shape)


def squeeze(shapes, args, node, warn) -> tuple:
    shape = shapes[0]
    if args[0] is None:
        if any(dims.is_symbolic(d) for d in shape):
            raise fail(codes.CONFIG, f"{text(node)}: which sizes are 1 depends on the input size; give squeeze a dim",
                       node)
        return tuple(d for d in shape if d != 1)
    at = axis(args[0], len(shape), node, text(node))
    return tuple(d for i, d in enumerate(shape) if i != at or d != 1)


def unsqueeze(shapes, args, node, warn) -> tuple:
    shape = shapes[0]
    full = len(shape) + 2  # the new dim may go at the end
    dim = args[0]
    if type(dim) is not int or not -full <= dim < full or dim % full == 0:
        raise fail(codes.CONFIG, f"{text(node)}: dim={dim} must be a dim after the batch, in [1, {full - 1}] or "
                                 f"[-{full - 1}, -1]", node)
    at = dim % full - 1
    return (*shape[:at], 1, *shape[at:])


def _length(size, start, stop, step, node):
    """len(range(size)[start:stop:step]), also for a symbolic size with bounds that fit it."""
    if not dims.is_symbolic(size):
        return len(range(size)[slice(start, stop, step)])
    if step != 1 or (start is not None and start < 0) or (stop is not None and stop < 0):
        raise fail(codes.CONFIG, f"{text(node)}: a slice of the symbolic size {dims.render(size)} needs bounds that "
                                 "do not depend on it", node)
    first = start or 0
    return size - first if stop is None else stop - first


def slice_(shapes, args, node, warn) -> tuple:
    dim, start, stop, step = args
    shape = list(shapes[0])
    at = axis(dim, len(shape), node, text(node))
    shape[at] = _length(shape[at], start, stop, step, node)
    if type(shape[at]) is int and shape[at] < 1:
        raise fail(codes.EMPTY, f"{text(node)} leaves no element along dim {dim} (size {dims.render(shapes[0][at])})",
                   node)
    return tuple(shape)


def select(shapes, args, node, warn) -> tuple:
    dim, index = args
    shape = shapes[0]
    at = axis(dim, len(shape), node, text(node))
    size = shape[at]
    if type(size) is int and not -size <= index < size:
        raise fail(codes.CONFIG, f"{text(node)}: index {index} is out of range for size {size} along dim {dim}", node)
    return tuple(d for i, d in enumerate(shape) if i != at)


def _pieces(size, sizes, node):
    if type(size) is int and sum(sizes) != size:
        raise fail(codes.CONFIG, mismatch(text(node), f"sections that add up to the size {size}",
                                          f"{list(sizes)} = {sum(sizes)}"), node)
    return sizes


def chunk(shapes, args, node, warn) -> tuple:
    """torch.chunk: pieces of ceil(size / chunks); the last one smaller, and fewer pieces when they run out."""
    chunks, dim, index = args
    shape = list(shapes[0])
    at = axis(dim, len(shape), node, text(node))
    size = shape[at]
    piece = dims.ceil_div(size, chunks)
    if type(size) is int:
        shape[at] = min(piece, size - index * piece)
    else:  # a symbolic size: as many pieces as asked (sizes that give fewer are the walk's to find)
        shape[at] = piece if index < chunks - 1 else size - index * piece
    if type(shape[at]) is int and shape[at] < 1:
        raise fail(codes.EMPTY, f"{text(node)}: a size of {size} makes fewer than {chunks} chunks", node)
    return tuple(shape)


def split(shapes, args, node, warn) -> tuple:
    """torch.split: pieces of one size (the last smaller), or the sizes listed."""
    sizes, dim, index = args
    shape = list(shapes[0])
    at = axis(dim, len(shape), node, text(node))
    size = shape[at]
    if isinstance(sizes, tuple):
        shape[at] = _pieces(size, sizes, node)[index]
    else:
        shape[at] = sizes if type(size) is not int or (index + 1) * sizes <= size else size - index * sizes
        if type(shape[at]) is int and shape[at] < 1:
            raise fail(codes.EMPTY, f"{text(node)}: a size of {size} has no piece {index}", node)
    return tuple(shape)


def stack(shapes, args, node, warn) -> tuple:
    first = shapes[0]
    for shape in shapes[1:]:
        if shape != first:
            raise fail(codes.CONCAT_SHAPES, f"{text(node)}: {fmt_shape(first)} and {fmt_shape(shape)} differ; stack "
                                            "needs equal shapes (PyTorch: stack expects each tensor to be equal size)",
                       node)
    full = len(first) + 2
    dim = args[0]
    if type(dim) is not int or not -full <= dim < full or dim % full == 0:
        raise fail(codes.CONFIG, f"{text(node)}: dim={dim} must be a dim after the batch", node)
    at = dim % full - 1
    return (*first[:at], len(shapes), *first[at:])


def pad(shapes, args, node, warn) -> tuple:
    """F.pad: (left, right) pairs from the last dim backwards; negative values crop."""
    pads, mode = args
    shape = list(shapes[0])
    if len(pads) % 2 or len(pads) // 2 > len(shape):
        raise fail(codes.CONFIG, f"{text(node)}: padding {pads} must be pairs for at most the {len(shape)} dims "
                                 "of a sample", node)
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


def expand(shapes, args, node, warn) -> tuple:
    """x.expand(sizes) (batch first; -1 keeps a size) or x.expand_as(other)."""
    shape = shapes[0]
    if len(shapes) > 1:
        target = shapes[1]
    else:
        target = tuple(args[0][1:])
        target = tuple(shape[i - (len(target) - len(shape))] if t == -1 else t for i, t in enumerate(target))
    if len(target) < len(shape):
        raise fail(codes.CONFIG, mismatch(text(node), f"at least {len(shape)} sizes per sample", fmt_shape(target)),
                   node)
    padded = (1,) * (len(target) - len(shape)) + tuple(shape)
    for have, want in zip(padded, target):
        if have != want and have != 1 and not (dims.is_symbolic(have) or dims.is_symbolic(want)):
            raise fail(codes.ADD_SHAPES, f"{text(node)}: {fmt_shape(shape)} cannot expand to {fmt_shape(target)} "
                                         "(only sizes of 1 expand)", node)
    return tuple(target)


RULES = {"add": broadcast, "sub": broadcast, "mul": broadcast, "div": broadcast, "maximum": broadcast,
         "minimum": broadcast, "mean": reduce, "sum": reduce, "amax": reduce, "amin": reduce, "permute": permute,
         "transpose": transpose, "squeeze": squeeze, "unsqueeze": unsqueeze, "slice": slice_, "select": select,
         "chunk": chunk, "split": split, "stack": stack, "pad": pad, "expand": expand}


def output_shape(op: str, shapes: list, args: tuple, node, warn) -> tuple:
    shape = RULES[op](shapes, args, node, warn)
    product(shape)  # a symbolic size must stay within the bounds of dims
    return shape
