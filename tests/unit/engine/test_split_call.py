"""A call's text split into what is called and its arguments: the last call of a chain, so a
table shows ``self.q(x).flatten(2)`` as written, not ``self.q(start_dim=2)``."""
from convcalc.engine.resolved import split_call


def test_the_last_call_of_a_chain_is_split():
    assert split_call("self.q(x).flatten(2)") == ("self.q(x).flatten", "2)")
    assert split_call("x.view(x.size(0), -1)") == ("x.view", "x.size(0), -1)")


def test_brackets_in_strings_and_arguments_do_not_count():
    assert split_call("F.pad(x, (1, 1))") == ("F.pad", "x, (1, 1))")
    assert split_call("f(')')") == ("f", "')')")
    assert split_call("nn.Conv2d(3, 8, 3)") == ("nn.Conv2d", "3, 8, 3)")
