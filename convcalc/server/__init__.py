"""`convcalc server`: a Language Server (stdio) for model files, on pygls (`pip install
'convcalc[lsp]'`). ``analysis`` computes a document's diagnostics, inlay hints and hovers as plain
data, in a process of its own (``worker``) that a change can stop; ``lsp`` speaks the protocol.
Set-up for editors: docs/editors.md."""
from __future__ import annotations


def main() -> None:
    """Serve on stdin and stdout until the editor says exit; without pygls, say how to get it."""
    try:
        import pygls  # noqa: F401
    except ImportError:
        from convcalc.errors import UsageError

        raise UsageError("convcalc server needs pygls: pip install 'convcalc[lsp]'") from None
    import os
    import sys

    from convcalc.server.lsp import main as serve

    serve()
    sys.stdout = open(os.devnull, "w")  # the protocol closed the real one: nothing more is written there
