"""Neovim, headless, with the configuration docs/editors.md gives (docs/editors/convcalc.lua),
opening a model file against `convcalc server`: the diagnostic and the shapes (drawn as virtual
text before Neovim 0.10, as inlay hints after) arrive in the editor itself.

Skipped where nvim is not installed, unless CONVCALC_REQUIRE_NEOVIM=1 (CI installs Debian's)."""
import json
import os
import shutil
import subprocess
import sys

import pytest

from notebooks import BROKEN_LENET
from paths import ROOT

pytest.importorskip("pygls")
CONFIG = ROOT / "docs" / "editors" / "convcalc.lua"
HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n\n"

# what the test asks of the editor, once the server has spoken: the diagnostics and the hints it shows
DRIVE = """
vim.wait(60000, function() return #vim.diagnostic.get(0) > 0 end, 100)
local ns = vim.api.nvim_get_namespaces()["convcalc_hints"]
local marks = {}
if vim.lsp.inlay_hint and vim.lsp.inlay_hint.get then
  vim.wait(10000, function() return #vim.lsp.inlay_hint.get({ bufnr = 0 }) > 0 end, 100)
  for _, h in ipairs(vim.lsp.inlay_hint.get({ bufnr = 0 })) do
    local label = h.inlay_hint.label
    if type(label) ~= "string" then label = label[1].value end
    table.insert(marks, { line = h.inlay_hint.position.line, text = label })
  end
else
  vim.wait(10000, function() return #vim.api.nvim_buf_get_extmarks(0, ns, 0, -1, {}) > 0 end, 100)
  for _, m in ipairs(vim.api.nvim_buf_get_extmarks(0, ns, 0, -1, { details = true })) do
    table.insert(marks, { line = m[2], text = m[4].virt_text[1][1] })
  end
end
local diags = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  table.insert(diags, { line = d.lnum, col = d.col, code = d.code, message = d.message, severity = d.severity })
end
vim.fn.writefile({ vim.fn.json_encode({ diagnostics = diags, hints = marks }) }, "result.json")
vim.cmd("qa!")
"""


def nvim() -> str:
    found = shutil.which("nvim")
    if found is None:
        if os.environ.get("CONVCALC_REQUIRE_NEOVIM") == "1":
            pytest.fail("CONVCALC_REQUIRE_NEOVIM=1 but nvim is not installed (apt-get install neovim)")
        pytest.skip("nvim is not installed")
    return found


def test_neovim_shows_the_diagnostic_and_the_shapes(tmp_path):
    editor = nvim()
    (tmp_path / "model.py").write_text(HEADER + BROKEN_LENET)
    (tmp_path / "drive.lua").write_text(DRIVE)
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_STATE_HOME=str(tmp_path / "state"))
    subprocess.run([editor, "--headless", "-u", str(CONFIG), "model.py", "-c", "luafile drive.lua"], cwd=tmp_path,
                   env=env, timeout=180, capture_output=True)
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["diagnostics"] == [{"line": 11, "col": 19, "code": "CC102", "severity": 1,
                                      "message": "Linear expects 400 input features but receives 256"}]
    hints = {(h["line"], h["text"].strip()) for h in result["hints"]}
    assert (9, "6x24x24 · 156 params") in hints  # self.conv1 = nn.Conv2d(1, 6, 5), on a 1x28x28 input
    assert (16, "→ 16x4x4") in hints  # the second pooling in forward
    assert (17, "→ 256") in hints  # what reaches fc1, which expects 400
