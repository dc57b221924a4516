"""The data a training script feeds its model, as the file itself says it (docs/lint.md, "The
input, from the file"): torchvision's data sets with their transforms, data loaders, the
summary calls of torchsummary / torchinfo and their kin, and the wrappers a script puts around
a model (``nn.DataParallel``). What a script does with them is followed as Python, so a batch
reaches the model where the script gives it to the model (``for x, y in loader: model(x)``),
and the model's call records it (discovery.probe).

A data set's sample is (channels, height, width) as its tensors are after ``ToTensor``; a size
a transform makes unknown (``Resize(256)`` of an image folder's pictures of any size) stays a
symbol, never a guess. Each batch carries where it came from (``datasets.MNIST at line 40``).
"""
from __future__ import annotations

from typing import Optional

from convcalc.frontends.python.brains import register, register_fallback, register_prefix
from convcalc.frontends.python.pyclasses import Instance
from convcalc.frontends.python.pyobjects import Unknown, Value, describe
from convcalc.frontends.python.reasons import Unfollowable
from convcalc.frontends.python.torchobjects import Constant

# a sample of each data set as ToTensor gives it: channels, height, width (None: its pictures'
# own sizes, which differ from picture to picture or are not fixed by the data set)
DATASETS = {
    "MNIST": (1, 28, 28), "FashionMNIST": (1, 28, 28), "KMNIST": (1, 28, 28), "EMNIST": (1, 28, 28),
    "QMNIST": (1, 28, 28), "USPS": (1, 16, 16), "Omniglot": (1, 105, 105),
    "CIFAR10": (3, 32, 32), "CIFAR100": (3, 32, 32), "SVHN": (3, 32, 32), "STL10": (3, 96, 96),
    "CelebA": (3, 218, 178), "ImageFolder": (3, None, None), "ImageNet": (3, None, None),
    "LSUN": (3, None, None), "Places365": (3, 256, 256), "Flowers102": (3, None, None),
    "Food101": (3, None, None), "OxfordIIITPet": (3, None, None), "StanfordCars": (3, None, None),
    "Caltech256": (3, None, None), "DTD": (3, None, None), "GTSRB": (3, None, None),
    "FGVCAircraft": (3, None, None), "EuroSAT": (3, 64, 64), "PCAM": (3, 96, 96), "SEMEION": (1, 16, 16),
}
TO_TENSOR = ("ToTensor", "PILToTensor", "ToImage", "ToImageTensor")
# transforms that keep a sample's shape (colour, flips, rotations without expand, normalisation, dtypes)
SAME = ("Normalize", "RandomHorizontalFlip", "RandomVerticalFlip", "ColorJitter", "RandomRotation",
        "RandomAffine", "GaussianBlur", "RandomErasing", "ConvertImageDtype", "ToDtype", "AutoAugment",
        "RandAugment", "TrivialAugmentWide", "AugMix", "RandomInvert", "RandomPosterize", "RandomSolarize",
        "RandomAdjustSharpness", "RandomAutocontrast", "RandomEqualize", "RandomPerspective",
        "ElasticTransform", "RandomGrayscale", "ToPILImage", "ConvertImageDtype", "RandomApply",
        "RandomChoice", "RandomOrder", "SanitizeBoundingBoxes", "ClampBoundingBoxes")


class Sample:
    """A sample's shape (None: not known) and whether it is a tensor yet (after ToTensor)."""

    def __init__(self, shape: Optional[tuple], tensor: bool, steps: tuple = ()):
        self.shape, self.tensor, self.steps = shape, tensor, steps


class Transform(Value):
    """A transform (or a Compose of them): what it does to a sample."""

    def __init__(self, name: str, apply, text: str, where: str = ""):
        self.name, self.apply, self.text, self.where = name, apply, text, where

    def describe(self) -> str:
        return f"the transform {self.name}"

    def call(self, frame, args, node):
        raise Unfollowable(f"{self.name} applied in script code", node)


class Dataset(Value):
    """A data set: its sample after its transform, and where it was made."""

    def __init__(self, name: str, sample: Sample, origin: str):
        self.name, self.sample, self.origin = name, sample, origin
        self.pairs = True  # its items are (input, target), as torchvision's; a Dataset class's may be the input alone

    def describe(self) -> str:
        return f"the data set {self.name}"

    def item(self, tensor):
        return (tensor, Constant(())) if self.pairs else tensor

    def shape(self) -> Optional[tuple]:
        known = self.sample.tensor and self.sample.shape is not None
        return self.sample.shape if known and any(d is not None for d in self.sample.shape) else None

    def getitem(self, frame, key, node):
        if not isinstance(key, int) or self.shape() is None:
            raise Unfollowable(f"an item of {self.describe()}", node)
        return self.item(Batch(self.shape(), self.origin))

    def length(self, frame, node) -> int:
        raise Unfollowable(f"the length of {self.describe()}", node)

    def iterate(self, frame, node) -> list:
        if self.shape() is None:
            raise Unfollowable(f"iterating over {self.describe()}", node)
        return [self.item(Batch(self.shape(), self.origin))]

    def attr(self, frame, name, node):
        if name == "dataset":
            return self
        raise Unfollowable(f"the attribute {name} of {self.describe()}", node)

    def set_attr(self, frame, name, value, node):
        if name == "transform" and isinstance(value, Transform):
            self.sample = value.apply(self.sample)
            return
        raise Unfollowable(f"setting {name} of {self.describe()}", node)


