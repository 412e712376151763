"""The OpsConsole REST calls an Airflow DAG makes: launch a run, then poll it until it ends.

Only the Python standard library, so the module runs wherever Airflow runs (and is tested without Airflow). The key
is a console API key (scope ``operate``) sent as ``Authorization: Bearer``; keep it in an Airflow connection or
secret backend, never in the DAG file.
"""

import json
import urllib.error
import urllib.request

ENDED = ("Succeeded", "Failed", "Cancelled")


class OpsConsoleError(Exception):
    """The console refused a call: ``status`` is the HTTP status, ``detail`` its problem's detail."""

    def __init__(self, status, detail, problem=None):
        super().__init__(f"HTTP {status}: {detail}")
        self.status = status
        self.detail = detail
        self.problem = problem or {}


class StreamBusy(OpsConsoleError):
    """The stream has an active run (``active_run_id``): a DAG can wait for it or follow it instead."""

    def __init__(self, status, detail, problem):
        super().__init__(status, detail, problem)
        self.active_run_id = problem.get("activeRunId")


class RunFailed(Exception):
    """The run ended, but not with Succeeded: ``run`` is its last state (exit code, failure reason)."""

    def __init__(self, run):
        super().__init__(f"run {run.get('id')} ended {run.get('state')}: {run.get('failureReason') or 'no reason given'}")
        self.run = run


class OpsConsoleClient:
    def __init__(self, base_url, api_key, timeout=30):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout

    def launch(self, stream, mode="incremental", window_from=None, window_to=None, workers=None, retries=None, retry_backoff_seconds=None):
        """Starts a run of ``stream``; returns the run (its ``id`` is what the sensor polls).

        ``retries``: the console's own automatic retries of the run (0..9; a retry resumes the same run id, so the
        sensor keeps polling one run). Leave Airflow's task retries for launch failures only: a task retry would
        start a new run."""
        body = {"stream": stream, "mode": mode}
        if retries is not None:
            body["retries"] = retries
        if retry_backoff_seconds is not None:
            body["retryBackoffSeconds"] = retry_backoff_seconds
        if window_from is not None:
            body["from"] = window_from
        if window_to is not None:
            body["to"] = window_to
        if workers is not None:
            body["workers"] = workers
        return self._call("POST", "/api/runs", body)

    def get_run(self, run_id):
        return self._call("GET", f"/api/runs/{urllib.request.quote(run_id, safe='')}")

    def poll(self, run_id):
        """One look at the run, for a sensor's poke or a deferrable trigger: (ended, run). Raises RunFailed when it ended badly."""
        run = self.get_run(run_id)
        if run["state"] not in ENDED:
            return False, run
        if run["state"] != "Succeeded":
            raise RunFailed(run)
        return True, run

    def _call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers={
            "Authorization": f"Bearer {self.api_key}",
            "Accept": "application/json",
            "Content-Type": "application/json",
        })
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            try:
                problem = json.loads(error.read().decode("utf-8"))
            except ValueError:
                problem = {}
            detail = problem.get("detail") or problem.get("title") or error.reason
            if error.code == 409 and "activeRunId" in problem:
                raise StreamBusy(error.code, detail, problem) from None
            raise OpsConsoleError(error.code, detail, problem) from None
