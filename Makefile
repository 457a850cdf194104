# Apriel Operator. `make test` and `make run` do all set-up on a fresh Debian 12 machine with the .NET 10 SDK.
SHELL := /bin/bash
DOTNET ?= dotnet
CONFIG ?= Debug
APRIEL := $(DOTNET) src/Apriel.Cli/bin/$(CONFIG)/net10.0/linux-x64/apriel.dll
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1

.PHONY: all build test test-env crds validate run bench clean

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

## run: the tiny pipeline locally. The local runner (`apriel run`) is not built yet; until it is, this validates it.
run: validate
	@echo "apriel run (the local runner) is not implemented yet; examples/tiny was validated only."

## bench: benchmarks (not tests); each reports ratios measured in one run
bench:
	$(DOTNET) build src/Apriel.Trainer -c Release -nologo -clp:ErrorsOnly
	$(DOTNET) src/Apriel.Trainer/bin/Release/net10.0/linux-x64/apriel-trainer.dll bench checkpoint-io
	$(DOTNET) src/Apriel.Trainer/bin/Release/net10.0/linux-x64/apriel-trainer.dll bench trainer-overhead
	$(DOTNET) src/Apriel.Trainer/bin/Release/net10.0/linux-x64/apriel-trainer.dll bench merge

clean:
	$(DOTNET) clean Apriel.Operator.sln -nologo -v q
