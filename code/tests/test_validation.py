"""Bad input: every error is a ValueError or TypeError that names the argument and says what
was expected."""

import re

import numpy as np
import pytest

import softmax_derivative as sd

pytestmark = pytest.mark.filterwarnings("error")

S = np.array([[0.2, 0.8], [0.5, 0.5]])  # probabilities
Z = np.array([[1.0, -2.0], [0.5, 3.0]])  # logits
G = np.array([[1.0, 0.0], [-1.0, 2.0]])  # an upstream gradient
T = np.array([[0.0, 1.0], [1.0, 0.0]])  # targets as rows
Y = np.array([1, 0])  # targets as class indices

# (label, argument name, call with the argument replaced by x)
ARRAY_ARGUMENTS = [
    ("softmax", "z", lambda x: sd.softmax(x)),
    ("log_softmax", "z", lambda x: sd.log_softmax(x)),
    ("jacobian", "s", lambda x: sd.jacobian(x)),
    ("backward", "s", lambda x: sd.backward(x, G)),
    ("backward", "grad", lambda x: sd.backward(S, x)),
    ("backward_loop", "s", lambda x: sd.backward_loop(x, G)),
    ("backward_loop", "grad", lambda x: sd.backward_loop(S, x)),
    ("backward_via_jacobian", "s", lambda x: sd.backward_via_jacobian(x, G)),
    ("backward_via_jacobian", "grad", lambda x: sd.backward_via_jacobian(S, x)),
    ("cross_entropy", "probs", lambda x: sd.cross_entropy(x, Y)),
    ("cross_entropy_grad", "probs", lambda x: sd.cross_entropy_grad(x, Y)),
    ("cross_entropy_grad_probs", "probs", lambda x: sd.cross_entropy_grad_probs(x, Y)),
    ("cross_entropy_from_logits", "logits", lambda x: sd.cross_entropy_from_logits(x, Y)),
    ("mse", "outputs", lambda x: sd.mse(x, T)),
    ("mse", "targets", lambda x: sd.mse(S, x)),
    ("mse_grad", "outputs", lambda x: sd.mse_grad(x, T)),
    ("mse_grad", "targets", lambda x: sd.mse_grad(S, x)),
    ("numerical_jacobian", "z", lambda x: sd.numerical_jacobian(sd.softmax, x)),
    ("check_gradient", "z", lambda x: sd.check_gradient(sd.softmax, np.zeros((2, 2, 2)), x)),
]
ARRAY_IDS = [f"{label}-{name}" for label, name, _ in ARRAY_ARGUMENTS]

PROBABILITY_ARGUMENTS = [
    ("jacobian", "s", lambda x: sd.jacobian(x)),
    ("backward", "s", lambda x: sd.backward(x, np.ones_like(x))),
    ("backward_loop", "s", lambda x: sd.backward_loop(x, np.ones_like(x))),
    ("backward_via_jacobian", "s", lambda x: sd.backward_via_jacobian(x, np.ones_like(x))),
    ("cross_entropy", "probs", lambda x: sd.cross_entropy(x, np.zeros(x.shape[:-1], int))),
    (
        "cross_entropy_grad",
        "probs",
        lambda x: sd.cross_entropy_grad(x, np.zeros(x.shape[:-1], int)),
    ),
    (
        "cross_entropy_grad_probs",
        "probs",
        lambda x: sd.cross_entropy_grad_probs(x, np.zeros(x.shape[:-1], int)),
    ),
]
PROBABILITY_IDS = [label for label, _, _ in PROBABILITY_ARGUMENTS]

TARGET_FUNCTIONS = [
    (sd.cross_entropy, S),
    (sd.cross_entropy_grad, S),
    (sd.cross_entropy_grad_probs, S),
    (sd.cross_entropy_from_logits, Z),
]
TARGET_IDS = [f.__name__ for f, _ in TARGET_FUNCTIONS]

LOSS_FUNCTIONS = [
    (sd.cross_entropy, S, Y),
    (sd.cross_entropy_grad, S, Y),
    (sd.cross_entropy_grad_probs, S, Y),
    (sd.cross_entropy_from_logits, Z, Y),
    (sd.mse, S, T),
    (sd.mse_grad, S, T),
]
LOSS_IDS = [f.__name__ for f, _, _ in LOSS_FUNCTIONS]


