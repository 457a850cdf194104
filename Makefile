# Apriel Operator. `make test` and `make run` do all set-up on a fresh Debian 12 machine with the .NET 10 SDK.
SHELL := /bin/bash
DOTNET ?= dotnet
CONFIG ?= Debug
APRIEL := $(DOTNET) src/Apriel.Cli/bin/$(CONFIG)/net10.0/linux-x64/apriel.dll
TRAINER := $(DOTNET) src/Apriel.Cli/bin/$(CONFIG)/net10.0/linux-x64/apriel-trainer.dll
WORK ?= .apriel
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1

.PHONY: all build test test-env crds validate run bench images clean

all: build

build:
	$(DOTNET) build Apriel.Operator.sln -c $(CONFIG) -nologo -clp:ErrorsOnly

## test-env: etcd, kube-apiserver/-controller-manager/-scheduler, s3rver, helm (cached under ~/.cache/apriel)
test-env:
	tests/env/install.sh

## test: every test, including the integration tests on a real control plane
test: test-env build
	$(DOTNET) test Apriel.Operator.sln -c $(CONFIG) --no-build -nologo --blame-hang-timeout 10m

## crds: regenerate crds/ from the API types in src/Apriel.Api
crds: build
	$(APRIEL) crds --output crds

## validate: check the example pipelines
validate: build
	$(APRIEL) validate examples/apriel-15b
	$(APRIEL) validate examples/tiny

## run: the tiny pipeline on this machine: generated data, every stage and merge, a report (WORK=.apriel)
run: build
	@test -f $(WORK)/store/datasets/tiny/text.jsonl || $(TRAINER) generate-tiny-data $(WORK)/store
	$(APRIEL) run examples/tiny --work $(WORK)

## bench: benchmarks (not tests); each reports ratios measured in one run (the S3 one against a local s3rver)
bench: test-env
	$(DOTNET) build src/Apriel.Trainer -c Release -nologo -clp:ErrorsOnly
	$(DOTNET) src/Apriel.Trainer/bin/Release/net10.0/linux-x64/apriel-trainer.dll bench checkpoint-io
	$(DOTNET) src/Apriel.Trainer/bin/Release/net10.0/linux-x64/apriel-trainer.dll bench trainer-overhead
	$(DOTNET) src/Apriel.Trainer/bin/Release/net10.0/linux-x64/apriel-trainer.dll bench merge
	$(DOTNET) src/Apriel.Trainer/bin/Release/net10.0/linux-x64/apriel-trainer.dll bench generation
	$(DOTNET) src/Apriel.Trainer/bin/Release/net10.0/linux-x64/apriel-trainer.dll bench activation-checkpointing
	tests/env/with-s3rver.sh $(DOTNET) src/Apriel.Trainer/bin/Release/net10.0/linux-x64/apriel-trainer.dll bench s3 --store s3://bench/
	$(DOTNET) build tests/Apriel.Operator.Benchmarks -c Release -nologo -clp:ErrorsOnly
	$(DOTNET) tests/Apriel.Operator.Benchmarks/bin/Release/net10.0/linux-x64/Apriel.Operator.Benchmarks.dll 100 250 500

## images: the trainer (CUDA) and operator images; needs a Docker engine (none runs on the development machines)
TRAINER_IMAGE ?= ghcr.io/apriel-operator/trainer:0.1.0-cuda12.8
OPERATOR_IMAGE ?= ghcr.io/apriel-operator/operator:0.1.0
images:
	@command -v docker >/dev/null || { echo "no docker here: build the images where a Docker engine runs (see README, Images)"; exit 1; }
	docker build -f trainer-image/Dockerfile -t $(TRAINER_IMAGE) .
	docker build -f trainer-image/operator.Dockerfile -t $(OPERATOR_IMAGE) .

clean:
	$(DOTNET) clean Apriel.Operator.sln -nologo -v q
