"""What every exercise checker promises, whatever its chapter."""

from __future__ import annotations

import numpy as np
import pytest
import test_exercises_derivation
import test_exercises_gradients
import test_exercises_matrices
from exercise_cases import assert_named, assert_passes, right_answers, wrong_answers

from softmax_derivative import exercises
from softmax_derivative.exercises import derivation, gradients, matrices, performance

CHECKERS = [getattr(exercises, name) for name in exercises.__all__ if name.startswith("check_")]
TABLES = [
    *test_exercises_derivation.TABLES,
    *test_exercises_matrices.TABLES,
    *test_exercises_gradients.TABLES,
]
#: The performance chapter's checkers are tested in test_exercises_performance.py.
TESTED_ELSEWHERE = set(performance.__all__)


@pytest.mark.parametrize(("checker", "answer"), right_answers(TABLES))
def test_every_right_answer_passes(checker, answer):
    assert_passes(checker, answer)


@pytest.mark.parametrize(("checker", "answer", "words"), wrong_answers(TABLES))
def test_every_wrong_answer_is_named(checker, answer, words):
    assert_named(checker, answer, words)


def test_every_checker_is_exported_from_the_package():
    modules = (derivation, matrices, gradients, performance)
    exported = [name for module in modules for name in module.__all__]
    assert sorted(exported) == sorted(c.__name__ for c in CHECKERS)


def test_every_checker_has_one_table_of_answers():
    tabled = [table.checker.__name__ for table in TABLES]
    assert len(tabled) == len(set(tabled)), "a checker has two tables"
    assert set(tabled) == {c.__name__ for c in CHECKERS} - TESTED_ELSEWHERE


def test_every_table_has_right_and_wrong_answers():
    thin = [t.checker.__name__ for t in TABLES if len(t.right) < 2 or len(t.wrong) < 4]
    assert not thin, f"tables with fewer than 2 right or 4 wrong answers: {thin}"


@pytest.mark.parametrize("checker", CHECKERS, ids=lambda c: c.__name__)
def test_a_raising_function_is_reported_not_propagated(checker):
    def broken(*args):
        raise ZeroDivisionError("boom")

    verdict = checker(broken)
    assert not verdict.passed
    assert verdict.message == "your function raised ZeroDivisionError: boom"
    assert repr(verdict).startswith("Not yet: ")


@pytest.mark.parametrize(
    "table", [t for t in TABLES if t.changes_inputs_is_fine], ids=lambda t: t.checker.__name__
)
def test_a_learner_who_writes_into_the_inputs_is_graded_on_the_answer(table):
    right = next(iter(table.right.values()))

    def vandal(*args):
        result = np.array(right(*args), dtype=float)
        for a in args:
            if isinstance(a, np.ndarray):
                a += 1.0
        return result

    assert_passes(table.checker, vandal)
