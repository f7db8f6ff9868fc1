package ldap

import (
	"bufio"
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	ber "github.com/go-asn1-ber/asn1-ber"
	goldap "github.com/go-ldap/ldap/v3"

	"github.com/rectifyhq/rectify/internal/lab/pki"
)

// hostileServer is an LDAP server written for the tests, over TLS on a
// real socket: it binds anyone and answers searches the way its mode says,
// from a well-formed directory to a server that streams without end,
// announces gigabytes, trickles or never answers.
type hostileServer struct {
	l      net.Listener
	mode   string
	caFile string
	plain  bool // speak LDAP without TLS until StartTLS (ldap:// URLs)
	tlsCfg *tls.Config

	mu    sync.Mutex
	conns map[net.Conn]bool
	wg    sync.WaitGroup
}

// The modes of a hostileServer.
const (
	modeWellFormed     = "well-formed"      // one page of ten entries
	modeEndlessEntries = "endless-entries"  // entries without end in one answer
	modePastPageSize   = "past-page-size"   // 50000 entries in answer to a page of 1000
	modeEndlessPages   = "endless-pages"    // full pages, each with a cookie for the next
	modeHugeMessage    = "huge-message"     // an entry announcing 1.9 GB, then bytes as fast as they go
	modeHugeValue      = "huge-value"       // a small entry with a value inside announcing 1.9 GB
	modeTrickle        = "trickle"          // a well-formed answer, one byte every 100 ms
	modeSilent         = "silent"           // reads the search, never answers
	modeSilentBind     = "silent-bind"      // never answers the bind
	modeGarbage        = "garbage"          // random bytes
	modeHugeBind       = "huge-bind"        // a bind response announcing 1.9 GB
	modeHugeStartTLS   = "huge-starttls"    // (plain) a StartTLS answer announcing 1.9 GB
	modeDeepNesting    = "deep-nesting"     // an entry nested 50000 levels deep
	modeManySmallPages = "many-small-pages" // 10 pages of 1000 entries, then the end
	modeFatPage        = "fat-page"         // a page of 1000 entries of 8 KB each
	modeOddEntries     = "odd-entries"      // oddAccounts, three a page
	modeBadEntry       = "bad-entry"        // a well-framed entry whose set of values is a SEQUENCE
)

// hugeLength is what the hostile messages announce: 1.9 GB.
const hugeLength = 1_900_000_000

func startHostile(t testing.TB, mode string, plain bool) *hostileServer {
	t.Helper()
	ca, err := pki.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := ca.WritePEM(caFile); err != nil {
		t.Fatal(err)
	}
	tlsCfg, err := ca.ServerTLSConfig("127.0.0.1", "dc-hostile.corp.example.com")
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg.NextProtos = nil
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &hostileServer{l: l, mode: mode, caFile: caFile, plain: plain, tlsCfg: tlsCfg, conns: map[net.Conn]bool{}}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.close)
	return s
}

func (s *hostileServer) addr() string { return s.l.Addr().String() }

func (s *hostileServer) url() string {
	if s.plain {
		return "ldap://" + s.addr()
	}
	return "ldaps://" + s.addr()
}

func (s *hostileServer) accept() {
	defer s.wg.Done()
	for {
		c, err := s.l.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns[c] = true
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			s.serve(c)
		}()
	}
}

