"""Runs one command through pywinrm over Kerberos with MIT's GSSAPI.

Debian 12's pykerberos (python3-kerberos 1.1.14) has no WinRM message
encryption, so requests-kerberos cannot seal pywinrm's messages. This
script gives pywinrm an authentication handler written on python3-gssapi
(MIT krb5's GSSAPI): the context, its mutual authentication and the
sealing (gss_wrap_iov with a header, as pykerberos' newer
authGSSWinRMEncryptMessage does) are MIT's; the WinRM protocol and its
multipart/encrypted framing are pywinrm's. Neither is rectify's.

Reads a JSON request on stdin (endpoint, hostname, delegate, command,
args, stdin, message_encryption) with KRB5_CONFIG and KRB5CCNAME set, and
prints a JSON result: stdout, stderr, exit code, whether the messages were
sealed and whether the context delegated; or the exception's name.
"""
import base64
import json
import os
import sys

import gssapi
import gssapi.raw as graw
import requests
import winrm
import winrm.transport
from winrm.protocol import Protocol

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pywinrm_run import send_input  # noqa: E402  (pywinrm 0.3 has no send_command_input)


class GSSAuth(requests.auth.AuthBase):
    """A Negotiate (Kerberos) handler for requests on MIT's GSSAPI."""

    winrm_encryption_available = True

    def __init__(self, mutual_authentication=None, delegate=False, force_preemptive=False, principal=None,
                 hostname_override=None, sanitize_mutual_error_response=True, service='HTTP', send_cbt=True):
        flags = (gssapi.RequirementFlag.mutual_authentication | gssapi.RequirementFlag.out_of_sequence_detection |
                 gssapi.RequirementFlag.confidentiality | gssapi.RequirementFlag.integrity)
        if delegate:
            flags |= gssapi.RequirementFlag.delegate_to_peer
        name = gssapi.Name('%s@%s' % (service, hostname_override), gssapi.NameType.hostbased_service)
        self.ctx = gssapi.SecurityContext(name=name, usage='initiate', flags=flags, mech=gssapi.MechType.kerberos)
        self.sent = False

    def __call__(self, r):
        if not self.sent:
            self.sent = True
            r.headers['Authorization'] = 'Negotiate ' + base64.b64encode(self.ctx.step()).decode()
            r.register_hook('response', self.handle_response)
        return r

    def handle_response(self, r, **kwargs):
        value = r.headers.get('WWW-Authenticate', '')
        if r.status_code == 401:
            raise winrm.exceptions.InvalidCredentialsError('the server refused the Kerberos ticket')
        if not self.ctx.complete:
            if not value.startswith('Negotiate '):
                raise RuntimeError('no mutual authentication in the answer')
            self.ctx.step(base64.b64decode(value[len('Negotiate '):]))
            if not self.ctx.complete:
                raise RuntimeError('the context did not complete')
        return r

    def wrap_winrm(self, host, message):
        iov = graw.IOV(graw.IOVBufferType.header, message, graw.IOVBufferType.padding, std_layout=False)
        graw.wrap_iov(self.ctx, iov, confidential=True)
        return iov[1].value + (iov[2].value or b''), iov[0].value

    def unwrap_winrm(self, host, message, header):
        iov = graw.IOV((graw.IOVBufferType.header, False, header), message, std_layout=False)
        graw.unwrap_iov(self.ctx, iov)
        return iov[1].value


def main():
    cfg = json.load(sys.stdin)
    winrm.transport.HTTPKerberosAuth = GSSAuth
    winrm.transport.HAVE_KERBEROS = True
    p = Protocol(
        endpoint=cfg['endpoint'],
        transport='kerberos',
        kerberos_hostname_override=cfg['hostname'],
        kerberos_delegation=cfg.get('delegate', False),
        message_encryption=cfg.get('message_encryption') or 'auto',
        server_cert_validation='ignore',
    )
    try:
        shell_id = p.open_shell()
        command_id = p.run_command(shell_id, cfg['command'], cfg.get('args', []))
        send_input(p, shell_id, command_id, cfg.get('stdin', '').encode(), True)
        out, err, code = p.get_command_output(shell_id, command_id)
        p.cleanup_command(shell_id, command_id)
        p.close_shell(shell_id)
    except Exception as e:  # reported to the Go test, which checks the kind
        print(json.dumps({'error': type(e).__name__, 'message': str(e)}))
        return
    auth = p.transport.session.auth
    print(json.dumps({
        'stdout': out.decode('utf-8'),
        'stderr': err.decode('utf-8'),
        'code': code,
        'encrypted': p.transport.encryption is not None,
        'delegated': bool(auth.ctx.actual_flags & gssapi.RequirementFlag.delegate_to_peer),
    }))


if __name__ == '__main__':
    main()
