"""Tensors of known values (convcalc/frontends/python/brains/known_tensors.py): each program runs
in convcalc's interpreter, and, where torch is installed (oracle), in CPython with torch; the
results must be equal (floats to float32's precision), or both must raise the same exception."""
import importlib.util
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import conformance

HAVE_TORCH = importlib.util.find_spec("torch") is not None

# (what it checks, the program; it sets ``result``)
PROGRAMS = [
    ("meshgrid ij of two aranges, stacked", """
import torch
g = torch.stack(torch.meshgrid(torch.arange(3), torch.arange(2), indexing="ij"))
result = (tuple(g.shape), g.tolist())
"""),
    ("meshgrid xy swaps the first two sizes", """
import torch
a, b = torch.meshgrid([torch.arange(3), torch.arange(10, 12)], indexing="xy")
result = (tuple(a.shape), a.tolist(), b.tolist())
"""),
    ("meshgrid of three", """
import torch
a, b, c = torch.meshgrid(torch.arange(2), torch.arange(3), torch.arange(2), indexing="xy")
result = (tuple(a.shape), a.tolist(), b.tolist(), c.tolist())
"""),
    ("a relative-position index table", """
import torch
size = 3
coords = torch.stack(torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij"))
flat = torch.flatten(coords, 1)
rel = flat[:, :, None] - flat[:, None, :]
rel = rel.permute(1, 2, 0).contiguous()
rel[:, :, 0] += size - 1
rel[:, :, 1] += size - 1
rel[:, :, 0] *= 2 * size - 1
index = rel.sum(-1).flatten()
result = (tuple(index.shape), index.tolist())
"""),
    ("a float coordinate table, signed logarithms", """
import torch
h = torch.arange(-2, 3, dtype=torch.float32)
table = torch.stack(torch.meshgrid([h, h], indexing="ij")).permute(1, 2, 0).contiguous().unsqueeze(0)
table[:, :, :, 0] /= 2
table[:, :, :, 1] /= 2
table *= 8
table = torch.sign(table) * torch.log2(torch.abs(table) + 1.0) / 3.0
result = (tuple(table.shape), table.tolist())
"""),
    ("an in-place add through a view lands in its base", """
import torch
t = torch.arange(6).view(2, 3)
row = t[1]
row += 10
result = t.tolist()
"""),
    ("an in-place add changes every name of the tensor", """
import torch
t = torch.zeros(2, 2)
u = t
u += 1
result = t.tolist()
"""),
    ("contiguous() of a permuted tensor is a copy", """
import torch
t = torch.arange(6).view(2, 3)
c = t.permute(1, 0).contiguous()
c[0, 0] = 100
result = (t.tolist(), c.tolist())
"""),
    ("an integer tensor divided in place: torch refuses", """
import torch
t = torch.arange(4)
t /= 2
result = t.tolist()
"""),
    ("an integer tensor divided: a float tensor", """
import torch
t = torch.arange(4) / 2
result = t.tolist()
"""),
    ("slices assigned counts, as a shifted window's mask", """
import torch
mask = torch.zeros((6, 6))
cuts = ((0, -3), (-3, -1), (-1, None))
count = 0
for a in cuts:
    for b in cuts:
        mask[a[0]:a[1], b[0]:b[1]] = count
        count += 1
windows = mask.view(2, 3, 2, 3).permute(0, 2, 1, 3).reshape(4, 9)
diff = windows.unsqueeze(1) - windows.unsqueeze(2)
diff = diff.masked_fill(diff != 0, -100.0).masked_fill(diff == 0, 0.0)
result = (tuple(diff.shape), diff.tolist())
"""),
    ("masked_fill with an integer mask: torch refuses", """
import torch
t = torch.zeros(3)
t = t.masked_fill(torch.arange(3), 1.0)
result = t.tolist()
"""),
    ("indexing by an index tensor: its shape, then the rest", """
import torch
table = torch.arange(12).view(6, 2)
index = torch.tensor([[0, 5], [3, 3]])
picked = table[index]
result = (tuple(picked.shape), picked.tolist())
"""),
    ("an index out of range", """
import torch
table = torch.arange(12).view(6, 2)
result = table[torch.tensor([6])].tolist()
"""),
    ("sums over dims, keepdim, mean of floats", """
import torch
t = torch.arange(24).view(2, 3, 4)
result = (t.sum(-1).tolist(), t.sum(dim=(0, 2)).tolist(), tuple(t.sum(1, keepdim=True).shape),
          t.float().mean(0).tolist())
"""),
    ("roll along dims and flattened", """
import torch
t = torch.arange(12).view(3, 4)
result = (torch.roll(t, shifts=(1, -1), dims=(0, 1)).tolist(), t.roll(5).tolist())
"""),
    ("clamp, exp, sigmoid", """
import torch
t = torch.arange(-2, 3, dtype=torch.float32)
result = (torch.clamp(t, max=1.0).tolist(), t.clamp(min=0).exp().tolist(), torch.sigmoid(t).tolist())
"""),
    ("transpose, squeeze, unsqueeze, view(-1)", """
import torch
t = torch.arange(6).view(1, 2, 3)
result = (t.transpose(1, 2).tolist(), tuple(t.squeeze(0).shape), tuple(t.unsqueeze(-1).shape), t.view(-1).tolist())
"""),
    ("cat of known tensors", """
import torch
a = torch.arange(4).view(2, 2)
result = torch.cat([a, a * 10], dim=1).tolist()
"""),
    ("broadcast of mismatched sizes: torch refuses", """
import torch
result = (torch.arange(3) + torch.arange(4)).tolist()
"""),
    ("meshgrid with an unknown indexing", """
import torch
result = torch.meshgrid(torch.arange(2), torch.arange(2), indexing="yx")[0].tolist()
"""),
]


