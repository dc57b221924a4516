"""Where the tests find the repository and their fixtures, wherever the test module sits."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
TESTS = ROOT / "tests"
EXAMPLES = ROOT / "examples"
FIXTURES = TESTS / "fixtures"
CORPUS = FIXTURES / "corpus"
FUZZ_CORPUS = FIXTURES / "fuzz_corpus"
LINT_MODELS = CORPUS / "lint_models"
