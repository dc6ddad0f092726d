# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR ?= var/demo
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv bench lock clean

$(BIN)/trustsvc: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,postgres]'
	touch $(BIN)/trustsvc

venv: $(BIN)/trustsvc

run: venv
	@test -f $(DEMO_DIR)/pki.json || $(BIN)/trustsvc demo init $(DEMO_DIR)
	TRUSTSVC_DEMO_DIR=$(DEMO_DIR) TRUSTSVC_DATABASE_URL=$${TRUSTSVC_DATABASE_URL:-sqlite:///var/trustsvc.db} \
	  $(BIN)/trustsvc serve --host $(HOST) --port $(PORT) \
	  --tsa-cert $(DEMO_DIR)/certs/hk-tsa.pem --tsa-key $(DEMO_DIR)/keys/hk-tsa.key.pem --tsa-chain $(DEMO_DIR)/certs/hk-ca.pem

# pytest exit code 5 (no tests collected) is a failure here, like every other non-zero code.
test: venv
	$(BIN)/python -m pytest -q

# Every benchmark workload in one run -> docs/benchmarks.md (~3-5 min on 2 CPUs); BENCH_ARGS=--quick for a smoke run.
bench: venv
	$(BIN)/pip install -q -e '.[bench]'
	@command -v wrk >/dev/null || apt-get install -y -q wrk >/dev/null || (apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null)
	$(BIN)/python tools/bench/run_all.py $(BENCH_ARGS)

# requirements.lock: every runtime dependency (with the postgres and etsi extras) pinned with its hashes, for all
# platforms; the Dockerfile installs from it with --require-hashes. Refresh after changing dependencies in pyproject.toml.
lock: venv
	$(BIN)/pip install -q uv
	$(BIN)/uv pip compile pyproject.toml --extra postgres --extra etsi --universal --python-version 3.11 \
	  --generate-hashes --custom-compile-command "make lock" -o requirements.lock

clean:
	rm -rf $(VENV) var build *.egg-info
