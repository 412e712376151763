# The ingestion job's image, which the Kubernetes runner starts (Kubernetes:Image). Build from the repository root:
#   docker build -f deploy/docker/job.Dockerfile -t opsconsole/job .
# The final stage has only the .NET runtime and the published job. The runner passes the job's arguments (`ingest
# --source ... --run-id ...`) as the container's args; the source key arrives as an environment variable from a
# Secret. It runs as user 10001 and writes only to /tmp.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish SparkJobs/SparkJobs.csproj -c Release -o /out -nologo

FROM mcr.microsoft.com/dotnet/runtime:10.0
WORKDIR /app
COPY --from=build /out .
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1
USER 10001:10001
ENTRYPOINT ["dotnet", "OpsConsole.SparkJobs.dll"]
