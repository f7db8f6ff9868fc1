package ops

import (
	"regexp"
	"strconv"
	"strings"
)

// win32Status matches a status code as repadmin prints it in every
// language: the decimal code and, in parentheses, the same code in
// hexadecimal ("1722 (0x6ba)", "-2146893022 (0x80090322)").
var win32Status = regexp.MustCompile(`(-?[0-9]+)\s*\((0[xX][0-9a-fA-F]+)\)`)

// findStatus returns the first status code in line whose decimal and
// hexadecimal forms agree, with the text before and after it; ok is false
// when the line holds none. A status is a number, never a translated word,
// so it reads the same on a Windows in any language.
func findStatus(line string) (code int, before, after string, ok bool) {
	for _, m := range win32Status.FindAllStringSubmatchIndex(line, -1) {
		dec, hex := line[m[2]:m[3]], line[m[4]:m[5]]
		c, agree := statusAgrees(dec, hex)
		if !agree {
			continue
		}
		return c, line[:m[0]], line[m[1]:], true
	}
	return 0, "", "", false
}

// statusAgrees reads a decimal code and checks it against its hexadecimal
// form; a negative decimal is an HRESULT printed as its 32-bit pattern.
func statusAgrees(dec, hex string) (int, bool) {
	d, err := strconv.ParseInt(dec, 10, 64)
	if err != nil {
		return 0, false
	}
	h, err := strconv.ParseUint(strings.TrimPrefix(strings.ToLower(hex), "0x"), 16, 32)
	if err != nil {
		return 0, false
	}
	if uint32(int32(d)) != uint32(h) || d < -1<<31 || d > 1<<32-1 {
		return 0, false
	}
	return int(int32(uint32(h))), true
}
