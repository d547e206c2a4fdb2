# Captures one query/response exchange between a real client (dig/kdig) and knotd through a UDP relay.
import socket, subprocess, sys, threading, shlex, os
name, client = sys.argv[1], sys.argv[2]
out = '/work/main/tests/ClusterDns.Protocol.Tests/testdata/wire'
relay = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); relay.bind(('127.0.0.1', 0)); port = relay.getsockname()[1]
cmd = client.replace('PORT', str(port))
p = subprocess.Popen(shlex.split(cmd), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
relay.settimeout(5)
q, addr = relay.recvfrom(65535)
up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); up.settimeout(5)
up.sendto(q, ('127.0.0.1', 53530)); r, _ = up.recvfrom(65535)
relay.sendto(r, addr)
p.wait(10)
def dump(kind, data, who):
    with open(f'{out}/{name}.{kind}.hex', 'w') as f:
        f.write(f'; {kind} captured on loopback: produced by {who}\n; client command: {cmd.replace(str(port), "PORT")}\n')
        for i in range(0, len(data), 16):
            f.write(' '.join(f'{b:02x}' for b in data[i:i+16]) + '\n')
dump('query', q, cmd.split()[0] + ' (' + ('DiG 9.18.49' if cmd.startswith('dig') else 'kdig 3.2.6') + ')')
dump('response', r, 'knotd 3.2.6 serving testdata zone example.test')
print(name, len(q), len(r))
