"""The whole catalogue: importing this module registers every family's layers, and the rest of
convcalc looks layers up here."""
from __future__ import annotations

from typing import Optional

from convcalc.errors import close_matches
from convcalc.layers import activation, conv, dense, fold, norm, pool, resample  # noqa: F401  (they register)
from convcalc.layers import attention, recurrent, transformer  # noqa: F401  (they register)
from convcalc.layers.registry import REGISTRY, LayerSpec


def lookup(name: str) -> Optional[LayerSpec]:
    return REGISTRY.get(name)


def close_names(name: str, extra=()) -> list[str]:
    return close_matches(name, list(REGISTRY) + list(extra))


# torch.nn's private base classes a model may test against, by the family of layers they cover
BASES = {"_ConvNd": ("conv",), "_ConvTransposeNd": ("conv",), "_BatchNorm": ("norm",), "_NormBase": ("norm",),
         "_InstanceNorm": ("norm",), "_MaxPoolNd": ("pool",), "_AvgPoolNd": ("pool",),
         "_AdaptiveAvgPoolNd": ("pool",), "_AdaptiveMaxPoolNd": ("pool",), "_DropoutNd": ("activation",)}


def instance_of(layer: str, torch_class: str) -> bool:
    """Whether a catalogue layer object is an instance of the torch.nn class of that name
    (``isinstance(m, nn.Conv2d)``, ``isinstance(m, nn.modules.conv._ConvNd)``)."""
    if layer == torch_class or torch_class == "Module":
        return True
    spec = REGISTRY.get(layer)
    family = BASES.get(torch_class)
    if spec is None or family is None:
        return False
    prefix = torch_class.strip("_").replace("Nd", "").replace("Base", "").replace("_", "")
    return spec.family in family and (layer.startswith(prefix) or prefix in ("Norm",) or
                                      layer.replace("Lazy", "").startswith(prefix))
