package ldap

import (
	"bytes"
	"errors"
	"hash/maphash"
	"math"
	"sort"

	"github.com/rectifyhq/rectify/actions"
)

// spnGroups gathers every SPN of a forest-wide scan, grouped
// case-insensitively (foldSPN), with the accounts holding each one. A
// forest holds hundreds of thousands of SPNs: they and their holders'
// names are copied into chunks of bytes and referred to by offsets, and
// the index over the folded SPNs is a table of integers, so that the
// garbage collector has nothing to look through, growing copies nothing
// but the table, and no string is allocated per SPN. Only the duplicates
// found become strings.
type spnGroups struct {
	seed   maphash.Seed
	chunks [][]byte
	// accounts are the entries holding SPNs, in the order they came.
	accounts blockList[spnAccount]
	// records are the distinct folded SPNs; slots is an open-addressing
	// table of record indexes plus one (0 is a free slot) in the low 32
	// bits and the high 32 bits of the record's hash in the others, its
	// length a power of two kept at least twice the records'.
	records blockList[spnRecord]
	slots   []uint64
	// more are the holders of an SPN after its first, chained per record
	// in the order they came.
	more    blockList[spnMore]
	scratch []byte
	// picks read an entry message's attributes (addMessage).
	spn, sam, dns *pick
	// maxCount bounds the accounts, the distinct SPNs and the further
	// holders, so that their 32-bit references never wrap; err is set
	// when the scan outgrows it or a text outgrows its offsets.
	maxCount int
	err      error
}

// textChunk is the size of the chunks texts are copied into; a longer
// text gets a chunk of its own.
const textChunk = 1 << 20

// text is a string held in a chunk.
type text struct{ chunk, off, n uint32 }

type spnAccount struct{ dn, sam, dns text }

// spnHolder is one account holding one SPN value, as the account stores
// it.
type spnHolder struct {
	account uint32
	spn     text
}

type spnRecord struct {
	// key is the folded SPN, except for an ASCII one (ascii), whose key
	// is its first holder's value, folded when compared.
	key   text
	ascii bool
	hash  uint64
	first spnHolder
	// head and tail are indexes plus one in more; 0 is none.
	head, tail uint32
}

type spnMore struct {
	spnHolder
	next uint32 // index plus one in more; 0 ends the chain
}

// errSPNScanTooLarge says a scan holds more than the references of
// spnGroups reach: some two billion SPNs or accounts, or a text of four
// GB, far past any forest.
var errSPNScanTooLarge = errors.New("the scan holds more SPNs than the client can index")

func newSPNGroups() *spnGroups {
	return &spnGroups{seed: maphash.MakeSeed(), slots: make([]uint64, 1024),
		spn: newPick(attrSPN), sam: newPick(attrSAM), dns: newPick(attrDNSHost), maxCount: math.MaxUint32 / 2}
}

// keep copies s into a chunk.
func keep[S ~string | ~[]byte](g *spnGroups, s S) text {
	if len(s) > math.MaxUint32 {
		g.err = errSPNScanTooLarge
		return text{}
	}
	last := len(g.chunks) - 1
	if last < 0 || cap(g.chunks[last])-len(g.chunks[last]) < len(s) {
		g.chunks = append(g.chunks, make([]byte, 0, max(textChunk, len(s))))
		last++
	}
	c := g.chunks[last]
	t := text{chunk: uint32(last), off: uint32(len(c)), n: uint32(len(s))}
	g.chunks[last] = append(c, s...)
	return t
}

func (g *spnGroups) bytesOf(t text) []byte { return g.chunks[t.chunk][t.off : t.off+t.n] }

func (g *spnGroups) stringOf(t text) string { return string(g.bytesOf(t)) }

// addEntries records the accounts of a page of decoded entries and the
// SPNs they hold.
func (g *spnGroups) addEntries(page []actions.Entry) error {
	for _, e := range page {
		values := e.Values(attrSPN)
		if len(values) == 0 {
			continue
		}
		a := addAccount(g, e.DN, e.Get(attrSAM), e.Get(attrDNSHost))
		for _, v := range values {
			addSPN(g, a, v)
		}
	}
	return g.err
}

// addMessages records the accounts of a page of entry messages that
// searchMessages has checked, and the SPNs they hold, reading the
// attributes as Entry.Values would.
func (g *spnGroups) addMessages(messages [][]byte) error {
	for _, m := range messages {
		g.spn.reset()
		g.sam.reset()
		g.dns.reset()
		dn, list, err := entryParts(m)
		if err != nil {
			return err
		}
		eachAttribute(list, func(name, vals []byte) {
			g.spn.see(name, vals)
			g.sam.see(name, vals)
			g.dns.see(name, vals)
		})
		if !g.spn.picked() {
			continue
		}
		a := addAccount(g, dn, g.sam.first(), g.dns.first())
		g.spn.each(func(v []byte) { addSPN(g, a, v) })
	}
	return g.err
}

