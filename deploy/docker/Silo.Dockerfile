# syntax=docker/dockerfile:1
# The standalone silo (src/Silo). Build context: the repository root.
#   docker build -f deploy/docker/Silo.Dockerfile -t casegrains-silo .
# No arguments: run a silo. Argument `migrate`: apply the PostgreSQL schema (idempotent) and exit.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore from the project files alone, so that a source change does not invalidate the package layer.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Domain/CaseGrains.Domain.csproj src/Domain/
COPY src/Grains.Abstractions/CaseGrains.Grains.Abstractions.csproj src/Grains.Abstractions/
COPY src/Grains/CaseGrains.Grains.csproj src/Grains/
COPY src/Silo/CaseGrains.Silo.csproj src/Silo/
RUN dotnet restore src/Silo/CaseGrains.Silo.csproj
COPY src/ src/
RUN dotnet publish src/Silo/CaseGrains.Silo.csproj -c Release -o /app -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0
# curl serves the compose health checks (the image has no HTTP client); Kubernetes probes need nothing in the image.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
# The app's DataDirectory (./data) must be writable by the app user; cluster state itself lives in PostgreSQL.
RUN mkdir data && chown "$APP_UID" data
# Numeric user, so that Kubernetes' runAsNonRoot can verify it.
USER $APP_UID
# The silo serves HTTP on CaseGrains:HealthPort only; the image's default port would just log an override warning.
ENV ASPNETCORE_HTTP_PORTS=
# Orleans silo-to-silo, Orleans gateway (clients), HTTP health: CaseGrains:SiloPort, :GatewayPort, :HealthPort defaults.
EXPOSE 11111 30000 8081
ENTRYPOINT ["dotnet", "CaseGrains.Silo.dll"]
