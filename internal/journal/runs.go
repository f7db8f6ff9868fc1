package journal

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/operation"
	"github.com/rectifyhq/rectify/plans"
)

// In-flight is the status of a change recorded as starting and not yet
// finished; a killed process leaves it so.
const InFlight = "in-flight"

// RunRecord is one run as the journal holds it.
type RunRecord struct {
	ID              int64             `json:"id"`
	Kind            operation.Kind    `json:"kind"`
	Started         time.Time         `json:"started"`
	Finished        time.Time         `json:"finished,omitzero"`
	User            string            `json:"user"`
	Machine         string            `json:"machine"`
	PID             int               `json:"pid"`
	Playbook        string            `json:"playbook"`
	PlaybookDigest  string            `json:"playbook_digest"`
	Inventory       string            `json:"inventory"`
	InventoryDigest string            `json:"inventory_digest"`
	PlanDigest      string            `json:"plan_digest"`
	WindowOverride  string            `json:"window_override,omitempty"`
	PlanAgeOverride string            `json:"plan_age_override,omitempty"`
	Outcome         operation.Outcome `json:"outcome"`
	Summary         string            `json:"summary,omitempty"`
	// Identity is who ran it as the journal knows them: the OS account,
	// or the role a shared journal's database authenticated.
	Identity string `json:"identity,omitempty"`
	// PlannedBy is who made the plan an apply applied; ApprovedBy who
	// approved it, comma-separated.
	PlannedBy  string `json:"planned_by,omitempty"`
	ApprovedBy string `json:"approved_by,omitempty"`
	// Unfinished is set for a run still marked running whose process is
	// gone: it was killed, and its in-flight changes may or may not have
	// been made.
	Unfinished bool `json:"unfinished,omitempty"`
}

// ChangeRecord is one change as the journal holds it.
type ChangeRecord struct {
	ID       int64           `json:"id"`
	RunID    int64           `json:"run_id"`
	Address  string          `json:"address"`
	Step     string          `json:"step"`
	Host     string          `json:"host"`
	Action   string          `json:"action"`
	Object   string          `json:"object"`
	Planned  json.RawMessage `json:"planned"`
	Status   string          `json:"status"`
	Error    string          `json:"error,omitempty"`
	After    json.RawMessage `json:"after,omitempty"`
	Undo     json.RawMessage `json:"undo,omitempty"`
	Messages []string        `json:"messages,omitempty"`
	Started  time.Time       `json:"started"`
	Finished time.Time       `json:"finished,omitzero"`
}

// Run is an open run: it records changes for the engine and holds the
// locks of its hosts.
type Run struct {
	j  *Journal
	ID int64
}

var (
	_ operation.Journal = (*Journal)(nil)
	_ operation.Run     = (*Run)(nil)
)

func whoAmI() (string, string) {
	name := "unknown"
	if u := osUser(); u != "" {
		name = u
	}
	machine, err := os.Hostname()
	if err != nil {
		machine = "unknown"
	}
	return name, machine
}

// Begin records the start of a run for the operation layer (see
// StartRun).
func (j *Journal) Begin(ctx context.Context, info operation.RunInfo) (operation.Run, error) {
	run, err := j.StartRun(ctx, info)
	if err != nil {
		return nil, err
	}
	return run, nil
}

// StartRun records the start of a run. An apply run of a plan that an
// earlier apply run already applied is recorded as refused, and StartRun
// returns a *operation.ReplayError.
func (j *Journal) StartRun(ctx context.Context, info operation.RunInfo) (*Run, error) {
	who, machine := whoAmI()
	tx, err := j.begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("journal: record the run: %w", err)
	}
	defer tx.Rollback()
	var replay *operation.ReplayError
	if info.Kind == operation.KindApply && info.PlanDigest != "" {
		if replay, err = earlierApply(ctx, tx, info.PlanDigest); err != nil {
			return nil, err
		}
	}
	outcome, summary, finished := operation.Running, "", sql.NullString{}
	if replay != nil {
		outcome, summary, finished = operation.Refused, replay.Error(), sql.NullString{String: stamp(time.Now()), Valid: true}
	}
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO runs(kind, started, finished, "user", machine, pid, playbook, playbook_digest, inventory, inventory_digest, plan_digest, window_override, plan_age_override, outcome, summary, identity, planned_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		string(info.Kind), stamp(time.Now()), finished, who, machine, os.Getpid(), info.Playbook, info.PlaybookDigest, info.Inventory, info.InventoryDigest, info.PlanDigest,
		info.WindowOverride, info.PlanAgeOverride, string(outcome), summary, j.who, info.PlannedBy).Scan(&id)
	if err != nil {
		return nil, fmt.Errorf("journal: record the run: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("journal: record the run: %w", err)
	}
	if replay != nil {
		return nil, replay
	}
	return &Run{j: j, ID: id}, nil
}

// RunID returns the run's number.
func (r *Run) RunID() int64 { return r.ID }

