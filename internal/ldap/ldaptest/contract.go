package ldaptest

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	goldap "github.com/go-ldap/ldap/v3"
	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/internal/ldap"
	"github.com/rectifyhq/rectify/internal/sambatest"
	"github.com/rectifyhq/rectify/internal/secret"
)

// The OIDs the suite expects among a DC's supportedControl values.
const oidPagedResults = "1.2.840.113556.1.4.319"

// RunContract runs the directory contract against tg. Each run names its
// objects with a random prefix, so runs can share a server.
func RunContract(t *testing.T, tg Target) {
	c := &contract{tg: tg, prefix: "K" + randomHex(3)}
	t.Run("PlainBindRefused", c.plainBindRefused)
	t.Run("WrongPasswordRefused", c.wrongPasswordRefused)
	t.Run("TLS", c.tlsModes)
	t.Run("RootDSE", c.rootDSE)
	t.Run("SPNSearchIgnoresCase", c.spnSearchIgnoresCase)
	t.Run("Paging", c.paging)
	t.Run("ModifyExistingValue", c.modifyExistingValue)
	t.Run("ModifySPNHeldElsewhere", c.modifySPNHeldElsewhere)
	t.Run("FilterMetacharactersInert", c.filterMetacharactersInert)
	t.Run("FindComputer", c.findComputer)
	t.Run("HoldersAndDuplicates", c.holdersAndDuplicates)
	t.Run("ReconnectAfterRestart", c.reconnectAfterRestart)
}

type contract struct {
	tg     Target
	prefix string
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}

// name returns a computer name of this run (at most 15 characters).
func (c *contract) name(s string) string { return c.prefix + s }

func (c *contract) fqdn(name string) string { return strings.ToLower(name) + "." + c.tg.DNSDomain }

// plainBindRefused: a simple bind on an unprotected connection is refused
// with strongerAuthRequired (8), as AD with LDAP signing and Samba do; the
// client itself refuses to be configured that way.
func (c *contract) plainBindRefused(t *testing.T) {
	conn, err := goldap.DialURL(c.tg.LDAPURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	err = conn.Bind(c.tg.UPN, c.tg.Password)
	if !goldap.IsErrorWithCode(err, goldap.LDAPResultStrongAuthRequired) {
		t.Errorf("simple bind without TLS: err = %v, want result 8 (strongerAuthRequired)", err)
	}
	cfg := c.tg.config()
	cfg.URL = c.tg.LDAPURL
	if _, err := ldap.New(cfg); err == nil {
		t.Error("ldap.New accepted a plain ldap:// URL without StartTLS")
	}
}

// wrongPasswordRefused: invalidCredentials (49) becomes KindAuth, and the
// password is in no error text.
func (c *contract) wrongPasswordRefused(t *testing.T) {
	const wrong = "Not-The-Pa55word!"
	for _, user := range []string{c.tg.UPN, c.tg.DownLevel} {
		cfg := c.tg.config()
		cfg.BindUser = user
		cfg.Password = secret.New(wrong)
		_, err := open(t, cfg).RootDSE(testContext(t))
		if got := actions.KindOf(err); got != actions.KindAuth {
			t.Errorf("bind as %s with a wrong password: kind %q (%v), want %q", user, got, err, actions.KindAuth)
		}
		var res *ldap.ResultError
		if !errors.As(err, &res) || res.Code != goldap.LDAPResultInvalidCredentials {
			t.Errorf("bind as %s with a wrong password: %v, want result 49", user, err)
		}
		if err != nil && strings.Contains(err.Error(), wrong) {
			t.Errorf("error text carries the password: %v", err)
		}
	}
}

// tlsModes: LDAPS and StartTLS verify the CA, to the DC and the Global
// Catalog, with a UPN and a down-level name; a wrong CA or a wrong server
// name is refused as KindTLS.
func (c *contract) tlsModes(t *testing.T) {
	wrongCA, err := sambatest.NewCA(t.TempDir(), "impostor", c.tg.ServerName)
	if err != nil {
		t.Fatal(err)
	}
	modes := []struct {
		name, url, gc string
		startTLS      bool
	}{
		{"ldaps", c.tg.LDAPSURL, c.tg.GCSURL, false},
		{"starttls", c.tg.LDAPURL, c.tg.GCURL, true},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			for _, user := range []string{c.tg.UPN, c.tg.DownLevel} {
				cfg := c.tg.config()
				cfg.URL, cfg.GCURL, cfg.StartTLS, cfg.BindUser = m.url, m.gc, m.startTLS, user
				d := open(t, cfg)
				ctx := testContext(t)
				if _, err := d.RootDSE(ctx); err != nil {
					t.Errorf("rootDSE as %s: %v", user, err)
				}
				if _, err := d.Search(ctx, actions.SearchRequest{GlobalCatalog: true, Scope: actions.ScopeSubtree,
					Filter: actions.Equal{Attribute: "sAMAccountName", Value: "krbtgt"}, Attributes: []string{"cn"}}); err != nil {
					t.Errorf("global catalog search as %s: %v", user, err)
				}
			}
			refusals := []struct {
				name   string
				adjust func(*ldap.Config)
			}{
				{"wrong CA", func(cfg *ldap.Config) { cfg.CAFile = wrongCA.CAFile }},
				{"wrong server name", func(cfg *ldap.Config) { cfg.ServerName = "not-the-dc.invalid" }},
				{"system roots", func(cfg *ldap.Config) { cfg.CAFile = "" }},
			}
			for _, r := range refusals {
				cfg := c.tg.config()
				cfg.URL, cfg.GCURL, cfg.StartTLS = m.url, m.gc, m.startTLS
				r.adjust(&cfg)
				_, err := open(t, cfg).RootDSE(testContext(t))
				if got := actions.KindOf(err); got != actions.KindTLS {
					t.Errorf("%s: kind %q (%v), want %q", r.name, got, err, actions.KindTLS)
				}
			}
		})
	}
}

