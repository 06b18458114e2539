-- Notifications to send by mail, written in the transaction of the event that causes them and
-- sent by the engine. `state`: pending (due at next_attempt_at), sent, dropped (not wanted, no
-- address), failed (given up after retries; administrators see these).

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL,
    recipient_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    request_id      INTEGER REFERENCES requests (id) ON DELETE CASCADE,
    machine_id      INTEGER REFERENCES machines (id) ON DELETE CASCADE,
    job_id          INTEGER REFERENCES jobs (id) ON DELETE CASCADE,
    state           TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'sent', 'dropped', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER,
    last_error      TEXT,
    message_id      TEXT,
    created_at      INTEGER NOT NULL,
    done_at         INTEGER
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_digests ON outbox (recipient_id, kind, created_at);
