-- Courses: teachers and students, the templates a course may use, a quota for the whole course,
-- and deployments (one machine per student). Machines and requests may belong to a course.

CREATE TABLE courses (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    name                 TEXT    NOT NULL,
    code                 TEXT    NOT NULL UNIQUE,
    -- YYYY-MM-DD
    term_end             TEXT,
    quota_machines       INTEGER NOT NULL,
    quota_cpus           INTEGER NOT NULL,
    quota_memory_mib     INTEGER NOT NULL,
    quota_disk_gib       INTEGER NOT NULL,
    teacher_full_console INTEGER NOT NULL DEFAULT 0,
    teacher_may_delete   INTEGER NOT NULL DEFAULT 0,
    created_at           INTEGER NOT NULL
);

-- None listed: every enabled template.
CREATE TABLE course_templates (
    course_id   INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    template_id INTEGER NOT NULL REFERENCES templates (id),
    PRIMARY KEY (course_id, template_id)
);

-- One membership per user and course; a teacher of one course may be a student of another.
CREATE TABLE course_members (
    course_id  INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    membership TEXT    NOT NULL CHECK (membership IN ('teacher', 'student')),
    PRIMARY KEY (course_id, user_id)
);
CREATE INDEX course_members_by_user ON course_members (user_id);

CREATE TABLE deployments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    course_id   INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    template_id INTEGER NOT NULL REFERENCES templates (id),
    cpus        INTEGER NOT NULL,
    memory_mib  INTEGER NOT NULL,
    disk_gib    INTEGER NOT NULL,
    created_by  INTEGER REFERENCES users (id),
    created_at  INTEGER NOT NULL
);

ALTER TABLE requests ADD COLUMN course_id INTEGER REFERENCES courses (id) ON DELETE SET NULL;
ALTER TABLE machines ADD COLUMN course_id INTEGER REFERENCES courses (id) ON DELETE SET NULL;
ALTER TABLE machines ADD COLUMN deployment_id INTEGER REFERENCES deployments (id) ON DELETE SET NULL;
CREATE INDEX machines_by_course ON machines (course_id, state);
CREATE INDEX requests_by_course ON requests (course_id, state);

-- A teacher's console may be view-only: the relay then drops the browser's input.
ALTER TABLE console_tickets ADD COLUMN view_only INTEGER NOT NULL DEFAULT 0;
