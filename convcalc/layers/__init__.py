"""The layer catalogue: each layer's PyTorch signature, shape rule, parameter rule and traits.

``registry`` holds what a layer is (:class:`~convcalc.layers.registry.LayerSpec`, its
:class:`~convcalc.layers.registry.Traits`, bound :class:`~convcalc.layers.registry.Args`);
``common`` the helpers the rules share (results, errors, argument and shape checks);
one module per family registers its layers; ``catalogue`` imports every family and is where
the rest of convcalc looks a layer up. The rest of convcalc asks a spec's traits (rank, the
argument that names the input channels, geometry, receptive-field rule, ...), never its name.
"""
