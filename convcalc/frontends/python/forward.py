"""Following forward: modules called on tensors, layers applied, tensor operations and
arithmetic, each emitted into the frame's trace (trace.py) as a node of the program the shape
engine walks."""
from __future__ import annotations

import contextlib
from typing import Optional

from convcalc import nodes as n
from convcalc.engine.evaluate import Evaluator
from convcalc.errors import ConvcalcError, Span
from convcalc.frontends.python.pyclasses import Instance
from convcalc.frontends.python.pyobjects import Args, Function, describe, described, invoke
from convcalc.frontends.python.reasons import Unfollowable, Why
from convcalc.frontends.python.tensors import BATCH, Tensor
from convcalc.frontends.python.torchobjects import (Constant, Container, Layer, Opaque, Parameter, Sequential,
                                                     as_container)
from convcalc.layers.catalogue import lookup
from convcalc.symbolic import dims

MAX_TUPLE = 64  # items of a layer's argument (convcalc/frontends/syntax.py has the same bound)


def name_tensor(value, name: str) -> None:
    """``y = ...``: the tensor takes the name it was assigned to (its saved name when it is saved)."""
    if isinstance(value, Tensor) and not value.named and value.saved is None:
        value.label, value.named = name, True


def need_trace(frame, node):
    if frame.trace is None:
        raise Unfollowable("a tensor operation outside forward", node)
    return frame.trace


def tensor_arg(value, node) -> Tensor:
    if not isinstance(value, Tensor):
        raise Unfollowable(f"{describe(value)} where a tensor flowing through forward was expected", node)
    return value


def caller_span(frame, span: Span) -> Span:
    """Where the forward running now was called from (self.up1(x5, x4)), or ``span`` itself."""
    for each in frame.frames():
        if each.call_span is not None and each.call_span.line != span.line:
            return each.call_span
    return span


def const_node(frame, value, span: Span, node, layer: str):
    """A value an argument of a layer or operation holds, as a node of the program."""
    if isinstance(value, bool) or value is None:
        return n.Const(value, span)
    if isinstance(value, int):
        return n.Num(value, span)
    if isinstance(value, float):
        return n.Float(value, span)
    if isinstance(value, str):
        return n.Str(value, span)
    if isinstance(value, (tuple, list)):
        if len(value) > MAX_TUPLE:  # as in the description language: one item per dimension
            raise Unfollowable(f"an argument of {layer} that is a sequence of {len(value):,} items", node)
        return n.TupleExpr(tuple(const_node(frame, v, span, node, layer) for v in value), span)
    if dims.is_symbolic(value):
        return n.Value(value, span)  # a size computed from the input's: a walk with other values substitutes
    if value is BATCH:
        raise Unfollowable(f"the batch size as an argument of {layer}", node)
    if isinstance(value, Instance) and value.native is not None:
        return const_node(frame, value.native, span, node, layer)  # an IntEnum member, a str Enum's
    if isinstance(value, Layer):  # a layer object as an argument: TransformerEncoder(encoder_layer, 6)
        return value.construct
    raise Unfollowable(f"an argument of {layer} that is {describe(value)}, not a constant", node)


# ---------------------------------------------------------------- modules called


