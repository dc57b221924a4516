"""Layers of a Python model's module tree whose forward is the model's own code: a subclass of a
torch layer that defines forward (``class LayerNorm2d(nn.LayerNorm)`` permuting around
``F.layer_norm``). The walk sees the rows its forward emits, not the layer itself; its parameters
are the layer's (counted as a registered part), and torchinfo, which hooks the module, gives it
the mult-adds of any leaf module with a weight and a bias: their elements once per sample, times
the output's positions when the class's name has "Conv" in it (torchinfo 1.8.0's
LayerInfo.calculate_macs), once per call."""
from __future__ import annotations

from convcalc.layers.common import product


def own_forward_calls(analysis) -> dict:
    """Module path -> [(class name, index of the last row of the call)], one per call of a
    submodule whose forward ran, in the order they ran; with the paths that have submodules of
    their own (torchinfo counts only leaf modules)."""
    calls: dict = {}
    for index, row in enumerate(analysis.rows):
        for block in analysis.path_of(row):
            if not block.path:
                continue
            found = calls.setdefault(block.path, {})
            found[block.uid] = (block.label, index)
    return {path: list(found.values()) for path, found in calls.items()}


def torchinfo_macs(entry, calls: list, analysis) -> object:
    """Per sample, every call summed: the weight and bias elements, times the output's positions
    for a class named like a convolution (torchinfo's rule reads the class's name)."""
    total = 0
    for label, last in calls:
        positions = product(analysis.rows[last].shape[1:]) if "Conv" in label else 1
        total += entry.params * positions
    return total


def mark_own_forwards(analysis) -> None:
    """Each registered layer whose own forward ran: its calls and torchinfo's mult-adds for it,
    added to the total (only a leaf: a layer subclass that registers submodules is not one)."""
    if not analysis.registered:
        return
    calls = own_forward_calls(analysis)
    paths = set(calls) | {entry.path for entry in analysis.registered}
    for entry in analysis.registered:
        ran = calls.get(entry.path)
        if not ran or entry.call is None:
            continue
        leaf = not any(other.startswith(entry.path + ".") for other in paths)
        entry.calls = len(ran)
        if leaf and entry.known:
            entry.macs = torchinfo_macs(entry, ran, analysis)
            analysis.add_macs(entry.macs)
