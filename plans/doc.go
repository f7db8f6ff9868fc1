// Package plans holds the plan value: the exact, reviewable list of changes
// that rectify intends to make, with the observed state each change was
// computed from. A plan is self-sufficient and serialisable: a saved plan can
// be shown, reviewed and applied without re-reading the playbook.
package plans
