# `make run` serves the API locally; `make test` runs everything CI runs. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Installed in steps, each once: the app and local stack for `make run` (LOCAL), tests and lint (STAMP), and the
# CDK and cfn-lint only for what needs them (INFRA).
LOCAL := $(VENV)/.installed-local
STAMP := $(VENV)/.installed
INFRA := $(VENV)/.installed-infra
PORT ?= 8000
export PORT

.PHONY: run status demo test lint unit integration rehearse job backfill bench bench-nearest synth deploy destroy clean help assets openapi

help:
	@echo "make run                      serve the API on http://127.0.0.1:$(PORT) with a local stack: DynamoDB Local"
	@echo "                              on DYNAMODB_PORT (8001), moto (S3, SQS, SNS, SES) on MOTO_PORT (8002)"
	@echo "make status                   what the running local stack serves, and whether each piece answers"
	@echo "make demo                     the README's walkthrough against the running stack (BASE_URL)"
	@echo "make test                     lint, unit tests (moto), integration tests (DynamoDB Local) and the rehearsal"
	@echo "make rehearse                 the deploy rehearsal: both stages' templates and Lambda zip, run locally"
	@echo "make job NAME=<job> [NOW=..]  run one scheduled job once against the running local stack"
	@echo "make backfill [STAGE=dev|prod] index keys older items lack (local stack, or a deployed stage)"
	@echo "make openapi                  write openapi.json, the OpenAPI 3.1 document of every route"
	@echo "make bench                    print the benchmark figures"
	@echo "make synth                    write the CloudFormation templates (infra/cdk.out), no AWS account needed"
	@echo "make deploy STAGE=dev|prod    deploy a stage with your AWS credentials (CDK CLI from npm)"
	@echo "make destroy STAGE=dev        remove the dev stage (prod keeps its tables and bucket)"

PIP := $(BIN)/python -m pip install --disable-pip-version-check --progress-bar off

$(LOCAL): requirements.txt requirements-local.txt
	@test -x $(BIN)/python || { echo "creating $(VENV) ..."; $(PYTHON) -m venv $(VENV); }
	@echo "installing the app and the local stack (Chalice, boto3, moto) into $(VENV): first run only, about a minute"
	$(PIP) -r requirements-local.txt
	touch $(LOCAL)

$(STAMP): $(LOCAL) requirements-dev.txt
	@echo "installing the test and lint packages into $(VENV): first time only, about a minute ..."
	$(PIP) -r requirements-dev.txt
	touch $(STAMP)

$(INFRA): $(STAMP) requirements-infra.txt
	@echo "installing the CDK and cfn-lint into $(VENV): first synth, deploy, rehearsal or unit run only, a few minutes"
	$(PIP) -r requirements-infra.txt
	touch $(INFRA)

# Swagger UI for /docs, from the npm package pinned in ui/package-lock.json, bundled into chalicelib (and so the zip).
ASSETS := chalicelib/apidocs/assets/.bundled
assets: $(ASSETS)
$(ASSETS): ui/package-lock.json
	cd ui && npm ci --silent --no-audit --no-fund
	mkdir -p $(@D)
	cp ui/node_modules/swagger-ui-dist/swagger-ui.css ui/node_modules/swagger-ui-dist/swagger-ui-bundle.js $(@D)/
	cp ui/node_modules/swagger-ui-dist/LICENSE $(@D)/swagger-ui.LICENSE
	touch $@

openapi: $(LOCAL)
	$(BIN)/python -m chalicelib.apidocs > openapi.json
	@echo "wrote openapi.json"

run: $(LOCAL) $(ASSETS)
	$(BIN)/python -m local

# The README's walkthrough (docs/walkthrough.sh, shown in README.md and docs/) against a running stack; `make test`
# runs it against its own (tests/integration/test_demo.py).
BASE_URL ?= http://127.0.0.1:$(PORT)
demo:
	BASE_URL=$(BASE_URL) bash docs/walkthrough.sh

status:
	@$(PYTHON) -m local.status

test: lint unit integration rehearse

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

unit: $(INFRA) $(ASSETS)
	$(BIN)/python -m pytest -n auto tests/unit

integration: $(STAMP) $(ASSETS)
	$(BIN)/python -m pytest tests/integration

# Synthesizes both stages, deploys their tables and resources on DynamoDB Local and moto, runs each function from
# the asset zip in a clean interpreter, and judges every AWS call against the function's role (README: Deploying).
rehearse: $(INFRA) $(ASSETS)
	$(BIN)/python -m pytest tests/rehearsal

job: $(LOCAL)
	$(BIN)/python -m local.job $(NAME) $(if $(NOW),--now $(NOW))

# Index keys that items stored before them lack, locally or (STAGE given) on a deployed stage: once after an upgrade.
backfill: $(LOCAL)
	$(BIN)/python -m local.backfill $(if $(filter command line environment,$(origin STAGE)),$(STAGE))

bench: $(STAMP) $(INFRA)
	$(BIN)/python bench/cold_start.py
	$(BIN)/python bench/lambda_import.py
	$(BIN)/python bench/first_request.py
	$(BIN)/python bench/ids.py
	$(BIN)/python bench/dialogue_bytes.py
	$(BIN)/python bench/routes.py
	$(BIN)/python bench/signin_timing.py
	$(BIN)/python bench/patch_amplification.py
	$(BIN)/python bench/hot_cells.py

STAGE ?= dev
CDK := npx --yes aws-cdk@2.1148.1
CDK_APP := --app "$(BIN)/python infra/app.py"
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1

synth: $(INFRA) $(ASSETS)
	AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-us-east-1} $(BIN)/python infra/app.py
	$(BIN)/cfn-lint --include-checks I -- infra/cdk.out/*.template.json
	@ls infra/cdk.out/*.template.json

deploy: $(INFRA)
	STAGES=$(STAGE) $(BIN)/python infra/deploy.py $(STAGE) -- $(CDK) deploy $(CDK_APP) $(CDK_FLAGS) serverless-platform-$(STAGE)

destroy: $(INFRA)
	STAGES=$(STAGE) $(CDK) destroy $(CDK_APP) serverless-platform-$(STAGE)

bench-nearest: $(STAMP)
	$(BIN)/python bench/nearest.py
	$(BIN)/python bench/nearest_budget.py --configs 98,reindexed

clean:
	rm -rf $(VENV) .cache .pytest_cache .ruff_cache ui/node_modules chalicelib/apidocs/assets
