"""Memory figures and mult-add totals of a measured analysis.

Mult-add conventions (per sample here; the reports multiply by the batch)
-------------------------------------------------------------------------
``torchinfo`` (``Row.macs``, what torchinfo 1.8.0 prints as "Total mult-adds"):

* Conv and ConvTranspose: (weight + bias elements) x output positions;
* every other layer with parameters (Linear, BatchNorm, LayerNorm, GroupNorm, PReLU, ...):
  its parameter count, once per sample, whatever the rank of its input (torchinfo
  multiplies by ``output_size[0]``, the batch, only: a Linear on a C x H x W tensor counts
  in*out + out, not C*H times that);
* layers without parameters, adds and concats: 0.

``fvcore`` (``RowInfo.fmas``): one per fused multiply-add of the convolutions and linear
layers, bias left out, as fvcore's FlopCountAnalysis and ``torch.utils.flop_counter``
(which reports 2 per multiply-add) count them:

* Conv: weight elements x output positions, i.e. out * in/groups * prod(kernel) * prod(out);
* ConvTranspose: weight elements x *input* positions (every input element meets every
  weight of its group once): in * out/groups * prod(kernel) * prod(in);
* Linear: in * out x every output dimension but the last;
* everything else 0: normalisation, activations, pooling, upsampling, adds, concats.
  (fvcore itself adds rough estimates for normalisation, upsampling and adaptive average
  pooling; ``torch.utils.flop_counter`` does not. convcalc follows the latter.)

Memory
------
Parameters, buffers and activations in ``--dtype`` (BatchNorm's ``num_batches_tracked``
stays int64, 8 bytes, as ``module.half()`` leaves it). Activation memory of a layer = its
output elements x batch x bytes. torchinfo's "Forward/backward pass size" is
2 x the outputs of the layers that have parameters (of a layer with several outputs, the first);
its "Params size" counts the parameters of the leaf modules that run (not MultiheadAttention's:
a module with a child its forward never calls) and no buffers; its "Input size" is the input tensor's storage as Python reports it
(the tensor's bytes plus a small object overhead, which convcalc leaves out).
"""
from __future__ import annotations

from dataclasses import dataclass

from convcalc.engine.analysis import Analysis
from convcalc.engine.analysis import DTYPES, Analysis as Measured
from convcalc.layers.common import product
from convcalc.metrics.measure import info_of
from convcalc.symbolic import dims




INT64 = 8


from convcalc.metrics.conventions import CONVENTIONS, NotCounted  # noqa: E402,F401  (the names the CLI offers)


def buffer_bytes(row, width: int) -> dims.Dim:
    """BatchNorm's num_batches_tracked is int64 whatever the dtype."""
    if not row.buffers:
        return 0
    ints = row.spec.traits.int_buffers if row.spec is not None else 0
    return (row.buffers - ints) * width + ints * INT64


@dataclass
class Memory:
    dtype: str
    batch: int
    width: int
    input: dims.Dim
    params: dims.Dim
    buffers: dims.Dim
    activations: dims.Dim  # every row's output (adds and concats included)
    forward_backward: dims.Dim  # torchinfo: 2 x outputs of layers with parameters
    torchinfo_params: dims.Dim  # torchinfo's "Params size" (its leaf modules' parameters only)

    @property
    def torchinfo_total(self) -> dims.Dim:
        """torchinfo's "Estimated Total Size": input + forward/backward + params."""
        return self.input + self.forward_backward + self.torchinfo_params


def output_bytes(row, batch: int, width: int) -> dims.Dim:
    return row.elements * batch * width


def memory(analysis: Analysis, batch: int = 1, dtype: str = "float32") -> Memory:
    width = DTYPES[dtype]
    layers = [r for r in analysis.rows if r.name not in ("add", "concat")]
    return Memory(
        dtype=dtype, batch=batch, width=width,
        input=product(analysis.input) * batch * width if analysis.input else 0,
        params=analysis.total_params * width,
        # torchinfo's "Params size": the parameters of its leaf modules that run (Result.leaves)
        torchinfo_params=(analysis.total_params - sum((r.params - r.declared[3][1] for r in analysis.rows
                                                       if r.declared[3] is not None and not r.shared), 0)) * width,
        buffers=sum((buffer_bytes(r, width) for r in analysis.rows), 0),
        # summed per sample, then scaled once: a symbolic product per row costs time in a deep network
        activations=analysis.totals[4] * batch * width,
        forward_backward=2 * sum((first_output_elements(r) for r in layers if _nonzero(r.params)), 0) * batch * width,
    )


def first_output_elements(row) -> dims.Dim:
    """The elements torchinfo 1.8.0 sizes a layer's output by: of a layer that returns several
    tensors (an LSTM's output and (h_n, c_n)) only the first (its LayerInfo.calculate_size reads
    ``inputs[0]`` of a tuple); of a layer made of modules, its leaves' (Result.leaves)."""
    if row.declared[3] is not None:
        return row.declared[3][0]
    if row.outputs is None:
        return row.elements
    first = row.outputs[0]
    return product(first) * getattr(first, "fold", 1)


def _nonzero(value) -> bool:
    return dims.is_symbolic(value) or value != 0


def row_macs(analysis: Measured, index: int, convention: str, batch: int, again: frozenset = frozenset()) -> dims.Dim:
    """One row's mult-adds in a convention, the whole batch; NotCounted where the convention has
    no figure for it (convcalc/metrics/conventions.py). ``again``: the rows of layer objects called
    again later (conventions.called_again)."""
    if convention == "fvcore":
        row = analysis.rows[index]
        if getattr(row.shape, "batch", 0) is None:  # an output without a batch (a table's MLP): once per run
            return info_of(analysis)[index].fmas
        return info_of(analysis)[index].fmas * batch
    if convention == "torchinfo":
        row = analysis.rows[index]
        return row.macs * batch + row.macs_fixed
    from convcalc.metrics.conventions import PEERS, peer_count

    return peer_count(PEERS[convention], analysis.rows[index], analysis.program, batch, index in again)


def counted(analysis: Measured, convention: str, batch: int) -> tuple:
    """(each row's mult-adds, None where the convention has none; [(row index, why)] of those;
    the indices of the module calls the tool has no rule for, counted 0 as the tool counts them)."""
    from convcalc.metrics.conventions import PEERS, Uncounted, called_again

    counts, missing, unknown = [], [], []
    peer = PEERS.get(convention)
    if peer is not None and peer.input_rank is not None and len(analysis.input) != peer.input_rank and analysis.rows:
        why = f"{convention} takes a {peer.input_rank}-d input per sample only (C x H x W), and fails on this one"
        return [None] * len(analysis.rows), [(0, why)], []
    again = called_again(analysis.rows) if peer is not None and not peer.each_call else frozenset()
    for index in range(len(analysis.rows)):
        try:
            counts.append(row_macs(analysis, index, convention, batch, again))
        except NotCounted as exc:
            counts.append(None)
            missing.append((index, str(exc)))
        except Uncounted:
            counts.append(0)
            unknown.append(index)
    return counts, missing, unknown


def total_macs(analysis: Measured, convention: str, batch: int):
    """The sum over the rows, None when a row has no figure in the convention; torchinfo's is the
    walk's total (with what no row holds: a layer subclass run by its own forward)."""
    if convention == "torchinfo":
        return analysis.macs_at(batch)  # a sequence-first output's fixed part does not grow with the batch
    counts, missing, _ = counted(analysis, convention, batch)
    return None if missing else sum(counts, 0)
