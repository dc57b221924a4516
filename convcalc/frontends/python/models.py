"""The models of a Python file: the candidates (nn.Module subclasses, module-level modules,
factory functions), each built and its forward traced into a Program."""
from __future__ import annotations

import ast
import os
from typing import Optional

from convcalc import codes
from convcalc import nodes as n
from convcalc.errors import ConvcalcError, NotFollowed, Span, UsageError
from convcalc.frontends.python import discovery, fed
from convcalc.frontends.python.coverage import Coverage
from convcalc.frontends.python.machine import Machine
from convcalc.frontends.python.modulecode import describe_exception, run_module
from convcalc.frontends.python.pyclasses import Instance
from convcalc.frontends.python.pyobjects import Args, Function, Unknown, describe
from convcalc.frontends.python.reasons import Raised, Signal, Unfollowable, Why
from convcalc.frontends.python.tensors import Tensor
from convcalc.frontends.python.torchobjects import Buffer, Layer, ModuleDict, ModuleList, Opaque, Parameter, is_module, \
    Sequential, tree_of
from convcalc.frontends.python.brains.torch_nn import tied_count
from convcalc.frontends.python.trace import ShapeError, Trace, returned_tensors
from convcalc.frontends.python.unused import unused_layers
from convcalc.frontends.python.source import Source, input_comment
from convcalc.layers.common import AXES
from convcalc.symbolic.dims import sym

# models checked in one file: each costs about 1.5 ms of CPU to follow and check, and a file of
# 5,000 model classes took 7 s (a real file holds at most a few hundred factories); the ones past it are named as not followed, never skipped
MAX_MODELS = 500


class PythonModel:
    """One model of a Python file: the program, and what the lint checks need besides it."""

    def __init__(self, program: n.Program, sites: dict, complete: bool, has_input: bool, unused: list):
        self.program = program
        self.sites = sites  # id(emitted node) -> (Span in forward, layer id, origin)
        self.complete = complete  # forward was followed to its end
        self.has_input = has_input
        self.unused = unused  # CC211: (span, attribute, class) of each layer an __init__ sets and nothing reads
        self.origin: Optional[str] = None  # where the file gave its input: "datasets.MNIST at train.py:40"
        self.takes_input = True  # whether --input and the configuration's input are this model's (fed.py)


class FileModels:
    def __init__(self):
        self.models: list = []
        self.unfollowed: list = []  # (name, CC301 error): models of which nothing was followed
        self.tree_only: dict = {}  # name -> Program of an unfollowed model's module tree (its parameters, no rows)
        self.notes: list = []  # ConvcalcError(CC900) about the file itself
        self.problems: list = []  # ConvcalcError: malformed input comments
        self.used: set = set()  # (real path, class name) of the classes its models built (other files' too)
        self.unparsed: Optional[ConvcalcError] = None  # CC001: Python cannot parse the file
        self.module_stop: Optional[ConvcalcError] = None  # CC301: module-level code not followed to its end
        # the notes that say the same as unparsed / module_stop (lint shows those once, as themselves)
        self.restated: list = []
        self.built_as: dict = {}  # model = Net(): "model" -> "Net", the model that name stands for
        self.sources: dict = {}  # path -> text of the other files of the tree the file imports
        self.coverage = Coverage()  # the file's layer constructions, and which the followed models reached

    @property
    def programs(self) -> list:
        return [m.program for m in self.models]


def models_from_source(text: str, path: str, override=None, training: bool = False,
                       chosen: Optional[str] = None, name: Optional[str] = None) -> list:
    """Every model of a Python file that convcalc can follow, as a Program named after it; only
    the one called ``name`` when given (a name that is not a model says why)."""
    result = read_models(text, path, override, training=training, chosen=chosen, wanted=name)
    try:
        return chosen_models(result, path, name)
    except ConvcalcError as exc:  # its place may be in a file the model imports: shown with that file's line
        exc.sources = tuple(result.sources.items())
        raise


