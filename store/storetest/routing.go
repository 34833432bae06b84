package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"numberpool"
)

// testRouting covers trunks, applications and assignments.
func testRouting(t *testing.T, newStore Harness, _ config) {
	t.Run("trunks", func(t *testing.T) { testTrunks(t, newStore) })
	t.Run("applications", func(t *testing.T) { testApplications(t, newStore) })
	t.Run("delete routed", func(t *testing.T) { testDeleteRouted(t, newStore) })
	t.Run("assign", func(t *testing.T) { testAssign(t, newStore) })
	t.Run("release and cancel", func(t *testing.T) { testRouteReleaseCancel(t, newStore) })
	t.Run("cancel after delete", func(t *testing.T) { testCancelAfterDelete(t, newStore) })
	t.Run("assign delete race", func(t *testing.T) { testAssignDeleteRace(t, newStore) })
	t.Run("imported route", func(t *testing.T) { testImportedRoute(t, newStore) })
}

// testImportedRoute follows a number imported with a trunk id that no
// stored trunk has: the preview warns without a name, and a cancel puts the
// id back, because nothing shows that such a trunk was deleted.
func testImportedRoute(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a")
	n := owned(usNumber(1), "acc_a", t0.AddDate(-1, 0, 0))
	n.TrunkID = "trunk_abc123"
	f.load(n)

	want := []string{"routes to trunk trunk_abc123; releasing removes the assignment"}
	if d := diff(want, f.preview("acc_a", n.E164).Warnings); d != "" {
		t.Errorf("preview warnings (-want +got):\n%s", d)
	}
	f.release("acc_a", n.E164)
	c, err := f.store.CancelRelease(f.ctx, "acc_a", n.E164)
	if err != nil {
		t.Fatalf("CancelRelease: %v", err)
	}
	if len(c.Warnings) != 0 {
		t.Errorf("CancelRelease warnings = %q, want none", c.Warnings)
	}
	if got := f.get("acc_a", n.E164).TrunkID; got != "trunk_abc123" {
		t.Errorf("trunk after cancel = %q, want trunk_abc123", got)
	}
}

// testAssignDeleteRace assigns a number to a trunk while the trunk is being
// deleted, many times. Either the assignment wins and the delete gets
// CONFLICT, or the delete wins and the assignment gets NOT_FOUND: a number
// never ends up routed to a deleted trunk.
func testAssignDeleteRace(t *testing.T, newStore Harness) {
	const rounds = 30
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a")
	f.load(owned(usNumber(1), "acc_a", t0.Add(-day)))

	assignWins, deleteWins := 0, 0
	for i := range rounds {
		trunkID := fmt.Sprintf("trunk_race%d", i)
		f.trunk("acc_a", trunkID, "Race")
		if _, err := f.store.UnassignTrunk(f.ctx, "acc_a", usNumber(1)); err != nil {
			t.Fatalf("UnassignTrunk: %v", err)
		}

		var assignErr, deleteErr error
		start := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			<-start
			_, assignErr = f.store.AssignTrunk(f.ctx, "acc_a", usNumber(1), trunkID)
		})
		wg.Go(func() {
			<-start
			deleteErr = f.store.DeleteTrunk(f.ctx, "acc_a", trunkID)
		})
		close(start)
		wg.Wait()

		routed := f.get("acc_a", usNumber(1)).TrunkID
		switch {
		case assignErr == nil && numberpool.IsCode(deleteErr, numberpool.CodeConflict) && routed == trunkID:
			assignWins++
		case deleteErr == nil && numberpool.IsCode(assignErr, numberpool.CodeNotFound) && routed == "":
			deleteWins++
		default:
			t.Errorf("round %d: assign error %v, delete error %v, routed to %q: want exactly one to win", i, assignErr, deleteErr, routed)
		}
	}
	t.Logf("assignment won %d rounds, delete won %d", assignWins, deleteWins)
}

func trunkSpec(name string) numberpool.TrunkSpec {
	return numberpool.TrunkSpec{
		Name: name, AuthType: numberpool.AuthIP, TerminationURI: "sip:pbx.example.com:5060",
		OriginationURIs: []string{"sip:203.0.113.7"}, MaxChannels: 100,
	}
}

func (f *fixture) trunk(accountID, id, name string) numberpool.Trunk {
	f.t.Helper()
	t, err := f.store.CreateTrunk(f.ctx, numberpool.Trunk{
		TrunkSpec: trunkSpec(name), ID: id, AccountID: accountID,
		SIPDomain: numberpool.TrunkSIPDomain(id, "sip.tryvox.io"),
	})
	if err != nil {
		f.t.Fatalf("CreateTrunk(%s): %v", id, err)
	}
	return t
}

func (f *fixture) application(accountID, id, name string) numberpool.Application {
	f.t.Helper()
	a, err := f.store.CreateApplication(f.ctx, numberpool.Application{
		ApplicationSpec: numberpool.ApplicationSpec{
			Name: name, AnswerURL: "https://example.com/answer", AnswerMethod: "POST",
		},
		ID: id, AccountID: accountID,
	})
	if err != nil {
		f.t.Fatalf("CreateApplication(%s): %v", id, err)
	}
	return a
}