// rootDSE: currentTime in AD's generalized time form, the naming contexts,
// the DC's name and paged results among the supported controls, on the DC
// and on the Global Catalog.
func (c *contract) rootDSE(t *testing.T) {
	d := open(t, c.tg.config())
	ctx := testContext(t)
	for name, read := range map[string]func() (actions.Entry, error){
		"dc": func() (actions.Entry, error) { return d.RootDSE(ctx) },
		"gc": func() (actions.Entry, error) { return d.GlobalCatalogRootDSE(ctx) },
	} {
		root, err := read()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ts, err := time.Parse("20060102150405.0Z", root.Get("currentTime"))
		if err != nil {
			t.Errorf("%s: currentTime %q: %v", name, root.Get("currentTime"), err)
		} else if skew := time.Since(ts); skew > 5*time.Minute || skew < -5*time.Minute {
			t.Errorf("%s: currentTime %s is %s away from this machine's clock", name, ts, skew)
		}
		want := map[string]string{
			"defaultNamingContext":       strings.ToLower(c.tg.BaseDN),
			"configurationNamingContext": strings.ToLower("CN=Configuration," + c.tg.BaseDN),
			"rootDomainNamingContext":    strings.ToLower(c.tg.BaseDN),
			"schemaNamingContext":        strings.ToLower("CN=Schema,CN=Configuration," + c.tg.BaseDN),
		}
		got := map[string]string{}
		for k := range want {
			got[k] = strings.ToLower(root.Get(k))
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: naming contexts (-want +got):\n%s", name, diff)
		}
		ncs := lowerAll(root.Values("namingContexts"))
		for _, nc := range []string{want["defaultNamingContext"], want["configurationNamingContext"], want["schemaNamingContext"]} {
			if !slices.Contains(ncs, nc) {
				t.Errorf("%s: namingContexts %v lacks %s", name, root.Values("namingContexts"), nc)
			}
		}
		if !strings.HasSuffix(strings.ToLower(root.Get("dnsHostName")), "."+strings.ToLower(c.tg.DNSDomain)) {
			t.Errorf("%s: dnsHostName %q is not under %s", name, root.Get("dnsHostName"), c.tg.DNSDomain)
		}
		if !slices.Contains(root.Values("supportedControl"), oidPagedResults) {
			t.Errorf("%s: supportedControl lacks paged results %s", name, oidPagedResults)
		}
		if !slices.Contains(root.Values("supportedLDAPVersion"), "3") {
			t.Errorf("%s: supportedLDAPVersion %v lacks 3", name, root.Values("supportedLDAPVersion"))
		}
		if !strings.EqualFold(root.Get("isGlobalCatalogReady"), "TRUE") {
			t.Errorf("%s: isGlobalCatalogReady = %q, want TRUE", name, root.Get("isGlobalCatalogReady"))
		}
	}
	// A Directory without a base DN takes the rootDSE's.
	cfg := c.tg.config()
	cfg.BaseDN = ""
	base, err := open(t, cfg).BaseDN(ctx)
	if err != nil || !strings.EqualFold(base, c.tg.BaseDN) {
		t.Errorf("BaseDN from rootDSE = %q, %v; want %s", base, err, c.tg.BaseDN)
	}
}

