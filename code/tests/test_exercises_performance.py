"""The checkers of the performance chapter: right answers pass, each known mistake is named."""

from __future__ import annotations

import numpy as np
import pytest

import softmax_derivative as sd
from softmax_derivative import exercises
from softmax_derivative.exercises import (
    check_blocked_backward,
    check_naive_backward_traffic,
    performance,
)

CHECKERS = [check_naive_backward_traffic, check_blocked_backward]


def test_every_checker_is_exported_and_tested():
    assert sorted(performance.__all__) == sorted(c.__name__ for c in CHECKERS)
    assert set(performance.__all__) <= set(exercises.__all__)


# ---------------------------------------------------------------- traffic


def test_traffic_right_answer_passes():
    verdict = check_naive_backward_traffic(lambda N, L, itemsize: 9 * N * L * itemsize)
    assert verdict.passed and "9 N L itemsize" in verdict.message


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        (lambda N, L, b: 3 * N * L * b, "fused kernel"),
        (lambda N, L, b: 6 * N * L * b, "reads only"),
        (lambda N, L, b: 4 * N * L * b, "passes, not arrays"),
        (lambda N, L, b: 9 * N * L, "multiply by itemsize"),
        (lambda N, L, b: 72 * N * L * b, "bits"),
        (lambda N, L, b: 8 * N * L * b, "one array short"),
        (lambda N, L, b: 10 * N * L * b, "expected"),
    ],
)
def test_traffic_mistakes_are_named(answer, phrase):
    verdict = check_naive_backward_traffic(answer)
    assert not verdict.passed
    assert phrase in verdict.message


def test_traffic_answer_must_be_a_number():
    verdict = check_naive_backward_traffic(lambda N, L, b: [N, L, b])
    assert not verdict.passed and "expected a number" in verdict.message


# ---------------------------------------------------------------- blocked backward


def blocked(s, grad, block_rows):
    dz = np.empty_like(s)
    for start in range(0, len(s), block_rows):
        b = slice(start, start + block_rows)
        dz[b] = s[b] * (grad[b] - (grad[b] * s[b]).sum(axis=-1, keepdims=True))
    return dz


def test_blocked_right_answers_pass():
    assert check_blocked_backward(blocked).passed
    assert check_blocked_backward(lambda s, grad, rows: sd.backward(s, grad)).passed


def test_blocked_missing_last_block():
    def no_tail(s, grad, block_rows):
        dz = np.zeros_like(s)
        for start in range(0, len(s) - block_rows + 1, block_rows):
            b = slice(start, start + block_rows)
            dz[b] = s[b] * (grad[b] - (grad[b] * s[b]).sum(axis=-1, keepdims=True))
        return dz

    verdict = check_blocked_backward(no_tail)
    assert not verdict.passed and "last block is shorter" in verdict.message


def test_blocked_in_place_change_is_reported():
    def in_place(s, grad, block_rows):
        grad -= (grad * s).sum(axis=-1, keepdims=True)
        grad *= s
        return grad

    verdict = check_blocked_backward(in_place)
    assert not verdict.passed and "in place" in verdict.message


@pytest.mark.parametrize(
    ("formula", "phrase"),
    [
        (lambda s, g: -s * (g - (g * s).sum(axis=-1, keepdims=True)), "sign is flipped"),
        (lambda s, g: g - (g * s).sum(axis=-1, keepdims=True), "forgot the factor s"),
        (lambda s, g: s * (g - (s * s).sum(axis=-1, keepdims=True)), "not <s, s>"),
        (lambda s, g: s * (g - (g * s).sum(axis=0, keepdims=True)), "batch axis"),
        (lambda s, g: s * g, "the values differ"),
    ],
)
def test_blocked_mistakes_are_named(formula, phrase):
    def learner(s, grad, block_rows):
        dz = np.empty_like(s)
        for start in range(0, len(s), block_rows):
            b = slice(start, start + block_rows)
            dz[b] = formula(s[b], grad[b])
        return dz

    verdict = check_blocked_backward(learner)
    assert not verdict.passed
    assert phrase in verdict.message
    assert "block_rows=" in verdict.message


def test_blocked_wrong_shape_is_reported():
    verdict = check_blocked_backward(lambda s, grad, rows: s[:rows])
    assert not verdict.passed and "shape" in verdict.message
