"""What the oracle's chains of 2-d layers draw alike (tests/oracle/test_metrics_oracle.py against
torchinfo, tests/oracle/test_peers_conventions.py against the counting tools): a convolution or
transposed convolution on C channels, with groups that divide both channel counts."""
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