func lowerAll(vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strings.ToLower(v)
	}
	return out
}

// spnSearchIgnoresCase: servicePrincipalName equality is case-insensitive
// on the DC and on the Global Catalog.
func (c *contract) spnSearchIgnoresCase(t *testing.T) {
	d := open(t, c.tg.config())
	ctx := testContext(t)
	name := c.name("CASE")
	dn := c.tg.Fixtures.AddComputers(t, name)[0]
	spn := "SMTPSVC/" + c.fqdn(name)
	if err := d.Modify(ctx, actions.ModifyRequest{DN: dn, Changes: []actions.Modification{{Op: actions.ModAdd, Attribute: "servicePrincipalName", Values: []string{spn}}}}); err != nil {
		t.Fatal(err)
	}
	for _, gc := range []bool{false, true} {
		for _, variant := range []string{spn, strings.ToUpper(spn), strings.ToLower(spn), "smtpsvc/" + strings.ToUpper(c.fqdn(name))} {
			got, err := d.Search(ctx, actions.SearchRequest{GlobalCatalog: gc, Scope: actions.ScopeSubtree,
				Filter: actions.Equal{Attribute: "servicePrincipalName", Value: variant}, Attributes: []string{"servicePrincipalName"}})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || !strings.EqualFold(got[0].DN, dn) {
				t.Errorf("gc=%v search %q: %v, want only %s", gc, variant, dns(got), dn)
			} else if !slices.Contains(got[0].Values("servicePrincipalName"), spn) {
				t.Errorf("gc=%v: stored value %v lost its case (want %q)", gc, got[0].Values("servicePrincipalName"), spn)
			}
		}
	}
}

func dns(es []actions.Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.DN
	}
	return out
}

