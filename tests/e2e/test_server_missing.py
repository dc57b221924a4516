"""`convcalc server` where pygls is not installed: one line that says how to get it, exit 2."""
import subprocess
import sys

PROBE = """
import sys
sys.modules["pygls"] = None  # as if the lsp extra were not installed
sys.argv = ["convcalc", "server"]
from convcalc.cli import main
main()
"""


def test_without_the_lsp_extra_the_server_says_how_to_get_it():
    proc = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "convcalc: error: convcalc server needs pygls: pip install 'convcalc[lsp]'"
    assert "Traceback" not in proc.stderr
