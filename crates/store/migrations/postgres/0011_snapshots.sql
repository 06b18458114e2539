-- Machine care: snapshots. The PostgreSQL twin of sqlite/0011: templates bound how many an owner
-- keeps of a machine (0: none); the portal records each snapshot while its jobs make, revert to or
-- delete it; a job names the snapshot it works on.

ALTER TABLE templates ADD COLUMN max_snapshots BIGINT NOT NULL DEFAULT 0
    CHECK (max_snapshots BETWEEN 0 AND 20);

CREATE TABLE snapshots (
    machine_id  BIGINT  NOT NULL REFERENCES machines (id),
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    state       TEXT    NOT NULL CHECK (state IN ('creating', 'ready', 'deleting')),
    -- Taken of a running machine, with its memory: a revert resumes it running.
    with_memory BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  BIGINT  NOT NULL,
    PRIMARY KEY (machine_id, name)
);

-- PostgreSQL changes a CHECK in place (SQLite rebuilds the table): the new job kinds, and the
-- snapshot a snapshot job works on.
ALTER TABLE jobs DROP CONSTRAINT jobs_kind_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_kind_check
    CHECK (kind IN ('provision', 'start', 'shutdown', 'stop', 'reboot', 'delete', 'reconcile',
                    'snapshot', 'revert_snapshot', 'delete_snapshot'));
ALTER TABLE jobs ADD COLUMN snapshot TEXT;