def chosen_models(result: "FileModels", path: str, name: Optional[str]) -> list:
    if result.problems:
        raise result.problems[0]
    if name is not None:
        programs = [p for p in result.programs if p.name in (name, result.built_as.get(name))]
        if programs:
            return programs
        for other, error in result.unfollowed:
            if other == name:
                if other in result.tree_only:  # its parameters, and where forward was not followed
                    return [result.tree_only[other]]
                raise error
        names = ", ".join(p.name for p in result.programs) or "none found"
        raise UsageError(f"{path} has no model {name!r} (models: {names}); a class that needs arguments is chosen "
                         f"with a call: --model \"{name}(...)\"")
    if not result.programs:  # say why there is nothing to show (lint, which reads whole trees, counts it)
        if result.tree_only:  # nothing followed: the module trees (parameters need no forward), said not followed
            return list(result.tree_only.values())
        if result.unfollowed:
            raise result.unfollowed[0][1]
        if result.unparsed is not None:
            raise result.unparsed
        if result.module_stop is not None:  # it may be why: say so where it stopped
            raise ConvcalcError(codes.SYNTAX, "no model found; " + result.module_stop.message, result.module_stop.span)
        if result.notes:
            raise ConvcalcError(codes.SYNTAX, result.notes[0].message, result.notes[0].span)
        raise ConvcalcError(codes.SYNTAX, "no model found: convcalc reads nn.Module subclasses with a forward, "
                                          "factories that return one, and nn.Sequential(...) assigned to a name",
                            Span(1, 1, 1, 2))
    return result.programs


def module_stop_message(why: str) -> str:
    return (f"module-level code not followed from here ({why}): the classes and functions after it are read, its "
            "other statements are not run")


def note(message: str, span: Span) -> ConvcalcError:
    return ConvcalcError(codes.NOTE, message, span)


def own_input(src: Source, entry) -> bool:
    """A model with its own input comment needs no sibling script to tell its input (reading up to
    64 of them for each of 2,000 files took 12 s)."""
    nodes = entry.comment_nodes + ([entry.value.cls.node] if isinstance(entry.value, Instance) else [])
    return input_comment(src, nodes)[0] is not None


