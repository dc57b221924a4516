"""The one registry of diagnostic codes, as ruff keeps its rules: each code with its severity,
its one-line description and what a finding of it needs to be trusted.

A :class:`Code` is the code's own string (``"CC101"``), so it compares, hashes, prints and goes
into JSON as that string, and it carries its metadata. Everything that raises or reports a
problem names it by the constant here (``codes.CHANNELS``), never by a bare ``"CC101"``;
``convcalc lint --list-codes``, the lint message classes and every output format read this
table, and nothing else registers codes.

``needs_size``: the finding depends on the input's spatial size (a kernel that does not fit, an
add of two sizes), so it is dropped when a Python model without an input size is checked on
a symbolic one. ``needs_rank``: it depends on the input's rank (channels, features, layer
configurations), kept when the first layer tells the rank.

``default``: in lint's selection when no ``select`` is given. As ruff keeps its style rules out of
its default set so that correct code passes, a code that is true of correct code (a redundancy
such as CC202's bias before a BatchNorm: the model computes the same functions) is opt-in: named
by ``--select``/``select`` (itself, a prefix such as ``CC2``, or ``ALL``), never on by default.
"""
from __future__ import annotations

ERROR, WARNING, INFO = "error", "warning", "info"


class Code(str):
    """``"CC101"`` with ``severity``, ``description``, ``needs_size`` and ``needs_rank``, and for
    `convcalc explain`: ``example`` (a file that has the problem: a network description, or a
    Python model when it starts with ``import``) and ``fix``."""

    def __new__(cls, code: str, severity: str, description: str, needs_size: bool = False,
                needs_rank: bool = False, example: str = "", fix: str = "", default: bool = True):
        self = super().__new__(cls, code)
        self.severity, self.description = severity, description
        self.needs_size, self.needs_rank, self.default = needs_size, needs_rank, default
        self.example, self.fix = example, fix
        return self

    def __reduce__(self):  # a plain string once it leaves the process
        return (str, (str(self),))


CODES: dict[str, Code] = {}


def code(name: str, severity: str, description: str, **traits) -> Code:
    CODES[name] = made = Code(name, severity, description, **traits)
    return made


SYNTAX = code("CC001", ERROR, "syntax error in a network file")
ARGUMENT = code("CC002", ERROR, "unknown layer, unknown or missing argument, argument of the wrong kind or value")
CHANNELS = code("CC101", ERROR, "channel mismatch: in_channels / num_features / num_channels differs from the "
                                "incoming tensor", needs_rank=True)
FEATURES = code("CC102", ERROR, "Linear in_features (an RNN's input_size, attention's embed_dim) differs from the "
                                "incoming last dimension", needs_rank=True)
EMPTY = code("CC103", ERROR, "a dimension becomes smaller than 1 (kernel larger than the padded input)",
             needs_size=True)
ADD_SHAPES = code("CC104", ERROR, "residual / add of tensors of different shapes", needs_size=True)
CONCAT_SHAPES = code("CC105", ERROR, "concat of tensors that differ in a dimension other than channels",
                     needs_size=True)
CONFIG = code("CC106", ERROR, "an invalid layer configuration PyTorch would reject", needs_rank=True)
VIEW = code("CC107", ERROR, "a view/reshape to a fixed size that differs from the tensor's size per sample",
            needs_rank=True)
BATCH = code("CC108", ERROR, "the batch where a layer or operation reads a sequence or a feature (nn.LSTM without "
                            "batch_first on a batch-first tensor): torch would mix the samples", needs_rank=True)
INEXACT = code("CC201", WARNING, "non-integer output size: rows/columns dropped or added by floor/ceil",
               needs_size=True)
BIAS_BEFORE_NORM = code("CC202", WARNING, "a convolution's bias directly before a BatchNorm is redundant "
                                          "(opt-in: --select CC202)", default=False)
CONDITIONAL = code("CC203", WARNING, "an add or concat of symbolic sizes that match only for some input sizes "
                                     "(the condition is stated)", needs_size=True)
SOFTMAX_DIM = code("CC210", WARNING, "Softmax / LogSoftmax without dim: PyTorch picks the dimension implicitly "
                                     "(deprecated)")
UNUSED_LAYER = code("CC211", WARNING, "a layer assigned in __init__ is never used (no method of the class reads it)")
DROPOUT_RANK = code("CC212", WARNING, "Dropout1d/2d/3d on a tensor of the wrong rank: it does not drop whole "
                                      "channels", needs_rank=True)
MISSING_FLATTEN = code("CC213", WARNING, "a Linear straight after a convolution or pooling stack, on a tensor of "
                                         "channels x height x width: it acts on the last axis only (a forgotten "
                                         "flatten)", needs_rank=True)
