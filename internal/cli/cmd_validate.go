package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/rectifyhq/rectify/internal/lang"
	"github.com/rectifyhq/rectify/internal/views"
	"github.com/rectifyhq/rectify/inventory"
	"github.com/rectifyhq/rectify/playbooks"
)

// validateCommand checks a playbook, and with -inventory that every step
// selects hosts, without contacting any host.
type validateCommand struct {
	inventory string
	vars      varsFlag
	varFiles  stringsFlag
	json      bool
}

func (*validateCommand) Synopsis() string { return "Check a playbook (and inventory) for errors" }

func (*validateCommand) Usage() string {
	return `Usage: rectify validate [options] PLAYBOOK

  Checks the playbook PLAYBOOK (a directory of .hcl files, or one file):
  syntax, references, variable values and validations, each step's
  attributes against its action, and the step graph. With -inventory, it
  also loads the inventory and checks that every step's targets select at
  least one host. No host is contacted.

  Every problem is reported, with its file, line and a snippet. The exit
  status is 0 when the playbook is valid (warnings allowed), 1 otherwise.

  With -json, the result is one JSON document on standard output, shaped
  as terraform validate -json's: valid, error_count, warning_count and
  diagnostics, each with its severity, summary, detail, range (file, start
  and end as line, column and byte) and snippet. Its schema is
  docs/schema/validate.v1.json.`
}

func (c *validateCommand) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.inventory, "inventory", "", "inventory `file` the targets must resolve against")
	fs.Var(&c.vars, "var", "set a variable, as `name=value`; repeatable")
	fs.Var(&c.varFiles, "var-file", "read variable values from an HCL `file`; repeatable")
	fs.BoolVar(&c.json, "json", false, "print the result as JSON (docs/schema/validate.v1.json)")
}

func (c *validateCommand) Run(_ context.Context, a *app, args []string) int {
	if c.vars.err != nil {
		return usageError(a.env.Stderr, "validate", c.vars.err)
	}
	if len(args) != 1 {
		return usageError(a.env.Stderr, "validate", errors.New("expected one PLAYBOOK argument (a directory or a .hcl file)"))
	}
	wd, err := a.env.Getwd()
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify validate: cannot find the working directory: %v\n", err)
		return exitError
	}
	src := sources{}
	pb, diags := playbooks.LoadDir(resolvePath(wd, args[0]), a.env.Actions)
	src.add(pb.Files)
	a.log.Debug().Str("playbook", pb.Name).Str("digest", pb.Digest).Int("steps", len(pb.Steps)).Msg("playbook loaded")

	in := playbooks.EvalInput{
		Vars:      c.vars.values,
		Functions: lang.Scope{BaseDir: pb.Dir, LookupEnv: a.env.LookupEnv}.Functions(),
	}
	for _, f := range c.varFiles {
		in.VarFiles = append(in.VarFiles, resolvePath(wd, f))
	}
	var inv *inventory.Inventory
	if c.inventory != "" {
		var idiags hcl.Diagnostics
		inv, idiags = inventory.Load(resolvePath(wd, c.inventory), a.env.LookupEnv)
		diags = append(diags, idiags...)
		if inv != nil {
			in.Hosts, in.Groups = inv.Hosts(), inv.Groups()
			logInventory(a, inv)
		}
	}
	res, ediags := pb.Evaluate(in)
	diags = append(diags, selectionErrors(ediags, inv != nil)...)
	if res != nil {
		src.add(res.Files)
	}

	if c.json {
		return c.writeJSON(a, diags, wd, src)
	}
	if err := a.writeDiagnostics(a.env.Stderr, diags, wd, src); err != nil {
		a.log.Error().Err(err).Msg("cannot write diagnostics")
	}
	v := validity(pb, args[0], res, inv)
	v.Errors, v.Warnings = countSeverities(diags)
	out := a.env.Stdout
	if v.Errors > 0 {
		out = a.env.Stderr
	}
	if err := views.ValidityText(out, v); err != nil {
		a.log.Error().Err(err).Msg("cannot write the result")
	}
	if v.Errors > 0 {
		return exitError
	}
	return exitOK
}

