package testactions

import (
	"fmt"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/internal/lang"
)

// Registry returns a registry of test actions under the ids and with
// schemas close to the built-in actions of the KB 979174 playbook.
func Registry() *actions.Registry {
	r := actions.NewRegistry()
	r.MustRegister("windows.time_skew", &Action{schema: timeSkew})
	r.MustRegister("ad.replication", &Action{schema: replication})
	r.MustRegister("ad.spn", &Action{schema: spn})
	r.MustRegister("windows.registry_value", &ValidatingAction{Action{schema: registryValue, validate: validateRegistryValue}})
	r.MustRegister("exchange.receive_connector_auth", &Action{schema: connectorAuth})
	r.MustRegister("net.kerberos_ports", &Action{schema: kerberosPorts})
	return r
}

// The schemas follow the built-in actions' (the playbook fixtures must be
// valid for both), plus a few attributes of their own so that tests cover
// every kind: numbers (retries), bools (resync) and sets.

var kbStep = actions.Attribute{Name: "kb_step", Type: cty.String, Description: "The knowledge-base step, cited in plans."}

var timeSkew = actions.Schema{
	Description: "Keeps each target's clock within max_skew of the domain controllers of its site.",
	Attributes: []actions.Attribute{
		{Name: "against", Hosts: true, Required: true, Description: "The domain controllers to compare with."},
		{Name: "max_skew", Type: cty.String, Default: cty.StringVal("4m"), Check: checkDuration, Description: "The largest skew tolerated."},
		{Name: "resync", Type: cty.Bool, Default: cty.True, Description: "Whether to plan a resync above max_skew."},
		kbStep,
	},
}

var replication = actions.Schema{
	Description: "Keeps Active Directory replication healthy and forces it when triggered.",
	Attributes: []actions.Attribute{
		{Name: "method", Type: cty.String, Default: cty.StringVal("pull"), OneOf: []string{"pull", "push"}},
		{Name: "push_from", Type: cty.String, Description: "The DC that pushes a triggered replication."},
		{Name: "options", Type: cty.String, Default: cty.StringVal("AdeP"), Check: checkSyncallOptions},
		{Name: "partitions", Type: cty.List(cty.String), Description: "Naming contexts to replicate; all when absent."},
		{Name: "retries", Type: cty.Number, Default: cty.NumberIntVal(1), Check: checkWhole(0, 10)},
		{Name: "timeout", Type: cty.String, Default: cty.StringVal("10m"), Check: checkDuration},
		kbStep,
	},
}

var spn = actions.Schema{
	Description: "Registers the KB's service principal names on each Exchange host's computer account.",
	Attributes: []actions.Attribute{
		{Name: "services", Type: cty.List(cty.String), Default: cty.ListVal([]cty.Value{cty.StringVal("SMTP"), cty.StringVal("SMTPSVC")})},
		{Name: "account", Type: cty.String},
		{Name: "resolve_conflicts", Type: cty.String, Default: cty.StringVal("report"), OneOf: []string{"report", "remove_from_other"}},
		kbStep,
	},
}

var registryValue = actions.Schema{
	Description: "Sets a typed registry value, optionally for a limited time.",
	Attributes: []actions.Attribute{
		{Name: "path", Type: cty.String, Required: true, Check: checkRegistryPath},
		{Name: "name", Type: cty.String, Required: true},
		{Name: "type", Type: cty.String, Default: cty.StringVal("dword"), OneOf: []string{"dword", "qword", "string", "expand_string", "multi_string"}},
		{Name: "value", Type: cty.DynamicPseudoType, Description: "The data; required unless ensure is absent."},
		{Name: "ensure", Type: cty.String, Default: cty.StringVal("present"), OneOf: []string{"present", "absent"}},
		{Name: "expires", Type: cty.String, Check: checkDuration},
		{Name: "reason", Type: cty.String},
		kbStep,
	},
}

var connectorAuth = actions.Schema{
	Description: "Gives the receive connector for internal mail the authentication Exchange servers need.",
	Attributes: []actions.Attribute{
		{Name: "identity", Type: cty.String},
		{Name: "server", Type: cty.String},
		{Name: "auth_mechanisms", Type: cty.List(cty.String), Default: cty.ListVal([]cty.Value{cty.StringVal("Tls"), cty.StringVal("ExchangeServer")})},
		{Name: "permission_groups", Type: cty.List(cty.String), Default: cty.ListVal([]cty.Value{cty.StringVal("ExchangeServers")})},
		{Name: "allowed_groups", Type: cty.Set(cty.String), Description: "A set attribute, for tests."},
		kbStep,
	},
}

var kerberosPorts = actions.Schema{
	Description: "Checks that each target reaches its domain controllers on the Kerberos ports.",
	Attributes: []actions.Attribute{
		{Name: "against", Hosts: true, Required: true},
		{Name: "ports", Type: cty.List(cty.String), Description: `Ports as "88/tcp"; the KB's list when absent.`},
		{Name: "timeout", Type: cty.String, Default: cty.StringVal("2s"), Check: checkDuration},
		kbStep,
	},
}

func checkSyncallOptions(v cty.Value) string {
	for _, r := range v.AsString() {
		if !strings.ContainsRune("AdePSe", r) {
			return "may hold only the repadmin /syncall options A, d, e, P, S"
		}
	}
	return ""
}

func checkDuration(v cty.Value) string {
	if _, err := lang.ParseDuration(v.AsString()); err != nil {
		return "must be a duration such as 90s, 5m or 24h"
	}
	return ""
}

func checkWhole(lo, hi int64) func(cty.Value) string {
	return func(v cty.Value) string {
		n, acc := v.AsBigFloat().Int64()
		if acc != 0 || n < lo || n > hi {
			return fmt.Sprintf("must be a whole number from %d to %d", lo, hi)
		}
		return ""
	}
}

func checkRegistryPath(v cty.Value) string {
	p := v.AsString()
	for _, hive := range []string{`HKLM:\`, `HKCU:\`} {
		if strings.HasPrefix(strings.ToUpper(p), hive) {
			return ""
		}
	}
	return `must start with a hive, such as HKLM:\`
}

// validateRegistryValue checks that value is given when it must be, and
// suits type.
func validateRegistryValue(cfg actions.Config) []actions.ConfigProblem {
	v := cfg.Raw("value")
	if v.IsNull() {
		if cfg.String("ensure") == "present" {
			return []actions.ConfigProblem{{Attribute: "value", Summary: "value is required unless ensure is \"absent\""}}
		}
		return nil
	}
	if !v.IsKnown() {
		return nil
	}
	switch kind := cfg.String("type"); kind {
	case "dword", "qword":
		n, err := toNumber(v)
		if err != nil {
			return []actions.ConfigProblem{{Attribute: "value", Summary: "value must be a number for a " + kind}}
		}
		limit := 4294967295.0
		if kind == "qword" {
			limit = 18446744073709551615.0
		}
		if f, _ := n.Float64(); f < 0 || f > limit {
			return []actions.ConfigProblem{{Attribute: "value", Summary: "value is out of range for a " + kind}}
		}
	case "string", "expand_string":
		if v.Type() != cty.String {
			return []actions.ConfigProblem{{Attribute: "value", Summary: "value must be a string for a " + kind}}
		}
	case "multi_string":
		if !v.Type().IsListType() && !v.Type().IsTupleType() {
			return []actions.ConfigProblem{{Attribute: "value", Summary: "value must be a list of strings for a multi_string"}}
		}
	}
	return nil
}
