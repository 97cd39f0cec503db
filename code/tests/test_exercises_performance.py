"""The checkers of the performance chapter: right answers pass, each known mistake is named."""

from __future__ import annotations

import numba
import pytest

import softmax_derivative as sd
from softmax_derivative import exercises, fused
from softmax_derivative.exercises import (
    check_fused_backward,
    check_naive_backward_traffic,
    performance,
)

CHECKERS = [check_naive_backward_traffic, check_fused_backward]


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


# ---------------------------------------------------------------- fused backward


def loop_backward(s, grad, out):
    for i in range(s.shape[0]):
        dot = 0.0
        for j in range(s.shape[1]):
            dot += grad[i, j] * s[i, j]
        for k in range(s.shape[1]):
            out[i, k] = s[i, k] * (grad[i, k] - dot)


def test_fused_right_answers_pass():
    assert check_fused_backward(loop_backward).passed
    assert check_fused_backward(lambda s, grad, out: sd.backward(s, grad, out=out)).passed
    assert check_fused_backward(lambda s, grad, out: fused.backward(s, grad, out=out)).passed
    numba_loop = numba.njit(loop_backward)
    assert check_fused_backward(numba_loop).passed


def row_loop(formula):
    """A learner's loop whose row ``i`` is ``formula(s_row, grad_row, dot)``."""

    def learner(s, grad, out):
        for i in range(s.shape[0]):
            dot = (grad[i] * s[i]).sum()
            out[i] = formula(s[i], grad[i], dot)

    return learner


def carried_dot(s, grad, out):
    dot = 0.0
    for i in range(s.shape[0]):
        for j in range(s.shape[1]):
            dot += grad[i, j] * s[i, j]
        out[i] = s[i] * (grad[i] - dot)


def column_dot(s, grad, out):
    dots = (grad * s).sum(axis=0)
    out[:] = s * (grad - dots)


def ss_dot(s, grad, out):
    out[:] = s * (grad - (s * s).sum(axis=-1, keepdims=True))


@pytest.mark.parametrize(
    ("learner", "phrase"),
    [
        (carried_dot, "carries over"),
        (row_loop(lambda s, g, d: -s * (g - d)), "sign is flipped"),
        (row_loop(lambda s, g, d: g - d), "forgot the factor s"),
        (row_loop(lambda s, g, d: s * g - d), "parentheses"),
        (ss_dot, "not <s, s>"),
        (column_dot, "not over the rows"),
        (row_loop(lambda s, g, d: s * g), "the values differ"),
    ],
)
def test_fused_mistakes_are_named(learner, phrase):
    verdict = check_fused_backward(learner)
    assert not verdict.passed
    assert phrase in verdict.message


def test_fused_out_must_be_written():
    verdict = check_fused_backward(lambda s, grad, out: sd.backward(s, grad))
    assert not verdict.passed and "out is unchanged" in verdict.message

    def first_rows_only(s, grad, out):
        out[:2] = sd.backward(s[:2], grad[:2])

    verdict = check_fused_backward(first_rows_only)
    assert not verdict.passed and "never written (rows [2, 3, 4, 5])" in verdict.message


def test_fused_in_place_change_is_reported():
    def in_place(s, grad, out):
        grad -= (grad * s).sum(axis=-1, keepdims=True)
        out[:] = grad * s

    verdict = check_fused_backward(in_place)
    assert not verdict.passed and "changed s or grad" in verdict.message


def test_fused_hard_coded_shape_is_caught():
    first = {}

    def remembers(s, grad, out):  # right on the first batch, then replays it
        first.setdefault("answer", sd.backward(s, grad))
        out[:] = first["answer"][: out.shape[0], : out.shape[1]]

    assert not check_fused_backward(remembers).passed
