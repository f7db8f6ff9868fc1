package ldap

import (
	"bytes"
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

// wellFormedStream is a few answers as a server sends them: entries, a
// result with a paging control, an extended response with context tags,
// and an element with a high tag number.
func wellFormedStream() []byte {
	var out []byte
	for i := range 3 {
		out = append(out, entryMessage(int64(i+1), i)...)
	}
	out = append(out, doneWithCookie(4, []byte("cookie"))...)
	ext := envelope(5)
	op := ber.Encode(ber.ClassApplication, ber.TypeConstructed, goldap.ApplicationExtendedResponse, nil, "Extended")
	op.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, 0, "resultCode"))
	op.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "", "matchedDN"))
	op.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "", "diagnosticMessage"))
	op.AppendChild(ber.NewString(ber.ClassContext, ber.TypePrimitive, 10, "1.3.6.1.4.1.4203.1.11.3", "responseName"))
	op.AppendChild(ber.NewString(ber.ClassContext, ber.TypePrimitive, 11, "u:CORP\\svc", "responseValue"))
	ext.AppendChild(op)
	out = append(out, ext.Bytes()...)
	// SEQUENCE { INTEGER 6, [PRIVATE 200] "x" }: tag 200 in high-tag form.
	out = append(out, 0x30, 0x08, 0x02, 0x01, 0x06, 0xdf, 0x81, 0x48, 0x01, 'x')
	return out
}

// TestFramerPassesWellFormedStreams: well-formed answers pass whatever the
// chunks they arrive in, and the framer ends between messages.
func TestFramerPassesWellFormedStreams(t *testing.T) {
	stream := wellFormedStream()
	rng := rand.New(rand.NewPCG(3, 5))
	splits := map[string][]int{"whole": {len(stream)}, "byte by byte": nil}
	for i := range 20 {
		var cuts []int
		for n := 0; n < len(stream); {
			c := 1 + rng.IntN(64)
			cuts = append(cuts, c)
			n += c
		}
		splits["random "+string(rune('a'+i))] = cuts
	}
	for name, cuts := range splits {
		f := newFramer(DefaultMaxMessageBytes, DefaultMaxResponseBytes)
		f.begin(10)
		rest := stream
		for len(rest) > 0 {
			n := 1
			if len(cuts) > 0 {
				n, cuts = min(cuts[0], len(rest)), cuts[1:]
			}
			if err := f.feed(rest[:n]); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			rest = rest[n:]
		}
		if f.state != stateIdentifier || len(f.ends) != 0 || f.pos != int64(len(stream)) {
			t.Errorf("%s: framer left in state %d with %d open elements at %d of %d", name, f.state, len(f.ends), f.pos, len(stream))
		}
	}
}

