// Package lang holds what the playbook and inventory languages share: the
// function table (HCL's standard library plus env, file, duration and
// sensitive) and the rules for secrets. Values produced by env, file and
// sensitive carry the Sensitive mark; decoders unmark them only at the last
// moment and never put them into diagnostics, plans or logs.
package lang
