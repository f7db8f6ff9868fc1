package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/rectifyhq/rectify/drift"
	"github.com/rectifyhq/rectify/internal/build"
	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/internal/metrics"
	"github.com/rectifyhq/rectify/internal/views"
	"github.com/rectifyhq/rectify/inventory"
	"github.com/rectifyhq/rectify/operation"
	"github.com/rectifyhq/rectify/playbooks"
)

// watchCommand re-checks a playbook on a schedule: drift correction.
type watchCommand struct {
	run           runFlags
	schedule      string
	every         time.Duration
	mode          string
	metricsAddr   string
	once          bool
	clearFlapping string
	flapCount     int
	flapPeriod    time.Duration
	json          bool
	lease         time.Duration
}

func (*watchCommand) Synopsis() string {
	return "Re-check on a schedule: report drift, correct it inside change windows"
}

func (*watchCommand) Usage() string {
	return `Usage: rectify watch -inventory FILE [-schedule CRON | -every DURATION] [-mode monitor|correct] [options] PLAYBOOK

  Plans the playbook on a schedule and journals what drifted: which step on
  which host, since when. In monitor mode nothing is changed; in correct
  mode the corrections are applied inside the playbook's change windows
  only, with the same safety as apply (stale checks, rollout batches,
  verification). Steps with auto_correct = false are reported, never
  applied. Expired temporary values are reverted in either mode while a
  window is open.

  An item whose drift comes back after -flapping-count corrections within
  -flapping-period is marked flapping: reported, no longer corrected, until
  a person clears it with -clear-flapping ADDRESS.

  The first cycle runs at once; the next follow the schedule. The
  playbook's drift block gives the schedule and mode; the command line
  wins. With neither -schedule, -every nor a schedule in the playbook,
  watch refuses to start (there is no default schedule); the mode is
  monitor unless the command line or the playbook says otherwise. The
  playbook and inventory are read again for every cycle. A cycle never
  overlaps the previous one nor a run changing any of its hosts (the
  journal's host locks): it is skipped with a log line. With
  -metrics-addr, Prometheus metrics are served at /metrics and health at
  /healthz. SIGTERM, SIGHUP or Ctrl-C lets the running cycle stop cleanly;
  it is journaled as interrupted.

  With -once, watch exits with the cycle's status: 0 it succeeded (drift
  only reported is success), 1 an error (a host that could not be read, a
  correction that did not take) with no correction made, 3 the same after
  a correction was made, 5 skipped because another run holds the hosts.

  On a shared journal (-state postgres://...), several watchers of one
  playbook elect one active watcher: the others stand by and take over
  within -lease when it dies. Each scheduled start (slot) is journaled once,
  whichever watcher runs it; slots that came due while none was active are
  covered by the next cycle.`
}

func (c *watchCommand) Flags(fs *flag.FlagSet) {
	c.run.register(fs)
	fs.StringVar(&c.schedule, "schedule", "", "start a cycle on this cron `line` (\"*/15 * * * *\", \"@hourly\"); default: the playbook's drift schedule")
	fs.Var((*intervalFlag)(&c.every), "every", "start a cycle this `interval` (such as 15m) after the previous one ended; no default")
	fs.StringVar(&c.mode, "mode", "", "what a cycle does, as `mode`: monitor (report drift) or correct (also apply corrections inside change windows); default: the playbook's drift mode, else monitor")
	fs.StringVar(&c.metricsAddr, "metrics-addr", "", "serve /metrics and /healthz on this `address` (such as 127.0.0.1:9464); default: no metrics served")
	fs.BoolVar(&c.once, "once", false, "run one cycle now and exit with its status (see rectify help: exit codes)")
	fs.StringVar(&c.clearFlapping, "clear-flapping", "", "clear the flapping mark of this `address` (step.NAME[HOST]) after looking at it, and exit")
	fs.IntVar(&c.flapCount, "flapping-count", drift.DefaultFlapPolicy.Corrections, "mark an item flapping when its drift is back after this many corrections")
	fs.DurationVar(&c.flapPeriod, "flapping-period", drift.DefaultFlapPolicy.Within, "count the corrections of this `period` towards flapping")
	fs.BoolVar(&c.json, "json", false, "print each cycle (and the watcher's start and stop) as one line of JSON")
	fs.DurationVar(&c.lease, "lease", 30*time.Second, "with a shared journal (-state postgres://...), how long the active watcher's term lasts unrenewed: a standby takes over within it")
}

// view is the watcher's view: text, or JSON lines with -json.
func (c *watchCommand) view(a *app) views.Watch {
	return views.Watch{W: a.env.Stdout, JSON: c.json}
}

