# nb1s developer and user entry points. A new user needs exactly two:
#   make setup   # install everything into .venv and reproduce Table 1
#   make test    # lint (ruff, mypy) and the full test suite (what CI runs)
# Developers: `make test-fast` (ruff + the tests not marked slow/e2e) between changes.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# CPU wheel on machines without an NVIDIA GPU; the CUDA build is for the Docker image.
TORCH_SPEC ?= $(shell command -v nvidia-smi >/dev/null 2>&1 && echo "torch>=2.1" || echo "torch==2.13.0")

.PHONY: setup install fanova build reproduce test test-fast lint unit bench original bench-gpu docker docker-cpu engines engines-stop clean

setup: install reproduce

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip setuptools wheel "Cython>=3.0"

install: $(BIN)/python
	$(BIN)/python -m pip install -q "$(TORCH_SPEC)"
	$(BIN)/python -m pip install -q --no-build-isolation -e ".[test,oracle,blackbox]"
	@$(MAKE) --no-print-directory fanova

# The optional fanova extra (Figure 16): pyrfr builds from source with SWIG 3.0.12 (SWIG 4
# leaves its per-tree statistics unwrapped) and a C++ compiler. Without a compiler, or if the
# build fails, one line says so and everything else stays installed and working.
FANOVA_PKGS := "pyrfr==0.9.0" "fanova==2.0.19"
fanova: $(BIN)/python
	@if ! command -v $(CXX) >/dev/null 2>&1; then \
	  echo "make: no C++ compiler ($(CXX)): skipped the optional fanova extra (only 'nb1s reproduce fig16' needs it; see docs/fanova.md)"; \
	elif ! ( $(BIN)/python -m pip install -q "swig==3.0.12" \
	         && PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m pip install -q --no-cache-dir \
	            --no-build-isolation $(FANOVA_PKGS) ); then \
	  echo "make: the optional fanova extra did not build (see pip's output above); everything else is installed"; \
	fi

build: $(BIN)/python
	$(BIN)/python -m pip install -q --no-build-isolation --no-deps -e .

reproduce:
	$(BIN)/nb1s reproduce table1

lint:
	$(BIN)/ruff check enumerate harness optimizers nb1s tests bench
	$(BIN)/mypy nb1s bench
	$(BIN)/lint-imports --no-cache
	@if [ -f docker/Dockerfile ]; then $(BIN)/hadolint docker/Dockerfile; fi

unit:
	$(BIN)/python -m pytest -q

test: lint unit

# The developers' default: ruff and the tests not marked slow or e2e (tests/conftest.py marks
# end-to-end tests e2e), spread over every core by pytest-xdist. CI keeps running everything
# through `make test`, in one process: its engine tests share one Slurm queue and one Docker
# engine and count what is left on them.
test-fast:
	$(BIN)/ruff check enumerate harness optimizers nb1s tests bench
	$(BIN)/python -m pytest -q -n auto -m "not slow and not e2e"

# Google's nasbench checkout for the compat API benchmark (bench/compat_api.py skips without):
#   git clone https://github.com/google-research/nasbench ~/nasbench && make bench NASBENCH_SRC=~/nasbench
NASBENCH_SRC ?= $(NB1S_NASBENCH_SRC)
bench:
	NB1S_NASBENCH_SRC="$(NASBENCH_SRC)" $(BIN)/python bench/run.py

# The ORIGINAL black-box scripts beside nb1s's (tests/test_original_blackbox.py; the full
# side-by-side is bench/original_blackbox.py, docs/blackbox.md). Needs both checkouts:
#   make original ORIGINAL_SRC=~/nasbench-1shot1 NASBENCH_SRC=~/nasbench
ORIGINAL_SRC ?= $(NB1S_ORIGINAL_SRC)
original:
	NB1S_ORIGINAL_SRC="$(ORIGINAL_SRC)" NB1S_NASBENCH_SRC="$(NASBENCH_SRC)" \
		$(BIN)/python -m pytest -q -m original tests/test_original_blackbox.py

# Searches/hour with K = 1..8 searches sharing one GPU (--runs-per-gpu); on a machine
# without a CUDA GPU it says so in one line and exits 2 (no number is made up).
bench-gpu:
	$(BIN)/python bench/gpu_throughput.py

# The image (docs/cluster-and-container.md): the published CUDA image, and the CPU variant
# CI builds on a Debian base imported by `make engines` (BuildKit; the CA bundle pip's
# configuration names is a build secret, never a layer).
docker:
	docker/build cuda nb1s:latest

docker-cpu:
	docker/build cpu nb1s:cpu

# A Docker engine and a single-node Slurm cluster with accounting on this machine, for the
# engine tests (tests/test_engines_*.py); idempotent, quiet on success, one line per engine
# that cannot start (its tests then skip with that line). `make engines-stop` ends them.
engines:
	@.ci/engines start

engines-stop:
	@.ci/engines stop

clean:
	rm -rf build *.egg-info enumerate/_core.c enumerate/*.so .pytest_cache .mypy_cache
