"""Issue 22, item 7: findings that are true and placed right (each case failed before)."""
import textwrap

import pytest

from convcalc.lint.onefile import lint_text


def lint(source, path="m.py"):
    return lint_text(path, textwrap.dedent(source), None, None)


def codes_of(linted):
    return [(f.code, f.span.line) for f in linted.findings]


def test_a_helper_without_layers_and_without_an_input_is_no_syntax_error():
    linted = lint("""
        import torch.nn as nn
        import torch.nn.functional as F


        class Swish(nn.Module):
            def forward(self, x):
                return x * F.sigmoid(x)
    """)
    assert all(code != "CC001" for code, _ in codes_of(linted))
    assert [name for name, _ in linted.partly] == ["Swish"]  # said: not checked, and why


FOLD = """
    import torch
    import torch.nn as nn


    class Embed(nn.Module):
        def __init__(self):
            super().__init__()
            self.bn = nn.BatchNorm1d({features})

        def forward(self, x):
            b, n, d = x.shape
            return self.bn(x.{view}).reshape(b, n, -1)


    if __name__ == "__main__":
        Embed()(torch.randn(10, 36, 2048))
"""


def test_a_view_that_folds_rows_of_each_sample_into_the_batch_is_followed_and_back():
    """36x2048 as 72 rows of 1024 (positions mixed across dims): torch runs it; followed with the batch
    folded by 72, through the norm and back by reshape(b, n, -1): no finding, nothing left unchecked."""
    linted = lint(FOLD.format(view="reshape(-1, d // 2)", features=1024))
    assert codes_of(linted) == []
    assert linted.partly == []


def test_a_layer_after_a_fold_is_checked_on_the_rows_it_receives():
    """torch: running_mean should contain 1024 elements not 2048 (the fold was not followed before)."""
    linted = lint(FOLD.format(view="reshape(-1, d // 2)", features=2048))
    assert codes_of(linted) == [("CC101", 9)]


def test_a_fold_that_reaches_the_output_is_a_warning_with_the_whole_flatten():
    linted = lint("""
        import torch
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(3, 16, 5)
                self.fc = nn.Linear(16 * 5 * 5, 10)

            def forward(self, x):
                x = self.conv(x)
                return self.fc(x.view(-1, 16 * 5 * 5))


        out = Net()(torch.randn(8, 3, 14, 14))
    """)
    assert codes_of(linted) == [("CC214", 14)]
    message = linted.findings[0].message
    assert "folds 4 rows of each sample into the batch (16x10x10 = 1600 elements into 4 x 400)" in message
    assert "x.view(x.size(0), -1) (1600 features)" in message
    same = lint(FOLD.format(view="reshape(-1, d // 2)", features=1024).replace(".reshape(b, n, -1)", ""))
    assert [code for code, _ in codes_of(same)] == ["CC214"]  # 36 x 2048 into 72 x 1024, never given back


def test_a_view_that_folds_the_samples_leading_dims_into_the_batch_is_followed():
    """36x2048 to (N*36)x2048: -1 takes the batch with the sample's leading dims (torch's flatten(0, 1)),
    followed on with the batch folded, and back by reshape(b, n, -1)."""
    linted = lint(FOLD.format(view="reshape(-1, d)", features=2048))
    assert codes_of(linted) == []
    assert linted.partly == []


def test_a_view_whose_size_does_not_divide_is_still_a_finding():
    linted = lint(FOLD.format(view="reshape(-1, 3000)", features=2048))
    assert [code for code, _ in codes_of(linted)] == ["CC107"]


SHORTCUT = """
    import torch.nn as nn


    # convcalc: input 8x16x16
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(8, 8, 3, padding=1)
            self.bn = nn.BatchNorm2d(8)

        def forward(self, x):
            y = self.conv(x)
            return {out}
"""


def test_a_bias_before_batchnorm_that_also_feeds_a_shortcut_is_not_redundant():
    assert codes_of(lint(SHORTCUT.format(out="self.bn(y) + y"))) == []
    assert codes_of(lint(SHORTCUT.format(out="self.bn(y) + x"))) == [("CC202", 9)]


