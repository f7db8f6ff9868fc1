package directory

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// The userAccountControl flags the lab uses.
const (
	UACAccountDisable          = 0x2
	UACWorkstationTrustAccount = 0x1000 // 4096: a member computer
	UACServerTrustAccount      = 0x2000 // 8192: a domain controller
	UACTrustedForDelegation    = 0x80000
	// UACDomainController is what a writable DC's account holds: 532480.
	UACDomainController = UACServerTrustAccount | UACTrustedForDelegation
)

// addSkeleton creates what a freshly promoted forest holds.
func (d *Directory) addSkeleton() error {
	r := d.root
	skeleton := []Entry{
		{DN: r, Attributes: map[string][]string{
			"objectClass":  {"top", "domain", "domainDNS"},
			"dc":           {rdnValue(r)},
			"name":         {rdnValue(r)},
			"instanceType": {"5"},
		}},
		{DN: "CN=Users," + r, Attributes: container("Users")},
		{DN: "CN=Computers," + r, Attributes: container("Computers")},
		{DN: "OU=Domain Controllers," + r, Attributes: map[string][]string{
			"objectClass": {"top", "organizationalUnit"},
			"ou":          {"Domain Controllers"},
			"name":        {"Domain Controllers"},
		}},
		{DN: d.configDN, Attributes: map[string][]string{
			"objectClass":  {"top", "configuration"},
			"cn":           {"Configuration"},
			"name":         {"Configuration"},
			"instanceType": {"13"},
		}},
		{DN: d.schemaDN, Attributes: map[string][]string{
			"objectClass":  {"top", "dMD"},
			"cn":           {"Schema"},
			"name":         {"Schema"},
			"instanceType": {"13"},
		}},
		{DN: "CN=Sites," + d.configDN, Attributes: map[string][]string{
			"objectClass": {"top", "sitesContainer"},
			"cn":          {"Sites"},
			"name":        {"Sites"},
		}},
		{DN: "CN=Services," + d.configDN, Attributes: container("Services")},
	}
	// The classSchema objects the categories of the lab's objects name.
	for _, class := range []string{"computer", "person", "group", "organizationalUnit", "container",
		"domainDNS", "configuration", "dMD", "site", "sitesContainer", "server", "serversContainer",
		"nTDSDSA", "msExchExchangeServer", "msExchOrganizationContainer", "msExchConfigurationContainer",
		"msExchSmtpReceiveConnector"} {
		cn := categoryNames[lower(class)]
		skeleton = append(skeleton, Entry{
			DN: "CN=" + cn + "," + d.schemaDN,
			Attributes: map[string][]string{
				"objectClass":           {"top", "classSchema"},
				"cn":                    {cn},
				"name":                  {cn},
				"lDAPDisplayName":       {class},
				"defaultObjectCategory": {CategoryDN(class, r)},
			},
		})
	}
	for _, e := range skeleton {
		if err := d.Add(e); err != nil {
			return fmt.Errorf("create %s: %w", e.DN, err)
		}
	}
	return nil
}

func container(cn string) map[string][]string {
	return map[string][]string{
		"objectClass": {"top", "container"},
		"cn":          {cn},
		"name":        {cn},
	}
}

// Computer describes a computer account.
type Computer struct {
	// Name is the computer name (EX01); the account is Name$.
	Name string
	// DNSHostName defaults to Name lower-cased under the forest's DNS name.
	DNSHostName string
	// SPNs are the servicePrincipalName values; nil gives the defaults a
	// joined computer registers (HOST/ and RestrictedKrbHost/ with both
	// names).
	SPNs []string
	// DomainController makes a DC account (userAccountControl 532480) under
	// OU=Domain Controllers, and, when Site is set, its server object and
	// NTDS Settings in that site.
	DomainController bool
	// Disabled sets ACCOUNTDISABLE.
	Disabled bool
	// UserAccountControl overrides the computed flags when not zero.
	UserAccountControl uint32
	// Parent overrides the container (default CN=Computers or
	// OU=Domain Controllers).
	Parent string
	// Site is the site a DC's server object lives in.
	Site string
	// Replicated skips the forest-wide SPN uniqueness check, as when the
	// account arrives by replication: use it to plant duplicate SPNs.
	Replicated bool
}