// paging: a search larger than its page size arrives over several pages
// with every entry exactly once, on the DC and the Global Catalog; a page
// size above AD's 1000 is capped, so 1,100 objects take two pages or more.
func (c *contract) paging(t *testing.T) {
	d := open(t, c.tg.config())
	ctx := testContext(t)
	var names []string
	for i := range 1100 {
		names = append(names, c.name(fmt.Sprintf("P%04d", i)))
	}
	created := c.tg.Fixtures.AddComputers(t, names...)
	filter := actions.And{
		actions.Equal{Attribute: "objectCategory", Value: "computer"},
		actions.Substring{Attribute: "sAMAccountName", Initial: c.name("P")},
	}
	cases := []struct {
		name      string
		gc        bool
		pageSize  int
		sizeLimit int
		want      int
		minPages  int
		maxPage   int
	}{
		{"dc small pages", false, 7, 0, 1100, 158, 7},
		{"gc small pages", true, 100, 0, 1100, 11, 100},
		{"page size capped", false, 5000, 0, 1100, 2, ldap.MaxPageSize},
		{"size limit", false, 3, 10, 10, 4, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			seen := map[string]bool{}
			pages, largest := 0, 0
			err := d.SearchPages(ctx, actions.SearchRequest{GlobalCatalog: tc.gc, Scope: actions.ScopeSubtree, Filter: filter,
				Attributes: []string{"sAMAccountName"}, PageSize: tc.pageSize, SizeLimit: tc.sizeLimit},
				func(page []actions.Entry) error {
					pages++
					largest = max(largest, len(page))
					for _, e := range page {
						k := strings.ToLower(e.DN)
						if seen[k] {
							t.Errorf("%s delivered twice", e.DN)
						}
						seen[k] = true
					}
					return nil
				})
			if err != nil {
				t.Fatal(err)
			}
			if len(seen) != tc.want || pages < tc.minPages || largest > tc.maxPage {
				t.Errorf("%d entries in %d pages (largest %d); want %d entries, >= %d pages of <= %d",
					len(seen), pages, largest, tc.want, tc.minPages, tc.maxPage)
			}
			if tc.sizeLimit == 0 {
				for _, dn := range created {
					if !seen[strings.ToLower(dn)] {
						t.Errorf("%s missing from the paged result", dn)
						break
					}
				}
			}
		})
	}
	// Stopping early: the callback's error comes back as is, and the
	// connection stays usable.
	stop := errors.New("enough")
	err := d.SearchPages(ctx, actions.SearchRequest{Scope: actions.ScopeSubtree, Filter: filter, PageSize: 10},
		func([]actions.Entry) error { return stop })
	if !errors.Is(err, stop) {
		t.Errorf("SearchPages with a stopping callback: %v, want %v", err, stop)
	}
	if got, err := d.Search(ctx, actions.SearchRequest{Scope: actions.ScopeSubtree, Filter: filter, Attributes: []string{"cn"}}); err != nil || len(got) != 1100 {
		t.Errorf("search after an abandoned one: %d entries, %v; want 1100", len(got), err)
	}
}

// modifyExistingValue: adding a value already present is refused with
// attributeOrValueExists (20) and nothing of the request is applied.
func (c *contract) modifyExistingValue(t *testing.T) {
	d := open(t, c.tg.config())
	ctx := testContext(t)
	name := c.name("EXIST")
	dn := c.tg.Fixtures.AddComputers(t, name)[0]
	spn := "SMTP/" + c.fqdn(name)
	add := func(attr string, v ...string) actions.Modification {
		return actions.Modification{Op: actions.ModAdd, Attribute: attr, Values: v}
	}
	if err := d.Modify(ctx, actions.ModifyRequest{DN: dn, Changes: []actions.Modification{add("servicePrincipalName", spn)}}); err != nil {
		t.Fatal(err)
	}
	newSPN := "SMTPSVC/" + c.fqdn(name)
	cases := []struct {
		name    string
		changes []actions.Modification
	}{
		{"same case", []actions.Modification{add("servicePrincipalName", newSPN, spn)}},
		{"second change", []actions.Modification{add("description", "half-applied?"), add("servicePrincipalName", spn)}},
	}
	for _, tc := range cases {
		err := d.Modify(ctx, actions.ModifyRequest{DN: dn, Changes: tc.changes})
		if got := actions.KindOf(err); got != actions.KindExists {
			t.Errorf("%s: kind %q (%v), want %q", tc.name, got, err, actions.KindExists)
		}
		var res *ldap.ResultError
		if !errors.As(err, &res) || res.Code != goldap.LDAPResultAttributeOrValueExists {
			t.Errorf("%s: %v, want result 20", tc.name, err)
		}
		if actions.IsRetryable(err) {
			t.Errorf("%s: a refusal marked retryable", tc.name)
		}
	}
	got := c.read(t, d, dn, "servicePrincipalName", "description")
	want := map[string][]string{"servicePrincipalName": {spn}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after refused modifies (-want +got):\n%s", diff)
	}
}