def call_module(frame, module, args: Args, node):
    """A module called: outside forward, a model that script code calls on a tensor it made
    (discovery.py); in forward, its forward followed."""
    if frame.trace is None:
        from convcalc.frontends.python.discovery import probe

        return probe(frame, module, args.values, node)
    trace = frame.trace
    machine = frame.machine
    line = frame.span(node) if node is not None and hasattr(node, "lineno") else None
    if isinstance(module, Instance):
        if module.poisoned:
            raise Unfollowable(f"the {module.cls.name} object is not known ({module.poisoned})", node)
        forward = module.cls.lookup("forward")
        if isinstance(forward, Function) or (module.base is None and module.cls.container == "sequential"):
            with trace.inside(machine.module_paths.get(id(module), ""), module.cls.name, line):
                module.traced = True
                if isinstance(forward, Function):
                    return invoke(frame, forward, args.prepend(module), node)
                return call_module(frame, as_container(module), args, node)  # nn.Sequential's forward
        call = module.cls.lookup("__call__")
        if isinstance(call, Function):  # a module that defines __call__ instead of forward
            with trace.inside(machine.module_paths.get(id(module), ""), module.cls.name, line):
                module.traced = True
                return invoke(frame, call, args.prepend(module), node)
        if module.base is not None:  # a subclass of a layer without a forward of its own: the layer
            return call_module(frame, module.base, args, node)
        raise Unfollowable(f"{module.cls.name} has no forward", node)
    if isinstance(module, Layer):
        if module.poisoned:
            raise Unfollowable(f"the nn.{module.name} object is not known ({module.poisoned})", node)
        return apply_layer(frame, module, args, node)
    follow = getattr(module, "follow", None)
    if follow is not None:  # a module of a library's brain (einops' Rearrange): it follows its own call
        with trace.inside(machine.module_paths.get(id(module), ""), module.describe(), line):
            return follow(frame, args, node)
    if isinstance(module, Opaque):
        raise Unfollowable(f"{module.describe()} is not supported: it is not in convcalc's catalogue", node,
                           kind=Why.CATALOGUE)
    if isinstance(module, Sequential):
        values = args.values
        if len(values) != 1 or args.keywords:
            raise Unfollowable(f"nn.Sequential called with {len(values)} arguments", node)
        x = values[0]
        with trace.inside(machine.module_paths.get(id(module), ""), "Sequential", line):
            for item in module.items:
                from convcalc.frontends.python.pyobjects import call as call_value

                x = call_value(frame, item, Args([(x, node)]), node)
        return x
    if isinstance(module, Container):
        raise Unfollowable(f"calling {module.describe()}: it has no forward", node)
    raise Unfollowable(f"calling {describe(module)}", node)


def apply_layer(frame, module: Layer, args: Args, node):
    """A layer object called: its forward's tensors (the first flows in, the others by their saved
    names), its other arguments, and its outputs (a tuple when it gives several), as its
    declaration names them (convcalc/layers/registry.py)."""
    trace = frame.trace
    spec = lookup(module.name)
    tensors, given = bind_forward(frame, spec, module, args, node)
    site = frame.span(node) if node is not None and hasattr(node, "lineno") else module.construct.span
    names = tuple(trace.save_name(t) if t is not None else None for t in tensors[1:])
    trace.use(tensors[0], site)
    constructed = layer_args(module)
    try:
        called = spec.bind_call(constructed, given)
        outputs = spec.output_names(called)
    except ConvcalcError:
        called, outputs = None, ("output",)  # the walk reports the arguments' error at the layer
    saved = tuple(trace.fresh_name(f"{module.name}.{o}") for o in outputs) if len(outputs) > 1 else ()
    # x.size() given to a forward (unpool's output_size) holds the batch: it stands there as -1
    call_kwargs = tuple((key, const_node(frame, without_batch(value), site, node, module.name), site)
                        for key, value in given.items())
    emitted = module.call_for(frame.machine.module_paths.get(id(module), ""), names, call_kwargs, saved)
    trace.sites[id(emitted)] = (site, ("layer", id(module)), module.origin)
    trace.layers_used[id(module)] = trace.layers_used.get(id(module), 0) + 1
    made = trace.emit(emitted, "", site, tensors)
    row = trace.shapes.analysis.rows[-1]
    if id(module) not in frame.machine.module_paths and (row.params or row.buffers):
        trace.unregistered[module.uid] = module  # kept in a plain list, made in forward: torch does not count it
    if called is not None and isinstance(spec.output_structure(called), tuple):
        # as the forward returns them: output, (h_n, c_n); MultiheadAttention's (output, None)
        return spec.returned(called, made if isinstance(made, tuple) else (made,))
    return made


