package ldap

// blockLen is how many elements a block of a blockList holds.
const blockLen = 4096

// blockList is a list that grows by blocks of blockLen elements and never
// moves what it holds: growing it neither copies it nor needs room for it
// twice, as a slice's growth does.
type blockList[T any] struct {
	blocks [][]T
	n      int
}

// add appends v and returns its index.
func (l *blockList[T]) add(v T) int {
	if l.n%blockLen == 0 {
		l.blocks = append(l.blocks, make([]T, 0, blockLen))
	}
	b := &l.blocks[len(l.blocks)-1]
	*b = append(*b, v)
	l.n++
	return l.n - 1
}

// at returns the element of index i.
func (l *blockList[T]) at(i int) *T { return &l.blocks[i/blockLen][i%blockLen] }

func (l *blockList[T]) len() int { return l.n }
