package winrm

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/actions"
)

func TestConfigDefaults(t *testing.T) {
	type derived struct {
		Port             int
		Auth             string
		Sealed           bool
		ServerName       string
		Timeout          time.Duration
		OperationTimeout time.Duration
		URL              string
		XSDuration       string
	}
	tests := []struct {
		name    string
		cfg     Config
		want    derived
		wantErr string
	}{
		{"https defaults", Config{Address: "ex01.corp.example.com", HTTPS: true, Username: "u"},
			derived{5986, AuthNTLM, false, "ex01.corp.example.com", 60 * time.Second, 20 * time.Second, "https://ex01.corp.example.com:5986/wsman", "PT20.000S"}, ""},
		{"http defaults: sealed", Config{Address: "10.0.0.5", Username: "u"},
			derived{5985, AuthNTLM, true, "10.0.0.5", 60 * time.Second, 20 * time.Second, "http://10.0.0.5:5985/wsman", "PT20.000S"}, ""},
		{"https sealed too", Config{Address: "ex01", HTTPS: true, Username: "u", Encryption: EncryptionAlways},
			derived{5986, AuthNTLM, true, "ex01", 60 * time.Second, 20 * time.Second, "https://ex01:5986/wsman", "PT20.000S"}, ""},
		{"plain http allowed", Config{Address: "10.0.0.5", Username: "u", Auth: AuthBasic, Encryption: EncryptionNever, AllowUnencrypted: true},
			derived{5985, AuthBasic, false, "10.0.0.5", 60 * time.Second, 20 * time.Second, "http://10.0.0.5:5985/wsman", "PT20.000S"}, ""},
		{"operation timeout kept below timeout", Config{Address: "ex01", HTTPS: true, Username: "u", Timeout: 10 * time.Second, OperationTimeout: 30 * time.Second},
			derived{5986, AuthNTLM, false, "ex01", 10 * time.Second, 5 * time.Second, "https://ex01:5986/wsman", "PT5.000S"}, ""},
		{"server name", Config{Address: "127.1.0.11", Port: 45000, HTTPS: true, ServerName: "ex01.lab.example.test", Username: "u"},
			derived{45000, AuthNTLM, false, "ex01.lab.example.test", 60 * time.Second, 20 * time.Second, "https://ex01.lab.example.test:45000/wsman", "PT20.000S"}, ""},
		{"basic over http", Config{Address: "10.0.0.5", Username: "u", Auth: AuthBasic}, derived{}, "basic authentication cannot encrypt"},
		{"basic sealed over https", Config{Address: "ex01", HTTPS: true, Username: "u", Auth: AuthBasic, Encryption: EncryptionAlways}, derived{}, "basic authentication cannot encrypt"},
		{"plain http not allowed", Config{Address: "10.0.0.5", Username: "u", Encryption: EncryptionNever}, derived{}, "allow unencrypted"},
		{"unknown encryption", Config{Address: "ex01", Username: "u", Encryption: "sometimes"}, derived{}, `encryption "sometimes"`},
		{"no address", Config{Username: "u"}, derived{}, "no address"},
		{"no username", Config{Address: "ex01"}, derived{}, "no username"},
		{"unknown auth", Config{Address: "ex01", Username: "u", Auth: "digest"}, derived{}, `auth "digest"`},
		{"kerberos without credentials", Config{Address: "ex01", Username: "u", Auth: AuthKerberos}, derived{}, "no password, keytab or credential cache"},
		{"bad port", Config{Address: "ex01", Username: "u", Port: 70000}, derived{}, "out of range"},
		{"tiny envelope", Config{Address: "ex01", Username: "u", MaxEnvelopeSize: 100}, derived{}, "below 8192"},
		{"bad CA", Config{Address: "ex01", Username: "u", HTTPS: true, CAPEM: []byte("not a certificate")}, derived{}, "holds no certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(tt.cfg)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || actions.KindOf(err) != actions.KindProtocol {
					t.Fatalf("error %v, want a protocol error about %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c := s.cfg
			got := derived{c.Port, c.Auth, c.sealed(), c.ServerName, c.Timeout, c.OperationTimeout, c.url(), c.operationTimeout()}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("derived settings (-want +got):\n%s", diff)
			}
		})
	}
}
