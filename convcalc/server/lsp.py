"""`convcalc server`: the Language Server over stdio, built on pygls (the `lsp` extra).

A document (``.py`` or ``.net``) is analysed on open and on save at once, and after a change
once the typing has paused (DEBOUNCE); a change also stops the analysis of that document in
flight (its worker process is killed: convcalc/server/worker.py). Each analysis publishes the
document's diagnostics and asks the editor to fetch the inlay hints again; hovers and code
actions answer from the latest analysis of the document.
"""
from __future__ import annotations

import asyncio
from typing import Optional

from lsprotocol import types as t
from pygls.lsp.server import LanguageServer

from convcalc import __version__
from convcalc.server.analysis import HINTED, model_anchor
from convcalc.server.worker import Stopped, Worker

DEBOUNCE = 0.3  # seconds of quiet after a change before the document is analysed
OPEN_WAIT = 2  # seconds a hint request for a document not yet opened waits for its didOpen
SEVERITY = {"error": t.DiagnosticSeverity.Error, "warning": t.DiagnosticSeverity.Warning,
            "information": t.DiagnosticSeverity.Information, "hint": t.DiagnosticSeverity.Hint}


class Server(LanguageServer):
    def __init__(self):
        super().__init__("convcalc", __version__)
        self.worker = Worker()
        self.results: dict = {}  # uri -> (version, text, data) of the latest analysis
        self.pending: dict = {}  # uri -> the debounce task


server = Server()


def utf16(line_text: str, col: int) -> int:
    """An LSP character (UTF-16 code units) of a 1-based column in characters."""
    prefix = line_text[:max(col - 1, 0)]
    return len(prefix.encode("utf-16-le")) // 2


def column(line_text: str, character: int) -> int:
    """The 1-based column in characters of an LSP character."""
    units = 0
    for i, ch in enumerate(line_text):
        if units >= character:
            return i + 1
        units += 2 if ord(ch) > 0xFFFF else 1
    return len(line_text) + 1


def position(lines: list, line: int, col: int) -> t.Position:
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return t.Position(line=max(line - 1, 0), character=utf16(text, col))


def span_range(lines: list, span) -> t.Range:
    line, col, end_line, end_col = span
    return t.Range(start=position(lines, line, col), end=position(lines, end_line, end_col))


def path_of(uri: str) -> str:
    from pygls.uris import to_fs_path

    return to_fs_path(uri) or uri


def diagnostics(lines: list, data: dict) -> list:
    return [t.Diagnostic(range=span_range(lines, d["span"]), message=d["message"], severity=SEVERITY[d["severity"]],
                         code=d["code"], source="convcalc", data={"suggested": d["suggested"], "model": d["model"],
                                                                  "text": d["text"]})
            for d in data["diagnostics"]]


async def analyse(ls: Server, uri: str, delay: float = 0.0) -> None:
    if delay:
        await asyncio.sleep(delay)
    document = ls.workspace.get_text_document(uri)
    version, text, path = document.version, document.source, path_of(uri)
    loop = asyncio.get_running_loop()
    try:
        data = await loop.run_in_executor(None, ls.worker.run, path, text)
    except Stopped as exc:
        if exc.cancelled:
            return  # a newer change is on its way
        data = {"diagnostics": [{"code": "CC900", "severity": "information", "span": [1, 1, 1, 1], "model": "",
                                 "suggested": None, "text": "",
                                 "message": f"convcalc stopped analysing this file after {ls.worker.time_limit:g} s: "
                                            "it is over the budgets an editor can wait for; run convcalc lint on it"}],
                "hints": [], "hovers": []}
    except RuntimeError as exc:
        data = {"diagnostics": [{"code": "CC900", "severity": "information", "span": [1, 1, 1, 1], "model": "",
                                 "suggested": None, "text": "", "message": f"convcalc: internal error: {exc}"}],
                "hints": [], "hovers": []}
    current = ls.workspace.get_text_document(uri)
    if current.version != version:
        return  # the document changed meanwhile: its own analysis follows
    ls.results[uri] = (version, text, data)
    lines = text.splitlines()
    ls.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics(lines, data),
                                                                    version=version))
    capabilities = ls.client_capabilities.workspace
    if capabilities and capabilities.inlay_hint and capabilities.inlay_hint.refresh_support:
        ls.workspace_inlay_hint_refresh(None)


def schedule(ls: Server, uri: str, delay: float) -> None:
    if not uri_hinted(uri):
        return
    waiting = ls.pending.pop(uri, None)
    if waiting is not None:
        waiting.cancel()
    ls.worker.cancel(path_of(uri))  # the analysis in flight reads a text that is gone
    ls.pending[uri] = asyncio.ensure_future(analyse(ls, uri, delay))


def uri_hinted(uri: str) -> bool:
    return uri.endswith(HINTED)


@server.feature(t.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: Server, params: t.DidOpenTextDocumentParams) -> None:
    schedule(ls, params.text_document.uri, 0.0)


@server.feature(t.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: Server, params: t.DidChangeTextDocumentParams) -> None:
    schedule(ls, params.text_document.uri, DEBOUNCE)


