-- A user's SSH public key, put on the machines built for them.
ALTER TABLE users ADD COLUMN ssh_public_key TEXT;
