"""What every exercise checker promises, whatever its module."""

import pytest

from softmax_derivative import exercises
from softmax_derivative.exercises import derivation, gradients, matrices, performance

CHECKERS = [getattr(exercises, name) for name in exercises.__all__ if name.startswith("check_")]


def test_every_module_exports_its_checkers_from_the_package():
    modules = (derivation, matrices, gradients, performance)
    exported = [name for module in modules for name in module.__all__]
    assert sorted(exported) == sorted(c.__name__ for c in CHECKERS)


@pytest.mark.parametrize("checker", CHECKERS, ids=lambda c: c.__name__)
def test_a_raising_function_is_reported_not_propagated(checker):
    def broken(*args):
        raise ZeroDivisionError("boom")

    verdict = checker(broken)
    assert not verdict.passed
    assert verdict.message == "your function raised ZeroDivisionError: boom"
    assert repr(verdict).startswith("Not yet: ")
