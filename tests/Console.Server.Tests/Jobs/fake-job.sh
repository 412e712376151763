#!/usr/bin/env bash
# Stands in for SparkJobs in the runner tests; it speaks the same JSON lines. Its behaviour follows --stream:
#   charges    succeeds after progress lines, a plain line, a line quoting its secret key and a "warned" dq line
#              (with --workers 3 a blocking data-quality rule fails instead: a "blocked" dq line, exit 3)
#   customers  runs until SIGTERM (at most about a minute), then exits 130 (with --workers 13 it ignores SIGTERM and must be killed)
#   refunds    fails: an error line, exit 4
# --from N >= 1000 (a window start in unix seconds) makes "charges" write N lines, about 5,000 a second.
stream="" workers=8 run="" from=0
while [ $# -gt 0 ]; do
  case "$1" in
    --stream) stream=$2; shift ;;
    --workers) workers=$2; shift ;;
    --run-id) run=$2; shift ;;
    --from) from=$2; shift ;;
  esac
  shift
done

line() { # level event msg [extra json fields]
  printf '{"ts":"%s","level":"%s","source":"%s","event":"%s","msg":"%s"%s}\n' \
    "$(date -u +%Y-%m-%dT%H:%M:%S.000Z)" "$1" "${SOURCE:-driver}" "$2" "$3" "${4:-}"
}

case "$stream" in
  charges)
    line info log "Run $run starting"
    if [ "$from" -ge 1000 ]; then
      for ((i = 1; i <= from; i++)); do
        echo "{\"level\":\"info\",\"source\":\"executor-$((i % 4 + 1))\",\"event\":\"log\",\"msg\":\"line $i\"}"
        if ((i % 1000 == 0)); then sleep 0.2; fi
      done
    fi
    SOURCE=executor-1 line info slice "Slice done" ',"records":100'
    if [ "$workers" = 3 ]; then
      line error dq "Data quality blocked: 1 of 3 rules failed" ',"outcome":"blocked","rules":3,"failed":1,"failed_rules":["non_negative_amount"]'
      line error log "Blocked by data quality: non_negative_amount. Nothing was committed and the checkpoint did not move"
      exit 3
    fi
    line info progress "100 records" ',"records":100,"pages":1,"bytes":5000,"rate_limited":2,"retries":1,"records_per_second":50.5'
    echo "plain text from the runtime"
    line warn log "key in use: $STRIPE_SECRET_KEY"
    line warn dq "Data quality warned: 1 of 3 rules failed" ',"outcome":"warned","rules":3,"failed":1,"failed_rules":["not_null_currency"]'
    line info summary "Run $run succeeded" ',"records":150,"pages":2,"bytes":7500,"rate_limited":2,"retries":1,"cpu_seconds":1.5,"peak_rss_bytes":104857600,"lake_puts":12,"lake_gets":30,"state_writes":9,"state_reads":4,"table_bytes":1073741824'
    exit 0
    ;;
  customers)
    if [ "$workers" = 13 ]; then
      trap '' TERM
    else
      trap 'line warn log "Cancelled"; exit 130' TERM
    fi
    # Ends by itself after about a minute, so a test that fails before cancelling leaves nothing running.
    i=0
    while [ "$i" -lt 600 ]; do
      i=$((i + 1))
      line info progress "$i ticks" ",\"records\":$i"
      sleep 0.1
    done
    exit 0
    ;;
  refunds)
    line info log "Run $run starting"
    line error log "Source failed after 8 retries: HTTP 500 from /v1/refunds"
    exit 4
    ;;
esac
echo "unknown stream $stream" >&2
exit 2
