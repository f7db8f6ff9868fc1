// Package cli is rectify's command line: global flags, logging, the command
// table and one file per command. Run is the whole program; cmd/rectify
// only wires real dependencies into an Env and exits with Run's code, so
// every command can be tested in-process with buffers for its streams.
//
// Flags follow Terraform's habits: single-dash names (-inventory; Go's flag
// package also accepts --inventory), global flags (-log-level, -log-format)
// before or after the command name, usage errors exit 2 with a message and
// a pointer to "rectify help <command>". exitCodes is the table of exit
// codes every command keeps.
package cli
