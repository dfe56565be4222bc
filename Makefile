# enisim — see README.md. `make run` and `make test` are the two set-up commands.
GO ?= go
SCENARIO ?= default
OUT ?= out/$(SCENARIO)

.PHONY: run build test test-short lint bench interop clean

build:
	$(GO) build -o bin/enisim ./cmd/enisim

# The main job: the built-in default scenario, a capacity summary on stdout, tables in $(OUT).
run: build
	./bin/enisim run $(SCENARIO) -o $(OUT) --force

# Every test, with the race detector.
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 20m ./...

lint:
	@out=$$(gofmt -l . | grep -v '^vendor/'); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./sim/ ./bench/...

clean:
	rm -rf bin out

# Compare the model with analytic oracles and published results; rewrites results/validation.md.
# Phony: a directory named validate exists, which would make the target look up to date.
.PHONY: validate
validate:
	$(GO) run ./validate/cmd/validate -o results/validation.md
