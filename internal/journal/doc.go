// Package journal is rectify's run history and audit trail: every run (who,
// when, which playbook and plan, the outcome) and every change (host, step,
// before, after, undo data, result, timings), written before and after the
// change is made so that a killed process leaves a record of what was in
// flight. It also holds the host locks that keep two runs (an apply, a
// watch cycle) from changing the same host at once, with leases so that a
// shared journal can hold them for a team. It is an embedded SQLite database
// (modernc.org/sqlite, no cgo) for one person, or a PostgreSQL database
// (pgx) for a team: the same statements over both, a versioned schema, and
// what a team adds: who planned and approved each plan, and the terms and
// schedule slots by which several watchers elect one active watcher.
package journal
