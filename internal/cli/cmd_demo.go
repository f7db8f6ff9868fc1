package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/actions/exchange"
	"github.com/rectifyhq/rectify/examples"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/internal/views"
	"github.com/rectifyhq/rectify/inventory"
	"github.com/rectifyhq/rectify/operation"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

// demoCommand runs the whole job on the simulated organisation: the
// symptom, the plan, the apply, the operator's part, the proof.
type demoCommand struct {
	keep bool
	dir  string
}

func (*demoCommand) Synopsis() string {
	return "Fix KB 979174 on a simulated Exchange organisation, start to end"
}

func (*demoCommand) Usage() string {
	return `Usage: rectify demo [-keep] [-dir DIR]

  Starts a simulated Exchange organisation on loopback with the faults of
  KB 979174 ("454 4.7.0 Temporary authentication failure") and shows the
  whole job as an administrator meets it: the symptom in the queues and
  event logs, the plan, the apply, the findings rectify leaves to the
  operator and what the operator does about them, the symptom gone, and a
  final plan with nothing left to do. Nothing but Go is needed; nothing is
  left running unless -keep is given.`
}

func (*demoCommand) takesNoArgs() {}

func (c *demoCommand) Flags(fs *flag.FlagSet) {
	fs.BoolVar(&c.keep, "keep", false, "leave the lab running at the end, to try plan and apply by hand")
	fs.StringVar(&c.dir, "dir", "", "write the playbook, inventory and journal to `DIR` (default: a temporary directory)")
}

func (c *demoCommand) Run(ctx context.Context, a *app, args []string) int {
	if len(args) != 0 {
		return usageError(a.env.Stderr, "demo", errors.New("expected no arguments"))
	}
	d, err := newDemo(ctx, a, c.dir)
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify demo: %v\n", err)
		return exitError
	}
	defer d.close(c.keep)
	if code := d.run(ctx); code != exitOK {
		return code
	}
	if c.keep {
		d.keepRunning(ctx)
	}
	return exitOK
}

// demo holds the demo's lab and files.
type demo struct {
	a         *app
	w         io.Writer
	lab       *lab.Lab
	dir       string
	ownDir    bool
	playbook  string
	inventory string
	state     string
	env       map[string]string
	// events1035 counts each Exchange server's 1035 events at the last
	// reading, to tell new ones from old.
	events1035 map[string]int
}

