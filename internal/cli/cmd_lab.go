package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/internal/lab"
)

// labCommand serves the simulated organisation until interrupted.
type labCommand struct {
	hosts            int
	scenario         string
	check            bool
	faults           string
	latency          time.Duration
	inventory        string
	https            bool
	allowUnencrypted bool
	locale           string
}

func (*labCommand) Synopsis() string {
	return "Serve the simulated Exchange organisation for trying rectify"
}

func (*labCommand) Usage() string {
	return `Usage: rectify lab [options]

  Serves a simulated Exchange organisation on loopback, with the faults of
  KB 979174: Exchange servers and domain controllers that speak real
  WinRM and real LDAP (LDAPS, Global Catalog). WinRM listens as on a
  default Windows server: HTTP, NTLM, messages encrypted by the NTLM
  session and nothing else (-https serves HTTPS instead). It writes an
  inventory that points at it, prints the credentials to export and a plan
  command to try, and serves until interrupted (Ctrl-C).

  -scenario serves the organisation a scenario file describes instead of
  the KB's: its sites, domain controllers, Exchange servers, clocks, time
  configuration, accounts, firewall rules and failing replication links
  (README, "Rehearsing on your own organisation", shows the format).
  With -check, rectify only reads the file and reports every problem in
  it.

  -faults takes a comma-separated list: all (the default), none, or KB
  fault kinds, and HOST=FAULT for transport faults (unreachable, slow,
  401, 500, hang, reset, stall).

  -locale makes the hosts' native tools and messages answer in another
  language, as a localized Windows does: en-US (the default) or ja-JP.`
}

func (*labCommand) takesNoArgs() {}

func (c *labCommand) Flags(fs *flag.FlagSet) {
	fs.IntVar(&c.hosts, "hosts", 0, "serve a generated organisation of `N` Exchange servers instead of the KB scenario")
	fs.StringVar(&c.scenario, "scenario", "", "serve the organisation the scenario `file` describes instead of the KB scenario")
	fs.BoolVar(&c.check, "check", false, "with -scenario: check the scenario file and exit")
	fs.StringVar(&c.faults, "faults", "", "faults to seed, comma-separated `list`")
	fs.DurationVar(&c.latency, "latency", 0, "delay every WinRM answer by this `duration`")
	fs.StringVar(&c.inventory, "write-inventory", "lab.hcl", "write the inventory to `file`")
	fs.BoolVar(&c.https, "https", false, "serve WinRM over HTTPS (5986) instead of HTTP with message encryption (5985)")
	fs.BoolVar(&c.allowUnencrypted, "allow-unencrypted", false, "let HTTP hosts take unencrypted messages too (WinRM's AllowUnencrypted)")
	fs.StringVar(&c.locale, "locale", "en-US", "the `language` of the hosts' native tools and messages: en-US or ja-JP")
}

func (c *labCommand) Run(ctx context.Context, a *app, args []string) int {
	if len(args) != 0 {
		return usageError(a.env.Stderr, "lab", errors.New("expected no arguments"))
	}
	if c.hosts < 0 {
		return usageError(a.env.Stderr, "lab", errors.New("-hosts must be positive"))
	}
	if c.scenario != "" && c.hosts > 0 {
		return usageError(a.env.Stderr, "lab", errors.New("-scenario and -hosts exclude each other"))
	}
	if c.check && c.scenario == "" {
		return usageError(a.env.Stderr, "lab", errors.New("-check checks a -scenario file"))
	}
	locale, err := lab.ParseLocale(c.locale)
	if err != nil {
		return usageError(a.env.Stderr, "lab", fmt.Errorf("-locale: %w", err))
	}
	wd, err := a.env.Getwd()
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify lab: %v\n", err)
		return exitError
	}
	var scenario *lab.Scenario
	if c.scenario != "" {
		path := resolvePath(wd, c.scenario)
		sc, diags := lab.LoadScenario(path)
		if diags.HasErrors() {
			if err := a.writeDiagnostics(a.env.Stderr, diags, wd, nil); err != nil {
				fmt.Fprintf(a.env.Stderr, "rectify lab: %v\n", err)
			}
			return exitError
		}
		if c.check {
			fmt.Fprintf(a.env.Stdout, "Scenario %s is valid: %d hosts.\n", sc.Name, len(sc.Hosts))
			return exitOK
		}
		scenario = &sc
	}
	var faults []string
	for _, f := range strings.Split(c.faults, ",") {
		if f = strings.TrimSpace(f); f != "" {
			faults = append(faults, f)
		}
	}
	err = lab.Serve(ctx, a.env.Stdout, lab.ServeConfig{
		Hosts: c.hosts, Scenario: scenario, Faults: faults, Latency: c.latency,
		Inventory: resolvePath(wd, c.inventory), Options: lab.Options{HTTPS: c.https, AllowUnencrypted: c.allowUnencrypted, Locale: locale},
	})
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify lab: %v\n", err)
		return exitError
	}
	return exitOK
}
