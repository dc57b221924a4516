"""Issue 22, items 1 and 3: the input a file itself gives its model (a data set, a transform, a
tensor fed, a summary call), said with where it came from; and models that script code wraps or
reassigns are still models."""
import os
import textwrap

import pytest

from convcalc.lint.runner import Options, lint

HEAD = """
import torch
import torch.nn as nn
from torchvision import datasets, transforms


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3)
        self.fc = nn.Linear(8 * 30 * 30, 10)  # right for 32x32, wrong for MNIST's 28x28

    def forward(self, x):
        x = self.conv(x)
        x = x.view(x.size(0), -1)
        return self.fc(x)
"""


def run(tmp_path, script, name="m.py", head=HEAD, input_dims=None, files=None):
    for other, text in (files or {}).items():
        (tmp_path / other).write_text(textwrap.dedent(text))
    path = tmp_path / name
    path.write_text(textwrap.dedent(head) + textwrap.dedent(script))
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = lint([name], Options(input=input_dims, verbose=True, cache=False, progress=False))
    finally:
        os.chdir(cwd)
    return result


def codes(result):
    return [(f.code, f.span.line) for f in result.findings]


def origins(result):
    return [note.message for note in result.notes if "from" in note.message and "input" in note.message]


FC_LINE = 11


@pytest.mark.parametrize("script, origin", [
    ("""
     loader = torch.utils.data.DataLoader(datasets.MNIST("d", transform=transforms.ToTensor()), batch_size=64)
     net = Net()
     for x, y in loader:
         net(x)
     """, "datasets.MNIST at m.py:18"),
    ("""
     from torchsummary import summary
     summary(Net(), (1, 28, 28))
     """, "torchsummary summary at m.py:19"),
    ("""
     from torchinfo import summary
     summary(Net(), input_size=(16, 1, 28, 28))
     """, "torchinfo summary at m.py:19"),
    ("""
     if __name__ == "__main__":
         net = Net().to("cpu")
         x = torch.randn(2, 1, 28, 28)
         print(net(x).shape)
     """, "the tensor given to net at m.py:21"),
    ("""
     def main():
         net = nn.DataParallel(Net())
         net.eval()
         out = net(torch.rand(4, 1, 28, 28))
     """, "the tensor given to net at m.py:21"),
    ("""
     net = Net()
     out = net.forward(torch.zeros(2, 1, 28, 28))
     """, "the tensor given to net.forward at m.py:19"),
    ("""
     import os
     from torch.utils.data import Dataset, DataLoader


     class Frames(Dataset):  # __init__ reads the disk; its items are the transformed image alone
         def __init__(self, root, transform=None):
             self.files = sorted(os.listdir(root))
             self.transform = transform

         def __getitem__(self, i):
             return self.transform(self.files[i])


     tf = transforms.Compose([transforms.Grayscale(), transforms.Resize((28, 28)), transforms.ToTensor()])
     for x in DataLoader(Frames("frames/", transform=tf), batch_size=4):
         Net()(x)
     """, "transforms.Compose at m.py:31"),
    ("""
     from torch.utils.data import Dataset, DataLoader


     class Pairs(Dataset):  # items (image, label)
         def __init__(self, transform):
             self.transform = transform

         def __getitem__(self, i):
             return self.transform(i), 0


     tf = transforms.Compose([transforms.Grayscale(), transforms.Resize((28, 28)), transforms.ToTensor()])
     for x, y in DataLoader(Pairs(tf), batch_size=4):
         Net()(x)
     """, "transforms.Compose at m.py:29"),
    ("""
     tf = transforms.Compose([transforms.Grayscale(), transforms.Resize((28, 28)), transforms.ToTensor()])
     data = datasets.CIFAR10("d", transform=tf)
     net = Net()
     for x, _ in torch.utils.data.DataLoader(data, batch_size=8):
         net(x)
     """, "datasets.CIFAR10 at m.py:19"),
])
def test_the_files_own_input_catches_the_bug_and_says_where(tmp_path, script, origin):
    result = run(tmp_path, script)
    assert codes(result) == [("CC102", FC_LINE)]
    assert any(origin in message for message in origins(result)), origins(result)
    assert "from " + origin in result.findings[0].message


def test_torchsummary_is_per_sample_torchinfo_batched(tmp_path):
    # (1, 32, 32) is a sample for torchsummary; for torchinfo it would be a batch of 1 of 32x32 rows
    assert codes(run(tmp_path, "from torchsummary import summary\nsummary(Net(), (1, 32, 32))\n")) == []
    assert codes(run(tmp_path, "from torchinfo import summary\nsummary(Net(), (1, 1, 32, 32))\n")) == []
    result = run(tmp_path, "from torchinfo import summary\nsummary(Net(), (1, 32, 32))\n")
    # torchinfo gives the model torch.rand(1, 32, 32): no batch, so view(x.size(0), -1) folds the channels
    assert codes(result) and all(code.startswith("CC1") for code, _ in codes(result))


