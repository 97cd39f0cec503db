"""The checkers of the performance chapter (10) against their catalogues of answers."""

from __future__ import annotations

import numpy as np
import pytest
from exercise_cases import (
    Cases,
    catalogue_tests,
)

import softmax_derivative as sd
from softmax_derivative.exercises import (
    _form,
    check_fused_backward,
    check_naive_backward_traffic,
    performance,
)

try:
    import numba
except ImportError:  # numba is the package's optional extra "fast"
    numba = None


def text_loop(s, grad, out):
    """The loop of the chapter's text."""
    for i in range(s.shape[0]):
        dot = 0.0
        for j in range(s.shape[1]):
            dot += grad[i, j] * s[i, j]
        for k in range(s.shape[1]):
            out[i, k] = s[i, k] * (grad[i, k] - dot)


def row_loop(formula):
    """A loop over the rows whose row ``i`` is ``formula(s_row, grad_row, dot)``."""

    def learner(s, grad, out):
        for i in range(s.shape[0]):
            dot = (grad[i] * s[i]).sum()
            out[i] = formula(s[i], grad[i], dot)

    return learner


def zipped_rows(s, grad, out):
    for s_i, g_i, out_i in zip(s, grad, out, strict=True):
        np.multiply(s_i, g_i - g_i @ s_i, out=out_i)


def while_rows(s, grad, out):
    i = 0
    while i < len(s):
        out[i] = s[i] * (grad[i] - np.dot(grad[i], s[i]))
        i += 1


def carried_dot(s, grad, out):
    dot = 0.0
    for i in range(s.shape[0]):
        for j in range(s.shape[1]):
            dot += grad[i, j] * s[i, j]
        out[i] = s[i] * (grad[i] - dot)


def column_dot(s, grad, out):
    dots = (grad * s).sum(axis=0)
    for i in range(len(s)):
        out[i] = s[i] * (grad[i] - dots)


def ss_dot(s, grad, out):
    for i in range(len(s)):
        out[i] = s[i] * (grad[i] - s[i] @ s[i])


def returns_instead(s, grad, out):
    return np.array([s_i * (g_i - g_i @ s_i) for s_i, g_i in zip(s, grad, strict=True)])


def first_rows_only(s, grad, out):
    for i in range(2):
        out[i] = s[i] * (grad[i] - grad[i] @ s[i])


def changes_grad(s, grad, out):
    for i in range(len(s)):
        grad[i] -= grad[i] @ s[i]
        out[i] = grad[i] * s[i]


def hard_coded_classes(s, grad, out):
    for i in range(len(s)):
        dot = sum(grad[i, j] * s[i, j] for j in range(5))  # L = 5 in the first batch only
        out[i] = s[i] * (grad[i] - dot)


def vectorised(s, grad, out):
    out[:] = s * (grad - (grad * s).sum(axis=-1, keepdims=True))


def loop_calling_backward(s, grad, out):
    for i in range(len(s)):
        out[i] = sd.backward(s[i], grad[i])


def compiled_forms():
    """The chapter's solution, compiled by numba, and the package's fused kernel."""
    if numba is None:  # pragma: no cover
        return {}, {}
    from softmax_derivative import fused

    right = {"numba": numba.njit(text_loop)}
    wrong = {
        "package fused kernel": (
            lambda s, grad, out: fused.backward(s, grad, out=out),
            "calls backward",
        )
    }
    return right, wrong


COMPILED_RIGHT, COMPILED_WRONG = compiled_forms()

TABLES = [
    Cases(
        check_naive_backward_traffic,
        right={
            "nine arrays": lambda N, L, itemsize: 9 * N * L * itemsize,
            "pass by pass": lambda N, L, b: (3 + 1 + 2 + 3) * N * L * b,
            "three times the fused kernel": lambda N, L, b: 3 * (3 * N * L * b),
            "a float": lambda N, L, b: float(9 * N * L * b),
        },
        wrong={
            "fused kernel": (lambda N, L, b: 3 * N * L * b, "fused kernel"),
            "reads only": (lambda N, L, b: 6 * N * L * b, "reads only"),
            "passes": (lambda N, L, b: 4 * N * L * b, "passes, not arrays"),
            "elements": (lambda N, L, b: 9 * N * L, "multiply by itemsize"),
            "bits": (lambda N, L, b: 72 * N * L * b, "bits"),
            "one array short": (lambda N, L, b: 8 * N * L * b, "one array short"),
            "other": (
                lambda N, L, b: 10 * N * L * b,
                "fn(4096, 10, 8): got 3276800, expected 2949120 bytes (differs by 327680)",
            ),
            "a list": (lambda N, L, b: [N, L, b], "expected a number"),
        },
    ),
    Cases(
        check_fused_backward,
        right={
            "text loop": text_loop,
            "vectorised rows": row_loop(lambda s, g, d: s * (g - d)),
            "zipped rows, in place": zipped_rows,
            "while loop": while_rows,
            **COMPILED_RIGHT,
        },
        wrong={
            "dot carried over": (carried_dot, "carries over"),
            "sign": (row_loop(lambda s, g, d: -s * (g - d)), "sign is flipped"),
            "factor s forgotten": (row_loop(lambda s, g, d: g - d), "forgot the factor s"),
            "parentheses": (row_loop(lambda s, g, d: s * g - d), "parentheses"),
            "<s, s>": (ss_dot, "not <s, s>"),
            "dot over the rows": (column_dot, "not over the rows"),
            "other": (row_loop(lambda s, g, d: s * g), "the values differ"),
            "returned, not written": (returns_instead, "out is unchanged"),
            "first rows only": (first_rows_only, "never written (rows [2, 3, 4, 5])"),
            "grad changed": (changes_grad, "changed s or grad"),
            "hard-coded L": (hard_coded_classes, "the values differ"),
            "vectorised": (vectorised, "has no loop"),
            "package backward": (
                lambda s, grad, out: sd.backward(s, grad, out=out),
                "calls backward",
            ),
            "loop calling backward": (loop_calling_backward, "calls backward"),
            **COMPILED_WRONG,
        },
        changes_inputs_is_fine=False,
    ),
]


(
    test_every_right_answer_passes,
    test_every_wrong_answer_is_named,
    test_every_checker_has_one_table,
    test_writing_into_the_inputs_is_graded_on_the_answer,
) = catalogue_tests(TABLES, performance)


def test_the_loop_of_a_compiled_function_is_read_from_its_python_code():
    numba = pytest.importorskip("numba")
    assert _form.form_of(numba.njit(text_loop)).loops
    assert not _form.form_of(numba.njit(vectorised)).loops  # read, never compiled


def test_a_right_fused_loop_is_told_what_was_seen_and_no_more():
    verdict = check_fused_backward(text_loop)
    assert verdict.message == (
        "every row of out is s * (grad - <grad, s>), and your function has a loop"
    )
