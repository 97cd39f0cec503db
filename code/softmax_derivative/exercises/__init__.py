"""Checkers for the book's exercises: they grade a learner's function and say what is wrong.

Each ``check_*`` function calls the learner's function on fixed inputs, compares the
result with the right answer and with the usual mistakes (a flipped sign, a forgotten
diagonal, a transposed batch ...) and returns a :class:`Feedback` whose message names the
mistake it recognised. A function that raises is caught and reported, not propagated.
"""

from ._grading import Feedback
from .derivation import *  # noqa: F403
from .derivation import __all__ as _derivation
from .gradients import *  # noqa: F403
from .gradients import __all__ as _gradients
from .matrices import *  # noqa: F403
from .matrices import __all__ as _matrices
from .performance import *  # noqa: F403
from .performance import __all__ as _performance
from .training import *  # noqa: F403
from .training import __all__ as _training

__all__ = ["Feedback", *_derivation, *_matrices, *_gradients, *_performance, *_training]