// Finish records how the run ended.
func (r *Run) Finish(ctx context.Context, outcome operation.Outcome, summary string) error {
	_, err := r.j.exec(ctx, `UPDATE runs SET finished = ?, outcome = ?, summary = ? WHERE id = ?`, stamp(time.Now()), string(outcome), summary, r.ID)
	if err != nil {
		return fmt.Errorf("journal: record the end of run %d: %w", r.ID, err)
	}
	return nil
}

// ChangeStarting records a change before it is made.
func (r *Run) ChangeStarting(ctx context.Context, in plans.Instance) (int64, error) {
	planned, err := json.Marshal(in.Change)
	if err != nil {
		return 0, fmt.Errorf("journal: encode the planned change: %w", err)
	}
	var id int64
	err = r.j.queryRow(ctx, `INSERT INTO changes(run_id, address, step, host, action, object, planned, status, started)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		r.ID, in.Address, in.Step, in.Host, string(in.Change.Action), in.Change.Object, string(planned), InFlight, stamp(time.Now())).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("journal: record the change to %s: %w", in.Address, err)
	}
	return id, nil
}

// ChangeFinished records how a change ended.
func (r *Run) ChangeFinished(ctx context.Context, id int64, res plans.ChangeResult) error {
	msgs, err := json.Marshal(res.Messages)
	if err != nil {
		return fmt.Errorf("journal: encode messages: %w", err)
	}
	_, err = r.j.exec(ctx, `UPDATE changes SET status = ?, error = ?, after = ?, undo = ?, messages = ?, finished = ? WHERE id = ? AND run_id = ?`,
		string(res.Status), res.Error, string(res.After), string(res.Undo), string(msgs), stamp(res.Finished), id, r.ID)
	if err != nil {
		return fmt.Errorf("journal: record the outcome of %s: %w", res.Address, err)
	}
	return nil
}

// Runs lists the most recent runs, newest first.
func (j *Journal) Runs(ctx context.Context, limit int) ([]RunRecord, error) {
	if limit <= 0 {
		limit = 50
	}
	rows, err := j.query(ctx, `SELECT `+runColumns+` FROM runs ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("journal: list runs: %w", err)
	}
	defer rows.Close()
	var out []RunRecord
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ErrNoRun is returned for a run id the journal does not hold.
var ErrNoRun = errors.New("no such run")

// Run returns one run and its changes in the order they started.
func (j *Journal) Run(ctx context.Context, id int64) (RunRecord, []ChangeRecord, error) {
	r, err := scanRun(j.queryRow(ctx, `SELECT `+runColumns+` FROM runs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return RunRecord{}, nil, fmt.Errorf("run %d: %w", id, ErrNoRun)
	}
	if err != nil {
		return RunRecord{}, nil, err
	}
	rows, err := j.query(ctx, `SELECT id, run_id, address, step, host, action, object, planned, status, error, after, undo, messages, started, finished FROM changes WHERE run_id = ? ORDER BY id`, id)
	if err != nil {
		return RunRecord{}, nil, fmt.Errorf("journal: read run %d: %w", id, err)
	}
	defer rows.Close()
	var changes []ChangeRecord
	for rows.Next() {
		var c ChangeRecord
		var planned, after, undo, msgs string
		var started, finished sql.NullString
		if err := rows.Scan(&c.ID, &c.RunID, &c.Address, &c.Step, &c.Host, &c.Action, &c.Object, &planned, &c.Status, &c.Error, &after, &undo, &msgs, &started, &finished); err != nil {
			return RunRecord{}, nil, fmt.Errorf("journal: read run %d: %w", id, err)
		}
		c.Planned = rawOrNil(planned)
		c.After = rawOrNil(after)
		c.Undo = rawOrNil(undo)
		if msgs != "" && msgs != "null" {
			_ = json.Unmarshal([]byte(msgs), &c.Messages)
		}
		c.Started, c.Finished = parseStamp(started), parseStamp(finished)
		changes = append(changes, c)
	}
	return r, changes, rows.Err()
}

func rawOrNil(s string) json.RawMessage {
	if s == "" || s == "null" {
		return nil
	}
	return json.RawMessage(s)
}

const runColumns = `id, kind, started, finished, "user", machine, pid, playbook, playbook_digest, inventory, inventory_digest, plan_digest, window_override, plan_age_override, outcome, summary, identity, planned_by, approved_by`

type scanner interface{ Scan(...any) error }

func scanRun(s scanner) (RunRecord, error) {
	var r RunRecord
	var started, finished sql.NullString
	if err := s.Scan(&r.ID, &r.Kind, &started, &finished, &r.User, &r.Machine, &r.PID, &r.Playbook, &r.PlaybookDigest, &r.Inventory, &r.InventoryDigest, &r.PlanDigest, &r.WindowOverride, &r.PlanAgeOverride, &r.Outcome, &r.Summary, &r.Identity, &r.PlannedBy, &r.ApprovedBy); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return r, err
		}
		return r, fmt.Errorf("journal: read a run: %w", err)
	}
	r.Started, r.Finished = parseStamp(started), parseStamp(finished)
	if r.Outcome == operation.Running {
		_, machine := whoAmI()
		r.Unfinished = strings.EqualFold(r.Machine, machine) && !processAlive(r.PID)
	}
	return r, nil
}