def bind_forward(frame, spec, module: Layer, args: Args, node) -> tuple:
    """([the tensors of the layer's forward, None for an optional one left out], {its other
    arguments}), bound by position and name as Python binds them."""
    from convcalc.binding import MISSING, BindError, bind

    operands = [o.rstrip("?") for o in spec.operands]
    packs = dict(spec.packs)  # nn.LSTM's hx: the pair (h_0, c_0)
    optional = {o.rstrip("?") for o in spec.operands if o.endswith("?")} | set(packs)
    defaults = dict(spec.call_params)
    try:
        bound, _, _ = bind(f"{module.name}.forward", list(spec.forward_names()), args.values, args.named,
                           lambda name, _: None if name in optional else defaults.get(name, MISSING))
    except BindError as exc:
        raise Unfollowable(exc.message, node) from None
    for pack, names in packs.items():
        value = bound.pop(pack)
        if value is not None and (not isinstance(value, tuple) or len(value) != len(names)):
            raise Unfollowable(f"{module.name}'s {pack} as {describe(value)}, not a tuple of {len(names)} tensors",
                               node)
        bound.update(zip(names, value if value is not None else (None,) * len(names)))
    tensors = []
    for name in operands:
        value = bound[name]
        if value is None and name in optional:
            tensors.append(None)
        elif isinstance(value, (Constant, Parameter)) and not tensors:  # self.cpb(self.coords) in forward
            tensors.append(in_trace(frame, value, node))
        else:
            tensors.append(tensor_arg(value, node))
    given = {name: bound[name] for name in defaults if bound[name] is not defaults[name]}
    return tensors, given


def layer_args(module: Layer):
    """The layer object's constructor arguments, bound (their errors are the walk's to report)."""
    spec = lookup(module.name)
    evaluate = Evaluator({})
    try:
        return spec.bind(tuple(evaluate(a) for a in module.construct.args), {k: evaluate(v) for k, v, _ in
                                                                         module.construct.kwargs})
    except ConvcalcError:
        from convcalc.layers.registry import Args as LayerArgs

        return LayerArgs(module.name, {}, spec.traits)


def without_batch(value):
    """A size given to a layer's forward with the batch in it (``x.size()``): the batch as -1."""
    if isinstance(value, (tuple, list)):
        return type(value)(without_batch(v) for v in value)
    return -1 if value is BATCH else value


# ---------------------------------------------------------------- functional layers and operations


@contextlib.contextmanager
def spelled(frame, spelling: str):
    """The nodes emitted inside carry the spelling torch sees (torch.matmul, Tensor.matmul): the
    counting tools that patch some functions count only those (convcalc/metrics/conventions.py)."""
    trace = frame.trace
    if trace is None:
        yield
        return
    outer, trace.spelling = trace.spelling, spelling
    try:
        yield
    finally:
        trace.spelling = outer


def functional_layer(frame, layer: str, tensor: Tensor, keywords: list, node) -> Tensor:
    """A functional call that is a catalogue layer (``F.relu(x)``, ``F.max_pool2d(x, 2)``):
    ``keywords`` [(parameter, value, value node)] its arguments by the layer's names."""
    trace = need_trace(frame, node)
    span = frame.span(node)
    kw = [(key, const_node(frame, value, frame.span(value_node) if value_node is not None and
                           hasattr(value_node, "lineno") else span, value_node or node, layer),
           frame.span(value_node) if value_node is not None and hasattr(value_node, "lineno") else span)
          for key, value, value_node in keywords]
    layer, square = global_pool(layer, kw, tensor)
    if square and all(note.span != span for note in frame.machine.notes):  # once per place, not per call
        frame.machine.notes.append(frame.note(f"{frame.segment(node)} is taken as a global pool: its window is the "
                                              "input's height on both sides, which covers the whole input when it "
                                              "is square (H = W)", node))
    call = n.Call(layer, (), tuple(kw), frame.segment(node), span, frame.span(node.func) if hasattr(node, "func")
                  else span, spelling=trace.spelling)
    trace.use(tensor, span)
    trace.sites[id(call)] = (span, ("op", id(call)), ())
    return trace.emit(call, "", span, [tensor])


def emit_op(frame, op: str, operands: list, args: tuple, node, text: Optional[str] = None, outputs: int = 0):
    """A tensor operation of convcalc/layers/operations.py on ``operands`` (the first flows in),
    its arguments in the declaration's order; ``outputs``: how many it makes, when several."""
    trace = need_trace(frame, node)
    span = frame.span(node)
    names = tuple([None] + [trace.save_name(t) for t in operands[1:]])
    trace.use(operands[0], span)
    exprs = tuple(const_node(frame, a, span, node, op) for a in args)
    saved = tuple(trace.fresh_name(op) for _ in range(outputs)) if outputs else ()
    return trace.emit(n.Op(op, names, exprs, text or frame.segment(node), span, (), saved, trace.spelling), "", span,
                      operands, caller_span(frame, span))