class Loader(Value):
    """A DataLoader: one batch stands for all (its shape is what the model is given)."""

    def __init__(self, dataset: Dataset, batch):
        self.dataset, self.batch = dataset, batch

    def describe(self) -> str:
        return f"a DataLoader of {self.dataset.describe()}"

    def iterate(self, frame, node) -> list:
        shape = self.dataset.shape()
        if shape is None:
            raise Unfollowable(f"the batches of {self.describe()}: the shape of its samples is not known", node)
        batch = Batch((self.batch,) + tuple(shape), self.dataset.origin)
        return [(batch, Constant((self.batch,))) if self.dataset.pairs else batch]

    def length(self, frame, node) -> int:
        raise Unfollowable(f"the length of {self.describe()}", node)

    def attr(self, frame, name, node):
        if name == "dataset":
            return self.dataset
        if name == "batch_size":
            return self.batch
        raise Unfollowable(f"the attribute {name} of {self.describe()}", node)


class Batch(Constant):
    """A tensor of data the file loads, with where it came from (``datasets.MNIST at line 40``)."""

    def __init__(self, shape: tuple, origin: str):
        super().__init__(tuple(1 if d is None else d for d in shape))
        self.origin = origin
        self.unknown = tuple(i for i, d in enumerate(shape) if d is None)  # sizes the data does not fix


# ---------------------------------------------------------------- transforms


def size_pair(value) -> Optional[tuple]:
    if type(value) is int:
        return value, value
    if isinstance(value, (tuple, list)) and len(value) == 1 and type(value[0]) is int:
        return value[0], value[0]
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(type(v) is int for v in value):
        return tuple(value)
    return None


def resize(args, name):
    size = args.values[0] if args.values else args.named.get("size")
    pair = size_pair(size) if not isinstance(size, int) else None
    if args.named.get("max_size") is not None:
        return None

    def apply(sample: Sample) -> Sample:
        if sample.shape is None:
            return sample
        c, h, w = sample.shape
        if pair is not None:
            return Sample((c,) + pair, sample.tensor)
        if type(size) is not int or h is None or w is None:
            return Sample((c, None, None), sample.tensor)
        if h <= w:  # the smaller edge becomes size, the other keeps the aspect ratio (torchvision's rule)
            return Sample((c, size, int(size * w / h)), sample.tensor)
        return Sample((c, int(size * h / w), size), sample.tensor)
    return apply


def crop(args, name):
    pair = size_pair(args.values[0] if args.values else args.named.get("size"))
    if pair is None:
        return None

    def apply(sample: Sample) -> Sample:
        return Sample(None if sample.shape is None else (sample.shape[0],) + pair, sample.tensor)
    return apply


def grayscale(args, name):
    channels = args.values[0] if args.values else args.named.get("num_output_channels", 1)
    if type(channels) is not int:
        return None

    def apply(sample: Sample) -> Sample:
        return Sample(None if sample.shape is None else (channels,) + sample.shape[1:], sample.tensor)
    return apply


def pad(args, name):
    amount = args.values[0] if args.values else args.named.get("padding")
    if type(amount) is int:
        left = right = top = bottom = amount
    elif isinstance(amount, (tuple, list)) and len(amount) == 2 and all(type(v) is int for v in amount):
        left = right = amount[0]
        top = bottom = amount[1]
    elif isinstance(amount, (tuple, list)) and len(amount) == 4 and all(type(v) is int for v in amount):
        left, top, right, bottom = amount
    else:
        return None

    def apply(sample: Sample) -> Sample:
        if sample.shape is None:
            return sample
        c, h, w = sample.shape
        return Sample((c, None if h is None else h + top + bottom, None if w is None else w + left + right),
                      sample.tensor)
    return apply


def to_tensor(args, name):
    return lambda sample: Sample(sample.shape, True)


def same(args, name):
    return lambda sample: sample


TRANSFORMS = {"Resize": resize, "CenterCrop": crop, "RandomCrop": crop, "RandomResizedCrop": crop,
              "RandomSizedCrop": crop, "Grayscale": grayscale, "Pad": pad,
              **dict.fromkeys(TO_TENSOR, to_tensor), **dict.fromkeys(SAME, same)}


