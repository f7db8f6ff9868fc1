// Package ops is the catalog of PowerShell operations rectify runs on Windows
// hosts: each op's name, version, argument document and result document, as
// Go types shared by the actions that call the ops, the scripts that
// implement them (scripts/*.ps1, embedded), and the lab that simulates them.
//
// # Wire protocol
//
// A Shell runs an op by starting the bootstrap (scripts/bootstrap.ps1, whose
// marker is "# rectify:op bootstrap v1") as
//
//	powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand <UTF-16LE base64 of the bootstrap>
//
// and writing to its standard input: one line holding the base64 of the
// UTF-8 JSON argument document, then the op's script text, marker line first.
// The bootstrap reads all of standard input, splits off the first line, and
// invokes the script as a script block with that base64 string as its only
// argument. The script decodes its arguments itself; nothing is spliced into
// script text. The script writes one JSON document to standard output and
// exits 0; on failure it throws, PowerShell reports the error on standard
// error (as CLIXML), and the exit code is 1.
//
// Every script's first line is "# rectify:op <name> v<N>". A simulator
// dispatches on that marker and the decoded arguments, never on the rest of
// the script text.
//
// # The library
//
// Each op's source is scripts/<op>.ps1. Helpers that several ops share are
// written once, in scripts/lib/<name>.ps1 (args: the param block and the
// decoding of the arguments; json: the one JSON document an op prints;
// native: running w32tm, repadmin or klist; registry; exchange: the session
// to Exchange's endpoint; ...), and an op names those it uses on the line
// after its marker:
//
//	# rectify:op registry.get v1
//	# rectify:uses args, json, registry
//
// When the library loads, each op is assembled into one script: its
// leading comment lines, the helpers it uses (each once, after those a
// helper uses in turn), then its code. That assembled text is Script.Text,
// what a Shell sends and what a batch carries; its sha256 is pinned per op
// in testdata/scripts.sha256, so that review sees every change to what is
// sent. A helper that is unknown, or helpers that use each other in a
// cycle, fail the load.
package ops