def concat(frame, tensors: list, dim, node):
    """torch.cat: each further tensor saved, then joined to the one flowing along ``dim``."""
    trace = need_trace(frame, node)
    span = frame.span(node)
    if type(dim) is not int:
        raise Unfollowable(f"torch.cat along dim={describe(dim)}", node)
    if not tensors or not all(isinstance(t, Tensor) for t in tensors):
        raise Unfollowable("torch.cat of something not tensors flowing through forward", node)
    if len(tensors) == 1:
        return tensors[0]
    rank = len(tensors[0].shape) + 1 if tensors[0].shape is not None else None
    if rank is not None and -rank <= dim < rank and dim % rank == 0:  # torch joins the samples of the batches
        raise Unfollowable(f"torch.cat along dim={dim}, the batch: convcalc follows one sample", node)
    names = [trace.save_name(t) for t in tensors[1:]]
    trace.use(tensors[0], span)
    result = tensors[0]
    for name, other in zip(names, tensors[1:]):
        # the engine resolves a negative dim against the tensor's rank (dim=-3 is channels on 4-d only)
        result = trace.emit(n.ConcatSaved(name, span, dim), "", span, [result, other], caller_span(frame, span))
    return result


def view(frame, tensor: Tensor, values: list, node):
    """x.view(...) / x.reshape(...): the batch kept first (x.size(0) or -1), or times a factor that
    folds positions into it (``x.view(B * windows, n, C)``), or a folded batch given back its
    positions (``x.view(B, rows, cols, C)``, ``x.view(-1, heads, n, n)``)."""
    from convcalc.frontends.python.tensors import batch_factor
    from convcalc.layers.placement import placement

    if tensor.shape is not None and placement(tensor.shape)[0] is None:
        return whole_view(frame, tensor, values, node)
    first = values[0] if values else None
    factor = batch_factor(first)
    if len(values) < 1 or not (factor is not None or (type(first) is int and first == -1)):
        raise Unfollowable("a view that does not keep the batch first (x.size(0) or -1)", node)
    rest = values[1:]
    if not all(type(v) is int or dims.is_symbolic(v) for v in rest):
        raise Unfollowable(f"a view to sizes {described(rest)}", node)
    trace = need_trace(frame, node)
    span = frame.span(node)
    folded_in = tensor.shape is not None and placement(tensor.shape) != (0, 1)
    if first is BATCH and rest == [-1] and not folded_in:
        return functional_layer(frame, "Flatten", tensor, [], node)
    # the batch folded or unfolded: the factor written (-1: the engine works it out), checked there
    fold = None
    if factor is not None and (factor != 1 or folded_in):
        fold = factor
    elif first == -1 and (folded_in or leading_into_batch(tensor.shape, rest)):
        fold = -1
    trace.use(tensor, span)
    target = tuple(const_node(frame, v, span, node, "view") for v in rest)
    reshape = n.Reshape(target, first == -1 or fold is not None, frame.segment(node), span, fold=fold)
    return trace.emit(reshape, "", span, [tensor], caller_span(frame, span))


def whole_view(frame, tensor: Tensor, values: list, node):
    """A view of a tensor without a batch (made from a constant in forward): every size given."""
    if not values or not all(type(v) is int or dims.is_symbolic(v) for v in values):
        raise Unfollowable(f"a view to sizes {described(values)}", node)
    trace = need_trace(frame, node)
    span = frame.span(node)
    trace.use(tensor, span)
    target = tuple(const_node(frame, v, span, node, "view") for v in values)
    return trace.emit(n.Reshape(target, False, frame.segment(node), span, fold=0), "", span, [tensor],
                      caller_span(frame, span))


def in_trace(frame, value, node) -> Tensor:
    """A tensor made in ``__init__`` (a buffer, a parameter) given to a layer in forward: a tensor of
    the trace without a batch (the catalogue's new_zeros of its sizes: its values are not followed),
    so that the layers run on it are rows of the table."""
    trace = need_trace(frame, node)
    if not all(type(s) is int for s in value.shape):
        raise Unfollowable(f"{describe(value)} given to a layer", node)
    return emit_op(frame, "new_zeros", [trace.current or trace.root], (tuple(value.shape),), node)


