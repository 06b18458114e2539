-- The provisioning engine: job progress events (streamed to the machine page), how the owner
-- reaches a machine, and the drift found by reconciliation.

ALTER TABLE machines ADD COLUMN access_host TEXT;
ALTER TABLE machines ADD COLUMN access_port INTEGER;
-- Keyboard layout and locale for Windows guests (e.g. fr-FR).
ALTER TABLE templates ADD COLUMN locale TEXT;

CREATE TABLE job_events (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id   INTEGER NOT NULL REFERENCES jobs (id),
    at       INTEGER NOT NULL,
    progress INTEGER NOT NULL,
    message  TEXT    NOT NULL
);
CREATE INDEX job_events_by_job ON job_events (job_id, id);

CREATE TABLE drift (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    provider    TEXT    NOT NULL,
    -- 'missing': the portal's machine is gone from the hypervisor; 'unknown': a guest the portal
    -- did not make (or no longer knows).
    kind        TEXT    NOT NULL CHECK (kind IN ('missing', 'unknown')),
    machine_id  INTEGER REFERENCES machines (id),
    external_id TEXT,
    name        TEXT    NOT NULL,
    detected_at INTEGER NOT NULL
);