func newDemo(ctx context.Context, a *app, dir string) (*demo, error) {
	d := &demo{a: a, w: a.env.Stdout}
	if dir == "" {
		tmp, err := os.MkdirTemp("", "rectify-demo-")
		if err != nil {
			return nil, err
		}
		dir, d.ownDir = tmp, true
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	d.dir = dir
	d.playbook = filepath.Join(dir, "exchange-454")
	d.inventory = filepath.Join(dir, "inventory.hcl")
	d.state = filepath.Join(dir, "journal.db")
	if err := examples.WriteExchange454(d.playbook); err != nil {
		return nil, err
	}
	l, err := lab.Start(ctx, lab.KB979174(), lab.Options{Dir: dir})
	if err != nil {
		return nil, fmt.Errorf("start the simulated organisation: %w", err)
	}
	d.lab = l
	if err := l.WriteInventory(d.inventory); err != nil {
		l.Close()
		return nil, err
	}
	d.env = l.Credentials()
	// The inventory reads credentials with env(): the demo answers from the
	// lab's, without touching the process environment.
	base := a.env.LookupEnv
	a.env.LookupEnv = func(name string) (string, bool) {
		if v, ok := d.env[name]; ok {
			return v, true
		}
		return base(name)
	}
	return d, nil
}

func (d *demo) close(keep bool) {
	if d.lab != nil {
		d.lab.Close()
	}
	if d.ownDir && !keep {
		os.RemoveAll(d.dir)
	}
}

func (d *demo) say(format string, args ...any) {
	fmt.Fprintf(d.w, format, args...)
}

func (d *demo) heading(n int, title string) {
	st := d.a.style(d.w)
	d.say("\n%s\n", st.Bold(fmt.Sprintf("── %d. %s %s", n, title, strings.Repeat("─", max(3, 56-len(title))))))
}

func (d *demo) run(ctx context.Context) int {
	st := d.a.style(d.w)
	d.say("%s\n", st.Bold("rectify demo: Exchange \"454 4.7.0 Temporary authentication failure\" (KB 979174)"))
	d.say("A simulated organisation is running on loopback: Exchange servers %v and domain controllers %v,\n", d.lab.Exchange(), d.lab.DCs())
	d.say("reached over real WinRM (HTTP, NTLM, every message encrypted by the session, as Windows requires by default) and LDAPS. Files are in %s.\n", d.dir)

	d.heading(1, "The symptom")
	if err := d.showSymptom(ctx); err != nil {
		d.say("cannot read the symptom: %v\n", err)
		return exitError
	}

	d.heading(2, "The plan")
	d.say("$ rectify plan -inventory inventory.hcl exchange-454\n\n")
	flags := &runFlags{inventory: d.inventory, parallelism: 10, state: d.state}
	p, lr, code := d.plan(ctx, flags)
	if p == nil {
		return code
	}

	d.heading(3, "Apply")
	d.say("The change window is Saturday night; the demo overrides it, and the journal records why.\n")
	d.say("$ rectify apply -auto-approve -window-override \"rectify demo on the simulated lab\" ...\n")
	policy := applyPolicy{windowOverride: "rectify demo on the simulated lab", maxPlanAge: DefaultMaxPlanAge}
	code = d.a.applyPlan(ctx, d.dir, p, lr, policy, flags)
	d.say("\n(Exit status %d, %s: the queues still fail, as the findings above predicted.)\n", code, operation.Status(code))
	if err := d.showSymptom(ctx); err != nil {
		d.say("cannot read the symptom: %v\n", err)
		return exitError
	}

	d.heading(4, "What the operator does")
	d.say("rectify reported two findings it must not fix by itself:\n")
	d.say("  - TCP 88 (Kerberos) from ex02 to dc02 is blocked: rectify does not change firewalls.\n")
	d.say("    The operator opens it in the firewall (in the lab: unblock ex02 -> dc02 TCP 88).\n")
	if err := d.lab.Unblock("ex02", "dc02", 88, "tcp"); err != nil {
		d.say("cannot unblock: %v\n", err)
		return exitError
	}
	d.say("  - SMTPSVC/ex02.corp.example.com is also held by EX02-OLD$, a disabled account of a rebuilt\n")
	d.say("    server that holds no other SPN. Having checked that, the operator lets rectify remove it:\n")
	d.say("    -var spn_conflicts=remove_from_other (the removal shows in the plan as its own change).\n")
	flags.vars = varsFlag{values: map[string]string{"spn_conflicts": "remove_from_other"}}

	d.heading(5, "Plan and apply again")
	d.say("$ rectify plan -inventory inventory.hcl -var spn_conflicts=remove_from_other exchange-454\n\n")
	p, lr, code = d.plan(ctx, flags)
	if p == nil {
		return code
	}
	d.say("\n$ rectify apply ...\n")
	if code := d.a.applyPlan(ctx, d.dir, p, lr, policy, flags); code != exitOK {
		d.say("\nThe second apply did not finish cleanly (exit %d).\n", code)
		return code
	}

	d.heading(6, "The symptom is gone")
	if err := d.showSymptom(ctx); err != nil {
		d.say("cannot read the symptom: %v\n", err)
		return exitError
	}
	if n := d.lab.QueueErrors(); n != 0 {
		d.say("%d queue(s) still hold the error.\n", n)
		return exitError
	}

	d.heading(7, "Nothing left to do")
	d.say("$ rectify plan ...\n\n")
	p, _, code = d.plan(ctx, flags)
	if p == nil {
		return code
	}
	if p.HasChanges() {
		d.say("\nThe final plan still has changes.\n")
		return exitError
	}
	d.say("\nThe Kerberos LogLevel set for troubleshooting is temporary: a plan after its 24-hour expiry reverts it.\n")

	d.heading(8, "The journal")
	d.say("$ rectify history\n")
	if code := (&historyCommand{state: d.state, limit: 10}).Run(ctx, d.a, nil); code != exitOK {
		return code
	}
	d.say("(rectify history -state journal.db RUN shows each change of a run with its undo data.)\n")
	if d.ownDir {
		d.say("The demo's files are removed now; run it with -keep or -dir DIR to keep them.\n")
	}
	return exitOK
}

func (d *demo) mustInventory() *inventory.Inventory {
	inv, _ := inventory.Load(d.inventory, d.a.env.LookupEnv)
	return inv
}

// plan plans the example as "rectify plan" would, and shows it.
func (d *demo) plan(ctx context.Context, flags *runFlags) (*plans.Plan, *loadedRun, int) {
	lr := d.a.loadRun("demo", d.dir, d.playbook, flags)
	if lr == nil {
		return nil, nil, exitError
	}
	p, err := d.a.makePlan(ctx, d.dir, lr, flags, false)
	if err != nil {
		fmt.Fprintf(d.a.env.Stderr, "rectify demo: %v\n", err)
		return nil, nil, exitError
	}
	if err := views.Plan(d.w, p, d.a.style(d.w)); err != nil {
		return nil, nil, exitError
	}
	return p, lr, exitOK
}

// showSymptom reads, over WinRM as rectify does, the queues and the 1035
// events of every Exchange server.
func (d *demo) showSymptom(ctx context.Context) error {
	inv := d.mustInventory()
	if inv == nil {
		return errors.New("the lab inventory cannot be loaded")
	}
	conns := connectionsFor(inv, 0, revisits, d.a.log)
	defer conns.Close()
	for _, name := range d.lab.Exchange() {
		h, _ := inv.Host(name)
		queues, err := ops.Call[ops.QueueGetResult]{Op: ops.QueueGet, Args: ops.QueueGetArgs{Endpoint: ops.EndpointFor(h.FQDN), Server: exchange.ServerName(h)}}.Run(ctx, conns, name)
		if err != nil {
			return err
		}
		for _, q := range queues.Queues {
			if q.DeliveryType == "" || q.NextHopDomain == "" {
				continue
			}
			if ok, _ := exchange.Symptom(q.LastError); ok {
				d.say("  %s  %s -> %s: %s, %d message(s) waiting\n      Last Error: %s\n", name, q.Identity, q.NextHopDomain, q.Status, q.MessageCount, q.LastError)
			} else {
				d.say("  %s  %s -> %s: %s, %d message(s) waiting, no error\n", name, q.Identity, q.NextHopDomain, q.Status, q.MessageCount)
			}
		}
		events, err := ops.Call[ops.EventsQueryResult]{Op: ops.EventsQuery, Args: ops.EventsQueryArgs{
			Log: "Application", Provider: "MSExchangeTransport", IDs: []int{1035}, Since: time.Now().Add(-24 * time.Hour).UTC().Format(time.RFC3339),
		}}.Run(ctx, conns, name)
		if err != nil {
			return err
		}
		n := len(events.Events)
		prev, seen := d.events1035[name]
		switch {
		case seen && n == prev:
			d.say("  %s  no new event 1035 since the last reading\n", name)
		case n > 0:
			d.say("  %s  event 1035 (MSExchangeTransport) %d time(s) in 24h, last: %s\n", name, n, firstLineOf(events.Events[0].Message))
		}
		if d.events1035 == nil {
			d.events1035 = map[string]int{}
		}
		d.events1035[name] = n
	}
	return nil
}

func firstLineOf(s string) string {
	for i, r := range s {
		if r == '\n' || r == '\r' {
			return s[:i]
		}
	}
	return s
}

// keepRunning leaves the lab up until interrupted.
func (d *demo) keepRunning(ctx context.Context) {
	d.say("\nThe lab keeps running (-keep). In another terminal:\n")
	for k, v := range d.env {
		d.say("  export %s='%s'\n", k, v)
	}
	d.say("  go run ./cmd/rectify plan -inventory %s %s\n", d.inventory, d.playbook)
	d.say("Press Ctrl-C to stop the lab.\n")
	<-ctx.Done()
}
