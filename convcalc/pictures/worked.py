"""`size --animate --values`: the worked example of a class. The input cells and the kernel get
small integers (or the ones given: ``--image "1 2 3; 4 5 6; 7 8 9" --weights "1 0 1; 0 1 0; 1 0 1"``),
each output is computed by the reference executor (convcalc/executor/conv.py), and its
written-out sum (the window's products, padding counting 0) is shown beside it. With --pool,
a max pool (the layer whose defaults --pool follows): each output is written as the max of the
input cells its window reads (padding is -inf to a max pool; no weights)."""
from __future__ import annotations

from convcalc.errors import UsageError

MAX_VALUE = 1_000  # a cell's number: a picture for a class, not a tensor
MAX_TERMS_SHOWN = 25


def grid(text: str, what: str) -> list:
    """"1 2 3; 4 5 6" -> [[1, 2, 3], [4, 5, 6]]: rows by ';', numbers by spaces or commas."""
    rows = []
    for part in text.split(";"):
        cells = part.replace(",", " ").split()
        if not cells or not all(c.lstrip("-").isdigit() and len(c) <= 4 for c in cells):
            raise UsageError(f"{what} {text!r}: rows of integers separated by ';', e.g. '1 2 3; 4 5 6'")
        rows.append([int(c) for c in cells])
    if len({len(r) for r in rows}) != 1:
        raise UsageError(f"{what} {text!r}: every row needs the same number of values")
    if any(abs(v) > MAX_VALUE for r in rows for v in r):
        raise UsageError(f"{what} {text!r}: values go up to {MAX_VALUE:,}")
    return rows


class Worked:
    """The numbers of the picture: image (rows x cols), kernel, and each output (row-major)."""

    def __init__(self, sized, image_text=None, weights_text=None):
        from convcalc.pictures.slide import axes_of

        settings = sized.settings
        if settings["pool"] and weights_text:
            raise UsageError("--weights: a pooling layer has no weights (--pool --values shows each window's max)")
        axes = axes_of(sized)
        shape = tuple(sized.input) if len(axes) == 2 else (1, sized.input[0])
        kshape = tuple(settings["kernel"]) if len(axes) == 2 else (1, settings["kernel"][0])
        self.image = grid(image_text, "--image") if image_text else \
            [[(3 * r + 2 * c) % 5 for c in range(shape[1])] for r in range(shape[0])]
        self.kernel = None if settings["pool"] else grid(weights_text, "--weights") if weights_text else \
            [[(i + j + 1) % 2 for j in range(kshape[1])] for i in range(kshape[0])]
        if (len(self.image), len(self.image[0])) != shape:
            raise UsageError(f"--image has {len(self.image)}x{len(self.image[0])} values; the input is "
                             f"{'x'.join(map(str, sized.input))}")
        if self.kernel is not None and (len(self.kernel), len(self.kernel[0])) != kshape:
            raise UsageError(f"--weights has {len(self.kernel)}x{len(self.kernel[0])} values; the kernel is "
                             f"{'x'.join(map(str, settings['kernel']))}")
        self.axes = axes if len(axes) == 2 else [None] + axes
        self.settings = settings
        self.output = self.executed(axes)

    def executed(self, axes) -> list:
        """The outputs, as the reference executor computes them (integers: the values are)."""
        from convcalc.executor.conv import conv, conv_transpose
        from convcalc.executor.tensor import Tensor

        settings, rank = self.settings, len(axes)

        def tensor(rows: list) -> Tensor:  # one sample, one channel; a 1-d picture's single row is the axis
            flat = [float(v) for row in rows for v in row]
            return Tensor((1, 1, len(rows), len(rows[0])) if rank == 2 else (1, 1, len(flat)), flat)

        x = tensor(self.image)
        if self.kernel is None:  # --pool: MaxPool, as the stride's default follows
            from convcalc.executor.pool import max_pool

            y = max_pool(x, tuple(settings["kernel"][:rank]), tuple(settings["stride"][:rank]),
                         tuple(a.left for a in axes), tuple(settings["dilation"][:rank]), settings["ceil_mode"])
            return [int(v) if v != float("-inf") else v for v in y.data]  # a window over padding only: -inf
        w = tensor(self.kernel)
        padding = [(a.left, a.right) for a in axes]
        if settings["transposed"]:  # torch's own arithmetic, not the drawn equivalent: the sums check it
            y = conv_transpose(x, w, None, stride=tuple(settings["stride"][:rank]),
                               padding=tuple(settings["padding"][:rank]),
                               output_padding=tuple(settings["output_padding"][:rank]),
                               dilation=tuple(settings["dilation"][:rank]))
        else:
            y = conv(x, w, None, stride=tuple(a.stride for a in axes), padding=padding,
                     dilation=tuple(a.dilation for a in axes))
        return [int(round(v)) for v in y.data]

    def weight(self, i: int, j: int):
        """The weight on tap (i, j) of the drawn window (None for pooling): a transposed
        convolution's direct equivalent reads the kernel flipped."""
        if self.kernel is None:
            return None
        if self.settings["transposed"]:
            return self.kernel[len(self.kernel) - 1 - i][len(self.kernel[0]) - 1 - j]
        return self.kernel[i][j]

    def taps(self, index: int) -> list:
        """(i, j, the input cell (row, column) the tap reads, or None) for each tap of output
        ``index``: None on padding, past the input, or on a zero between a transposed
        convolution's input cells."""
        rows, cols = self.axes
        o_r, o_c = divmod(index, cols.output)
        found = []
        for i, r in enumerate(rows.taps(o_r) if rows is not None else [None]):
            for j, c in enumerate(cols.taps(o_c)):
                rr, cc = rows.index(r) if rows is not None else 0, cols.index(c)
                found.append((i, j, (rr, cc) if rr is not None and cc is not None else None))
        return found

    def terms(self, index: int) -> list:
        """(value, weight) of each tap of output ``index`` (a cell outside the input counts 0)."""
        return [(self.image[cell[0]][cell[1]] if cell else 0, self.weight(i, j)) for i, j, cell in self.taps(index)]

    def inside(self, index: int) -> list:
        """For each tap of output ``index``: whether it reads an input cell."""
        return [cell is not None for _, _, cell in self.taps(index)]

    def sum_text(self, index: int) -> str:
        terms = self.terms(index)
        if self.kernel is None:  # a max pool: the cells inside the input (its padding is -inf, a hanging tap none)
            read = [str(v) for (v, _), inside in zip(terms, self.inside(index)) if inside]
            more = f", ... ({len(read) - MAX_TERMS_SHOWN} more)" if len(read) > MAX_TERMS_SHOWN else ""
            shown = ", ".join(read[:MAX_TERMS_SHOWN]) if read else "padding only"
            return f"output {index}: max({shown}{more}) = {self.output[index]}"
        shown = " + ".join(f"{v}·{w}" for v, w in terms[:MAX_TERMS_SHOWN])
        more = f" + ... ({len(terms) - MAX_TERMS_SHOWN} more)" if len(terms) > MAX_TERMS_SHOWN else ""
        return f"output {index}: {shown}{more} = {self.output[index]}"
