package ldap

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"strings"
	"testing"
	"time"

	ber "github.com/go-asn1-ber/asn1-ber"
	goldap "github.com/go-ldap/ldap/v3"
	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/internal/secret"
)

// entryOf builds a SearchResultEntry message with the BER library, as a
// server sends it: attrs are (type, values...) in order.
func entryOf(id int64, dn string, attrs ...[]string) []byte {
	p := envelope(id)
	op := ber.Encode(ber.ClassApplication, ber.TypeConstructed, goldap.ApplicationSearchResultEntry, nil, "Entry")
	op.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, dn, "DN"))
	list := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "Attributes")
	for _, a := range attrs {
		attr := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "Attribute")
		attr.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, a[0], "Type"))
		vals := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSet, nil, "Values")
		for _, v := range a[1:] {
			vals.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, v, "Value"))
		}
		attr.AppendChild(vals)
		list.AppendChild(attr)
	}
	op.AppendChild(list)
	p.AppendChild(op)
	return p.Bytes()
}

// TestDecodeEntry: entries decode to what the server sent, as convertEntry
// keeps the library's: values of a type given twice together, a type
// without values present with none, values of any bytes and any length
// (long-form lengths), and the message's controls ignored.
func TestDecodeEntry(t *testing.T) {
	long := strings.Repeat("v", 70_000)
	withControls := entryOf(7, "CN=C", []string{"cn", "C"})
	{
		p, err := ber.DecodePacketErr(withControls)
		if err != nil {
			t.Fatal(err)
		}
		ctrls := ber.Encode(ber.ClassContext, ber.TypeConstructed, 0, nil, "Controls")
		ctrls.AppendChild(goldap.NewControlManageDsaIT(true).Encode())
		p.AppendChild(ctrls)
		withControls = p.Bytes()
	}
	tests := []struct {
		name    string
		message []byte
		want    actions.Entry
	}{
		{"a computer", entryMessage(3, 42), actions.Entry{DN: "CN=HOST000042,CN=Computers,DC=corp,DC=example,DC=com", Attributes: map[string][]string{
			"sAMAccountName":       {"HOST000042$"},
			"servicePrincipalName": {"HOST/HOST000042", "HOST/host000042.corp.example.com", "RestrictedKrbHost/HOST000042"},
		}}},
		{"a type given twice", entryOf(1, "CN=A", []string{"member", "x"}, []string{"cn", "A"}, []string{"member", "y", "z"}),
			actions.Entry{DN: "CN=A", Attributes: map[string][]string{"member": {"x", "y", "z"}, "cn": {"A"}}}},
		{"a type without values", entryOf(1, "CN=B", []string{"objectGUID"}), actions.Entry{DN: "CN=B", Attributes: map[string][]string{"objectGUID": nil}}},
		{"no attributes", entryOf(1, "CN=E"), actions.Entry{DN: "CN=E", Attributes: map[string][]string{}}},
		{"binary and long values", entryOf(1, "", []string{"objectSid", "\x01\x05\x00\xff\xfe"}, []string{"info", long}),
			actions.Entry{DN: "", Attributes: map[string][]string{"objectSid": {"\x01\x05\x00\xff\xfe"}, "info": {long}}}},
		{"controls after the entry", withControls, actions.Entry{DN: "CN=C", Attributes: map[string][]string{"cn": {"C"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !isSearchEntry(tt.message) {
				t.Fatal("not recognised as a search result entry")
			}
			got, err := decodeEntry(tt.message)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("entry (-want +got):\n%s", diff)
			}
		})
	}
	for _, other := range [][]byte{doneWithCookie(4, []byte("c")), result(5, goldap.ApplicationSearchResultReference, 0).Bytes(), {0x30, 0x03, 0x02, 0x01}} {
		if isSearchEntry(other) {
			t.Errorf("% x taken for a search result entry", other[:min(8, len(other))])
		}
	}
}

// TestDecodeEntryRefuses: every message cut short, and every element of
// an entry replaced by one of another type, is refused as malformed,
// never read past its bounds.
func TestDecodeEntryRefuses(t *testing.T) {
	msg := entryMessage(1, 1)
	for n := range len(msg) {
		if _, err := decodeEntry(msg[:n]); !errors.As(err, new(*MalformedError)) {
			t.Fatalf("cut at %d of %d: %v, want malformed", n, len(msg), err)
		}
	}
	if _, err := decodeEntry(append(append([]byte(nil), msg...), 0x00)); !errors.As(err, new(*MalformedError)) {
		t.Errorf("a byte after the message: %v", err)
	}
	// Every identifier octet but the message's, turned into another one.
	for i := 2; i < len(msg); i++ {
		for _, id := range []byte{0x04, 0x30, 0x31, 0x02, 0x1f, 0x64} {
			bad := append([]byte(nil), msg...)
			if bad[i] == id {
				continue
			}
			bad[i] = id
			e, err := decodeEntry(bad)
			if err != nil && !errors.As(err, new(*MalformedError)) {
				t.Fatalf("octet %d as 0x%02x: %v is not a MalformedError", i, id, err)
			}
			if err == nil && (e.DN == "" || len(e.Attributes) == 0) {
				// A changed octet inside a value or a name leaves a
				// well-formed entry; one in the structure must not.
				t.Fatalf("octet %d as 0x%02x: accepted as %+v", i, id, e)
			}
		}
	}
	for name, b := range map[string][]byte{
		"five length octets":  {0x30, 0x85, 0, 0, 0, 0, 1, 0},
		"length past the end": {0x30, 0x82, 0x01, 0x00, 0x02, 0x01, 0x01},
		"high tag number":     {0x30, 0x05, 0x02, 0x01, 0x01, 0x7f, 0x00},
	} {
		if _, err := decodeEntry(b); !errors.As(err, new(*MalformedError)) {
			t.Errorf("%s: %v, want malformed", name, err)
		}
	}
}

// FuzzDecodeEntry: no input panics or reads past its end; an input
// accepted is an entry.
func FuzzDecodeEntry(f *testing.F) {
	f.Add(entryMessage(1, 1))
	f.Add(entryOf(2, "CN=A", []string{"member", "x"}, []string{"cn"}))
	f.Add(doneWithCookie(3, []byte("c")))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := decodeEntry(b); err == nil && !isSearchEntry(b) {
			t.Fatalf("% x decoded but is no search result entry", b)
		}
	})
}

