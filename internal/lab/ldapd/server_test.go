package ldapd

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rectifyhq/rectify/internal/lab/directory"
)

func TestRootDSE(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f := startServer(t, nil, func(o *Options) {
		o.Now = func() time.Time { return now }
		o.ClockOffset = func() time.Duration { return 7 * time.Minute }
		o.DNSHostName = "dc02.corp.example.com"
	})
	for _, k := range []Kind{LDAP, LDAPS, GC} {
		t.Run(k.String(), func(t *testing.T) {
			c := f.dial(t, k) // anonymous
			res, err := c.Search(ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
				"(objectClass=*)", nil, nil))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Entries) != 1 {
				t.Fatalf("%d entries, want 1", len(res.Entries))
			}
			e := res.Entries[0]
			got := map[string]string{}
			for _, a := range []string{"currentTime", "defaultNamingContext", "configurationNamingContext",
				"rootDomainNamingContext", "dnsHostName", "isGlobalCatalogReady"} {
				got[a] = e.GetAttributeValue(a)
			}
			want := map[string]string{
				"currentTime":                "20260301120700.0Z",
				"defaultNamingContext":       testRoot,
				"configurationNamingContext": "CN=Configuration," + testRoot,
				"rootDomainNamingContext":    testRoot,
				"dnsHostName":                "dc02.corp.example.com",
				"isGlobalCatalogReady":       "TRUE",
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("rootDSE (-want +got):\n%s", diff)
			}
			if !slices.Contains(e.GetAttributeValues("supportedControl"), "1.2.840.113556.1.4.319") {
				t.Errorf("supportedControl %v lacks paged results", e.GetAttributeValues("supportedControl"))
			}
			if !slices.Contains(e.GetAttributeValues("supportedLDAPVersion"), "3") {
				t.Errorf("supportedLDAPVersion = %v", e.GetAttributeValues("supportedLDAPVersion"))
			}
		})
	}
	// Only the requested attributes come back.
	c := f.dial(t, LDAP)
	res, err := c.Search(ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=*)", []string{"currentTime"}, nil))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(res.Entries[0].Attributes); n != 1 {
		t.Errorf("%d attributes, want only currentTime", n)
	}
}