func testTrunks(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a", "acc_b")
	created := f.trunk("acc_a", "trunk_one", "Main SIP trunk")
	want := numberpool.Trunk{
		TrunkSpec: trunkSpec("Main SIP trunk"), ID: "trunk_one", AccountID: "acc_a",
		SIPDomain: "trunk-one.sip.tryvox.io", CreatedAt: t0, UpdatedAt: t0,
	}
	if d := diff(want, created); d != "" {
		t.Errorf("CreateTrunk (-want +got):\n%s", d)
	}
	got, err := f.store.GetTrunk(f.ctx, "acc_a", "trunk_one")
	if err != nil {
		t.Fatalf("GetTrunk: %v", err)
	}
	if d := diff(want, got); d != "" {
		t.Errorf("GetTrunk (-want +got):\n%s", d)
	}

	_, err = f.store.GetTrunk(f.ctx, "acc_b", "trunk_one")
	wantCode(t, err, numberpool.CodeNotFound)
	_, err = f.store.CreateTrunk(f.ctx, numberpool.Trunk{TrunkSpec: trunkSpec("again"), ID: "trunk_one", AccountID: "acc_b"})
	wantCode(t, err, numberpool.CodeConflict)
	_, err = f.store.CreateTrunk(f.ctx, numberpool.Trunk{TrunkSpec: trunkSpec("x"), ID: "trunk_x", AccountID: "acc_missing"})
	wantCode(t, err, numberpool.CodeNotFound)

	f.clock.Advance(time.Minute)
	f.trunk("acc_a", "trunk_two", "Backup")
	page, total, err := f.store.ListTrunks(f.ctx, "acc_a", numberpool.Page{Page: 2, PerPage: 1})
	if err != nil {
		t.Fatalf("ListTrunks: %v", err)
	}
	if total != 2 || len(page) != 1 || page[0].ID != "trunk_two" {
		t.Errorf("ListTrunks page 2 = %d trunks (first %+v) of %d, want trunk_two of 2", len(page), page, total)
	}

	spec := trunkSpec("Renamed")
	spec.AuthType, spec.OriginationURIs, spec.MaxChannels = numberpool.AuthCredential, []string{}, 0
	updated, err := f.store.UpdateTrunk(f.ctx, "acc_a", "trunk_one", spec)
	if err != nil {
		t.Fatalf("UpdateTrunk: %v", err)
	}
	want.TrunkSpec, want.UpdatedAt = spec, t0.Add(time.Minute)
	if d := diff(want, updated); d != "" {
		t.Errorf("UpdateTrunk (-want +got):\n%s", d)
	}
	_, err = f.store.UpdateTrunk(f.ctx, "acc_b", "trunk_one", spec)
	wantCode(t, err, numberpool.CodeNotFound)

	wantCode(t, f.store.DeleteTrunk(f.ctx, "acc_b", "trunk_one"), numberpool.CodeNotFound)
	if err := f.store.DeleteTrunk(f.ctx, "acc_a", "trunk_one"); err != nil {
		t.Fatalf("DeleteTrunk: %v", err)
	}
	_, err = f.store.GetTrunk(f.ctx, "acc_a", "trunk_one")
	wantCode(t, err, numberpool.CodeNotFound)
	wantCode(t, f.store.DeleteTrunk(f.ctx, "acc_a", "trunk_one"), numberpool.CodeNotFound)
}

func testApplications(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a", "acc_b")
	created := f.application("acc_a", "app_one", "IVR")
	want := numberpool.Application{
		ApplicationSpec: numberpool.ApplicationSpec{Name: "IVR", AnswerURL: "https://example.com/answer", AnswerMethod: "POST"},
		ID:              "app_one", AccountID: "acc_a", CreatedAt: t0, UpdatedAt: t0,
	}
	if d := diff(want, created); d != "" {
		t.Errorf("CreateApplication (-want +got):\n%s", d)
	}

	_, err := f.store.GetApplication(f.ctx, "acc_b", "app_one")
	wantCode(t, err, numberpool.CodeNotFound)

	f.clock.Advance(time.Minute)
	spec := numberpool.ApplicationSpec{
		Name: "IVR 2", AnswerURL: "https://example.com/v2", AnswerMethod: "GET",
		HangupURL: "https://example.com/hangup", StatusCallbackURL: "http://example.com/status",
	}
	if _, err := f.store.UpdateApplication(f.ctx, "acc_a", "app_one", spec); err != nil {
		t.Fatalf("UpdateApplication: %v", err)
	}
	got, err := f.store.GetApplication(f.ctx, "acc_a", "app_one")
	if err != nil {
		t.Fatalf("GetApplication: %v", err)
	}
	want.ApplicationSpec, want.UpdatedAt = spec, t0.Add(time.Minute)
	if d := diff(want, got); d != "" {
		t.Errorf("GetApplication after update (-want +got):\n%s", d)
	}

	apps, total, err := f.store.ListApplications(f.ctx, "acc_a", numberpool.Page{Page: 1, PerPage: 20})
	if err != nil || total != 1 || len(apps) != 1 {
		t.Errorf("ListApplications = %d of %d (error %v), want 1 of 1", len(apps), total, err)
	}
	if err := f.store.DeleteApplication(f.ctx, "acc_a", "app_one"); err != nil {
		t.Fatalf("DeleteApplication: %v", err)
	}
	_, err = f.store.GetApplication(f.ctx, "acc_a", "app_one")
	wantCode(t, err, numberpool.CodeNotFound)
}

