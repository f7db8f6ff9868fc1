package lab

import (
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// verbs are the fmt verbs of a format, in order.
var verbs = regexp.MustCompile(`%[-+# 0]*[0-9]*[a-zA-Z%]`)

// TestLocaleTablesAgree checks every localized table against its English
// one: the same message IDs, the same fmt verbs in the same order, and a
// source (or the unverified mark) on every text.
func TestLocaleTablesAgree(t *testing.T) {
	for tool, tables := range toolTexts {
		english, ok := tables[LocaleEnglish]
		if !ok {
			t.Errorf("%s: no English table", tool)
			continue
		}
		for locale, table := range tables {
			if diff := cmp.Diff(messageIDs(english), messageIDs(table)); diff != "" {
				t.Errorf("%s %s: message IDs differ from English (-en +%s):\n%s", tool, locale, locale, diff)
			}
			for id, m := range table {
				if m.Source == "" {
					t.Errorf("%s %s %q: no source; name one or mark it %s", tool, locale, id, unverified)
				}
				if m.Text == "" {
					t.Errorf("%s %s %q: empty text", tool, locale, id)
				}
				if diff := cmp.Diff(verbs.FindAllString(english[id].Text, -1), verbs.FindAllString(m.Text, -1)); diff != "" {
					t.Errorf("%s %s %q: fmt verbs differ from English:\n%s", tool, locale, id, diff)
				}
			}
		}
	}
}

func TestParseLocale(t *testing.T) {
	for in, want := range map[string]Locale{"": LocaleEnglish, "ja-jp": LocaleJapanese, "en-US": LocaleEnglish} {
		got, err := ParseLocale(in)
		if err != nil || got != want {
			t.Errorf("ParseLocale(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseLocale("de-DE"); err == nil {
		t.Error("de-DE accepted")
	}
}
