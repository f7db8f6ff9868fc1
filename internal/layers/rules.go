package layers

import "strings"

// Module is the module's path.
const Module = "github.com/rectifyhq/rectify"

// Layer is one level of the architecture.
type Layer struct {
	Name string
	// Packages are the import paths (relative to the module) the layer
	// holds; "dir/..." holds dir and every package below it.
	Packages []string
	// May are the lower layers its packages may import, by name.
	May []string
	// Within says whether its packages may import each other.
	Within bool
	// Why says what the layer is for, or why it may import what it does.
	Why string
}

// Layers is the table, bottom to top: a layer may name only layers above
// it in this list (lower ones) in May.
var Layers = []Layer{
	{Name: "values", Packages: []string{"plans", "ops", "internal/secret"},
		Why: "the plan value, the PowerShell wire contract and script library, and the one type a secret is held in: leaves"},
	{Name: "build information", Packages: []string{"internal/build"},
		Why: "the version, commit and toolchain the binary was built from, for version and the metrics: a leaf"},
	{Name: "service control", Packages: []string{"internal/service"},
		Why: "running rectify watch as a Windows service: a leaf that main uses"},
	{Name: "security protocols", Packages: []string{"internal/ntlm", "internal/kerberos"},
		Why: "NTLM and Kerberos session security (signing, sealing, GSS wrap), shared by the WinRM client and the lab's server: leaves"},
	{Name: "message sealing", Packages: []string{"internal/sealing"}, May: []string{"security protocols"},
		Why: "WinRM's encrypted message framing over NTLM or Kerberos session security, shared by the WinRM client and the lab's server"},
	{Name: "language support", Packages: []string{"internal/lang"},
		Why: "HCL functions, durations and the sensitive mark, for the languages and the actions' schemas"},
	{Name: "actions", Packages: []string{"actions"}, May: []string{"language support", "values"},
		Why: "the Action contract and the transport interfaces (Shell, Directory, Prober)"},
	{Name: "action families", Packages: []string{"actions/ad", "actions/exchange", "actions/net", "actions/windows"}, May: []string{"actions", "language support", "values"},
		Why: "the built-in actions, each family on its own"},
	{Name: "action registry", Packages: []string{"actions/builtin"}, May: []string{"action families", "actions"},
		Why: "the registry of the built-in actions"},
	{Name: "languages", Packages: []string{"playbooks", "inventory"}, May: []string{"actions", "language support", "values"},
		Why: "the HCL playbook and inventory languages"},
	{Name: "transports", Packages: []string{"internal/winrm", "internal/ldap", "internal/netprobe"}, May: []string{"actions", "message sealing", "security protocols", "values"},
		Why: "Shell over WinRM, Directory over LDAP, Prober over TCP/UDP: they import actions, ops and plans for their interfaces and nothing above"},
	{Name: "connections", Packages: []string{"internal/connect", "inventory/discover"}, May: []string{"transports", "languages", "actions", "values"},
		Why: "a run's transports, and an inventory discovered from AD"},
	{Name: "engine", Packages: []string{"engine"}, May: []string{"languages", "actions", "language support", "values"},
		Why: "plan, apply, verify; it never prints and never journals by itself"},
	{Name: "drift", Packages: []string{"drift"}, May: []string{"engine", "languages", "actions", "values"},
		Why: "the watcher: schedules cycles over small store and metrics interfaces"},
	{Name: "operation", Packages: []string{"operation"}, May: []string{"drift", "engine", "actions", "values"},
		Why: "one place that runs an operation: journal run, locks, plan or apply, outcome"},
	{Name: "stores", Packages: []string{"internal/journal", "internal/metrics"}, May: []string{"operation", "drift", "engine", "actions", "build information", "values"},
		Why: "the journal and the metrics, which implement operation's and drift's interfaces"},
	{Name: "views", Packages: []string{"internal/views"}, May: []string{"stores", "operation", "drift", "engine", "actions", "values"},
		Why: "every output, as text, JSON and Markdown"},
	{Name: "simulated organisation", Packages: []string{"internal/lab/..."}, May: []string{"actions", "message sealing", "security protocols", "values"}, Within: true,
		Why: "the lab imports ops and actions for their interfaces and nothing else of the product"},
	{Name: "examples", Packages: []string{"examples"},
		Why: "the example playbooks, embedded"},
	{Name: "command line", Packages: []string{"internal/cli"},
		May: []string{"simulated organisation", "examples", "views", "stores", "operation", "drift", "engine", "connections", "transports", "languages",
			"action families", "actions", "language support", "build information", "values"},
		Why: "the commands; the only product package that imports the lab, for rectify demo and rectify lab"},
	{Name: "program", Packages: []string{"cmd/rectify"}, May: []string{"command line", "action registry", "service control"},
		Why: "main: wires the real dependencies"},
	{Name: "test support", Packages: []string{"internal/testenv", "internal/sambatest", "internal/pgtest", "internal/layers", "internal/metrics/metricstest", "playbooks/testactions"},
		May: []string{"actions", "language support", "values"}, Within: true,
		Why: "helpers of tests that need no product package above actions"},
	{Name: "tests and benchmarks", Packages: []string{"internal/actiontest", "internal/ldap/ldaptest", "internal/e2e/...", "bench/..."},
		May: []string{"test support", "program", "command line", "examples", "simulated organisation", "views", "stores", "operation", "drift", "engine",
			"connections", "transports", "languages", "action registry", "action families", "actions", "language support", "values"},
		Within: true,
		Why:    "whole-system tests and benchmarks: they may import anything, and nothing imports them but tests"},
}

// LayerOf returns the layer holding pkg (relative to the module), if any.
func LayerOf(pkg string) (Layer, bool) {
	for _, l := range Layers {
		for _, p := range l.Packages {
			if p == pkg {
				return l, true
			}
			if dir, ok := strings.CutSuffix(p, "/..."); ok && (pkg == dir || strings.HasPrefix(pkg, dir+"/")) {
				return l, true
			}
		}
	}
	return Layer{}, false
}

// Allowed says whether a package of layer from may import one of layer
// to.
func Allowed(from, to Layer) bool {
	if from.Name == to.Name {
		return from.Within
	}
	for _, m := range from.May {
		if m == to.Name {
			return true
		}
	}
	return false
}