// tapEntries hands the search result entries that arrive to tap, decoded
// by decodeEntry, until it is called with nil.
func (c *boundedConn) tapEntries(tap func(actions.Entry)) {
	if tap == nil {
		c.tapMessages(nil)
		return
	}
	c.tapMessages(func(message []byte) error {
		e, err := decodeEntry(message)
		if err != nil {
			return err
		}
		tap(e)
		return nil
	})
}

// TestTapTakesEntriesInAnyChunking: while a tap is set, the entries of a
// stream reach it decoded, in order, whatever the chunks the bytes come
// in, and every other message reaches the decoder unchanged; without the
// tap every message passes.
func TestTapTakesEntriesInAnyChunking(t *testing.T) {
	stream := wellFormedStream()
	rng := rand.New(rand.NewPCG(7, 11))
	for round := range 12 {
		server, client := net.Pipe()
		go func() {
			defer server.Close()
			for rest := stream; len(rest) > 0; {
				n := min(1+rng.IntN(40), len(rest))
				if round == 0 {
					n = len(rest)
				}
				if _, err := server.Write(rest[:n]); err != nil {
					return
				}
				rest = rest[n:]
			}
		}()
		bc := newBoundedConn(client, Config{})
		bc.beginResponse(10)
		var tapped []string
		tap := round%4 != 3
		if tap {
			bc.tapEntries(func(e actions.Entry) { tapped = append(tapped, e.DN) })
		}
		var ids []int64
		for {
			p, err := ber.ReadPacket(bc)
			if err != nil {
				break
			}
			ids = append(ids, messageID(p))
		}
		want := []int64{1, 2, 3, 4, 5, 6}
		wantTapped := []string(nil)
		if tap {
			want = []int64{4, 5, 6}
			wantTapped = []string{"CN=HOST000000,CN=Computers,DC=corp,DC=example,DC=com",
				"CN=HOST000001,CN=Computers,DC=corp,DC=example,DC=com", "CN=HOST000002,CN=Computers,DC=corp,DC=example,DC=com"}
		}
		if diff := cmp.Diff(want, ids); diff != "" {
			t.Errorf("round %d: messages passed on (-want +got):\n%s", round, diff)
		}
		if diff := cmp.Diff(wantTapped, tapped); diff != "" {
			t.Errorf("round %d: entries tapped (-want +got):\n%s", round, diff)
		}
		if err := bc.violation(); err != nil {
			t.Errorf("round %d: violation on a well-formed stream: %v", round, err)
		}
		client.Close()
	}
}

