package exchange

import (
	"fmt"
	"math/bits"
	"net/netip"
	"strconv"
	"strings"
)

// ipRange is one RemoteIPRanges value of a receive connector, in any form
// Exchange's IPRange takes: an address, "lo-hi", CIDR, or "address(mask)".
type ipRange struct {
	text   string
	lo, hi netip.Addr
}

func parseIPRange(s string) (ipRange, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("remote IP range %q is none of the forms Exchange writes", s)
	r := ipRange{text: s}
	switch {
	case strings.Contains(s, "/"):
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return r, bad
		}
		r.lo, r.hi = prefixBounds(p)
	case strings.HasSuffix(s, ")") && strings.Contains(s, "("):
		addr, mask, _ := strings.Cut(strings.TrimSuffix(s, ")"), "(")
		a, err1 := netip.ParseAddr(addr)
		m, err2 := netip.ParseAddr(mask)
		if err1 != nil || err2 != nil || a.Is4() != m.Is4() {
			return r, bad
		}
		n, ok := maskLength(m)
		if !ok {
			return r, bad
		}
		r.lo, r.hi = prefixBounds(netip.PrefixFrom(a, n))
	case strings.Contains(s, "-"):
		lo, hi, _ := strings.Cut(s, "-")
		a, err1 := netip.ParseAddr(strings.TrimSpace(lo))
		b, err2 := netip.ParseAddr(strings.TrimSpace(hi))
		if err1 != nil || err2 != nil || a.Is4() != b.Is4() || b.Less(a) {
			return r, bad
		}
		r.lo, r.hi = a, b
	default:
		a, err := netip.ParseAddr(s)
		if err != nil {
			return r, bad
		}
		r.lo, r.hi = a, a
	}
	return r, nil
}

func prefixBounds(p netip.Prefix) (netip.Addr, netip.Addr) {
	p = p.Masked()
	b := p.Addr().AsSlice()
	for i := range b {
		keep := min(max(p.Bits()-8*i, 0), 8)
		b[i] |= byte(0xff >> keep)
	}
	hi, _ := netip.AddrFromSlice(b)
	return p.Addr(), hi
}

func maskLength(m netip.Addr) (int, bool) {
	n, zero := 0, false
	for _, x := range m.AsSlice() {
		for bit := 7; bit >= 0; bit-- {
			switch set := x&(1<<bit) != 0; {
			case set && zero:
				return 0, false
			case set:
				n++
			default:
				zero = true
			}
		}
	}
	return n, true
}

func (r ipRange) contains(a netip.Addr) bool {
	a = a.Unmap()
	return a.Is4() == r.lo.Is4() && !a.Less(r.lo) && !r.hi.Less(a)
}

// narrower reports whether r holds fewer addresses than o.
func (r ipRange) narrower(o ipRange) bool {
	rh, rl := span(r)
	oh, ol := span(o)
	return rh < oh || (rh == oh && rl < ol)
}

// span is hi - lo as a 128-bit number.
func span(r ipRange) (uint64, uint64) {
	hi, lo := r.hi.As16(), r.lo.As16()
	var h1, l1, h2, l2 uint64
	for i := 0; i < 8; i++ {
		h1, l1 = h1<<8|uint64(hi[i]), l1<<8|uint64(hi[i+8])
		h2, l2 = h2<<8|uint64(lo[i]), l2<<8|uint64(lo[i+8])
	}
	low, borrow := bits.Sub64(l1, l2, 0)
	high, _ := bits.Sub64(h1, h2, borrow)
	return high, low
}

// binding is a receive connector's local address and port.
type binding struct {
	addr netip.Addr
	port int
}

func parseBinding(s string) (binding, error) {
	if ap, err := netip.ParseAddrPort(strings.TrimSpace(s)); err == nil {
		return binding{addr: ap.Addr(), port: int(ap.Port())}, nil
	}
	i := strings.LastIndex(s, ":")
	if i > 0 {
		a, err1 := netip.ParseAddr(strings.Trim(s[:i], "[] "))
		p, err2 := strconv.Atoi(strings.TrimSpace(s[i+1:]))
		if err1 == nil && err2 == nil && p > 0 && p < 65536 {
			return binding{addr: a, port: p}, nil
		}
	}
	return binding{}, fmt.Errorf("binding %q is not <address>:<port>", s)
}