// testDeleteRouted checks that a trunk or application that numbers route to
// cannot be deleted, and that the error lists those numbers.
func testDeleteRouted(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a")
	f.load(numbers(1, 4, func(e164 string) numberpool.Number { return owned(e164, "acc_a", t0.Add(-day)) })...)
	f.trunk("acc_a", "trunk_one", "Main SIP trunk")
	f.application("acc_a", "app_one", "IVR")
	f.assignTrunk(usNumber(1), "trunk_one")
	f.assignTrunk(usNumber(2), "trunk_one")
	f.assignApplication(usNumber(3), "app_one")

	err := f.store.DeleteTrunk(f.ctx, "acc_a", "trunk_one")
	wantCode(t, err, numberpool.CodeConflict)
	wantDetails(t, err, []numberpool.ErrorDetail{
		{Field: "e164", Reason: usNumber(1) + " routes to this trunk"},
		{Field: "e164", Reason: usNumber(2) + " routes to this trunk"},
	})
	wantMessageNames(t, err, "2 numbers")

	err = f.store.DeleteApplication(f.ctx, "acc_a", "app_one")
	wantCode(t, err, numberpool.CodeConflict)
	wantDetails(t, err, []numberpool.ErrorDetail{{Field: "e164", Reason: usNumber(3) + " routes to this application"}})

	if _, err := f.store.UnassignApplication(f.ctx, "acc_a", usNumber(3)); err != nil {
		t.Fatalf("UnassignApplication: %v", err)
	}
	if err := f.store.DeleteApplication(f.ctx, "acc_a", "app_one"); err != nil {
		t.Errorf("DeleteApplication after unassign: %v", err)
	}
}

func wantDetails(t *testing.T, err error, want []numberpool.ErrorDetail) {
	t.Helper()
	var e *numberpool.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T is not a *numberpool.Error: %v", err, err)
	}
	if d := diff(want, e.Details); d != "" {
		t.Errorf("error details (-want +got):\n%s", d)
	}
}

func (f *fixture) assignTrunk(e164, trunkID string) numberpool.Number {
	f.t.Helper()
	n, err := f.store.AssignTrunk(f.ctx, "acc_a", e164, trunkID)
	if err != nil {
		f.t.Fatalf("AssignTrunk(%s, %s): %v", e164, trunkID, err)
	}
	return n
}

func (f *fixture) assignApplication(e164, applicationID string) numberpool.Number {
	f.t.Helper()
	n, err := f.store.AssignApplication(f.ctx, "acc_a", e164, applicationID)
	if err != nil {
		f.t.Fatalf("AssignApplication(%s, %s): %v", e164, applicationID, err)
	}
	return n
}

func testAssign(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a", "acc_b")
	n := owned(usNumber(1), "acc_a", t0.Add(-day))
	f.load(n, owned(usNumber(2), "acc_a", t0.Add(-day)))
	f.trunk("acc_a", "trunk_one", "Main SIP trunk")
	f.trunk("acc_b", "trunk_foreign", "Not yours")
	f.application("acc_a", "app_one", "IVR")

	f.clock.Advance(time.Minute)
	got := f.assignTrunk(n.E164, "trunk_one")
	want := stored(n, t0.Add(time.Minute))
	want.TrunkID = "trunk_one"
	if d := diff(want, got); d != "" {
		t.Errorf("AssignTrunk (-want +got):\n%s", d)
	}
	if d := diff(want, f.get("acc_a", n.E164)); d != "" {
		t.Errorf("GetNumber after AssignTrunk (-want +got):\n%s", d)
	}

	got = f.assignApplication(n.E164, "app_one")
	if got.TrunkID != "" || got.ApplicationID != "app_one" {
		t.Errorf("AssignApplication routes to trunk %q and application %q, want only app_one", got.TrunkID, got.ApplicationID)
	}
	got = f.assignTrunk(n.E164, "trunk_one")
	if got.TrunkID != "trunk_one" || got.ApplicationID != "" {
		t.Errorf("AssignTrunk routes to trunk %q and application %q, want only trunk_one", got.TrunkID, got.ApplicationID)
	}
	got, err := f.store.UnassignApplication(f.ctx, "acc_a", n.E164)
	if err != nil || got.TrunkID != "trunk_one" {
		t.Errorf("UnassignApplication = trunk %q (error %v), want the trunk kept", got.TrunkID, err)
	}
	got, err = f.store.UnassignTrunk(f.ctx, "acc_a", n.E164)
	if err != nil || got.TrunkID != "" || f.get("acc_a", n.E164).TrunkID != "" {
		t.Errorf("UnassignTrunk = trunk %q (error %v), want none", got.TrunkID, err)
	}

	_, err = f.store.AssignTrunk(f.ctx, "acc_a", n.E164, "trunk_foreign")
	wantCode(t, err, numberpool.CodeNotFound)
	wantMessageNames(t, err, "trunk_foreign")
	_, err = f.store.AssignApplication(f.ctx, "acc_a", n.E164, "app_missing")
	wantCode(t, err, numberpool.CodeNotFound)
	_, err = f.store.AssignTrunk(f.ctx, "acc_b", n.E164, "trunk_foreign")
	wantNumberNotFound(t, err, n.E164)

	f.release("acc_a", usNumber(2))
	_, err = f.store.AssignTrunk(f.ctx, "acc_a", usNumber(2), "trunk_one")
	wantCode(t, err, numberpool.CodeConflict)
	_, err = f.store.UnassignTrunk(f.ctx, "acc_a", usNumber(2))
	wantCode(t, err, numberpool.CodeConflict)
}

