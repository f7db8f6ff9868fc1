package lab

import (
	"fmt"
	"math/bits"
	"net/netip"
	"strconv"
	"strings"
)

// ipRange is one value of a receive connector's RemoteIPRanges, in any of
// the forms Exchange's IPRange parses: a single address ("10.0.0.5"), a
// low-high range ("0.0.0.0-255.255.255.255"), CIDR ("10.0.0.0/24") or an
// address with a mask ("10.0.0.0(255.255.255.0)").
type ipRange struct {
	lo, hi netip.Addr
}

// parseIPRange reads one RemoteIPRanges value.
func parseIPRange(s string) (ipRange, error) {
	s = strings.TrimSpace(s)
	bad := func() (ipRange, error) {
		return ipRange{}, fmt.Errorf("The IP address range %q isn't valid. Use a single address, a range (a.b.c.d-e.f.g.h), CIDR notation (a.b.c.d/n) or an address with a mask (a.b.c.d(m.m.m.m)).", s)
	}
	switch {
	case strings.Contains(s, "/"):
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return bad()
		}
		return prefixRange(p), nil
	case strings.HasSuffix(s, ")") && strings.Contains(s, "("):
		addr, mask, _ := strings.Cut(strings.TrimSuffix(s, ")"), "(")
		a, err1 := netip.ParseAddr(addr)
		m, err2 := netip.ParseAddr(mask)
		if err1 != nil || err2 != nil || a.Is4() != m.Is4() {
			return bad()
		}
		ones, ok := maskBits(m)
		if !ok {
			return bad()
		}
		return prefixRange(netip.PrefixFrom(a, ones)), nil
	case strings.Contains(s, "-"):
		lo, hi, _ := strings.Cut(s, "-")
		a, err1 := netip.ParseAddr(strings.TrimSpace(lo))
		b, err2 := netip.ParseAddr(strings.TrimSpace(hi))
		if err1 != nil || err2 != nil || a.Is4() != b.Is4() || b.Less(a) {
			return bad()
		}
		return ipRange{lo: a, hi: b}, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return bad()
	}
	return ipRange{lo: a, hi: a}, nil
}

// prefixRange is the range of a CIDR prefix.
func prefixRange(p netip.Prefix) ipRange {
	p = p.Masked()
	lo := p.Addr()
	b := lo.AsSlice()
	for i := range b {
		keep := min(max(p.Bits()-8*i, 0), 8)
		b[i] |= byte(0xff >> keep)
	}
	hi, _ := netip.AddrFromSlice(b)
	return ipRange{lo: lo, hi: hi}
}

// maskBits returns the prefix length of a contiguous netmask.
func maskBits(m netip.Addr) (int, bool) {
	ones, seenZero := 0, false
	for _, x := range m.AsSlice() {
		for bit := 7; bit >= 0; bit-- {
			set := x&(1<<bit) != 0
			switch {
			case set && seenZero:
				return 0, false
			case set:
				ones++
			default:
				seenZero = true
			}
		}
	}
	return ones, true
}

// contains reports whether the range holds a (IPv4-mapped IPv6 addresses
// count as IPv4).
func (r ipRange) contains(a netip.Addr) bool {
	a = a.Unmap()
	if a.Is4() != r.lo.Is4() {
		return false
	}
	return !a.Less(r.lo) && !r.hi.Less(a)
}

// size is the number of addresses in the range less one, as a 128-bit
// number (high, low), for comparing how specific two ranges are.
func (r ipRange) size() (uint64, uint64) {
	hiB, loB := r.hi.As16(), r.lo.As16()
	var h, l, hh, ll uint64
	for i := 0; i < 8; i++ {
		h = h<<8 | uint64(hiB[i])
		l = l<<8 | uint64(hiB[i+8])
		hh = hh<<8 | uint64(loB[i])
		ll = ll<<8 | uint64(loB[i+8])
	}
	low, borrow := bits.Sub64(l, ll, 0)
	high, _ := bits.Sub64(h, hh, borrow)
	return high, low
}

// narrower reports whether r holds fewer addresses than o.
func (r ipRange) narrower(o ipRange) bool {
	rh, rl := r.size()
	oh, ol := o.size()
	return rh < oh || (rh == oh && rl < ol)
}

// binding is one value of a connector's Bindings: a local address and a
// port ("0.0.0.0:2525", "[::]:2525", "10.0.0.6:25").
type binding struct {
	addr netip.Addr
	port int
}

// parseBinding reads one Bindings value.
func parseBinding(s string) (binding, error) {
	ap, err := netip.ParseAddrPort(strings.TrimSpace(s))
	if err != nil {
		i := strings.LastIndex(s, ":")
		if i < 0 {
			return binding{}, fmt.Errorf("the binding %q is not <address>:<port>", s)
		}
		a, err1 := netip.ParseAddr(strings.Trim(s[:i], "[]"))
		p, err2 := strconv.Atoi(s[i+1:])
		if err1 != nil || err2 != nil || p <= 0 || p > 65535 {
			return binding{}, fmt.Errorf("the binding %q is not <address>:<port>", s)
		}
		return binding{addr: a, port: p}, nil
	}
	return binding{addr: ap.Addr(), port: int(ap.Port())}, nil
}
