# persona task runner. Quick start: `make serve` (set up + run the server), `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
export LITELLM_LOCAL_MODEL_COST_MAP := True
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup browser jsclients serve test lint typecheck evals bench-proxy clean

setup: $(VENV)/.installed

# llama-cpp-python compiles from source. A native build (-march=native) picks ggml kernels
# from what the CPU advertises (AMX, AVX-512 variants) and crashed in decode on a machine
# whose OS does not grant them, so it is built for a portable AVX2 baseline, never from
# a cached native wheel.
LLAMA_CMAKE := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON

# torch goes first and pinned: the CPU wheel on disk; any other spec pulls a CUDA build
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q torch==2.13.0
	CMAKE_ARGS="$(LLAMA_CMAKE)" $(PIP) install -q --no-cache-dir 'llama-cpp-python>=0.3'
	$(PIP) install -q -e '.[local,dev]'
	touch $@

serve: setup
	$(VENV)/bin/persona db upgrade
	$(VENV)/bin/persona serve

# the admin page's browser test: Debian's chromium driven by npm's playwright-core
# (never a downloaded browser); installing chromium needs root (as in CI)
BROWSER_DIR := tests/admin/browser
browser: $(BROWSER_DIR)/node_modules/.installed
$(BROWSER_DIR)/node_modules/.installed: $(BROWSER_DIR)/package-lock.json
	command -v chromium >/dev/null || (apt-get update -q && apt-get install -y -q chromium)
	command -v npm >/dev/null || (apt-get update -q && apt-get install -y -q nodejs npm)
	cd $(BROWSER_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# the JS client tests (tests/api/test_js_clients.py): npm's openai, ai and @ai-sdk/openai
JS_DIR := tests/api/js
jsclients: $(JS_DIR)/node_modules/.installed
$(JS_DIR)/node_modules/.installed: $(JS_DIR)/package-lock.json
	command -v npm >/dev/null || (apt-get update -q && apt-get install -y -q nodejs npm)
	cd $(JS_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: setup browser jsclients
	$(VENV)/bin/pytest -q

lint: setup
	$(VENV)/bin/ruff check persona api store tests alembic
	$(VENV)/bin/ruff format --check persona api store tests alembic

typecheck: setup
	$(VENV)/bin/mypy

DATASETS ?= ../shared/datasets
evals: setup
	$(VENV)/bin/persona eval steering --ifeval $(DATASETS)/ifeval --json
	$(VENV)/bin/persona eval routing --data $(DATASETS)/routing --json
	$(VENV)/bin/persona eval memory --locomo $(DATASETS)/locomo/locomo10.json --json
	$(VENV)/bin/persona eval overhead --json

# LiteLLM's proxy for `persona bench gateway --against-litellm-proxy`, in a venv of its own:
# litellm[proxy] pins versions that clash with persona's
bench-proxy: .venv-proxy/bin/litellm
.venv-proxy/bin/litellm:
	python3 -m venv .venv-proxy
	.venv-proxy/bin/pip install -q 'litellm[proxy]'

clean:
	rm -rf $(VENV) .venv-proxy .pytest_cache .mypy_cache .ruff_cache *.egg-info
