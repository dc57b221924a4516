"""The counting tools themselves, run on a torch model, for the oracle tests: each function gives
the figure the tool prints (its total mult-adds, or its parameter total), for one input shape (one
sample, without the batch) and a batch where the tool takes one.

Tools that are not installed are skipped with a note (``need``), unless CONVCALC_REQUIRE_ORACLE=1
(CI), where a missing one fails: the oracle extra installs them all, pinned.

torch is imported at the top: only oracle tests import this module.
"""
import contextlib
import io
import importlib.util
import os
import re
import sys
import warnings

import pytest
import torch
from torch import nn

MODULES = {"thop": "thop", "ptflops": "ptflops", "fvcore": "fvcore", "torchsummary": "torchsummary",
           "torch-scan": "torchscan", "torchview": "torchview", "torchstat": "torchstat",
           "pytorch-model-summary": "pytorch_model_summary"}


def need(peer: str) -> None:
    """Skip (with a note) where the tool is not installed; fail instead under CONVCALC_REQUIRE_ORACLE=1."""
    if importlib.util.find_spec(MODULES[peer]) is not None:
        return
    message = f"{peer} is not installed (pip install -e '.[oracle]' installs the peers, pinned)"
    if os.environ.get("CONVCALC_REQUIRE_ORACLE") == "1":
        pytest.fail(f"CONVCALC_REQUIRE_ORACLE=1 but {message}")
    pytest.skip(message)


@contextlib.contextmanager
def quiet():
    """The tools print and warn as they count: kept out of the test's output."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with contextlib.redirect_stdout(io.StringIO()) as out:
            yield out


def thop_macs(model, shape, batch=1) -> int:
    """thop.profile's first figure (mult-adds), on a batch."""
    from thop import profile

    with quiet():
        macs, _ = profile(model, inputs=(torch.zeros(batch, *shape),), verbose=False)
    assert float(macs).is_integer()
    return int(macs)


def import_ptflops() -> None:
    """ptflops reads torchvision.ops.DeformConv2d when torchvision imports; the corpus tests put a
    stub torchvision in sys.modules when the real one is missing (corpus_harness.stub_torchvision),
    which ptflops would take for the real one: hidden while ptflops is imported."""
    if "ptflops.pytorch_ops" in sys.modules:
        return
    stub = sys.modules.get("torchvision") is not None and getattr(sys.modules["torchvision"], "__file__", None) is None
    hidden = {name: sys.modules.pop(name) for name in list(sys.modules)
              if stub and (name == "torchvision" or name.startswith("torchvision."))}
    try:
        import ptflops.pytorch_ops  # noqa: F401
    finally:
        sys.modules.update(hidden)


def ptflops_macs(model, shape) -> int:
    """ptflops' get_model_complexity_info (pytorch backend, its default): mult-adds of one sample."""
    import_ptflops()
    from ptflops import get_model_complexity_info

    with quiet():
        macs, _ = get_model_complexity_info(model, tuple(shape), as_strings=False, print_per_layer_stat=False,
                                            verbose=False)
    assert macs is not None, "ptflops failed on the model"
    return int(macs)


def torchscan_macs(model, shape):
    """torch-scan's crawl_module total of MACs (one sample): its "known" value (what its summary
    prints as "known N MACs" when a module has no formula), and whether it says it is complete."""
    from torchscan import crawl_module

    with quiet():
        report = crawl_module(model, tuple(shape))
    total = report["totals"]["macs"]
    return total["known_value"], total["status"] == "complete"


def torchstat_madd(model, shape) -> int:
    """torchstat's MAdd total (one sample). torchstat replaces the __call__ of every leaf module's
    class and never puts it back: put back here, so that other tests run torch's own."""
    from torchstat.statistics import ModelStat

    classes = {type(m) for m in model.modules()}
    saved = {cls: cls.__dict__.get("__call__") for cls in classes}
    try:
        with quiet():
            nodes = ModelStat(model, tuple(shape))._analyze_model()
    finally:
        for cls, call in saved.items():
            if call is None:
                if "__call__" in cls.__dict__:
                    delattr(cls, "__call__")
            else:
                cls.__call__ = call
    return int(sum(int(node.MAdd) for node in nodes))


def fvcore_flops(model, shape, batch=1) -> int:
    """fvcore's FlopCountAnalysis total with its default handles (norms, upsampling and adaptive
    average pooling included)."""
    from fvcore.nn import FlopCountAnalysis

    with quiet():
        analysis = FlopCountAnalysis(model.eval(), (torch.zeros(batch, *shape),))
        analysis.unsupported_ops_warnings(False)
        analysis.uncalled_modules_warnings(False)
        return int(analysis.total())


