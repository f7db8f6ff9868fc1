package lab

import (
	"context"
	"regexp"
	"strings"

	"github.com/rectifyhq/rectify/ops"
)

var (
	hostNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	letters         = regexp.MustCompile(`^[A-Za-z]+$`)
	// namingContextPattern is what repl.replicate accepts as a naming
	// context, as its script checks it.
	namingContextPattern = regexp.MustCompile(`^[A-Za-z]+=[A-Za-z0-9_-]+(,[A-Za-z]+=[A-Za-z0-9_-]+)*$`)
)

// notInstalled is the script's error on a host without repadmin.
func notInstalled(display string) *scriptError {
	return thrown(`%s: C:\Windows\System32\repadmin.exe is not installed`, display)
}

// replSyncAll runs repadmin /syncall <dc> /<options> in the op's session;
// repadmin itself refuses the hops the session cannot make.
func replSyncAll(ctx context.Context, c *opCall) (any, *scriptError) {
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
		return nil, notInstalled("repadmin " + strings.Join(argv, " "))
	}
	return ops.CommandOutput{Commands: []ops.CommandRun{c.nativeRun(ctx, "repadmin", argv)}}, nil
}

// replShow runs repadmin /showrepl <this computer> /csv (v2 of the op: the
// local DC only).
func replShow(ctx context.Context, c *opCall) (any, *scriptError) {
	var args ops.ReplShowArgs
	if err := c.decode(&args); err != nil {
		return nil, err
	}
	argv := []string{"/showrepl", c.host.NetBIOS, "/csv"}
	if c.host.Role != RoleDC {
		return nil, notInstalled("repadmin " + strings.Join(argv, " "))
	}
	return ops.CommandOutput{Commands: []ops.CommandRun{c.nativeRun(ctx, "repadmin", argv)}}, nil
}

// replReplicate runs repadmin /replicate <this computer> <source> <naming
// context> for each pull, after checking them all as the script does.
func replReplicate(ctx context.Context, c *opCall) (any, *scriptError) {
	var args ops.ReplReplicateArgs
	if err := c.decode(&args); err != nil {
		return nil, err
	}
	if len(args.Pulls) == 0 {
		return nil, thrown("repl.replicate: no pulls")
	}
	for _, p := range args.Pulls {
		if !hostNamePattern.MatchString(p.Source) {
			return nil, thrown("repl.replicate: source must be a host name")
		}
		if !namingContextPattern.MatchString(p.NamingContext) {
			return nil, thrown("repl.replicate: naming_context must be a distinguished name such as DC=corp,DC=example,DC=com")
		}
	}
	if c.host.Role != RoleDC {
		return nil, notInstalled("repadmin /replicate")
	}
	out := ops.CommandOutput{Commands: []ops.CommandRun{}}
	for _, p := range args.Pulls {
		out.Commands = append(out.Commands, c.nativeRun(ctx, "repadmin", []string{"/replicate", c.host.NetBIOS, p.Source, p.NamingContext}))
	}
	return out, nil
}