// testRouteReleaseCancel checks that the preview warns about an assignment
// without blocking, that the release removes it and that a cancel restores
// it.
func testRouteReleaseCancel(t *testing.T, newStore Harness) {
	tests := []struct {
		name    string
		assign  func(f *fixture, e164 string)
		warning string
		check   func(n numberpool.Number) bool
	}{
		{"trunk", func(f *fixture, e164 string) { f.assignTrunk(e164, "trunk_one") },
			"routes to trunk trunk_one (Main SIP trunk); releasing removes the assignment",
			func(n numberpool.Number) bool { return n.TrunkID == "trunk_one" && n.ApplicationID == "" }},
		{"application", func(f *fixture, e164 string) { f.assignApplication(e164, "app_one") },
			"routes to application app_one (IVR); releasing removes the assignment",
			func(n numberpool.Number) bool { return n.ApplicationID == "app_one" && n.TrunkID == "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, newStore, defaultPolicies())
			f.accounts("acc_a")
			f.load(owned(usNumber(1), "acc_a", t0.AddDate(-1, 0, 0)))
			f.trunk("acc_a", "trunk_one", "Main SIP trunk")
			f.application("acc_a", "app_one", "IVR")
			tt.assign(f, usNumber(1))

			want := numberpool.Preview{E164: usNumber(1), CanRelease: true, CoolingOffDays: 30, Warnings: []string{tt.warning}}
			if d := diff(want, f.preview("acc_a", usNumber(1))); d != "" {
				t.Errorf("PreviewRelease (-want +got):\n%s", d)
			}
			f.release("acc_a", usNumber(1))
			if n := f.get("acc_a", usNumber(1)); n.TrunkID != "" || n.ApplicationID != "" {
				t.Errorf("after release: trunk %q, application %q, want none", n.TrunkID, n.ApplicationID)
			}

			c, err := f.store.CancelRelease(f.ctx, "acc_a", usNumber(1))
			if err != nil {
				t.Fatalf("CancelRelease: %v", err)
			}
			if len(c.Warnings) != 0 {
				t.Errorf("CancelRelease warnings = %q, want none", c.Warnings)
			}
			if n := f.get("acc_a", usNumber(1)); !tt.check(n) {
				t.Errorf("after cancel: trunk %q, application %q, want the assignment restored", n.TrunkID, n.ApplicationID)
			}
		})
	}
}

// testCancelAfterDelete checks that a cancel succeeds when the trunk or
// application of the released number was deleted meanwhile, and returns a
// warning about it.
func testCancelAfterDelete(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a")
	f.load(owned(usNumber(1), "acc_a", t0.AddDate(-1, 0, 0)), owned(usNumber(2), "acc_a", t0.AddDate(-1, 0, 0)))
	f.trunk("acc_a", "trunk_one", "Main SIP trunk")
	f.application("acc_a", "app_one", "IVR")
	f.assignTrunk(usNumber(1), "trunk_one")
	f.assignApplication(usNumber(2), "app_one")
	f.release("acc_a", usNumber(1))
	f.release("acc_a", usNumber(2))
	if err := f.store.DeleteTrunk(f.ctx, "acc_a", "trunk_one"); err != nil {
		t.Fatalf("DeleteTrunk of a trunk that only released numbers used: %v", err)
	}
	if err := f.store.DeleteApplication(f.ctx, "acc_a", "app_one"); err != nil {
		t.Fatalf("DeleteApplication: %v", err)
	}

	for _, tc := range []struct{ e164, warning string }{
		{usNumber(1), "the assignment to trunk trunk_one was not restored because the trunk was deleted after the release"},
		{usNumber(2), "the assignment to application app_one was not restored because the application was deleted after the release"},
	} {
		c, err := f.store.CancelRelease(f.ctx, "acc_a", tc.e164)
		if err != nil {
			t.Fatalf("CancelRelease(%s): %v", tc.e164, err)
		}
		if d := diff([]string{tc.warning}, c.Warnings); d != "" {
			t.Errorf("CancelRelease(%s) warnings (-want +got):\n%s", tc.e164, d)
		}
		n := f.get("acc_a", tc.e164)
		if n.Status != numberpool.StatusActive || n.TrunkID != "" || n.ApplicationID != "" {
			t.Errorf("after cancel: %s, trunk %q, application %q, want active and unassigned", n.Status, n.TrunkID, n.ApplicationID)
		}
	}
}

