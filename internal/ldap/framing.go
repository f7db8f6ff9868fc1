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
//
// While a tap is set (tapMessages), the search result entries
// that arrive are handed to the tap instead of the library, which sees
// every other message (the search's result, its referrals, notices) as
// the server sent it.
type boundedConn struct {
	net.Conn
	mu sync.Mutex
	f  *framer

	// tap receives the entries' messages while set. in holds what was read
	// but not yet split into whole messages, out the messages passed on
	// to the library and not yet read by it, and pending the error of the
	// connection's read that came with them.
	tap     func(message []byte) error
	in, out []byte
	pending error
	buf     []byte
}

var _ net.Conn = (*boundedConn)(nil)

func newBoundedConn(c net.Conn, cfg Config) *boundedConn {
	return &boundedConn{Conn: c, f: newFramer(cfg.maxMessageBytes(), cfg.maxResponseBytes())}
}

// Read reads from the connection, checks what it read, and returns the
// bytes of whole messages: entries go to the tap while it is set, and
// whether a message is tapped is decided once all of it has arrived.
func (c *boundedConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.out) == 0 {
		if c.pending != nil {
			err := c.pending
			c.pending = nil
			return 0, err
		}
		if c.buf == nil {
			c.buf = make([]byte, 32<<10)
		}
		// The read waits for the server without the lock, so that
		// tapEntries can be called meanwhile.
		c.mu.Unlock()
		n, err := c.Conn.Read(c.buf)
		c.mu.Lock()
		if n > 0 {
			if ferr := c.f.feed(c.buf[:n]); ferr != nil {
				return 0, ferr
			}
			c.in = append(c.in, c.buf[:n]...)
			if serr := c.split(); serr != nil {
				return 0, c.f.fail(serr)
			}
		}
		if err != nil {
			c.pending = err
		}
	}
	n := copy(p, c.out)
	c.out = c.out[n:]
	if len(c.out) == 0 {
		c.out = nil
	}
	return n, nil
}

// split moves the whole messages at the front of c.in out of it: entries
// to the tap while it is set, everything else to c.out. c.mu is held.
func (c *boundedConn) split() error {
	for len(c.in) > 0 {
		size, ok := messageSize(c.in)
		if !ok {
			break // the rest of the message has not arrived yet
		}
		message := c.in[:size]
		if c.tap != nil && isSearchEntry(message) {
			if err := c.tap(message); err != nil {
				return err
			}
		} else {
			c.out = append(c.out, message...)
		}
		c.in = c.in[size:]
	}
	if len(c.in) == 0 {
		c.in = nil
	}
	return nil
}

// messageSize returns the size of the message at the front of b, header
// included, once its header is there. The framer has checked the header
// against the bounds before split looks at it.
func messageSize(b []byte) (int, bool) {
	if len(b) < 2 {
		return 0, false
	}
	n, header := int(b[1]), 2
	if n&0x80 != 0 {
		octets := n & 0x7f
		if len(b) < 2+octets {
			return 0, false
		}
		n = 0
		for _, o := range b[2 : 2+octets] {
			n = n<<8 | int(o)
		}
		header += octets
	}
	if len(b) < header+n {
		return 0, false
	}
	return header + n, true
}

// tapMessages hands the search result entries that arrive to tap, as
// whole messages, until it is called with nil. message is the
// connection's buffer, only valid during the call; an error tap returns
// fails the connection's read, as a violation of the bounds does, and
// should be a MalformedError or a LimitError. Only one operation at a
// time uses a session, so every entry that arrives meanwhile answers that
// operation.
func (c *boundedConn) tapMessages(tap func(message []byte) error) {
	c.mu.Lock()
	c.tap = tap
	c.mu.Unlock()
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
