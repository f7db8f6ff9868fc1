// Package views renders everything rectify shows, for people and
// programs: plans as Terraform-style text, as JSON, and as Markdown fit to
// paste into a change ticket; apply's progress and summary as text or as
// JSON lines (Apply, ApplyJSON, which the operation layer drives); the
// watcher's cycles as text or JSON lines (Watch); run history and drift
// episodes as text or JSON (History). Commands only pick a view; views
// only format: they never decide anything.
package views