// testBlockers covers calls, holds and release protection, and how they
// block a release.
func testBlockers(t *testing.T, newStore Harness, _ config) {
	t.Run("calls", func(t *testing.T) { testCalls(t, newStore) })
	t.Run("call expiry", func(t *testing.T) { testCallExpiry(t, newStore) })
	t.Run("call pruning", func(t *testing.T) { testCallPruning(t, newStore) })
	t.Run("each blocker", func(t *testing.T) { testEachBlocker(t, newStore) })
	t.Run("all blockers", func(t *testing.T) { testAllBlockers(t, newStore) })
	t.Run("holds", func(t *testing.T) { testHolds(t, newStore) })
	t.Run("protection", func(t *testing.T) { testProtection(t, newStore) })
	t.Run("guards of many", func(t *testing.T) { testGuardsOfMany(t, newStore) })
	t.Run("call release race", func(t *testing.T) { testCallReleaseRace(t, newStore) })
}

func (f *fixture) call(e164, callID string, event numberpool.CallEvent) numberpool.CallReport {
	f.t.Helper()
	r, err := f.store.RecordCallEvent(f.ctx, "acc_a", e164, callID, event)
	if err != nil {
		f.t.Fatalf("RecordCallEvent(%s, %s, %s): %v", e164, callID, event, err)
	}
	return r
}

func (f *fixture) guards(e164 string) numberpool.ReleaseGuards {
	f.t.Helper()
	g, err := f.store.ReleaseGuards(f.ctx, "acc_a", []string{e164})
	if err != nil {
		f.t.Fatalf("ReleaseGuards(%s): %v", e164, err)
	}
	return g[e164]
}

func testCalls(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a", "acc_b")
	e164 := usNumber(1)
	f.load(owned(e164, "acc_a", t0.Add(-day)), owned(usNumber(2), "acc_a", t0.Add(-day)))

	steps := []struct {
		callID string
		event  numberpool.CallEvent
		active int
	}{
		{"c1", numberpool.CallStarted, 1},
		{"c1", numberpool.CallStarted, 1}, // a repeated event changes nothing
		{"c2", numberpool.CallStarted, 2},
		{"c1", numberpool.CallEnded, 1},
		{"c1", numberpool.CallEnded, 1},
		{"c1", numberpool.CallStarted, 1}, // a started after its ended is ignored
		{"c3", numberpool.CallEnded, 1},   // an ended that arrives first
		{"c3", numberpool.CallStarted, 1},
		{"c2", numberpool.CallEnded, 0},
	}
	for i, step := range steps {
		got := f.call(e164, step.callID, step.event)
		want := numberpool.CallReport{E164: e164, CallID: step.callID, Event: step.event, ActiveCalls: step.active}
		if d := diff(want, got); d != "" {
			t.Errorf("step %d, %s %s (-want +got):\n%s", i, step.callID, step.event, d)
		}
	}
	if got := f.guards(usNumber(2)).ActiveCalls; got != 0 {
		t.Errorf("active calls of another number = %d, want 0", got)
	}

	_, err := f.store.RecordCallEvent(f.ctx, "acc_b", e164, "c9", numberpool.CallStarted)
	wantNumberNotFound(t, err, e164)
	f.release("acc_a", usNumber(2))
	_, err = f.store.RecordCallEvent(f.ctx, "acc_a", usNumber(2), "c9", numberpool.CallStarted)
	wantCode(t, err, numberpool.CodeConflict)
	if _, err := f.store.RecordCallEvent(f.ctx, "acc_a", usNumber(2), "c9", numberpool.CallEnded); err != nil {
		t.Errorf("ended on a released number: %v, want it recorded", err)
	}
}

// testCallExpiry checks that a call without an ended event stops counting
// at the default maximum call duration.
func testCallExpiry(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a")
	e164 := usNumber(1)
	f.load(owned(e164, "acc_a", t0.AddDate(-1, 0, 0)))
	f.call(e164, "lost", numberpool.CallStarted)

	f.clock.Advance(numberpool.DefaultMaxCallDuration - time.Second)
	if got := f.guards(e164).ActiveCalls; got != 1 {
		t.Errorf("active calls a second before the maximum duration = %d, want 1", got)
	}
	_, err := f.store.ReleaseNumber(f.ctx, "acc_a", e164)
	wantCode(t, err, numberpool.CodeReleaseBlocked)

	f.clock.Advance(time.Second)
	if got := f.guards(e164).ActiveCalls; got != 0 {
		t.Errorf("active calls at the maximum duration = %d, want 0", got)
	}
	f.release("acc_a", e164)
}

