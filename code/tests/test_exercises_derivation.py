"""Every checker of exercises.derivation against a right answer and each mistake it names."""

from __future__ import annotations

import numpy as np
import pytest

from softmax_derivative import softmax
from softmax_derivative.exercises import (
    Feedback,
    check_derivative_entry,
    check_diagonal,
    check_diagonal_from_logits,
    check_quotient_rule,
    check_softmax,
    check_sum_derivative,
    check_temperature,
    derivation,
)


def naive_exp_normalise(z, axis=-1):
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def stable_diagonal(z):
    s = softmax(z)
    return s * (1 - s)


def naive_diagonal(z):
    e = np.exp(z)
    total = e.sum(axis=-1, keepdims=True)
    return e * (total - e) / total**2


# (checker, right answer, [(wrong answer, words the feedback must contain), ...])
CASES = [
    (
        check_softmax,
        softmax,
        [
            (lambda z: naive_exp_normalise(z, axis=0), "batch axis"),
            (lambda z: np.exp(z) / np.exp(z).sum(), "whole array"),
            (lambda z: np.exp(z) / np.linalg.norm(np.exp(z), axis=-1, keepdims=True), "Euclid"),
            (naive_exp_normalise, "overflow"),
            (lambda z: z, "differ"),
            (lambda z: z[0], "shape"),
        ],
    ),
    (
        check_temperature,
        lambda z, T: softmax(z / T),
        [
            (lambda z, T: softmax(z * T), "multiplied the logits by T"),
            (lambda z, T: softmax(z) / T, "divided the probabilities by T"),
            (lambda z, T: softmax(z), "does not depend on T"),
            (lambda z, T: softmax(z) ** (1 / T), "renormalise"),
            (
                lambda z, T: np.exp(z / T) / np.exp(z).sum(axis=-1, keepdims=True),
                "denominator must use z / T",
            ),
            (lambda z, T: naive_exp_normalise(z / T, axis=0), "axis=-1"),
            (lambda z, T: naive_exp_normalise(z / T), "T = 0.01"),
        ],
    ),
    (
        check_quotient_rule,
        lambda q, dq, h, dh: (dq * h - q * dh) / h**2,
        [
            (lambda q, dq, h, dh: (q * dh - dq * h) / h**2, "swapped"),
            (lambda q, dq, h, dh: (dq * h + q * dh) / h**2, "product rule"),
            (lambda q, dq, h, dh: (dq * h - q * dh) / h, "square of h"),
            (lambda q, dq, h, dh: dq / dh, "quotient of the derivatives"),
            (lambda q, dq, h, dh: (dq * h - dq * dh) / h**2, "multiplied the derivatives"),
            (lambda q, dq, h, dh: np.zeros(3), "shape"),
        ],
    ),
    (
        check_sum_derivative,
        np.exp,
        [
            (lambda z: np.exp(z).sum(axis=-1, keepdims=True) + 0 * z, "every term"),
            (np.ones_like, "not 1"),
            (np.zeros_like, "does not vanish"),
            (lambda z: z.shape[-1] * np.exp(z), "not in all L"),
            (softmax, "log(sum e^z)"),
            (lambda z: np.exp(z).T, "transposed"),
        ],
    ),
    (
        check_diagonal,
        lambda s: s * (1 - s),
        [
            (lambda s: -s * (1 - s), "sign"),
            (lambda s: s * s, "not S_j^2"),
            (lambda s: -s * s, "the case j != k"),
            (lambda s: 1 - s, "factor S_j"),
            (lambda s: s, "factor (1 - S_j)"),
            (lambda s: (s * (1 - s)).T, "transposed"),
        ],
    ),
    (
        check_diagonal_from_logits,
        stable_diagonal,
        [
            (lambda z: z * (1 - z), "apply the softmax first"),
            (lambda z: naive_diagonal(z) / np.exp(z).sum(axis=-1, keepdims=True) ** 2, "squared"),
            (lambda z: -stable_diagonal(z), "sign"),
            (lambda z: softmax(z) ** 2, "not S_j^2"),
            (lambda z: naive_exp_normalise(z, 0) * (1 - naive_exp_normalise(z, 0)), "axis=-1"),
            (naive_diagonal, "overflow"),
        ],
    ),
    (
        check_derivative_entry,
        lambda s, j, k: s[j] * ((j == k) - s[k]),
        [
            (
                lambda s, j, k: -s[j] * (1 - s[j]) if j == k else -s[j] * s[k],
                "j = k has the wrong",
            ),
            (lambda s, j, k: s[j] * s[j] if j == k else -s[j] * s[k], "not S_j^2"),
            (lambda s, j, k: -s[j] * s[k], "forgot the S_j delta_jk"),
            (lambda s, j, k: 0.0 if j == k else -s[j] * s[k], "the case j = k is not"),
            (lambda s, j, k: s[j] * (1 - s[j]) if j == k else s[j] * s[k], "j != k has the wrong"),
            (lambda s, j, k: s[j] * (1 - s[j]) if j == k else 0.0, "not 0"),
            (lambda s, j, k: s[j] * (1 - s[j]) if j == k else 1.0, "the case j != k is not"),
            (lambda s, j, k: -s[j] * ((j == k) - s[k]), "every entry"),
            (lambda s, j, k: 1.0, "both cases are wrong"),
            (lambda s, j, k: s, "expected a number"),
        ],
    ),
]

RIGHT = [pytest.param(checker, right, id=checker.__name__) for checker, right, _ in CASES]
WRONG = [
    pytest.param(checker, wrong, words, id=f"{checker.__name__}-{n}")
    for checker, _, mistakes in CASES
    for n, (wrong, words) in enumerate(mistakes)
]


def test_every_checker_is_tested():
    assert {c.__name__ for c, _, _ in CASES} == set(derivation.__all__)


@pytest.mark.parametrize(("checker", "right"), RIGHT)
def test_right_answer_passes(checker, right):
    verdict = checker(right)
    assert isinstance(verdict, Feedback)
    assert verdict.passed, verdict.message
    assert bool(verdict) and repr(verdict).startswith("Correct: ")


@pytest.mark.parametrize(("checker", "wrong", "words"), WRONG)
def test_wrong_answer_is_named(checker, wrong, words):
    verdict = checker(wrong)
    assert not verdict.passed
    assert words in verdict.message, verdict.message
    assert repr(verdict).startswith("Not yet: ")


@pytest.mark.parametrize(("checker", "right"), RIGHT)
def test_checkers_do_not_warn_or_modify_input(checker, right, recwarn):
    seen = []

    def spy(*args):
        seen.extend(np.array(a, copy=True) for a in args if isinstance(a, np.ndarray))
        result = right(*args)
        for a in args:
            if isinstance(a, np.ndarray):
                a += 1.0  # a learner who writes into the input must not break the checker
        return result

    assert checker(spy).passed
    assert seen
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_naive_overflow_is_silent(recwarn):
    assert not check_softmax(naive_exp_normalise).passed
    assert not check_diagonal_from_logits(naive_diagonal).passed
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]
