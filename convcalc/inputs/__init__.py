"""`convcalc inputs`: which sizes a network with a symbolic input (``input 3xHxW``) accepts.

For each symbol the answer is stated as bounds and congruences (``H ≥ 4 and H ≡ 0 (mod 4)``)
and it is *decided*, not sampled. The method, symbol by symbol (the others stay symbolic):

1. **Relaxed symbolic walk.** The network is walked once with symbolic sizes. Checks that
   compare a size with something that must be *equal* to it (a residual add or a concat of
   two branches, a Linear's in_features, a norm's num_features) are not failed but
   recorded as equations, and the walk continues with the first operand (a Python model's
   ``x.view(-1, 400)`` likewise: its element count is an equation). Every other check
   in the catalogue compares one dimension with constants (the kernel must fit: monotone
   in the size) or looks at it modulo a stride (exact division: CC201; PixelUnshuffle,
   Unflatten divisibility).
2. **Quasi-polynomials.** Every size that depends on the symbol ``s`` only is a
   quasi-polynomial (convcalc/quasi.py): with ``P`` the lcm of their periods, on each
   residue class ``s = i + k*P`` every size is a polynomial in ``k``. So every modular check
   is the same for all ``k`` (a bounded polynomial is constant), and every monotone check
   is decided for good once each size has passed the smallest input at which that layer,
   run on its own, is accepted (found by running the layer's rule on 1, 2, ... up to a
   bound computed from its geometric arguments, past which every size check passes). This
   gives a ``K`` beyond which the outcome of the whole network, for each residue class,
   no longer changes.
3. **Integer engine.** The same walk is run with integer sizes for ``s = 1 .. (K+1)*P``
   (the relaxed equations excepted, everything as ``analyse`` does), and at every ``s`` the
   integer shapes are compared with the symbolic ones evaluated there. The valid and the
   exact sets are then known for every ``s``: the values below ``K*P``, and one full period
   beyond, which repeats.
4. **Equations.** The recorded equations are solved exactly: an equation in one symbol is
   a quasi-polynomial whose zeros are whole residue classes plus finitely many integer
   roots. An equation in several symbols (a Linear after Flatten) is solved for square
   inputs (all symbols equal) the same way, and for pairs ``(H, W)`` up to a bound, each
   ``H`` solved exactly in ``W``.

If a premise fails (a size that is not a quasi-polynomial, a symbolic walk the engine
refuses, a disagreement between symbolic and integer shapes) the report says so and falls
back to running the integer engine for ``s = 1 .. limit`` with all symbols equal, labelled
"checked, not proven".

What the proof rests on, besides convcalc/quasi.py: that every check of the layer
catalogue is of the three kinds of step 1 (reviewed for conv, pool, resample, dense and
norm layers: kernel fit, reflect/circular padding limits, transposed-convolution and pad
output sizes, Upsample output, ceil_mode's last window, PixelUnshuffle / Unflatten
divisibility); and, for Upsample with a float scale_factor, that PyTorch's double
``floor(L * f)`` equals the rational formula (checked at every size the engine runs,
not beyond). Per-symbol sets leave out checks of sizes that mix several symbols (a
Flatten's product): those are decided with all symbols equal (square inputs), and the
(H, W) pairs listed for an equation are its exact solutions within the per-symbol sets.

The modules: ``relaxed`` (step 1), ``decide`` (steps 2 and 3, one symbol), ``analysis`` (the
whole report: every symbol, square inputs, equations in several symbols, the fallback),
``diagnostics`` (what lint reports of a symbolic input); the arithmetic is in
convcalc/symbolic/.
"""
