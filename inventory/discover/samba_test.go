package discover

import (
	"context"
	"os"
	"testing"

	goldap "github.com/go-ldap/ldap/v3"
	"github.com/google/go-cmp/cmp"

	rldap "github.com/rectifyhq/rectify/internal/ldap"
	"github.com/rectifyhq/rectify/internal/sambatest"
	"github.com/rectifyhq/rectify/internal/secret"
)

func TestMain(m *testing.M) { os.Exit(sambatest.Main(m)) }

// TestDiscoverSamba discovers a real Samba AD DC: the DC itself (Samba
// puts it in Default-First-Site-Name), and not a member computer. Samba has
// no Exchange schema, so an msExchExchangeServer fixture is refused: the
// forest has an empty CN=Microsoft Exchange, and Exchange discovery is
// proven against the lab only.
func TestDiscoverSamba(t *testing.T) {
	dc := sambatest.Shared(t)
	dc.CreateComputer(t, "DISCEX01")

	// The base AD schema has msExchConfigurationContainer (Samba's too),
	// so CN=Microsoft Exchange can be made; msExchExchangeServer needs the
	// Exchange schema, which Samba lacks.
	exchange := "CN=Microsoft Exchange,CN=Services,CN=Configuration," + sambatest.BaseDN
	admin := dc.Admin(t)
	add := goldap.NewAddRequest(exchange, nil)
	add.Attribute("objectClass", []string{"top", "container", "msExchConfigurationContainer"})
	if err := admin.Add(add); err != nil && !goldap.IsErrorWithCode(err, goldap.LDAPResultEntryAlreadyExists) {
		t.Fatalf("add the Exchange configuration container: %v", err)
	}
	server := goldap.NewAddRequest("CN=DISCEX01,"+exchange, nil)
	server.Attribute("objectClass", []string{"top", "server", "msExchExchangeServer"})
	server.Attribute("networkAddress", []string{"ncacn_ip_tcp:" + sambatest.ComputerFQDN("DISCEX01")})
	err := admin.Add(server)
	if err == nil {
		t.Fatal("Samba accepted an msExchExchangeServer: it has the Exchange schema now, so this test should expect DISCEX01 among the Exchange servers")
	}
	if !goldap.IsErrorWithCode(err, goldap.LDAPResultNoSuchAttribute) && !goldap.IsErrorWithCode(err, goldap.LDAPResultObjectClassViolation) {
		t.Fatalf("the msExchExchangeServer fixture was refused for another reason than the schema: %v", err)
	}
	t.Logf("Samba has no Exchange schema; DC discovery only: %v", err)

	dir, err := rldap.New(rldap.Config{
		URL: dc.LDAPSURL(), BindUser: dc.AdminUPN(), Password: secret.New(dc.AdminPassword()),
		CAFile: dc.PKI.CAFile, ServerName: sambatest.FQDN,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	got, err := Discover(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	want := &Result{Domain: sambatest.DNSName, Hosts: []Host{{
		Name: sambatest.HostName, DirectoryName: "DC01", FQDN: sambatest.FQDN, Domain: sambatest.DNSName,
		Site: "Default-First-Site-Name", Groups: []string{GroupDC},
	}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Discover against Samba (-want +got):\n%s", diff)
	}
}
