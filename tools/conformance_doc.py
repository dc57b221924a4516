"""Write the list of what the Python frontend follows into docs/python-models.md, from the
conformance suite (tests/unit/frontends/conformance/): run it after changing the interpreter or
the suite; tests/unit/frontends/conformance/test_conformance.py checks the page is current.

    python tools/conformance_doc.py
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "support"))
sys.path.insert(0, ROOT)

import conformance  # noqa: E402  (tests/support/conformance.py: the harness)


def main() -> int:
    with open(conformance.DOC, encoding="utf-8") as handle:
        text = handle.read()
    part = conformance.render_doc(conformance.verdicts())
    old = conformance.doc_part(text)
    if not old:
        print(f"{conformance.DOC}: no {conformance.DOC_BEGIN!r} marker", file=sys.stderr)
        return 1
    new = text.replace(old, part)
    if new != text:
        with open(conformance.DOC, "w", encoding="utf-8") as handle:
            handle.write(new)
    print(f"{conformance.DOC}: {'updated' if new != text else 'already current'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
