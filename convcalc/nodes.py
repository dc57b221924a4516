"""The tree both frontends produce (network files and Python model definitions).

Every node carries a Span (1-based line and column) so that any problem found while
computing can point at the text that caused it.
"""
from __future__ import annotations

from typing import Optional, Union

from convcalc.errors import Record


class Node(Record):
    """A frozen record: nodes are shared between the walks of several backends."""

    __slots__ = ()

    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} is frozen")


# ---------------------------------------------------------------- expressions


class Num(Node):
    __slots__ = ('value', 'span')


class Float(Node):
    __slots__ = ('value', 'span')


class Str(Node):
    __slots__ = ('value', 'span')


class Const(Node):
    """True, False or None."""

    __slots__ = ('value', 'span')


class Name(Node):
    __slots__ = ('id', 'span')


class BinOp(Node):
    """op is one of + - * // / % ** == != < <= > >= and or"""

    __slots__ = ('op', 'left', 'right', 'span')


class Unary(Node):
    """op is '-', '+' or 'not'"""

    __slots__ = ('op', 'operand', 'span')


class TupleExpr(Node):
    __slots__ = ('items', 'span')


class Value(Node):
    """A size a Python forward computed (``x.size(2) // 2``): an int, or a symbolic Dim in the
    input's symbols, which a walk with other values for them substitutes."""

    __slots__ = ('value', 'span')


Expr = Union[Num, Float, Str, Const, Name, BinOp, Unary, TupleExpr, Value]

# ---------------------------------------------------------------- statements


class Input(Node):
    """input 3x32x32: each dim is a Num or a Name (a symbol). ``name``: a further input of a
    model with several (``forward(self, x, y)``), saved under that name; ``derived``: the input
    was not given, and its rank and channels come from the first layer (its sizes are symbols):
    "rank" when that layer tells the rank, "assumed" when it is a Linear (a flat input assumed).
    ``symbols``: per dim, the symbol a Python forward was followed with there (sizes it computed
    are in them), bound to whatever size a walk gives that dim; None where the size was fixed."""

    __slots__ = ('dims', 'span', 'name', 'derived', 'symbols')
    _defaults = {'name': None, 'derived': None, 'symbols': ()}


class Call(Node):
    """A layer or a def call: Conv2d(3, 32, 3, padding=1).

    ``name`` is without the nn. / torch.nn. prefix; ``text`` is the call as written;
    ``args`` are Exprs, ``kwargs`` (keyword, Expr, Span of the keyword) triples. ``instance``
    identifies one layer object applied several times (its parameters count once); ``path`` is
    its name in the module tree (``layer1.0.conv1``). What its forward is given besides the
    tensor flowing: ``operands``, the saved names of its further tensors (None: an optional one
    left out), ``call_kwargs`` its other arguments as (keyword, Expr, Span) triples; ``outputs``,
    the names its outputs are saved under when it gives several (the first flows on); ``pick``:
    the name of the output that flows on instead of the first (a description's ``LSTM(...) -> h_n``).
    """

    __slots__ = ('name', 'args', 'kwargs', 'text', 'span', 'name_span', 'instance', 'path', 'operands',
                 'call_kwargs', 'outputs', 'pick', 'spelling')
    # spelling: the function a Python forward called it by (torch.nn.functional.relu, Tensor.relu; "" for a
    # module or a description's layer): counting tools that patch some functions count those only
    _defaults = {'name_span': None, 'instance': None, 'path': "", 'operands': (), 'call_kwargs': (), 'outputs': (),
                 'pick': None, 'spelling': ""}


class Let(Node):
    __slots__ = ('name', 'value', 'span')


class Repeat(Node):
    __slots__ = ('count', 'var', 'body', 'span')


class Residual(Node):
    """out = body(x) + shortcut(x); the Shortcut is a statement somewhere in body."""

    __slots__ = ('body', 'span')


class Shortcut(Node):
    __slots__ = ('body', 'span')


class Concat(Node):
    __slots__ = ('branches', 'span')


class Branch(Node):
    __slots__ = ('body', 'span')


class Save(Node):
    __slots__ = ('name', 'span')


class ConcatSaved(Node):
    """Concatenate the tensor flowing with the one saved as ``name`` along ``dim`` (torch's
    numbering: the batch is 0, channels 1; negative counts from the end)."""

    __slots__ = ('name', 'span', 'dim')
    _defaults = {'dim': 1}


class AddSaved(Node):
    __slots__ = ('name', 'span')


class Def(Node):
    """params: (name, default Expr or None) pairs."""

    __slots__ = ('name', 'params', 'body', 'span')


class If(Node):
    __slots__ = ('cond', 'body', 'orelse', 'span')


class Restore(Node):
    """Continue from the tensor saved under ``name`` (Python frontend: ``y = f(x1)`` after ``x2 = g(x1)``)."""

    __slots__ = ('name', 'span')


