"""Case tables for the exercise checkers, and the verdicts every case is tested for.

Each ``test_exercises_<chapters>.py`` holds one :class:`Cases` per checker of its module of
``softmax_derivative.exercises``, and beside them the tests that read them: the right
answers a learner may write (vectorised, loops, the package's own functions, in place),
each of which must pass, and the plausible wrong ones, each of which must fail with
feedback that names the mistake; :func:`assert_tables_cover` checks that the module's every
checker has one table.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType

import numpy as np
import pytest

from softmax_derivative.exercises import Feedback

# ------------------------------------------------ softmaxes a learner writes, right and wrong


def stable(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def stable_loop(z):
    out = np.empty_like(z)
    for i, row in enumerate(z):
        e = np.exp(row - row.max())
        out[i] = e / e.sum()
    return out


def naive(z, axis=-1):
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def shifted_by(shift):
    """A softmax that subtracts ``shift(z)`` (each row's, or one number) before exp."""
    return lambda z: naive(z - shift(z))


mean_shift = shifted_by(lambda z: z.mean(axis=-1, keepdims=True))


def batch_max(z):
    e = np.exp(z - z.max())
    return e / e.sum(axis=-1, keepdims=True)


# ------------------------------------------------------------------------ tables


@dataclass(frozen=True)
class Cases:
    """The answers to one exercise.

    ``right`` maps a name to an answer that must pass; ``wrong`` maps a name to an answer
    and words its feedback must contain. ``changes_inputs_is_fine`` is False for a checker
    that reports a learner's function writing into its arguments.
    """

    checker: Callable[[Callable], Feedback]
    right: dict[str, Callable]
    wrong: dict[str, tuple[Callable, str]] = field(default_factory=dict)
    changes_inputs_is_fine: bool = True


def right_answers(tables: list[Cases]) -> list:
    return [
        pytest.param(t.checker, answer, id=f"{t.checker.__name__}-{name}")
        for t in tables
        for name, answer in t.right.items()
    ]


def wrong_answers(tables: list[Cases]) -> list:
    return [
        pytest.param(t.checker, answer, words, id=f"{t.checker.__name__}-{name}")
        for t in tables
        for name, (answer, words) in t.wrong.items()
    ]


def grade(checker: Callable, answer: Callable) -> Feedback:
    """The checker's verdict on ``answer``; grading must not emit a RuntimeWarning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        verdict = checker(answer)
    assert isinstance(verdict, Feedback)
    runtime = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert not runtime, f"grading warned: {runtime}"
    return verdict


def assert_passes(checker: Callable, answer: Callable) -> None:
    verdict = grade(checker, answer)
    assert verdict.passed, verdict.message
    assert repr(verdict).startswith("Correct: ")


def assert_named(checker: Callable, answer: Callable, words: str) -> None:
    verdict = grade(checker, answer)
    assert not verdict.passed, f"a wrong answer passed: {verdict.message}"
    assert words in verdict.message, verdict.message
    assert repr(verdict).startswith("Not yet: ")


def writes_into_inputs(answer: Callable) -> Callable:
    """``answer``, then 1 added to every array it was given: a learner who scribbles on
    the inputs after computing the result."""

    def vandal(*args):
        result = np.array(answer(*args), dtype=float)
        for a in args:
            if isinstance(a, np.ndarray):
                a += 1.0
        return result

    return vandal


def assert_tables_cover(tables: list[Cases], module: ModuleType) -> None:
    """Every checker of ``module`` has exactly one table, of at least 2 right and 4 wrong
    answers."""
    tabled = [t.checker.__name__ for t in tables]
    assert len(tabled) == len(set(tabled)), "a checker has two tables"
    assert sorted(tabled) == sorted(module.__all__)
    thin = [t.checker.__name__ for t in tables if len(t.right) < 2 or len(t.wrong) < 4]
    assert not thin, f"tables with fewer than 2 right or 4 wrong answers: {thin}"


def catalogue_tests(tables: list[Cases], module: ModuleType) -> tuple:
    """The tests of one chapter's tables, for its test file to bind to ``test_*`` names: every
    right answer passes, every wrong one is named, every checker of ``module`` has one table,
    and a learner who writes into the inputs after answering is graded on the answer."""

    @pytest.mark.parametrize(("checker", "answer"), right_answers(tables))
    def test_every_right_answer_passes(checker, answer):
        assert_passes(checker, answer)

    @pytest.mark.parametrize(("checker", "answer", "words"), wrong_answers(tables))
    def test_every_wrong_answer_is_named(checker, answer, words):
        assert_named(checker, answer, words)

    def test_every_checker_has_one_table():
        assert_tables_cover(tables, module)

    fine = [t for t in tables if t.changes_inputs_is_fine]

    @pytest.mark.parametrize("table", fine, ids=lambda t: t.checker.__name__)
    def test_writing_into_the_inputs_is_graded_on_the_answer(table):
        assert_passes(table.checker, writes_into_inputs(next(iter(table.right.values()))))

    return (
        test_every_right_answer_passes,
        test_every_wrong_answer_is_named,
        test_every_checker_has_one_table,
        test_writing_into_the_inputs_is_graded_on_the_answer,
    )
