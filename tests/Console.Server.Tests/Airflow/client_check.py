"""Drives deploy/airflow/opsconsole_client.py against a live console as the example DAG does; prints what happened as JSON.
Usage: python3 client_check.py BASE_URL API_KEY (with deploy/airflow on PYTHONPATH)."""

import json
import sys
import time

from opsconsole_client import OpsConsoleClient, OpsConsoleError, RunFailed, StreamBusy


def wait(client, run_id):
    while True:
        ended, run = client.poll(run_id)
        if ended:
            return run
        time.sleep(0.2)


base_url, key = sys.argv[1], sys.argv[2]
client = OpsConsoleClient(base_url, key)
out = {}

charges = client.launch("charges")
out["charges"] = wait(client, charges["id"])["state"]

running = client.launch("customers")
try:
    client.launch("customers")
    out["busy"] = "launched twice"
except StreamBusy as busy:
    out["busy"] = busy.active_run_id == running["id"]

refunds = client.launch("refunds", retries=1, retry_backoff_seconds=1)
try:
    wait(client, refunds["id"])
    out["refunds"] = "no error"
except RunFailed as failed:
    out["refunds"] = [failed.run["state"], failed.run["exitCode"], failed.run["attempts"]]

try:
    OpsConsoleClient(base_url, "opsk_not-a-key").get_run(charges["id"])
    out["wrong_key"] = "accepted"
except OpsConsoleError as error:
    out["wrong_key"] = error.status

try:
    client.launch("payouts")
    out["bad_stream"] = "launched"
except OpsConsoleError as error:
    out["bad_stream"] = [error.status, sorted(error.problem.get("errors", {}).keys())]

print(json.dumps(out))
