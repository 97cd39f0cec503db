"""Without numba (the package's extra `fast`) the fused kernels' doctests are not collected;
tests/test_fused.py then skips, saying why."""

from importlib.util import find_spec

collect_ignore = [] if find_spec("numba") else ["softmax_derivative/fused.py"]
