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
package ops
