"""Variance and standard deviation as tensor operations of the catalogue (kornia's descriptors
normalise by torch.std_mean, CvT's LayerNorm reads torch.var): over ``dim`` as the reductions of
operations.py, with ``correction`` (Bessel's 1 by default, or 0 with torch's older
``unbiased=False``); ``std_mean`` and ``var_mean`` give two tensors of that shape. operations.py
imports this module last; both take the declaration's form from opspec.py."""
from __future__ import annotations

from convcalc.layers.opspec import operation, reduced


def statistic(name: str, pair: bool):
    @operation(name, spellings=f"torch.{name}" + ("" if pair else f" Tensor.{name}"), field="reduce", axes="dim",
               doc=f"{name.replace('_', ' and ')} over dim (an int or a tuple), correction 1 (or unbiased=False: "
                   "0); keepdim keeps them as 1" + ("; two tensors" if pair else ""),
               outputs=2 if pair else None, dim=None, unbiased=True, keepdim=False, correction=None)
    def rule(shapes, args, node, warn):
        out = reduced(name, shapes[0], args["dim"], args["keepdim"], node)
        return [out, out] if pair else out
    return rule


def correction(args) -> int:
    """The divisor's correction torch uses: ``correction`` when given, else 1 (0 with unbiased=False)."""
    return args["correction"] if args["correction"] is not None else (1 if args["unbiased"] else 0)


for _name, _pair in (("var", False), ("std", False), ("var_mean", True), ("std_mean", True)):
    statistic(_name, _pair)