func (s *hostileServer) close() {
	s.l.Close()
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// serve answers one connection.
func (s *hostileServer) serve(raw net.Conn) {
	var conn net.Conn = raw
	if s.plain {
		req, err := ber.ReadPacket(raw)
		if err != nil {
			return
		}
		id := messageID(req)
		if s.mode == modeHugeStartTLS {
			streamHuge(raw, id, goldap.ApplicationExtendedResponse)
			return
		}
		if _, err := raw.Write(result(id, goldap.ApplicationExtendedResponse, 0).Bytes()); err != nil {
			return
		}
	}
	tc := tls.Server(raw, s.tlsCfg)
	if err := tc.Handshake(); err != nil {
		return
	}
	conn = tc
	r := bufio.NewReader(conn)
	w := bufio.NewWriterSize(conn, 64<<10)
	for {
		req, err := ber.ReadPacket(r)
		if err != nil || len(req.Children) < 2 {
			return
		}
		id := messageID(req)
		switch req.Children[1].Tag {
		case goldap.ApplicationBindRequest:
			switch s.mode {
			case modeSilentBind:
				_, _ = io.Copy(io.Discard, r)
				return
			case modeHugeBind:
				streamHuge(conn, id, goldap.ApplicationBindResponse)
				return
			}
			_, _ = w.Write(result(id, goldap.ApplicationBindResponse, 0).Bytes())
		case goldap.ApplicationSearchRequest:
			if !s.search(r, w, id, req) {
				return
			}
		case goldap.ApplicationUnbindRequest:
			return
		}
		if w.Flush() != nil {
			return
		}
	}
}

// search answers one search request; false ends the connection.
func (s *hostileServer) search(r io.Reader, w *bufio.Writer, id int64, req *ber.Packet) bool {
	entry := entryMessage(id, 0)
	switch s.mode {
	case modeWellFormed:
		for i := range 10 {
			_, _ = w.Write(entryMessage(id, i))
		}
		_, _ = w.Write(result(id, goldap.ApplicationSearchResultDone, 0).Bytes())
	case modeEndlessEntries:
		for {
			if _, err := w.Write(entry); err != nil {
				return false
			}
		}
	case modePastPageSize:
		for range 50_000 {
			_, _ = w.Write(entry)
		}
		_, _ = w.Write(doneWithCookie(id, []byte("next")))
	case modeFatPage:
		fat := fatEntryMessage(id)
		for range 1000 {
			_, _ = w.Write(fat)
		}
		_, _ = w.Write(result(id, goldap.ApplicationSearchResultDone, 0).Bytes())
	case modeEndlessPages:
		for range 1000 {
			_, _ = w.Write(entry)
		}
		_, _ = w.Write(doneWithCookie(id, []byte("next")))
	case modeManySmallPages:
		page := pageNumber(req)
		for i := range 1000 {
			_, _ = w.Write(entryMessage(id, page*1000+i))
		}
		var cookie []byte
		if page < 9 {
			cookie = binary.BigEndian.AppendUint32(nil, uint32(page+1))
		}
		_, _ = w.Write(doneWithCookie(id, cookie))
	case modeBadEntry:
		bad := entryOf(id, "CN=A", []string{"servicePrincipalName", "A"})
		bad[len(bad)-5] = 0x30 // the attribute's SET of values made a SEQUENCE
		_, _ = w.Write(bad)
		_, _ = w.Write(result(id, goldap.ApplicationSearchResultDone, 0).Bytes())
	case modeOddEntries:
		page := pageNumber(req)
		for i := page * 3; i < min(page*3+3, len(oddAccounts)); i++ {
			_, _ = w.Write(entryOf(id, oddAccounts[i].dn, oddAccounts[i].attrs...))
		}
		var cookie []byte
		if (page+1)*3 < len(oddAccounts) {
			cookie = binary.BigEndian.AppendUint32(nil, uint32(page+1))
		}
		_, _ = w.Write(doneWithCookie(id, cookie))
	case modeHugeMessage:
		_ = w.Flush()
		streamHuge(w, id, goldap.ApplicationSearchResultEntry)
		return false
	case modeHugeValue:
		_, _ = w.Write(hugeValueEntry(id))
		_ = w.Flush()
		streamBytes(w)
		return false
	case modeTrickle:
		msg := append(entryMessage(id, 0), result(id, goldap.ApplicationSearchResultDone, 0).Bytes()...)
		_ = w.Flush()
		for _, b := range msg {
			if _, err := w.Write([]byte{b}); err != nil || w.Flush() != nil {
				return false
			}
			time.Sleep(100 * time.Millisecond)
		}
	case modeSilent:
		_ = w.Flush()
		_, _ = io.Copy(io.Discard, r)
		return false
	case modeGarbage:
		rng := rand.New(rand.NewPCG(7, 11))
		junk := make([]byte, 64<<10)
		for i := range junk {
			junk[i] = byte(rng.UintN(256))
		}
		junk[0] = 0x04 // not a SEQUENCE
		_, _ = w.Write(junk)
		_ = w.Flush()
		return false
	case modeDeepNesting:
		_, _ = w.Write(deepMessage(id, 50_000))
		_ = w.Flush()
		streamBytes(w)
		return false
	}
	return true
}

func messageID(p *ber.Packet) int64 {
	if len(p.Children) == 0 {
		return 0
	}
	id, _ := p.Children[0].Value.(int64)
	return id
}

// pageNumber reads the page a request asks for from its paging cookie.
func pageNumber(req *ber.Packet) int {
	if len(req.Children) < 3 {
		return 0
	}
	for _, c := range req.Children[2].Children {
		ctrl, err := goldap.DecodeControl(c)
		if err != nil {
			continue
		}
		if p, ok := ctrl.(*goldap.ControlPaging); ok && len(p.Cookie) == 4 {
			return int(binary.BigEndian.Uint32(p.Cookie))
		}
	}
	return 0
}

func envelope(id int64) *ber.Packet {
	p := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "LDAP Response")
	p.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, id, "MessageID"))
	return p
}

// result is an LDAPResult of the given application tag and result code.
func result(id int64, tag ber.Tag, code int64) *ber.Packet {
	p := envelope(id)
	op := ber.Encode(ber.ClassApplication, ber.TypeConstructed, tag, nil, "Result")
	op.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, code, "resultCode"))
	op.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "", "matchedDN"))
	op.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "", "diagnosticMessage"))
	p.AppendChild(op)
	return p
}

