"""torch as model files use it (issues 21 and 27): each model below is written by us in the style
of the public files that stopped or fooled convcalc, read by convcalc and run in torch from the
same source; parameters as model.parameters() counts them and every output's shape must agree,
or convcalc must say where it stopped (never a wrong figure said to be complete)."""
import pytest

from source_models import ours, theirs

pytestmark = pytest.mark.oracle


def agrees(text, name, *shapes):
    """(convcalc's parameters, its output shapes, torch's parameters, torch's output shapes): each
    output list flat, in order (a tuple, list or dict of tensors at any nesting)."""
    model, analysis = ours(text)
    params, out = theirs(text, name, *shapes)
    stopped = model.program.stopped or analysis.error
    assert model.complete and analysis.error is None, stopped and stopped.message
    outputs = tuple(tuple(o) for o in analysis.outputs) if analysis.outputs else (tuple(analysis.output),)
    return analysis.total_params, outputs, params, tuple(flat(out))


def flat(out):
    if isinstance(out, dict):
        out = tuple(out.values())
    if isinstance(out, tuple) and all(type(d) is int for d in out):
        return [out]
    return [shape for item in out for shape in flat(item)]


PLAIN_LIST = """
import torch.nn as nn


# convcalc: input 3x8x8
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.convs = [nn.Conv2d(3, 3, 3, padding=1) for _ in range(3)]
        self.norms = {"a": nn.BatchNorm2d(3)}
        self.head = nn.Conv2d(3, 2, 1)

    def forward(self, x):
        for conv in self.convs:
            x = conv(x)
        x = self.norms["a"](x)
        return nn.ReLU()(self.head(x))
"""


def test_modules_in_a_plain_list_or_made_in_forward_are_not_parameters(torch):
    """issue 27: a plain list's layers were counted (173,858 against torch's 34)."""
    ours_params, ours_out, params, out = agrees(PLAIN_LIST, "Net", (3, 8, 8))
    assert (ours_params, ours_out) == (params, out) == (8, ((2, 8, 8),))
    model, analysis = ours(PLAIN_LIST)
    assert analysis.total_buffers == 0  # the BatchNorm's running statistics are not the model's either
    said = [note for note in model.program.notes if "not in the module tree" in note.message]
    assert {note.span.line for note in said} == {9, 10}  # said once per place, where each is made


NESTED = """
import torch.nn as nn


# convcalc: input 3x8x8
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, 3, padding=1)
        self.conv2 = nn.Conv2d(4, 2, 3, stride=2, padding=1)

    def forward(self, x):
        a = self.conv1(x)
        b = self.conv2(a)
        return b, [a, b], {"first": a}
"""


def test_a_list_or_dict_inside_a_returned_tuple_is_output_too(torch):
    """issue 27: the output was b alone, exit 0."""
    ours_params, ours_out, params, out = agrees(NESTED, "Net", (3, 8, 8))
    assert ours_params == params
    assert ours_out == ((2, 4, 4), (4, 8, 8), (2, 4, 4), (4, 8, 8)) == out


NORMALIZATION = """
import torch.nn as nn
from inspect import isfunction


def lambda_batchnorm2d(eps=1e-5):
    return lambda num_features: nn.BatchNorm2d(num_features=num_features, eps=eps)


def create_normalization_layer(normalization, **kwargs):
    assert normalization is not None
    if isfunction(normalization):
        return normalization(**kwargs)
    else:
        assert isinstance(normalization, nn.Module)
        return normalization


# convcalc: input 3x8x8
class Net(nn.Module):
    def __init__(self, normalization=lambda_batchnorm2d(), other=nn.BatchNorm2d(4)):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.bn = create_normalization_layer(normalization, num_features=4)
        self.bn2 = create_normalization_layer(other)

    def forward(self, x):
        return self.bn2(self.bn(self.conv(x)))
"""


def test_a_normalization_made_by_a_lambda_chosen_by_inspect_isfunction(torch):
    """pytorchcv's create_normalization_layer: the BatchNorms were left out of a total said to be
    complete (6 models of the held-out corpus)."""
    ours_params, ours_out, params, out = agrees(NORMALIZATION, "Net", (3, 8, 8))
    assert (ours_params, ours_out) == (params, out) == (128, ((4, 6, 6),))


def test_a_branch_not_followed_that_returns_is_never_a_silent_none():
    """The same file with a helper convcalc does not know: the function's result is not known,
    the model is not built (it built with self.bn = None, a total of the rest said to be the tree's)."""
    text = NORMALIZATION.replace("from inspect import isfunction", "from elsewhere import isfunction")
    from convcalc.frontends.python.models import read_models

    result = read_models(text, "model.py")
    assert not result.models
    [(name, error)] = result.unfollowed
    assert name == "Net" and error.span.line == 12 and "isfunction" in error.message


