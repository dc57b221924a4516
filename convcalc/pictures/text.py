"""Text that goes into a picture: what a terminal would act on replaced (errors.printable), and
what XML 1.0 cannot hold (surrogates, U+FFFE/U+FFFF) too, so that every SVG and page parses;
ElementTree escapes the rest (<, >, &, quotes)."""
from __future__ import annotations

import re

from convcalc.errors import printable

NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def clean(text) -> str:
    return NOT_XML.sub("\ufffd", printable(str(text)))


def short(text: str, width: int) -> str:
    """At most ``width`` characters, an ellipsis standing for the rest."""
    return text if len(text) <= width else text[:width - 1] + "…"