// addAccount records an entry holding SPNs and returns its index for
// addSPN.
func addAccount[S ~string | ~[]byte](g *spnGroups, dn, sam, dns S) uint32 {
	if g.accounts.len() >= g.maxCount {
		g.err = errSPNScanTooLarge
		return 0
	}
	return uint32(g.accounts.add(spnAccount{dn: keep(g, dn), sam: keep(g, sam), dns: keep(g, dns)}))
}

// fold returns foldSPN(v) in g.scratch, without allocating for the ASCII
// SPNs that directories hold, and whether v is ASCII.
func fold[S ~string | ~[]byte](g *spnGroups, v S) (folded []byte, ascii bool) {
	b := g.scratch[:0]
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= 0x80 {
			g.scratch = append(b[:0], foldSPN(string(v))...)
			return g.scratch, false
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	g.scratch = b
	return b, true
}

// equalFolded reports whether foldSPN of the ASCII text a is folded.
func equalFolded(a, folded []byte) bool {
	if len(a) != len(folded) {
		return false
	}
	for i, c := range a {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != folded[i] {
			return false
		}
	}
	return true
}

// keyIs reports whether the folded SPN of r is folded.
func (g *spnGroups) keyIs(r *spnRecord, folded []byte) bool {
	if r.ascii {
		return equalFolded(g.bytesOf(r.key), folded)
	}
	return bytes.Equal(g.bytesOf(r.key), folded)
}

// addSPN records that account holds the SPN v. A value whose folded form
// was seen before adds account to that SPN's holders unless an account
// with the same DN (compared case-insensitively) already holds it.
func addSPN[S ~string | ~[]byte](g *spnGroups, account uint32, v S) {
	key, ascii := fold(g, v)
	h := maphash.Bytes(g.seed, key)
	mask := len(g.slots) - 1
	i := int(h) & mask
	for ; g.slots[i] != 0; i = (i + 1) & mask {
		if g.slots[i]>>32 != h>>32 {
			continue
		}
		r := g.records.at(int(uint32(g.slots[i])) - 1)
		if r.hash != h || !g.keyIs(r, key) {
			continue
		}
		if g.sameDN(r.first.account, account) {
			return
		}
		for m := r.head; m != 0; m = g.more.at(int(m) - 1).next {
			if g.sameDN(g.more.at(int(m)-1).account, account) {
				return
			}
		}
		if g.more.len() >= g.maxCount {
			g.err = errSPNScanTooLarge
			return
		}
		m := uint32(g.more.add(spnMore{spnHolder: spnHolder{account: account, spn: keep(g, v)}}) + 1)
		if r.tail != 0 {
			g.more.at(int(r.tail) - 1).next = m
		} else {
			r.head = m
		}
		r.tail = m
		return
	}
	if g.records.len() >= g.maxCount {
		g.err = errSPNScanTooLarge
		return
	}
	r := spnRecord{ascii: ascii, hash: h, first: spnHolder{account: account, spn: keep(g, v)}}
	r.key = r.first.spn
	if !ascii {
		r.key = keep(g, key)
	}
	ri := g.records.add(r)
	g.slots[i] = h&^math.MaxUint32 | uint64(ri+1)
	if 2*g.records.len() > len(g.slots) {
		g.grow()
	}
}

// sameDN reports whether two accounts have the same DN, compared
// case-insensitively.
func (g *spnGroups) sameDN(a, b uint32) bool {
	return a == b || bytes.EqualFold(g.bytesOf(g.accounts.at(int(a)).dn), g.bytesOf(g.accounts.at(int(b)).dn))
}

// grow makes the table four times larger.
func (g *spnGroups) grow() {
	slots := make([]uint64, 4*len(g.slots))
	mask := len(slots) - 1
	for ri := range g.records.len() {
		h := g.records.at(ri).hash
		i := int(h) & mask
		for slots[i] != 0 {
			i = (i + 1) & mask
		}
		slots[i] = h&^math.MaxUint32 | uint64(ri+1)
	}
	g.slots = slots
}

// duplicates calls found for every SPN held by two or more accounts, in
// the order of the folded SPNs, its holders sorted by DN.
func (g *spnGroups) duplicates(found func(Duplicate)) {
	type dup struct {
		key string
		r   *spnRecord
	}
	var dups []dup
	for ri := range g.records.len() {
		if r := g.records.at(ri); r.head != 0 {
			key := g.stringOf(r.key)
			if r.ascii {
				key = foldSPN(key)
			}
			dups = append(dups, dup{key: key, r: r})
		}
	}
	sort.Slice(dups, func(i, j int) bool { return dups[i].key < dups[j].key })
	for _, d := range dups {
		hs := []Holder{g.holder(d.r.first)}
		for m := d.r.head; m != 0; m = g.more.at(int(m) - 1).next {
			hs = append(hs, g.holder(g.more.at(int(m)-1).spnHolder))
		}
		sortHolders(hs)
		found(Duplicate{SPN: hs[0].SPN, Holders: hs})
	}
}

func (g *spnGroups) holder(h spnHolder) Holder {
	a := g.accounts.at(int(h.account))
	return Holder{DN: g.stringOf(a.dn), SAMAccountName: g.stringOf(a.sam), DNSHostName: g.stringOf(a.dns), SPN: g.stringOf(h.spn)}
}
