package journal

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/drift"
)

func TestLeadershipTermsAndSlots(t *testing.T) { eachBackend(t, testLeadershipTermsAndSlots) }

func testLeadershipTermsAndSlots(t *testing.T, fresh freshState) {
	ctx := context.Background()
	j, _ := openFresh(t, fresh)
	const scope, lease = "watch exchange-454", 400 * time.Millisecond
	a, err := j.Lead(ctx, scope, "a", 0, lease)
	if err != nil || a.Holder != "a" {
		t.Fatalf("first watcher: %+v, %v", a, err)
	}
	// While a's term lasts, b stands by and is told who leads.
	if got, err := j.Lead(ctx, scope, "b", 0, lease); err != nil || got.ID != a.ID || got.Holder != "a" {
		t.Fatalf("second watcher during a's term: %+v, %v", got, err)
	}
	slot := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	if ok, err := j.ClaimSlot(ctx, scope, a.ID, slot, time.Time{}); err != nil || !ok {
		t.Fatalf("a claims a slot: %v, %v", ok, err)
	}
	if ok, err := j.ClaimSlot(ctx, scope, a.ID, slot, time.Time{}); err != nil || ok {
		t.Fatalf("the slot claimed again: %v, %v", ok, err)
	}
	// a renews; then its lease runs out and b takes over.
	if got, err := j.Lead(ctx, scope, "a", a.ID, lease); err != nil || got.ID != a.ID {
		t.Fatalf("a renews: %+v, %v", got, err)
	}
	time.Sleep(lease + 100*time.Millisecond)
	b, err := j.Lead(ctx, scope, "b", 0, lease)
	if err != nil || b.Holder != "b" || b.ID == a.ID {
		t.Fatalf("b after a's lease ran out: %+v, %v", b, err)
	}
	// a, back, no longer leads: its renewal names b, its claims are refused.
	if got, err := j.Lead(ctx, scope, "a", a.ID, lease); err != nil || got.ID != b.ID {
		t.Fatalf("a renews after b took over: %+v, %v", got, err)
	}
	if _, err := j.ClaimSlot(ctx, scope, a.ID, slot.Add(time.Minute), time.Time{}); !errors.Is(err, drift.ErrNotLeader) {
		t.Fatalf("a claims a slot after b took over: %v", err)
	}
	next := slot.Add(time.Minute)
	if ok, err := j.ClaimSlot(ctx, scope, b.ID, next, time.Time{}); err != nil || !ok {
		t.Fatalf("b claims the next slot: %v, %v", ok, err)
	}
	if last, err := j.LastSlot(ctx, scope); err != nil || !last.Equal(next) {
		t.Fatalf("last slot = %s, %v", last, err)
	}
	if err := j.Resign(ctx, scope, b.ID); err != nil {
		t.Fatal(err)
	}
	terms, err := j.Terms(ctx, scope)
	if err != nil || len(terms) != 2 {
		t.Fatalf("terms: %+v, %v", terms, err)
	}
	if terms[1].Started.Before(terms[0].Ended) || terms[0].Ended.IsZero() || terms[1].Ended.IsZero() {
		t.Errorf("the terms overlap or were not closed: %+v", terms)
	}
	// After b resigned, c leads at once.
	if c, err := j.Lead(ctx, scope, "c", 0, lease); err != nil || c.Holder != "c" {
		t.Fatalf("c after b resigned: %+v, %v", c, err)
	}
}
