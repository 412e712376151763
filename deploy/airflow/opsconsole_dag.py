"""Example DAG: a daily incremental run of each stream through the console, waited for by a sensor.

The sensor uses mode="reschedule": it frees its worker slot between pokes, and each poke is one GET (``poll``), so
it is cheap to run for hours; the same call suits a deferrable trigger. Airflow connection ``opsconsole``: host =
the console's URL, password = an API key with scope ``operate``.
"""

import pendulum
from airflow.decorators import dag, task
from airflow.hooks.base import BaseHook

from opsconsole_client import OpsConsoleClient, StreamBusy


def _client():
    connection = BaseHook.get_connection("opsconsole")
    return OpsConsoleClient(connection.host, connection.password)


@dag(schedule="0 2 * * *", start_date=pendulum.datetime(2026, 12, 1, tz="UTC"), catchup=False, tags=["opsconsole"])
def opsconsole_daily():
    for stream in ("charges", "customers", "refunds"):

        @task(task_id=f"launch_{stream}", retries=2)
        def launch(stream=stream):
            try:
                # The console retries a failed run itself, resuming it under the same id, so the sensor follows one run.
                return _client().launch(stream, retries=2, retry_backoff_seconds=300)["id"]
            except StreamBusy as busy:
                # A run of the stream is already active (another schedule, an operator): follow that one.
                return busy.active_run_id

        @task.sensor(task_id=f"wait_{stream}", poke_interval=60, timeout=6 * 3600, mode="reschedule")
        def wait(run_id):
            ended, _ = _client().poll(run_id)
            return ended

        wait(launch())


opsconsole_daily()
