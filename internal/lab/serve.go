package lab

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/internal/lab/ldapd"
	"github.com/rectifyhq/rectify/internal/lab/wsman"
)

// ServeConfig is what `rectify lab` asks for.
type ServeConfig struct {
	// Hosts, when positive, serves a generated organisation of that many
	// Exchange servers (see Generate) instead of the KB979174 scenario.
	Hosts int
	// ScenarioFile, when set, serves the scenario of that HCL file (see
	// ParseScenario) instead; Scenario, when set, serves that one.
	ScenarioFile string
	Scenario     *Scenario
	// Faults selects faults: kinds of the KB's faults to seed (FaultKinds;
	// "all", the default, or "none"), and transport faults of one host
	// written HOST=FAULT, FAULT one of unreachable, slow, 401, 500, hang,
	// reset, stall.
	Faults []string
	// Latency delays every WinRM answer of every host; a "slow" host
	// gets it too (a second when it is zero).
	Latency time.Duration
	// Inventory is the inventory file to write; empty means lab.hcl in the
	// current directory.
	Inventory string
	// Playbook is the playbook the usage line suggests planning.
	Playbook string
	// Options configure the endpoints (ports, addresses, account).
	Options Options
}

// transportFaults are the HOST=FAULT names Serve accepts.
var transportFaults = []string{"unreachable", "slow", "401", "500", "hang", "reset", "stall"}

// Serve starts the lab, writes its inventory, prints how to use it to w,
// and serves until ctx is done; then it stops everything.
func Serve(ctx context.Context, w io.Writer, cfg ServeConfig) error {
	sc := KB979174()
	switch {
	case (cfg.ScenarioFile != "" || cfg.Scenario != nil) && cfg.Hosts > 0:
		return fmt.Errorf("a scenario file and a generated organisation exclude each other")
	case cfg.Scenario != nil:
		sc = *cfg.Scenario
	case cfg.ScenarioFile != "":
		loaded, diags := LoadScenario(cfg.ScenarioFile)
		if diags.HasErrors() {
			return fmt.Errorf("scenario: %w", diags)
		}
		sc = loaded
	case cfg.Hosts > 0:
		sc = Generate(cfg.Hosts)
	}
	kinds, perHost, err := parseFaults(cfg.Faults)
	if err != nil {
		return err
	}
	sc = sc.WithFaults(kinds...)
	opts := cfg.Options
	if cfg.Latency > 0 {
		opts.Latency = cfg.Latency
	}
	l, err := Start(ctx, sc, opts)
	if err != nil {
		return err
	}
	defer l.Close()
	for host, fault := range perHost {
		if err := l.applyTransportFault(host, fault, cfg.Latency); err != nil {
			return err
		}
	}
	path := cfg.Inventory
	if path == "" {
		path = "lab.hcl"
	}
	if err := l.WriteInventory(path); err != nil {
		return err
	}
	playbook := cfg.Playbook
	if playbook == "" {
		playbook = "examples/exchange-454"
	}
	l.printUsage(w, path, playbook, perHost)
	<-ctx.Done()
	fmt.Fprintln(w, "rectify lab: stopping.")
	return nil
}

// parseFaults splits a -faults list into KB fault kinds and per-host
// transport faults.
func parseFaults(list []string) (kinds []string, perHost map[string]string, err error) {
	perHost = map[string]string{}
	explicit := false
	for _, item := range list {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if host, fault, ok := strings.Cut(item, "="); ok {
			if !slices.Contains(transportFaults, fault) {
				return nil, nil, fmt.Errorf("unknown transport fault %q for host %s; use one of %s", fault, host, strings.Join(transportFaults, ", "))
			}
			perHost[host] = fault
			continue
		}
		switch {
		case item == "all":
			kinds = append(kinds, FaultKinds...)
		case item == "none":
		case slices.Contains(FaultKinds, item):
			kinds = append(kinds, item)
		default:
			return nil, nil, fmt.Errorf("unknown fault %q; use all, none, %s, or HOST=%s", item, strings.Join(FaultKinds, ", "), strings.Join(transportFaults, "|"))
		}
		explicit = true
	}
	if !explicit {
		kinds = FaultKinds
	}
	return kinds, perHost, nil
}

// applyTransportFault sets one host's transport fault by name.
func (l *Lab) applyTransportFault(host, fault string, latency time.Duration) error {
	if latency <= 0 {
		latency = time.Second
	}
	f := wsman.Faults{}
	switch fault {
	case "unreachable":
		f.Unreachable = true
	case "slow":
		f.Latency = latency
	case "401":
		f.Unauthorized = true
	case "500":
		f.ServerError = true
	case "hang":
		f.Hang = true
	case "reset":
		f.Reset = true
	case "stall":
		f.StallCommands = true
	}
	return l.SetWinRMFaults(host, f)
}

func (l *Lab) printUsage(w io.Writer, inventory, playbook string, perHost map[string]string) {
	ex, dcs := l.Exchange(), l.DCs()
	fmt.Fprintf(w, "rectify lab: serving scenario %s: %d Exchange servers and %d domain controllers of %s.\n\n",
		l.scenario.Name, len(ex), len(dcs), l.org.Domain)
	shown := l.org.Hosts()
	if len(shown) > 12 {
		shown = shown[:12]
	}
	for _, h := range shown {
		ep, _ := l.WinRM(h.Name)
		line := fmt.Sprintf("  %-8s %-9s %s", h.Name, h.Role, ep.URL())
		if h.Role == RoleDC {
			line += "  ldaps://" + l.LDAPAddr(h.Name, ldapd.LDAPS)
		}
		if f, ok := perHost[h.Name]; ok {
			line += "  [" + f + "]"
		}
		fmt.Fprintln(w, line)
	}
	if rest := len(l.org.Hosts()) - len(shown); rest > 0 {
		fmt.Fprintf(w, "  ... and %d more hosts (see the inventory)\n", rest)
	}
	abs, err := filepath.Abs(inventory)
	if err != nil {
		abs = inventory
	}
	fmt.Fprintf(w, "\nInventory: %s (lab CA beside it)\n\nExport the lab's credentials, then plan against it:\n\n", abs)
	creds := l.Credentials()
	names := make([]string, 0, len(creds))
	for k := range creds {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(w, "  export %s=%s\n", k, shellQuote(creds[k]))
	}
	fmt.Fprintf(w, "\n  rectify plan -inventory %s %s\n\nServing until interrupted (Ctrl-C).\n", shellQuote(inventory), shellQuote(playbook))
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