def close(a, b) -> bool:
    """Equal plain data; floats to float32's precision (torch's log2 and exp may differ from
    Python's correctly rounded ones in the last bit)."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b or math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-7)
    if isinstance(a, (tuple, list)) and type(a) is type(b):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


@pytest.mark.parametrize("program", [p for _, p in PROGRAMS], ids=[t for t, _ in PROGRAMS])
def test_program_is_followed_without_an_internal_error(program):
    got = conformance.in_convcalc(program)
    assert got[0] in ("value", "raises"), got


@pytest.mark.oracle
@pytest.mark.parametrize("program", [p for _, p in PROGRAMS], ids=[t for t, _ in PROGRAMS])
def test_program_agrees_with_torch(program):
    if not HAVE_TORCH:
        pytest.skip("torch is not installed (pip install -e '.[oracle]')")
    expected, got = conformance.in_cpython(program), conformance.in_convcalc(program)
    assert got[0] == expected[0], (expected, got)
    assert close(got[1], expected[1]), (expected, got)


def test_relative_position_index_of_a_2x2_window():
    """The index table of a 2x2 window, as torch builds it (written out by hand: row offset + 1
    times 3, plus column offset + 1)."""
    program = PROGRAMS[3][1].replace("size = 3", "size = 2")
    status, value = conformance.in_convcalc(program)
    assert status == "value"
    assert value == ((16,), [4, 3, 1, 0, 5, 4, 2, 1, 7, 6, 4, 3, 8, 7, 5, 4])


def test_a_view_writes_through_and_a_copy_does_not():
    assert conformance.in_convcalc(PROGRAMS[5][1]) == ("value", [[0, 1, 2], [13, 14, 15]])
    assert conformance.in_convcalc(PROGRAMS[7][1]) == ("value", ([[0, 1, 2], [3, 4, 5]], [[100, 3], [1, 4], [2, 5]]))


def test_torch_refusals_are_raised_as_torch_raises_them():
    assert conformance.in_convcalc(PROGRAMS[8][1]) == ("raises", "RuntimeError")
    assert conformance.in_convcalc(PROGRAMS[11][1]) == ("raises", "RuntimeError")
    assert conformance.in_convcalc(PROGRAMS[13][1]) == ("raises", "IndexError")


def test_several_index_tensors_are_not_followed():
    got = conformance.in_convcalc("import torch\nt = torch.arange(4).view(2, 2)\n"
                                  "result = t[torch.tensor([0]), torch.tensor([1])].tolist()\n")
    assert got[0] == "not followed" and "several index tensors" in got[1]


def test_a_parameter_indexed_by_an_index_table_has_the_index_shape_then_its_rest():
    program = ("import torch\nimport torch.nn as nn\ntable = nn.Parameter(torch.zeros(9, 4))\n"
               "index = torch.arange(16).view(4, 4) % 9\nresult = tuple(table[index].shape)\n")
    assert conformance.in_convcalc(program) == ("value", (4, 4, 4))


def test_known_values_are_charged_against_the_budget():
    """A table past 100,000 values is not followed (machine.MAX_ITEMS), with its reason."""
    got = conformance.in_convcalc("import torch\na = torch.arange(400)\n"
                                  "g = torch.meshgrid(a, a, indexing='ij')\nresult = 0\n")
    assert got[0] == "not followed" and "100,000" in got[1]


# ---------------------------------------------------------------- drawn against torch

sizes = st.integers(1, 4)


@pytest.mark.oracle
@settings(max_examples=25, deadline=None)
@given(st.lists(sizes, min_size=1, max_size=3), st.sampled_from(["ij", "xy"]))
def test_meshgrid_against_torch(lengths, indexing):
    if not HAVE_TORCH:
        pytest.skip("torch is not installed")
    args = ", ".join(f"torch.arange({n}) * {k + 1}" for k, n in enumerate(lengths))
    program = (f"import torch\ngrids = torch.meshgrid({args}, indexing={indexing!r})\n"
               "result = [(tuple(g.shape), g.tolist()) for g in grids]\n")
    expected, got = conformance.in_cpython(program), conformance.in_convcalc(program)
    assert got == expected


@pytest.mark.oracle
@settings(max_examples=25, deadline=None)
@given(st.lists(sizes, min_size=1, max_size=3), st.data())
def test_roll_and_permute_against_torch(shape, data):
    if not HAVE_TORCH:
        pytest.skip("torch is not installed")
    rank = len(shape)
    order = data.draw(st.permutations(range(rank)))
    dims = data.draw(st.lists(st.integers(-rank, rank - 1), min_size=1, max_size=rank, unique_by=lambda d: d % rank))
    shifts = data.draw(st.lists(st.integers(-5, 5), min_size=len(dims), max_size=len(dims)))
    program = (f"import torch\nt = torch.arange({math.prod(shape)}).view{tuple(shape)}\n"
               f"r = torch.roll(t, shifts={tuple(shifts)}, dims={tuple(dims)}).permute{tuple(order)}\n"
               "result = (tuple(r.shape), r.tolist())\n")
    expected, got = conformance.in_cpython(program), conformance.in_convcalc(program)
    assert got == expected


@pytest.mark.oracle
@settings(max_examples=25, deadline=None)
@given(st.lists(sizes, min_size=1, max_size=3), st.lists(sizes, min_size=0, max_size=2), st.integers(1, 4))
def test_index_tensor_against_torch(shape, index_shape, rows):
    """table[index] for an index tensor of any shape: index.shape + table.shape[1:], its rows."""
    if not HAVE_TORCH:
        pytest.skip("torch is not installed")
    count = math.prod(index_shape)
    program = (f"import torch\ntable = torch.arange({rows * math.prod(shape)}).view({rows}, {', '.join(map(str, shape))})\n"
               f"index = (torch.arange({count}) * 7 % {rows}).view({tuple(index_shape)})\n"
               "picked = table[index]\nresult = (tuple(picked.shape), picked.tolist())\n")
    expected, got = conformance.in_cpython(program), conformance.in_convcalc(program)
    assert got == expected


@pytest.mark.oracle
@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from([1, 2, 3]), min_size=0, max_size=3),
       st.lists(st.sampled_from([1, 2, 3]), min_size=0, max_size=3), st.sampled_from(["+", "-", "*", "==", "!="]))
def test_broadcast_against_torch(a, b, op):
    if not HAVE_TORCH:
        pytest.skip("torch is not installed")
    program = (f"import torch\nx = torch.arange({math.prod(a)}).view({tuple(a)})\n"
               f"y = (torch.arange({math.prod(b)}) % 2).view({tuple(b)})\nr = x {op} y\n"
               "result = (tuple(r.shape), r.int().tolist())\n")
    expected, got = conformance.in_cpython(program), conformance.in_convcalc(program)
    assert got == expected


def test_an_in_place_change_by_unknown_values_forgets_the_values_not_the_shape():
    """t += a Parameter: torch changes t (and every name of it); convcalc no longer knows its values,
    and says so where they are read, never the stale ones."""
    got = conformance.in_convcalc("import torch\nimport torch.nn as nn\nt = torch.zeros(3)\nu = t\n"
                                  "t += nn.Parameter(torch.zeros(3))\nshape = tuple(u.shape)\nresult = u.tolist()\n")
    assert got[0] == "not followed" and got[2] == 7
