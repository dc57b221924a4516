"""Tensors in forward: their sizes as values (``x.size(2)``, ``x.shape``, ``x.dim()``), their
methods (``view``, ``mean``, ``permute``, ``chunk``, ...), indexing (``x[:, :c]``) and the
torch functions that are tensor operations rather than layers (``torch.stack``,
``torch.split``, ``F.pad``, ...): each becomes a node of the trace (a mixin of the
interpreter; the tables say which method handles which name)."""
from __future__ import annotations

from convcalc.frontends.python import numeric
from convcalc.layers.operations import MAX_PIECES, chunk_count

from convcalc import nodes as n
from convcalc.frontends.python.torch_api import SAME_TENSOR_METHODS, TENSOR_METHODS
from convcalc.frontends.python.values import BATCH, Tensor, TensorMethod, Unfollowable, describe
from convcalc.symbolic import dims


class TensorCalls:
    """Sizes, methods, indexing and tensor functions."""

    # ------------------------------------------------------------- sizes
    def sizes(self, tensor: Tensor, node) -> tuple:
        """(batch, *shape): what ``x.size()`` and ``x.shape`` are."""
        if tensor.shape is None:
            raise Unfollowable("the size of the input, which is not given (add `# convcalc: input 3x32x32` above "
                               "the model)", node)
        return (BATCH, *tensor.shape)

    def size_at(self, tensor: Tensor, dim, node):
        shape = self.sizes(tensor, node)
        if type(dim) is not int or not -len(shape) <= dim < len(shape):
            raise Unfollowable(f"x.size({describe(dim)}) of a {len(shape)}-d tensor", node)
        return shape[dim]

    # ------------------------------------------------------------- methods
    def tensor_method(self, method: TensorMethod, node, scope):
        self.need_trace(node)
        tensor, name = method.tensor, method.name
        name = name[:-1] if name.endswith("_") and name[:-1] in INPLACE else name  # x.relu_() is x.relu()
        if name in SAME_TENSOR_METHODS:
            self.call_args(node, scope)
            return tensor
        handler = METHODS.get(name)
        if handler is not None:
            args, kwargs = self.call_args(node, scope)
            return getattr(self, handler)(tensor, [v for v, _ in args], {k: v for k, v, _, _ in kwargs}, node)
        if name in TENSOR_METHODS:
            layer, params = TENSOR_METHODS[name]
            forced = {"start_dim": 0} if name == "flatten" else {}
            args, kwargs = self.call_args(node, scope)
            if len(args) > len(params):
                raise Unfollowable(f"too many arguments for x.{name}", node)
            kw = [(p, v, nd, nd) for p, (v, nd) in zip(params, args)] + kwargs
            return self.functional_layer(layer, params, forced, tensor, [], kw, node)
        raise Unfollowable(f"x.{name}(...)", node)

    def m_size(self, tensor, args, kwargs, node):
        dim = args[0] if args else kwargs.get("dim")
        return self.sizes(tensor, node) if dim is None else self.size_at(tensor, dim, node)

    def m_dim(self, tensor, args, kwargs, node):
        return len(self.sizes(tensor, node))

    def m_numel(self, tensor, args, kwargs, node):
        raise Unfollowable("x.numel() counts the batch, which convcalc leaves open", node)

    def m_view(self, tensor, args, kwargs, node):
        values = list(args[0]) if len(args) == 1 and isinstance(args[0], (tuple, list)) else list(args)
        if kwargs or len(values) < 1 or not (values[0] is BATCH or values[0] == -1):
            raise Unfollowable("a view that does not keep the batch first (x.size(0) or -1)", node)
        rest = values[1:]
        if not all(type(v) is int or dims.is_symbolic(v) for v in rest):
            raise Unfollowable(f"a view to sizes {', '.join(describe(v) for v in rest)}", node)
        trace = self.trace
        span = self.src.span(node)
        if values[0] is BATCH and rest == [-1]:
            return self.functional_layer("Flatten", (), {}, tensor, [], [], node)
        from convcalc.frontends.python.values import const_node

        trace.use(tensor, span)
        target = tuple(const_node(v, span, node, "view") for v in rest)
        return trace.emit(n.Reshape(target, values[0] == -1, self.src.segment(node), span), "", span, [tensor],
                          self.caller_span(span))

    def m_reduce(self, op):
        def reduce(tensor, args, kwargs, node):
            dim = args[0] if args else kwargs.get("dim")
            keepdim = args[1] if len(args) > 1 else kwargs.get("keepdim", False)
            if dim is None or isinstance(dim, list) and not dim:
                raise Unfollowable(f"x.{op}() over every dim, the batch included", node)
            dim = tuple(dim) if isinstance(dim, list) else dim
            return self.emit_op(op, [tensor], (dim, bool(keepdim)), node)
        return reduce

    def m_max(self, tensor, args, kwargs, node):
        """x.max(dim) gives (values, indices), x.max(other) the element-wise maximum."""
        if args and isinstance(args[0], Tensor):
            return self.emit_op("maximum", [tensor, args[0]], (), node)
        values = self.m_reduce("amax")(tensor, args, kwargs, node)
        return (values, values)

    def m_permute(self, tensor, args, kwargs, node):
        order = tuple(args[0]) if len(args) == 1 and isinstance(args[0], (tuple, list)) else tuple(args)
        return self.emit_op("permute", [tensor], (order,), node)

    def m_transpose(self, tensor, args, kwargs, node):
        return self.emit_op("transpose", [tensor], (args[0], args[1]), node)

    def m_squeeze(self, tensor, args, kwargs, node):
        return self.emit_op("squeeze", [tensor], (args[0] if args else kwargs.get("dim"),), node)

    def m_unsqueeze(self, tensor, args, kwargs, node):
        return self.emit_op("unsqueeze", [tensor], (args[0] if args else kwargs["dim"],), node)

    def m_chunk(self, tensor, args, kwargs, node):
        chunks = args[0] if args else kwargs["chunks"]
        dim = args[1] if len(args) > 1 else kwargs.get("dim", 0)
        if type(chunks) is not int or chunks < 1:
            raise Unfollowable(f"chunk into {describe(chunks)} pieces", node)
        size = self.size_at(tensor, dim, node)
        count = chunk_count(size, chunks)
        if count > MAX_PIECES:
            raise Unfollowable(f"a chunk into {count:,} pieces", node)
        return self.emit_op("chunk", [tensor], (chunks, dim), node, outputs=count)

    def m_split(self, tensor, args, kwargs, node):
        sizes = args[0] if args else kwargs["split_size_or_sections"]
        dim = args[1] if len(args) > 1 else kwargs.get("dim", 0)
        size = self.size_at(tensor, dim, node)
        if isinstance(sizes, (list, tuple)):
            sizes = tuple(sizes)
            count = len(sizes)
        elif type(sizes) is int and sizes > 0 and not dims.is_symbolic(size):
            count = -(-size // sizes)
        else:
            raise Unfollowable(f"split into pieces of {describe(sizes)}", node)
        if count > MAX_PIECES:
            raise Unfollowable(f"a split into {count:,} pieces", node)
        return self.emit_op("split", [tensor], (sizes, dim), node, outputs=count)

    def m_narrow(self, tensor, args, kwargs, node):
        dim, start, length = args
        return self.emit_op("slice", [tensor], (dim, start, start + length, 1), node)

    def m_expand(self, tensor, args, kwargs, node):
        sizes = list(args[0]) if len(args) == 1 and isinstance(args[0], (tuple, list)) else list(args)
        if not sizes or not (sizes[0] is BATCH or sizes[0] == -1):
            raise Unfollowable("an expand that does not keep the batch first", node)
        return self.emit_op("expand", [tensor], (tuple([-1] + sizes[1:]),), node)

    def m_expand_as(self, tensor, args, kwargs, node):
        return self.emit_op("expand_as", [tensor, self.tensor_arg(args[0], node)], (), node)

    def m_binary(self, op):
        def binary(tensor, args, kwargs, node):
            other = args[0] if args else kwargs.get("other")
            return self.tensor_binop(op, tensor, other, node)
        return binary

    def m_same(self, tensor, args, kwargs, node):
        return tensor

    # ------------------------------------------------------------- indexing
    def tensor_index(self, tensor: Tensor, key, node):
        """x[:, :c], x[:, 0], x[..., None]: one operation per dim that changes."""
        keys = list(key) if isinstance(key, tuple) else [key]
        if keys and keys[0] is not Ellipsis and keys[0] != slice(None):
            raise Unfollowable("indexing the batch dimension of a tensor", node)
        rank = len(self.sizes(tensor, node)) - 1
        if Ellipsis in keys:
            at = keys.index(Ellipsis)
            keys[at:at + 1] = [slice(None)] * (rank + 1 - (len(keys) - 1 - keys.count(None)))
        dim, result = 0, tensor
        for item in keys:
            if item is None:
                result = self.emit_op("unsqueeze", [result], (dim,), node)
            elif isinstance(item, slice):
                if item != slice(None):
                    result = self.emit_op("slice", [result], (dim, item.start, item.stop, item.step or 1), node)
            elif type(item) is int:
                result = self.emit_op("select", [result], (dim, item), node)
                continue  # the dim is gone
            else:
                raise Unfollowable(f"indexing a tensor with {describe(item)}", node)
            dim += 1
        return result

    # ------------------------------------------------------------- torch functions
    def torch_function(self, qname: str, node, scope):
        """torch.stack, torch.split, F.pad, torch.mean, ...: the same as the tensor methods."""
        args, kwargs = self.call_args(node, scope)
        values = [v for v, _ in args]
        keywords = {k: v for k, v, _, _ in kwargs}
        name = qname.rsplit(".", 1)[-1]
        if numeric.involves(values) and name in numeric.FUNCTIONS and not keywords:
            return numeric.call(name, values, node)  # regnet's torch.mul of known widths
        if name == "stack":
            tensors = list(values[0]) if values else []
            if not tensors or not all(isinstance(t, Tensor) for t in tensors):
                raise Unfollowable("torch.stack of something not tensors flowing through forward", node)
            return self.emit_op("stack", tensors, (values[1] if len(values) > 1 else keywords.get("dim", 0),), node)
        if name == "pad":
            tensor = self.tensor_arg(values[0], node)
            pads = tuple(values[1] if len(values) > 1 else keywords["pad"])
            mode = values[2] if len(values) > 2 else keywords.get("mode", "constant")
            return self.emit_op("pad", [tensor], (pads, mode), node)
        if not values:
            raise Unfollowable(f"{qname} without its input", node)
        return self.tensor_method(TensorMethod(self.tensor_arg(values[0], node), name), _Rest(node), scope)

    def same_function(self, qname: str, node, scope):
        """torch.zeros_like(x), F.normalize(x): a tensor of the first argument's shape."""
        args, _ = self.call_args(node, scope)
        if not args:
            raise Unfollowable(f"{qname} without its input", node)
        name = qname.rsplit(".", 1)[-1]
        if numeric.involves([v for v, _ in args]) and name in numeric.FUNCTIONS:
            return numeric.call(name, [v for v, _ in args], node)  # regnet's torch.log of known widths
        return self.tensor_arg(args[0][0], node)


class _Rest:
    """A call node without its first argument: torch.mean(x, 1) is x.mean(1)."""

    def __init__(self, node):
        self.node = node
        self.args, self.keywords, self.func = node.args[1:], node.keywords, node.func
        for attr in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
            setattr(self, attr, getattr(node, attr))


INPLACE = {"relu", "sigmoid", "tanh", "clamp", "mul", "add", "sub", "div", "unsqueeze", "squeeze", "transpose"}
METHODS = {"size": "m_size", "dim": "m_dim", "numel": "m_numel", "view": "m_view", "reshape": "m_view",
           "permute": "m_permute", "transpose": "m_transpose", "squeeze": "m_squeeze", "unsqueeze": "m_unsqueeze",
           "chunk": "m_chunk", "split": "m_split", "narrow": "m_narrow", "expand": "m_expand",
           "expand_as": "m_expand_as", "max": "m_max",
           "add": "m_add", "sub": "m_sub", "mul": "m_mul", "div": "m_div",
           "clamp": "m_same", "pow": "m_same", "exp": "m_same", "log": "m_same", "abs": "m_same", "sqrt": "m_same",
           "neg": "m_same", "type_as": "m_same", "masked_fill": "m_same"}
for _op in ("mean", "sum", "amax", "amin"):
    METHODS[_op] = f"m_{_op}"
    setattr(TensorCalls, f"m_{_op}", (lambda op: lambda self, *a: TensorCalls.m_reduce(self, op)(*a))(_op))
for _name, _op in (("add", "Add"), ("sub", "Sub"), ("mul", "Mult"), ("div", "Div")):
    setattr(TensorCalls, f"m_{_name}", (lambda op: lambda self, *a: TensorCalls.m_binary(self, op)(*a))(_op))
