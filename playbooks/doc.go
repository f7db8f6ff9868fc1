// Package playbooks decodes rectify's playbook language: HCL files that
// encode the steps of a knowledge-base article as actions.
//
// Decoding happens in two stages, in the manner of Terraform's
// configuration loader. LoadDir is static: it parses the files of a
// playbook directory, decodes the playbook, variable, locals and step
// blocks into structs that keep the source range of everything, looks each
// step's action up in an actions.Registry, checks attribute names against
// the action's schema, resolves step references, and finds cycles. Nothing
// is evaluated that depends on variables or an inventory.
//
// Evaluate is the second stage: given variable values and, optionally, the
// hosts of an inventory, it evaluates variables (with their validation
// rules), locals, targets and each step's attributes, and decodes them
// against the action's schema into an actions.Config.
//
// Both stages report every problem they find as an hcl.Diagnostic with the
// tightest source range, all in one pass. Values marked lang.Sensitive
// (from env, file, sensitive, or a variable declared sensitive) never
// appear in a diagnostic: see the redaction rules in sensitive.go.
package playbooks
