package lab

import (
	"strings"
	"testing"
	"time"
)

// TestEventMessagesRenderAsLogged checks that the English message tables
// render every event the lab logs exactly as it was logged, from its
// insertion strings alone, and that Japanese renders the same strings in
// another sentence.
func TestEventMessagesRenderAsLogged(t *testing.T) {
	org := goldenOrg(t)
	ex01, ex02, dc02 := mustHostOf(org, "ex01"), mustHostOf(org, "ex02"), mustHostOf(org, "dc02")
	at := time.Date(2026, 11, 27, 8, 23, 44, 0, time.UTC)
	events := []Event{
		event1035(ex02, ex01, at),
		kerberosEvent(org, ex01, ex02, "0x7", at),
		kerberosEvent(org, ex01, ex02, "0x25", at),
		apModifiedEvent(org, ex01, ex02, at),
		duplicateNameEvent(dc02, "SMTPSVC/ex02.corp.example.com"),
		timeSyncEvent(ex01, dc02.FQDN, dc02.IP),
	}
	for _, e := range events {
		if got := org.eventMessage(e); got != e.Message {
			t.Errorf("%s %d renders in English as\n%q\nbut was logged as\n%q", e.Provider, e.ID, got, e.Message)
		}
	}
	org.locale = LocaleJapanese
	for _, e := range events {
		got := org.eventMessage(e)
		if got == e.Message {
			t.Errorf("%s %d is not rendered in Japanese", e.Provider, e.ID)
		}
		for _, v := range e.Data {
			if (strings.HasPrefix(v, "SMTPSVC/") || strings.HasPrefix(v, "0x")) && !strings.Contains(got, v) {
				t.Errorf("%s %d in Japanese lacks its insertion string %q: %q", e.Provider, e.ID, v, got)
			}
		}
	}
}
