# nb1s developer and user entry points. A new user needs exactly two:
#   make setup   # install everything into .venv and reproduce Table 1
#   make test    # lint (ruff, mypy) and the full test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# CPU wheel on machines without an NVIDIA GPU; the CUDA build is for the Docker image.
TORCH_SPEC ?= $(shell command -v nvidia-smi >/dev/null 2>&1 && echo "torch>=2.1" || echo "torch==2.13.0")

.PHONY: setup install build reproduce test lint unit bench docker clean

setup: install reproduce

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip setuptools wheel "Cython>=3.0"

install: $(BIN)/python
	$(BIN)/python -m pip install -q "$(TORCH_SPEC)"
	$(BIN)/python -m pip install -q --no-build-isolation -e ".[test,oracle,blackbox]"

build: $(BIN)/python
	$(BIN)/python -m pip install -q --no-build-isolation --no-deps -e .

reproduce:
	$(BIN)/nb1s reproduce table1

lint:
	$(BIN)/ruff check enumerate harness optimizers nb1s tests bench
	$(BIN)/mypy nb1s bench
	$(BIN)/lint-imports
	@if [ -f docker/Dockerfile ]; then $(BIN)/hadolint docker/Dockerfile; fi

unit:
	$(BIN)/python -m pytest -q

test: lint unit

bench:
	$(BIN)/python bench/run.py

docker:
	docker build -f docker/Dockerfile -t nb1s:latest .

clean:
	rm -rf build *.egg-info enumerate/_core.c enumerate/*.so .pytest_cache .mypy_cache
