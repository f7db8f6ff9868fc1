package ops

import (
	"encoding/base64"
	"regexp"
	"strconv"
	"testing"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/jcmturner/gokrb5/v8/iana/msgtype"
	"github.com/jcmturner/gokrb5/v8/messages"
	"golang.org/x/net/dns/dnsmessage"
)

// udpPayloadEntry matches one entry of net.reach's $udpPayloads table.
var udpPayloadEntry = regexp.MustCompile(`(?m)^\s+([0-9]+)\s*=\s*'([A-Za-z0-9+/=]+)'\s*$`)

// TestNetReachUDPPayloads decodes each request net.reach sends to a
// well-known UDP port with an independent implementation of that protocol,
// so the services really answer them.
func TestNetReachUDPPayloads(t *testing.T) {
	payloads := map[int][]byte{}
	for _, m := range udpPayloadEntry.FindAllStringSubmatch(MustScript(NetReach).Text, -1) {
		port, _ := strconv.Atoi(m[1])
		b, err := base64.StdEncoding.DecodeString(m[2])
		if err != nil {
			t.Fatalf("port %d: %v", port, err)
		}
		payloads[port] = b
	}
	for _, port := range []int{53, 88, 123, 389} {
		if payloads[port] == nil {
			t.Errorf("no UDP request for port %d", port)
		}
	}

	t.Run("dns", func(t *testing.T) {
		var p dnsmessage.Parser
		h, err := p.Start(payloads[53])
		if err != nil {
			t.Fatal(err)
		}
		q, err := p.Question()
		if err != nil {
			t.Fatal(err)
		}
		if h.Response || !h.RecursionDesired || q.Name.String() != "." || q.Type != dnsmessage.TypeNS || q.Class != dnsmessage.ClassINET {
			t.Errorf("DNS request: header %+v, question %+v", h, q)
		}
	})

	t.Run("kerberos", func(t *testing.T) {
		var req messages.ASReq
		if err := req.Unmarshal(payloads[88]); err != nil {
			t.Fatal(err)
		}
		if req.PVNO != 5 || req.MsgType != msgtype.KRB_AS_REQ || req.ReqBody.Realm != "RECTIFY.INVALID" ||
			len(req.ReqBody.SName.NameString) != 2 || req.ReqBody.SName.NameString[0] != "krbtgt" {
			t.Errorf("AS-REQ: %+v", req)
		}
	})

	t.Run("ntp", func(t *testing.T) {
		b := payloads[123]
		if len(b) != 48 || b[0]&0x7 != 3 || (b[0]>>3)&0x7 != 3 {
			t.Errorf("NTP request: % x", b)
		}
	})

	t.Run("cldap", func(t *testing.T) {
		p, err := ber.DecodePacketErr(payloads[389])
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Children) != 2 {
			t.Fatalf("LDAP message has %d parts", len(p.Children))
		}
		search := p.Children[1]
		if search.ClassType != ber.ClassApplication || search.Tag != 3 || len(search.Children) != 8 {
			t.Fatalf("not a SearchRequest: class %v tag %v, %d parts", search.ClassType, search.Tag, len(search.Children))
		}
		base := search.Children[0].Data.String()
		filter := search.Children[6]
		attrs := search.Children[7]
		if base != "" || filter.Tag != 7 || filter.Data.String() != "objectClass" ||
			len(attrs.Children) != 1 || attrs.Children[0].Data.String() != "currentTime" {
			t.Errorf("rootDSE search: base %q, filter tag %v %q, attributes %d", base, filter.Tag, filter.Data.String(), len(attrs.Children))
		}
	})
}