def unknown_step(sample: Sample) -> Sample:
    return Sample(None, sample.tensor)


def transform(frame, qname, args, node):
    name = qname.rsplit(".", 1)[-1]
    if name == "Compose":
        steps = args.values[0] if args.values else args.named.get("transforms")
        if not isinstance(steps, (list, tuple)) or not all(isinstance(s, Transform) for s in steps):
            raise Unfollowable(f"{qname} of {describe(steps)}", node)

        def apply(sample: Sample, steps=tuple(steps)) -> Sample:
            for step in steps:
                sample = step.apply(sample)
            return sample
        return Transform("Compose", apply, frame.segment(node), origin_text(frame, qname, node))
    maker = TRANSFORMS.get(name)
    made = maker(args, name) if maker is not None else None
    return Transform(name, made or unknown_step, frame.segment(node), origin_text(frame, qname, node))


def pictures(made: Transform, where: str) -> Optional[Dataset]:
    """A data set convcalc does not know (a Dataset class of the file, one imported from outside the
    tree) made with a transform of the file: its pictures are as the transform makes them when it
    fixes their height and width (``Resize((700, 700))`` then ``ToTensor()``); their channels stay
    a symbol."""
    sample = made.apply(Sample((None, None, None), False))
    if not sample.tensor or sample.shape is None or not all(type(d) is int for d in sample.shape[1:]):
        return None
    origin = made.where.replace("torchvision.transforms.", "transforms.")
    return Dataset("images", Sample((None,) + tuple(sample.shape[1:]), True), origin or where)


def transform_in(values) -> Optional[Transform]:
    found = [v for v in values if isinstance(v, Transform)]
    return found[0] if len(found) == 1 else None


def unknown_dataset(frame, qname, args, node) -> Optional[Dataset]:
    """``Images_Dataset_folder(path, labels, data_transform)`` of a module outside the tree: a data
    set of pictures when the file's transform is among its arguments (brains.call_ref's fallback)."""
    made = transform_in(list(args.values) + list(args.named.values()))
    return pictures(made, origin_text(frame, qname, node)) if made is not None else None


# ---------------------------------------------------------------- data sets and loaders


def origin_text(frame, qname: str, node) -> str:
    where = frame.span(node)
    path = frame.src.own
    short = ".".join(qname.split(".")[-2:]) if qname.startswith("torchvision.datasets.") else qname
    return f"{short} at {path + ':' if path else 'line '}{where.line}"


def dataset(frame, qname, args, node):
    name = qname.rsplit(".", 1)[-1]
    native = DATASETS.get(name)
    if native is None:
        raise Unfollowable(f"{qname} is not followed", node)
    given = args.named.get("transform")
    if given is None and len(args.values) > 1 and name in ("ImageFolder",):
        given = args.values[1]
    sample = Sample(native, False)
    if isinstance(given, Transform):
        sample = given.apply(sample)
    elif given is not None:
        sample = Sample(None, False)
    return Dataset(name, sample, origin_text(frame, f"torchvision.datasets.{name}", node))


def tensor_dataset(frame, qname, args, node):
    tensors = args.values
    if not tensors or not isinstance(tensors[0], Constant) or not tensors[0].shape:
        raise Unfollowable(f"{qname} of {describe(tensors[0] if tensors else None)}", node)
    first = tensors[0]
    origin = getattr(first, "origin", None) or origin_text(frame, "TensorDataset", node)
    return Dataset("TensorDataset", Sample(tuple(first.shape[1:]), True), origin)


def subset(frame, qname, args, node):
    """Subset, random_split: the same samples."""
    source = args.values[0] if args.values else args.named.get("dataset")
    if not isinstance(source, Dataset):
        raise Unfollowable(f"{qname} of {describe(source)}", node)
    if qname.endswith("random_split"):
        lengths = args.values[1] if len(args.values) > 1 else args.named.get("lengths")
        count = len(lengths) if isinstance(lengths, (list, tuple)) else 2
        return [source] * count
    return source


def returns_pairs(getitem) -> bool:
    """Whether a Dataset class's __getitem__ returns a tuple (image, label), by its return statements;
    a pair where it cannot be told (torchvision's data sets' items are)."""
    import ast

    node = getattr(getitem, "node", None)
    returns = [n.value for n in ast.walk(node) if isinstance(n, ast.Return) and n.value is not None] if node else []
    return not returns or any(isinstance(value, ast.Tuple) for value in returns)


