-- A course's students may follow a directory group, read again on demand and on a schedule.
ALTER TABLE courses ADD COLUMN ldap_group TEXT;
