"""What a learner's function is made of: whether it loops, and what it calls.

The checkers of loop exercises read the function's compiled code (its bytecode), not its
text: that works alike for a ``def`` in a notebook cell, a lambda, a ``functools.partial``,
a function made by ``exec`` and a numba-compiled function (through its ``py_func``).
"""

from __future__ import annotations

import dis
import functools
import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass
from types import CodeType

from ._grading import Feedback

__all__ = ["Form", "form_of", "graded_loop"]

_JUMPS = frozenset(dis.hasjrel) | frozenset(dis.hasjabs)
#: Built-in calls that loop over an iterable in Python.
_LOOP_CALLS = frozenset({"map"})


@dataclass(frozen=True)
class Form:
    """What the code of a function does: ``loops`` and the ``names`` it looks up; its
    ``name``, and whether it is one of this package's own functions (``packaged``)."""

    loops: bool
    names: frozenset[str]
    name: str = ""
    packaged: bool = False


def _python_function(fn):
    """The Python function behind ``fn``, or None if it has no Python code."""
    for _ in range(20):  # unwrap a finite chain of wrappers
        if isinstance(fn, functools.partial):
            fn = fn.func
        elif hasattr(fn, "py_func"):  # a numba dispatcher
            fn = fn.py_func
        elif inspect.ismethod(fn):
            fn = fn.__func__
        elif hasattr(fn, "__wrapped__"):
            fn = fn.__wrapped__
        elif inspect.isfunction(fn):
            return fn
        elif not inspect.isclass(fn) and inspect.isfunction(
            method := inspect.getattr_static(type(fn), "__call__", None)
        ):
            fn = method  # an object with a __call__ method
        else:
            return None
    return None


def _codes(code: CodeType):
    """``code`` and every code object nested in it (comprehensions, inner functions)."""
    yield code
    for constant in code.co_consts:
        if isinstance(constant, CodeType):
            yield from _codes(constant)


def _loops(code: CodeType) -> bool:
    """Whether ``code`` loops: a ``for`` (and every comprehension) compiles to
    ``FOR_ITER``, a ``while`` to a jump back to an earlier instruction."""
    return any(
        i.opname == "FOR_ITER" or (i.opcode in _JUMPS and i.argval <= i.offset)
        for i in dis.get_instructions(code)
    )


def _own_helpers(function) -> list:
    """The functions of ``function``'s own module it names (a global or a closure
    variable): the learner's helpers, not a library's."""
    found = []
    cells = [cell.cell_contents for cell in function.__closure__ or () if _filled(cell)]
    named = [function.__globals__.get(name) for name in _all_names(function.__code__)]
    for candidate in cells + named:
        if inspect.isfunction(candidate) and candidate.__module__ == function.__module__:
            found.append(candidate)
    return found


def _filled(cell) -> bool:
    try:
        cell.cell_contents  # noqa: B018 - an empty cell raises ValueError
    except ValueError:
        return False
    return True


def _all_names(code: CodeType) -> set[str]:
    return {name for inner in _codes(code) for name in inner.co_names}


def form_of(fn) -> Form | None:
    """The :class:`Form` of ``fn``'s code, or None if ``fn`` has no Python code.

    The code read is ``fn``'s own, the functions defined inside it, and the functions of
    its own module that it calls (a learner's helpers in the same notebook), not those of
    a library: a loop inside ``sd.backward_loop`` does not count for a function that
    calls it.

    Examples
    --------
    >>> import functools
    >>> import numpy as np
    >>> from softmax_derivative.exercises._form import form_of
    >>> form_of(lambda s, g: [a * b for a, b in zip(s, g)]).loops
    True
    >>> form_of(functools.partial(lambda s, g, c: c * s * g, c=2.0)).loops
    False
    >>> form_of(np.add) is None
    True
    """
    function = _python_function(fn)
    if function is None:
        return None
    loops, names = False, set()
    seen, todo = set(), [function]
    while todo and len(seen) < 50:
        current = todo.pop()
        if current.__code__ in seen:
            continue
        seen.add(current.__code__)
        for code in _codes(current.__code__):
            names.update(code.co_names)
            loops = loops or _loops(code)
        todo.extend(_own_helpers(current))
    return Form(
        loops=loops or bool(names & _LOOP_CALLS),
        names=frozenset(names),
        name=function.__name__,
        packaged=_packaged(function),
    )


def _packaged(function) -> bool:
    """Whether ``function`` is a function of this package, found under its own name in
    its module (a learner's function defined in a doctest of the package is not)."""
    module_name = function.__module__ or ""
    if module_name.split(".")[0] != __name__.split(".")[0]:
        return False
    module = sys.modules.get(module_name)
    return getattr(module, function.__name__, None) is function


#: The package's vectorised kernels: calling one is not writing the loop.
_KERNELS = ("backward", "backward_via_jacobian", "backward_loop")


def graded_loop(fn: Callable, values: str, advice: str) -> Feedback:
    """The verdict on a loop exercise whose values are right: ``values`` plus what the
    code of ``fn`` shows (see :func:`form_of`), or ``advice`` if it has no loop, calls one
    of the package's kernels or is one. The code is seen to contain a loop, not to
    compute the values in it; the message claims no more."""
    form = form_of(fn)
    if form is None:
        return Feedback(
            True,
            f"{values} (the values only: your function has no Python code to read, so its "
            "loop was not checked)",
        )
    if form.packaged:
        return Feedback(
            False,
            f"the values are right, but that is the package's own {form.name}: {advice}",
        )
    called = [name for name in _KERNELS if name in form.names]
    if called:
        return Feedback(
            False,
            f"the values are right, but your function calls {called[0]}, the package's "
            f"ready-made backward pass: {advice}",
        )
    if not form.loops:
        return Feedback(
            False,
            "the values are right, but your function has no loop (for, while, a "
            f"comprehension or map, in it or in a function of yours it calls): {advice}",
        )
    return Feedback(True, f"{values}, and your function has a loop")
