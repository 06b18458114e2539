-- Single sign-on with OpenID Connect: accounts of source 'oidc', and the provider identities
-- (issuer + subject, never an e-mail address) each account signs in as.

-- A column CHECK cannot be changed in place: the source moves to a new column allowing 'oidc'.
ALTER TABLE users RENAME COLUMN source TO source_before_oidc;
ALTER TABLE users ADD COLUMN source TEXT NOT NULL DEFAULT 'local'
    CHECK (source IN ('local', 'ldap', 'oidc'));
UPDATE users SET source = source_before_oidc;
ALTER TABLE users DROP COLUMN source_before_oidc;

CREATE TABLE oidc_identities (
    issuer     TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX oidc_identities_by_user ON oidc_identities (user_id);
