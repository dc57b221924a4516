"""A time bound that also stops a hang: the fuzz and hostile-input tests invoke the CLI in
process, where a runaway loop would otherwise stall the whole job instead of failing a test."""
import signal
import time

from click.testing import CliRunner

from convcalc.cli import cli


class Hang(BaseException):
    """Raised by the alarm; a BaseException, so that neither convcalc nor CliRunner catches it."""


def _alarm(signum, frame):
    raise Hang()


def invoke(args, seconds: float, input=None):
    """(click Result, elapsed seconds); AssertionError when the run is still going after ``seconds``."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    start = time.perf_counter()
    try:
        result = CliRunner().invoke(cli, args, input=input)
    except Hang:
        raise AssertionError(f"convcalc {' '.join(str(a) for a in args)[:200]}: still running after {seconds} s") \
            from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return result, time.perf_counter() - start
