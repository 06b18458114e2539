-- Machine care: snapshots. Templates bound how many an owner keeps of a machine (0: none); the
-- portal records each snapshot while its jobs make, revert to or delete it; a job names the
-- snapshot it works on.

ALTER TABLE templates ADD COLUMN max_snapshots INTEGER NOT NULL DEFAULT 0
    CHECK (max_snapshots BETWEEN 0 AND 20);

CREATE TABLE snapshots (
    machine_id  INTEGER NOT NULL REFERENCES machines (id),
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    state       TEXT    NOT NULL CHECK (state IN ('creating', 'ready', 'deleting')),
    -- Taken of a running machine, with its memory: a revert resumes it running.
    with_memory INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (machine_id, name)
);

-- SQLite cannot change a CHECK in place: jobs is rebuilt with the new kinds, keeping every column
-- (0001's, and 0008's cause). job_events, which
-- refers to it, is set aside and put back so no foreign key is ever broken.
CREATE TABLE jobs_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT    NOT NULL CHECK (kind IN ('provision', 'start', 'shutdown', 'stop', 'reboot', 'delete',
                                                 'reconcile', 'snapshot', 'revert_snapshot', 'delete_snapshot')),
    machine_id  INTEGER REFERENCES machines (id),
    state       TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
    progress    INTEGER NOT NULL DEFAULT 0,
    message     TEXT    NOT NULL DEFAULT '',
    error       TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    run_after   INTEGER NOT NULL,
    lease_owner TEXT,
    lease_until INTEGER,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    -- Why the portal queued the job on its own (0008_leases).
    cause       TEXT    CHECK (cause IN ('expiry', 'idle')),
    -- The snapshot a snapshot job works on.
    snapshot    TEXT
);
INSERT INTO jobs_new (id, kind, machine_id, state, progress, message, error, attempts, run_after,
                      lease_owner, lease_until, created_at, updated_at, cause)
    SELECT id, kind, machine_id, state, progress, message, error, attempts, run_after,
           lease_owner, lease_until, created_at, updated_at, cause FROM jobs;
CREATE TABLE job_events_kept AS SELECT id, job_id, at, progress, message FROM job_events;
DROP TABLE job_events;
DROP TABLE jobs;
ALTER TABLE jobs_new RENAME TO jobs;
CREATE INDEX jobs_queue ON jobs (state, run_after);
CREATE INDEX jobs_by_machine ON jobs (machine_id);
CREATE TABLE job_events (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id   INTEGER NOT NULL REFERENCES jobs (id),
    at       INTEGER NOT NULL,
    progress INTEGER NOT NULL,
    message  TEXT    NOT NULL
);
INSERT INTO job_events (id, job_id, at, progress, message)
    SELECT id, job_id, at, progress, message FROM job_events_kept;
DROP TABLE job_events_kept;
CREATE INDEX job_events_by_job ON job_events (job_id, id);
