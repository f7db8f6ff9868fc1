package ldapd

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"testing"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"

	"github.com/rectifyhq/rectify/internal/lab/directory"
)

// seedRequests returns well-formed requests of every kind the server
// handles, as go-ldap would encode them.
func seedRequests(t testing.TB) [][]byte {
	t.Helper()
	filter, err := ldap.CompileFilter("(&(objectCategory=computer)(|(servicePrincipalName=SMTP*)(userAccountControl:1.2.840.113556.1.4.803:=8192))(!(cn~=x)))")
	if err != nil {
		t.Fatal(err)
	}
	search := ber.Encode(ber.ClassApplication, ber.TypeConstructed, opSearchRequest, nil, "")
	search.AppendChild(newOctets(testRoot))
	for _, v := range []int64{2, 0, 0, 0} {
		search.AppendChild(newEnum(v))
	}
	search.AppendChild(ber.NewBoolean(ber.ClassUniversal, ber.TypePrimitive, ber.TagBoolean, false, ""))
	search.AppendChild(filter)
	attrs := ber.NewSequence("")
	attrs.AppendChild(newOctets("servicePrincipalName"))
	search.AppendChild(attrs)

	bind := ber.Encode(ber.ClassApplication, ber.TypeConstructed, opBindRequest, nil, "")
	bind.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, int64(3), ""))
	bind.AppendChild(newOctets(testUser))
	bind.AppendChild(ber.NewString(ber.ClassContext, ber.TypePrimitive, 0, testPassword, ""))

	mod := ber.Encode(ber.ClassApplication, ber.TypeConstructed, opModifyRequest, nil, "")
	mod.AppendChild(newOctets("CN=EX01,CN=Computers," + testRoot))
	changes := ber.NewSequence("")
	change := ber.NewSequence("")
	change.AppendChild(newEnum(0))
	pa := ber.NewSequence("")
	pa.AppendChild(newOctets("servicePrincipalName"))
	vals := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSet, nil, "")
	vals.AppendChild(newOctets("SMTP/EX01"))
	pa.AppendChild(vals)
	change.AppendChild(pa)
	changes.AppendChild(change)
	mod.AppendChild(changes)

	ext := ber.Encode(ber.ClassApplication, ber.TypeConstructed, opExtendedRequest, nil, "")
	ext.AppendChild(ber.NewString(ber.ClassContext, ber.TypePrimitive, 0, oidWhoAmI, ""))

	del := ber.NewString(ber.ClassApplication, ber.TypePrimitive, opDelRequest, "CN=EX01,CN=Computers,"+testRoot, "")

	cmpReq := ber.Encode(ber.ClassApplication, ber.TypeConstructed, opCompareRequest, nil, "")
	cmpReq.AppendChild(newOctets("CN=EX01,CN=Computers," + testRoot))
	ava := ber.NewSequence("")
	ava.AppendChild(newOctets("cn"))
	ava.AppendChild(newOctets("ex01"))
	cmpReq.AppendChild(ava)

	paged := envelope(7, search, ldap.NewControlPaging(10).Encode())
	return [][]byte{
		envelope(1, bind).Bytes(),
		envelope(2, search).Bytes(),
		paged.Bytes(),
		envelope(3, mod).Bytes(),
		envelope(4, ext).Bytes(),
		envelope(5, del).Bytes(),
		envelope(6, cmpReq).Bytes(),
	}
}

// FuzzConnection feeds arbitrary bytes to a connection of a server with a
// populated directory: whatever arrives, the server answers or hangs up,
// and never fails inside.
func FuzzConnection(f *testing.F) {
	seeds := seedRequests(f)
	for _, s := range seeds {
		f.Add(s)
	}
	f.Add(bytes.Join(seeds, nil))
	f.Add([]byte{0x30, 0x84, 0xff, 0xff, 0xff, 0xff})

	dir, err := directory.New(testRoot)
	if err != nil {
		f.Fatal(err)
	}
	if _, err := dir.AddComputer(directory.Computer{Name: "EX01"}); err != nil {
		f.Fatal(err)
	}
	srv, err := New(dir, Options{Addr: "127.0.0.1:0", AllowPlainBind: true, Users: map[string]string{testUser: testPassword}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		client, server := net.Pipe()
		drained := make(chan struct{})
		go func() {
			_, _ = io.Copy(io.Discard, client)
			close(drained)
		}()
		c := newConn(srv, server, LDAP)
		c.r = bufio.NewReader(bytes.NewReader(data))
		c.serve()
		_ = client.Close()
		<-drained
		if n := srv.Stats().Panics; n != 0 {
			t.Fatalf("the server failed inside on %x", data)
		}
	})
}

// FuzzDecodeFilter checks that any BER the filter decoder accepts renders to
// text that parses back to the same filter.
func FuzzDecodeFilter(f *testing.F) {
	for _, text := range []string{"(&(a=b)(|(c=*)(d=e*f*g)))", "(!(x:1.2.840.113556.1.4.803:=2))", "(a>=1)"} {
		p, err := ldap.CompileFilter(text)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(p.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ber.DecodePacketErr(data)
		if err != nil {
			return
		}
		filter, err := DecodeFilter(p)
		if err != nil {
			return
		}
		if _, err := directory.ParseFilter(filter.String()); err != nil && validText(filter) {
			t.Fatalf("decoded filter %q does not parse: %v", filter.String(), err)
		}
	})
}

// validText reports whether a filter can be written as RFC 4515 text at all
// (attribute descriptions without spaces or parentheses, substrings with
// parts between stars).
func validText(f directory.Filter) bool {
	for _, c := range f.Children {
		if !validText(c) {
			return false
		}
	}
	if f.Kind == directory.FilterAnd || f.Kind == directory.FilterOr || f.Kind == directory.FilterNot {
		return true
	}
	if f.Kind == directory.FilterExtensible && f.Attribute == "" {
		return false
	}
	for _, r := range f.Attribute {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == ';' || r == '_') {
			return false
		}
	}
	if f.Kind == directory.FilterExtensible {
		for _, r := range f.MatchingRule {
			if !(r >= '0' && r <= '9' || r == '.' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-') {
				return false
			}
		}
		if f.MatchingRule == "" && !f.DNAttributes {
			return true
		}
	}
	for _, a := range f.Any {
		if a == "" {
			return false
		}
	}
	return f.Attribute != ""
}