// blockerCase sets up one blocker on a number of acc_a and names the
// blocker it must produce.
type blockerCase struct {
	name    string
	setup   func(f *fixture, e164 string)
	blocker numberpool.Blocker
}

func blockerCases() []blockerCase {
	return []blockerCase{
		{"one call", func(f *fixture, e164 string) { f.call(e164, "c1", numberpool.CallStarted) },
			numberpool.Blocker{Kind: numberpool.BlockerActiveCalls, Message: "1 active call in progress"}},
		{"two calls", func(f *fixture, e164 string) {
			f.call(e164, "c1", numberpool.CallStarted)
			f.call(e164, "c2", numberpool.CallStarted)
		}, numberpool.Blocker{Kind: numberpool.BlockerActiveCalls, Message: "2 active calls in progress"}},
		{"billing", func(f *fixture, e164 string) {
			f.hold(numberpool.Hold{E164: e164, Kind: numberpool.HoldBilling, Reason: "invoice 1042 unpaid"})
		},
			numberpool.Blocker{Kind: numberpool.BlockerBillingHold, Message: "a billing issue is open on this number (invoice 1042 unpaid)"}},
		{"account billing", func(f *fixture, _ string) {
			f.hold(numberpool.Hold{AccountID: "acc_a", Kind: numberpool.HoldBilling, Reason: "card declined"})
		}, numberpool.Blocker{Kind: numberpool.BlockerBillingHold, Message: "a billing issue is open on this number (account hold: card declined)"}},
		{"port out", func(f *fixture, e164 string) {
			f.hold(numberpool.Hold{E164: e164, Kind: numberpool.HoldPortOut, Reason: "port to Carrier X"})
		},
			numberpool.Blocker{Kind: numberpool.BlockerPortOutHold, Message: "a port-out request is in progress (port to Carrier X)"}},
		{"legal", func(f *fixture, e164 string) {
			f.hold(numberpool.Hold{E164: e164, Kind: numberpool.HoldLegal, Reason: "court order 7"})
		},
			numberpool.Blocker{Kind: numberpool.BlockerLegalHold, Message: "a legal hold is on this number (court order 7)"}},
		{"protection", func(f *fixture, e164 string) { f.protect(e164, true) },
			numberpool.Blocker{Kind: numberpool.BlockerReleaseProtection,
				Message: `release protection is on; turn it off with PATCH on the number and {"release_protection": false}`}},
	}
}

func (f *fixture) hold(h numberpool.Hold) numberpool.Hold {
	f.t.Helper()
	placed, err := f.store.PlaceHold(f.ctx, h)
	if err != nil {
		f.t.Fatalf("PlaceHold(%+v): %v", h, err)
	}
	return placed
}

func (f *fixture) protect(e164 string, on bool) {
	f.t.Helper()
	if err := f.store.SetReleaseProtection(f.ctx, "acc_a", e164, on); err != nil {
		f.t.Fatalf("SetReleaseProtection(%s, %t): %v", e164, on, err)
	}
}

// testEachBlocker checks every blocker alone: the preview keeps the fee and
// the cooling-off period but cannot release, and the release fails with the
// blocker as its one detail and changes nothing.
func testEachBlocker(t *testing.T, newStore Harness) {
	for _, tc := range blockerCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, newStore, defaultPolicies())
			f.accounts("acc_a")
			e164 := usNumber(1)
			f.load(owned(e164, "acc_a", t0.Add(-42*day)))
			tc.setup(f, e164)

			want := numberpool.Preview{
				E164: e164, CanRelease: false, EarlyTerminationFee: 2500, CoolingOffDays: 30,
				Warnings: []string{tc.blocker.Message, feeWarning},
			}
			if d := diff(want, f.preview("acc_a", e164)); d != "" {
				t.Errorf("PreviewRelease (-want +got):\n%s", d)
			}

			_, err := f.store.ReleaseNumber(f.ctx, "acc_a", e164)
			wantCode(t, err, numberpool.CodeReleaseBlocked)
			wantDetails(t, err, []numberpool.ErrorDetail{{Field: string(tc.blocker.Kind), Reason: tc.blocker.Message}})
			if got := f.get("acc_a", e164).Status; got != numberpool.StatusActive {
				t.Errorf("status after a blocked release = %s, want active", got)
			}
			if got := f.charges("acc_a"); len(got) != 0 {
				t.Errorf("charges after a blocked release = %+v, want none", got)
			}
		})
	}
}

