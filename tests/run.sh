#!/usr/bin/env bash
# Runs every test of the solution on a fresh Debian machine: installs what the tests need first
# (Debian's chromium for the browser tests, prometheus for promtool, kubernetes-client for kubectl, nginx for the TLS proxy test, python3 for the Airflow helper's test,
# tzdata for the schedules' time zones;
# npm test servers under tests/tools
# when that folder has a lock file), then runs `dotnet test Console.sln`. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)
command -v nginx >/dev/null 2>&1 || missing+=(nginx)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
[ -e /usr/share/zoneinfo/Europe/Berlin ] || missing+=(tzdata)
# Node 20+ runs the npm test tools (Debian's nodejs package is older: install Node 20 first where it is missing).
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if ((${#missing[@]})); then
  echo "Installing ${missing[*]} (apt)"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ -f tests/tools/package-lock.json ]; then
  echo "Installing npm test servers (tests/tools)"
  (cd tests/tools && npm ci --no-audit --no-fund)
fi

dotnet build Console.sln -nologo -v minimal
dotnet test Console.sln --no-build -nologo --blame-hang-timeout 10m --logger "console;verbosity=minimal" "$@"