func doneWithCookie(id int64, cookie []byte) []byte {
	p := result(id, goldap.ApplicationSearchResultDone, 0)
	ctrls := ber.Encode(ber.ClassContext, ber.TypeConstructed, 0, nil, "Controls")
	paging := goldap.NewControlPaging(0)
	paging.SetCookie(cookie)
	ctrls.AppendChild(paging.Encode())
	p.AppendChild(ctrls)
	return p.Bytes()
}

// entryMessage is a computer account of about 300 bytes.
func entryMessage(id int64, n int) []byte {
	p := envelope(id)
	op := ber.Encode(ber.ClassApplication, ber.TypeConstructed, goldap.ApplicationSearchResultEntry, nil, "Entry")
	name := fmt.Sprintf("HOST%06d", n)
	op.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "CN="+name+",CN=Computers,DC=corp,DC=example,DC=com", "DN"))
	attrs := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "Attributes")
	for _, a := range [][]string{
		{"sAMAccountName", name + "$"},
		{"servicePrincipalName", "HOST/" + name, "HOST/" + strings.ToLower(name) + ".corp.example.com", "RestrictedKrbHost/" + name},
	} {
		attr := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "Attribute")
		attr.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, a[0], "Type"))
		vals := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSet, nil, "Values")
		for _, v := range a[1:] {
			vals.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, v, "Value"))
		}
		attr.AppendChild(vals)
		attrs.AppendChild(attr)
	}
	op.AppendChild(attrs)
	p.AppendChild(op)
	return p.Bytes()
}

// longLength is the BER long form of n in four octets.
func longLength(n uint32) []byte {
	return []byte{0x84, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
}

// streamHuge sends a message announcing hugeLength bytes whose protocol
// operation has the given tag, then bytes without end.
func streamHuge(w io.Writer, id int64, tag ber.Tag) {
	head := append([]byte{0x30}, longLength(hugeLength)...)
	head = append(head, 0x02, 0x01, byte(id))
	head = append(head, 0x60|byte(tag))
	head = append(head, longLength(hugeLength-20)...)
	if _, err := w.Write(head); err != nil {
		return
	}
	streamBytes(w)
}

// streamBytes writes 64 KB chunks until the peer goes away.
func streamBytes(w io.Writer) {
	chunk := make([]byte, 64<<10)
	for i := range chunk {
		chunk[i] = 'A'
	}
	for {
		if _, err := w.Write(chunk); err != nil {
			return
		}
		if f, ok := w.(*bufio.Writer); ok && f.Flush() != nil {
			return
		}
	}
}

// hugeValueEntry is an entry message of ordinary size whose one value
// announces hugeLength bytes.
func hugeValueEntry(id int64) []byte {
	value := append([]byte{0x04}, longLength(hugeLength)...)
	vals := append([]byte{0x31, 0x81, byte(len(value))}, value...)
	typ := []byte{0x04, 0x01, 'x'}
	attr := append([]byte{0x30, 0x81, byte(len(typ) + len(vals))}, append(typ, vals...)...)
	attrs := append([]byte{0x30, 0x81, byte(len(attr))}, attr...)
	dn := []byte{0x04, 0x01, 'd'}
	opBody := append(dn, attrs...)
	op := append([]byte{0x64, 0x81, byte(len(opBody))}, opBody...)
	body := append([]byte{0x02, 0x01, byte(id)}, op...)
	return append([]byte{0x30, 0x81, byte(len(body))}, body...)
}

// deepMessage is a message of nested SEQUENCEs, depth deep, each
// announcing that the rest of the message is inside it.
func deepMessage(id int64, depth int) []byte {
	var out []byte
	out = append(out, 0x30)
	out = append(out, longLength(uint32(3+6*depth))...)
	out = append(out, 0x02, 0x01, byte(id))
	for i := range depth {
		out = append(out, 0x30)
		out = append(out, longLength(uint32(6*(depth-i-1)))...)
	}
	return out
}

// fatEntryMessage is an entry with 8 KB of SPNs.
func fatEntryMessage(id int64) []byte {
	p := envelope(id)
	op := ber.Encode(ber.ClassApplication, ber.TypeConstructed, goldap.ApplicationSearchResultEntry, nil, "Entry")
	op.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "CN=FAT,CN=Computers,DC=corp,DC=example,DC=com", "DN"))
	attrs := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "Attributes")
	attr := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "Attribute")
	attr.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "servicePrincipalName", "Type"))
	vals := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSet, nil, "Values")
	for i := range 128 {
		vals.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, fmt.Sprintf("HTTP/fat-%04d.%s", i, strings.Repeat("x", 40)), "Value"))
	}
	attr.AppendChild(vals)
	attrs.AppendChild(attr)
	op.AppendChild(attrs)
	p.AppendChild(op)
	return p.Bytes()
}
