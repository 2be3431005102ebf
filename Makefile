# Casefile: the two commands of the README's quick start, and the pieces they are made of.
#   make run    installs what is missing, builds and starts the desktop app
#   make test   installs what is missing and runs every test (what CI runs)

CARGO ?= cargo

.PHONY: run test deps-run deps-test lint unit e2e cli bench clean-e2e

run: deps-run
	$(CARGO) run -p casefile-app

test: deps-test lint unit e2e

deps-run:
	scripts/install-deps.sh run

deps-test:
	scripts/install-deps.sh test

# Gates: formatted code, no clippy warnings (the architecture rules are crates/casefile-core/tests/tidy.rs).
lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# Core, CLI and the shell's smoke tests: real SQLite files in temp dirs, the built CLI binary;
# then the UI's own unit tests (catalogues, date parsing) under node.
unit:
	$(CARGO) test --workspace
	node --test ui/tests/

# The real app in a real window under Xvfb, driven through tauri-driver + WebKitWebDriver.
e2e:
	scripts/e2e.sh

# The casefile command, built optimised, at target/release/casefile.
cli:
	$(CARGO) build --release -p casefile-cli
