"""The corpus (tests/fixtures/corpus/) against torch: every model, built in torch from the same source,
must have convcalc's parameter total (as model.parameters() counts it), output shape and the
output shape of every module call, in order (forward hooks), with convcalc following the
model to its end. Measured here, in torch, never stored."""
import os

import pytest

from corpus_harness import CORPUS, layer_calls, measure_in_torch, read_with_convcalc

# file, the model as convcalc is asked for it (a name or a call; None: the file's only model),
# the expression that builds it in torch, the input of one sample
CASES = [
    ("cifar/resnet.py", "ResNet18", "ResNet18()", (3, 32, 32)),
    ("cifar/resnet.py", "ResNet50", "ResNet50()", (3, 32, 32)),
    ("cifar/vgg.py", "VGG('VGG16')", "VGG('VGG16')", (3, 32, 32)),
    ("cifar/vgg.py", None, "VGG('VGG11')", (3, 32, 32)),
    ("cifar/senet.py", "SENet18", "SENet18()", (3, 32, 32)),
    ("cifar/densenet.py", "densenet_cifar", "densenet_cifar()", (3, 32, 32)),
    ("cifar/shufflenetv2.py", "ShuffleNetV2(net_size=1)", "ShuffleNetV2(net_size=1)", (3, 32, 32)),
    ("cifar/dpn.py", "DPN26", "DPN26()", (3, 32, 32)),
    ("cifar/mobilenetv2.py", "MobileNetV2", "MobileNetV2()", (3, 32, 32)),
    ("cifar/googlenet.py", "GoogLeNet", "GoogLeNet()", (3, 32, 32)),
    ("cifar/preact_resnet.py", "PreActResNet18", "PreActResNet18()", (3, 32, 32)),
    ("cifar/preact_resnet.py", "PreActResNet50", "PreActResNet50()", (3, 32, 32)),
    ("cifar/resnext.py", "ResNeXt29_2x64d", "ResNeXt29_2x64d()", (3, 32, 32)),
    ("cifar/resnext.py", "ResNeXt29_32x4d", "ResNeXt29_32x4d()", (3, 32, 32)),
    ("cifar/mobilenet.py", "MobileNet", "MobileNet()", (3, 32, 32)),
    ("cifar/shufflenet.py", "ShuffleNetG2", "ShuffleNetG2()", (3, 32, 32)),
    ("cifar/shufflenet.py", "ShuffleNetG3", "ShuffleNetG3()", (3, 32, 32)),
    ("cifar/dla.py", "DLA", "DLA()", (3, 32, 32)),
    ("torchvision/resnet.py", "resnet18", "resnet18()", (3, 224, 224)),
    ("torchvision/resnet.py", "resnet50", "resnet50()", (3, 224, 224)),
    ("torchvision/resnet.py", "wide_resnet50_2", "wide_resnet50_2()", (3, 64, 64)),
    ("torchvision/googlenet.py", "googlenet", "googlenet()", (3, 112, 112)),
    ("torchvision/vgg.py", "vgg11", "vgg11()", (3, 64, 64)),
    ("torchvision/vgg.py", "vgg16_bn", "vgg16_bn()", (3, 32, 32)),
    ("torchvision/alexnet.py", "alexnet", "alexnet()", (3, 224, 224)),
    ("torchvision/squeezenet.py", "squeezenet1_0", "squeezenet1_0()", (3, 224, 224)),
    ("torchvision/squeezenet.py", "squeezenet1_1", "squeezenet1_1()", (3, 96, 96)),
    ("torchvision/densenet.py", "densenet121", "densenet121()", (3, 64, 64)),
    ("torchvision/shufflenetv2.py", "shufflenet_v2_x1_0", "shufflenet_v2_x1_0()", (3, 224, 224)),
    ("torchvision/mobilenetv2.py", "mobilenet_v2", "mobilenet_v2()", (3, 224, 224)),
    ("torchvision/mobilenetv3.py", "mobilenet_v3_large", "mobilenet_v3_large()", (3, 224, 224)),
    ("torchvision/mobilenetv3.py", "mobilenet_v3_small", "mobilenet_v3_small()", (3, 96, 96)),
    ("torchvision/efficientnet.py", "efficientnet_b0", "efficientnet_b0()", (3, 224, 224)),
    ("torchvision/efficientnet.py", "efficientnet_b2", "efficientnet_b2()", (3, 64, 64)),
    ("torchvision/efficientnet.py", "efficientnet_v2_s", "efficientnet_v2_s()", (3, 64, 64)),
    ("torchvision/mnasnet.py", "mnasnet1_0", "mnasnet1_0()", (3, 224, 224)),
    ("torchvision/mnasnet.py", "mnasnet0_5", "mnasnet0_5()", (3, 64, 64)),
    ("torchvision/inception.py", "inception_v3", "inception_v3()", (3, 299, 299)),
    ("torchvision/regnet.py", "regnet_y_400mf", "regnet_y_400mf()", (3, 224, 224)),
    ("torchvision/regnet.py", "regnet_x_800mf", "regnet_x_800mf()", (3, 64, 64)),
    ("torchvision/convnext.py", "convnext_tiny", "convnext_tiny()", (3, 64, 64)),
    ("examples/mnist.py", "Net", "Net()", (1, 28, 28)),
    ("examples/dcgan.py", "netG", "netG", (100, 1, 1)),
    ("examples/dcgan.py", "netD", "netD", (3, 64, 64)),
    ("examples/fast_neural_style.py", "TransformerNet", "TransformerNet()", (3, 256, 256)),
    ("examples/super_resolution.py", "Net", "Net()", (1, 64, 64)),
    ("examples/vae.py", "VAE", "VAE()", (1, 28, 28)),
    ("tutorials/cifar10_blitz.py", "Net", "Net()", (3, 32, 32)),
    ("tutorials/quickstart.py", "NeuralNetwork", "NeuralNetwork()", (1, 28, 28)),
    ("tutorials/yunjey_cnn.py", "model", "model", (1, 28, 28)),
    ("tutorials/yunjey_resnet.py", "model", "model", (3, 32, 32)),
    ("tutorials/lenet5.py", "LeNet5", "LeNet5()", (1, 32, 32)),
    ("tutorials/d2l_nin.py", "net", "net", (1, 224, 224)),
    ("tutorials/d2l_vgg.py", "net", "net", (1, 224, 224)),
    ("tutorials/d2l_googlenet.py", "net", "net", (1, 96, 96)),
    ("tutorials/d2l_resnet.py", "net", "net", (1, 224, 224)),
    ("tutorials/d2l_densenet.py", "net", "net", (1, 96, 96)),
    ("unet/unet_model.py", None, "UNet(n_channels=3, n_classes=2)", (3, 256, 256)),
    ("unet/unet_model.py", "UNet(3, 1, bilinear=True)", "UNet(3, 1, bilinear=True)", (3, 100, 100)),
    ("unet/unet_parts.py", "Up(128, 64)", "Up(128, 64)", ((64, 16, 16), (64, 33, 31))),
    ("attention/nonlocal_einsum.py", "SmallNet", "SmallNet()", (3, 16, 16)),
    ("attention/shifted_windows.py", "TinySwin", "TinySwin()", (3, 16, 16)),
    ("attention/shifted_windows.py", "TinySwin(size=2)", "TinySwin(size=2)", (3, 12, 20)),
    ("attention/grid_windows.py", "TinyGridNet", "TinyGridNet()", (3, 16, 16)),
    ("attention/cosine_windows.py", "TinySwinV2", "TinySwinV2()", (3, 16, 16)),
    ("zoo/tf_style_net.py", "tiny_net", "tiny_net()", (3, 32, 32)),
    ("zoo/tf_style_net.py", "TinyNet(num_classes=5, image=48, depth=6)", "TinyNet(num_classes=5, image=48, depth=6)",
     (3, 48, 48)),
    # the files the lint tests read (the lint_models directory): run in torch as the rest
    ("lint_models/alexnet.py", "AlexNet", "AlexNet()", (3, 224, 224)),
    ("lint_models/cifar10_blitz.py", "Net", "Net()", (3, 32, 32)),
    ("lint_models/lenet_tutorial.py", "Net", "Net()", (1, 32, 32)),
    ("lint_models/mnist_example.py", "Net", "Net()", (1, 28, 28)),
    ("lint_models/unet.py", "UNet", "UNet(3, 2)", (3, 64, 64)),
    ("lint_models/vgg.py", "vgg16_bn", "vgg16_bn()", (3, 64, 64)),
]


