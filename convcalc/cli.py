"""The command line: one click group; command bodies stay short."""
from __future__ import annotations

import functools
import os
import sys

import click

from convcalc import __version__
from convcalc.errors import ConvcalcError, UsageError
from convcalc.output import CleanStream, echo, write_file
from convcalc.shown import printable, shown_path
# what the commands share (reading a network, one model, tables or JSON, problems): cli_support.py
from convcalc.cli_support import (DepthType, analyse_all, emit, load_network, not_ok, nothing_accepted, one_model,
                                  picture_kind, problems)


class Failure(click.ClickException):
    """A usage or input error: its text on stderr, as rendered (UsageError.render), no traceback."""

    def __init__(self, text: str, exit_code: int = 2):
        super().__init__(text)
        self.exit_code = exit_code

    def show(self, file=None):
        echo(self.format_message(), err=True)


def handle_errors(command):
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except UsageError as exc:
            raise Failure(exc.render()) from None
        except RecursionError:
            raise Failure("convcalc: error: the description is nested too deeply to analyse", 1) from None
    return wrapper


def network_options(command=None, *, table: bool = True):
    """NET / - / -e TEXT, --input, --format and --model, shared by every command that reads a network
    (``table=False``: no --format, for a command that writes a picture)."""
    if command is None:
        return functools.partial(network_options, table=table)
    options = [
        click.argument("net", required=False, metavar="NET"),
        click.option("-e", "--expr", help="A one-line description, e.g. -e 'input 3x32x32; Conv2d(3, 8, 3)'."),
        click.option("--input", "input_dims", metavar="DIMS", help="Input shape, e.g. 3x32x32 or 3xHxW; "
                     "overrides the file's input line."),
        click.option("--format", "fmt", default="simple", show_default=True, metavar="FORMAT",
                     help="simple, or any table format of tabulate (github, grid, markdown is github, latex, "
                          "psql, ...), csv (the rows alone) or json (one object: rows, totals, diagnostics)."),
        click.option("--model", help="In a Python file: the model to show, by name, or a call that builds it, "
                     "e.g. --model \"VGG('VGG16')\"."),
        click.option("--train", is_flag=True, help="Follow a Python model's forward in training mode "
                     "(self.training is True); eval mode by default, as torchinfo."),
    ]
    if not table:
        del options[3]  # --format
    for option in reversed(options):
        command = option(command)
    return handle_errors(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="convcalc")
def cli():
    """Shapes, parameter counts and shape errors of CNNs, computed without PyTorch.

    Example: convcalc shapes examples/course_cnn.net
    """
    from convcalc.limits import configure_interpreter

    configure_interpreter()  # the stack for every recursive pass (not only limits.deep_stack's), and the collector


@cli.command()
@network_options
@click.option("--batch", default=1, show_default=True, type=click.IntRange(1, 1_000_000),
              help="Batch size for mult-adds.")
@click.option("--columns", metavar="LIST", help="Columns after line and layer, comma-separated, in any order: "
              "input,output,params,macs,macs%,memory,rf,kernel,stride,padding (default output,params).")
@click.option("--convention", type=click.Choice(["torchinfo", "fvcore", "thop", "ptflops", "torch-scan", "torchstat"]),
              default="torchinfo", show_default=True,
              help="Mult-adds as torchinfo counts them (weights and biases), as fvcore (torch.utils.flop_counter / 2: "
                   "fused multiply-adds of conv, linear and matrix products, no bias), or as thop, ptflops, "
                   "torch-scan or torchstat count them (module calls, each by the tool's own rules; a row a tool "
                   "has no figure for makes the total none, and says why).")
@click.option("--by-op", "by_op", is_flag=True, help="Mult-adds and parameters per layer type and tensor operation, "
              "with their share of the total, instead of one row per layer.")
@click.option("--dtype", type=click.Choice(["float32", "float16", "bfloat16", "float64"]), default="float32",
              show_default=True, help="Element type for the memory figures.")
@click.option("--depth", type=DepthType(), metavar="N|all",
              help="Fold def calls, blocks and submodules nested deeper than N into one row each, as torchinfo's "
                   "depth; a table of over 100 rows folds by itself, and says so (all: every row).")