def test_a_pool_as_large_as_the_input_written_with_its_size_is_a_global_pool():
    linted = lint("""
        import torch.nn as nn
        import torch.nn.functional as F


        class SE(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(3, 16, 3, padding=1)
                self.fc = nn.Conv2d(16, 4, 1)

            def forward(self, x):
                out = self.conv(x)
                w = F.avg_pool2d(out, out.size(2))
                return self.fc(w)
    """)
    assert codes_of(linted) == [] and linted.checked == 1 and not linted.partly
    assert any("taken as a global pool" in note.message for note in linted.notes)


def test_the_size_cc303_recommends_is_one_a_person_would_use():
    linted = lint("""
        import torch.nn as nn

        net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU())
    """)
    assert linted.notices[0].message.endswith("add `# convcalc: input 3x28x28` above the model")


def test_attention_after_a_permute_without_an_input_size_is_a_notice_not_an_internal_error():
    # found reproducing the permute false alarm: the sizes a model accepts were decided layer by layer,
    # each on one tensor, and MultiheadAttention's rule needs its query, key and value
    linted = lint("""
        import torch.nn as nn


        class Mixer(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv1d(8, 16, 3, padding=1)
                self.att = nn.MultiheadAttention(16, 2)

            def forward(self, x):
                x = self.conv(x).permute(2, 0, 1)
                y, _ = self.att(x, x, x)
                return y.permute(1, 2, 0)
    """)
    assert linted.findings == []
    (notice,) = linted.notices
    assert "MultiheadAttention takes several tensors" in notice.message


CONFLICT = """
    import torch
    from torch import nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv{d}d(3, 32, 3, stride=2), nn.ReLU(), nn.Conv{d}d(32, 64, 3, stride=2), nn.ReLU(),
                nn.Conv{d}d(64, 128, 3, stride=2), nn.ReLU(), nn.Conv{d}d(128, 256, 3, stride=2), nn.ReLU())
            self.pool = nn.AvgPool{d}d(7)
            self.aux = nn.Linear(256, 10)
            self.fc = nn.Linear({features}, 10)

        def forward(self, x):
            x = self.features(x)
            extra = self.aux(torch.flatten(self.pool(x), 1))
            return self.fc(torch.flatten(x, 1)), extra
"""


@pytest.fixture
def own_budget(monkeypatch):
    """A file's own search budget, as lint gives each file (lint/pool.py), whatever earlier tests spent."""
    from convcalc import limits

    monkeypatch.setattr(limits, "command_total", limits.LINT_SEARCH_STEPS)
    monkeypatch.setattr(limits, "command_left", limits.LINT_SEARCH_STEPS)


def test_a_linear_whose_features_another_layer_refuses_names_that_layer_and_the_sizes(own_budget):
    # 256 x 5 x 5 = 6400 at the flatten for H = W in 95..110 (the features are floor((H + 1)/16) - 1
    # a side); there the feature map is 5 wide and AvgPool2d(7) refuses it; it takes H = W >= 127
    linted = lint(CONFLICT.format(d=2, features=6400))
    (finding,) = linted.findings
    assert finding.code == "CC102" and finding.span.line == 14
    assert finding.message.endswith(
        ": it is 6400 only for H = W in 95..110, where the layer at line 12 refuses its input (at H = W = 95: "
        "AvgPool2d: kernel 7 is larger than the input along H (5); the output would be empty, which PyTorch "
        "refuses); the layers accept H = W ≥ 127")
    (finding,) = lint(CONFLICT.format(d=1, features=1280)).findings
    assert finding.message.endswith(
        ": it is 1280 only for L in 95..110, where the layer at line 12 refuses its input (at L = 95: "
        "AvgPool1d: kernel 7 is larger than the input along L (5); the output would be empty, which PyTorch "
        "refuses); the layers accept L ≥ 127")


def test_a_linear_no_size_feeds_still_says_so(own_budget):
    (finding,) = lint(CONFLICT.format(d=2, features=6500)).findings  # 6500 / 256 is no whole number
    assert finding.message.endswith(": no input size gives 6500 (with H = W, nor with H ≤ 256 and any W)")
