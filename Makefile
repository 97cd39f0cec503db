# The two commands of the README: `make book` and `make test`.
# Everything runs inside .venv, created here from requirements.txt.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
JB_FLAGS := -n -W --keep-going
export HYPOTHESIS_PROFILE ?= ci

# The site's own copy of MathJax 3 (npm's mathjax, pinned in package-lock.json): only the
# es5 component and its fonts go to $(SITE_ASSETS), which _config.yml's html_extra_path
# copies into _build/html, so the published site renders math with no network.
SITE_ASSETS := _build/site-assets
MATHJAX_SRC := node_modules/mathjax/es5
MATHJAX_DIR := $(SITE_ASSETS)/mathjax
MATHJAX_JS  := $(MATHJAX_DIR)/tex-chtml-full.js
NPM_STAMP   := node_modules/.package-lock.json
SERVE_PORT  ?= 8000

.PHONY: help install site-assets book test test-code test-notebooks book-fresh test-site serve bench clean

help:
	@echo "make install  create .venv with everything the notebooks need"
	@echo "make book   build the site into _build/html"
	@echo "make test   run every test: package, notebooks (nbval), book build, site checks"
	@echo "make serve  serve _build/html on http://127.0.0.1:$(SERVE_PORT)"
	@echo "make test-site  only the browser check of the site already in _build/html"
	@echo "make bench  time the kernels (minutes; not part of make test), write chapters/data/benchmarks.json"

install: $(STAMP)

$(STAMP): requirements.txt code/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@# Build matplotlib's font cache now, so no notebook prints the one-time message.
	MPLBACKEND=Agg $(PY) -c "import matplotlib.pyplot"
	touch $@

site-assets: $(MATHJAX_JS)

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

$(MATHJAX_JS): $(NPM_STAMP)
	rm -rf $(MATHJAX_DIR)
	mkdir -p $(MATHJAX_DIR)/output/chtml/fonts
	cp node_modules/mathjax/LICENSE $(MATHJAX_DIR)/
	cp -R $(MATHJAX_SRC)/output/chtml/fonts/woff-v2 $(MATHJAX_DIR)/output/chtml/fonts/
	cp $(MATHJAX_SRC)/tex-chtml-full.js $@

book: $(STAMP) site-assets
	$(BIN)/jupyter-book build $(JB_FLAGS) .

test: test-code
	@# nbval and the book build each execute every notebook: on two cores they run side by side.
	$(MAKE) --no-print-directory -j2 --output-sync=target test-notebooks book-fresh
	$(PY) -m pytest -q tests

test-code: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	cd code && ../$(PY) -m pytest -q

test-notebooks: $(STAMP)
	$(PY) -m pytest -q --nbval --nbval-current-env --nbval-sanitize-with nbval-sanitize.cfg chapters

# The build of `make test` starts from scratch (--all): every notebook is executed again and
# every warning is seen, not only those of the pages changed since the last build.
book-fresh: $(STAMP) site-assets
	$(BIN)/jupyter-book build --all $(JB_FLAGS) .

# The browser check alone, on the site already in _build/html (tests/test_site.py).
test-site: $(STAMP)
	$(PY) -m pytest -q tests/test_site.py

# Ratios against the memory bound (and PyTorch, if installed), single-threaded, in one run.
bench: $(STAMP)
	$(PY) code/benchmarks/bench.py --output chapters/data/benchmarks.json

serve: $(STAMP)
	@test -f _build/html/index.html || { echo "No site in _build/html: run 'make book' first."; exit 1; }
	$(PY) -m http.server $(SERVE_PORT) --bind 127.0.0.1 --directory _build/html

clean:
	rm -rf _build

# A report, not a test (tools/book_metrics.py): per page of _toc.yml the words of markdown,
# the sympy and numeric checks, the collapsed cells, the slip boxes, the exercises by kind and
# the code lines over 88 characters, against the limits at the top of the script.
.PHONY: metrics
metrics:
	$(PYTHON) tools/book_metrics.py