FOLDED_OUTPUT = code("CC214", WARNING, "a view or reshape to -1 rows folds rows of each sample into the batch "
                                       "(its size per sample is a multiple of the view's) and the model's output "
                                       "keeps them: more rows out than samples in (a flatten to the wrong size)",
                     needs_size=True)
NOT_FOLLOWED = code("CC301", WARNING, "the Python frontend did not follow a model to its end: what comes before is "
                                     "checked, the rest is not (a finding with lint --strict)")
NOT_A_MODEL = code("CC302", WARNING, "a class that looks like a model (an nn.Module with a forward) was not followed "
                                    "(a finding with lint --strict)")
NEEDS_INPUT = code("CC303", INFO, "a model without an input size: the sizes it accepts, and the comment that gives one")
UNREACHED = code("CC304", INFO, "layer constructions of the file that no followed model reached, with their lines "
                                "and why (the summary counts them; a finding with lint --strict)")
BUDGET = code("CC401", ERROR, "the work asked for is over its budget (verify --max-macs, a search of input sizes): "
                              "the message says how to go on")
PICTURE = code("CC402", ERROR, "a picture asked of what it cannot show (a layer whose output has no spatial axes, a "
                               "field past a picture's size bound): exit 2, and the message says what to draw instead")
NOTE = code("CC900", INFO, "informational: something the Python frontend could not follow (shown with --verbose)")


def severity(name: str) -> str:
    found = CODES.get(name)
    return found.severity if found is not None else ERROR


