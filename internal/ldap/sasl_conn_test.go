package ldap

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// markLayer wraps a buffer as "W" and the buffer; it stands for a GSS
// layer, whose wrapping internal/kerberos tests against MIT's GSSAPI.
type markLayer struct{ maxOut int }

func (markLayer) Wrap(p []byte) ([]byte, error) { return append([]byte("W"), p...), nil }
func (markLayer) Unwrap(t []byte) ([]byte, error) {
	if len(t) == 0 || t[0] != 'W' {
		return nil, errors.New("not wrapped")
	}
	return t[1:], nil
}
func (l markLayer) MaxOut() int { return l.maxOut }
func (markLayer) Overhead() int { return 1 }

func frame(token []byte) []byte {
	b := make([]byte, 4, 4+len(token))
	binary.BigEndian.PutUint32(b, uint32(len(token)))
	return append(b, token...)
}

// TestSASLConnFraming: once the layer starts, writes go out as framed
// tokens no larger than the server takes; reads reassemble tokens that
// arrive in pieces, and a token longer than the client takes is refused
// at its length; one that does not unwrap is refused too.
func TestSASLConnFraming(t *testing.T) {
	client, server := net.Pipe()
	defer client.Close()
	defer server.Close()
	c := &saslConn{Conn: client, maxIn: 64}
	c.enable(markLayer{maxOut: 9})

	go func() { _, _ = c.Write([]byte("0123456789abcdef")) }()
	var got []byte
	for _, want := range []string{"01234567", "89abcdef"} {
		buf := make([]byte, 4+1+len(want))
		if _, err := io.ReadFull(server, buf); err != nil {
			t.Fatal(err)
		}
		got = append(got, buf...)
		if !bytes.Equal(buf, frame(append([]byte("W"), want...))) {
			t.Errorf("frame %q, want the token of %q", buf, want)
		}
	}

	wire := append(frame([]byte("Whello ")), frame([]byte("Wworld"))...)
	go func() {
		for _, b := range wire {
			_, _ = server.Write([]byte{b}) // one byte at a time
		}
	}()
	read := make([]byte, 0, 16)
	for len(read) < len("hello world") {
		buf := make([]byte, 4)
		n, err := c.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		read = append(read, buf[:n]...)
	}
	if string(read) != "hello world" {
		t.Errorf("read %q", read)
	}

	go func() { _, _ = server.Write([]byte{0, 0, 0, 65}) }()
	var le *LimitError
	if _, err := c.Read(make([]byte, 8)); !errors.As(err, &le) || le.Got != 65 || le.Max != 64 {
		t.Errorf("a token longer than the client takes: %v, want a LimitError at its length", err)
	}

	c = &saslConn{Conn: client, maxIn: 64}
	c.enable(markLayer{maxOut: 9})
	go func() { _, _ = server.Write(frame([]byte("Xforged"))) }()
	var me *MalformedError
	if _, err := c.Read(make([]byte, 8)); !errors.As(err, &me) {
		t.Errorf("a token that does not unwrap: %v, want a MalformedError", err)
	}
}

// TestSASLConnLayerStartsDuringRead: the library's reader already waits
// in a read when the bind ends and the layer starts; what it then receives
// is a framed token and is unwrapped.
func TestSASLConnLayerStartsDuringRead(t *testing.T) {
	client, server := net.Pipe()
	defer client.Close()
	defer server.Close()
	c := &saslConn{Conn: client, maxIn: 64}
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		buf := make([]byte, 32)
		n, err := c.Read(buf)
		done <- result{buf[:n], err}
	}()
	time.Sleep(20 * time.Millisecond) // the reader waits in pass-through
	c.enable(markLayer{maxOut: 64})
	if _, err := server.Write(frame([]byte("Wafter the bind"))); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil || string(r.b) != "after the bind" {
		t.Errorf("read %q, %v; want the unwrapped token", r.b, r.err)
	}
}
