package builtin

import (
	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/actions/ad"
	"github.com/rectifyhq/rectify/actions/exchange"
	"github.com/rectifyhq/rectify/actions/net"
	"github.com/rectifyhq/rectify/actions/windows"
)

// Register adds every built-in action to r.
func Register(r *actions.Registry) error {
	for _, e := range []struct {
		id     string
		action actions.Action
	}{
		{"windows.time_skew", windows.TimeSkew{}},
		{"windows.registry_value", windows.RegistryValue{}},
		{"windows.event_query", windows.EventQuery{}},
		{"windows.powershell", windows.PowerShell{}},
		{"ad.spn", ad.SPN{}},
		{"ad.spn_duplicates", ad.SPNDuplicates{}},
		{"ad.replication", ad.Replication{}},
		{"net.kerberos_ports", net.KerberosPorts{}},
		{"exchange.receive_connector_auth", exchange.ConnectorAuth{}},
		{"exchange.queue", exchange.Queue{}},
		{"exchange.ticket_purge", exchange.TicketPurge{}},
	} {
		if err := r.Register(e.id, e.action); err != nil {
			return err
		}
	}
	return nil
}

// Registry returns a new registry holding every built-in action.
func Registry() *actions.Registry {
	r := actions.NewRegistry()
	if err := Register(r); err != nil {
		panic(err) // a duplicate built-in id is a bug the tests catch
	}
	return r
}
