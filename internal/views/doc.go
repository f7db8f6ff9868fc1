// Package views renders what the engine produces for people and programs:
// plans as Terraform-style text, as JSON, and as Markdown fit to paste into
// a change ticket; apply progress and summaries; run history. Views only
// format: they never decide anything.
package views
