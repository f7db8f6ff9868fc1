package ops

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestCredentialOpsTakeACredential checks that every op declared as
// authenticating beyond the host takes a "credential" argument and opens
// Exchange's endpoint with it, and that no other op of the library does.
func TestCredentialOpsTakeACredential(t *testing.T) {
	for op, c := range opContracts {
		tags := jsonTags(reflect.TypeOf(c.args), false)
		text := MustScript(op).Text
		uses := strings.Contains(text, "Open-ExchangeSession $a.endpoint $a.credential")
		switch {
		case NeedsCredential(op) && (!slices.Contains(tags, "credential") || !slices.Contains(tags, "endpoint")):
			t.Errorf("%s needs a credential but its arguments have no credential or endpoint field", op)
		case NeedsCredential(op) && !uses:
			t.Errorf("%s needs a credential but does not open Exchange's endpoint with it", op)
		case !NeedsCredential(op) && (slices.Contains(tags, "credential") || uses):
			t.Errorf("%s takes a credential but is not declared as needing one", op)
		}
		if strings.Contains(text, "Add-PSSnapin") {
			t.Errorf("%s loads a snap-in: Exchange's cmdlets run through its management endpoint", op)
		}
	}
}