class Reshape(Node):
    """``x.view(...)`` / ``x.reshape(...)`` of a Python forward.

    ``dims`` are the per-sample target sizes (Exprs, at most one -1). ``infer_batch`` is True when
    the batch was written -1 (``x.view(-1, 400)``): then the per-sample size must match exactly,
    or PyTorch folds the difference into the batch. ``fold``: None, or the view folds positions
    into the batch or unfolds them (a window partition's ``view(B * windows, ...)``, and back):
    the factor the code wrote the batch times (1 for ``B``), -1 when it wrote -1 on a tensor whose
    batch is folded already (the engine works the factor out).
    """

    __slots__ = ('dims', 'infer_batch', 'text', 'span', 'fold')
    _defaults = {'fold': None}


class Op(Node):
    """A tensor operation of a Python forward that is not a layer (convcalc/layers/operations.py):
    ``op`` its name, ``operands`` the saved names of its tensors (None: the tensor flowing),
    ``args`` Exprs by position and ``kwargs`` (name, Expr) pairs, bound by the operation's
    declaration, ``text`` the call as written; ``outputs``: the names its outputs are saved under
    when it makes several (chunk, split), the first flowing on."""

    __slots__ = ('op', 'operands', 'args', 'text', 'span', 'kwargs', 'outputs', 'spelling')
    _defaults = {'kwargs': (), 'outputs': (), 'spelling': ""}  # spelling: as Call's (torch.matmul, Tensor.matmul)


class Outputs(Node):
    """The outputs of a model that returns several tensors: their saved names, in order."""

    __slots__ = ('names', 'span')


class Shared(Node):
    """``layer NAME = Layer(...)``: one layer object, applied by ``NAME()`` as often as wanted,
    its parameters counted once (as ``model.parameters()`` does)."""

    __slots__ = ('name', 'call', 'span')


Stmt = Union[Input, Call, Let, Repeat, Residual, Shortcut, Concat, Branch, Save, ConcatSaved, AddSaved, Def, If,
             Restore, Reshape, Op, Outputs, Shared]


class Frontend(Record):
    """What the engine must know of the frontend that made a program, instead of its file name.

    ``input_source``: how to name where the input came from; ``no_input``: what to say when
    there is none; ``input_after_layers``: whether the input may stand below the layers (a
    Python model's input comment is above its class, which may follow the blocks it uses)."""

    __slots__ = ("name", "input_source", "no_input", "input_after_layers")


NETWORK = Frontend("network", "the file's input line", "no input line: add one such as `input 3x32x32` before the "
                                                       "first layer, or pass --input", False)
PYTHON = Frontend("python", "the input comment", "no input shape: add a comment such as `# convcalc: input "
                                                 "3x32x32` on the line before the model, or pass --input", True)


class Program(Node):
    """``name`` is the model's name in a Python file holding several; ``notes`` are the
    frontend's informational notes (what it skipped); ``frontend`` the frontend that made it.

    ``stopped``: a ConvcalcError (CC301) where the frontend stopped following the model, None
    when it followed it to the end. ``registered``: the layers of the module tree that the
    forward does not run, as (path, Call) pairs (their parameters count, as
    ``model.parameters()`` counts them); ``tree``: whether the module tree was read whole (then
    the parameter total is exact even where forward was not followed); ``parameters``: the
    ``nn.Parameter`` attributes of the tree, as (path, elements, trainable), and its ``register_buffer``
    tensors as (path, 0, True, elements); ``frozen``: the
    layer objects (Call.instance) whose parameters the model sets ``requires_grad = False``;
    ``unregistered``: the layer objects forward runs that are not in the module tree (kept in a
    plain list, made in forward): torch does not count their parameters or buffers; ``tied``:
    (Call.instance, elements) of the layer objects whose weight or bias is another's tensor
    (``conv2.weight = conv1.weight``): torch counts those elements once, with the other;
    ``scopes``: id(statement) -> the submodules (walk Blocks, outermost first) whose forward
    emitted it, by which tables fold a Python model as torchinfo's depth does; ``sources``: (path,
    text) of the other files of the tree the model was read from (a diagnostic may point there);
    ``cut``: where a Python forward, followed at symbolic sizes, met a node the shape rules refuse
    there (its body ends with that node): a walk at sizes where the node works must not call the
    model complete, since what comes after it was never followed (a NotFollowed, else None);
    ``nonleaf``: the layer objects run by a subclass's own forward on its own weights (F.conv2d of
    self.weight) whose module has submodules of its own (a static padding): torchinfo hooks only
    leaf modules, so it counts no mult-adds for them (fvcore's convention does)."""

    __slots__ = ('body', 'source', 'path', 'name', 'notes', 'frontend', 'stopped', 'registered', 'tree',
                 'parameters', 'frozen', 'scopes', 'sources', 'cut', 'unregistered', 'tied', 'nonleaf')
    _defaults = {'source': "", 'path': "<expr>", 'name': "", 'notes': (), 'frontend': NETWORK, 'stopped': None,
                 'registered': (), 'tree': True, 'parameters': (), 'frozen': frozenset(), 'scopes': None,
                 'sources': (), 'cut': None, 'unregistered': frozenset(), 'tied': (), 'nonleaf': frozenset()}

    @property
    def input(self) -> Optional[Input]:
        for stmt in self.body:
            if isinstance(stmt, Input) and stmt.name is None:
                return stmt
        return None

    @property
    def complete(self) -> bool:
        return self.stopped is None