def read_models(text: str, path: str, override=None, fallback=None, training: bool = False,
                chosen: Optional[str] = None, wanted: Optional[str] = None) -> FileModels:
    """The models of a Python file. ``override``: the command's input (it wins over a model's
    comment); ``fallback``: the configuration's (a model's comment wins over it); ``training``:
    follow forward in training mode (``self.training`` is True), not in eval mode; ``chosen``:
    a model call (``--model "VGG('VGG16')"``), the only model then; ``wanted``: a model asked for
    by name, followed even where it duplicates another (a factory of a class checked itself)."""
    result = FileModels()
    src = Source(text, path)
    try:
        tree = ast.parse(text, filename=path)
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        line = getattr(exc, "lineno", None) or 1
        message = f"not read: Python cannot parse this file ({getattr(exc, 'msg', None) or exc})"
        result.notes.append(note(message, Span(line, 1, line, 2)))
        result.restated.append(result.notes[-1])
        result.unparsed = ConvcalcError(codes.SYNTAX, message, Span(line, 1, line, 2))
        return result
    machine = Machine(src, tree)
    machine.training = training
    assigned: dict = {}
    try:
        run_module(machine, assigned)
    except (Unfollowable, Signal, RecursionError):
        pass
    if machine.module_stop is not None:
        stmt, why = machine.module_stop
        result.module_stop = ConvcalcError(codes.NOT_FOLLOWED, module_stop_message(why), src.span(stmt))
        machine.module_stop_note = note(result.module_stop.message, result.module_stop.span)
        result.restated.append(machine.module_stop_note)
    pending: dict = {}
    found = discovery.candidates(machine, tree, src, pending, chosen, assigned)
    result.built_as = machine.built_as
    unknown = machine.globals.vars.get(wanted) if wanted is not None else None
    if isinstance(unknown, Unknown) and not any(c.name == wanted for c in found):  # --model NAME: say why it is none
        where = [s for s in tree.body if isinstance(s, (ast.Assign, ast.AnnAssign)) and any(
            isinstance(t, ast.Name) and t.id == wanted for t in (s.targets if isinstance(s, ast.Assign) else [s.target]))]
        result.unfollowed.append((wanted, ConvcalcError(codes.NOT_FOLLOWED, f"{wanted} is not known ({unknown.reason})",
                                                        src.span(where[-1]) if where else Span(1, 1, 1, 2))))
    # a class that needs arguments, built by the scripts beside it (train.py: Net(10, 64)): checked so
    scripts = fed.built_by_siblings(machine, path, pending, found) if chosen is None else None
    for candidate in found[MAX_MODELS:]:
        result.unfollowed.append((candidate.name, ConvcalcError(
            codes.NOT_A_MODEL, f"{candidate.name} was not checked: the file holds more than {MAX_MODELS:,} models, and "
                               f"convcalc checks the first {MAX_MODELS:,} (--model NAME checks one of the others)",
            src.span(candidate.where))))
    built = build(machine, src, found[:MAX_MODELS], result)
    script_built = [] if chosen is not None else \
        discovery.run_scripts(machine, tree, {c.name for c, _, _ in built if c.kind == "factory"})
    models = fed.entries(machine, src, built, script_built) if chosen is None else \
        [fed.Entry(c, v, i) for c, v, i in built]
    if chosen is None and override is None and not any(e.feeds for e in models) and \
            not all(own_input(src, e) for e in models):  # the scripts beside it (train.py) may say
        fed.add_sibling_feeds(models, fed.sibling_feeds(scripts if scripts is not None else fed.sibling_scripts(path)))
    data_in_file = any(f.kind == "data" for e in models for f in e.feeds)
    classes = {e.value.cls: e for e in models if e.candidate.kind == "class"}
    # a module-level value that is a part of another (d2l's stages b1..b5 of net = nn.Sequential(b1, ...))
    parts = {id(module) for e in models if e.candidate.kind == "value" for _, module in tree_of(e.value)[1:]}
    partly: dict = {}  # class name -> the model followed partly that built it
    for entry in models:
        candidate, value = entry.candidate, entry.value
        if candidate.kind == "value" and id(value) in parts and candidate.name != wanted and not entry.feeds:
            continue  # a stage of a model of the file, checked there
        comment, problem = input_comment(src, entry.comment_nodes + ([value.cls.node] if isinstance(value, Instance)
                                                                     else []))
        if problem is not None:
            result.problems.append(problem)
        own_comment = candidate.name == wanted or input_comment(src, entry.comment_nodes)[0] is not None
        if candidate.kind == "class" and value.cls in machine.nested and not own_comment and not entry.feeds:
            continue  # a building block of another model of the file, checked there
        if candidate.kind == "factory" and isinstance(value, Instance) and value.cls in classes and not own_comment:
            classes[value.cls].feeds.extend(entry.feeds)  # def alexnet(**kwargs): return AlexNet(**kwargs): the class
            continue
        takes = fed.takes_file_input(entry, data_in_file)
        if override is not None and takes:
            givens = [(override, None)]
        elif comment is not None:
            givens = [(comment, None)]
        else:
            givens = [(given, fed.origin_text(feed, path)) for given, feed in entry.inputs(src)] or \
                [(fallback if takes else None, None)]
        for given, origin in givens:
            model = trace_model(machine, src, candidate.name, value, candidate.where, result, entry.instances, given)
            if model is not None:
                model.origin, model.takes_input = origin, takes
                model.has_input = given is not None
                result.models.append(model)
                if model.complete:
                    result.coverage.reach(value)
                else:  # the blocks of a model followed partly: why their layers are not reached
                    partly.update((m.cls.name, candidate.name) for _, m in tree_of(value) if isinstance(m, Instance))
    result.coverage.finish(machine, tree, src, partly)
    result.notes.extend(machine.notes)
    result.sources = dict(machine.sources)
    result.used = {(os.path.realpath(obj.cls.path), obj.cls.name) for obj in machine.instances
                   if obj.traced or obj.cls in machine.nested}
    # a class built as a block of a model is that model's (GoogLeNet's auxiliary heads, not run in eval mode)
    traced = {obj.cls.name for obj in machine.instances if obj.traced} | {cls.name for cls in machine.nested}
    for name, (stmt, why) in pending.items():
        if name not in traced:
            result.unfollowed.append((name, ConvcalcError(codes.NOT_A_MODEL, f"class {name} looks like a model but "
                                                                             f"was not followed: {why}",
                                                          src.span(stmt))))
    return result


