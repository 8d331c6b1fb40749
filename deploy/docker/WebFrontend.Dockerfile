# syntax=docker/dockerfile:1
# The web frontend (src/WebFrontend: API, SignalR hub, web UI). Build context: the repository root.
#   docker build -f deploy/docker/WebFrontend.Dockerfile -t casegrains-webfrontend .

# The project's build runs `npm ci` and the Vite build of ClientApp, which needs Node >= 20.19. The SDK image is
# Ubuntu 24.04, whose apt Node is 18, so Node is taken from the official image instead.
FROM node:20-bookworm-slim AS node

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/npm
RUN ln -s /usr/local/lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
    && node --version && npm --version
WORKDIR /src
# Restore NuGet and npm packages from their manifests alone, so that a source change does not invalidate them.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Domain/CaseGrains.Domain.csproj src/Domain/
COPY src/Grains.Abstractions/CaseGrains.Grains.Abstractions.csproj src/Grains.Abstractions/
COPY src/Grains/CaseGrains.Grains.csproj src/Grains/
COPY src/WebFrontend/CaseGrains.WebFrontend.csproj src/WebFrontend/
RUN dotnet restore src/WebFrontend/CaseGrains.WebFrontend.csproj
COPY src/WebFrontend/ClientApp/package.json src/WebFrontend/ClientApp/package-lock.json src/WebFrontend/ClientApp/
RUN cd src/WebFrontend/ClientApp && npm ci --no-audit --no-fund --loglevel=error
COPY src/ src/
RUN dotnet publish src/WebFrontend/CaseGrains.WebFrontend.csproj -c Release -o /app -p:UseAppHost=false

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
ENV ASPNETCORE_HTTP_PORTS=8080
EXPOSE 8080
ENTRYPOINT ["dotnet", "CaseGrains.WebFrontend.dll"]