# ---------------------------------------------------------------- dtype, 0-d, empty class axis


@pytest.mark.parametrize(
    "bad",
    [
        np.array([["a", "b"], ["c", "d"]]),
        np.array([[0.5, 0.5], [0.5, 0.5]], dtype=object),
        np.array([[True, False], [False, True]]),
        np.array([[0.5 + 0j, 0.5], [1.0, 0.0]]),
        np.array([[0.5, 0.5], [1.0, 0.0]], dtype=np.complex64),
        "0.5",
    ],
    ids=["str", "object", "bool", "complex128", "complex64", "python-str"],
)
@pytest.mark.parametrize("label, name, call", ARRAY_ARGUMENTS, ids=ARRAY_IDS)
def test_non_numeric_dtype_is_a_type_error_naming_the_argument(label, name, call, bad):
    with pytest.raises(TypeError, match=rf"^{name} must hold real numbers, got .*dtype"):
        call(bad)


@pytest.mark.parametrize("bad", [np.float64(0.5), 1.0, np.array(2)], ids=["np", "float", "0d"])
@pytest.mark.parametrize("label, name, call", ARRAY_ARGUMENTS, ids=ARRAY_IDS)
def test_zero_dimensional_input_is_rejected(label, name, call, bad):
    with pytest.raises(
        ValueError, match=rf"^{name} must have at least one axis \(the class axis\)"
    ):
        call(bad)


@pytest.mark.parametrize("shape", [(0,), (2, 0), (2, 3, 0)])
@pytest.mark.parametrize("label, name, call", ARRAY_ARGUMENTS, ids=ARRAY_IDS)
def test_empty_class_axis_is_rejected(label, name, call, shape):
    with pytest.raises(ValueError, match=rf"^{name} has an empty class axis .*L must be >= 1"):
        call(np.zeros(shape))


# ---------------------------------------------------------------- shapes


@pytest.mark.parametrize("function", [sd.backward, sd.backward_loop, sd.backward_via_jacobian])
@pytest.mark.parametrize("grad_shape", [(2, 3), (2,), (1, 2), (2, 2, 1), (4,)])
def test_grad_must_have_the_shape_of_s(function, grad_shape):
    # no broadcasting: a (2,) or (1, 2) gradient is a mistake, not a shared row
    expected = re.escape(
        f"grad must have the same shape as s: s has shape (2, 2), grad has shape {grad_shape}"
    )
    with pytest.raises(ValueError, match=f"^{expected}"):
        function(S, np.ones(grad_shape))


@pytest.mark.parametrize("function", [sd.mse, sd.mse_grad])
@pytest.mark.parametrize("targets_shape", [(2, 3), (2,), (1, 2), (4,)])
def test_mse_targets_must_have_the_shape_of_outputs(function, targets_shape):
    expected = re.escape(
        f"targets must have the same shape as outputs: outputs has shape (2, 2), "
        f"targets has shape {targets_shape}"
    )
    with pytest.raises(ValueError, match=f"^{expected}"):
        function(S, np.zeros(targets_shape))


@pytest.mark.parametrize("function, x", TARGET_FUNCTIONS, ids=TARGET_IDS)
@pytest.mark.parametrize("targets_shape", [(3,), (2, 3), (1,), (2, 2, 2), ()])
def test_cross_entropy_targets_must_be_indices_or_rows(function, x, targets_shape):
    expected = re.escape(
        f"targets must have shape (2,) (class indices) or (2, 2) (one-hot rows), "
        f"got {targets_shape}"
    )
    with pytest.raises(ValueError, match=f"^{expected}"):
        function(x, np.zeros(targets_shape, dtype=int))


# ---------------------------------------------------------------- probabilities required


@pytest.mark.parametrize(
    "logits",
    [
        np.array([[1.0, 2.0, 3.0]]),
        np.array([[-1.0, 2.0]]),  # sums to 1, but is not a distribution
        np.array([[0.2, 0.8], [3.0, -1.0]]),  # one good row does not hide a bad one
        np.array([[0.0, 1.5]]),
    ],
    ids=["positive", "sums-to-one", "second-row", "above-one"],
)
@pytest.mark.parametrize("label, name, call", PROBABILITY_ARGUMENTS, ids=PROBABILITY_IDS)
def test_logits_outside_0_1_are_rejected_where_probabilities_are_required(
    label, name, call, logits
):
    with pytest.raises(
        ValueError,
        match=rf"^{name} must hold probabilities in \[0, 1\] \(softmax outputs\).*"
        r"Did you pass logits\? Apply softmax first\.",
    ):
        call(logits)


