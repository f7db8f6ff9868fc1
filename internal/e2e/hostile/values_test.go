package hostile

import (
	"strings"
	"unicode/utf8"
)

// The hostile values the suite feeds in.
const (
	psInjection   = `'; Remove-Item C:\ -Recurse #`
	psSubexpr     = `$(Stop-Computer)`
	psBackticks   = "`whoami`; `$(Stop-Computer)`"
	ldapInjection = `*)(|(objectClass=*)`
	// cyrillicEx01 is "ех01" written with Cyrillic е (U+0435) and х (U+0445).
	cyrillicEx01 = "\u0435\u044501"
)

// long64K returns a string of exactly 64 KiB built from every
// metacharacter above, ending in NUL and a line break.
func long64K() string {
	unit := psInjection + psSubexpr + psBackticks + ldapInjection + cyrillicEx01 + `"\`
	var b strings.Builder
	for b.Len()+len(unit) < 64<<10-3 {
		b.WriteString(unit)
	}
	for b.Len() < 64<<10-3 {
		b.WriteByte('x')
	}
	b.WriteString("\x00\r\n")
	if b.Len() != 64<<10 || !utf8.ValidString(b.String()) {
		panic("long64K is not 64 KiB of UTF-8")
	}
	return b.String()
}
