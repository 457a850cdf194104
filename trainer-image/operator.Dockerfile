# The operator image: apriel-operator, no shell, non-root.
#   docker build -f trainer-image/operator.Dockerfile -t ghcr.io/apriel-operator/operator:0.1.0 .
FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Apriel.Operator/Apriel.Operator.csproj -c Release -r linux-x64 --self-contained -o /out

# Chiseled: only what a self-contained .NET program needs (libc, libssl, ICU, tzdata), no shell or package manager.
FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled-extra
COPY --from=build /out /opt/apriel
ENV PATH=/opt/apriel
USER 65532:65532
ENTRYPOINT ["apriel-operator"]
