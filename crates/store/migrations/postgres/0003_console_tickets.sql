-- One-use console tickets. Only the SHA-256 of the ticket is kept; a ticket belongs to the session
-- that minted it (by the session token's hash) and works once, before it expires.

CREATE TABLE console_tickets (
    ticket_hash  TEXT    PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    machine_id   BIGINT NOT NULL REFERENCES machines (id),
    session_hash TEXT    NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    used_at      BIGINT
);
CREATE INDEX console_tickets_by_expiry ON console_tickets (expires_at);