@click.option("--tree", is_flag=True, help="The module tree, as torchinfo shows it: a row for each submodule (or "
                                           "def call) with its parameters, every name indented by its depth.")
@click.option("--units", type=click.Choice(["auto", "K", "M", "G"]), metavar="auto|K|M|G",
              help="Parameters and mult-adds in thousands, millions or billions (auto: each in the largest it "
                   "reaches), as torchinfo's summary; exact numbers by default. Tables only: JSON stays exact.")
def shapes(net, expr, input_dims, fmt, model, train, batch, columns, convention, dtype, by_op, depth, tree, units):
    """Per-layer output shapes and parameter counts.

    Example: convcalc shapes examples/course_cnn.net --input 3x64x64
    --columns output,params,macs,memory,rf
    """
    from convcalc.engine.shapes import analyse
    from convcalc.report import shapes as report
    from convcalc.report.rows import parse_columns

    chosen = parse_columns(columns)
    auto = depth is None and fmt not in ("json", "csv")  # a long table folds by itself; data keeps every row
    depth = None if depth == "all" else depth
    programs, override = load_network(net, expr, input_dims, model, train, fmt)  # once: stdin is read once
    if by_op:
        from convcalc.report import byop

        emit([analyse(program, override) for program in programs], fmt,
             lambda a: byop.by_op_table(a, fmt, batch, convention),
             lambda a: {**report.shapes_json(a, batch, convention, dtype, depth), "by_op": byop.by_op_json(a, batch,
                                                                                                          convention)})
        return
    emit([analyse(program, override) for program in programs], fmt,
         lambda a: report.shapes_table(a, fmt, batch, chosen, convention, dtype, depth, auto and not tree, tree,
                                       units),
         lambda a: report.shapes_json(a, batch, convention, dtype, depth))


@cli.command()
@network_options
@click.option("--draw", "picture", metavar="FILE.svg", help="Write the input with the receptive field of the centre "
              "output unit of a layer drawn on it (instead of the table; one line says where it went).")
@click.option("--layer", type=click.IntRange(1, None), metavar="LINE", help="With --draw: the layer on this line "
              "(by default the last whose field is a window of the input).")
def rf(net, expr, input_dims, fmt, model, train, picture, layer):
    """Receptive field per layer: size, jump and start (Araujo et al., Distill 2019).

    Sizes count input pixels, padding included; start is the centre of unit 0's field.
    Adds and concats take the union of their inputs' fields; global pooling and a Linear
    make it the whole input; after transposed convolutions and upsampling the units are
    spaced unevenly and the size is the largest (<= where they differ).

    Example: convcalc rf examples/vgg16.net
    """
    from convcalc.metrics.measure import measure
    from convcalc.report import metrics as report

    if layer is not None and picture is None:
        raise UsageError("--layer LINE goes with --draw FILE.svg")
    if picture is not None:
        picture_kind(picture, "--draw")
    analyses = analyse_all(net, expr, input_dims, model, measure, train)
    if picture is not None:  # the picture is the output: one line says where it went (the table is rf's own)
        from convcalc.pictures.field import draw

        analysis = one_model(analyses, "--draw")
        problems(analysis)
        svg, summary = draw(analysis, layer)
        write_file(picture, svg)
        echo(f"wrote {shown_path(picture)}: {summary}")
        if not_ok(analysis):
            sys.exit(1)
        return
    emit(analyses, fmt, lambda a: report.rf_table(a, fmt), report.rf_json)


@cli.command()
@network_options(table=False)
@click.option("-o", "--output", "picture", required=True, metavar="FILE.svg|FILE.html",
              help="The diagram as SVG, or an HTML page with the shapes table beside it (hover a row or a box).")
@click.option("--depth", type=DepthType(), metavar="N|all",
              help="Fold def calls and submodules nested deeper than N into one box each, as in shapes; a network "
                   "of over 30 rows folds by itself (all: every row).")
@click.option("--direction", type=click.Choice(["TB", "LR"]), default="TB", show_default=True,
              help="TB: a layered graph top to bottom, branches side by side, wrapped into columns to fit a "
                   "1280 x 720 slide (an encoder-decoder drawn as a U); LR: one strip, left to right.")
@click.option("--scale", type=click.Choice(["linear", "log"]), default="linear", show_default=True,
              help="How the drawn tensors' sizes follow the shapes (the legend says which).")