// AddComputer creates a computer account and returns its DN.
func (d *Directory) AddComputer(c Computer) (string, error) {
	if c.Name == "" {
		return "", fmt.Errorf("add computer: name is empty")
	}
	fqdn := c.DNSHostName
	if fqdn == "" {
		fqdn = strings.ToLower(c.Name) + "." + d.DNSName()
	}
	spns := c.SPNs
	if spns == nil {
		spns = []string{"HOST/" + c.Name, "HOST/" + fqdn, "RestrictedKrbHost/" + c.Name, "RestrictedKrbHost/" + fqdn}
	}
	uac := uint32(UACWorkstationTrustAccount)
	parent, group := "CN=Computers,"+d.root, "515"
	if c.DomainController {
		uac = UACDomainController
		parent, group = "OU=Domain Controllers,"+d.root, "516"
	}
	if c.Disabled {
		uac |= UACAccountDisable
	}
	if c.UserAccountControl != 0 {
		uac = c.UserAccountControl
	}
	if c.Parent != "" {
		parent = c.Parent
	}
	dn := "CN=" + escapeRDN(c.Name) + "," + parent
	e := Entry{DN: dn, Attributes: map[string][]string{
		"objectClass":        {"top", "person", "organizationalPerson", "user", "computer"},
		"cn":                 {c.Name},
		"name":               {c.Name},
		"sAMAccountName":     {strings.ToUpper(c.Name) + "$"},
		"dNSHostName":        {fqdn},
		"userAccountControl": {strconv.FormatUint(uint64(uac), 10)},
		"primaryGroupID":     {group},
		"sAMAccountType":     {"805306369"},
		"instanceType":       {"4"},
	}}
	if len(spns) > 0 {
		e.Attributes["servicePrincipalName"] = spns
	}
	add := d.Add
	if c.Replicated {
		add = d.Seed
	}
	if err := add(e); err != nil {
		return "", fmt.Errorf("add computer %s: %w", c.Name, err)
	}
	if c.DomainController && c.Site != "" {
		if err := d.addServerObject(c.Name, fqdn, dn, c.Site); err != nil {
			return "", err
		}
	}
	return dn, nil
}

// SiteDN returns the DN of the named site.
func (d *Directory) SiteDN(site string) string {
	return "CN=" + escapeRDN(site) + ",CN=Sites," + d.configDN
}

// AddSite creates a site with its Servers container, and returns its DN.
// Adding a site that exists is not an error.
func (d *Directory) AddSite(site string) (string, error) {
	dn := d.SiteDN(site)
	if err := d.ensure(dn, map[string][]string{
		"objectClass": {"top", "site"},
		"cn":          {site},
		"name":        {site},
	}); err != nil {
		return "", err
	}
	if err := d.ensure("CN=Servers,"+dn, map[string][]string{
		"objectClass": {"top", "serversContainer"},
		"cn":          {"Servers"},
		"name":        {"Servers"},
	}); err != nil {
		return "", err
	}
	return dn, nil
}

// addServerObject creates a DC's server object and NTDS Settings (a Global
// Catalog) in its site.
func (d *Directory) addServerObject(name, fqdn, computerDN, site string) error {
	siteDN, err := d.AddSite(site)
	if err != nil {
		return err
	}
	serverDN := "CN=" + escapeRDN(name) + ",CN=Servers," + siteDN
	if err := d.ensure(serverDN, map[string][]string{
		"objectClass":     {"top", "server"},
		"cn":              {name},
		"name":            {name},
		"dNSHostName":     {fqdn},
		"serverReference": {computerDN},
	}); err != nil {
		return err
	}
	return d.ensure("CN=NTDS Settings,"+serverDN, map[string][]string{
		"objectClass": {"top", "applicationSettings", "nTDSDSA"},
		"cn":          {"NTDS Settings"},
		"name":        {"NTDS Settings"},
		"options":     {"1"},
	})
}

