# convcalc's description of the helpers torchvision's model files import from their package
# (``from ._utils import _make_divisible``, ``from ._api import register_model, WeightsEnum``):
# read with ast, never imported, and followed like a file of the model's own. Only what changes
# the model: registering and logging do nothing here, and no weights are ever loaded.


def _make_divisible(v, divisor, min_value=None):
    """v rounded to the nearest multiple of divisor, never more than 10% below v."""
    if min_value is None:
        min_value = divisor
    rounded = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * v:
        rounded += divisor
    return rounded


def _ovewrite_named_param(kwargs, param, new_value):
    if param in kwargs and kwargs[param] != new_value:
        raise ValueError(f"The parameter '{param}' expected value {new_value} but got {kwargs[param]} instead.")
    kwargs[param] = new_value


def _ovewrite_value_param(param, actual, expected):
    if actual is not None and actual != expected:
        raise ValueError(f"The parameter '{param}' expected value {expected} but got {actual} instead.")
    return expected


def _pass_through(fn):
    return fn


def handle_legacy_interface(**weights):
    return _pass_through


def register_model(name=None):
    return _pass_through


def _log_api_usage_once(obj):
    return None


_IMAGENET_CATEGORIES = []
_COCO_CATEGORIES = []