// read returns the named attributes of one object, values sorted, absent
// attributes left out.
func (c *contract) read(t *testing.T, d *ldap.Directory, dn string, attrs ...string) map[string][]string {
	t.Helper()
	es, err := d.Search(testContext(t), actions.SearchRequest{Base: dn, Scope: actions.ScopeBase, Attributes: attrs})
	if err != nil || len(es) != 1 {
		t.Fatalf("read %s: %d entries, %v", dn, len(es), err)
	}
	out := map[string][]string{}
	for _, a := range attrs {
		if v := es[0].Values(a); len(v) > 0 {
			v = slices.Clone(v)
			sort.Strings(v)
			out[a] = v
		}
	}
	return out
}

// modifySPNHeldElsewhere: adding an SPN another account holds is refused
// with constraintViolation (19) carrying the uniqueness code, which the
// client reports as KindSPNConflict; nothing is applied.
func (c *contract) modifySPNHeldElsewhere(t *testing.T) {
	d := open(t, c.tg.config())
	ctx := testContext(t)
	holder, other := c.name("HOLD"), c.name("TAKE")
	created := c.tg.Fixtures.AddComputers(t, holder, other)
	spn := "SMTPSVC/" + c.fqdn(holder)
	mod := func(dn string, vs ...string) error {
		return d.Modify(ctx, actions.ModifyRequest{DN: dn, Changes: []actions.Modification{{Op: actions.ModAdd, Attribute: "servicePrincipalName", Values: vs}}})
	}
	if err := mod(created[0], spn); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{spn, strings.ToLower(spn)} {
		err := mod(created[1], "SMTP/"+c.fqdn(other), v)
		if got := actions.KindOf(err); got != actions.KindSPNConflict {
			t.Errorf("add %q held by %s: kind %q (%v), want %q", v, holder, got, err, actions.KindSPNConflict)
		}
		var res *ldap.ResultError
		if errors.As(err, &res) {
			code, ok := res.Win32Code()
			if res.Code != goldap.LDAPResultConstraintViolation || !ok ||
				code != ldap.ErrorDSSPNValueNotUniqueInForest && code != ldap.ErrorDSAttributeOrValueExists {
				t.Errorf("refusal: result %d, win32 %08X (%v): want 19 with 000021C7 or 0000202F", res.Code, code, ok)
			}
		}
	}
	if got := c.read(t, d, created[1], "servicePrincipalName"); len(got) != 0 {
		t.Errorf("refused modify left %v on %s", got, created[1])
	}
}

