# The console's image. Build from the repository root:
#   docker build -f deploy/docker/console.Dockerfile -t opsconsole/console .
# The build stage has the SDK and Node (the console's build installs the browser SignalR client with npm); the final
# stage has only the ASP.NET Core runtime and the published console (with the job and the Sandbox beside it, for the
# local runner). It runs as user 10001, the user deploy/k8s gives the pod, and writes only to /data and /tmp, so the
# root filesystem can be read-only.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
RUN apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN dotnet publish Console.Server/Console.Server.csproj -c Release -o /out -nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /out .
ENV ASPNETCORE_URLS=http://+:8080 \
    OPSCONSOLE_DATA=/data \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["dotnet", "OpsConsole.Server.dll"]
