package journal

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/plans"
)

// Memory returns what the journal remembers of the last applied change of
// every instance of a playbook, by instance address: the engine hands it
// to actions so that temporary changes know when they expire and what to
// restore.
func (j *Journal) Memory(ctx context.Context, playbook string) (map[string]*actions.Memory, error) {
	rows, err := j.query(ctx, `SELECT c.address, c.planned, c.undo, c.finished FROM changes c JOIN runs r ON r.id = c.run_id
		WHERE r.playbook = ? AND c.status = 'applied' ORDER BY c.id`, playbook)
	if err != nil {
		return nil, fmt.Errorf("the journal %s: read earlier changes: %w", j.path, err)
	}
	defer rows.Close()
	out := map[string]*actions.Memory{}
	for rows.Next() {
		var addr, planned, undo string
		var finished sql.NullString
		if err := rows.Scan(&addr, &planned, &undo, &finished); err != nil {
			return nil, fmt.Errorf("the journal %s: read earlier changes: %w", j.path, err)
		}
		var ch plans.Change
		if err := json.Unmarshal([]byte(planned), &ch); err != nil {
			return nil, fmt.Errorf("the journal %s: the change to %s is unreadable: %w", j.path, addr, err)
		}
		m := &actions.Memory{Action: ch.Action, Applied: parseStamp(finished), Undo: rawOrNil(undo), Reverted: ch.Revert}
		m.Expires = engine.ExpiryOf(ch, m.Applied)
		if ch.Revert {
			// A revert keeps the expiry of the change it reverted.
			if prev, ok := out[addr]; ok {
				m.Expires = prev.Expires
			}
		}
		out[addr] = m
	}
	return out, rows.Err()
}
