-- Leases: how long a template's machines live, each machine's lease, the notices its owner gets,
-- and requests to extend beyond what a template allows.

ALTER TABLE templates ADD COLUMN lease_days INTEGER;
ALTER TABLE templates ADD COLUMN max_lease_days INTEGER;
ALTER TABLE templates ADD COLUMN extend_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE templates ADD COLUMN expiry_action TEXT NOT NULL DEFAULT 'stop' CHECK (expiry_action IN ('stop', 'delete'));
ALTER TABLE templates ADD COLUMN grace_days INTEGER;
ALTER TABLE templates ADD COLUMN idle_stop_minutes INTEGER;

-- Copied from the template at approval, so a later change of the template does not change the
-- fate of machines already made; the delete time is expires_at + lease_grace_days.
ALTER TABLE machines ADD COLUMN expires_at INTEGER;
ALTER TABLE machines ADD COLUMN expiry_action TEXT CHECK (expiry_action IN ('stop', 'delete'));
ALTER TABLE machines ADD COLUMN lease_grace_days INTEGER;
CREATE INDEX machines_by_expiry ON machines (expires_at) WHERE expires_at IS NOT NULL;

-- Why the portal queued a job on its own ('expiry', 'idle'); NULL for a person's action.
ALTER TABLE jobs ADD COLUMN cause TEXT CHECK (cause IN ('expiry', 'idle'));

-- One row per notice: the banner's source and the outbox of the notifier (mail).
CREATE TABLE lease_notices (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    machine_id   INTEGER NOT NULL REFERENCES machines (id),
    kind         TEXT    NOT NULL CHECK (kind IN ('warning', 'expired', 'deleting', 'idle_stop')),
    point        TEXT    NOT NULL,
    -- The lease end the notice is about (0 for an idle stop), so a new lease gets new notices.
    expires_at   INTEGER NOT NULL,
    action       TEXT    NOT NULL CHECK (action IN ('stop', 'delete')),
    created_at   INTEGER NOT NULL,
    delivered_at INTEGER,
    UNIQUE (machine_id, expires_at, point)
);
CREATE INDEX lease_notices_undelivered ON lease_notices (id) WHERE delivered_at IS NULL;

CREATE TABLE lease_extensions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    machine_id      INTEGER NOT NULL REFERENCES machines (id),
    user_id         INTEGER NOT NULL REFERENCES users (id),
    days            INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    reason          TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'approved', 'rejected', 'cancelled')),
    decision_reason TEXT,
    decided_by      INTEGER REFERENCES users (id),
    decided_at      INTEGER,
    created_at      INTEGER NOT NULL
);
CREATE INDEX lease_extensions_by_state ON lease_extensions (state);
