package lab

import (
	"strings"
	"testing"
)

// TestReceiveConnectorRules checks the rules Set-ReceiveConnector keeps for
// a whole authentication set.
func TestReceiveConnectorRules(t *testing.T) {
	tests := []struct {
		auth       []string
		requireTLS bool
		err        string
	}{
		{[]string{"None"}, false, ""},
		{[]string{"None", "Tls"}, false, `"None" of AuthMechanism can't be combined`},
		{[]string{"Tls", "ExternalAuthoritative"}, false, ""},
		{[]string{"Tls", "ExternalAuthoritative", "ExchangeServer"}, false, "ExternalAuthoritative can only be combined with Tls"},
		{[]string{"ExternalAuthoritative"}, false, ""},
		{[]string{"Tls", "BasicAuthRequireTLS"}, false, "BasicAuthRequireTLS requires both BasicAuth and Tls"},
		{[]string{"BasicAuth", "BasicAuthRequireTLS"}, false, "BasicAuthRequireTLS requires both BasicAuth and Tls"},
		{[]string{"Tls", "BasicAuth", "BasicAuthRequireTLS", "ExchangeServer"}, false, ""},
		{[]string{"Integrated"}, true, "RequireTLS can't be set"},
		{[]string{"Tls", "Integrated"}, true, ""},
	}
	for _, tt := range tests {
		err := validateReceiveConnector(ReceiveConnector{Identity: `EX01\Test`, AuthMechanism: tt.auth, RequireTLS: tt.requireTLS})
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("%v: unexpected error %v", tt.auth, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%v: error %v, want %q", tt.auth, err, tt.err)
		}
	}
}