def place(src: Source, exc, default):
    """Where an exception out of the interpreter is: the span it was given where it left another
    file (a block of the tree, a library description), else its node in this file, else ``default``."""
    span = getattr(exc, "span", None)
    if span is not None:
        return span
    node = getattr(exc, "node", None) or default
    return src.span(node) if node is not None else None


def build(machine: Machine, src: Source, found: list, result: FileModels) -> list:
    """(candidate, the model it built, the instances built with it) of each candidate that builds."""
    built = []
    for candidate in found:
        machine.fresh_budget()
        first_instance = len(machine.instances)
        try:
            value = candidate.make()
        except (Unfollowable, RecursionError) as exc:
            reason = exc.reason if isinstance(exc, Unfollowable) else "nested too deeply"
            error = ConvcalcError(codes.NOT_A_MODEL if candidate.kind == "class" else codes.NOT_FOLLOWED,
                                  f"model {candidate.name} was not built: {reason}", place(src, exc, candidate.where))
            result.unfollowed.append((candidate.name, error))
            continue
        except Raised as exc:

            error = ConvcalcError(codes.NOT_A_MODEL if candidate.kind == "class" else codes.NOT_FOLLOWED,
                                  f"model {candidate.name} was not built: the code raises "
                                  f"{describe_exception(exc.value)}", place(src, exc, candidate.where))
            result.unfollowed.append((candidate.name, error))
            continue
        except Signal:
            continue
        if value is None:
            continue
        built.append((candidate, value, machine.instances[first_instance:]))
    return built