def leading_into_batch(shape, rest: list) -> bool:
    """``attn.view(-1, heads, n, n)`` on windows x heads x n x n per sample: the sizes after -1 are
    the sample's last ones, so -1 takes the batch with the sample's leading dims, torch's
    flatten(0, k) (windows cut from each image, one batch item each). Any other -1 that does not
    match keeps its CC107 (positions mixed across dims, most often a wrong size)."""
    if shape is None or not rest or len(rest) >= len(shape):
        return False
    from convcalc.layers.placement import placement

    return placement(shape) == (0, 1) and tuple(shape[len(shape) - len(rest):]) == tuple(rest)


BROADCAST = {"+": "add", "-": "sub", "*": "mul", "/": "div"}


def tensor_binop(frame, op: str, left, right, node):
    trace = need_trace(frame, node)
    if isinstance(left, Tensor) and isinstance(right, Tensor):
        span = frame.span(node)
        from convcalc.layers.placement import same_placement

        # a residual add of equal shapes whose batches stand alike; otherwise torch's broadcast (a table
        # without a batch added to each sample's scores)
        if op == "+" and left.shape == right.shape and left.shape is not None and \
                same_placement(left.shape, right.shape):
            name = trace.save_name(right)
            trace.use(left, span)
            return trace.emit(n.AddSaved(name, span), "", span, [left, right], caller_span(frame, span))
        if op == "@":
            return emit_op(frame, "matmul", [left, right], (), node)
        name = BROADCAST.get(op)
        if name is None:
            raise Unfollowable(f"tensor {op} tensor", node)
        return emit_op(frame, name, [left, right], (), node)
    tensor, other = (left, right) if isinstance(left, Tensor) else (right, left)
    from convcalc.frontends.python.pycore import is_number

    if is_number(other) and op in ("+", "-", "*", "/", "//", "**", "%"):
        return tensor  # an element-wise operation with a number keeps the shape
    if isinstance(other, (Constant, Parameter)) and op in BROADCAST and fits_into(other.shape, tensor.shape):
        return tensor  # convnext's layer_scale * x: a constant that broadcasts into the tensor keeps its shape
    if isinstance(other, (Constant, Parameter)) and op in BROADCAST and tensor.shape is not None and \
            any(dims.is_symbolic(d) for d in tensor.shape):  # x + self.pos_embedding on symbolic sizes:
        raise Unfollowable(f"tensor {op} {describe(other)} at the input's sizes", node, kind=Why.SIZE)  # the given ones
    raise Unfollowable(f"tensor {op} {describe(other)}", node)


def fits_into(constant: tuple, sample) -> bool:
    """A constant tensor of shape ``constant`` broadcasts against a batch of ``sample`` tensors
    without growing them: each of its sizes is 1 or the tensor's (its first may be the batch's 1)."""
    if sample is None:
        return False
    sample = tuple(sample)
    if len(constant) == len(sample) + 1 and constant[0] == 1:
        constant = constant[1:]
    if len(constant) > len(sample):
        return False
    tail = sample[len(sample) - len(constant):]
    return all(c == 1 or (type(d) is int and c == d) for c, d in zip(constant, tail))


