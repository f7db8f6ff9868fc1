package plans

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// EncodeState returns the JSON encoding of an observed state and its digest.
// encoding/json sorts map keys, so equal states encode, and digest, equally.
func EncodeState(state any) (json.RawMessage, string, error) {
	b, err := json.Marshal(state)
	if err != nil {
		return nil, "", fmt.Errorf("encode observed state: %w", err)
	}
	sum := sha256.Sum256(b)
	return b, "sha256:" + hex.EncodeToString(sum[:]), nil
}
