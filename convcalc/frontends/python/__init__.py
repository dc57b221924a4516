"""The Python frontend: PyTorch model definitions read with ``ast``, never imported or executed.

A small interpreter (interp.py and its mixins) runs a bounded subset of Python over the module's
syntax tree: literals, module-level constants and arithmetic, functions, classes, ``for``
loops over known lists, ``if`` on known values, lists and dicts. Values (values.py) are Python
constants or descriptions of ``torch.nn`` objects (a catalogue layer, ``nn.Sequential``,
``nn.ModuleList``, an instance of a class of the file). A model's ``forward`` is then run on a
tensor (forward.py): every layer it applies, every functional call it knows (torch_api.py)
becomes a node of the tree the shape engine walks. models.py finds the models of a file.

Whatever cannot be followed raises ``Unfollowable``: while building modules the names and
attributes the statement could have written become unknown (recovery.py), so they are never
guessed; in ``forward`` the walk stops there and keeps the layers before it, with a note
saying where and why it stopped.
"""
