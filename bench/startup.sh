#!/usr/bin/env bash
# Cold start of the console: time from process start to the first served page (/signin, 200), and the
# process's resident memory right after it and after 10 signed-in page loads. Builds Release first.
# Usage: bash bench/startup.sh [runs]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs="${1:-5}"
port=5181
dotnet build Console.Server -c Release -nologo -v quiet >/dev/null
dll=Console.Server/bin/Release/net10.0/OpsConsole.Server.dll

for i in $(seq 1 "$runs"); do
  data=$(mktemp -d)
  start=$(date +%s%N)
  OPSCONSOLE_DATA=$data OPSCONSOLE_ADMIN_PASSWORD=bench-password ASPNETCORE_ENVIRONMENT=Production \
    dotnet "$dll" --urls "http://127.0.0.1:$port" >"$data/console.log" 2>&1 &
  pid=$!
  until curl -fs -o /dev/null "http://127.0.0.1:$port/signin"; do sleep 0.02; done
  ready=$(date +%s%N)
  rss_start=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  jar="$data/cookies"
  token=$(curl -fs -c "$jar" "http://127.0.0.1:$port/signin" | grep -o 'name="__RequestVerificationToken" value="[^"]*"' | sed 's/.*value="//; s/"$//')
  curl -fs -b "$jar" -c "$jar" -o /dev/null -X POST "http://127.0.0.1:$port/signin" \
    --data-urlencode "_handler=signin" --data-urlencode "__RequestVerificationToken=$token" \
    --data-urlencode "Input.UserName=admin" --data-urlencode "Input.Password=bench-password"
  curl -fs -b "$jar" -o /dev/null "http://127.0.0.1:$port/api/me" || { echo "sign-in failed" >&2; exit 1; }
  for _ in $(seq 1 10); do curl -fs -b "$jar" -o /dev/null "http://127.0.0.1:$port/runs"; done
  rss_after=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  printf 'run %d: first page %d ms, RSS at start %d MiB, after sign-in and 10 pages %d MiB\n' \
    "$i" $(((ready - start) / 1000000)) $((rss_start / 1024)) $((rss_after / 1024))
  rm -rf "$data"
done
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%d GiB", $2/1048576}' /proc/meminfo), $(dotnet --version) SDK"