def trace_model(machine: Machine, src: Source, name: str, value, where, result: FileModels, instances: list,
                given=None):
    """The model's Program: its forward followed on its input ``given`` (read_models chose it), with
    symbols for the spatial sizes so that the program serves any size; a forward that decides on a
    size is followed again on the concrete input, when there is one, and the program then holds
    for that input only."""
    tree, unknown_parts = module_tree(value)
    # every module's path (submodules too: tables fold by them), then each layer's as module_tree has it
    machine.module_paths = {id(module): path for path, module in tree_of(value)}
    machine.module_paths.update((id(layer), path) for path, layer in tree)
    attempt = follow(machine, src, name, value, where, given, symbolic=True)
    if (attempt.size_decision or attempt.shape_error) and given is not None and not all_symbolic(given):
        # a condition on a size, or a size the symbolic rules cannot take: follow the given sizes themselves
        attempt = follow(machine, src, name, value, where, given, symbolic=False)
    trace = attempt.trace
    body = trace.finish()
    nothing = not any(isinstance(s, (n.Call, n.Reshape, n.Op)) for s in body) and attempt.stopped is not None
    if nothing:
        result.notes.append(note(attempt.stopped.message, attempt.stopped.span))  # nothing followed: a class not followed
        result.unfollowed.append((name, attempt.stopped))
    frozen = set()
    for path, layer in tree:  # requires_grad = False on a layer's tensors
        if isinstance(layer, Layer) and layer.frozen:
            if "all" in layer.frozen or layer_tensors(layer) <= layer.frozen:
                frozen.add(layer.uid)
            else:
                parts = " and ".join(sorted(layer.frozen))
                unknown_parts.append((path, f"requires_grad is set on its {parts} only: the trainable count of a part "
                                            "of a layer is not followed"))
    tied = []
    for path, layer in tree:  # conv2.weight = conv1.weight: torch counts the shared tensor once
        if isinstance(layer, Layer) and any(id(owner) in machine.module_paths
                                            for owner in layer.extra.get("__tied__", {}).values()):
            try:
                tied.append((layer.uid, tied_count(layer)))
            except Unfollowable as exc:
                unknown_parts.append((path, exc.reason))
    if attempt.stopped is None and unknown_parts:
        attempt.stopped = tree_not_read(name, unknown_parts, src.span(where))
    inputs = attempt.inputs
    registered = tuple((path, layer.call_for(path)) for path, layer in tree
                       if isinstance(layer, Layer) and id(layer) not in trace.layers_used)
    parameters = tuple((path, parameter.count, parameter.trainable) for path, parameter in tree
                       if isinstance(parameter, Parameter))
    parameters += tuple((path, 0, True, buffer.count) for path, buffer in tree if isinstance(buffer, Buffer))
    # nn.utils.weight_norm: the weight is weight_v (its own size, counted with the layer) and weight_g, one
    # more parameter per output channel
    parameters += tuple((f"{path}.weight_g", layer.extra["__weight_g__"], "all" not in layer.frozen)
                        for path, layer in tree if isinstance(layer, Layer) and "__weight_g__" in layer.extra)
    notes = tuple(attempt.notes) + tuple(
        note(f"nn.{layer.name} is not in the module tree (kept in a plain list or dict, or made in forward): torch "
             "counts neither its parameters nor its buffers", layer.construct.span)
        for layer in {layer.construct.span: layer for layer in trace.unregistered.values()}.values())
    if machine.module_stop is not None:  # what the model was built without: said with every table of it
        notes = (machine.module_stop_note,) + notes
    cut = None
    if attempt.shape_error and attempt.stopped is None and body:  # the body ends at the node refused there
        cut = not_followed(name, "the sizes forward was followed at fail here; at sizes where this line works, "
                                 "what comes after it was not followed (give the input size: --input, or a "
                                 "`# convcalc: input` comment)", body[-1].span, Why.SIZE)
    program = n.Program(tuple(inputs + body + attempt.outputs), src.text, src.path, name, notes,
                        n.PYTHON, attempt.stopped, registered, not unknown_parts, parameters, frozenset(frozen),
                        trace.scopes, tuple(machine.sources.items()), cut,
                        frozenset(trace.unregistered) if not unknown_parts else frozenset(), tuple(tied),
                        nonleaf=frozenset(trace.nonleaf))
    if nothing:  # its module tree alone: what a command shows when the file has nothing else (models_from_source)
        result.tree_only[name] = program
        return None
    unused = unused_layers(machine, src, instances) if attempt.stopped is None else []
    return PythonModel(program, trace.sites, attempt.stopped is None, given is not None, unused)


class Attempt:
    """One following of a forward: the trace, the inputs it started from, the outputs, where it
    stopped (a CC301 error) and whether it stopped at a condition on a symbolic size."""

    def __init__(self, trace):
        self.trace, self.inputs, self.outputs, self.notes = trace, [], [], []
        self.stopped = None
        self.size_decision = False
        self.shape_error = False


def all_symbolic(given) -> bool:
    main = given[0] if isinstance(given, tuple) else given
    return all(isinstance(d, n.Name) for d in main.dims[1:])


