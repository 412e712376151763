namespace OpsConsole.Server.Data;

/// <summary>
/// The embedded database's migrations, in order. Migration N brings the schema to version N.
/// Never edit a migration that has shipped: add a new one.
/// </summary>
internal static class Schema
{
    public static IReadOnlyList<string> Migrations { get; } =
    [
        """
        CREATE TABLE users (
            name            TEXT    NOT NULL PRIMARY KEY COLLATE NOCASE,
            role            TEXT    NOT NULL CHECK (role IN ('Viewer', 'Operator', 'Admin')),
            password_hash   TEXT    NOT NULL,
            security_stamp  TEXT    NOT NULL,
            failed_sign_ins INTEGER NOT NULL DEFAULT 0,
            locked_until    INTEGER NULL,
            created_at      INTEGER NOT NULL,
            updated_at      INTEGER NOT NULL
        );
        CREATE TABLE api_keys (
            id           TEXT    NOT NULL PRIMARY KEY,
            owner        TEXT    NOT NULL REFERENCES users (name) ON DELETE CASCADE,
            name         TEXT    NOT NULL,
            prefix       TEXT    NOT NULL,
            secret_hash  BLOB    NOT NULL UNIQUE,
            created_at   INTEGER NOT NULL,
            last_used_at INTEGER NULL,
            revoked_at   INTEGER NULL
        );
        CREATE INDEX api_keys_owner ON api_keys (owner)
        """,
        """
        CREATE TABLE runs (
            id                  TEXT    NOT NULL PRIMARY KEY,
            source              TEXT    NOT NULL,
            stream              TEXT    NOT NULL,
            mode                TEXT    NOT NULL,
            window_from         INTEGER NULL,
            window_to           INTEGER NULL,
            workers             INTEGER NOT NULL,
            state               TEXT    NOT NULL CHECK (state IN ('Pending', 'Starting', 'Running', 'Cancelling', 'Succeeded', 'Failed', 'Cancelled')),
            created_at          INTEGER NOT NULL,
            started_at          INTEGER NULL,
            ended_at            INTEGER NULL,
            launched_by         TEXT    NOT NULL,
            cancelled_by        TEXT    NULL,
            cancel_requested_at INTEGER NULL,
            forced              INTEGER NOT NULL DEFAULT 0,
            exit_code           INTEGER NULL,
            failure_reason      TEXT    NULL,
            attempts            INTEGER NOT NULL DEFAULT 0,
            pid                 INTEGER NULL,
            pid_started         INTEGER NULL,
            records             INTEGER NOT NULL DEFAULT 0,
            pages               INTEGER NOT NULL DEFAULT 0,
            bytes               INTEGER NOT NULL DEFAULT 0,
            rate_limited        INTEGER NOT NULL DEFAULT 0,
            retries             INTEGER NOT NULL DEFAULT 0,
            records_per_second  REAL    NOT NULL DEFAULT 0,
            slices_done         INTEGER NOT NULL DEFAULT 0,
            slices_total        INTEGER NOT NULL DEFAULT 0,
            progress_at         INTEGER NULL
        );
        CREATE INDEX runs_created ON runs (created_at DESC);
        -- The console's stream lease: at most one active run per source/stream, enforced by the database itself.
        CREATE UNIQUE INDEX runs_active_stream ON runs (source, stream) WHERE state IN ('Pending', 'Starting', 'Running', 'Cancelling')
        """,
        """
        CREATE TABLE audit (
            id      INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
            at      INTEGER NOT NULL,
            actor   TEXT    NOT NULL,
            action  TEXT    NOT NULL,
            target  TEXT    NOT NULL,
            stream  TEXT    NULL,
            before  TEXT    NULL,
            after   TEXT    NULL,
            reason  TEXT    NULL,
            outcome TEXT    NOT NULL
        );
        CREATE INDEX audit_at ON audit (at DESC);
        CREATE INDEX audit_stream ON audit (stream, at DESC);
        -- Append-only, enforced by the database: no code path, and no hand-written statement, changes an entry.
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit entries cannot be changed'); END;
        CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit entries cannot be deleted'); END;
        CREATE TABLE webhook_deliveries (
            id          INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
            event       TEXT    NOT NULL,
            subject     TEXT    NOT NULL,
            payload     TEXT    NOT NULL,
            created_at  INTEGER NOT NULL,
            attempts    INTEGER NOT NULL DEFAULT 0,
            status      TEXT    NOT NULL CHECK (status IN ('Pending', 'Delivered', 'Failed')),
            last_status INTEGER NULL,
            last_error  TEXT    NULL,
            next_attempt_at INTEGER NOT NULL,
            delivered_at INTEGER NULL
        );
        CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_at DESC)
        """,
        """
        -- The run's data-quality outcome (passed, warned, failed, blocked) from the job's dq line; the report is in the state store.
        ALTER TABLE runs ADD COLUMN quality TEXT NULL
        """,
        """
        -- What the run used (the job's last report) and what it cost (JSON), priced when it ended.
        ALTER TABLE runs ADD COLUMN usage TEXT NULL;
        ALTER TABLE runs ADD COLUMN cost TEXT NULL;
        -- Budget notifications already sent: one per month and level.
        CREATE TABLE budget_alerts (
            month TEXT    NOT NULL,
            level TEXT    NOT NULL,
            at    INTEGER NOT NULL,
            PRIMARY KEY (month, level)
        )
        """,
        """
        -- A run's job is known by its runner's opaque handle (kind and id), not by a local process id. A local job
        -- recorded before this is {run id}:{pid}:{start ticks} to the local runner.
        ALTER TABLE runs ADD COLUMN job_kind TEXT NULL;
        ALTER TABLE runs ADD COLUMN job_id TEXT NULL;
        UPDATE runs SET job_kind = 'local', job_id = id || ':' || pid || ':' || COALESCE(pid_started, 0) WHERE pid IS NOT NULL;
        ALTER TABLE runs DROP COLUMN pid;
        ALTER TABLE runs DROP COLUMN pid_started
        """,
        """
        -- The capacity a run asked for (on-demand or spot); null: the runner's default.
        ALTER TABLE runs ADD COLUMN capacity TEXT NULL
        """,
        """
        -- A Kubernetes run's pods as the runner last saw them (JSON: name, role, phase, node, capacity, requests, reason).
        ALTER TABLE runs ADD COLUMN pods TEXT NULL
        """,
        """
        -- The CPU and memory a run asked for (Kubernetes quantities); null: the runner's defaults.
        ALTER TABLE runs ADD COLUMN cpu TEXT NULL;
        ALTER TABLE runs ADD COLUMN memory TEXT NULL
        """,
        """
        -- Failed sign-ins and lockouts are kept per user and client address: guesses from one address lock that address
        -- out, not the user everywhere. Strikes count the lockouts in a row; each one lasts twice the one before.
        CREATE TABLE sign_in_lockouts (
            user_name    TEXT    NOT NULL COLLATE NOCASE,
            address      TEXT    NOT NULL,
            failures     INTEGER NOT NULL,
            strikes      INTEGER NOT NULL,
            locked_until INTEGER NULL,
            updated_at   INTEGER NOT NULL,
            PRIMARY KEY (user_name, address)
        );
        ALTER TABLE users DROP COLUMN failed_sign_ins;
        ALTER TABLE users DROP COLUMN locked_until
        """,
        """
        -- Executor pods fetching a run's slices (Kubernetes); 1: the driver fetches them.
        ALTER TABLE runs ADD COLUMN executors INTEGER NOT NULL DEFAULT 1
        """,
        """
        -- The window the job planned ([from, to), unix seconds), from its plan line: what an open window turned out to be.
        ALTER TABLE runs ADD COLUMN planned_from INTEGER NULL;
        ALTER TABLE runs ADD COLUMN planned_to INTEGER NULL
        """,
        """
        -- One row the readiness check writes: /readyz is ready only while the database takes a write.
        CREATE TABLE health_probe (id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1), at INTEGER NOT NULL)
        """,
        """
        -- An API key's scope (read: a viewer's calls, operate: an operator's) and its end (null: until revoked). Keys
        -- made before scopes keep operating.
        ALTER TABLE api_keys ADD COLUMN scope TEXT NOT NULL DEFAULT 'Operate' CHECK (scope IN ('Read', 'Operate'));
        ALTER TABLE api_keys ADD COLUMN expires_at INTEGER NULL
        """,
        """
        -- The latest round of a first run's search for its start, as the job's planning line said it.
        ALTER TABLE runs ADD COLUMN planning TEXT NULL
        """,
        """
        -- The runs list's order (newest first, ties on the id) in one index, so a keyset page reads only its rows and an
        -- offset skips index entries; the narrow index on the creation time stays for counting (SQLite counts with the
        -- smallest index).
        CREATE INDEX runs_order ON runs (created_at DESC, id DESC)
        """,
        """
        -- Schedules: a cron expression in a time zone per stream. fired_through: every fire time up to it (unix ms) has
        -- its row in schedule_fires, so a fire time is decided once whichever console is the scheduler.
        CREATE TABLE schedules (
            name            TEXT    NOT NULL PRIMARY KEY,
            source          TEXT    NOT NULL,
            stream          TEXT    NOT NULL,
            cron            TEXT    NOT NULL,
            time_zone       TEXT    NOT NULL,
            enabled         INTEGER NOT NULL,
            overlap         TEXT    NOT NULL CHECK (overlap IN ('skip', 'queue', 'cancel')),
            catch_up        TEXT    NOT NULL CHECK (catch_up IN ('none', 'latest', 'all')),
            catch_up_limit  INTEGER NOT NULL,
            jitter_seconds  INTEGER NOT NULL,
            mode            TEXT    NOT NULL,
            workers         INTEGER NULL,
            created_by      TEXT    NOT NULL,
            created_at      INTEGER NOT NULL,
            updated_by      TEXT    NOT NULL,
            updated_at      INTEGER NOT NULL,
            fired_through   INTEGER NOT NULL
        );
        -- Every fire time of a schedule and what became of it; the key makes a fire time's row unique.
        CREATE TABLE schedule_fires (
            schedule   TEXT    NOT NULL REFERENCES schedules (name) ON DELETE CASCADE,
            fire_at    INTEGER NOT NULL,
            due_at     INTEGER NOT NULL,
            outcome    TEXT    NOT NULL CHECK (outcome IN ('pending', 'launching', 'launched', 'skipped', 'missed', 'failed')),
            run_id     TEXT    NULL,
            detail     TEXT    NULL,
            catch_up   INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (schedule, fire_at)
        );
        CREATE INDEX schedule_fires_pending ON schedule_fires (due_at) WHERE outcome IN ('pending', 'launching')
        """,
        """
        -- Backfills: a past window of a stream fetched again in consecutive runs, one piece at a time.
        CREATE TABLE backfills (
            id          TEXT    NOT NULL PRIMARY KEY,
            source      TEXT    NOT NULL,
            stream      TEXT    NOT NULL,
            window_from INTEGER NOT NULL,
            window_to   INTEGER NOT NULL,
            step        TEXT    NOT NULL CHECK (step IN ('day', 'week')),
            workers     INTEGER NULL,
            state       TEXT    NOT NULL CHECK (state IN ('running', 'paused', 'succeeded', 'failed', 'cancelled')),
            failure     TEXT    NULL,
            created_by  TEXT    NOT NULL,
            created_at  INTEGER NOT NULL,
            updated_at  INTEGER NOT NULL
        );
        CREATE INDEX backfills_created ON backfills (created_at DESC);
        -- A backfill's pieces in order; run_id: the piece's latest run (a resumed failed piece gets a new one).
        CREATE TABLE backfill_pieces (
            backfill    TEXT    NOT NULL REFERENCES backfills (id) ON DELETE CASCADE,
            idx         INTEGER NOT NULL,
            window_from INTEGER NOT NULL,
            window_to   INTEGER NOT NULL,
            run_id      TEXT    NULL,
            PRIMARY KEY (backfill, idx)
        )
        """,
        """
        -- The named webhook route a delivery goes to (Notifications:Routes), or null for the webhook.
        ALTER TABLE webhook_deliveries ADD COLUMN route TEXT NULL
        """,
        """
        -- Automatic retries: the run's most attempts, its first backoff, and when a run waiting for its next attempt starts it.
        ALTER TABLE runs ADD COLUMN max_attempts INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE runs ADD COLUMN retry_backoff_seconds INTEGER NOT NULL DEFAULT 60;
        ALTER TABLE runs ADD COLUMN retry_at INTEGER NULL;
        CREATE INDEX runs_retry_due ON runs (retry_at) WHERE retry_at IS NOT NULL;
        -- Each start of a run's job, and where its lines begin in the run's log.
        CREATE TABLE run_attempts (
            run_id     TEXT    NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            attempt    INTEGER NOT NULL,
            started_at INTEGER NOT NULL,
            ended_at   INTEGER NULL,
            outcome    TEXT    NULL CHECK (outcome IN ('succeeded', 'failed', 'cancelled')),
            exit_code  INTEGER NULL,
            reason     TEXT    NULL,
            retried    INTEGER NOT NULL DEFAULT 0,
            first_seq  INTEGER NOT NULL,
            PRIMARY KEY (run_id, attempt)
        );
        -- A schedule's runs retry as a manual launch may.
        ALTER TABLE schedules ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE schedules ADD COLUMN retry_backoff_seconds INTEGER NOT NULL DEFAULT 60
        """,
    ];
}
