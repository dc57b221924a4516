"""Every example against torch: totals and output shape against the hand-written torch
twins of tests/support/torch_models.py, and every layer's shape against torch running the very
same description (tests/support/torch_backend.py)."""
from paths import ROOT

import pytest

from convcalc.engine.shapes import analyse
from convcalc.load import parse_input_option
from convcalc.frontends.syntax import parse
from convcalc.verify import whole

EXAMPLES = ROOT / "examples"
NAMES = sorted(p.stem for p in EXAMPLES.glob("*.net"))
# big networks run in torch at a smaller input that keeps every layer valid
SMALL_INPUT = {"alexnet": "3x127x127", "vgg16": "3x64x64", "resnet18": "3x64x64", "resnet50": "3x64x64",
               "mobilenetv2": "3x64x64", "conv3d_video": "3x16x32x32", "symbolic_cnn": "3x32x32",
               "conv1d_audio": "1x8000", "unet": "1x32x48"}
# the figures the issue names, straight from torchvision / the course
EXPECTED_TOTALS = {"course_cnn": 60_362, "lenet5": 61_706, "alexnet": 61_100_840, "vgg16": 138_357_544,
                   "resnet18": 11_689_512, "resnet50": 25_557_032, "mobilenetv2": 3_504_872}


def load(name, input_text=None):
    program = parse((EXAMPLES / f"{name}.net").read_text(), f"examples/{name}.net")
    return program, (parse_input_option(input_text) if input_text else None)


def test_every_example_is_listed():
    assert {"course_cnn", "lenet5", "alexnet", "vgg16", "resnet18", "resnet50", "mobilenetv2",
            "inception_block", "unet_small", "unet", "conv1d_audio", "conv3d_video"} <= set(NAMES)


@pytest.mark.parametrize("name", sorted(EXPECTED_TOTALS))
def test_totals_match_the_published_figures(name):
    analysis = analyse(*load(name))
    assert analysis.ok, analysis.error and analysis.error.message
    assert analysis.total_params == EXPECTED_TOTALS[name]


@pytest.mark.oracle
@pytest.mark.parametrize("name", NAMES)
def test_example_matches_its_torch_twin(name, torch):
    from torch_models import MODELS, measure

    _, input_shape = MODELS[name]
    override = "x".join(map(str, input_shape)) if name == "symbolic_cnn" else None
    analysis = analyse(*load(name, override))
    assert analysis.ok, analysis.error and analysis.error.message
    assert (analysis.total_params, analysis.total_buffers, whole(analysis.output, 1)) == measure(name, whole=True)


@pytest.mark.oracle
@pytest.mark.parametrize("name", NAMES)
def test_every_layer_shape_matches_torch_running_the_description(name, torch):
    from torch_backend import run_in_torch

    program, override = load(name, SMALL_INPUT.get(name))
    analysis = analyse(program, override)
    assert analysis.ok, analysis.error and analysis.error.message
    rows, output = run_in_torch(program, override, batch=2, whole=True)
    ours = [(r.line, r.name, whole(r.shape, 2), r.params, r.buffers) for r in analysis.rows]
    assert ours == rows
    assert whole(analysis.output, 2) == output
