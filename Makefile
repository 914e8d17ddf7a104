# coopwatch: `make run` runs the whole job on the demo data; `make test` runs every test.
GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)
BIN      := bin/worker
DEMO     := testdata/demo/coopwatch.yaml
export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/coopwatch?sslmode=disable
export TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/coopwatch_test?sslmode=disable

.PHONY: help build run test lint fuzz bench demo-data clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

build: ## build bin/worker with the version stamped in
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/worker

run: build ## import the demo data, recompute attainment and print the digest
	$(BIN) --config $(DEMO) once all
	$(BIN) --config $(DEMO) digest --preview

test: ## run every test against the real Postgres at TEST_DATABASE_URL
	$(GO) test -count=1 ./...

FUZZTIME ?= 10s
fuzz: ## fuzz numbers, dates and commune names briefly (FUZZTIME each; seeds in testdata/fuzz)
	$(GO) test -run '^$$' -fuzz '^FuzzParseNumber$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./pipeline
	$(GO) test -run '^$$' -fuzz '^FuzzParseDate$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./pipeline
	$(GO) test -run '^$$' -fuzz '^FuzzCommune$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./gazetteer

lint: ## gofmt and go vet
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1)
	$(GO) vet ./...

bench: ## 1M-row CSV and 200k-row XLSX loads: time and peak memory against psql \copy, pgloader, xlsx2csv
	scripts/bench.sh

demo-data: ## regenerate testdata/demo from cmd/demogen
	$(GO) run ./cmd/demogen -out testdata/demo

clean: ## remove build output and demo state
	rm -rf bin state