// filterMetacharactersInert: values carrying *, (, ), \ and NUL, and a
// 64 KB value, match literally or not at all; none widens a search.
func (c *contract) filterMetacharactersInert(t *testing.T) {
	d := open(t, c.tg.config())
	ctx := testContext(t)
	name := c.name("META")
	dn := c.tg.Fixtures.AddComputers(t, name)[0]
	literal := `rectify/a*b(c)d\e` + "." + strings.ToLower(c.prefix)
	if err := d.Modify(ctx, actions.ModifyRequest{DN: dn, Changes: []actions.Modification{{Op: actions.ModAdd, Attribute: "servicePrincipalName", Values: []string{literal}}}}); err != nil {
		t.Fatal(err)
	}
	spn := "servicePrincipalName"
	long := strings.Repeat("(*)\\", 16<<10)
	cases := []struct {
		name   string
		filter actions.Filter
		want   int
	}{
		{"equal literal", actions.Equal{Attribute: spn, Value: literal}, 1},
		{"equal star prefix", actions.Equal{Attribute: spn, Value: "rectify/a*"}, 0},
		{"equal lone star", actions.Equal{Attribute: spn, Value: "*"}, 0},
		{"equal injection", actions.Equal{Attribute: spn, Value: literal + ")(|(" + spn + "=*"}, 0},
		{"equal nul", actions.Equal{Attribute: spn, Value: "rectify/a\x00"}, 0},
		{"equal 64KB", actions.Equal{Attribute: spn, Value: long}, 0},
		{"substring literal parts", actions.Substring{Attribute: spn, Initial: "rectify/a*b(", Any: []string{")d\\"}, Final: "." + strings.ToLower(c.prefix)}, 1},
		{"substring star not wild", actions.Substring{Attribute: spn, Initial: "rectify/*", Final: "." + strings.ToLower(c.prefix)}, 0},
		{"substring 64KB", actions.Substring{Attribute: spn, Initial: "rectify/", Any: []string{long}}, 0},
		{"not of literal within the object", actions.And{actions.Equal{Attribute: "sAMAccountName", Value: name + "$"}, actions.Not{Filter: actions.Equal{Attribute: spn, Value: "rectify/a*"}}}, 1},
	}
	for _, tc := range cases {
		for _, gc := range []bool{false, true} {
			got, err := d.Search(ctx, actions.SearchRequest{GlobalCatalog: gc, Scope: actions.ScopeSubtree, Filter: tc.filter, Attributes: []string{"cn"}})
			if err != nil {
				t.Errorf("%s (gc=%v): %v", tc.name, gc, err)
				continue
			}
			if len(got) != tc.want || tc.want == 1 && !strings.EqualFold(got[0].DN, dn) {
				t.Errorf("%s (gc=%v): %v, want %d (%s)", tc.name, gc, dns(got), tc.want, dn)
			}
		}
	}
}

// findComputer finds an account by sAMAccountName (with or without "$")
// or by dNSHostName, including names with DN and filter metacharacters
// that match nothing.
func (c *contract) findComputer(t *testing.T) {
	d := open(t, c.tg.config())
	ctx := testContext(t)
	name := c.name("FIND")
	dn := c.tg.Fixtures.AddComputers(t, name)[0]
	for _, q := range [][2]string{{name, ""}, {name + "$", ""}, {"", c.fqdn(name)}, {strings.ToLower(name), strings.ToUpper(c.fqdn(name))}} {
		got, found, err := ldap.FindComputer(ctx, d, q[0], q[1])
		if err != nil || !found || !strings.EqualFold(got.DN, dn) || !strings.EqualFold(got.SAMAccountName, name+"$") ||
			!strings.EqualFold(got.DNSHostName, c.fqdn(name)) {
			t.Errorf("FindComputer(%q, %q) = %+v, %v, %v; want %s", q[0], q[1], got, found, err, dn)
		}
	}
	for _, q := range []string{"*", name[:3] + "*", name + ")(cn=*", "CN=" + name + ",CN=Computers"} {
		if got, found, err := ldap.FindComputer(ctx, d, q, ""); err != nil || found {
			t.Errorf("FindComputer(%q) = %+v, %v, %v; want not found", q, got, found, err)
		}
	}
}