MADE_IN_FORWARD = """
import torch
import torch.nn as nn
from torch.autograd import Variable
from torch.nn.modules.utils import _pair, _triple


# convcalc: input 3x8x8
class Net(nn.Module):
    def __init__(self, k=3):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, _pair(k), padding=_pair(1))
        self.conv3 = nn.Conv3d(1, 2, _triple(1))
        self.scale = nn.Parameter(torch.ones(4))
        self.token = nn.Parameter(torch.zeros(1, 4, 1, 8))

    def forward(self, x):
        b = x.size(0)
        x = Variable(x)
        y = self.conv(x)
        z = torch.zeros(b, 4, x.size(2), x.size(3))
        h = Variable(torch.ones(x.size(0), 4, 8, 8))
        w = self.scale[None, :, None, None]
        e = self.scale.view(1, -1, 1, 1).expand(b, -1, 8, 8)
        t = self.token.repeat(b, 1, 8, 1)
        return y * w + z + h + e + t + torch.full((b, 4, 8, 8), 0.5)
"""


def test_tensors_made_in_forward_and_parameters_made_per_sample(torch):
    """torch.zeros/ones/full sized by x.size(0), a Parameter indexed, expanded and repeated to the
    batch, Variable, _pair/_triple (issue 21: each stopped the model)."""
    ours_params, ours_out, params, out = agrees(MADE_IN_FORWARD, "Net", (3, 8, 8))
    assert (ours_params, ours_out) == (params, out) == (112 + 4 + 4 + 32, ((4, 8, 8),))


STAR = """
import torch
import torch.nn as nn


# convcalc: input 3x8x8, 2x8x8
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(5, 4, 3, padding=1)

    def forward(self, *x):
        return self.conv(torch.cat(x, 1))
"""


def test_forward_of_star_args_takes_the_inputs_the_comment_gives(torch):
    """issue 27: forward(self, *x) with two inputs was a CC101 against code torch runs."""
    ours_params, ours_out, params, out = agrees(STAR, "Net", (3, 8, 8), (2, 8, 8))
    assert (ours_params, ours_out) == (params, out) == (184, ((4, 8, 8),))


CALLS = """
import torch.nn as nn


class Doubled(nn.Sequential):
    def forward(self, x):
        x = super().forward(x)
        return x * 2


class Called(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def __call__(self, x):
        return self.fc(x)


# convcalc: input 3x8x8
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.seq = Doubled(nn.Conv2d(4, 4, 1), nn.ReLU())
        self.called = Called()

    def forward(self, x):
        x = self.conv.forward(x)
        x = self.seq(x)
        return self.called(x.mean(dim=(2, 3)))
"""


def test_explicit_forward_a_module_defining_call_and_super_forward_of_a_sequential(torch):
    ours_params, ours_out, params, out = agrees(CALLS, "Net", (3, 8, 8))
    assert (ours_params, ours_out) == (params, out)


MODULES = """
import torch
import torch.nn as nn


class Concurrent(nn.Sequential):
    def forward(self, x):
        out = []
        for module in self._modules.values():
            out.append(module(x))
        return torch.cat(tuple(out), dim=1)


# convcalc: input 3x8x8
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.branches = Concurrent()
        self.branches.add_module("a", nn.Conv2d(3, 4, 1))
        self.branches.add_module("b", nn.Conv2d(3, 2, 3, padding=1))
        self.head = nn.Sequential(nn.ReLU(), nn.Conv2d(6, 5, 1))

    def forward(self, x):
        x = self.branches(x)
        for name, module in self.head._modules.items():
            x = module(x)
        return x
"""


def test_a_containers_modules_read_through_underscore_modules(torch):
    """pytorchcv's containers iterate self._modules.values() (7 held-out models stopped there)."""
    ours_params, ours_out, params, out = agrees(MODULES, "Net", (3, 8, 8))
    assert (ours_params, ours_out) == (params, out) == (16 + 56 + 35, ((5, 8, 8),))


def test_a_write_into_underscore_modules_is_not_followed():
    text = MODULES.replace('for name, module in self.head._modules.items():',
                           'self.head._modules["1"] = nn.Identity()\n        for name, module in self.head._modules.items():')
    model, _ = ours(text)
    assert not model.complete and "_modules" in model.program.stopped.message


LIBRARY_VALUES = """
import functools
import numpy as np
import torch
import torch.nn as nn
from torch.autograd import Variable


class Block(nn.Module):
    def __init__(self, channels, norm_layer=nn.BatchNorm2d):
        super().__init__()
        if type(norm_layer) == functools.partial:
            use_bias = norm_layer.func == nn.InstanceNorm2d
        else:
            use_bias = norm_layer == nn.InstanceNorm2d
        self.conv = nn.Conv2d(channels, channels, 3, padding=1, bias=use_bias)
        self.norm = norm_layer(channels)

    def forward(self, x):
        return self.norm(self.conv(x))


# convcalc: input 3x8x8
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([])
        for norm in (nn.BatchNorm2d, functools.partial(nn.InstanceNorm2d, affine=True)):
            self.blocks += [Block(3, norm)]
        self.fc = nn.Linear(3 * 8 * 8, 9)

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        x = self.fc(x.flatten(1))
        iden = Variable(torch.from_numpy(np.eye(3).flatten().astype(np.float32))).view(1, 9).repeat(x.size(0), 1)
        return x + iden
"""


