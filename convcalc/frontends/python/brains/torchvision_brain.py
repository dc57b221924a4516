"""torchvision's classifiers called by their package's name (``torchvision.models.resnet18(...)``,
``from torchvision import models`` then ``models.vgg16(...)``: transfer learning's first line): the
function of convcalc's own description of them (library/torchvision_classic.py), read as a file
its imports would read. A model the description does not hold is not followed, as before."""
from __future__ import annotations

import os

from convcalc.frontends.python.brains import register_prefix
from convcalc.frontends.python.pyclasses import ClassInfo
from convcalc.frontends.python.pyobjects import Function, call
from convcalc.frontends.python.reasons import Unfollowable

DESCRIPTION = "torchvision_classic.py"


def described_model(frame, qname: str, args, node):
    from convcalc.frontends.python.imports import LIBRARY_DIR, import_file

    name = qname[len("torchvision.models."):]
    scope = import_file(frame, os.path.join(LIBRARY_DIR, DESCRIPTION), node) if "." not in name else None
    made = scope.vars.get(name) if scope is not None and not name.startswith("_") else None
    if not isinstance(made, (Function, ClassInfo)):
        raise Unfollowable(f"{qname} is not followed", node)
    return call(frame, made, args, node)


register_prefix("torchvision.models", described_model)
