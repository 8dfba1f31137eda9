# call-taxi build, test and run targets.
# `sam build` calls build-<LogicalId> with ARTIFACTS_DIR set (Metadata.BuildMethod: makefile).

.DEFAULT_GOAL := help

# Template logical ids; each builds ./functions/<lower-case id without "Function">, unless FOLDER_<id without
# "Function"> names another folder (a context deployed as several functions).
FUNCTIONS := OrderFunction PaymentFunction PaymentRecordsFunction ReservationFunction TaxiFunction MyPageFunction NotifyFunction IdentityFunction
BUILD_TARGETS := $(addprefix build-,$(FUNCTIONS))

LAMBDA_GOOS ?= linux
LAMBDA_GOARCH ?= arm64
# Used only when a build-<LogicalId> target is run by hand (SAM always sets it).
ARTIFACTS_DIR ?= $(CURDIR)/bin/$(LAMBDA_GOARCH)/$*Function

HOST_GOOS = $(shell go env GOOS)
HOST_GOARCH = $(shell go env GOARCH)

lower = $(shell printf '%s' '$(1)' | tr '[:upper:]' '[:lower:]')
FOLDER_PaymentRecords := payment
folder = $(or $(FOLDER_$(1)),$(call lower,$(1)))

.PHONY: help build $(BUILD_TARGETS) test fuzz test-browser screenshots fmt vet tidy run bench soak chaos redrive redrive-aws add-user clean

help: ## list the targets
	@grep -E '^[a-zA-Z_%-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-22s %s\n", $$1, $$2}'
	@printf '  %-22s %s\n' 'build-<LogicalId>' 'one function: $(FUNCTIONS)'

$(BUILD_TARGETS): build-%Function:
	GOOS=$(LAMBDA_GOOS) GOARCH=$(LAMBDA_GOARCH) CGO_ENABLED=0 go build -tags lambda.norpc -trimpath -ldflags='-s -w' -o $(ARTIFACTS_DIR)/bootstrap ./functions/$(call folder,$*)

build: ## build every function for Lambda (bin/arm64/<id>) and for this machine (bin/host/<id>)
	@set -e; for f in $(FUNCTIONS); do \
		$(MAKE) --no-print-directory build-$$f LAMBDA_GOOS=linux LAMBDA_GOARCH=arm64 ARTIFACTS_DIR=$(CURDIR)/bin/arm64/$$f; \
		$(MAKE) --no-print-directory build-$$f LAMBDA_GOOS=$(HOST_GOOS) LAMBDA_GOARCH=$(HOST_GOARCH) ARTIFACTS_DIR=$(CURDIR)/bin/host/$$f; \
	done

# -trimpath (go vet, go test, the fuzz targets, the local cloud builds, like the function builds): compiled
# packages then do not depend on the clone's directory, so a fresh clone runs on a warm build cache.
test: ## gofmt, go vet, then at once: every Go test with the race detector, the fuzz targets briefly, the browser tests
	@unformatted="$$(gofmt -l .)"; \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	go vet -trimpath ./...
	@bash scripts/test.sh

# Go fuzzing runs one target per `go test` invocation: package:FuzzName, each for FUZZTIME, FUZZ_JOBS at a time.
FUZZTIME ?= 3s
FUZZ_JOBS ?= 2
FUZZ_TARGETS := \
	./shared/httpapi:FuzzDecodeBytes ./shared/httpapi:FuzzDecode ./shared/streamrec:FuzzConvert \
	./shared/auth:FuzzParseGroups ./shared/validate:FuzzCard ./shared/validate:FuzzE164 \
	./functions/order:FuzzOrderAPI ./functions/payment:FuzzPaymentAPI \
	./functions/reservation:FuzzReservationAPI ./functions/reservation:FuzzReservationEvents \
	./functions/taxi:FuzzTaxiAPI ./functions/taxi:FuzzTaxiEvents \
	./functions/mypage:FuzzMyPageAPI ./functions/mypage:FuzzMyPageStream ./functions/notify:FuzzNotifyStream \
	./functions/notify:FuzzLettersAndDigits

fuzz: ## run every fuzz target for FUZZTIME each (default 3s), FUZZ_JOBS (default 2) at a time; a crash is saved under the package's testdata/fuzz
	@FUZZTIME=$(FUZZTIME) FUZZ_JOBS=$(FUZZ_JOBS) bash scripts/fuzz.sh $(FUZZ_TARGETS)

test-browser: ## browser tests of web/ against a fresh local cloud (needs chromium and `npm ci` in web/e2e)
	bash web/e2e/run-against-localcloud.sh

screenshots: ## rerun the browser tests and replace docs/screenshots with their screenshots
	UPDATE_SCREENSHOTS=1 bash web/e2e/run-against-localcloud.sh

fmt: ## gofmt every Go file
	gofmt -w .

vet: ## go vet
	go vet -trimpath ./...

tidy: ## go mod tidy (the lead's job: go.mod is shared)
	go mod tidy

run: ## start the local cloud: make run ARGS='...'
	go run ./localcloud $(ARGS)

bench: ## load test against the local cloud: make bench ARGS='...'
	go run ./bench $(ARGS)

SOAK ?= 100000
soak: ## memory/disk/CPU soak: SOAK bookings (default 100000) at 8 concurrent, then RSS, data dir vs live snapshot, CPU first vs last 1,000, restart after kill -9: make soak SOAK=20000 ARGS='...'
	go run ./bench -soak $(SOAK) $(ARGS)

chaos: ## load test with injected failures: make chaos ARGS='...'
	go run ./bench -chaos $(ARGS)

redrive: ## after a fix: move the local cloud's domain-event DLQ messages back to their queues (SQS StartMessageMoveTask)
	bash scripts/redrive.sh local

redrive-aws: ## after a fix: the same against the deployed stack (samconfig.toml's stack and region)
	bash scripts/redrive.sh aws

add-user: ## add a manager or driver to the deployed stack's user pool: make add-user EMAIL=... ROLE=managers|drivers
	@test -n "$(EMAIL)" -a -n "$(ROLE)" || { echo "usage: make add-user EMAIL=... ROLE=managers|drivers"; exit 2; }
	bash scripts/add-user.sh '$(EMAIL)' '$(ROLE)' aws

clean: ## remove build output
	rm -rf bin .aws-sam
