"""Runs one command with standard input through pywinrm's Protocol.

Reads a JSON request on stdin (endpoint, transport, username, password, ca,
command, args, stdin, operation_timeout, read_timeout, message_encryption,
kerberos_hostname)
and prints a JSON result: stdout, stderr and exit code, or the name of the
exception raised, and whether pywinrm encrypted its messages.
"""
import base64
import json
import sys

import xmltodict
import winrm
from winrm.protocol import Protocol

# NTLM needs MD4, which OpenSSL 3 (Debian 12) keeps in its legacy provider.
# python3-cryptography loads that provider into the OpenSSL that hashlib
# shares when its backend starts; over HTTPS, requests-ntlm starts it to hash
# the server's certificate, over HTTP nothing does. Start it here.
from cryptography.hazmat.backends import default_backend
default_backend()

SHELL = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell'


def send_input(p, shell_id, command_id, data, end):
    if hasattr(p, 'send_command_input'):
        return p.send_command_input(shell_id, command_id, data, end)
    # pywinrm before 0.4 has no send_command_input: build the same Send
    # message with the Protocol's own header helper and transport.
    req = {'env:Envelope': p._get_soap_header(
        resource_uri=SHELL + '/cmd', action=SHELL + '/Send', shell_id=shell_id)}
    stream = req['env:Envelope'].setdefault('env:Body', {}).setdefault(
        'rsp:Send', {}).setdefault('rsp:Stream', {})
    stream['@Name'] = 'stdin'
    stream['@CommandId'] = command_id
    stream['@End'] = 'true' if end else 'false'
    stream['#text'] = base64.b64encode(data).decode('ascii')
    p.send_message(xmltodict.unparse(req))


def main():
    cfg = json.load(sys.stdin)
    p = Protocol(
        endpoint=cfg['endpoint'],
        transport=cfg['transport'],
        username=cfg['username'],
        password=cfg['password'],
        server_cert_validation='validate',
        ca_trust_path=cfg['ca'],
        operation_timeout_sec=cfg.get('operation_timeout', 20),
        read_timeout_sec=cfg.get('read_timeout', 30),
        message_encryption=cfg.get('message_encryption') or 'auto',
        kerberos_hostname_override=cfg.get('kerberos_hostname'),
    )
    try:
        shell_id = p.open_shell()
        command_id = p.run_command(shell_id, cfg['command'], cfg.get('args', []))
        data = cfg.get('stdin', '').encode('utf-8')
        half = len(data) // 2
        send_input(p, shell_id, command_id, data[:half], False)
        send_input(p, shell_id, command_id, data[half:], True)
        out, err, code = p.get_command_output(shell_id, command_id)
        p.cleanup_command(shell_id, command_id)
        p.close_shell(shell_id)
    except Exception as e:  # reported to the Go test, which checks the kind
        print(json.dumps({'error': type(e).__name__, 'message': str(e)}))
        return
    encrypted = p.transport.encryption is not None
    print(json.dumps({
        'stdout': out.decode('utf-8'),
        'stderr': err.decode('utf-8'),
        'code': code,
        'encrypted': encrypted,
        'pywinrm': getattr(winrm, '__version__', 'unknown'),
    }))


if __name__ == '__main__':
    main()