def follow(machine: Machine, src: Source, name: str, value, where, given, symbolic: bool) -> Attempt:
    machine.fresh_budget()
    forward = value.cls.lookup("forward") if isinstance(value, Instance) else None
    start_node = forward.node if isinstance(forward, Function) else where
    start = src.span(start_node)
    givens = (given if isinstance(given, tuple) else (given,)) if given is not None else ()
    names = forward_inputs(forward, len(givens))
    trace = Trace(givens[0] if givens else None, src.path, src.text)
    attempt = Attempt(trace)
    tensors = []
    for i, param in enumerate(names):
        node = givens[i] if i < len(givens) else None
        if i > 0 and node is None:
            attempt.stopped = not_followed(name, f"forward takes a further input {param!r} whose size is not given "
                                                 f"(add it to the input comment: `# convcalc: input A, B`)", start)
            return attempt
        traced, symbols = traced_input(node, symbolic, i) if node is not None else (None, ())
        if node is not None and not symbolic:
            symbols = None  # followed for these sizes only: a walk with others must not use this program
        if node is not None:
            attempt.inputs.append(n.Input(node.dims, node.span, None if i == 0 else param, node.derived, symbols))
        tensors.append(trace.start(start, traced, param, None if i == 0 else param))
    frame = machine.frame().tracing(trace)
    try:
        from convcalc.frontends.python.forward import call_module

        out = call_module(frame, value, Args([(t, None) for t in tensors]), None)
        attempt.outputs = outputs_of(trace, out, start, name, attempt)
    except ShapeError:
        attempt.shape_error = True  # the node the shape engine refuses ends the program: the walk reports it
    except (Unfollowable, RecursionError) as exc:
        reason = exc.reason if isinstance(exc, Unfollowable) else "nested too deeply"
        span = place(src, exc, None) or start
        attempt.size_decision = isinstance(exc, Unfollowable) and exc.kind == Why.SIZE
        attempt.stopped = not_followed(name, reason, span, exc.kind if isinstance(exc, Unfollowable) else Why.BUDGET)
    except Raised as exc:
        attempt.stopped = not_followed(name, f"the code raises {describe_exception(exc.value)}",
                                       place(src, exc, None) or start, Why.RAISED)
    except Signal:
        attempt.stopped = not_followed(name, "a return or break convcalc could not place", start)
    if trace.derived is not None:
        attempt.inputs.insert(0, trace.derived)
    return attempt


def forward_inputs(forward, given: int = 0) -> list:
    """The names of forward's tensor parameters (those without defaults), or ["x"]; ``forward(self,
    *x)`` takes as many as the input comment gives (x_0, x_1, ...)."""
    if not isinstance(forward, Function):
        return ["x"]
    spec = forward.node.args
    positional = [a.arg for a in list(getattr(spec, "posonlyargs", [])) + list(spec.args)][1:]
    required = [p for p in positional if p not in forward.defaults]
    if spec.vararg is not None and given > len(required):
        required += [f"{spec.vararg.arg}_{i}" for i in range(given - len(required))]
    return required or ["x"]


def traced_input(given: n.Input, symbolic: bool, index: int = 0) -> tuple:
    """(the shape the forward is followed on, the symbols per dim): the spatial sizes become
    symbols (a name given stays itself), the channels stay. The symbols of a further input are
    its own (H2, W2): two inputs need not have the same sizes (a U-Net's up step)."""
    shape, symbols = [], []
    suffix = str(index + 1) if index else ""
    names = iter(f"{axis}{suffix}" for axis in AXES.get(len(given.dims) - 1, ()))
    for i, dim in enumerate(given.dims):
        if isinstance(dim, n.Name):
            shape.append(sym(dim.id))
            symbols.append(dim.id)
        elif symbolic and i > 0 and len(given.dims) > 1:
            label = next(names, None) or f"S{i}"
            shape.append(sym(label))
            symbols.append(label)
        else:
            shape.append(dim.value)
            symbols.append(None)
    return tuple(shape), tuple(symbols) if any(s is not None for s in symbols) else ()


