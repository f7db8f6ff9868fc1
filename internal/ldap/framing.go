package ldap

import (
	"fmt"
	"net"
	"sync"
)

// framer checks the bytes a server sends as they arrive, before the BER
// decoder sees them: every message is a SEQUENCE of definite length (RFC
// 4511 section 5.1) of at most maxMessage bytes, every element fits in the
// one around it, elements nest at most maxNesting deep, and the messages
// answering one request add up to at most maxResponse bytes. The decoder
// trusts the lengths it reads and allocates as the bytes come, so a
// message announcing 1.9 GB would otherwise be read to the end; here it is
// refused at its header. The framer keeps a few integers per open element
// and never the bytes themselves.
type framer struct {
	maxMessage, maxResponse int64

	// response and messages count the bytes and messages since
	// beginResponse; an answer may hold the entries asked and
	// responseSlack more messages.
	response, messages int64
	asked, maxMessages int64
	// pos is the offset in the stream of the next byte.
	pos int64
	// ends are the end offsets of the open constructed elements,
	// outermost (the message) first.
	ends []int64

	state       framerState
	headerStart int64
	constructed bool
	tagBytes    int
	lenBytes    int
	length      int64
	contentEnd  int64

	err error
}

type framerState int

const (
	stateIdentifier framerState = iota // the first identifier octet
	stateTag                           // more octets of a high tag number
	stateLength                        // the first length octet
	stateLengthMore                    // the octets of a long length
	stateContent                       // the content of a primitive element
)

// maxLengthOctets is the longest long-form length accepted: eight octets
// already say more than any bound.
const maxLengthOctets = 8

func newFramer(maxMessage, maxResponse int64) *framer {
	f := &framer{maxMessage: maxMessage, maxResponse: maxResponse}
	f.begin(1)
	return f
}

// begin starts counting the answer to a request for up to entries
// entries.
func (f *framer) begin(entries int64) {
	f.response, f.messages = 0, 0
	f.asked, f.maxMessages = entries, entries+responseSlack
}

// fail records the first violation; every later feed returns it.
func (f *framer) fail(err error) error {
	f.err = err
	return err
}

// feed checks the next bytes of the stream.
func (f *framer) feed(p []byte) error {
	if f.err != nil {
		return f.err
	}
	for i := 0; i < len(p); {
		if f.state == stateContent {
			n := min(int64(len(p)-i), f.contentEnd-f.pos)
			f.pos += n
			i += int(n)
			if f.pos == f.contentEnd {
				f.state = stateIdentifier
				f.closeElements()
			}
			continue
		}
		b := p[i]
		i++
		f.pos++
		var err error
		switch f.state {
		case stateIdentifier:
			err = f.identifier(b)
		case stateTag:
			f.tagBytes++
			switch {
			case f.tagBytes > 4:
				err = &MalformedError{Reason: "a tag number longer than four octets"}
			case b&0x80 == 0:
				f.state = stateLength
			}
		case stateLength:
			switch {
			case b < 0x80:
				f.length = int64(b)
				err = f.headerDone()
			case b == 0x80:
				err = &MalformedError{Reason: "an element of indefinite length, which LDAP does not allow (RFC 4511 section 5.1)"}
			case int(b&0x7f) > maxLengthOctets:
				err = &MalformedError{Reason: fmt.Sprintf("a length of %d octets", b&0x7f)}
			default:
				f.lenBytes, f.length = int(b&0x7f), 0
				f.state = stateLengthMore
			}
		case stateLengthMore:
			if f.length > 1<<54 {
				err = &MalformedError{Reason: "a length beyond any stream"}
				break
			}
			f.length = f.length<<8 | int64(b)
			if f.lenBytes--; f.lenBytes == 0 {
				err = f.headerDone()
			}
		}
		if err != nil {
			return f.fail(err)
		}
	}
	return nil
}

// identifier reads the first octet of an element.
func (f *framer) identifier(b byte) error {
	f.headerStart = f.pos - 1
	if len(f.ends) == 0 && b != 0x30 {
		return &MalformedError{Reason: fmt.Sprintf("a message that is not a SEQUENCE (identifier 0x%02x)", b)}
	}
	f.constructed = b&0x20 != 0
	if b&0x1f == 0x1f {
		f.tagBytes = 0
		f.state = stateTag
		return nil
	}
	f.state = stateLength
	return nil
}

// headerDone checks an element's length against the bounds and the
// element around it.
func (f *framer) headerDone() error {
	end := f.pos + f.length
	if len(f.ends) == 0 {
		if f.length > f.maxMessage {
			return &LimitError{Limit: "MaxMessageBytes", What: "bytes in one LDAP message", Max: f.maxMessage, Got: f.length}
		}
		f.response += f.pos - f.headerStart + f.length
		if f.response > f.maxResponse {
			return &LimitError{Limit: "MaxResponseBytes", What: "bytes in answer to one request", Max: f.maxResponse, Got: f.response}
		}
		if f.messages++; f.messages > f.maxMessages {
			return &LimitError{Limit: "PageSize", What: fmt.Sprintf("messages in answer to a request for %d entries", f.asked),
				Max: f.maxMessages, Got: f.messages}
		}
	} else if parent := f.ends[len(f.ends)-1]; end > parent {
		return &MalformedError{Reason: fmt.Sprintf("an element of %d bytes in an element with %d bytes left", f.length, max(parent-f.pos, 0))}
	}
	if f.constructed {
		if len(f.ends) >= maxNesting {
			return &MalformedError{Reason: fmt.Sprintf("elements nested more than %d deep", maxNesting)}
		}
		f.ends = append(f.ends, end)
		f.state = stateIdentifier
		f.closeElements()
		return nil
	}
	f.contentEnd = end
	if f.length == 0 {
		f.state = stateIdentifier
		f.closeElements()
		return nil
	}
	f.state = stateContent
	return nil
}

// closeElements closes the constructed elements that end here.
func (f *framer) closeElements() {
	for len(f.ends) > 0 && f.ends[len(f.ends)-1] == f.pos {
		f.ends = f.ends[:len(f.ends)-1]
	}
}

// boundedConn is a connection whose incoming bytes pass a framer. The
// LDAP library reads it from its own goroutine; a violation makes that
// read fail, which closes the connection, and is kept for the operation
// to report.
type boundedConn struct {
	net.Conn
	mu sync.Mutex
	f  *framer
}

var _ net.Conn = (*boundedConn)(nil)

func newBoundedConn(c net.Conn, cfg Config) *boundedConn {
	return &boundedConn{Conn: c, f: newFramer(cfg.maxMessageBytes(), cfg.maxResponseBytes())}
}

// Read reads from the connection and checks what it read.
func (c *boundedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.mu.Lock()
		ferr := c.f.feed(p[:n])
		c.mu.Unlock()
		if ferr != nil {
			return 0, ferr
		}
	}
	return n, err
}

// beginResponse starts counting the answer to a new request that asks for
// up to entries entries (1 for a request that is not a search).
func (c *boundedConn) beginResponse(entries int) {
	c.mu.Lock()
	c.f.begin(int64(max(entries, 1)))
	c.mu.Unlock()
}

// violation returns what the server sent past the bounds, or nil.
func (c *boundedConn) violation() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.f.err
}
