package examples

import "embed"

// Exchange454 is the exchange-454 example playbook, embedded so that
// "rectify demo" runs it from any directory.
//
//go:embed exchange-454/*.hcl
var Exchange454 embed.FS