def global_pool(layer: str, kwargs: list, tensor: Tensor) -> tuple:
    """F.avg_pool2d(x, x.size()[2:]) on a symbolic input: a window as large as the input,
    stride and padding left as they default, is a global average (max) pool, whatever H and W
    are; convcalc follows it as AdaptiveAvgPool2d(1), which the rules can take symbolically.
    The kernel is changed into output_size=1 in place. Also (layer, True) for a window of the
    input's height on both sides (``F.avg_pool2d(x, x.size(2))``): global for a square input."""
    spec = lookup(layer)
    if spec is None or spec.traits.field != "window" or tensor.shape is None or not spec.traits.rank or \
            not any(name == "kernel_size" for name, _ in spec.params) or spec.traits.channels:
        return layer, False
    given = {key: expr for key, expr, _ in kwargs}
    kernel = given.get("kernel_size")
    nd = spec.traits.rank
    if not isinstance(kernel, (n.TupleExpr, n.Value)) or set(given) - {"kernel_size"}:
        return layer, False
    values = [e.value for e in kernel.items] if isinstance(kernel, n.TupleExpr) else [kernel.value] * nd
    spatial = tensor.shape[len(tensor.shape) - nd:]
    if not any(dims.is_symbolic(v) for v in values):
        return layer, False
    # F.avg_pool2d(x, x.size(2)): one side's size for both, a global pool of a square input (said in a note)
    square = not isinstance(kernel, n.TupleExpr) and values[0] == spatial[0] and tuple(values) != tuple(spatial)
    if tuple(values) != tuple(spatial) and not square:
        return layer, False
    adaptive = f"Adaptive{layer}"
    if lookup(adaptive) is None:
        return layer, False
    at = next(i for i, (key, _, _) in enumerate(kwargs) if key == "kernel_size")
    _, expr, key_span = kwargs[at]
    kwargs[at] = ("output_size", n.Num(1, expr.span), key_span)
    return adaptive, square


# ---------------------------------------------------------------- indexing


def tensor_index(frame, tensor: Tensor, key, node):
    """x[:, :c], x[:, 0], x[..., None]: one operation per dim that changes."""
    from convcalc.layers.placement import placement

    keys = list(key) if isinstance(key, tuple) else [key]
    batch_first = tensor.shape is None or placement(tensor.shape)[0] == 0  # qkv[0] after permute(2, 0, ...): not the batch
    if batch_first and keys and keys[0] is not Ellipsis and keys[0] != slice(None):
        raise Unfollowable("indexing the batch dimension of a tensor", node)
    rank = len(tensor.sizes(node)) - 1
    if Ellipsis in keys:
        at = keys.index(Ellipsis)
        keys[at:at + 1] = [slice(None)] * (rank + 1 - (len(keys) - 1 - keys.count(None)))
    dim, result = 0, tensor
    for item in keys:
        if item is None:
            result = emit_op(frame, "unsqueeze", [result], (dim,), node)
        elif isinstance(item, slice):
            if item != slice(None):
                for part in (item.start, item.stop, item.step):
                    if part is not None and not (type(part) is int or dims.is_symbolic(part)):
                        raise Unfollowable(f"a slice by {describe(part)}", node)
                result = emit_op(frame, "slice", [result], (dim, item.start, item.stop, item.step or 1), node)
        elif type(item) is int:
            result = emit_op(frame, "select", [result], (dim, item), node)
            continue  # the dim is gone
        elif isinstance(item, Constant) and not item.floating and not item.boolean:
            # table[index]: one index tensor among slices (with an int too, numpy may move its dims: not followed)
            if sum(isinstance(k, Constant) for k in keys) > 1 or any(type(k) is int for k in keys):
                raise Unfollowable("indexing a tensor with an index tensor beside other indices", node)
            check_indices(frame, result, dim, item, node)
            result = emit_op(frame, "take", [result], (dim, tuple(item.shape), least_size(item)), node)
            dim += len(item.shape)
            continue
        else:
            raise Unfollowable(f"indexing a tensor with {describe(item)}", node)
        dim += 1
    return result


def check_indices(frame, tensor: Tensor, dim: int, index: Constant, node) -> None:
    """An index tensor's known values against the size they index, as torch checks them."""
    if index.values is None or tensor.shape is None:
        return
    from convcalc.layers.placement import placement

    at = placement(tensor.shape)[0]
    sizes = list(tensor.shape)
    if at is not None:
        sizes.insert(at, None)  # the batch's place: its size is open
    size = sizes[dim] if -len(sizes) <= dim < len(sizes) else None
    if type(size) is not int:
        return
    for value in index.values:
        if not -size <= value < size:
            from convcalc.frontends.python.pycore import raise_error

            raise raise_error(frame, "IndexError", (f"index {value} is out of bounds for dimension {dim} with size "
                                                    f"{size}",), node)


def least_size(index: Constant) -> int:
    """The size a dim must have for every known index of ``index`` (i or -i - 1 < size); 0 unknown."""
    if index.values is None or not index.values:
        return 0
    return max(max(index.values) + 1, -min(index.values))