def draw(net, expr, input_dims, model, train, picture, depth, direction, scale):
    """A diagram of the network as a layered graph: a box per layer or folded block, with its
    output drawn to scale (height from the spatial size, thickness from the channels), its shape,
    settings and parameters; every edge a tensor, labelled with its name or shape; the layer
    where the network breaks in red.

    Example: convcalc draw examples/course_cnn.net -o course_cnn.svg

    Example: convcalc draw examples/resnet18.net -o resnet18.html --depth 2
    """
    from convcalc.metrics.measure import measure
    from convcalc.pictures.network import diagram

    suffix = picture_kind(picture, "-o", (".svg", ".html", ".htm"))
    analysis = one_model(analyse_all(net, expr, input_dims, model, measure, train), "draw")
    problems(analysis)
    text, summary = diagram(analysis, depth, suffix != ".svg", direction, scale == "log")
    write_file(picture, text)
    echo(f"wrote {shown_path(picture)}: {summary}")
    if not_ok(analysis):
        sys.exit(1)


@cli.command()
@network_options
def params(net, expr, input_dims, fmt, model, train):
    """Parameter count of every layer with the formula filled in.

    Example: convcalc params examples/resnet18.net
    """
    from convcalc.engine.derive import network_input
    from convcalc.engine.shapes import analyse
    from convcalc.nodes import NETWORK
    from convcalc.report import shapes as report

    programs, override = load_network(net, expr, input_dims, model, train, fmt)
    analyses = []
    for program in programs:
        given = override
        if given is None and program.input is None and program.frontend is NETWORK:
            given = network_input(program)  # parameters need no input size: the first layer's rank serves
        analyses.append(analyse(program, given))
    emit(analyses, fmt, lambda a: report.params_table(a, fmt), report.params_json)


@cli.command()
@click.argument("input_size", metavar="I")
@click.option("-k", "--kernel", metavar="K", help="Kernel size: 3, or one per axis (3x5). Required unless --solve.")
@click.option("-s", "--stride", metavar="S", help="Stride, 2 or 2x1.  [default: 1; with --pool the kernel]")
@click.option("-p", "--padding", metavar="P", help="Padding: 1 or 1x2, or same or valid as in Conv2d.  [default: 0]")
@click.option("-d", "--dilation", metavar="D", help="Dilation.  [default: 1]")
@click.option("--ceil", is_flag=True, help="ceil_mode=True, as in pooling layers.")
@click.option("--pool", is_flag=True, help="A pooling layer: the stride defaults to the kernel (as MaxPool2d), and "
                                           "the padding may be at most half the kernel.")
@click.option("--transposed", is_flag=True, help="A transposed convolution.")
@click.option("--output-padding", metavar="OP", help="output_padding of a transposed convolution.  [default: 0]")
@click.option("--solve", "wanted", type=click.IntRange(1, 10**9), metavar="O",
              help="List the settings that give output size O (the options given stay fixed), smallest kernel "
                   "first; one axis.")
