package ldaptest

import (
	"context"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/sambatest"
)

// sambaFixtures sets up state on a Samba DC.
type sambaFixtures struct{ dc *sambatest.DC }

func (f sambaFixtures) AddComputers(t testing.TB, names ...string) []string {
	return f.dc.AddComputers(t, names...)
}

func (f sambaFixtures) SeedSPNs(t testing.TB, writes ...SPNWrite) {
	ws := make([]sambatest.SPNWrite, len(writes))
	for i, w := range writes {
		ws[i] = sambatest.SPNWrite{DN: w.DN, SPN: w.SPN}
	}
	f.dc.SeedSPNs(t, ws...)
}

func (f sambaFixtures) Restart(t testing.TB) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := f.dc.Restart(ctx); err != nil {
		t.Fatal(err)
	}
}

// SambaTarget is the contract target of a running Samba DC.
func SambaTarget(dc *sambatest.DC) Target {
	return Target{
		Name:       "samba",
		LDAPSURL:   dc.LDAPSURL(),
		LDAPURL:    dc.LDAPURL(),
		GCSURL:     dc.GCSURL(),
		GCURL:      dc.GCURL(),
		CAFile:     dc.PKI.CAFile,
		ServerName: sambatest.FQDN,
		UPN:        dc.AdminUPN(),
		DownLevel:  dc.AdminDownLevel(),
		Password:   dc.AdminPassword(),
		BaseDN:     sambatest.BaseDN,
		DNSDomain:  sambatest.DNSName,
		Fixtures:   sambaFixtures{dc},
	}
}

func TestContractSamba(t *testing.T) {
	RunContract(t, SambaTarget(sambatest.Shared(t)))
}