// testAllBlockers checks that a release lists every blocker in the stable
// order, whatever order they were set up in, and succeeds once all are gone.
func testAllBlockers(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a")
	e164 := usNumber(1)
	f.load(owned(e164, "acc_a", t0.AddDate(-1, 0, 0)))
	f.trunk("acc_a", "trunk_one", "Main SIP trunk")
	f.assignTrunk(e164, "trunk_one")

	cases := blockerCases()
	var want []numberpool.ErrorDetail
	for i := len(cases) - 1; i >= 0; i-- {
		if cases[i].name == "one call" || cases[i].name == "account billing" {
			continue
		}
		cases[i].setup(f, e164)
		f.clock.Advance(time.Second)
	}
	for _, tc := range cases {
		if tc.name != "one call" && tc.name != "account billing" {
			want = append(want, numberpool.ErrorDetail{Field: string(tc.blocker.Kind), Reason: tc.blocker.Message})
		}
	}

	_, err := f.store.ReleaseNumber(f.ctx, "acc_a", e164)
	wantCode(t, err, numberpool.CodeReleaseBlocked)
	wantDetails(t, err, want)
	preview := f.preview("acc_a", e164)
	wantWarnings := []string{}
	for _, d := range want {
		wantWarnings = append(wantWarnings, d.Reason)
	}
	wantWarnings = append(wantWarnings, "routes to trunk trunk_one (Main SIP trunk); releasing removes the assignment")
	if d := diff(wantWarnings, preview.Warnings); d != "" {
		t.Errorf("preview warnings (-want +got):\n%s", d)
	}

	f.call(e164, "c1", numberpool.CallEnded)
	f.call(e164, "c2", numberpool.CallEnded)
	for _, kind := range []numberpool.HoldKind{numberpool.HoldBilling, numberpool.HoldPortOut, numberpool.HoldLegal} {
		if _, err := f.store.LiftHold(f.ctx, "", e164, kind); err != nil {
			t.Fatalf("LiftHold(%s): %v", kind, err)
		}
	}
	f.protect(e164, false)
	if p := f.preview("acc_a", e164); !p.CanRelease {
		t.Errorf("preview after clearing every blocker: can_release false, warnings %q", p.Warnings)
	}
	f.release("acc_a", e164)
}

func testHolds(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a", "acc_b")
	e164 := usNumber(1)
	f.load(owned(e164, "acc_a", t0.Add(-day)), owned(usNumber(2), "acc_a", t0.Add(-day)), availableNumber(usNumber(3)))

	placed := f.hold(numberpool.Hold{E164: e164, Kind: numberpool.HoldPortOut, Reason: "port to Carrier X"})
	want := numberpool.Hold{AccountID: "acc_a", E164: e164, Kind: numberpool.HoldPortOut, Reason: "port to Carrier X", PlacedAt: t0}
	if d := diff(want, placed); d != "" {
		t.Errorf("PlaceHold (-want +got):\n%s", d)
	}
	_, err := f.store.PlaceHold(f.ctx, numberpool.Hold{E164: e164, Kind: numberpool.HoldPortOut, Reason: "again"})
	wantCode(t, err, numberpool.CodeConflict)
	_, err = f.store.PlaceHold(f.ctx, numberpool.Hold{E164: usNumber(3), Kind: numberpool.HoldLegal, Reason: "x"})
	wantCode(t, err, numberpool.CodeNotFound)
	_, err = f.store.PlaceHold(f.ctx, numberpool.Hold{AccountID: "acc_missing", Kind: numberpool.HoldBilling, Reason: "x"})
	wantCode(t, err, numberpool.CodeNotFound)

	f.clock.Advance(time.Minute)
	account := f.hold(numberpool.Hold{AccountID: "acc_a", Kind: numberpool.HoldBilling, Reason: "card declined"})
	if g := f.guards(usNumber(2)); !g.Suspended() || len(g.Holds) != 1 {
		t.Errorf("guards of another number of the account = %+v, want the account's billing hold", g)
	}
	holds, err := f.store.ListHolds(f.ctx, "acc_a")
	if err != nil {
		t.Fatalf("ListHolds: %v", err)
	}
	if d := diff([]numberpool.Hold{want, account}, holds); d != "" {
		t.Errorf("ListHolds (-want +got):\n%s", d)
	}
	if holds, _ := f.store.ListHolds(f.ctx, "acc_b"); len(holds) != 0 {
		t.Errorf("ListHolds of another account = %+v, want none", holds)
	}

	f.clock.Advance(time.Minute)
	lifted, err := f.store.LiftHold(f.ctx, "acc_a", "", numberpool.HoldBilling)
	if err != nil {
		t.Fatalf("LiftHold of the account hold: %v", err)
	}
	account.LiftedAt = t0.Add(2 * time.Minute)
	if d := diff(account, lifted); d != "" {
		t.Errorf("LiftHold (-want +got):\n%s", d)
	}
	_, err = f.store.LiftHold(f.ctx, "acc_a", "", numberpool.HoldBilling)
	wantCode(t, err, numberpool.CodeNotFound)
	_, err = f.store.LiftHold(f.ctx, "", e164, numberpool.HoldLegal)
	wantCode(t, err, numberpool.CodeNotFound)
	if g := f.guards(usNumber(2)); g.Suspended() {
		t.Errorf("guards after lifting the account hold = %+v, want no billing hold", g)
	}
}