@pytest.mark.parametrize(
    "rows, total",
    [
        (np.array([[0.2, 0.3, 0.1]]), "0.6"),
        (np.array([[0.5, 0.5], [0.5, 0.6]]), "1.1"),
        (np.array([[0.0, 0.0]]), "0"),
        (np.array([[1.0, 1.0]]), "2"),
        (np.array([[0.5, 0.5]], dtype=np.float32) * np.float32(1.01), "1.01"),
    ],
    ids=["0.6", "second-row", "zeros", "two", "float32"],
)
@pytest.mark.parametrize("label, name, call", PROBABILITY_ARGUMENTS, ids=PROBABILITY_IDS)
def test_rows_not_summing_to_one_are_rejected_where_probabilities_are_required(
    label, name, call, rows, total
):
    with pytest.raises(
        ValueError,
        match=rf"^{name} must be probabilities whose last axis sums to 1 \(softmax outputs\); "
        rf"found a row summing to {re.escape(total)}\. Did you pass logits\?",
    ):
        call(rows)


def test_probabilities_within_rounding_are_accepted():
    s = np.array([0.1, 0.2, 0.7 + 1e-12])
    assert sd.jacobian(s).shape == (3, 3)
    assert sd.backward(np.array([1.0 + 1e-12, -1e-13]), np.ones(2)).shape == (2,)


# ---------------------------------------------------------------- targets


@pytest.mark.parametrize(
    "rows",
    [
        np.array([[1.0, 1.0], [1.0, 0.0]]),
        np.array([[0.0, 0.0], [0.0, 1.0]]),
        np.array([[2.0, -1.0], [0.0, 1.0]]),  # sums to 1 but negative
        np.array([[1, 1], [0, 1]]),  # integer rows
    ],
    ids=["sum-2", "sum-0", "negative", "int"],
)
@pytest.mark.parametrize("function, x", TARGET_FUNCTIONS, ids=TARGET_IDS)
def test_target_rows_must_be_distributions(function, x, rows):
    with pytest.raises(
        ValueError,
        match=r"^targets must (hold|be) probabilities .*\(one-hot rows or distributions\)",
    ):
        function(x, rows)


@pytest.mark.parametrize(
    "indices, low, high", [([0, 2], 0, 2), ([-1, 1], -1, 1), ([5, -3], -3, 5)]
)
@pytest.mark.parametrize("function, x", TARGET_FUNCTIONS, ids=TARGET_IDS)
def test_class_indices_must_be_in_range(function, x, indices, low, high):
    with pytest.raises(
        ValueError,
        match=rf"^targets must be class indices in \[0, 2\), got values from {low} to {high}",
    ):
        function(x, np.array(indices))


@pytest.mark.parametrize("function, x", TARGET_FUNCTIONS, ids=TARGET_IDS)
def test_class_indices_must_be_integers(function, x):
    with pytest.raises(
        TypeError,
        match=r"^targets of shape \(2,\) are read as class indices and must be integers, "
        r"got dtype float64",
    ):
        function(x, np.array([1.0, 0.0]))


@pytest.mark.parametrize(
    "targets",
    [
        np.array(["a", "b"]),
        np.array([True, False]),
        np.array([1 + 0j, 0j]),
        np.array([1, 0], dtype=object),
        np.array([[1 + 0j, 0j], [0j, 1 + 0j]]),
    ],
    ids=["str", "bool", "complex", "object", "complex-rows"],
)
@pytest.mark.parametrize("function, x", TARGET_FUNCTIONS, ids=TARGET_IDS)
def test_targets_of_a_non_numeric_dtype_are_rejected(function, x, targets):
    with pytest.raises(TypeError, match=r"^targets must hold real numbers, got .*dtype"):
        function(x, targets)


