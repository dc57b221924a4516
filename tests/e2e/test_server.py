"""`convcalc server` end to end: a real LSP client (pytest-lsp) starts it over stdio and speaks
the protocol: diagnostics on open, change and save (as lint gives them, settings and ignore
comments included), inlay hints, hovers, both quick fixes, a change that stops a slow analysis,
a file over the time limit, a broken file."""
import asyncio
import os
import sys
import time

import pytest

pytest.importorskip("pygls")
pytest_lsp = pytest.importorskip("pytest_lsp")

from lsprotocol import types as t  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

from notebooks import BROKEN_LENET, LENET  # noqa: E402

pytestmark = [pytest.mark.lsp, pytest.mark.asyncio(loop_scope="function")]

HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n\n"
GOOD = HEADER + LENET
BROKEN = HEADER + BROKEN_LENET  # fc1 (line 12) receives 256 features, expects 400
SIZELESS = HEADER + LENET.replace("# convcalc: input 1x32x32\n", "")
BIASED = HEADER + "# convcalc: input 3x8x8\nnet = nn.Sequential(\n    nn.Conv2d(3, 8, 3),\n    nn.BatchNorm2d(8),\n" \
                  "    nn.Conv2d(8, 8, 3, bias=True),\n    nn.BatchNorm2d(8),\n)\n"


def slow_model(models: int) -> str:
    """Models of 300 convolutions each: about 0.15 s a model here, every loop within convcalc's budgets."""
    block = ("\n# convcalc: input 8x32x32\nclass Deep{i}(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
             "        self.layers = nn.ModuleList([nn.Conv2d(8, 8, 3, padding=1) for _ in range(300)])\n\n"
             "    def forward(self, x):\n        for layer in self.layers:\n            x = layer(x)\n        return x\n")
    return HEADER + "".join(block.format(i=i) for i in range(models))


def server_config(**env) -> ClientServerConfig:
    return ClientServerConfig(server_command=[sys.executable, "-m", "convcalc", "server"],
                              server_env={**os.environ, **env} if env else None)


async def start(client: LanguageClient, root) -> None:
    await client.initialize_session(t.InitializeParams(capabilities=client_capabilities("visual-studio-code"),
                                                       root_uri=root.as_uri(), workspace_folders=[
                                                           t.WorkspaceFolder(uri=root.as_uri(), name="project")]))


@pytest_lsp.fixture(config=server_config())
async def client(lsp_client: LanguageClient, tmp_path):
    await start(lsp_client, tmp_path)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=server_config(CONVCALC_SERVER_TIME_LIMIT="1"))
async def hasty(lsp_client: LanguageClient, tmp_path):
    await start(lsp_client, tmp_path)
    yield
    await lsp_client.shutdown_session()


def open_file(client: LanguageClient, path, text: str, version: int = 1) -> str:
    path.write_text(text)
    uri = path.as_uri()
    client.text_document_did_open(t.DidOpenTextDocumentParams(text_document=t.TextDocumentItem(
        uri=uri, language_id="python" if path.suffix == ".py" else "plaintext", version=version, text=text)))
    return uri


