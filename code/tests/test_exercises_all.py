"""What every exercise checker promises, whatever its chapter.

The answers to each checker are tabled beside their tests, in the file of its chapters
(``test_exercises_derivation.py`` ...); this file holds the promises of the package as a
whole.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest

from softmax_derivative import exercises

MODULES = [
    importlib.import_module(f"{exercises.__name__}.{info.name}")
    for info in pkgutil.iter_modules(exercises.__path__)
    if not info.name.startswith("_")
]
CHECKERS = [getattr(exercises, name) for name in exercises.__all__ if name.startswith("check_")]


def test_every_checker_of_every_module_is_exported_from_the_package():
    assert len(MODULES) >= 4
    in_modules = [name for module in MODULES for name in module.__all__]
    assert all(name.startswith("check_") for name in in_modules)
    assert sorted(in_modules) == sorted(c.__name__ for c in CHECKERS)


@pytest.mark.parametrize("checker", CHECKERS, ids=lambda c: c.__name__)
def test_a_raising_function_is_reported_not_propagated(checker):
    def broken(*args):
        raise ZeroDivisionError("boom")

    verdict = checker(broken)
    assert not verdict.passed
    assert verdict.message == "your function raised ZeroDivisionError: boom"
    assert repr(verdict).startswith("Not yet: ")