// holdersAndDuplicates: Holders finds every account holding any of a set
// of SPNs through the Global Catalog, case-insensitively; DuplicateScan
// reports each SPN held by two or more accounts, grouped case-folded.
func (c *contract) holdersAndDuplicates(t *testing.T) {
	d := open(t, c.tg.config())
	ctx := testContext(t)
	ex, stale, third := c.name("EX"), c.name("STALE"), c.name("THIRD")
	created := c.tg.Fixtures.AddComputers(t, ex, stale, third)
	kb := ldap.KBSPNs(ex, c.fqdn(ex), nil)
	// ex holds two of its four SPNs; a stale account holds a third (in
	// other case), and a third account shares one of ex's as well.
	c.tg.Fixtures.SeedSPNs(t,
		SPNWrite{created[0], kb[0]}, SPNWrite{created[0], kb[3]},
		SPNWrite{created[1], strings.ToLower(kb[2])}, SPNWrite{created[1], kb[3]},
		SPNWrite{created[2], strings.ToUpper(kb[3])},
	)
	got, err := ldap.Holders(ctx, d, append(kb, strings.ToLower(kb[0])))
	if err != nil {
		t.Fatal(err)
	}
	type short struct{ DN, SAM, SPN string }
	sortShort := func(s []short) []short {
		sort.Slice(s, func(i, j int) bool { return s[i].DN < s[j].DN })
		return s
	}
	shorten := func(m map[string][]ldap.Holder) map[string][]short {
		out := map[string][]short{}
		for k, hs := range m {
			for _, h := range hs {
				out[k] = append(out[k], short{strings.ToLower(h.DN), strings.ToUpper(h.SAMAccountName), h.SPN})
			}
		}
		return out
	}
	lower := func(i int) string { return strings.ToLower(created[i]) }
	want := map[string][]short{
		kb[0]: {{lower(0), ex + "$", kb[0]}},
		kb[2]: {{lower(1), stale + "$", strings.ToLower(kb[2])}},
		kb[3]: sortShort([]short{{lower(0), ex + "$", kb[3]}, {lower(1), stale + "$", kb[3]}, {lower(2), third + "$", strings.ToUpper(kb[3])}}),
	}
	if diff := cmp.Diff(want, shorten(got)); diff != "" {
		t.Errorf("Holders (-want +got):\n%s", diff)
	}

	var dups []ldap.Duplicate
	for _, pageSize := range []int{0, 2} {
		dups = dups[:0]
		err := ldap.DuplicateScan(ctx, d, pageSize, func(dup ldap.Duplicate) {
			if strings.Contains(strings.ToLower(dup.SPN), strings.ToLower(c.prefix)) {
				dups = append(dups, dup)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(dups) != 1 || !strings.EqualFold(dups[0].SPN, kb[3]) || len(dups[0].Holders) != 3 {
			t.Errorf("DuplicateScan (page size %d): %+v; want %s held by %s, %s and %s", pageSize, dups, kb[3], ex, stale, third)
		}
	}
}

// reconnectAfterRestart: a Directory whose kept connection the server
// dropped redials on its next request, for reads and for a Modify.
func (c *contract) reconnectAfterRestart(t *testing.T) {
	d := open(t, c.tg.config())
	ctx := testContext(t)
	name := c.name("RECON")
	dn := c.tg.Fixtures.AddComputers(t, name)[0]
	if _, err := d.RootDSE(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Search(ctx, actions.SearchRequest{GlobalCatalog: true, Scope: actions.ScopeSubtree, Filter: actions.Present{Attribute: "dNSHostName"}, SizeLimit: 1}); err != nil {
		t.Fatal(err)
	}
	c.tg.Fixtures.Restart(t)
	if _, err := d.RootDSE(ctx); err != nil {
		t.Errorf("rootDSE after restart: %v", err)
	}
	if _, err := d.Search(ctx, actions.SearchRequest{GlobalCatalog: true, Scope: actions.ScopeSubtree, Filter: actions.Present{Attribute: "dNSHostName"}, SizeLimit: 1}); err != nil {
		t.Errorf("gc search after restart: %v", err)
	}
	c.tg.Fixtures.Restart(t)
	err := d.Modify(ctx, actions.ModifyRequest{DN: dn, Changes: []actions.Modification{{Op: actions.ModAdd, Attribute: "servicePrincipalName", Values: []string{"SMTP/" + c.fqdn(name)}}}})
	if err != nil {
		t.Errorf("modify after restart: %v", err)
	}
}