// TestTapRefusesMalformedEntry: an entry that passes the framer but is not
// shaped as an entry fails the read, closes the connection and is what
// the operation reports.
func TestTapRefusesMalformedEntry(t *testing.T) {
	bad := entryOf(1, "CN=A", []string{"cn", "A"})
	bad[len(bad)-5] = 0x30 // the value's OCTET STRING made a SEQUENCE
	server, client := net.Pipe()
	go func() {
		_, _ = server.Write(bad)
		server.Close()
	}()
	bc := newBoundedConn(client, Config{})
	bc.beginResponse(10)
	bc.tapEntries(func(actions.Entry) { t.Error("a malformed entry reached the tap") })
	if _, err := ber.ReadPacket(bc); !errors.As(err, new(*MalformedError)) {
		t.Fatalf("read: %v, want malformed", err)
	}
	if !errors.As(bc.violation(), new(*MalformedError)) {
		t.Errorf("violation %v, want the malformed entry", bc.violation())
	}
}

// TestSearchPagesHandsOverInOrder: over ten pages, page sees every page
// once and in order, one at a time, while the next one is read; its error
// stops the search and is returned as is, and its panic fails the search
// as a contained protocol error; the connection stays usable after an
// error.
func TestSearchPagesHandsOverInOrder(t *testing.T) {
	srv := startHostile(t, modeManySmallPages, false)
	d, err := New(Config{URL: srv.url(), CAFile: srv.caFile, ServerName: "dc-hostile.corp.example.com",
		BindUser: "svc@corp.example.com", Password: secret.New("x"), BaseDN: "DC=corp,DC=example,DC=com", Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	req := actions.SearchRequest{Scope: actions.ScopeSubtree, PageSize: 1000}
	var firsts []string
	busy := make(chan struct{}, 1)
	err = d.SearchPages(ctx, req, func(page []actions.Entry) error {
		select {
		case busy <- struct{}{}:
		default:
			t.Error("page called while it was still handling a page")
		}
		defer func() { <-busy }()
		time.Sleep(5 * time.Millisecond)
		firsts = append(firsts, page[0].DN)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for p := range 10 {
		want = append(want, entryDN(p*1000))
	}
	if diff := cmp.Diff(want, firsts); diff != "" {
		t.Errorf("first entry of each page (-want +got):\n%s", diff)
	}

	stop := errors.New("enough")
	pages := 0
	err = d.SearchPages(ctx, req, func([]actions.Entry) error {
		if pages++; pages == 3 {
			return stop
		}
		return nil
	})
	if err != stop || pages != 3 {
		t.Errorf("error %v after %d pages, want the caller's error after 3", err, pages)
	}

	pages = 0
	err = d.SearchPages(ctx, req, func([]actions.Entry) error {
		if pages++; pages == 2 {
			var none []int
			_ = none[pages]
		}
		return nil
	})
	var te *actions.TransportError
	if !errors.As(err, &te) || te.Kind != actions.KindProtocol || !errors.As(err, new(*PanicError)) {
		t.Errorf("a panicking page: %v, want a contained protocol error", err)
	}
	if entries, err := d.Search(ctx, req); err != nil || len(entries) != 10_000 {
		t.Errorf("a search after them: %d entries, %v", len(entries), err)
	}
}

// entryDN is the DN of entryMessage's entry n.
func entryDN(n int) string {
	p, err := ber.DecodePacketErr(entryMessage(1, n))
	if err != nil {
		panic(err)
	}
	return p.Children[1].Children[0].Value.(string)
}
