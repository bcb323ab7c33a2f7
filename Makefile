# The two set-up commands (README): `make run` and `make test`. Both install what they need.
SHELL := /bin/bash
.DEFAULT_GOAL := run
JOBS ?= $(shell nproc)

.PHONY: run test build build-asan deps test-deps test-release test-asan format clean

deps:
	bash scripts/install-deps.sh build

test-deps:
	bash scripts/install-deps.sh test

build: deps
	cmake --preset release >/dev/null
	cmake --build build -j$(JOBS)

# Runs MailJuke with its embedded defaults (SQLite and blobs under var/, listeners on 127.0.0.1).
run: build
	./build/mailjuke serve

build-asan: test-deps
	cmake --preset asan >/dev/null
	cmake --build build-asan -j$(JOBS)

# The whole suite: release build with every test (storage tests on SQLite and on a throw-away
# PostgreSQL cluster), then the unit tests, fuzz corpora and integration tests under ASan+UBSan.
test: test-deps
	bash scripts/run-tests.sh

test-release: test-deps
	bash scripts/run-tests.sh release

test-asan: test-deps
	bash scripts/run-tests.sh asan

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf build build-asan
