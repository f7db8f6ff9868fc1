"""The server side of SASL's GSSAPI mechanism (RFC 4752) on MIT's GSSAPI.

rectify's client side (internal/kerberos InitiateSASL, SASL) is checked
against it: the AP-REQ and its channel bindings, the AP-REP, the offer of
security layers, the client's choice, and messages protected by the
chosen layer are all MIT's to accept or produce. Nothing here is rectify's.

Reads one JSON request per line on stdin and answers one JSON line on
stdout. The first line configures the acceptor: {"bindings": base64 or
null}. Then:
  {"step": base64}    -> {"token": base64}         (accept the AP-REQ)
  {"offer": layers, "max": n} -> {"token": base64}  (wrap the offer, signed)
  {"choice": base64}  -> {"payload": base64, "encrypted": bool}
  {"unwrap": base64}  -> {"payload": base64, "encrypted": bool}
  {"wrap": base64, "encrypt": bool} -> {"token": base64}
A failure answers {"error": "..."} and ends the script. KRB5_KTNAME names
the service's keytab; KRB5_CONFIG a krb5.conf with the default realm.
"""
import base64
import json
import struct
import sys

import gssapi
import gssapi.raw as graw


def answer(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    conf = json.loads(sys.stdin.readline())
    bindings = None
    if conf.get("bindings"):
        bindings = graw.ChannelBindings(application_data=base64.b64decode(conf["bindings"]))
    ctx = gssapi.SecurityContext(usage="accept", channel_bindings=bindings)
    for line in sys.stdin:
        req = json.loads(line)
        try:
            if "step" in req:
                out = ctx.step(base64.b64decode(req["step"]))
                if not ctx.complete:
                    raise RuntimeError("the context is not complete after the AP-REQ")
                answer({"token": base64.b64encode(out or b"").decode()})
            elif "offer" in req:
                payload = bytes([req["offer"]]) + struct.pack(">I", req["max"])[1:]
                res = ctx.wrap(payload, False)
                answer({"token": base64.b64encode(res.message).decode()})
            elif "choice" in req or "unwrap" in req:
                res = ctx.unwrap(base64.b64decode(req.get("choice") or req.get("unwrap")))
                answer({"payload": base64.b64encode(res.message).decode(), "encrypted": bool(res.encrypted)})
            elif "wrap" in req:
                res = ctx.wrap(base64.b64decode(req["wrap"]), bool(req["encrypt"]))
                answer({"token": base64.b64encode(res.message).decode()})
        except Exception as e:  # noqa: BLE001 (reported to the test)
            answer({"error": "%s: %s" % (type(e).__name__, e)})
            return


main()