func (c *watchCommand) Run(ctx context.Context, a *app, args []string) int {
	if len(args) != 1 {
		return usageError(a.env.Stderr, "watch", errors.New("expected one PLAYBOOK argument"))
	}
	if err := c.run.check(); err != nil && c.clearFlapping == "" {
		return usageError(a.env.Stderr, "watch", err)
	}
	if c.flapCount < 1 || c.flapPeriod <= 0 {
		return usageError(a.env.Stderr, "watch", errors.New("-flapping-count must be at least 1 and -flapping-period positive"))
	}
	wd, err := a.env.Getwd()
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify watch: cannot find the working directory: %v\n", err)
		return exitError
	}
	if c.clearFlapping != "" {
		return c.clear(ctx, a, wd, args[0])
	}
	first := a.loadRun("watch", wd, args[0], &c.run)
	if first == nil {
		return exitError
	}
	pb := first.resolved.Playbook
	mode, err := drift.ResolveMode(c.mode, pb.Drift)
	if err != nil {
		return usageError(a.env.Stderr, "watch", err)
	}
	var settings drift.Settings
	if !c.once {
		if settings, err = drift.ResolveSettings(drift.Flags{Schedule: c.schedule, Every: c.every, Mode: c.mode}, pb.Drift); err != nil {
			return usageError(a.env.Stderr, "watch", err)
		}
	}
	j := a.openJournal(ctx, "watch", wd, c.run.state)
	if j == nil {
		return exitError
	}
	defer j.Close()

	m := metrics.New(metrics.Options{Build: build.Read(a.env.Version)})
	view := c.view(a)
	if c.metricsAddr != "" && !c.once {
		stop, err := c.serveMetrics(a, m, view)
		if err != nil {
			fmt.Fprintf(a.env.Stderr, "rectify watch: %v\n", err)
			return exitError
		}
		defer stop()
	}
	// Each cycle's directory failures give hints after its report, as a
	// plan's do; cycles never overlap.
	var hints struct {
		sync.Mutex
		log *hintLog
		inv *inventory.Inventory
	}
	writeCycleHints := func() {
		hints.Lock()
		defer hints.Unlock()
		if hints.log != nil {
			writeHints(a.env.Stderr, hints.log.hints(hints.inv))
		}
		hints.log = nil
	}
	prepare := func(context.Context) (*drift.Cycle, error) {
		lr := first
		first = nil
		if lr == nil {
			if lr = a.loadRun("watch", wd, args[0], &c.run); lr == nil {
				return nil, errors.New("the playbook or inventory has errors (shown above)")
			}
		}
		hl := newHintLog()
		hints.Lock()
		hints.log, hints.inv = hl, lr.inv
		hints.Unlock()
		return &drift.Cycle{Input: lr.input, Conns: hintConns{Connections: connectionsFor(lr.inv, c.run.parallelism, revisits, a.log), log: hl}}, nil
	}
	w, err := drift.New(drift.Config{
		Name: pb.Name, Schedule: settings.Schedule, Mode: mode, Prepare: prepare,
		Operator: &operation.Runner{Journal: j, Engine: a.engine(c.run.parallelism), Log: a.log},
		Store:    j, Metrics: m, Logger: a.log,
		Flapping: drift.FlapPolicy{Corrections: c.flapCount, Within: c.flapPeriod},
		OnCycle: func(rep drift.CycleReport) {
			_ = view.Cycle(rep)
			writeCycleHints()
		},
		Election: c.election(j, pb.Name, a),
	})
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify watch: %v\n", err)
		return exitError
	}
	if c.once {
		rep, err := w.RunOnce(ctx)
		if err != nil {
			fmt.Fprintf(a.env.Stderr, "rectify watch: %v\n", err)
			return exitError
		}
		_ = view.Cycle(rep)
		writeCycleHints()
		return exitFor(operation.CycleStatus(rep))
	}
	_ = view.Watching(pb.Name, mode, settings.Spec, j.Path())
	if err := w.Run(ctx); err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify watch: %v\n", err)
		return exitError
	}
	_ = view.Stopped()
	return exitOK
}

// clear records that a person looked at a flapping item.
func (c *watchCommand) clear(ctx context.Context, a *app, wd, arg string) int {
	pb, diags := playbooks.LoadDir(resolvePath(wd, arg), a.env.Actions)
	if diags.HasErrors() || pb == nil || pb.Name == "" {
		_ = a.writeDiagnostics(a.env.Stderr, diags, wd, sources{})
		fmt.Fprintln(a.env.Stderr, "\nrectify watch: the playbook cannot be read; nothing was cleared.")
		return exitError
	}
	j := a.openJournal(ctx, "watch", wd, c.run.state)
	if j == nil {
		return exitError
	}
	defer j.Close()
	if err := j.ClearFlapping(ctx, pb.Name, c.clearFlapping, time.Now()); err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify watch: %v\n", err)
		return exitError
	}
	_ = c.view(a).Cleared(pb.Name, c.clearFlapping)
	return exitOK
}

// serveMetrics serves m on -metrics-addr until the returned function is
// called.
func (c *watchCommand) serveMetrics(a *app, m *metrics.Metrics, view views.Watch) (func(), error) {
	ln, err := net.Listen("tcp", c.metricsAddr)
	if err != nil {
		return nil, fmt.Errorf("serve metrics: %w", err)
	}
	srv := &http.Server{Handler: m.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error().Err(err).Msg("metrics server")
		}
	}()
	_ = view.Serving(ln.Addr().String())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}

// intervalFlag is -every: a duration whose zero value means "not given"
// and is shown as no default.
type intervalFlag time.Duration

func (f *intervalFlag) String() string {
	if f == nil || *f == 0 {
		return ""
	}
	return time.Duration(*f).String()
}

func (f *intervalFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*f = intervalFlag(d)
	return nil
}

// election returns the election of the active watcher on a shared
// journal, nil on a journal file (one person's, one watcher).
func (c *watchCommand) election(j *journal.Journal, playbook string, a *app) *drift.Election {
	if !journal.IsURL(j.Path()) {
		return nil
	}
	host, _ := os.Hostname()
	return &drift.Election{
		Leadership: j, Scope: "watch " + playbook, Lease: c.lease,
		Holder: fmt.Sprintf("%s@%s pid %d", j.Identity(), host, os.Getpid()),
		OnChange: func(active bool, t drift.Term) {
			if active {
				fmt.Fprintf(a.env.Stdout, "Active watcher of %s (term %d).\n", playbook, t.ID)
			} else if t.Holder != "" {
				fmt.Fprintf(a.env.Stdout, "Standing by: %s is the active watcher of %s.\n", t.Holder, playbook)
			}
		},
	}
}