def data_loader(frame, qname, args, node):
    source = args.values[0] if args.values else args.named.get("dataset")
    if isinstance(source, Instance):  # a Dataset class of the file, holding the file's transform
        given = source.built_with  # or given it: its __init__ may stop before keeping it (os.listdir(root))
        made = transform_in(list(source.attrs.values())) or (
            transform_in(list(given.values) + list(given.named.values())) if given is not None else None)
        found = pictures(made, origin_text(frame, qname, node)) if made is not None else None
        if found is not None:
            found.pairs = returns_pairs(source.cls.lookup("__getitem__"))
        source = found or source
    if not isinstance(source, Dataset):
        raise Unfollowable(f"a DataLoader of {describe(source)}", node)
    batch = args.values[1] if len(args.values) > 1 else args.named.get("batch_size", 1)
    if type(batch) is not int or batch < 1:
        batch = 1  # the batch's own size does not change what each sample is
    return Loader(source, batch)


# ---------------------------------------------------------------- summaries and wrappers


def summary(frame, qname, args, node):
    """torchsummary.summary(model, (1, 28, 28)): sizes per sample; torchinfo.summary(model,
    (1, 1, 28, 28)) and its input_data: with the batch; the model called on them."""
    from convcalc.frontends.python.discovery import record_feed

    values = args.values
    model = values[0] if values else args.named.get("model")
    library = qname.split(".", 1)[0]
    size = values[1] if len(values) > 1 else args.named.get("input_size")
    data = args.named.get("input_data")
    shapes = None
    if isinstance(data, Constant):
        shapes = [tuple(data.shape)]
    elif isinstance(data, (list, tuple)) and data and all(isinstance(d, Constant) for d in data):
        shapes = [tuple(d.shape) for d in data]
    elif size is not None:
        sizes = sizes_of(size)
        if sizes is not None:
            batch_dim = args.named.get("batch_dim")
            if library in ("torchsummary", "ptflops"):
                shapes = [(1,) + s for s in sizes]  # per sample: torchsummary adds the batch itself
            elif type(batch_dim) is int:
                shapes = [s[:batch_dim] + (1,) + s[batch_dim:] for s in sizes]
            else:
                shapes = sizes
    if shapes is not None and model is not None:
        record_feed(frame, model, shapes, f"{qname.replace('.summary', '')} summary at line {frame.span(node).line}"
                    if not frame.src.own else f"{library} summary at {frame.src.own}:{frame.span(node).line}",
                    node, "summary")
    return Unknown(f"what {qname} returns")


def sizes_of(size) -> Optional[list]:
    """(1, 28, 28) -> [(1, 28, 28)]; [(1, 13)] or [(3, 8), (3, 8)] -> one per input."""
    if isinstance(size, (tuple, list)) and size and all(type(v) is int and v > 0 for v in size):
        return [tuple(size)]
    if isinstance(size, (tuple, list)) and size and all(isinstance(s, (tuple, list)) and s and
                                                         all(type(v) is int and v > 0 for v in s) for s in size):
        return [tuple(s) for s in size]
    return None


def profile(frame, qname, args, node):
    """thop.profile(model, inputs=(x,)), fvcore's FlopCountAnalysis(model, x), torch.jit.trace(model, x),
    torch.onnx.export(model, x, path): the model on those tensors."""
    from convcalc.frontends.python.discovery import record_feed

    values = args.values
    model = values[0] if values else args.named.get("model")
    named = args.named
    inputs = values[1] if len(values) > 1 else named.get("inputs", named.get("args", named.get("example_inputs")))
    if isinstance(inputs, Constant):
        inputs = (inputs,)
    if isinstance(inputs, (tuple, list)) and inputs and all(isinstance(t, Constant) for t in inputs):
        record_feed(frame, model, [tuple(t.shape) for t in inputs], None, node, "traced",
                    getattr(inputs[0], "origin", None))
    return Unknown(f"what {qname} returns")


def wrapper(frame, qname, args, node):
    """nn.DataParallel(model), DistributedDataParallel(model): the model itself runs inside."""
    values = args.values
    model = values[0] if values else args.named.get("module")
    if model is None:
        raise Unfollowable(f"{qname} without a module", node)
    return model


def register_all() -> None:
    register_prefix("torchvision.transforms", transform)
    register_prefix("torchvision.datasets", dataset)
    register("torch.utils.data.DataLoader torch.utils.data.dataloader.DataLoader", data_loader)
    register("torch.utils.data.TensorDataset torch.utils.data.dataset.TensorDataset", tensor_dataset)
    register("torch.utils.data.Subset torch.utils.data.random_split", subset)
    register("torchsummary.summary torchinfo.summary ptflops.get_model_complexity_info", summary)
    register("thop.profile fvcore.nn.FlopCountAnalysis pytorch_model_summary.summary torch.jit.trace "
             "torch.jit._get_trace_graph torch.onnx.export torch.export.export", profile)
    register_fallback(unknown_dataset)
    register("torch.nn.DataParallel torch.nn.parallel.DataParallel torch.nn.parallel.DistributedDataParallel "
             "torch.nn.parallel.distributed.DistributedDataParallel", wrapper)


register_all()