def test_type_of_a_torch_class_modulelist_sum_and_numpy_constants_in_forward(torch):
    """CycleGAN's type(norm_layer) == functools.partial, R2Plus1D's self.blocks += [...], PointNet's
    identity made with numpy in forward (each stopped a held-out model)."""
    ours_params, ours_out, params, out = agrees(LIBRARY_VALUES, "Net", (3, 8, 8))
    assert (ours_params, ours_out) == (params, out) == (81 + 6 + 84 + 6 + 1737, ((9,),))


TIED = """
import torch.nn as nn


# convcalc: input 3x8x8
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 3, 3, padding=1)
        self.conv2 = nn.Conv2d(3, 3, 3, padding=1)
        self.conv2.weight = self.conv1.weight
        self.spare = nn.Conv2d(3, 3, 3, padding=1)
        self.spare.weight = self.conv1.weight
        self.spare.bias = self.conv2.bias

    def forward(self, x):
        return self.conv2(self.conv1(x))
"""


def test_tied_weights_count_once(torch):
    """issue 27: torch counts a Parameter shared by two layers once (convcalc stopped there)."""
    ours_params, ours_out, params, out = agrees(TIED, "Net", (3, 8, 8))
    assert (ours_params, ours_out) == (params, out) == (84 + 3, ((3, 8, 8),))


def test_a_weight_of_another_shape_is_not_followed():
    text = TIED.replace("self.conv2 = nn.Conv2d(3, 3, 3, padding=1)", "self.conv2 = nn.Conv2d(3, 3, 5, padding=2)")
    from convcalc.frontends.python.models import read_models

    result = read_models(text, "model.py")
    [(name, error)] = result.unfollowed
    assert not result.models and "line 11: a new weight set on nn.Conv2d" in error.message  # said, never guessed


BUFFERS = """
import torch
import torch.nn as nn


# convcalc: input 3x16x16
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.norm = nn.BatchNorm2d(4)
        self.register_buffer("table", torch.arange(16).view(4, 4) * 2)
        self.register_buffer("nothing", None)
        self.plain = torch.zeros(8)  # a plain attribute: not a buffer

    def forward(self, x):
        self.saved = x.clone()
        return self.norm(self.conv(x)) + self.saved.mean(1, keepdim=True)
"""


def test_register_buffer_counts_as_the_models_buffers(torch):
    """buffers: 0 was printed beside a model holding a registered table (torch: model.buffers())."""
    import textwrap

    model, analysis = ours(BUFFERS)
    namespace: dict = {}
    exec(compile(textwrap.dedent(BUFFERS), "model.py", "exec"), namespace)  # the test's own fixture
    net = namespace["Net"]()
    assert model.complete and analysis.total_buffers == sum(b.numel() for b in net.buffers()) == 16 + 9
    assert analysis.total_params == sum(p.numel() for p in net.parameters())


WEIGHT_NORM = """
import torch.nn as nn
from torch.nn.utils.parametrizations import weight_norm


class CausalConv1d(nn.Conv1d):
    def forward(self, x):
        return super().forward(x)[:, :, :-2]


# convcalc: input 3x20
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = weight_norm(CausalConv1d(3, 8, 3, padding=2))
        self.conv2 = nn.utils.weight_norm(nn.Conv1d(8, 4, 1))

    def forward(self, x):
        return self.conv2(self.conv1(x))
"""


def test_weight_norm_of_a_subclass_of_a_layer(torch):
    """pytorch-tcn's weight_norm(TemporalConv1d(...)): weight_g and weight_v, as torch counts them."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's deprecation of nn.utils.weight_norm
        ours_params, ours_out, params, out = agrees(WEIGHT_NORM, "Net", (3, 20))
    assert (ours_params, ours_out) == (params, out) == (72 + 8 + 8 + 32 + 4 + 4, ((4, 20),))


LOCALS = """
import torch.nn as nn


def set_attributes(self, params=None):
    if params:
        for k, v in params.items():
            if k != "self":
                setattr(self, k, v)


class Stem(nn.Module):
    def __init__(self, *, conv=None, norm=None, activation=None):
        super().__init__()
        set_attributes(self, locals())
        assert self.conv is not None

    def forward(self, x):
        x = self.conv(x)
        if self.norm is not None:
            x = self.norm(x)
        if self.activation is not None:
            x = self.activation(x)
        return x


# convcalc: input 3x8x8
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = Stem(conv=nn.Conv2d(3, 4, 3), activation=nn.ReLU())

    def forward(self, x):
        return self.stem(x)
"""


def test_locals_in_a_constructor(torch):
    """pytorchvideo's set_attributes(self, locals()) (3 held-out models stopped there)."""
    ours_params, ours_out, params, out = agrees(LOCALS, "Net", (3, 8, 8))
    assert (ours_params, ours_out) == (params, out) == (112, ((4, 6, 6),))