func TestBind(t *testing.T) {
	f := startServer(t, nil, nil)
	dn, err := f.dir.AddComputer(directory.Computer{Name: "EX01"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.dir.Add(directory.Entry{DN: "CN=" + testUser + ",CN=Users," + testRoot, Attributes: map[string][]string{
		"objectClass": {"top", "person", "organizationalPerson", "user"}, "sAMAccountName": {testUser},
	}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		kind     Kind
		startTLS bool
		user     string
		password string
		code     uint16
		message  string
	}{
		{"upn over ldaps", LDAPS, false, testUser + "@corp.example.com", testPassword, 0, ""},
		{"upn in another case", LDAPS, false, "SVC-Rectify@CORP.example.com", testPassword, 0, ""},
		{"domain backslash user", LDAPS, false, `CORP\` + testUser, testPassword, 0, ""},
		{"dn", LDAPS, false, "cn=svc-rectify,cn=users," + strings.ToLower(testRoot), testPassword, 0, ""},
		{"over starttls", LDAP, true, testUser + "@corp.example.com", testPassword, 0, ""},
		{"gc over tls", GCS, false, testUser + "@corp.example.com", testPassword, 0, ""},
		{"wrong password", LDAPS, false, testUser + "@corp.example.com", "nope", 49,
			"80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 52e, v4563"},
		{"unknown account", LDAPS, false, "nobody@corp.example.com", testPassword, 49, "80090308:"},
		{"other realm", LDAPS, false, testUser + "@other.example.com", testPassword, 49, "80090308:"},
		{"other domain", LDAPS, false, `OTHER\` + testUser, testPassword, 49, "80090308:"},
		{"password is case-sensitive", LDAPS, false, testUser + "@corp.example.com", strings.ToUpper(testPassword), 49, "80090308:"},
		{"bare account name", LDAPS, false, testUser, testPassword, 49, "80090308:"},
		{"unauthenticated bind", LDAPS, false, testUser + "@corp.example.com", "", 49, "80090308:"},
		{"unauthenticated bind on plain ldap", LDAP, false, testUser + "@corp.example.com", "", 8, "00002028:"},
		{"computer dn without password entry", LDAPS, false, dn, testPassword, 49, "80090308:"},
		{"plain ldap refused", LDAP, false, testUser + "@corp.example.com", testPassword, 8, "00002028:"},
		{"plain gc refused", GC, false, testUser + "@corp.example.com", testPassword, 8, "00002028:"},
		{"plain refused before checking the password", LDAP, false, testUser, "nope", 8, "00002028:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := f.dial(t, tt.kind)
			if tt.startTLS {
				if err := c.StartTLS(f.pki.client.Clone()); err != nil {
					t.Fatal(err)
				}
			}
			var err error
			if tt.password == "" {
				err = c.UnauthenticatedBind(tt.user)
			} else {
				err = c.Bind(tt.user, tt.password)
			}
			if got := ldapCode(err); got != tt.code {
				t.Fatalf("Bind: %v (code %d), want code %d", err, got, tt.code)
			}
			if !strings.HasPrefix(ldapMessage(err), tt.message) {
				t.Errorf("message %q, want prefix %q", ldapMessage(err), tt.message)
			}
			// A search works exactly when the bind did.
			_, err = c.Search(ldap.NewSearchRequest(testRoot, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
				"(objectClass=*)", nil, nil))
			if tt.code == 0 && err != nil {
				t.Errorf("search after bind: %v", err)
			}
			if tt.code != 0 && (ldapCode(err) != 1 || !strings.HasPrefix(ldapMessage(err), "000004DC:")) {
				t.Errorf("search after failed bind: %v, want operationsError 000004DC", err)
			}
		})
	}
	t.Run("rebind drops the identity", func(t *testing.T) {
		c := f.bound(t, LDAPS)
		if err := c.Bind(testUser, "wrong"); ldapCode(err) != 49 {
			t.Fatalf("rebind: %v", err)
		}
		_, err := c.Search(ldap.NewSearchRequest(testRoot, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
			"(objectClass=*)", nil, nil))
		if ldapCode(err) != 1 {
			t.Errorf("search after failed rebind: %v", err)
		}
	})
	t.Run("starttls twice", func(t *testing.T) {
		c := f.dial(t, LDAP)
		if err := c.StartTLS(f.pki.client.Clone()); err != nil {
			t.Fatal(err)
		}
		if err := c.StartTLS(f.pki.client.Clone()); err == nil {
			t.Error("second StartTLS accepted")
		}
	})
	t.Run("starttls on ldaps", func(t *testing.T) {
		c := f.dial(t, LDAPS)
		if err := c.StartTLS(f.pki.client.Clone()); err == nil {
			t.Error("StartTLS over LDAPS accepted")
		}
	})
	t.Run("whoami", func(t *testing.T) {
		c := f.bound(t, LDAPS)
		res, err := c.WhoAmI(nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.AuthzID != `u:CORP\`+testUser {
			t.Errorf("WhoAmI = %q", res.AuthzID)
		}
	})
	t.Run("plain bind allowed when signing is not required", func(t *testing.T) {
		g := startServer(t, f.dir, func(o *Options) { o.AllowPlainBind = true })
		c := g.dial(t, LDAP)
		if err := c.Bind(`CORP\`+testUser, testPassword); err != nil {
			t.Errorf("Bind: %v", err)
		}
	})
}

func TestSearchSPNCaseInsensitive(t *testing.T) {
	f := startServer(t, nil, nil)
	ex01, err := f.dir.AddComputer(directory.Computer{Name: "EX01", SPNs: []string{"SMTPSVC/ex01.corp.example.com", "SMTP/EX01"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.AddComputer(directory.Computer{Name: "EX02"}); err != nil {
		t.Fatal(err)
	}
	c := f.bound(t, LDAPS)
	tests := []struct {
		filter string
		want   []string
	}{
		{"(servicePrincipalName=smtpsvc/EX01.CORP.EXAMPLE.COM)", []string{ex01}},
		{"(servicePrincipalName=" + ldap.EscapeFilter("smtp/ex01") + ")", []string{ex01}},
		{"(&(objectCategory=computer)(|(sAMAccountName=ex01$)(dNSHostName=EX01.corp.example.com)))", []string{ex01}},
		{"(servicePrincipalName=SMTP*)", []string{ex01}},
		{"(servicePrincipalName=smtp/ex02)", nil},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			res, err := c.Search(ldap.NewSearchRequest(testRoot, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
				tt.filter, []string{"servicePrincipalName", "sAMAccountName"}, nil))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range res.Entries {
				got = append(got, e.DN)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("DNs (-want +got):\n%s", diff)
			}
			for _, e := range res.Entries {
				if n := len(e.Attributes); n != 2 {
					t.Errorf("%d attributes, want the 2 requested", n)
				}
			}
		})
	}
}

func TestBitwiseFilter(t *testing.T) {
	f := startServer(t, nil, nil)
	dc, err := f.dir.AddComputer(directory.Computer{Name: "DC01", DomainController: true, Site: "HQ"})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := f.dir.AddComputer(directory.Computer{Name: "EX01", Disabled: true})
	if err != nil {
		t.Fatal(err)
	}
	c := f.bound(t, LDAPS)
	tests := []struct {
		filter string
		want   []string
	}{
		{"(userAccountControl:1.2.840.113556.1.4.803:=8192)", []string{dc}},
		{"(userAccountControl:1.2.840.113556.1.4.803:=4098)", []string{ex}},
		{"(userAccountControl:1.2.840.113556.1.4.804:=8194)", []string{dc, ex}},
		{"(&(objectCategory=computer)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))", []string{dc}},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			res, err := c.Search(ldap.NewSearchRequest(testRoot, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
				tt.filter, []string{"1.1"}, nil))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range res.Entries {
				got = append(got, e.DN)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("DNs (-want +got):\n%s", diff)
			}
		})
	}
}

func addWorkstations(t testing.TB, dir *directory.Directory, n int) {
	t.Helper()
	for i := range n {
		if _, err := dir.AddComputer(directory.Computer{Name: fmt.Sprintf("WS%05d", i)}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPaging(t *testing.T) {
	f := startServer(t, nil, nil)
	addWorkstations(t, f.dir, 2500)
	c := f.bound(t, LDAPS)
	req := func() *ldap.SearchRequest {
		return ldap.NewSearchRequest(testRoot, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
			"(servicePrincipalName=*)", []string{"sAMAccountName"}, nil)
	}

	t.Run("go-ldap pages through every entry", func(t *testing.T) {
		res, err := c.SearchWithPaging(req(), 700)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, e := range res.Entries {
			seen[e.GetAttributeValue("sAMAccountName")] = true
		}
		if len(res.Entries) != 2500 || len(seen) != 2500 {
			t.Errorf("%d entries, %d distinct, want 2500", len(res.Entries), len(seen))
		}
	})

	t.Run("page size capped at MaxPageSize", func(t *testing.T) {
		r := req()
		paging := ldap.NewControlPaging(5000)
		r.Controls = []ldap.Control{paging}
		var sizes []int
		for {
			res, err := c.Search(r)
			if err != nil {
				t.Fatal(err)
			}
			sizes = append(sizes, len(res.Entries))
			ctl, ok := ldap.FindControl(res.Controls, ldap.ControlTypePaging).(*ldap.ControlPaging)
			if !ok {
				t.Fatal("no paging control in the response")
			}
			if len(ctl.Cookie) == 0 {
				break
			}
			paging.SetCookie(ctl.Cookie)
		}
		if diff := cmp.Diff([]int{1000, 1000, 500}, sizes); diff != "" {
			t.Errorf("page sizes (-want +got):\n%s", diff)
		}
	})

	t.Run("unpaged search stops at MaxPageSize", func(t *testing.T) {
		res, err := c.Search(req())
		if ldapCode(err) != ldap.LDAPResultSizeLimitExceeded {
			t.Fatalf("err = %v, want sizeLimitExceeded", err)
		}
		if len(res.Entries) != 1000 {
			t.Errorf("%d entries, want 1000", len(res.Entries))
		}
	})

	t.Run("size limit", func(t *testing.T) {
		r := req()
		r.SizeLimit = 10
		res, err := c.Search(r)
		if ldapCode(err) != ldap.LDAPResultSizeLimitExceeded || len(res.Entries) != 10 {
			t.Errorf("%d entries, err %v; want 10 and sizeLimitExceeded", len(res.Entries), err)
		}
	})

	t.Run("cookie of another search", func(t *testing.T) {
		r := req()
		paging := ldap.NewControlPaging(10)
		r.Controls = []ldap.Control{paging}
		res, err := c.Search(r)
		if err != nil {
			t.Fatal(err)
		}
		ctl := ldap.FindControl(res.Controls, ldap.ControlTypePaging).(*ldap.ControlPaging)
		other := ldap.NewSearchRequest(testRoot, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
			"(sAMAccountName=*)", nil, []ldap.Control{&ldap.ControlPaging{PagingSize: 10, Cookie: ctl.Cookie}})
		if _, err := c.Search(other); ldapCode(err) == 0 {
			t.Error("a cookie continued a different search")
		}
		forged := req()
		forged.Controls = []ldap.Control{&ldap.ControlPaging{PagingSize: 10, Cookie: []byte("forged")}}
		if _, err := c.Search(forged); ldapCode(err) == 0 {
			t.Error("a forged cookie was accepted")
		}
		// A cookie is bound to its connection.
		d := f.bound(t, LDAPS)
		if _, err := d.Search(&ldap.SearchRequest{BaseDN: testRoot, Scope: ldap.ScopeWholeSubtree, Filter: "(servicePrincipalName=*)",
			Attributes: []string{"sAMAccountName"}, Controls: []ldap.Control{&ldap.ControlPaging{PagingSize: 10, Cookie: ctl.Cookie}}}); ldapCode(err) == 0 {
			t.Error("a cookie worked on another connection")
		}
	})
}

func TestGlobalCatalog(t *testing.T) {
	f := startServer(t, nil, nil)
	ex01, err := f.dir.AddComputer(directory.Computer{Name: "EX01", SPNs: []string{"SMTPSVC/ex01.corp.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	stale, err := f.dir.AddComputer(directory.Computer{Name: "EX01-OLD", SPNs: []string{"smtpsvc/EX01.corp.example.com"}, Replicated: true})
	if err != nil {
		t.Fatal(err)
	}
	exch, err := f.dir.AddExchangeServer(directory.ExchangeServer{Name: "EX01", Site: "HQ"})
	if err != nil {
		t.Fatal(err)
	}
	filter := "(|(servicePrincipalName=SMTP/EX01)(servicePrincipalName=SMTPSVC/ex01.corp.example.com))"
	for _, k := range []Kind{GC, GCS} {
		t.Run(k.String(), func(t *testing.T) {
			c := f.bound(t, k)
			res, err := c.Search(ldap.NewSearchRequest("", ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false, filter, []string{"1.1"}, nil))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range res.Entries {
				got = append(got, e.DN)
			}
			if diff := cmp.Diff([]string{ex01, stale}, got); diff != "" {
				t.Errorf("holders (-want +got):\n%s", diff)
			}
			res, err = c.Search(ldap.NewSearchRequest("", ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
				"(objectClass=msExchExchangeServer)", []string{"1.1"}, nil))
			if err != nil || len(res.Entries) != 1 || res.Entries[0].DN != exch {
				t.Errorf("exchange servers from the GC: %v, %v", res, err)
			}
		})
	}
	t.Run("ldap port refuses the empty base", func(t *testing.T) {
		c := f.bound(t, LDAPS)
		_, err := c.Search(ldap.NewSearchRequest("", ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false, filter, nil, nil))
		if ldapCode(err) != 32 {
			t.Errorf("err = %v, want noSuchObject", err)
		}
	})
	t.Run("references to the configuration partition", func(t *testing.T) {
		tests := []struct {
			kind  Kind
			base  string
			scope int
			want  []string
		}{
			{LDAPS, testRoot, ldap.ScopeWholeSubtree, []string{"ldaps://corp.example.com/CN=Configuration," + testRoot}},
			{LDAP, testRoot, ldap.ScopeWholeSubtree, []string{"ldap://corp.example.com/CN=Configuration," + testRoot}},
			{LDAPS, testRoot, ldap.ScopeSingleLevel, []string{"ldaps://corp.example.com/CN=Configuration," + testRoot + "??base"}},
			{LDAPS, "CN=Configuration," + testRoot, ldap.ScopeWholeSubtree, []string{"ldaps://corp.example.com/CN=Schema,CN=Configuration," + testRoot}},
			{LDAPS, "CN=Computers," + testRoot, ldap.ScopeWholeSubtree, nil},
			{GCS, testRoot, ldap.ScopeWholeSubtree, nil},
			{GCS, "", ldap.ScopeWholeSubtree, nil},
		}
		for _, tt := range tests {
			c := f.bound(t, tt.kind)
			res, err := c.SearchWithPaging(ldap.NewSearchRequest(tt.base, tt.scope, ldap.NeverDerefAliases, 0, 0, false,
				"(objectClass=*)", []string{"1.1"}, nil), 10)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, res.Referrals, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s %q scope %d: referrals (-want +got):\n%s", tt.kind, tt.base, tt.scope, diff)
			}
		}
	})
	t.Run("missing base", func(t *testing.T) {
		c := f.bound(t, LDAPS)
		_, err := c.Search(ldap.NewSearchRequest("OU=Gone,"+testRoot, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false, filter, nil, nil))
		var le *ldap.Error
		if ldapCode(err) != 32 || !errorsAsLDAP(err, &le) || le.MatchedDN != testRoot {
			t.Errorf("err = %v, want noSuchObject matching %s", err, testRoot)
		}
	})
}

func TestModify(t *testing.T) {
	const spn = "servicePrincipalName"
	tests := []struct {
		name    string
		changes func(*ldap.ModifyRequest)
		code    uint16
		prefix  string
		want    []string
	}{
		{"add missing", func(r *ldap.ModifyRequest) { r.Add(spn, []string{"SMTP/EX01", "SMTPSVC/ex01.corp.example.com"}) }, 0, "",
			[]string{"HOST/EX01", "SMTP/EX01", "SMTPSVC/ex01.corp.example.com"}},
		{"20 when one value is there", func(r *ldap.ModifyRequest) { r.Add(spn, []string{"SMTP/EX01", "host/ex01"}) }, 20, "00002083:",
			[]string{"HOST/EX01"}},
		{"19 when another account holds it", func(r *ldap.ModifyRequest) { r.Add(spn, []string{"SMTP/EX01", "SMTPSVC/EX02.corp.example.com"}) }, 19,
			"000021C7: AtrErr: DSID-03200BBA, #1:\n\t0: 000021C7: DSID-03200BBA, problem 1005 (CONSTRAINT_ATT_TYPE), data 0, Att 90303 (servicePrincipalName)\n",
			[]string{"HOST/EX01"}},
		{"16 when a deleted value is absent", func(r *ldap.ModifyRequest) {
			r.Add(spn, []string{"SMTP/EX01"})
			r.Delete(spn, []string{"SMTPSVC/EX01"})
		}, 16, "00002080:", []string{"HOST/EX01"}},
		{"replace", func(r *ldap.ModifyRequest) { r.Replace(spn, []string{"HOST/EX01", "SMTP/EX01"}) }, 0, "",
			[]string{"HOST/EX01", "SMTP/EX01"}},
		{"delete in another case", func(r *ldap.ModifyRequest) { r.Delete(spn, []string{"host/ex01"}) }, 0, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := startServer(t, nil, nil)
			ex01, err := f.dir.AddComputer(directory.Computer{Name: "EX01", SPNs: []string{"HOST/EX01"}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.dir.AddComputer(directory.Computer{Name: "EX02", SPNs: []string{"SMTPSVC/ex02.corp.example.com"}}); err != nil {
				t.Fatal(err)
			}
			c := f.bound(t, LDAPS)
			req := ldap.NewModifyRequest(ex01, nil)
			tt.changes(req)
			err = c.Modify(req)
			if got := ldapCode(err); got != tt.code {
				t.Fatalf("Modify: %v, want code %d", err, tt.code)
			}
			if !strings.HasPrefix(ldapMessage(err), tt.prefix) {
				t.Errorf("message %q, want prefix %q", ldapMessage(err), tt.prefix)
			}
			res, err := c.Search(ldap.NewSearchRequest(ex01, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
				"(objectClass=*)", []string{spn}, nil))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, res.Entries[0].GetAttributeValues(spn), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("SPNs after Modify (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("refusals", func(t *testing.T) {
		f := startServer(t, nil, func(o *Options) {
			o.Users["reader@corp.example.com"] = "r3ader-Pass"
			o.ReadOnlyUsers = []string{`CORP\reader`}
		})
		ex01, err := f.dir.AddComputer(directory.Computer{Name: "EX01"})
		if err != nil {
			t.Fatal(err)
		}
		anon := f.dial(t, LDAPS)
		req := ldap.NewModifyRequest(ex01, nil)
		req.Add(spn, []string{"SMTP/EX01"})
		if err := anon.Modify(req); ldapCode(err) != 1 || !strings.HasPrefix(ldapMessage(err), "000004DC:") {
			t.Errorf("anonymous Modify: %v", err)
		}
		reader := f.dial(t, LDAPS)
		if err := reader.Bind("reader@corp.example.com", "r3ader-Pass"); err != nil {
			t.Fatal(err)
		}
		if err := reader.Modify(req); ldapCode(err) != 50 {
			t.Errorf("read-only Modify: %v", err)
		}
		c := f.bound(t, LDAPS)
		gone := ldap.NewModifyRequest("CN=Gone,CN=Computers,"+testRoot, nil)
		gone.Add(spn, []string{"x/y"})
		if err := c.Modify(gone); ldapCode(err) != 32 {
			t.Errorf("Modify of a missing object: %v", err)
		}
		if v := f.dir.Version(); v == 0 {
			t.Error("version did not move")
		}
	})
}

func TestAddDelete(t *testing.T) {
	f := startServer(t, nil, nil)
	c := f.bound(t, LDAPS)
	dn := "CN=EX09,CN=Computers," + testRoot
	add := ldap.NewAddRequest(dn, nil)
	add.Attribute("objectClass", []string{"top", "person", "organizationalPerson", "user", "computer"})
	add.Attribute("sAMAccountName", []string{"EX09$"})
	if err := c.Add(add); err != nil {
		t.Fatal(err)
	}
	if err := c.Add(add); ldapCode(err) != 68 {
		t.Errorf("second Add: %v, want entryAlreadyExists", err)
	}
	e, err := f.dir.Get(dn)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Get("objectCategory"); got != "CN=Computer,CN=Schema,CN=Configuration,"+testRoot {
		t.Errorf("objectCategory = %s", got)
	}
	if err := c.Del(ldap.NewDelRequest(dn, nil)); err != nil {
		t.Fatal(err)
	}
	if err := c.Del(ldap.NewDelRequest(dn, nil)); ldapCode(err) != 32 {
		t.Errorf("second Del: %v, want noSuchObject", err)
	}
	ok, err := c.Compare("CN=Computers,"+testRoot, "cn", "computers")
	if err != nil || !ok {
		t.Errorf("Compare cn=computers: %v, %v", ok, err)
	}
	ok, err = c.Compare("CN=Computers,"+testRoot, "cn", "users")
	if err != nil || ok {
		t.Errorf("Compare cn=users: %v, %v", ok, err)
	}
	if _, err := c.Compare("CN=Computers,"+testRoot, "description", "x"); ldapCode(err) != 16 {
		t.Errorf("Compare of an absent attribute: %v", err)
	}
	if err := c.ModifyDN(ldap.NewModifyDNRequest("CN=Computers,"+testRoot, "CN=Machines", true, "")); ldapCode(err) != 53 {
		t.Errorf("ModifyDN: %v, want unwillingToPerform", err)
	}
}

func TestStats(t *testing.T) {
	f := startServer(t, nil, nil)
	c := f.bound(t, LDAPS)
	for range 3 {
		if _, err := c.Search(ldap.NewSearchRequest(testRoot, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", nil, nil)); err != nil {
			t.Fatal(err)
		}
	}
	got := f.srv.Stats()
	want := Stats{Open: 1, Connections: 1, Binds: 1, Searches: 3}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Stats (-want +got):\n%s", diff)
	}
}

// TestLockedOutAccount: a locked-out account's binds are refused with
// result 49 and data 775 (ERROR_ACCOUNT_LOCKED_OUT), with the right
// password or a wrong one, in any of its name forms, until it is
// unlocked; other accounts are not affected.
func TestLockedOutAccount(t *testing.T) {
	f := startServer(t, nil, func(o *Options) { o.Users["other@corp.example.com"] = testPassword })
	const locked = "80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 775, v4563"
	f.srv.LockOut(`CORP\` + testUser)
	for _, tt := range []struct {
		user, password string
		code           uint16
		message        string
	}{
		{testUser + "@corp.example.com", testPassword, 49, locked},
		{`CORP\` + testUser, testPassword, 49, locked},
		{testUser + "@corp.example.com", "nope", 49, locked},
		{"other@corp.example.com", testPassword, 0, ""},
	} {
		err := f.dial(t, LDAPS).Bind(tt.user, tt.password)
		if ldapCode(err) != tt.code || ldapMessage(err) != tt.message {
			t.Errorf("bind as %s while %s is locked out: %v, want %d %q", tt.user, testUser, err, tt.code, tt.message)
		}
	}
	f.srv.Unlock(testUser)
	if err := f.dial(t, LDAPS).Bind(testUser+"@corp.example.com", testPassword); err != nil {
		t.Errorf("bind after the unlock: %v", err)
	}
}
