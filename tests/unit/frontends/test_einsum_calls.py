"""torch.einsum as model files call it: the equation first, then the tensors one by one or as
one list; a wrong equation is a positioned finding with torch's words. Its shapes, values and
mult-adds against torch are the operations oracle's (tests/oracle/test_operations_oracle.py)."""
import json
import textwrap

from click.testing import CliRunner

from convcalc.cli import cli

MODEL = """
    import torch
    import torch.nn as nn


    # convcalc: input 4x6
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(6, 6)

        def forward(self, x):
            y = self.fc(x)
            return {call}
"""


def shapes(tmp_path, call):
    path = tmp_path / "model.py"
    path.write_text(textwrap.dedent(MODEL.format(call=call)))
    return CliRunner().invoke(cli, ["shapes", str(path), "--format", "json"])


def test_the_tensors_one_by_one_or_as_a_list(tmp_path):
    for call in ('torch.einsum("bij,bkj->bik", x, y)', 'torch.einsum("bij,bkj->bik", [x, y])',
                 'torch.einsum("bij,bkj->bik", (x, y))', "torch.einsum('b i j , b k j -> b i k', x, y)"):
        result = shapes(tmp_path, call)
        assert result.exit_code == 0, (call, result.output)
        assert json.loads(result.output)["output"] == [4, 4], call


def test_a_wrong_equation_is_placed_with_torch_s_words(tmp_path):
    cases = [('torch.einsum("bij,bjk->bik", x, y)', "subscript j has size 4 for operand 1 which does not "
                                                    "broadcast with previously seen size 6"),
             ('torch.einsum("bij->bij", x, y)', "more operands were provided than specified in the equation"),
             ('torch.einsum("bi,bkj->bik", x, y)', "the number of subscripts in the equation (2) does not match the "
                                                   "number of dimensions (3) for operand 0 and no ellipsis was given"),
             ('torch.einsum("bij,bkj->biz", x, y)', "output subscript z does not appear in the equation for any "
                                                    "input operand")]
    for call, words in cases:
        result = shapes(tmp_path, call)
        assert result.exit_code == 1, (call, result.output)
        assert "model.py:14:16: " in result.output and words in result.output, (call, result.output)


def test_an_equation_that_sums_the_batch_is_refused_not_followed_wrongly(tmp_path):
    result = shapes(tmp_path, 'torch.einsum("bij,bkj", x, y)')  # implicit output: b is summed away
    assert result.exit_code != 0
    assert "keep the batch as their first subscript" in result.output

