package ldap

import (
	"bytes"
	"hash/maphash"
	"sort"
)

// spnGroups gathers every SPN of a forest-wide scan, grouped
// case-insensitively (foldSPN), with the accounts holding each one. A
// forest holds hundreds of thousands of SPNs: they and their holders'
// names are copied into one byte arena and referred to by offsets, and
// the index over the folded SPNs is a table of integers, so that the
// garbage collector has nothing to look through and no string is
// allocated per SPN. Only the duplicates found become strings.
type spnGroups struct {
	seed  maphash.Seed
	arena []byte
	// accounts are the entries holding SPNs, in the order they came.
	accounts []spnAccount
	// records are the distinct folded SPNs; slots is an open-addressing
	// table of record indexes plus one (0 is a free slot), its length a
	// power of two kept at least twice the records'.
	records []spnRecord
	slots   []int
	// more are the holders of an SPN after its first, chained per record
	// in the order they came.
	more    []spnMore
	scratch []byte
}

// text is a string held in the arena.
type text struct{ off, n int }

type spnAccount struct{ dn, sam, dns text }

// spnHolder is one account holding one SPN value, as the account stores
// it.
type spnHolder struct {
	account int
	spn     text
}

type spnRecord struct {
	key   text // the folded SPN
	hash  uint64
	first spnHolder
	// head and tail are indexes plus one in more; 0 is none.
	head, tail int
}

type spnMore struct {
	spnHolder
	next int // index plus one in more; 0 ends the chain
}

func newSPNGroups() *spnGroups {
	return &spnGroups{seed: maphash.MakeSeed(), slots: make([]int, 1024)}
}

// keep copies s into the arena.
func keep[S ~string | ~[]byte](g *spnGroups, s S) text {
	t := text{off: len(g.arena), n: len(s)}
	g.arena = append(g.arena, s...)
	return t
}

func (g *spnGroups) bytesOf(t text) []byte { return g.arena[t.off : t.off+t.n] }

func (g *spnGroups) stringOf(t text) string { return string(g.bytesOf(t)) }

// addAccount records an entry holding SPNs and returns its index for
// addSPN.
func addAccount[S ~string | ~[]byte](g *spnGroups, dn, sam, dns S) int {
	g.accounts = append(g.accounts, spnAccount{dn: keep(g, dn), sam: keep(g, sam), dns: keep(g, dns)})
	return len(g.accounts) - 1
}

// fold returns foldSPN(v) in g.scratch, without allocating for the ASCII
// SPNs that directories hold.
func fold[S ~string | ~[]byte](g *spnGroups, v S) []byte {
	b := g.scratch[:0]
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= 0x80 {
			b = append(b[:0], foldSPN(string(v))...)
			break
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	g.scratch = b
	return b
}

// addSPN records that account holds the SPN v. A value whose folded form
// was seen before adds account to that SPN's holders unless an account
// with the same DN (compared case-insensitively) already holds it.
func addSPN[S ~string | ~[]byte](g *spnGroups, account int, v S) {
	key := fold(g, v)
	h := maphash.Bytes(g.seed, key)
	mask := len(g.slots) - 1
	i := int(h) & mask
	for ; g.slots[i] != 0; i = (i + 1) & mask {
		r := &g.records[g.slots[i]-1]
		if r.hash != h || !bytes.Equal(g.bytesOf(r.key), key) {
			continue
		}
		if g.sameDN(r.first.account, account) {
			return
		}
		for m := r.head; m != 0; m = g.more[m-1].next {
			if g.sameDN(g.more[m-1].account, account) {
				return
			}
		}
		g.more = append(g.more, spnMore{spnHolder: spnHolder{account: account, spn: keep(g, v)}})
		if r.tail != 0 {
			g.more[r.tail-1].next = len(g.more)
		} else {
			r.head = len(g.more)
		}
		r.tail = len(g.more)
		return
	}
	g.records = append(g.records, spnRecord{key: keep(g, key), hash: h, first: spnHolder{account: account, spn: keep(g, v)}})
	g.slots[i] = len(g.records)
	if 2*len(g.records) > len(g.slots) {
		g.grow()
	}
}

// sameDN reports whether two accounts have the same DN, compared
// case-insensitively.
func (g *spnGroups) sameDN(a, b int) bool {
	return a == b || bytes.EqualFold(g.bytesOf(g.accounts[a].dn), g.bytesOf(g.accounts[b].dn))
}

// grow doubles the table.
func (g *spnGroups) grow() {
	slots := make([]int, 2*len(g.slots))
	mask := len(slots) - 1
	for ri := range g.records {
		i := int(g.records[ri].hash) & mask
		for slots[i] != 0 {
			i = (i + 1) & mask
		}
		slots[i] = ri + 1
	}
	g.slots = slots
}

// duplicates calls found for every SPN held by two or more accounts, in
// the order of the folded SPNs, its holders sorted by DN.
func (g *spnGroups) duplicates(found func(Duplicate)) {
	var dup []int
	for ri := range g.records {
		if g.records[ri].head != 0 {
			dup = append(dup, ri)
		}
	}
	sort.Slice(dup, func(i, j int) bool {
		return bytes.Compare(g.bytesOf(g.records[dup[i]].key), g.bytesOf(g.records[dup[j]].key)) < 0
	})
	for _, ri := range dup {
		r := g.records[ri]
		hs := []Holder{g.holder(r.first)}
		for m := r.head; m != 0; m = g.more[m-1].next {
			hs = append(hs, g.holder(g.more[m-1].spnHolder))
		}
		sortHolders(hs)
		found(Duplicate{SPN: hs[0].SPN, Holders: hs})
	}
}

func (g *spnGroups) holder(h spnHolder) Holder {
	a := g.accounts[h.account]
	return Holder{DN: g.stringOf(a.dn), SAMAccountName: g.stringOf(a.sam), DNSHostName: g.stringOf(a.dns), SPN: g.stringOf(h.spn)}
}