def test_one_hot_bad_indices():
    in_range = r"^indices must be class indices in \[0, 3\), got values from "
    with pytest.raises(ValueError, match=in_range + "0 to 3"):
        sd.one_hot([0, 3], 3)
    with pytest.raises(ValueError, match=in_range + "-1"):
        sd.one_hot([-1, 2], 3)
    integers = r"^indices of shape \(2,\) are read as class indices and must be integers"
    with pytest.raises(TypeError, match=integers + ", got dtype float"):
        sd.one_hot([0.0, 1.0], 3)
    with pytest.raises(TypeError, match=integers + ", got dtype bool"):
        sd.one_hot([True, False], 3)


@pytest.mark.parametrize("num_classes", [0, -2])
def test_one_hot_num_classes_must_be_positive(num_classes):
    with pytest.raises(ValueError, match=rf"^num_classes must be >= 1, got {num_classes}"):
        sd.one_hot([0], num_classes)


@pytest.mark.parametrize("num_classes", [3.0, True, "3", None])
def test_one_hot_num_classes_must_be_an_int(num_classes):
    with pytest.raises(TypeError, match=r"^num_classes must be an int, got"):
        sd.one_hot([0], num_classes)


# ---------------------------------------------------------------- reduction, eps


@pytest.mark.parametrize("reduction", ["avg", "MEAN", "", None, "batchmean"])
@pytest.mark.parametrize("function, x, targets", LOSS_FUNCTIONS, ids=LOSS_IDS)
def test_bad_reduction_is_rejected(function, x, targets, reduction):
    with pytest.raises(
        ValueError,
        match=r"^reduction must be one of \('mean', 'sum', 'none'\), got "
        + re.escape(repr(reduction)),
    ):
        function(x, targets, reduction=reduction)


CHECKERS = [
    lambda eps: sd.numerical_jacobian(sd.softmax, Z[0], eps=eps),
    lambda eps: sd.check_gradient(sd.softmax, sd.jacobian(sd.softmax(Z[0])), Z[0], eps=eps),
]


@pytest.mark.parametrize("eps", [0.0, -1e-6, np.nan, np.inf, -np.inf, 0])
@pytest.mark.parametrize("call", CHECKERS, ids=["numerical_jacobian", "check_gradient"])
def test_eps_must_be_a_positive_finite_step(call, eps):
    with pytest.raises(ValueError, match=r"^eps must be a positive finite step, got"):
        call(eps)


@pytest.mark.parametrize("eps", ["1e-6", None, True, [1e-6], 1e-6j])
@pytest.mark.parametrize("call", CHECKERS, ids=["numerical_jacobian", "check_gradient"])
def test_eps_must_be_a_real_number(call, eps):
    with pytest.raises(TypeError, match=r"^eps must be a real number, got"):
        call(eps)


def test_eps_may_be_a_numpy_float():
    J = sd.numerical_jacobian(sd.softmax, Z[0], eps=np.float32(1e-4))
    assert J.shape == (2, 2)


EMPTY_BATCH = [
    ("cross_entropy", "probs", sd.cross_entropy, (np.empty((0, 3)), np.empty(0, int))),
    (
        "cross_entropy_from_logits",
        "logits",
        sd.cross_entropy_from_logits,
        (np.empty((0, 3)), np.empty(0, int)),
    ),
    ("cross_entropy_grad", "probs", sd.cross_entropy_grad, (np.empty((0, 3)), np.empty(0, int))),
    (
        "cross_entropy_grad_probs",
        "probs",
        sd.cross_entropy_grad_probs,
        (np.empty((0, 3)), np.empty(0, int)),
    ),
    ("mse", "outputs", sd.mse, (np.empty((0, 3)), np.empty((0, 3)))),
    ("mse_grad", "outputs", sd.mse_grad, (np.empty((0, 3)), np.empty((0, 3)))),
]


@pytest.mark.parametrize(("label", "name", "function", "args"), EMPTY_BATCH)
def test_the_mean_over_an_empty_batch_is_an_error_naming_the_argument(label, name, function, args):
    with pytest.raises(ValueError, match=rf"^{name} holds no samples .*empty batch"):
        function(*args)


@pytest.mark.parametrize(("label", "name", "function", "args"), EMPTY_BATCH)
def test_sum_and_none_over_an_empty_batch_are_empty(label, name, function, args):
    for reduction in ("sum", "none"):
        result = np.asarray(function(*args, reduction=reduction))
        assert result.size == 0 or float(result) == 0.0