# what `convcalc explain CODE` shows: an example that has the problem (tests/unit/lint/test_explain.py
# checks that each one gives its code) and the fix
PYTHON_HEAD = "import torch.nn as nn\n\n\n"
EXPLAINED = {
    SYNTAX: ("input 3x32x32\nConv2d(3, 8, 3\n", "Close the bracket, or fix what the caret points at."),
    ARGUMENT: ("input 3x32x32\nConv2d(3, 8, kernel=3)\n",
               "Use PyTorch's argument names and layer names (here kernel_size); the message names the closest."),
    CHANNELS: ("input 3x32x32\nConv2d(3, 16, 3)\nConv2d(32, 64, 3)\n",
               "Make in_channels (num_features for a norm) equal to the channels the previous layer gives."),
    FEATURES: ("input 16x5x5\nFlatten()\nLinear(256, 10)\n",
               "Make in_features the flattened size the message states, or add Flatten() before a Linear."),
    EMPTY: ("input 3x4x4\nConv2d(3, 8, 5)\n", "Use a smaller kernel, padding, or a larger input."),
    ADD_SHAPES: ("input 8x32x32\nresidual:\n    Conv2d(8, 16, 3, padding=1)\n",
                 "Give the shortcut a layer that matches the body's output (a 1x1 convolution with the same stride)."),
    CONCAT_SHAPES: ("input 8x32x32\nconcat:\n    branch:\n        Conv2d(8, 8, 3)\n    branch:\n        Identity()\n",
                    "Pad or crop the branches to the same height and width (padding=1 for a 3x3 convolution)."),
    CONFIG: ("input 6x32x32\nConv2d(6, 8, 3, groups=4)\n",
             "Choose settings PyTorch accepts: here groups must divide both in_channels and out_channels."),
    VIEW: (PYTHON_HEAD + "# convcalc: input 8x4x4\nclass Net(nn.Module):\n    def __init__(self):\n"
           "        super().__init__()\n        self.fc = nn.Linear(100, 10)\n\n    def forward(self, x):\n"
           "        return self.fc(x.view(-1, 100))\n",
           "View to the tensor's own size per sample (here 8*4*4 = 128), e.g. x.view(x.size(0), -1)."),
    BATCH: ("input 7x5\nLSTM(5, 6)\n",
            "Tell the layer where the batch is (batch_first=True for N x L x H), or move it there with permute or "
            "transpose; the message says where each stands."),
    INEXACT: ("input 3x32x32\nConv2d(3, 8, 4, stride=3)\n",
              "Pick kernel, stride and padding so that (I + 2P - K) is a multiple of S, or accept the lost rows."),
    BIAS_BEFORE_NORM: ("input 3x32x32\nConv2d(3, 8, 3)\nBatchNorm2d(8)\n",
                       "Pass bias=False to the convolution: the norm subtracts the mean, and its own shift replaces "
                       "the bias."),
    CONDITIONAL: ("input 8xHxW\nresidual:\n    MaxPool2d(2)\n    Upsample(scale_factor=2)\n",
                  "Make the sizes match for every input (here: the pool drops a row when H is odd), or give an "
                  "input that satisfies the condition stated."),
    SOFTMAX_DIM: ("input 10\nSoftmax()\n", "Pass dim (dim=1 for (batch, classes))."),
    UNUSED_LAYER: (PYTHON_HEAD + "# convcalc: input 10\nclass Net(nn.Module):\n    def __init__(self):\n"
                   "        super().__init__()\n        self.fc = nn.Linear(10, 10)\n        self.extra = nn.Linear(10, 10)"
                   "\n\n    def forward(self, x):\n        return self.fc(x)\n",
                   "Use the layer in forward, or delete it: it still adds parameters to the model."),
    DROPOUT_RANK: ("input 16\nDropout2d(0.5)\n",
                   "Use Dropout for a flat input; Dropout2d drops whole channels of an image (channels x H x W)."),
    MISSING_FLATTEN: ("input 3x32x32\nConv2d(3, 8, 3)\nMaxPool2d(2)\nLinear(15, 10)\n",
                      "Flatten before the Linear: x = torch.flatten(x, 1) in forward, or nn.Flatten() in a "
                      "Sequential; in_features is then channels x height x width."),
    FOLDED_OUTPUT: (PYTHON_HEAD + "# convcalc: input 16x10x10\nclass Net(nn.Module):\n    def __init__(self):\n"
                    "        super().__init__()\n        self.fc = nn.Linear(16 * 5 * 5, 10)\n\n"
                    "    def forward(self, x):\n        return self.fc(x.view(-1, 16 * 5 * 5))\n",
                    "Flatten each sample whole, x.view(x.size(0), -1) or torch.flatten(x, 1), and give the Linear "
                    "the size the message states (here 16*10*10 = 1600)."),
    NOT_FOLLOWED: (PYTHON_HEAD + "import torch\n\n\n# convcalc: input 3x8x8\nclass Net(nn.Module):\n"
                   "    def __init__(self):\n        super().__init__()\n        self.conv = nn.Conv2d(3, 4, 3)\n\n"
                   "    def forward(self, x):\n        return torch.fft.fft2(self.conv(x)).real\n",
                   "Nothing to fix in the model: convcalc checked what comes before the construct named. Rewrite "
                   "the part with calls convcalc follows (docs/python-models.md), or accept the note; "
                   "--strict makes it a finding."),
    NOT_A_MODEL: (PYTHON_HEAD + "class Block(nn.Module):\n    def __init__(self, width):\n        super().__init__()\n"
                  "        self.conv = nn.Conv2d(width, width, 3)\n\n    def forward(self, x):\n"
                  "        return self.conv(x)\n",
                  "Give the constructor's arguments: a `# convcalc: model Block(16)` comment above the class, or "
                  "--model \"Block(16)\"."),
    NEEDS_INPUT: (PYTHON_HEAD + "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                  "        self.conv = nn.Conv2d(1, 8, 5)\n        self.fc = nn.Linear(8 * 24 * 24, 10)\n\n"
                  "    def forward(self, x):\n        return self.fc(self.conv(x).flatten(1))\n",
                  "Add the comment the notice gives (`# convcalc: input 1x28x28`) above the model, or "
                  "[tool.convcalc] input, or --input."),
    UNREACHED: (PYTHON_HEAD + "class Head(nn.Module):\n    def __init__(self, classes):\n        super().__init__()\n"
                "        self.fc = nn.Linear(64, classes)\n\n    def forward(self, x):\n        return self.fc(x)\n",
                "Let convcalc build the model the layers belong to: a `# convcalc: model Head(10)` comment above the "
                "class, or --model; or a script in the tree that builds it."),
    BUDGET: ("input 3x224x224\nrepeat 8:\n    Conv2d(3, 3, 3, padding=1)\n",
             "Verify at a smaller input (--input), or raise --max-macs; `verify` picks a smaller size itself when "
             "the input comes from the file."),
    PICTURE: ("input 3x32x32\nConv2d(3, 8, 3)\nFlatten()\n",
              "Draw a layer whose output keeps the input's layout (height and width): with --layer, the line of a "
              "convolution or pooling layer before the Flatten, or no --layer for the last such layer."),
    NOTE: (PYTHON_HEAD + "# convcalc: input 10\nclass Net(nn.Module):\n    def __init__(self):\n"
           "        super().__init__()\n        self.fc = nn.Linear(10, 10)\n        self.apply(init_weights)\n\n"
           "    def forward(self, x):\n        return self.fc(x)\n",
           "Nothing to fix: a note says what convcalc took as weight initialisation or passed through."),
}
for _code, (_example, _fix) in EXPLAINED.items():
    _code.example, _code.fix = _example, _fix
