"""Case tables for the exercise checkers, and the two verdicts every case is tested for.

Each ``test_exercises_<chapters>.py`` holds one :class:`Cases` per checker: the right answers
a learner may write (vectorised, loops, the package's own functions), each of which must
pass, and the plausible wrong ones, each of which must fail with feedback that names the
mistake. ``test_exercises_all.py`` checks that every checker has exactly one table.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from softmax_derivative.exercises import Feedback


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
