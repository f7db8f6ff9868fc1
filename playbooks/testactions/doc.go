// Package testactions provides actions with the schemas of rectify's
// built-in actions but no behaviour, for tests of the playbook language
// and of commands that only validate playbooks. Their Probes read nothing,
// their Plan is always a no-op, and Apply refuses to run: they describe
// attributes and nothing else.
package testactions