def test_the_right_input_from_the_file_passes(tmp_path):
    result = run(tmp_path, """
        net = Net()
        net(torch.randn(1, 1, 32, 32))
        """)
    assert codes(result) == [] and result.models >= 1


def test_model_built_with_arguments_in_main_is_checked_with_them(tmp_path):
    head = """
        import torch
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self, channels):
                super().__init__()
                self.conv = nn.Conv2d(channels, 8, 3)

            def forward(self, x):
                return self.conv(x)
        """
    result = run(tmp_path, """
        if __name__ == "__main__":
            model = Net(3)
            model(torch.randn(2, 1, 16, 16))
        """, head=head)
    assert codes(result) == [("CC101", 9)]


@pytest.mark.parametrize("script", [
    "conv = nn.Conv2d(3, 8, 3)\nout = conv(torch.randn(1, 1, 8, 8))\n",
    "D = nn.Sequential(nn.Conv2d(3, 8, 3))\nD = D.to('cpu')\nD(torch.randn(1, 1, 8, 8))\n",
    "from torchsummary import summary\nD = nn.Sequential(nn.Conv2d(3, 8, 3))\nsummary(D, (1, 8, 8))\n",
])
def test_no_model_lost(tmp_path, script):
    result = run(tmp_path, script, head="import torch\nimport torch.nn as nn\n")
    assert [code for code, _ in codes(result)] == ["CC101"]
    assert result.models >= 1


def test_data_input_is_not_given_to_a_helper_it_does_not_reach(tmp_path):
    # --input stands for the data: the generator fed noise keeps its own input
    head = """
        import torch
        import torch.nn as nn
        from torchvision import datasets, transforms


        class G(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(16, 28 * 28)

            def forward(self, z):
                return self.fc(z).view(-1, 1, 28, 28)


        class D(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(1, 4, 3)
                self.fc = nn.Linear(4 * 26 * 26, 1)

            def forward(self, x):
                return self.fc(torch.flatten(self.conv(x), 1))
        """
    result = run(tmp_path, """
        g, d = G(), D()
        for x, _ in torch.utils.data.DataLoader(datasets.MNIST("d", transform=transforms.ToTensor())):
            d(x)
            d(g(torch.randn(8, 16)))
        """, head=head, input_dims="1x28x28")
    assert codes(result) == []


def test_linting_the_model_file_alone_reads_the_input_its_training_script_gives(tmp_path):
    train = """
        import torch
        from torchvision import datasets, transforms
        from m import Net

        net = Net()
        for x, _ in torch.utils.data.DataLoader(datasets.MNIST("d", transform=transforms.ToTensor())):
            net(x)
    """
    result = run(tmp_path, "", files={"train.py": train})
    assert codes(result) == [("CC102", FC_LINE)]
    assert any("datasets.MNIST at train.py:7" in message for message in origins(result)), origins(result)


def test_a_sibling_that_does_not_import_the_file_gives_it_nothing(tmp_path):
    other = """
        import torch
        from torchvision import datasets, transforms
        from elsewhere import Net

        for x, _ in torch.utils.data.DataLoader(datasets.MNIST("d", transform=transforms.ToTensor())):
            Net()(x)
    """
    assert codes(run(tmp_path, "", files={"other.py": other})) == []


def test_a_data_set_of_an_unknown_library_made_with_the_files_transform_has_its_size(tmp_path):
    # Net of 3 channels; Folder comes from outside the tree (not read)
    head = HEAD.replace("nn.Conv2d(1, 8, 3)", "nn.Conv2d(3, 8, 3)") + "import torchvision\nfrom my_data import Folder\n"
    script = """
        tf = torchvision.transforms.Compose([torchvision.transforms.Resize(({size}, {size})),
                                             torchvision.transforms.ToTensor()])
        loader = torch.utils.data.DataLoader(Folder("pictures/", tf), batch_size=4)
        net = Net()
        for x, _ in loader:
            net(x)
        """
    result = run(tmp_path, script.format(size=28), head=head)
    assert codes(result) == [("CC102", FC_LINE)]
    assert any("input Cx28x28 from transforms.Compose at m.py:20" in message for message in origins(result))
    assert codes(run(tmp_path, script.format(size=32), head=head)) == []
