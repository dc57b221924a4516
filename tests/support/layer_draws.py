"""What the oracle's chains of 2-d layers draw alike (tests/oracle/test_metrics_oracle.py against
torchinfo, tests/oracle/test_peers_conventions.py against the counting tools): a convolution or
transposed convolution on C channels, with groups that divide both channel counts; a layer's text in
a description; and a chain grown layer by layer, each kept where convcalc finds the chain valid."""
import math

from hypothesis import strategies as st


def divisors(n):
    return [d for d in range(1, n + 1) if n % d == 0]


def conv_layer(draw, c: int, kind: str) -> tuple:
    """(name, args, kwargs) of a Conv2d (kind "conv") or ConvTranspose2d ("convT") on c channels."""
    out = draw(st.integers(1, 8))
    k = draw(st.integers(1, 3) | st.tuples(st.integers(1, 3), st.integers(1, 3)))
    s, d = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    groups = draw(st.sampled_from(divisors(math.gcd(c, out))))
    kwargs = dict(stride=s, padding=draw(st.integers(0, 2)), dilation=d, groups=groups, bias=draw(st.booleans()))
    if kind == "convT":
        kwargs["padding"] = draw(st.integers(0, 1))
        kwargs["output_padding"] = draw(st.integers(0, max(s, d) - 1))
        return "ConvTranspose2d", (c, out, k), kwargs
    return "Conv2d", (c, out, k), kwargs


def call_text(name, args, kwargs):
    parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def net_text(shape, layers):
    return "\n".join([f"input {'x'.join(map(str, shape))}"] + [call_text(*layer) for layer in layers]) + "\n"


def grown_chain(draw, shape: tuple, draw_layer) -> tuple:
    """(layers, the last shape): 1 to 6 layers drawn by ``draw_layer(draw, shape)``, each kept where the
    chain with it is valid (as convcalc computes it)."""
    from convcalc.frontends.syntax import parse
    from convcalc.metrics import measure

    layers, current = [], shape
    for _ in range(draw(st.integers(1, 6))):
        layer = draw_layer(draw, current)
        analysis = measure.measure(parse(net_text(shape, layers + [layer]), "t.net"))
        if analysis.ok:
            layers.append(layer)
            current = analysis.rows[-1].shape
    return layers, current