def case_id(case):
    return f"{case[0]}:{case[1] or case[2]}"


@pytest.mark.oracle
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_corpus_model_matches_torch(case, torch):
    path, model, build, shape = case
    params, outputs, calls = measure_in_torch(path, build, shape)
    analysis = read_with_convcalc(path, model, shape)
    assert analysis.complete, analysis.stopped.message
    assert analysis.ok, analysis.error.message
    assert analysis.total_params == params
    ours = [tuple(s) for s in analysis.outputs] if analysis.outputs else [tuple(analysis.output)]
    assert ours == outputs
    assert layer_calls(analysis) == calls


def test_every_corpus_file_is_in_the_table():
    listed = {case[0] for case in CASES}
    on_disk = {os.path.relpath(os.path.join(root, name), CORPUS) for root, _, files in os.walk(CORPUS)
               for name in files if name.endswith(".py")}
    assert on_disk - listed == set(), "corpus files without a case"


# models whose mult-adds are compared too: torchinfo 1.8.0's, and torch.utils.flop_counter's / 2 (fvcore)
MACS_CASES = [case for case in CASES if case[0].startswith(("attention/", "zoo/tf_style_net"))]


@pytest.mark.oracle
@pytest.mark.parametrize("case", MACS_CASES, ids=case_id)
def test_corpus_mult_adds_match_torchinfo_and_the_flop_counter(case, torch):
    from torch.utils.flop_counter import FlopCounterMode
    from torchinfo import summary

    from convcalc.metrics import memory
    from corpus_harness import load_module

    path, model, build, shape = case
    built = eval(build, vars(load_module(path)))  # the test's own expression, on the test's own fixture
    built.eval()
    batch = 2
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        built(torch.rand(batch, *shape))
    stats = summary(built, input_size=(batch, *shape), verbose=0, mode="eval")
    analysis = read_with_convcalc(path, model, shape)
    assert memory.total_macs(analysis, "torchinfo", batch) == stats.total_mult_adds
    assert memory.total_macs(analysis, "fvcore", batch) == counter.get_total_flops() // 2
