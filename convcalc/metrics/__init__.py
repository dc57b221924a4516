"""Per-layer mult-adds (two conventions), memory and receptive fields.

``measure.measure(program, input_override)`` walks the program once, as the shape engine does,
and returns a ``Measured`` analysis: the same rows and totals, plus one ``RowInfo`` per row
(receptive field, fvcore mult-adds, kernel/stride/padding, the blocks around the row, for
``--depth``). ``fields`` is the algebra of receptive fields, ``rules`` what each kind of layer
does to a field (a table keyed by the layer's ``field`` trait) and to fvcore's count,
``memory`` the byte figures and mult-add totals.
"""
