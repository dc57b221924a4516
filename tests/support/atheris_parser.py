"""Coverage-guided fuzzing of the network parser and the shape analysis with atheris.

Not a pytest module (the name does not start with test_): run it by hand or in a nightly job.

    python tests/support/atheris_parser.py -runs=50000 -max_len=4096 -artifact_prefix=/tmp/cc- [CORPUS_DIR ...]

With no corpus directory it starts from examples/*.net (copied to a fresh temporary
directory, so that atheris's new inputs do not land in the repository). Any exception other
than ConvcalcError/UsageError is a crash: atheris prints the traceback and writes the input
to ``<artifact_prefix>crash-<sha1>``; replay one with ``python tests/support/atheris_parser.py FILE``.
A ConvcalcError must also point into the source (line and column within it), since that is
what the message shows with a caret.
"""
from paths import ROOT, FUZZ_CORPUS
import shutil
import sys
import tempfile

import atheris

with atheris.instrument_imports():
    from convcalc import nodes
    from convcalc.frontends import syntax
    from convcalc.errors import ConvcalcError, UsageError
    from convcalc.engine.shapes import analyse

# the CLI raises the limit the same way; deep nesting must end in a message, not a RecursionError
sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))


def check_span(error: ConvcalcError, src: str) -> None:
    """The line exists (or is one past the end), the column is at most one past the line's end."""
    span = error.span
    if span is None:
        return
    lines = src.split("\n")
    if not 1 <= span.line <= len(lines) + 1:
        raise AssertionError(f"{error.code} {error.message!r}: line {span.line} outside 1..{len(lines)}")
    text = lines[span.line - 1] if span.line <= len(lines) else ""
    if not 1 <= span.col <= len(text) + 1:
        raise AssertionError(f"{error.code} {error.message!r}: column {span.col} outside line {span.line} "
                             f"of length {len(text)}: {text!r}")
    error.diagnostic("fuzz.net", src).render()  # the caret line is built from the span


def TestOneInput(data: bytes) -> None:
    src = data.decode("utf-8", errors="surrogateescape")
    try:
        program = syntax.parse(src, "fuzz.net")
    except (ConvcalcError, UsageError) as exc:
        if isinstance(exc, ConvcalcError):
            check_span(exc, src)
        return
    assert isinstance(program, nodes.Program)
    try:
        analysis = analyse(program)
    except UsageError:
        return
    for problem in [*analysis.warnings, *([analysis.error] if analysis.error else [])]:
        check_span(problem, src)


def seeded_corpus(argv: list) -> list:
    """Without a corpus directory among the arguments, a temporary copy of examples/*.net and
    of the regression corpus's network files (atheris writes its new inputs there)."""
    if any(not arg.startswith("-") for arg in argv[1:]):
        return argv
    seeds = tempfile.mkdtemp(prefix="convcalc-atheris-")
    for seed in [*sorted((ROOT / "examples").glob("*.net")), *sorted((FUZZ_CORPUS).glob("*.net"))]:
        shutil.copy(seed, seeds)
    return [*argv, seeds]


if __name__ == "__main__":
    atheris.Setup(seeded_corpus(sys.argv), TestOneInput)
    atheris.Fuzz()
