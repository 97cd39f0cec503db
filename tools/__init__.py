"""The book's command-line tools, run from the repository's root: ``python -m tools.NAME``."""