@click.option("--max-kernel", type=click.IntRange(1, 1000), default=11, show_default=True,
              help="With --solve: the largest kernel searched.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="The arithmetic as text, or the sizes and settings as JSON.")
@click.option("--animate", "picture", metavar="FILE.svg", help="Write an animated SVG of the window sliding over the "
              "input, instead of the arithmetic (1-d or 2-d sizes; a transposed convolution over its zero-spread "
              "input).")
@click.option("--frame", type=click.IntRange(0, None), metavar="N",
              help="With --animate: one still of output position N (0-based, row-major) instead.")
@click.option("--values", is_flag=True, help="With --animate: numbers in the cells and each output's written-out "
              "sum (with --pool, its max), computed by the reference executor.")
@click.option("--image", metavar="ROWS", help="With --values: the input's numbers, e.g. \"1 2 3; 4 5 6; 7 8 9\".")
@click.option("--weights", metavar="ROWS", help="With --values: the kernel's numbers, e.g. \"1 0 1; 0 1 0; 1 0 1\" "
              "(-k/--kernel is its size).")
@handle_errors
def size(input_size, kernel, stride, padding, dilation, ceil, pool, transposed, output_padding, wanted, max_kernel,
         fmt, picture, frame, values, image, weights):
    """One output size with the arithmetic shown: O = floor((I - K + 2P)/S) + 1, for one axis
    or each of 2 or 3 (224x224, 16x112x112).

    Example: convcalc size 32 -k 3 -s 2 -p 1

    Example: convcalc size 224x224 -k 7 -s 2 -p 3

    Example: convcalc size 32 -k 2 --pool

    With --solve O, the settings that give O: convcalc size 32 --solve 16 -k 3
    """
    if wanted is not None:
        from convcalc import solve
        from convcalc.lookup import sizes

        if pool or padding in ("same", "valid"):
            raise UsageError("--solve searches numeric settings: leave out --pool and -p same/valid")
        one = [sizes(text, what, 1)[0] if text is not None else None for text, what in
               ((kernel, "-k/--kernel"), (stride, "-s/--stride"), (dilation, "-d/--dilation"))]
        (I,) = sizes(input_size, "the input size (one axis with --solve)", 1, high=10**9)
        k, s, d = one
        p = sizes(padding, "-p/--padding", 1, low=0)[0] if padding is not None else None
        if transposed:
            result = solve.solve_transposed(I, wanted, k, s, p, d, max_kernel)
        else:
            result = solve.solve_sliding(I, wanted, k, s, p, d, ceil, max_kernel)
        if fmt == "json":
            from convcalc.report.common import dump

            echo(dump({"input": [I], "output": [wanted], "ok": result.ok, "lines": result.lines}))
        else:
            echo("\n".join(result.lines))
        sys.exit(0 if result.ok else 1)
    if kernel is None:
        raise UsageError("-k/--kernel is required (or --solve O to search for settings)")
    from convcalc.lookup import lookup

    result = lookup(input_size, kernel, stride, padding, dilation, ceil, transposed, output_padding, pool,
                    cells=picture is not None)  # a 1-d picture's caption speaks of its cells
    if frame is not None and picture is None:
        raise UsageError("--frame N goes with --animate FILE.svg")
    if (values or image or weights) and picture is None:
        raise UsageError("--values, --image and --weights go with --animate FILE.svg")
    if picture is not None:  # the picture is the output: one line says where it went
        from convcalc.pictures.slide import axes_of, draw

        picture_kind(picture, "--animate")
        if fmt == "json":
            raise UsageError("--format json prints the arithmetic, --animate writes a picture: give one of them")
        worked = None
        if values or image or weights:
            from convcalc.pictures.worked import Worked

            axes_of(result)  # what cannot be drawn says so first
            worked = Worked(result, image, weights)
        svg, summary = draw(result, frame, worked)
        write_file(picture, svg)
        echo(f"wrote {shown_path(picture)}: {summary}")
        sys.exit(0 if result.ok else 1)
    if fmt == "json":
        from convcalc.report.common import dump

        echo(dump(result.json()))
    else:
        echo("\n".join(result.lines()))
    if not result.ok:
        sys.exit(1)


@cli.command()
@network_options
@click.option("--limit", type=click.IntRange(1, 100_000), default=256, show_default=True,
              help="Pairs (H, W) solving a Linear's equation are listed for H up to this; an input that "
                   "cannot be decided exactly is checked up to it.")
def inputs(net, expr, input_dims, fmt, model, train, limit):
    """Which input sizes a network accepts, for a symbolic input (input 3xHxW): per symbol the
    sizes every layer accepts, those every division is exact for, the conditions adds and
    concats impose, and the sizes a Linear after Flatten requires. Decided exactly, not sampled.

    Example: convcalc inputs examples/symbolic_cnn.net
    """
    from convcalc.inputs.analysis import analyse_inputs
    from convcalc.limits import OverBudget, SearchBudget, refusal
    from convcalc.report import inputs as report
    from convcalc.report.common import dump

    if fmt not in ("simple", "text", "json"):  # a report, not a table: checked before the search runs
        raise UsageError(f"inputs prints a report, not a table: --format text (the default) or json, not {fmt!r}")
    from convcalc.report.progress import Progress

    def inputs_bar(total: int):
        return Progress(total, what="inputs")

    programs, override = load_network(net, expr, input_dims, model, train)
    reports = []
    for program in programs:
        try:
            with SearchBudget("deciding which input sizes are valid"):
                result = analyse_inputs(program, override, limit, progress=inputs_bar)
        except OverBudget as exc:
            raise refusal(f"{exc}; give one size with --input", program) from None
        except ConvcalcError as exc:  # no input line: reported as shapes reports it
            echo(exc.diagnostic(program.path, program.source).render(), err=True)
            sys.exit(1)
        if result.accepted is not None and result.accepted.is_empty:  # exit 1: say where, with a position
            problem = result.error or nothing_accepted(result, program)
            echo(problem.diagnostic(program.path, program.source).render(), err=True)
        reports.append(result)
    if fmt == "json":
        data = [report.inputs_json(r) for r in reports]
        echo(dump(data[0] if len(data) == 1 else {"models": data}))
    else:
        echo("\n\n".join(report.inputs_text(r) for r in reports))
    if any(r.accepted is not None and r.accepted.is_empty for r in reports):
        sys.exit(1)


@cli.command()
@click.argument("paths", nargs=-1, metavar="PATH...")
@click.option("--select", metavar="CODES", help="Only these codes or prefixes, comma-separated (CC1,CC202); "
              "overrides [tool.convcalc] select.")
@click.option("--ignore", metavar="CODES", help="Leave out these codes or prefixes; overrides [tool.convcalc] ignore.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip matching files and directories (repeatable).")
@click.option("--input", "input_dims", metavar="DIMS", help="Input shape for every model, e.g. 3x32x32.")
@click.option("--format", "fmt", default="text", show_default=True, metavar="FORMAT",
              help="text, json, github (GitHub Actions annotations), sarif (GitHub code scanning) or gitlab "
                   "(GitLab Code Quality).")
@click.option("-v", "--verbose", is_flag=True, help="Also show notes: what the Python frontend did not follow.")
@click.option("-q", "--quiet", is_flag=True, help="Print the findings and nothing else (no notices, no summary).")
@click.option("--statistics", "stats", is_flag=True, help="Count the findings per code instead of listing them.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings (2 stays for usage errors).")
@click.option("--color", "color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
              help="Colours in the text format: auto on a terminal unless NO_COLOR is set.")
@click.option("--stdin-filename", metavar="NAME", help="With PATH -: the name of the file the text on stdin is "
              "(its suffix picks the frontend; its path, the configuration and per-file settings).")
@click.option("--list-codes", is_flag=True, help="List the codes with their severity and meaning.")
@click.option("--strict", is_flag=True, help="A model followed partly or not at all is a finding (CC301, CC302); "
              "also strict = true in [tool.convcalc].")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the per-file cache (.convcalc_cache/ here, or "
              "CONVCALC_CACHE_DIR).")
@click.option("--jobs", type=click.IntRange(1, 64), metavar="N", help="Lint in N processes (default: one per core "
              "when there are enough files to lint and cores to spare).")
@click.option("--hook", is_flag=True, hidden=True,
              help="As the pre-commit hook runs it: the trailing arguments that are paths are file names, even one "
                   "named like an option (the console script moves them after --: see hook_arguments).")
@handle_errors
def lint(paths, select, ignore, exclude, input_dims, fmt, verbose, quiet, stats, exit_zero, color, stdin_filename,
         list_codes, strict, no_cache, jobs, hook):
    """Diagnostics for network files (.net) and PyTorch model definitions (.py); the pre-commit hook.

    Exit 0 when clean, 1 on any finding, 2 on usage or configuration errors.

    Example: convcalc lint models/ --input 3x32x32
    """
    from convcalc.lint import main as lint_main

    import os

    coloured = color == "always" or (color == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    out, errors, code = lint_main(paths, select, ignore, exclude, input_dims, fmt, verbose, list_codes, strict,
                                  quiet, stats, exit_zero, stdin_filename, coloured, not no_cache, jobs)
    for line in errors:
        echo(line, err=True)
    if out:
        echo(out, styled=coloured)
    sys.exit(code)


@cli.command()
@click.argument("code", metavar="CODE")
@handle_errors
def explain(code):
    """What a diagnostic code means, an example that has it (with what convcalc says of it) and the fix.

    Example: convcalc explain CC102
    """
    from convcalc.lint.explain import explain as explained

    echo(explained(code))


@cli.command()
@network_options
@click.option("--seed", default=0, show_default=True, type=click.IntRange(0, 2**63 - 1),
              help="Seed of the random input and weights.")
@click.option("--batch", default=1, show_default=True, type=click.IntRange(1, 1024), help="Batch size of the run.")
@click.option("--max-macs", default=100_000_000, show_default=True, type=click.IntRange(0), metavar="N",
              help="Work budget in multiply-adds: a larger run stops before it starts (0: no limit).")
def verify(net, expr, input_dims, fmt, model, train, seed, batch, max_macs):
    """Run the network in the pure-Python reference executor on a seeded random input and
    compare every layer's real output shape and parameter count with the computed ones.
    A symbolic input (3xHxW) runs at the smallest size every layer accepts. Exit 0 when all
    agree, 1 otherwise, 2 when the run would exceed --max-macs (it then says how to go on).

    Example: convcalc verify examples/course_cnn.net --seed 1
    """
    from convcalc import verify
    from convcalc.report import verify as report
    from convcalc.report.common import check_format
    from convcalc.report.progress import Progress

    check_format(fmt)  # before a run that may take a while
    programs, override = load_network(net, expr, input_dims, model, train)
    results = verify.run_all(programs, override, input_dims, seed, batch, max_macs, Progress)
    emit(results, fmt, lambda r: report.verify_table(r, fmt), report.verify_json,
         analysis=lambda r: r.analysis, failed=lambda r: not r.verified)


@cli.command()
@click.option("--stdio", is_flag=True, help="Speak over standard input and output (the default, and the only way).")
@handle_errors
def server(stdio):
    """A Language Server over stdio: lint's diagnostics, each layer's shape as an inlay hint, its row on
    hover, quick fixes (pip install 'convcalc[lsp]'; an editor starts it as `convcalc server`)."""
    from convcalc.server import main as serve

    serve()


def main() -> None:
    """The console script: what no command can catch is caught here, as a message and exit 2
    (a full output device, a closed pipe, memory), never a traceback."""
    sys.argv[1:] = hook_arguments(sys.argv[1:])
    try:
        cli(prog_name="convcalc", standalone_mode=False)
        sys.stdout.flush()
    except click.exceptions.Exit as exc:
        finish(exc.exit_code)
    except click.ClickException as exc:
        exc.show(file=CleanStream(sys.stderr))  # click's own messages quote arguments: a file name, say
        finish(exc.exit_code)
    except click.exceptions.Abort:
        finish(1, "convcalc: aborted")
    except SystemExit as exc:
        finish(exc.code if isinstance(exc.code, int) else 1)
    except BrokenPipeError:  # `convcalc shapes net | head`: the reader left; nothing more to say
        finish(0, quiet=True)
    except OSError as exc:
        finish(2, f"convcalc: error: cannot write the output: {exc.strerror or exc}")
    except MemoryError:
        finish(2, "convcalc: error: out of memory (the input asks for more than this machine has; see the bounds "
                  "in the README)")
    except Exception as exc:  # a bug of convcalc's: a plain message and exit 2, the traceback on request
        if os.environ.get("CONVCALC_DEBUG"):
            raise
        finish(2, f"convcalc: internal error: {type(exc).__name__}: {str(exc)[:300]} (please report it with the "
                  "input; CONVCALC_DEBUG=1 shows the traceback)")
    finish(0)


def finish(code: int, message: str = "", quiet: bool = False) -> None:
    """Exit with ``code`` after ``message`` on stderr; output that can no longer be written (a
    full device, a closed pipe) is dropped, so that Python's own flush at exit cannot fail."""
    if message:
        try:
            print(printable(message, lines=True), file=sys.stderr)
        except (OSError, ValueError):
            pass
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        code = code or (0 if quiet else 2)
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    sys.exit(code)


def hook_arguments(argv: list) -> list:
    """`convcalc lint --hook ...`, as the pre-commit hook runs it: pre-commit appends the file
    names to the hook's arguments, so a file named `--exclude=*.net` would read as an option.
    The trailing arguments that are existing paths are the file names: they go after `--`."""
    if argv[:2] != ["lint", "--hook"] or "--" in argv:
        return argv
    rest = argv[2:]
    split = len(rest)
    while split > 0 and os.path.lexists(rest[split - 1]):
        split -= 1
    return ["lint", "--hook"] + rest[:split] + ["--"] + rest[split:]