// writeJSON prints the validation result as JSON; the exit status says
// whether the playbook is valid.
func (c *validateCommand) writeJSON(a *app, diags hcl.Diagnostics, wd string, src sources) int {
	for _, d := range diags {
		if d.Subject == nil {
			continue
		}
		if _, ok := src[d.Subject.Filename]; !ok {
			if b := readForSnippet(d.Subject.Filename); b != nil {
				src[d.Subject.Filename] = b
			}
		}
	}
	v := views.NewValidation(diags, src, func(name string) string { return relativeName(name, wd) })
	if err := views.ValidationJSON(a.env.Stdout, v); err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify validate: %v\n", err)
		return exitError
	}
	if !v.Valid {
		return exitError
	}
	return exitOK
}

// logInventory logs what was loaded, at debug level: hosts and how each is
// reached. Passwords are secret.Value values and log as "(sensitive)".
func logInventory(a *app, inv *inventory.Inventory) {
	a.log.Debug().Str("inventory", inv.Path()).Str("digest", inv.Digest()).
		Int("hosts", len(inv.HostNames())).Strs("groups", inv.Groups()).Msg("inventory loaded")
	if !a.log.Trace().Enabled() {
		return
	}
	for _, name := range inv.HostNames() {
		w, _ := inv.WinRM(name)
		a.log.Trace().Str("host", name).Object("winrm", w).Msg("host connection")
	}
	for _, d := range inv.Domains() {
		if d.LDAP != nil {
			a.log.Trace().Str("domain", d.Name).Object("ldap", d.LDAP).Msg("domain connection")
		}
	}
}

// selectionErrors turns the playbooks package's "No hosts selected"
// warnings into errors when an inventory was given: validate, plan, apply
// and watch all refuse a step whose targets resolve to no host.
func selectionErrors(diags hcl.Diagnostics, withInventory bool) hcl.Diagnostics {
	if !withInventory {
		return diags
	}
	out := make(hcl.Diagnostics, len(diags))
	for i, d := range diags {
		if _, ok := hcl.DiagnosticExtra[playbooks.EmptySelection](d); ok && d.Severity == hcl.DiagWarning {
			c := *d
			c.Severity = hcl.DiagError
			d = &c
		}
		out[i] = d
	}
	return out
}

// summary is the line validate prints for a valid playbook, such as
// "Playbook exchange-454 is valid: 6 steps, 3 target groups, 4 hosts."
// validity counts what validate found of pb, loaded from arg: its steps,
// the groups they target and, with an inventory, the hosts.
func validity(pb *playbooks.Playbook, arg string, res *playbooks.Resolved, inv *inventory.Inventory) views.Validity {
	v := views.Validity{Playbook: arg, Steps: len(pb.Steps)}
	if pb.Name != "" {
		v.Playbook, v.Named = pb.Name, true
	}
	groups := map[string]bool{}
	if res != nil {
		for _, s := range res.Steps {
			groups[targetKey(pb, s, inv != nil)] = true
		}
	}
	v.TargetGroups = len(groups)
	if inv != nil && res != nil {
		v.Hosts, v.HostsKnown = len(res.Hosts()), true
	}
	return v
}

// targetKey identifies a step's target group: the hosts it selects when an
// inventory is given, otherwise its targets expression as written.
func targetKey(pb *playbooks.Playbook, s *playbooks.ResolvedStep, resolved bool) string {
	if resolved {
		return strings.Join(s.Targets, ",")
	}
	if s.Step == nil || s.Step.Targets == nil {
		return ""
	}
	r := s.Step.Targets.Range()
	b := pb.Files[r.Filename]
	if r.Start.Byte < 0 || r.End.Byte > len(b) || r.Start.Byte > r.End.Byte {
		return r.String()
	}
	return strings.Join(strings.Fields(string(b[r.Start.Byte:r.End.Byte])), " ")
}

func countText(errs int, noun string, warnings int) string {
	s := plural(errs, noun)
	if warnings > 0 {
		s += ", " + plural(warnings, "warning")
	}
	return s
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// resolvePath resolves p against the working directory wd (Env.Getwd).
// The result is expressed relative to the process's own directory when it
// can be, so that a relative argument stays relative in messages: in the
// real program wd is that directory and p comes back as written.
func resolvePath(wd, p string) string {
	if filepath.IsAbs(p) || wd == "" {
		return p
	}
	joined := filepath.Join(wd, p)
	if cwd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(cwd, joined); err == nil {
			return rel
		}
	}
	return joined
}