@server.feature(t.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: Server, params: t.DidSaveTextDocumentParams) -> None:
    schedule(ls, params.text_document.uri, 0.0)


@server.feature(t.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: Server, params: t.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    waiting = ls.pending.pop(uri, None)
    if waiting is not None:
        waiting.cancel()
    ls.results.pop(uri, None)
    ls.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


def latest(ls: Server, uri: str) -> Optional[tuple]:
    """(lines, data) of the latest analysis of a document, if its text is still the document's."""
    found = ls.results.get(uri)
    if found is None:
        return None
    version, text, data = found
    return text.splitlines(), data


async def analysed(ls: Server, uri: str) -> None:
    """Wait for the analysis of a document in flight, if any (at most the worker's time limit; one
    that a change replaced is followed by its successor). A client that cannot be asked to fetch
    the inlay hints again (Helix 25.01 has no workspace/inlayHint/refresh) asks for them once, on
    open (and before its didOpen), while the first analysis runs: its answer must wait for that
    analysis, not be empty."""
    if not uri_hinted(uri):
        return
    for _ in range(OPEN_WAIT * 20):  # Helix 25.01 asks for a document's hints before it sends didOpen
        if uri in ls.pending or uri in ls.results:
            break
        await asyncio.sleep(0.05)
    for _ in range(4):
        waiting = ls.pending.get(uri)
        if waiting is None or waiting.done():
            return
        try:
            await asyncio.wait_for(asyncio.shield(waiting), ls.worker.time_limit + 1)
        except asyncio.TimeoutError:
            return
        except asyncio.CancelledError:
            if not waiting.cancelled():
                raise  # this request itself was cancelled by the client


@server.feature(t.TEXT_DOCUMENT_INLAY_HINT)
async def inlay_hints(ls: Server, params: t.InlayHintParams) -> list:
    await analysed(ls, params.text_document.uri)
    found = latest(ls, params.text_document.uri)
    if found is None:
        return []
    lines, data = found
    first, last = params.range.start.line + 1, params.range.end.line + 1
    return [t.InlayHint(position=position(lines, h["line"], h["col"]), label=f" {h['label']}",
                        kind=t.InlayHintKind.Type, padding_left=True)
            for h in data["hints"] if first <= h["line"] <= last]


def within(lines: list, span: list, pos: t.Position) -> bool:
    line = pos.line + 1
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    col = column(text, pos.character)
    start, end = (span[0], span[1]), (span[2], span[3])
    return start <= (line, col) < end or (start == end == (line, col))


@server.feature(t.TEXT_DOCUMENT_HOVER)
def hover(ls: Server, params: t.HoverParams) -> Optional[t.Hover]:
    found = latest(ls, params.text_document.uri)
    if found is None:
        return None
    lines, data = found
    texts = [h["text"] for h in data["hovers"] if any(within(lines, s, params.position) for s in h["spans"])]
    if not texts:
        return None
    return t.Hover(contents=t.MarkupContent(kind=t.MarkupKind.Markdown, value="\n---\n".join(dict.fromkeys(texts))))


@server.feature(t.TEXT_DOCUMENT_CODE_ACTION, t.CodeActionOptions(code_action_kinds=[t.CodeActionKind.QuickFix]))
def code_actions(ls: Server, params: t.CodeActionParams) -> list:
    uri = params.text_document.uri
    document = ls.workspace.get_text_document(uri)
    out = []
    for diagnostic in params.context.diagnostics:
        data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
        edit = None
        if diagnostic.code == "CC303" and data.get("suggested"):
            anchor = model_anchor(document.source, data.get("model") or "")
            if anchor is not None:
                line, indent = anchor
                comment = " " * indent + f"# convcalc: input {data['suggested']}\n"
                at = t.Position(line=line - 1, character=0)
                edit = (f"Add `# convcalc: input {data['suggested']}` above the model",
                        t.TextEdit(range=t.Range(start=at, end=at), new_text=comment))
        elif diagnostic.code == "CC202":
            edit = bias_edit(diagnostic)
        if edit is not None:
            title, text_edit = edit
            out.append(t.CodeAction(title=title, kind=t.CodeActionKind.QuickFix, diagnostics=[diagnostic],
                                    edit=t.WorkspaceEdit(changes={uri: [text_edit]}), is_preferred=True))
    return out


def bias_edit(diagnostic: t.Diagnostic):
    """`bias=True` becomes `bias=False`; a call without it gets `, bias=False` before its `)`."""
    data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
    text = data.get("text") or ""
    rng = diagnostic.range
    if text.replace(" ", "").startswith("bias="):
        return "Pass bias=False", t.TextEdit(range=rng, new_text="bias=False")
    if text.endswith(")") and rng.start.line == rng.end.line:
        at = t.Position(line=rng.end.line, character=rng.end.character - 1)
        return "Pass bias=False", t.TextEdit(range=t.Range(start=at, end=at), new_text=", bias=False")
    return None


def main() -> None:
    server.start_io()
