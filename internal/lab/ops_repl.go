package lab

import (
	"context"
	"regexp"
	"strings"

	"github.com/rectifyhq/rectify/ops"
)

func replSyncAll(_ context.Context, c *opCall) (any, *scriptError) {
	var args ops.ReplSyncAllArgs
	if err := c.decode(&args); err != nil {
		return nil, err
	}
	if !hostNamePattern.MatchString(args.DC) {
		return nil, thrown("repl.syncall: dc must be a host name")
	}
	options := args.Options
	if options == "" {
		options = "AdeP"
	}
	if !letters.MatchString(options) {
		return nil, thrown("repl.syncall: options must be repadmin /syncall option letters such as AdeP")
	}
	argv := []string{"/syncall", args.DC, "/" + options}
	if c.host.Role != RoleDC {
		return nil, thrown(`repadmin %s: C:\Windows\System32\repadmin.exe is not installed`, strings.Join(argv, " "))
	}
	return ops.CommandOutput{Commands: []ops.CommandRun{c.nativeRun("repadmin", argv)}}, nil
}

var (
	hostNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	letters         = regexp.MustCompile(`^[A-Za-z]+$`)
)

func replShow(_ context.Context, c *opCall) (any, *scriptError) {
	var args ops.ReplShowArgs
	if err := c.decode(&args); err != nil {
		return nil, err
	}
	argv := []string{"/showrepl", "*", "/csv"}
	if c.host.Role != RoleDC {
		return nil, thrown(`repadmin %s: C:\Windows\System32\repadmin.exe is not installed`, strings.Join(argv, " "))
	}
	return ops.CommandOutput{Commands: []ops.CommandRun{c.nativeRun("repadmin", argv)}}, nil
}
