"""The shape backend: propagates shapes through the walk and records a Row per layer;
``analyse(program)`` is the shape engine's entry point."""
from __future__ import annotations

from typing import Optional

from convcalc import codes
from convcalc import nodes as n
from convcalc.engine.analysis import Analysis, Registered, Row
from convcalc.engine.evaluate import fail
from convcalc.layers.operations import lookup_operation, output_shapes
from convcalc.engine.walk import Walker, argument_span
from convcalc.errors import ConvcalcError, line_of, mismatch
from convcalc.engine import batch
from convcalc.layers.common import LayerError, Result, fmt_shape, is_size, product
from convcalc.layers.placement import placed, placement
from convcalc.symbolic import dims


def pad_tail(args: dict, shape: tuple) -> tuple:
    """F.pad(x, pads): the rows of padding at the end of each dim of its output (pads run
    (left, right) from the last dim backwards)."""
    pads = tuple(args.get("pad", ())) if isinstance(args.get("pad"), (tuple, list)) else ()
    if not all(type(p) is int for p in pads) or len(pads) // 2 > len(shape):
        return ()
    tail = [0] * len(shape)
    for i in range(len(pads) // 2):
        tail[len(shape) - 1 - i] = max(pads[2 * i + 1], 0)
    return tuple(tail)


# (layer, its arguments, the padding before it, the shape in) -> the rule's Result: a search walks the
# same layers over and over (convcalc inputs: thousands of sizes), and a rule is a pure function
_RULES: dict = {}
RULE_CACHE = 65_536
PLAIN = (placement(()),)  # the placement of one plain tuple (the batch first and whole): the usual operand


def kinds(value):
    """The types inside a value: 2 and 2.0 (and 1 and True) are equal keys, but not equal arguments."""
    return tuple(map(kinds, value)) if type(value) is tuple else type(value)


def rule_result_of(spec):
    """The layer's rule as batch.layer_outputs calls it again on lifted shapes (uncached: the batch is a symbol)."""
    return lambda args, *shapes: spec.rule(args, *shapes)


def rule_result(spec, args, shapes: tuple) -> Result:
    """The layer's rule on one shape per operand (cached)."""
    own = args.values_key
    if own is None:  # made once per bound arguments (a constant call's are copied from walk to walk)
        values = args.values
        own = args.values_key = (tuple(values.items()), tuple(kinds(v) for v in values.values()))
    # the rule and the name: one rule serves several layers (ZeroPad1d, ReflectionPad1d: it reads the
    # name), and a test may give a layer another rule
    places = PLAIN if len(shapes) == 1 and type(shapes[0]) is tuple else \
        tuple(placement(s) for s in shapes if s is not None)
    key = (spec.rule, spec.name, own, args.padded_tail, shapes, places)
    try:
        found = _RULES.get(key)
    except TypeError:  # an unhashable argument (a list): no caching
        return spec.rule(args, *shapes)
    if found is None:
        found = spec.rule(args, *shapes)  # a LayerError is raised each time, not cached
        if len(_RULES) >= RULE_CACHE:
            _RULES.clear()
        _RULES[key] = found
    return found


class ShapeBackend:
    """Propagates shapes and records a Row per layer."""

    def __init__(self, analysis: Analysis, frozen: frozenset = frozenset(), unregistered: frozenset = frozenset(),
                 tied: tuple = (), nonleaf: frozenset = frozenset()):
        self.analysis = analysis
        self.tied = dict(tied)  # the layer objects whose weight or bias is another's: those elements count once
        self.padded_row, self.padded_tail = None, ()  # the last row, when it padded (see layer)
        self.frozen = frozen  # the layer objects a Python model froze (requires_grad = False)
        self.unregistered = unregistered  # the layer objects outside its module tree: not its parameters
        self.nonleaf = nonleaf  # the layer objects torchinfo does not hook as leaves (nodes.Program.nonleaf)

    def start(self, shape, node):
        try:
            product(shape)  # the input's memory: a symbolic size must stay within the bounds of dims
        except OverflowError as exc:
            raise fail(codes.ARGUMENT, f"the input: {exc}", node) from None
        if getattr(node, "name", None) is None:
            self.analysis.input = shape
        else:
            self.analysis.extra_inputs.append((node.name, shape))
        return shape

    def layer(self, spec, args, shapes, call: n.Call, blocks):
        """``shapes``: one per operand of the layer's forward (None for an optional one left out)."""
        shape = shapes[0]
        rows = self.analysis.rows
        if self.padded_row is not None and rows and rows[-1] is self.padded_row and self.padded_row.shape == shape:
            args.padded_tail = self.padded_tail  # the row just before padded this very tensor
        try:
            plan = batch.layer_plan(spec, args, shapes)  # where the batch stands (engine/batch.py)
        except LayerError:
            rule_result(spec, args, tuple(shapes))  # torch checks the layer's own settings and sizes first
            raise
        if plan == "layout":
            result, output = batch.layout_layer(spec, args, shapes)
            outputs = [output]
        else:
            result = rule_result(spec, args, tuple(shapes))
            outputs = batch.layer_outputs(spec, args, shapes, result, plan, rule_result_of(spec))
        for code, message, arg in result.warnings:
            self.analysis.warnings.append(ConvcalcError(code, message, argument_span(call, spec, arg)))
        instance = call.instance
        shared = instance is not None and instance in self.analysis.instances
        trainable = result.trainable and (instance is None or instance not in self.frozen)
        if instance is not None:
            self.analysis.instances.add(instance)
        owned = instance is None or instance not in self.unregistered  # torch counts a registered module's only
        row = Row(call, call.text, spec.name, shape, outputs[0],
                  result.params - self.tied.get(instance, 0) if owned else 0,
                  result.buffers if owned else 0, result.formula, result.kind, result.geometry, result.global_pool,
                  blocks, trainable, shared)
        row._resolve = (spec.params, args.values)  # the text with values, worked out when a report asks
        row.spec, row.args = spec, args
        row.inputs = tuple(shapes) if None not in shapes else tuple(s for s in shapes if s is not None)
        row.declared = (result.macs, result.macs_fixed, result.fmas, result.leaves)
        if instance is not None and instance in self.nonleaf:  # torchinfo counts no mult-adds for a non-leaf
            row.declared = (0, 0, result.fmas, result.leaves)
        if result.shapes is not None:
            row.outputs = tuple(outputs)
        self.analysis.add_row(row)
        self.padded_row, self.padded_tail = (self.analysis.rows[-1], result.tail) if result.tail else (None, ())
        return list(outputs) if result.shapes is not None else outputs[0]

    def op(self, name, shapes, args, node, blocks):
        def warn(code, message):
            self.analysis.warnings.append(fail(code, message, node))

        try:
            spec = lookup_operation(name)
            if batch.trivial(shapes) and not spec.whole and not batch.touches_batch(spec.axes, args, shapes):
                out = output_shapes(name, shapes, args, node, warn)
            else:  # the batch is not first, or folded: the operation on the full sizes (engine/batch.py)
                out = batch.op_outputs(name, lookup_operation(name), shapes, args, node, warn, output_shapes)
        except OverflowError as exc:  # a symbolic size past the bounds of dims
            raise fail(codes.ARGUMENT, str(exc), node) from None
        several = isinstance(out, list)
        if several and not out:
            raise fail(codes.EMPTY, f"{' '.join(node.text.split())}: no piece (a size of 0)", node)
        row = Row(node, node.text, name, shapes[0], out[0] if several else out, blocks=blocks)
        row.args, row.inputs, row.op = args, tuple(shapes), lookup_operation(name)
        if several:
            row.outputs = tuple(out)
        self.analysis.add_row(row)
        tail = pad_tail(args, row.shape) if row.op.field == "pad" else ()
        self.padded_row, self.padded_tail = (self.analysis.rows[-1], tail) if tail else (None, ())
        return out

    def add(self, a, b, node, label):
        if placement(a) != placement(b):
            raise fail(codes.BATCH, f"{label}: {batch.shown(a)} and {batch.shown(b)} hold the batch (N) at different "
                                    "places: torch would add samples to positions, or refuse", node)
        if a != b:
            condition = symbolic_match(a, b)
            if condition is None:
                raise fail(codes.ADD_SHAPES, f"{label}: shapes {fmt_shape(a)} and {fmt_shape(b)} differ; an add needs equal "
                                    "shapes", node)
            self.analysis.warnings.append(fail(codes.CONDITIONAL, f"{label}: shapes {fmt_shape(a)} and {fmt_shape(b)} are "
                                                        f"equal only when {condition}", node))
        row = Row(node, label, "add", a, a)
        row.inputs = (a, b)
        self.analysis.add_row(row)
        return a

    def concat(self, outputs, node, label, dim: int = 1):
        """torch.cat along ``dim`` (batch-counted, as torch numbers it): every other dim must agree."""
        shapes = [s for s, _ in outputs]
        if batch.trivial(shapes):
            shape = self.joined(outputs, node, label, dim)
        else:  # the batch elsewhere: joined on the full sizes (engine/batch.py)
            lifted = [(batch.lift(s), where) for s, where in outputs]
            shape = batch.settle(self.joined(lifted, node, label, dim + 1 if type(dim) is int and dim >= 0 else dim,
                                             lifted=True))
            if shape is None:
                raise fail(codes.BATCH, f"{label}: {' and '.join(batch.shown(s) for s in shapes)} joined along dim "
                                        f"{dim}: the batch would be joined too (torch would lay samples end to end)",
                           node)
        self.analysis.add_row(Row(node, label, "concat", outputs[0][0], shape))
        return shape

    def joined(self, outputs, node, label, dim, lifted: bool = False) -> tuple:
        """The shape of a concatenation of ``outputs`` ((shape, node) pairs) along ``dim``; ``lifted``:
        the shapes hold the batch (engine/batch.py), and torch's dims are their own indices."""
        first, first_node = outputs[0]
        axis = concat_axis(first, dim, label, node)
        along = "channels" if axis == 0 else f"dim {dim}"
        for number, (shape, where) in enumerate(outputs[1:], 1):
            if len(shape) != len(first) or shape[:axis] + shape[axis + 1:] != first[:axis] + first[axis + 1:]:
                condition = symbolic_match(first, shape, axis)
                if condition is None:
                    raise fail(codes.CONCAT_SHAPES, f"{label}: {fmt_shape(first)} ({self.line(first_node)}) and "
                                                    f"{fmt_shape(shape)} ({self.line(where)}) differ in a "
                                                    f"dimension other than {along} (PyTorch: "
                                                    f"{cat_refusal(first, shape, axis, number, 0 if lifted else 1)})",
                               node)
                self.analysis.warnings.append(fail(codes.CONDITIONAL, f"{label}: {fmt_shape(first)} ("
                                                                      f"{self.line(first_node)}) and {fmt_shape(shape)} "
                                                                      f"({self.line(where)}) match only when "
                                                                      f"{condition}", node))
        total = sum((s[axis] for s, _ in outputs), 0)
        return (*first[:axis], total, *first[axis + 1:])

    def line(self, node) -> str:
        """`line 12` of a node; `line 4 of cell 3` in a notebook."""
        return line_of(self.analysis.path, node.span)

    def reshape(self, shape, target, node, blocks):
        """x.view(x.size(0), ...) or x.view(-1, ...): per-sample target sizes, at most one -1."""
        shape_out = reshape_shape(shape, target, node)
        row = Row(node, node.text, "view", shape, shape_out, blocks=blocks)
        row.args = target
        self.analysis.add_row(row)
        return shape_out


def reshape_shape(shape, target, node) -> tuple:
    """The per-sample shape after a view; CC107 when the sizes cannot match (PyTorch's message quoted).
    A target computed from a symbolic input's sizes (``x.view(b, c, h * w)``) is symbolic too."""
    at, fold = placement(shape)
    if getattr(node, "fold", None) == 0:
        return whole_reshape(shape, target, node)
    if getattr(node, "fold", None) is not None or (at == 0 and fold != 1):
        return folded_reshape(shape, target, node)
    text = " ".join(node.text.split())
    batch = "-1" if node.infer_batch else "1"
    written = "[" + ", ".join([batch] + [dims.render(t) for t in target]) + "]"
    if not target or any(not is_size(t) or (type(t) is int and t < 1 and t != -1) for t in target):
        raise fail(codes.VIEW, f"{text}: the sizes must be positive integers (one may be -1)", node)
    if target.count(-1) > (0 if node.infer_batch else 1):
        raise fail(codes.VIEW, f"{text}: only one dimension can be -1 (PyTorch: only one dimension can be inferred)",
                   node)
    total = product(shape)
    known = product(t for t in target if t != -1)
    if -1 not in target:
        if type(total) is int and type(known) is int and total != known:
            if node.infer_batch and total % known == 0:  # x.view(-1, 400) of 1600 per sample: torch folds 4 rows
                return placed(tuple(target), 0, total // known)  # of each sample into the batch (lint: CC214)
            raise fail(codes.VIEW, mismatch(text, f"{known} elements per sample", f"{fmt_shape(shape)} = {total}")
                       + f" (PyTorch: shape '{written}' is invalid for input of size {total})", node)
        if dims.is_symbolic(known) and total != known and symbolic_match((total,), (known,)) is None:
            raise fail(codes.VIEW, mismatch(text, f"{dims.render(known)} elements per sample",
                                            f"{fmt_shape(shape)} = {dims.render(total)}") + ", for no input size", node)
        return target
    if type(known) is int:
        if type(total) is int and total % known:
            raise fail(codes.VIEW, f"{text}: {fmt_shape(shape)} = {total} elements per sample do not divide into "
                                   f"{known} (PyTorch: shape '{written}' is invalid for input of size {total})", node)
        rest = dims.floor_div(total, known)
    else:
        rest = dims.exact_quotient(total, known)
        if rest is None:
            raise fail(codes.VIEW, f"{text}: {fmt_shape(shape)} = {dims.render(total)} elements per sample do not "
                                   f"divide into {dims.render(known)} for every input size; convcalc cannot infer -1",
                       node)
    return tuple(rest if t == -1 else t for t in target)


def cat_refusal(first: tuple, shape: tuple, axis: int, number: int, batch: int) -> str:
    """torch 2.13's words refusing torch.cat of ``first`` and the tensor ``number`` of the list,
    ``shape``, along ``axis`` (``batch``: 1 when the shapes leave the batch out: torch's dims count it)."""
    if len(shape) != len(first):
        return f"Tensors must have same number of dimensions: got {len(first) + batch} and {len(shape) + batch}"
    at = next(d for d in range(len(first)) if d != axis and first[d] != shape[d])
    return (f"Sizes of tensors must match except in dimension {axis + batch}. Expected size {dims.render(first[at])} "
            f"but got size {dims.render(shape[at])} for tensor number {number} in the list.")


def whole_reshape(shape, target, node) -> tuple:
    """A view of a tensor without a batch (nodes.Reshape.fold 0): the target is every size of it,
    one of them may be -1."""
    text = " ".join(node.text.split())
    if placement(shape)[0] is not None:
        raise fail(codes.BATCH, f"{text}: a view of {batch.shown(shape)} with sizes for a tensor without a batch",
                   node)
    written = "[" + ", ".join(dims.render(t) for t in target) + "]"
    if any(not is_size(t) or (type(t) is int and t < 0 and t != -1) for t in target) or target.count(-1) > 1:
        raise fail(codes.VIEW, f"{text}: the sizes must be sizes (one may be -1)", node)
    total = product(shape)
    known = product(t for t in target if t != -1)
    rest = dims.exact_quotient(total, known) if known != 0 else None
    if -1 in target:
        if rest is None:
            raise fail(codes.VIEW, f"{text}: {batch.shown(shape)} = {dims.render(total)} elements do not divide into "
                                   f"{dims.render(known)}: a view {written} PyTorch refuses", node)
        target = tuple(rest if t == -1 else t for t in target)
    elif total != known and symbolic_match((total,), (known,)) is None:
        raise fail(codes.VIEW, mismatch(text, f"{dims.render(known)} elements", f"{batch.shown(shape)} = "
                                        f"{dims.render(total)}") + f": a view {written} PyTorch refuses", node)
    return placed(tuple(target), None)


def folded_reshape(shape, target, node) -> tuple:
    """A view that folds positions into the batch or unfolds them (``node.fold``, nodes.Reshape),
    or any view of a tensor whose batch is folded: the batch's factor out is what the elements per
    batch item (the sample's times the factor in) leave over the target's sizes; it must be the
    factor the code wrote. A batch not first: not followed (a view would mix it with positions)."""
    text = " ".join(node.text.split())
    at, fold_in = placement(shape)
    want = getattr(node, "fold", None)
    if at != 0 or fold_in is None:
        raise fail(codes.BATCH, f"{text}: a view of {batch.shown(shape)}, whose batch is not its first dim: convcalc "
                                "follows the batch through a view only where it stands first", node)
    if want is None:
        raise fail(codes.BATCH, f"{text}: a view of {batch.shown(shape)} that does not say the batch's size "
                                "(x.size(0) or -1): convcalc cannot tell where the folded batch goes", node)
    written = "[" + ", ".join([f"N*{want}" if want not in (-1, 1) else "-1" if want == -1 else "N"]
                              + [dims.render(t) for t in target]) + "]"
    total = product(shape) * fold_in
    if not target or any(not is_size(t) or (type(t) is int and t < 1 and t != -1) for t in target) or \
            target.count(-1) > (0 if want == -1 else 1):
        raise fail(codes.VIEW, f"{text}: the sizes must be positive integers (one may be -1)", node)
    known = product(t for t in target if t != -1)
    if -1 in target:
        rest = dims.exact_quotient(total, known * want)
        if rest is None or (type(rest) is int and rest * known * want != total):
            raise fail(codes.VIEW, f"{text}: {batch.shown(shape)} = {dims.render(total)} elements per batch item do "
                                   f"not divide into {dims.render(known * want)}: a view {written} PyTorch "
                                   "refuses", node)
        return placed(tuple(rest if t == -1 else t for t in target), 0, want)
    fold = dims.exact_quotient(total, known) if want == -1 else want
    if type(fold) is not int or fold < 1 or (want != -1 and total != known * want and
                                             symbolic_match((total,), (known * want,)) is None):
        raise fail(codes.VIEW, mismatch(text, f"{dims.render(known)} elements per batch item times the batch's "
                                              f"factor", f"{batch.shown(shape)} = {dims.render(total)}")
                   + f": a view {written} PyTorch refuses", node)
    return placed(target, 0, fold)


def concat_axis(shape: tuple, dim: int, label: str, node) -> int:
    """The per-sample axis of torch's ``dim`` (the batch counted as 0) on a tensor of ``shape``."""
    full = len(shape) + 1
    if type(dim) is not int or not -full <= dim < full:
        raise fail(codes.CONFIG, f"{label}: dim={dim} is out of range for a {full}-d tensor (batch included), "
                                 f"[-{full}, {full - 1}]", node)
    if dim % full == 0:
        raise fail(codes.CONFIG, f"{label}: dim={dim} is the batch dimension; convcalc's shapes are per sample",
                   node)
    return dim % full - 1


def symbolic_match(a: tuple, b: tuple, skip: int | None = None):
    """None when two differing shapes can never be equal; with symbolic sizes, the condition
    under which they are (``H ≡ 0 (mod 8)``), solved in convcalc/symbolic/conditions.py.
    ``skip``: an axis that may differ (a concat's)."""
    if not any(dims.is_symbolic(d) for d in (*a, *b)):
        return None
    from convcalc.symbolic.conditions import match_condition  # only for symbolic sizes: quasi is heavy

    return match_condition(a, b, skip)


def analyse(program: n.Program, input_override: Optional[n.Input] = None) -> Analysis:
    """Shapes and parameters of every layer; stops at the first error."""
    analysis = Analysis(program.path, program.source)
    walker = Walker(program, ShapeBackend(analysis, program.frozen, program.unregistered, program.tied,
                                          program.nonleaf), input_override)
    try:
        analysis.output = walker.run()
        analysis.outputs = walker.outputs
    except ConvcalcError as exc:
        analysis.error = exc
    analysis.trace_flow(walker)
    return finish(analysis, program, input_override)


def finish(analysis: Analysis, program: n.Program, input_override=None) -> Analysis:
    """What a walk does not see: where the frontend stopped, whether the input was derived from
    the first layer, and the layers of the module tree forward does not run (their parameters
    count, as model.parameters() counts them)."""
    analysis.stopped, analysis.tree, analysis.program = program.stopped, program.tree, program
    if program.cut is not None and analysis.stopped is None and analysis.error is None:
        analysis.stopped = program.cut  # the cut node worked at these sizes: what follows it was never read
    if input_override is None and program.input is not None:
        analysis.derived = program.input.derived
    if program.registered:  # a Python model's tree only
        from convcalc.engine.probe import registered_entry
    for path, call in program.registered:
        if call.instance is None or call.instance not in analysis.instances:
            entry = registered_entry(path, call)
            entry.params -= dict(program.tied).get(call.instance, 0) if entry.known else 0
            entry.trainable = call.instance not in program.frozen
            analysis.add_registered(entry)
    for path, count, trainable, *buffers in program.parameters:  # buffers: a register_buffer's elements
        analysis.add_registered(Registered(path, None, count, buffers[0] if buffers else 0, trainable=trainable))
    if program.registered:
        from convcalc.engine.ownforward import mark_own_forwards

        mark_own_forwards(analysis)
    return analysis