def change(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(t.DidChangeTextDocumentParams(
        text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[t.TextDocumentContentChangeWholeDocument(text=text)]))


async def published(client: LanguageClient, uri: str, version: int, timeout: float = 60) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        params = await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        if params.uri == uri and params.version == version:
            return list(params.diagnostics)
    raise AssertionError(f"no diagnostics for {uri} version {version} in {timeout} s")


async def test_diagnostics_on_open_are_lints(client, tmp_path):
    uri = open_file(client, tmp_path / "broken.py", BROKEN)
    found = await published(client, uri, 1)
    (error,) = [d for d in found if d.code == "CC102"]
    assert error.message == "Linear expects 400 input features but receives 256"
    assert error.severity == t.DiagnosticSeverity.Error and error.source == "convcalc"
    assert (error.range.start.line, error.range.start.character) == (11, 19)  # broken.py:12:20
    assert error.range.end == t.Position(line=11, character=45)


@pytest.mark.parametrize("name", ["vgg.py", "mnist_example.py", "unet.py", "cifar10_blitz.py"])
async def test_the_diagnostics_are_what_lint_says(client, tmp_path, name):
    import json
    import subprocess

    from paths import LINT_MODELS

    text = (LINT_MODELS / name).read_text()
    uri = open_file(client, tmp_path / name, text)
    found = await published(client, uri, 1)
    lint = subprocess.run([sys.executable, "-m", "convcalc", "lint", name, "-v", "--format", "json", "--no-cache"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    expected = {(d["code"], d["line"] - 1, d["column"] - 1, d["message"]) for d in json.loads(lint.stdout)}
    assert {(d.code, d.range.start.line, d.range.start.character, d.message) for d in found} == expected


async def test_ignore_comments_and_project_settings_apply(client, tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.convcalc]\nselect = ["CC1", "CC202"]\nignore = ["CC202"]\n')
    uri = open_file(client, tmp_path / "biased.py", BIASED)
    assert [d.code for d in await published(client, uri, 1)] == []
    (tmp_path / "pyproject.toml").write_text('[tool.convcalc]\nselect = ["CC1", "CC202"]\n')  # CC202 is opt-in
    text = BIASED.replace("nn.Conv2d(3, 8, 3),", "nn.Conv2d(3, 8, 3),  # convcalc: ignore[CC202]")
    change(client, uri, text, 2)
    found = await published(client, uri, 2)
    assert [(d.code, d.range.start.line) for d in found] == [("CC202", 9)]


async def test_inlay_hints_give_each_layer_and_each_line_of_forward_its_shape(client, tmp_path):
    uri = open_file(client, tmp_path / "good.py", GOOD)
    await published(client, uri, 1)
    hints = await client.text_document_inlay_hint_async(t.InlayHintParams(
        text_document=t.TextDocumentIdentifier(uri=uri),
        range=t.Range(start=t.Position(line=0, character=0), end=t.Position(line=40, character=0))))
    found = {(h.position.line, h.label.strip()) for h in hints}
    assert (9, "6x28x28 · 156 params") in found  # self.conv1 = nn.Conv2d(1, 6, 5), line 10
    assert (11, "120 · 48,120 params") in found
    assert (15, "→ 6x14x14") in found  # x = F.max_pool2d(F.relu(self.conv1(x)), 2)
    assert (17, "→ 400") in found
    assert (18, "→ 10") in found
    conv1 = next(h for h in hints if h.position.line == 9)
    assert conv1.position.character == len("        self.conv1 = nn.Conv2d(1, 6, 5)")


async def test_hints_asked_at_once_on_open_wait_for_the_first_analysis(client, tmp_path):
    """Helix 25.01 asks for the hints once, on open, and cannot be told to ask again
    (no workspace/inlayHint/refresh): that first answer must hold them, not be empty."""
    uri = open_file(client, tmp_path / "good.py", slow_model(2) + GOOD[len(HEADER):])
    hints = await client.text_document_inlay_hint_async(t.InlayHintParams(
        text_document=t.TextDocumentIdentifier(uri=uri),
        range=t.Range(start=t.Position(line=0, character=0), end=t.Position(line=80, character=0))))
    assert "→ 400" in {h.label.strip() for h in hints}


async def test_hints_asked_before_the_document_is_opened_wait_for_it(client, tmp_path):
    """Helix 25.01 sends its inlayHint request before its didOpen (seen in its log): the answer waits
    for the open and the first analysis."""
    path = tmp_path / "good.py"
    path.write_text(GOOD)
    asked = asyncio.ensure_future(client.text_document_inlay_hint_async(t.InlayHintParams(
        text_document=t.TextDocumentIdentifier(uri=path.as_uri()),
        range=t.Range(start=t.Position(line=0, character=0), end=t.Position(line=40, character=0)))))
    await asyncio.sleep(0.3)  # the request is on its way before the document is opened
    open_file(client, path, GOOD)
    hints = await asked
    assert "→ 400" in {h.label.strip() for h in hints}


async def test_symbolic_hints_where_the_input_has_no_size(client, tmp_path):
    uri = open_file(client, tmp_path / "sizeless.py", SIZELESS)
    found = await published(client, uri, 1)
    assert [d.code for d in found] == ["CC303"] and found[0].severity == t.DiagnosticSeverity.Information
    hints = await client.text_document_inlay_hint_async(t.InlayHintParams(
        text_document=t.TextDocumentIdentifier(uri=uri),
        range=t.Range(start=t.Position(line=0, character=0), end=t.Position(line=40, character=0))))
    assert (8, "6 x [H - 4] x [W - 4] · 156 params") in {(h.position.line, h.label.strip()) for h in hints}


async def test_hover_shows_the_row_and_the_formula(client, tmp_path):
    uri = open_file(client, tmp_path / "good.py", GOOD)
    await published(client, uri, 1)
    for line, character in ((9, 25), (15, 37)):  # the construction, and the call self.conv1(x) in forward
        hover = await client.text_document_hover_async(t.HoverParams(
            text_document=t.TextDocumentIdentifier(uri=uri), position=t.Position(line=line, character=character)))
        text = hover.contents.value
        assert text.startswith("**nn.Conv2d(1, 6, 5)** — model Net")
        assert "| 1x32x32 | 6x28x28 | 156 | 122,304 | 5x5 |" in text
        assert "params: `6*(1*5*5) + 6 = 156`" in text
    nothing = await client.text_document_hover_async(t.HoverParams(
        text_document=t.TextDocumentIdentifier(uri=uri), position=t.Position(line=0, character=0)))
    assert nothing is None


async def actions(client, uri, diagnostics) -> list:
    return await client.text_document_code_action_async(t.CodeActionParams(
        text_document=t.TextDocumentIdentifier(uri=uri), range=diagnostics[0].range,
        context=t.CodeActionContext(diagnostics=diagnostics)))


def applied(text: str, edit: t.TextEdit) -> str:
    lines = text.splitlines(keepends=True)
    start = sum(len(x) for x in lines[:edit.range.start.line]) + edit.range.start.character
    end = sum(len(x) for x in lines[:edit.range.end.line]) + edit.range.end.character
    return text[:start] + edit.new_text + text[end:]


async def test_the_input_comment_action_adds_the_size_the_notice_recommends(client, tmp_path):
    uri = open_file(client, tmp_path / "sizeless.py", SIZELESS)
    found = await published(client, uri, 1)
    (action,) = await actions(client, uri, found)
    assert action.title == "Add `# convcalc: input 1x32x32` above the model"
    (edit,) = action.edit.changes[uri]
    fixed = applied(SIZELESS, edit)
    assert fixed == GOOD
    change(client, uri, fixed, 2)
    assert await published(client, uri, 2) == []


async def test_the_bias_action_passes_bias_false(client, tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.convcalc]\nselect = ["CC202"]\n')  # CC202 is opt-in
    uri = open_file(client, tmp_path / "biased.py", BIASED)
    found = await published(client, uri, 1)
    assert [d.code for d in found] == ["CC202", "CC202"]
    text = BIASED
    for diagnostic in sorted(found, key=lambda d: -d.range.start.line):
        (action,) = await actions(client, uri, [diagnostic])
        assert action.title == "Pass bias=False"
        text = applied(text, action.edit.changes[uri][0])
    assert "nn.Conv2d(3, 8, 3, bias=False)" in text and "nn.Conv2d(8, 8, 3, bias=False)" in text
    change(client, uri, text, 2)
    assert await published(client, uri, 2) == []


async def test_edits_save_and_close(client, tmp_path):
    uri = open_file(client, tmp_path / "model.py", GOOD)
    assert await published(client, uri, 1) == []
    for version in range(2, 7):  # typing: each change within the debounce of the one before
        change(client, uri, BROKEN if version % 2 == 0 else GOOD, version)
    found = await published(client, uri, 6)  # only the last text is analysed to the end
    assert [d.code for d in found] == ["CC102"]
    client.text_document_did_save(t.DidSaveTextDocumentParams(text_document=t.TextDocumentIdentifier(uri=uri)))
    assert [d.code for d in await published(client, uri, 6)] == ["CC102"]
    client.text_document_did_close(t.DidCloseTextDocumentParams(text_document=t.TextDocumentIdentifier(uri=uri)))
    params = await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert params.uri == uri and list(params.diagnostics) == []


async def test_a_change_stops_the_slow_analysis_in_flight(client, tmp_path):
    slow = slow_model(40)  # about 6 s to analyse here
    uri = open_file(client, tmp_path / "model.py", slow)
    await asyncio.sleep(0.5)  # its analysis is running
    start = time.monotonic()
    change(client, uri, BROKEN, 2)
    found = await published(client, uri, 2)
    elapsed = time.monotonic() - start
    assert [d.code for d in found] == ["CC102"]
    assert elapsed < 4, f"the slow analysis was waited for: {elapsed:.1f} s"


async def test_a_broken_file_gets_its_diagnostic_and_the_server_goes_on(client, tmp_path):
    uri = open_file(client, tmp_path / "model.py", GOOD.replace("def forward(self, x):", "def forward(self, x:"))
    found = await published(client, uri, 1)
    assert [d.code for d in found] == ["CC001"] and "cannot parse" in found[0].message
    net = open_file(client, tmp_path / "net.net", "input 3x8x8\nConv2d(3, 8, 3\n")
    found = await published(client, net, 1)
    assert found and found[0].code == "CC001"
    change(client, uri, GOOD, 2)
    assert await published(client, uri, 2) == []


async def test_a_file_over_the_time_limit_gets_a_note(hasty, tmp_path):
    uri = open_file(hasty, tmp_path / "model.py", slow_model(40))
    start = time.monotonic()
    (note,) = await published(hasty, uri, 1)
    assert time.monotonic() - start < 20
    assert note.message.startswith("convcalc stopped analysing this file after 1 s")
    assert note.severity == t.DiagnosticSeverity.Information
    change(hasty, uri, BROKEN, 2)  # the server goes on with the next text
    assert [d.code for d in await published(hasty, uri, 2)] == ["CC102"]