func testProtection(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a", "acc_b")
	e164 := usNumber(1)
	f.load(owned(e164, "acc_a", t0.AddDate(-1, 0, 0)), owned(usNumber(2), "acc_a", t0.AddDate(-1, 0, 0)))

	f.clock.Advance(time.Minute)
	f.protect(e164, true)
	switchedOn := f.get("acc_a", e164).UpdatedAt
	if want := t0.Add(time.Minute); !switchedOn.Equal(want) {
		t.Errorf("updated_at after switching protection on = %s, want %s", switchedOn, want)
	}
	f.clock.Advance(time.Minute)
	f.protect(e164, true)
	if got := f.get("acc_a", e164).UpdatedAt; !got.Equal(switchedOn) {
		t.Errorf("updated_at after switching protection on again = %s, want %s unchanged", got, switchedOn)
	}
	if !f.guards(e164).ReleaseProtection {
		t.Error("release protection off after switching it on")
	}
	wantNumberNotFound(t, f.store.SetReleaseProtection(f.ctx, "acc_b", e164, false), e164)
	f.protect(e164, false)
	if f.guards(e164).ReleaseProtection {
		t.Error("release protection on after switching it off")
	}
	if got, want := f.get("acc_a", e164).UpdatedAt, t0.Add(2*time.Minute); !got.Equal(want) {
		t.Errorf("updated_at after switching protection off = %s, want %s", got, want)
	}

	f.release("acc_a", usNumber(2))
	wantCode(t, f.store.SetReleaseProtection(f.ctx, "acc_a", usNumber(2), true), numberpool.CodeConflict)
}

// testCallReleaseRace starts a call and releases the number at the same
// time, for many numbers. Either the call counts and the release is
// blocked, or the release wins and the call start gets CONFLICT: never
// both, never neither.
func testCallReleaseRace(t *testing.T, newStore Harness) {
	const rounds = 30
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a")
	f.load(numbers(1, rounds+1, func(e164 string) numberpool.Number { return owned(e164, "acc_a", t0.AddDate(-1, 0, 0)) })...)

	callWins, releaseWins := 0, 0
	for i := 1; i <= rounds; i++ {
		e164 := usNumber(i)
		var callErr, releaseErr error
		start := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			<-start
			_, callErr = f.store.RecordCallEvent(f.ctx, "acc_a", e164, fmt.Sprintf("race-%d", i), numberpool.CallStarted)
		})
		wg.Go(func() {
			<-start
			_, releaseErr = f.store.ReleaseNumber(f.ctx, "acc_a", e164)
		})
		close(start)
		wg.Wait()

		status := f.get("acc_a", e164).Status
		switch {
		case callErr == nil && numberpool.IsCode(releaseErr, numberpool.CodeReleaseBlocked) && status == numberpool.StatusActive:
			callWins++
		case releaseErr == nil && numberpool.IsCode(callErr, numberpool.CodeConflict) && status == numberpool.StatusReleased:
			releaseWins++
		default:
			t.Errorf("%s: call error %v, release error %v, status %s: want exactly one to win", e164, callErr, releaseErr, status)
		}
	}
	t.Logf("call won %d rounds, release won %d", callWins, releaseWins)
}

func availableNumber(e164 string) numberpool.Number {
	n := owned(e164, "", time.Time{})
	n.Status = numberpool.StatusAvailable
	return n
}

// testGuardsOfMany reads the guards of several numbers at once, with a
// number repeated, and checks them against what each number has.
func testGuardsOfMany(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a")
	f.load(numbers(1, 4, func(e164 string) numberpool.Number { return owned(e164, "acc_a", t0.Add(-day)) })...)
	f.call(usNumber(1), "c1", numberpool.CallStarted)
	f.call(usNumber(1), "c2", numberpool.CallStarted)
	f.protect(usNumber(2), true)
	portOut := f.hold(numberpool.Hold{E164: usNumber(3), Kind: numberpool.HoldPortOut, Reason: "port to Carrier X"})
	f.clock.Advance(time.Second)
	billing := f.hold(numberpool.Hold{AccountID: "acc_a", Kind: numberpool.HoldBilling, Reason: "card declined"})

	got, err := f.store.ReleaseGuards(f.ctx, "acc_a", []string{usNumber(3), usNumber(1), usNumber(2), usNumber(1)})
	if err != nil {
		t.Fatalf("ReleaseGuards: %v", err)
	}
	want := map[string]numberpool.ReleaseGuards{
		usNumber(1): {ActiveCalls: 2, Holds: []numberpool.Hold{billing}},
		usNumber(2): {ReleaseProtection: true, Holds: []numberpool.Hold{billing}},
		usNumber(3): {Holds: []numberpool.Hold{portOut, billing}},
	}
	if d := diff(want, got); d != "" {
		t.Errorf("ReleaseGuards (-want +got):\n%s", d)
	}
	for e164, g := range want {
		if d := diff(g, f.guards(e164)); d != "" {
			t.Errorf("ReleaseGuards of %s alone (-want +got):\n%s", e164, d)
		}
	}
}
