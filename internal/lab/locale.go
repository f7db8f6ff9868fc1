package lab

import (
	"fmt"
	"slices"
	"strings"
)

// Locale is the display language of the lab's Windows hosts: the language
// their native tools (repadmin, ...) and error messages answer in, as on a
// localized Windows. Object properties, enum names, LDAP attributes,
// numbers and status codes are not translated, only sentences.
type Locale string

// The locales the lab speaks.
const (
	LocaleEnglish  Locale = "en-US"
	LocaleJapanese Locale = "ja-JP"
)

// Locales lists the supported locales, English first.
func Locales() []Locale { return []Locale{LocaleEnglish, LocaleJapanese} }

// Locale is the language of the organisation's native tools and messages.
func (o *Org) Locale() Locale { return o.locale }

// ParseLocale reads a locale name such as "ja-JP" (any case); "" is
// English.
func ParseLocale(name string) (Locale, error) {
	if name == "" {
		return LocaleEnglish, nil
	}
	for _, l := range Locales() {
		if strings.EqualFold(string(l), name) {
			return l, nil
		}
	}
	var names []string
	for _, l := range Locales() {
		names = append(names, string(l))
	}
	return "", fmt.Errorf("unknown locale %q: the lab speaks %s", name, strings.Join(names, ", "))
}

// message is one sentence of a tool in one locale, with where its wording
// comes from.
type message struct {
	// Text is a fmt format.
	Text string
	// Source names a public source of the wording (a capture, Microsoft's
	// documentation, the KB's own text), or is unverified when the text was
	// written for the lab without one.
	Source string
}

// unverified is the Source of a text the lab's authors wrote from
// documentation and memory, without a real capture in that language.
const unverified = "_unverified"

// messageTable is one tool's sentences in one locale, by message ID.
type messageTable map[string]message

// toolTexts holds, per tool, its table per locale. Every locale's table
// of a tool holds the same IDs as its English one (a test checks it). To
// teach a tool a language, add its table here; to localize another tool
// (klist), add its tables beside the others.
var toolTexts = map[string]map[Locale]messageTable{
	toolRepadmin: {LocaleEnglish: repadminEnglish, LocaleJapanese: repadminJapanese},
	toolWin32:    {LocaleEnglish: win32English, LocaleJapanese: win32Japanese},
	toolW32tm:    {LocaleEnglish: w32tmEnglish, LocaleJapanese: w32tmJapanese},
	toolReg:      {LocaleEnglish: regEnglish, LocaleJapanese: regJapanese},
	toolWevtutil: {LocaleEnglish: wevtutilEnglish, LocaleJapanese: wevtutilJapanese},
	toolEvents:   {LocaleEnglish: eventsEnglish, LocaleJapanese: eventsJapanese},
	toolSetspn:   {LocaleEnglish: setspnEnglish, LocaleJapanese: setspnJapanese},
}

// text formats message id of tool in locale l, falling back to English
// for a locale the tool does not speak. An unknown ID is a bug in the lab
// and panics, so that a test finds it.
func (l Locale) text(tool, id string, args ...any) string {
	tables, ok := toolTexts[tool]
	if !ok {
		panic(fmt.Sprintf("lab: no texts for tool %q", tool))
	}
	table, ok := tables[l]
	if !ok {
		table = tables[LocaleEnglish]
	}
	m, ok := table[id]
	if !ok {
		panic(fmt.Sprintf("lab: tool %q has no text %q in %s", tool, id, l))
	}
	if len(args) == 0 {
		return m.Text
	}
	return fmt.Sprintf(m.Text, args...)
}

// win32Message is the system's text for a Win32 error code in locale l,
// as FormatMessage returns it (repadmin prints it after the code).
func (l Locale) win32Message(code int) string {
	id := fmt.Sprint(code)
	if _, ok := win32English[id]; !ok {
		id = "other"
	}
	return l.text(toolWin32, id)
}

// messageIDs lists a table's IDs in order.
func messageIDs(t messageTable) []string {
	out := make([]string, 0, len(t))
	for id := range t {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}
