package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/internal/lang"
	"github.com/rectifyhq/rectify/inventory"
	"github.com/rectifyhq/rectify/plans"
	"github.com/rectifyhq/rectify/playbooks"
)

// runFlags are the flags of commands that plan: plan, apply with a
// playbook, watch.
type runFlags struct {
	inventory   string
	vars        varsFlag
	varFiles    stringsFlag
	limit       string
	parallelism int
	state       string
}

func (f *runFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.inventory, "inventory", "", "inventory `file` of the hosts to act on (required)")
	fs.Var(&f.vars, "var", "set a variable, as `name=value`; repeatable")
	fs.Var(&f.varFiles, "var-file", "read variable values from an HCL `file`; repeatable")
	fs.StringVar(&f.limit, "limit", "", "act only on these `hosts`: ex01,ex02, group:exchange, !dc02, ex*")
	fs.IntVar(&f.parallelism, "parallelism", engine.DefaultParallelism, "how many hosts are read or changed at once")
	fs.StringVar(&f.state, "state", "", "journal: a `path` or a postgres:// URL (default: the user's state directory)")
}

// check returns the mistake in the flags that loadRun needs, nil when
// there is none. Commands call it first, to exit with the usage code.
func (f *runFlags) check() error {
	switch {
	case f.vars.err != nil:
		return f.vars.err
	case f.inventory == "":
		return errors.New("-inventory FILE is required")
	case f.parallelism < 1:
		return errors.New("-parallelism must be at least 1")
	}
	return nil
}

// loadedRun is a playbook evaluated against an inventory, ready to plan.
type loadedRun struct {
	// src are the playbook's files, for diagnostics' snippets.
	src      sources
	resolved *playbooks.Resolved
	inv      *inventory.Inventory
	hosts    []actions.Host
	input    engine.Input
}

// loadRun loads the playbook at arg and the inventory, evaluates the
// playbook against the hosts -limit selects, and renders every diagnostic.
// It returns nil after reporting the problems.
func (a *app) loadRun(cmd, wd, arg string, f *runFlags) *loadedRun {
	if err := f.check(); err != nil {
		usageError(a.env.Stderr, cmd, err)
		return nil
	}
	spec := loadSpec{inventory: resolvePath(wd, f.inventory), playbook: resolvePath(wd, arg), limit: f.limit, vars: f.vars.values}
	for _, vf := range f.varFiles {
		spec.varFiles = append(spec.varFiles, resolvePath(wd, vf))
	}
	return a.load(cmd, wd, spec)
}

// loadSpec says what load loads and evaluates.
type loadSpec struct {
	// inventory and playbook are paths, resolved.
	inventory, playbook string
	limit               string
	vars                map[string]string
	varFiles            []string
	// values and secretVars are a saved plan's variables (see
	// playbooks.EvalInput).
	values     map[string]cty.Value
	secretVars map[string]string
	// salt keys the digests and hashes; nil means a new one.
	salt plans.Salt
}

// load loads the inventory and the playbook, evaluates the playbook
// against the hosts the limit selects, and renders every diagnostic. It
// returns nil after reporting the problems.
func (a *app) load(cmd, wd string, spec loadSpec) *loadedRun {
	src := sources{}
	inv, diags := inventory.Load(spec.inventory, a.env.LookupEnv)
	var hosts []actions.Host
	if inv != nil && !diags.HasErrors() {
		logInventory(a, inv)
		hosts = inv.Hosts()
		if spec.limit != "" {
			names, err := inv.Select(spec.limit)
			if err != nil {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid -limit", Detail: err.Error()})
			} else {
				keep := map[string]bool{}
				for _, n := range names {
					keep[n] = true
				}
				var limited []actions.Host
				for _, h := range hosts {
					if keep[h.Name] {
						limited = append(limited, h)
					}
				}
				hosts = limited
			}
		}
	}
	pb, pdiags := playbooks.LoadDir(spec.playbook, a.env.Actions)
	diags = append(diags, pdiags...)
	src.add(pb.Files)
	var res *playbooks.Resolved
	if !diags.HasErrors() {
		in := playbooks.EvalInput{
			Vars:       spec.vars,
			VarFiles:   spec.varFiles,
			Values:     spec.values,
			SecretVars: spec.secretVars,
			Hosts:      inv.Hosts(),
			Groups:     inv.Groups(),
			Functions:  lang.Scope{BaseDir: pb.Dir, LookupEnv: a.env.LookupEnv}.Functions(),
		}
		var ediags hcl.Diagnostics
		res, ediags = pb.Evaluate(in)
		// A step that selects no host is an error here as in validate:
		// a plan that silently skips a step of the article is not the fix.
		diags = append(diags, selectionErrors(ediags, true)...)
		if res != nil {
			src.add(res.Files)
		}
	}
	if len(diags) > 0 {
		if err := a.writeDiagnostics(a.env.Stderr, diags, wd, src); err != nil {
			a.log.Error().Err(err).Msg("cannot write diagnostics")
		}
	}
	if diags.HasErrors() || res == nil {
		errs, warnings := countSeverities(diags)
		fmt.Fprintf(a.env.Stderr, "\nrectify %s: nothing was read or changed: %s.\n", cmd, countText(errs, "error", warnings))
		return nil
	}
	salt := spec.salt
	if len(salt) == 0 {
		salt = plans.NewSalt()
	}
	invPath, _ := filepath.Abs(spec.inventory)
	pbPath, _ := filepath.Abs(spec.playbook)
	input, err := engine.NewInput(res, pbPath, hosts, plans.InventoryRef{Path: invPath, Digest: inv.EvaluatedDigest(salt), Limit: spec.limit}, salt)
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify %s: nothing was read or changed: %v\n", cmd, err)
		return nil
	}
	return &loadedRun{src: src, resolved: res, inv: inv, hosts: hosts, input: input}
}

// journalPath is -state, or the default under the user's state directory.
func (a *app) journalPath(wd, state string) (string, error) {
	if journal.IsURL(state) {
		return state, nil
	}
	if state != "" {
		return resolvePath(wd, state), nil
	}
	return journal.DefaultPath(a.env.LookupEnv)
}

// openJournal opens the journal, reporting failure on stderr.
func (a *app) openJournal(ctx context.Context, cmd, wd, state string) *journal.Journal {
	path, err := a.journalPath(wd, state)
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify %s: %v; set -state PATH\n", cmd, err)
		return nil
	}
	j, err := journal.Open(ctx, path)
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify %s: %v\n", cmd, err)
		return nil
	}
	return j
}
