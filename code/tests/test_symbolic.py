"""The sympy helpers: symbols, softmax, the two Jacobians, the general-L softmax, verify."""

import numpy as np
import pytest
import sympy as sp
from numpy.testing import assert_allclose

import softmax_derivative as sd
from softmax_derivative import symbolic as sy

pytestmark = pytest.mark.filterwarnings("error")


def test_logits_are_real_symbols_named_from_one():
    z = sy.logits(3)
    assert z == sp.symbols("z_1:4", real=True)
    assert [str(s) for s in z] == ["z_1", "z_2", "z_3"]
    assert all(s.is_real for s in z)
    assert [str(s) for s in sy.logits(2, name="x")] == ["x_1", "x_2"]
    assert len(sy.logits(1)) == 1


@pytest.mark.parametrize("L", [0, -1, 2.0, True, "3", None])
def test_logits_rejects_a_bad_number_of_classes(L):
    with pytest.raises(ValueError, match=r"^L must be a positive int"):
        sy.logits(L)


@pytest.mark.parametrize("L", [1, 2, 3, 4])
def test_softmax_expressions(L):
    z = sy.logits(L)
    S = sy.softmax(z)
    assert len(S) == L
    total = sum(sp.exp(zl) for zl in z)
    for j in range(L):
        assert sp.simplify(S[j] - sp.exp(z[j]) / total) == 0
    assert sp.simplify(sum(S) - 1) == 0  # the outputs sum to 1


def test_softmax_agrees_with_the_numeric_softmax():
    z = sy.logits(3)
    values = {z[0]: 0.5, z[1]: -1.0, z[2]: 2.0}
    S = [float(expr.subs(values)) for expr in sy.softmax(z)]
    assert_allclose(S, sd.softmax(np.array([0.5, -1.0, 2.0])), rtol=1e-14)


def test_softmax_of_no_symbols_is_rejected():
    with pytest.raises(ValueError, match=r"^z must hold at least one symbol"):
        sy.softmax(())


@pytest.mark.parametrize("L", [1, 2, 3, 4])
def test_jacobian_equals_the_kronecker_form(L):
    z = sy.logits(L)
    J, K = sy.jacobian(z), sy.kronecker_jacobian(z)
    assert J.shape == K.shape == (L, L)
    assert sy.is_identity(J, K)
    assert sy.verify(J, K, f"Jacobian for L = {L}")


def test_jacobian_entries_are_the_two_cases():
    z = sy.logits(3)
    S, J = sy.softmax(z), sy.jacobian(z)
    for j in range(3):
        for k in range(3):
            expected = S[j] * (1 - S[j]) if j == k else -S[j] * S[k]
            assert sy.is_identity(J[j, k], expected), (j, k)
            assert J[j, k] == sp.diff(S[j], z[k])  # row j, column k: numerator layout


def test_jacobian_agrees_with_the_numeric_jacobian():
    z = sy.logits(3)
    point = np.array([0.5, -1.0, 2.0])
    J = np.array(sy.jacobian(z).subs(dict(zip(z, point, strict=True))).evalf(), dtype=float)
    assert_allclose(J, sd.jacobian(sd.softmax(point)), rtol=1e-13, atol=1e-16)


def test_wrong_closed_forms_are_not_identities():
    z = sy.logits(2)
    S = sy.softmax(z)
    no_diagonal = sp.Matrix(2, 2, lambda j, k: -S[j] * S[k])
    assert not sy.is_identity(sy.jacobian(z), no_diagonal)
    wrong_sign = sp.Matrix(2, 2, lambda j, k: S[j] * (S[k] - sp.KroneckerDelta(j, k)))
    assert not sy.is_identity(sy.jacobian(z), wrong_sign)


def test_general_softmax_structure():
    S_j, z, j, k, l, L = sy.general_softmax()
    assert isinstance(z, sp.IndexedBase)
    assert isinstance(j, sp.Idx) and isinstance(k, sp.Idx)
    assert L.is_integer and L.is_positive
    assert S_j == sp.exp(z[j]) / sp.Sum(sp.exp(z[l]), (l, 1, L))
    assert sp.diff(S_j, z[j]) != 0 and z[k] != z[j]


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_general_softmax_for_a_concrete_L_is_the_concrete_softmax(n):
    S_j, z, j, _, _, L = sy.general_softmax()
    zs = sy.logits(n)
    to_plain = {z[i + 1]: zs[i] for i in range(n)}
    # the sum over l expands to n terms (it would not if l were an Idx bounded by L)
    assert S_j.subs(L, n).doit().has(sp.Sum) is False
    for i in range(n):
        # fix j before L: L's substitution rebuilds the Idx j with the bounds (1, n)
        entry = S_j.subs(j, i + 1).subs(L, n).doit().subs(to_plain)
        assert sy.is_identity(entry, sy.softmax(zs)[i]), (n, i)


def test_general_softmax_derivative_has_the_kronecker_form_for_k_within_range():
    S_j, z, j, k, l, L = sy.general_softmax()
    derivative = sp.diff(S_j, z[k]).doit()
    # sympy writes the surviving l = k term as a Piecewise on k <= L, which holds for k in 1..L
    derivative = derivative.replace(sp.Piecewise, lambda *args: args[0][0])
    S_k = S_j.subs(j, k)
    assert sy.is_identity(derivative, S_j * (sp.KroneckerDelta(j, k) - S_k))


def test_is_identity_on_expressions_and_matrices():
    x = sp.Symbol("x", real=True)
    assert sy.is_identity(sp.exp(2 * x), sp.exp(x) ** 2)
    assert sy.is_identity((x + 1) ** 2, x**2 + 2 * x + 1)
    assert not sy.is_identity(sp.exp(x), sp.exp(-x))
    assert sy.is_identity(sp.Matrix([[x, 1]]), sp.Matrix([[x, 1]]))
    assert not sy.is_identity(sp.Matrix([[x, 1]]), sp.Matrix([[x, 2]]))


def test_verify_returns_true_for_an_identity():
    x = sp.Symbol("x")
    assert sy.verify(sp.diff(sp.exp(x), x), sp.exp(x), "d/dx e^x") is True


def test_verify_raises_naming_the_step():
    z = sy.logits(2)
    S = sy.softmax(z)
    with pytest.raises(sy.DerivationError, match=r"^case j = k: .* is not identically equal to"):
        sy.verify(sp.diff(S[0], z[0]), -S[0] * S[0], "case j = k")


def test_a_failed_step_stops_code_that_catches_assertion_errors():
    """Test runners and the notebooks' checks catch AssertionError: a wrong step must be one."""
    x = sp.Symbol("x", real=True)
    with pytest.raises(AssertionError, match=r"^d/dx e\^-x: "):
        sy.verify(sp.diff(sp.exp(-x), x), sp.exp(-x), "d/dx e^-x")