// ExchangeServer describes an Exchange server's configuration object.
type ExchangeServer struct {
	// Name is the server name (EX01).
	Name string
	// FQDN defaults to Name lower-cased under the forest's DNS name.
	FQDN string
	// Site is the AD site the server belongs to; it is created if missing.
	Site string
	// Organization defaults to "First Organization".
	Organization string
	// Version is the serialNumber text, default "Version 15.1 (Build 30106.4)".
	Version string
}

// The names Exchange setup gives its containers.
const (
	exchangeAdminGroup = "Exchange Administrative Group (FYDIBOHF23SPDLT)"
	defaultOrg         = "First Organization"
)

// ExchangeServersDN returns the container that holds the organisation's
// msExchExchangeServer objects.
func (d *Directory) ExchangeServersDN(org string) string {
	if org == "" {
		org = defaultOrg
	}
	return "CN=Servers,CN=" + exchangeAdminGroup + ",CN=Administrative Groups,CN=" + escapeRDN(org) +
		",CN=Microsoft Exchange,CN=Services," + d.configDN
}

// AddExchangeServer creates an msExchExchangeServer object (and the
// organisation's containers and the site if missing) and returns its DN.
func (d *Directory) AddExchangeServer(x ExchangeServer) (string, error) {
	if x.Name == "" {
		return "", fmt.Errorf("add exchange server: name is empty")
	}
	org := x.Organization
	if org == "" {
		org = defaultOrg
	}
	fqdn := x.FQDN
	if fqdn == "" {
		fqdn = strings.ToLower(x.Name) + "." + d.DNSName()
	}
	version := x.Version
	if version == "" {
		version = "Version 15.1 (Build 30106.4)"
	}
	exchange := "CN=Microsoft Exchange,CN=Services," + d.configDN
	orgDN := "CN=" + escapeRDN(org) + "," + exchange
	chain := []struct {
		dn    string
		class string
		cn    string
	}{
		{exchange, "msExchConfigurationContainer", "Microsoft Exchange"},
		{orgDN, "msExchOrganizationContainer", org},
		{"CN=Administrative Groups," + orgDN, "msExchAdminGroupContainer", "Administrative Groups"},
		{"CN=" + exchangeAdminGroup + ",CN=Administrative Groups," + orgDN, "msExchAdminGroup", exchangeAdminGroup},
		{d.ExchangeServersDN(org), "msExchServersContainer", "Servers"},
	}
	for _, c := range chain {
		if err := d.ensure(c.dn, map[string][]string{
			"objectClass": {"top", "container", c.class},
			"cn":          {c.cn},
			"name":        {c.cn},
		}); err != nil {
			return "", err
		}
	}
	attrs := map[string][]string{
		"objectClass":              {"top", "server", "msExchExchangeServer"},
		"cn":                       {x.Name},
		"name":                     {x.Name},
		"networkAddress":           {"ncacn_vns_spp:" + x.Name, "netbios:" + x.Name, "ncacn_np:" + x.Name, "ncacn_spx:" + x.Name, "ncacn_ip_tcp:" + fqdn, "ncalrpc:" + x.Name},
		"serialNumber":             {version},
		"msExchCurrentServerRoles": {"16439"},
		"versionNumber":            {"1942061725"},
	}
	if x.Site != "" {
		siteDN, err := d.AddSite(x.Site)
		if err != nil {
			return "", err
		}
		attrs["msExchServerSite"] = []string{siteDN}
	}
	dn := "CN=" + escapeRDN(x.Name) + "," + d.ExchangeServersDN(org)
	if err := d.Add(Entry{DN: dn, Attributes: attrs}); err != nil {
		return "", fmt.Errorf("add exchange server %s: %w", x.Name, err)
	}
	return dn, nil
}

// ensure creates the entry unless it exists.
func (d *Directory) ensure(dn string, attrs map[string][]string) error {
	err := d.Add(Entry{DN: dn, Attributes: attrs})
	if CodeOf(err) == EntryAlreadyExists {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create %s: %w", dn, err)
	}
	return nil
}

// escapeRDN escapes an RDN value for use in a DN (RFC 4514).
func escapeRDN(v string) string { return ldap.EscapeDN(v) }