// TestFramerRefuses: each way a server can announce more than it may, or
// send what is not an LDAP message, is refused at the header that says so.
func TestFramerRefuses(t *testing.T) {
	hugeEntry := append([]byte{0x30}, longLength(hugeLength)...)
	tests := []struct {
		name    string
		stream  []byte
		entries int64
		// want is the LimitError's Limit, or text of a MalformedError.
		wantLimit, wantText string
	}{
		{name: "message of 1.9 GB", stream: hugeEntry, wantLimit: "MaxMessageBytes"},
		{name: "message one byte over", stream: append([]byte{0x30}, longLength(DefaultMaxMessageBytes+1)...), wantLimit: "MaxMessageBytes"},
		{name: "answer over its bytes", stream: bytes.Repeat(fatEntryMessage(1), DefaultMaxResponseBytes/len(fatEntryMessage(1))+1), entries: 1000, wantLimit: "MaxResponseBytes"},
		{name: "more entries than asked", stream: bytes.Repeat(entryMessage(1, 1), 10+responseSlack+1), entries: 10, wantLimit: "PageSize"},
		{name: "value bigger than its message", stream: hugeValueEntry(1), wantText: "an element of 1900000000 bytes in an element with 0 bytes left"},
		{name: "not a SEQUENCE", stream: []byte{0x04, 0x01, 'x'}, wantText: "not a SEQUENCE (identifier 0x04)"},
		{name: "indefinite length", stream: []byte{0x30, 0x80}, wantText: "indefinite length"},
		{name: "nine length octets", stream: []byte{0x30, 0x89}, wantText: "a length of 9 octets"},
		{name: "long tag number", stream: []byte{0x30, 0x10, 0x1f, 0x81, 0x81, 0x81, 0x81, 0x01}, wantText: "tag number longer than four octets"},
		{name: "nesting without end", stream: deepMessage(1, 1000), wantText: "nested more than 64 deep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFramer(DefaultMaxMessageBytes, DefaultMaxResponseBytes)
			f.begin(max(tt.entries, 1))
			err := f.feed(tt.stream)
			if err == nil {
				t.Fatal("accepted")
			}
			var le *LimitError
			var me *MalformedError
			switch {
			case tt.wantLimit != "":
				if !errors.As(err, &le) || le.Limit != tt.wantLimit {
					t.Errorf("err = %v, want the %s limit", err, tt.wantLimit)
				}
			case !errors.As(err, &me) || !strings.Contains(me.Reason, tt.wantText):
				t.Errorf("err = %v, want malformed: %s", err, tt.wantText)
			}
			if again := f.feed(entryMessage(2, 2)); again != err {
				t.Errorf("after the violation, feed = %v, want the same error", again)
			}
		})
	}
}

// TestBoundedConnHandsOverTheBytes: what passes the bounds reaches the
// decoder unchanged, and a new request starts a new count.
func TestBoundedConnHandsOverTheBytes(t *testing.T) {
	server, client := net.Pipe()
	defer server.Close()
	stream := wellFormedStream()
	go func() {
		for range 3 {
			_, _ = server.Write(stream)
		}
	}()
	bc := newBoundedConn(client, Config{MaxResponseBytes: int64(len(stream)) + 1})
	var got []int64
	for i := range 3 {
		bc.beginResponse(10)
		for range 6 {
			p, err := ber.ReadPacket(bc)
			if err != nil {
				t.Fatalf("answer %d: %v", i, err)
			}
			got = append(got, messageID(p))
		}
	}
	want := []int64{1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("message ids (-want +got):\n%s", diff)
	}
	if err := bc.violation(); err != nil {
		t.Errorf("violation after well-formed answers: %v", err)
	}
}

// TestPanicIsContainedToTheOperation: a panic while one operation handles
// a server's answer fails that operation with a PanicError, permanently;
// the connection is replaced and the next operation works.
func TestPanicIsContainedToTheOperation(t *testing.T) {
	srv := startHostile(t, modeWellFormed, false)
	d, err := New(Config{URL: srv.url(), CAFile: srv.caFile, ServerName: "dc-hostile.corp.example.com",
		BindUser: "svc@corp.example.com", Password: secret.New("x"), BaseDN: "DC=corp,DC=example,DC=com", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	err = d.use(ctx, d.dc, "search", always, func(context.Context, *session) error {
		var entries []*goldap.Entry
		_ = entries[3] // what a decoder bug on an odd answer looks like
		return nil
	})
	var te *actions.TransportError
	var pe *PanicError
	if !errors.As(err, &te) || te.Kind != actions.KindProtocol || te.Class != actions.Permanent || !errors.As(err, &pe) || te.Host != srv.addr() {
		t.Fatalf("panicking operation: %#v, want a permanent protocol error with a PanicError naming %s", err, srv.addr())
	}
	if !strings.Contains(err.Error(), "index out of range") {
		t.Errorf("error %q does not say what failed", err)
	}
	if d.dc.session != nil {
		t.Error("the connection of the panicking operation was kept")
	}
	entries, err := d.Search(ctx, actions.SearchRequest{Scope: actions.ScopeSubtree})
	if err != nil || len(entries) != 10 {
		t.Errorf("the next search: %d entries, %v", len(entries), err)
	}
}
