package sqlite

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"numberpool"
)

// TestPreviewPlan shows that the one statement of a preview looks up each
// of its tables by a key: no step scans a table or builds a temporary
// B-tree, whatever the tables hold.
func TestPreviewPlan(t *testing.T) {
	s, _ := newTestStore(t)
	rows, err := s.reader.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+previewQuery,
		"+14155551234", "acc_a", t0.Unix())
	if err != nil {
		t.Fatalf("EXPLAIN QUERY PLAN: %v", err)
	}
	defer rows.Close()

	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatalf("scan plan: %v", err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read plan: %v", err)
	}
	joined := strings.Join(plan, "\n")
	t.Logf("plan:\n%s", joined)

	for _, table := range []string{"numbers", "calls", "release_protections", "holds", "releases", "trunks", "applications"} {
		if !strings.Contains(joined, "SEARCH "+table+" USING") {
			t.Errorf("plan has no keyed search of %s:\n%s", table, joined)
		}
	}
	for _, bad := range []string{"SCAN", "TEMP B-TREE"} {
		if strings.Contains(joined, bad) {
			t.Errorf("plan contains %q:\n%s", bad, joined)
		}
	}
}

// TestPreviewPathsAgree previews numbers in each state that changes a
// preview both with the one statement and with the read transaction that
// numbers under a hold take, and wants the same preview from both.
func TestPreviewPathsAgree(t *testing.T) {
	s, clock := newTestStore(t)
	const (
		plain     = "+14155550001"
		calling   = "+14155550002"
		protected = "+14155550003"
		released  = "+14155550004"
		unrouted  = "+14155550005"
	)
	loadOwned(t, s, plain, calling, protected, released, unrouted)
	ctx := t.Context()
	if _, err := s.RecordCallEvent(ctx, "acc_a", calling, "call_1", numberpool.CallStarted); err != nil {
		t.Fatalf("RecordCallEvent: %v", err)
	}
	if err := s.SetReleaseProtection(ctx, "acc_a", protected, true); err != nil {
		t.Fatalf("SetReleaseProtection: %v", err)
	}
	if _, err := s.ReleaseNumber(ctx, "acc_a", released); err != nil {
		t.Fatalf("ReleaseNumber: %v", err)
	}
	if _, err := s.UnassignTrunk(ctx, "acc_a", unrouted); err != nil {
		t.Fatalf("UnassignTrunk: %v", err)
	}
	clock.Advance(time.Hour)

	tests := []struct {
		name       string
		e164       string
		canRelease bool
	}{
		{"plain", plain, true},
		{"calling", calling, false},
		{"protected", protected, false},
		{"released", released, false},
		{"unrouted", unrouted, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e164 := tt.e164
			now := numberpool.NowSeconds(clock)
			fast, held, err := s.previewOneStatement(ctx, "acc_a", e164, now)
			if err != nil || held {
				t.Fatalf("previewOneStatement = held %t, error %v; want a preview", held, err)
			}
			inTx, err := s.previewInTx(ctx, "preview", "acc_a", e164)
			if err != nil {
				t.Fatalf("previewInTx: %v", err)
			}
			if d := cmp.Diff(inTx, fast); d != "" {
				t.Errorf("preview (-in transaction +one statement):\n%s", d)
			}
			if fast.CanRelease != tt.canRelease {
				t.Errorf("CanRelease = %t, want %t; preview %+v", fast.CanRelease, tt.canRelease, fast)
			}
		})
	}
}

// TestPreviewUnderHold checks that a hold sends the preview to the read
// transaction, which gives the hold's reason, and that a number the account
// does not hold is NOT_FOUND on the fast path too.
func TestPreviewUnderHold(t *testing.T) {
	s, _ := newTestStore(t)
	loadOwned(t, s, "+14155550001")
	ctx := t.Context()
	if _, err := s.CreateAccount(ctx, "acc_b"); err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	hold := numberpool.Hold{AccountID: "acc_a", Kind: numberpool.HoldLegal, Reason: "case 77"}
	if _, err := s.PlaceHold(ctx, hold); err != nil {
		t.Fatalf("PlaceHold: %v", err)
	}

	got, err := s.PreviewRelease(ctx, "acc_a", "+14155550001")
	if err != nil {
		t.Fatalf("PreviewRelease: %v", err)
	}
	if got.CanRelease || !strings.Contains(strings.Join(got.Warnings, "\n"), "account hold: case 77") {
		t.Errorf("PreviewRelease = %+v, want CanRelease false and the account hold's reason", got)
	}

	_, err = s.PreviewRelease(ctx, "acc_b", "+14155550001")
	if !numberpool.IsCode(err, numberpool.CodeNotFound) {
		t.Errorf("PreviewRelease by another account: error %v, want NOT_FOUND", err)
	}
}

// BenchmarkPreviewRelease measures the store's part of a preview of an
// active number with neither calls nor holds, the common case.
func BenchmarkPreviewRelease(b *testing.B) {
	s, _ := newTestStore(b)
	loadOwned(b, s, "+14155550001")
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.PreviewRelease(ctx, "acc_a", "+14155550001"); err != nil {
			b.Fatalf("PreviewRelease: %v", err)
		}
	}
}