def flop_counter_fmas(model, shape, batch=1) -> int:
    """torch.utils.flop_counter's total / 2 (what convcalc's fvcore convention is)."""
    from torch.utils.flop_counter import FlopCounterMode

    model.eval()
    with FlopCounterMode(display=False) as counter:
        model(torch.zeros(batch, *shape))
    flops = counter.get_total_flops()
    assert flops % 2 == 0
    return flops // 2


def torchsummary_params(model, shape) -> int:
    """torchsummary's "Total params" (what it counts: weight and bias of each module called);
    ``shape`` one input's, or a list of each input's."""
    from torchsummary import summary

    with quiet() as out:
        summary(model, shape if isinstance(shape, list) else tuple(shape), device="cpu")
    return int(re.search(r"Total params: ([\d,]+)", out.getvalue()).group(1).replace(",", ""))


def model_summary_params(model, shape) -> int:
    """pytorch-model-summary's "Total params"."""
    from pytorch_model_summary import summary

    with quiet():
        text = summary(model, torch.zeros(1, *shape))
    return int(re.search(r"Total params: ([\d,]+)", text).group(1).replace(",", ""))


def torchview_outputs(model, shape) -> list:
    """torchview's graph of the model: the shapes of its output tensors (the batch left out);
    ``shape`` one input's, or a list of each input's with the batch."""
    from torchview import draw_graph

    from torchview.computation_node import TensorNode

    with quiet():
        graph = draw_graph(model, input_size=shape if isinstance(shape, list) else (1, *shape), device="cpu")
    found, seen, stack = [], set(), list(graph.root_container)
    while stack:  # the graph's leaf tensors ("output-tensor" nodes), in the order torchview made them
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, TensorNode) and node.is_leaf() and not node.is_aux:
            found.append(node)
        stack.extend(node.children)
    return [tuple(node.tensor_shape[1:]) for node in sorted(found, key=lambda n: n.node_id)]


def torch_figures(model, shape) -> tuple:
    """torch itself: parameters (model.parameters(), shared ones once) and the output shapes of one sample."""
    model.eval()
    with torch.no_grad():
        out = model(torch.zeros(1, *shape))
    return sum(p.numel() for p in model.parameters()), [tuple(t.shape[1:]) for t in flatten(out)]


def flatten(out) -> list:
    if isinstance(out, torch.Tensor):
        return [out]
    if isinstance(out, dict):
        out = list(out.values())
    return [t for item in out for t in flatten(item)]


def torchinfo_macs(model, shape, batch=1) -> int:
    from torchinfo import summary

    return summary(model, input_data=torch.zeros(batch, *shape), verbose=0, mode="eval").total_mult_adds


def sequential(layers):
    """nn.Sequential of (name, args, kwargs) layers of torch.nn."""
    return nn.Sequential(*[getattr(nn, name)(*args, **kwargs) for name, args, kwargs in layers])


# ---------------------------------------------------------------- on given input tensors (several inputs)


def torch_figures_inputs(model, inputs: tuple) -> tuple:
    """torch itself on these inputs: parameters (shared ones once) and each output's shape per sample."""
    with torch.no_grad():
        out = model.eval()(*inputs)
    return sum(p.numel() for p in model.parameters()), [tuple(t.shape[1:]) for t in flatten(out)]


def flop_counter_fmas_inputs(model, inputs: tuple) -> int:
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model.eval()(*inputs)
    flops = counter.get_total_flops()
    assert flops % 2 == 0
    return flops // 2


def thop_macs_inputs(model, inputs: tuple) -> int:
    from thop import profile

    with quiet():
        macs, _ = profile(model, inputs=inputs, verbose=False)
    assert float(macs).is_integer()
    return int(macs)


def fvcore_flops_inputs(model, inputs: tuple) -> int:
    from fvcore.nn import FlopCountAnalysis

    with quiet():
        analysis = FlopCountAnalysis(model.eval(), inputs)
        analysis.unsupported_ops_warnings(False)
        analysis.uncalled_modules_warnings(False)
        return int(analysis.total())


def model_summary_params_inputs(model, inputs: tuple) -> int:
    from pytorch_model_summary import summary

    with quiet():
        text = summary(model, *inputs)
    return int(re.search(r"Total params: ([\d,]+)", text).group(1).replace(",", ""))
