# The two commands of the README: `make book` and `make test`.
# Everything runs inside .venv, created here from requirements.txt.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
JB_FLAGS := -n -W --keep-going
export HYPOTHESIS_PROFILE ?= ci

.PHONY: help install book test test-code test-notebooks test-book lint serve clean

help:
	@echo "make book   build the site into _build/html"
	@echo "make test   run every test: package, notebooks (nbval), book build, site checks"
	@echo "make serve  serve _build/html on http://127.0.0.1:8000"

install: $(STAMP)

$(STAMP): requirements.txt code/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@# Build matplotlib's font cache now, so no notebook prints the one-time message.
	MPLBACKEND=Agg $(PY) -c "import matplotlib.pyplot"
	touch $@

book: $(STAMP)
	$(BIN)/jupyter-book build $(JB_FLAGS) .

test: test-code test-notebooks test-book

test-code: $(STAMP)
	cd code && ../$(BIN)/ruff check . && ../$(PY) -m pytest -q

test-notebooks: $(STAMP)
	$(PY) -m pytest -q --nbval --nbval-current-env --nbval-sanitize-with nbval-sanitize.cfg chapters

test-book: book
	$(PY) -m pytest -q tests

serve: $(STAMP)
	$(PY) -m http.server 8000 --bind 127.0.0.1 --directory _build/html

clean:
	rm -rf _build