def outputs_of(trace: Trace, out, start: Span, name: str, attempt: Attempt) -> list:
    """The tensor forward returns flows last; several (a tuple) are named by an Outputs node."""
    if not isinstance(out, (Tensor, tuple, list, dict)):
        if trace.body:
            attempt.stopped = not_followed(name, f"forward returns {describe(out)}, not a tensor", start)
        return []
    tensors = returned_tensors(out, None)  # at any nesting: a list or dict inside a tuple is torch's output too
    if not tensors:
        if trace.body:
            attempt.stopped = not_followed(name, f"forward returns {describe(out)}, without a tensor", start)
        return []
    if len(tensors) == 1:
        trace.use(tensors[0], start)
        return []
    names = [trace.save_name(t) for t in tensors]
    trace.use(tensors[0], start)
    return [n.Outputs(tuple(names), start)]


def not_followed(name: str, reason: str, span: Span, kind: str = Why.UNSUPPORTED) -> NotFollowed:
    return NotFollowed(codes.NOT_FOLLOWED, f"model {name}: forward not followed from here ({reason}); what comes "
                                          "before is checked", span, reason, kind)


def layer_tensors(layer: Layer) -> set:
    """The parameter tensors of a layer object by torch's names: its weight, and its bias unless
    bias=False."""
    from convcalc.engine.evaluate import Evaluator
    from convcalc.layers.catalogue import lookup

    spec = lookup(layer.name)
    evaluate = Evaluator({})
    try:
        bound = spec.bind(tuple(evaluate(a) for a in layer.construct.args), {k: evaluate(v) for k, v, _ in layer.construct.kwargs})
    except ConvcalcError:
        return {"weight", "bias"}
    names = {name for name, _ in spec.params}
    has_bias = "bias" not in names or bound.values.get("bias") is not False
    return {"weight", "bias"} if has_bias and spec.family == "norm" or ("bias" in names and has_bias) else {"weight"}


def tree_not_read(name: str, unknown: list, span: Span) -> NotFollowed:
    """The stop of a model whose forward was followed but whose module tree holds a part
    convcalc could not build: the total would leave its parameters out."""
    path, why = unknown[0]
    more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
    reason = f"{path} is not known: {why}"
    return NotFollowed(codes.NOT_FOLLOWED, f"model {name}: the module {reason}{more}; its parameters, and so the "
                                          "model's total, are not known", span, reason, Why.UNKNOWN, tree=True)


def module_tree(value) -> tuple:
    """([(path, Layer or Parameter)], [(path, why) of each part not known]): the modules a model
    registers, in the order torch registers them; a layer object under two names once."""
    out, seen, unknown = [], set(), []

    def visit(module, path):
        if isinstance(module, (Layer, Parameter)):
            if getattr(module, "poisoned", None):
                unknown.append((path or "the model", module.poisoned))
            if id(module) not in seen:
                seen.add(id(module))
                out.append((path, module))
            return
        if isinstance(module, Instance):
            if module.poisoned:
                unknown.append((path or "the model", module.poisoned))
            if module.base is not None and id(module.base) not in seen:  # its own weights, at its own path
                seen.add(id(module.base))
                out.append((path, module.base))
            children = list(module.attrs.items())
            if module.seq is not None:
                children = [(str(i), m) for i, m in enumerate(module.seq)] + children
        elif isinstance(module, (Sequential, ModuleList)):
            children = [(str(i), m) for i, m in enumerate(module.items)]
        elif isinstance(module, ModuleDict):
            children = list(module.items.items())
        else:
            return
        for key, child in children:
            where = f"{path}.{key}" if path else str(key)
            if isinstance(child, Unknown):
                unknown.append((where, child.reason))
            elif isinstance(child, Opaque):  # a module outside the catalogue: its parameters are not known
                unknown.append((where, f"{child.qname.replace('torch.nn.', 'nn.')} is not in convcalc's catalogue"))
            elif isinstance(child, Buffer) and id(child) not in seen:  # register_buffer's: model.buffers()
                seen.add(id(child))
                out.append((where, child))
            elif is_module(child):
                visit(child, where)

    visit(value, "")
    return out, unknown
