#!/usr/bin/env python3
"""Stray datagram catcher: holds a rotating ring of fresh UDP sockets on ephemeral ports (as a prober that opens a
socket per query gets them) that send nothing, for SECONDS, and reports every datagram that reaches one. Nobody
should send to these ports, so each is a stray: a late or duplicate reply to a socket that had the port before
(another process's client that gave up). It shows whether, and how often, a prober that does not check the
source, ID and question of what it reads could take someone else's reply for its own (docs/performance.md, the
7 NODATA answers).

  python3 bench/soak/straycatch.py [--seconds 300] [--sockets 2000] [--rotate-ms 2000]
"""
import argparse
import collections
import selectors
import socket
import struct
import time


def summary(data):
    """(rcode, answer count, first label of the question, QR, opcode) of a DNS message, or None when it is not one."""
    if len(data) < 12:
        return None
    flags, qd, an = struct.unpack(">HHH", data[2:8])
    label = data[13:13 + data[12]].decode("ascii", "replace") if qd and len(data) > 13 else ""
    return flags & 0xF, an, label, bool(flags & 0x8000), (flags >> 11) & 0xF


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=float, default=300)
    p.add_argument("--sockets", type=int, default=2000)
    p.add_argument("--rotate-ms", type=float, default=2000, help="each socket is replaced after about this long")
    args = p.parse_args()
    sel, ring = selectors.DefaultSelector(), collections.deque()

    def fresh():
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("", 0))
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
        ring.append(s)

    for _ in range(args.sockets):
        fresh()
    step = max(1, args.sockets // int(args.rotate_ms / 10))  # sockets replaced every 10 ms
    start = time.time()
    end, strays, opened = start + args.seconds, [], args.sockets
    while time.time() < end:
        for key, _ in sel.select(0.01):
            try:
                data, peer = key.fileobj.recvfrom(65535)
            except OSError:
                continue
            strays.append((time.time() - start, key.fileobj.getsockname()[1], peer, data))
        for _ in range(step):
            old = ring.popleft()
            sel.unregister(old)
            old.close()
            fresh()
            opened += 1
    kinds = collections.Counter()
    for _, _, peer, data in strays:
        s = summary(data)
        kinds["not DNS" if s is None else f"{'response' if s[3] else 'query'} opcode {s[4]} rcode {s[0]} answers {s[1]}"
              f"{' (the old prober, which checked neither QR, ID nor question, read this as NODATA)' if s and s[0] == 0 and s[1] == 0 else ''}"] += 1
    print(f"straycatch: {args.seconds:.0f} s, {args.sockets} sockets held ({args.sockets / 28232:.1%} of the default "
          f"ephemeral range), {opened} opened in all: {len(strays)} strays")
    for kind, n in kinds.most_common():
        print(f"  {n:6d}  {kind}")
    ports = collections.defaultdict(list)
    for t, port, _, data in strays:
        ports[port].append((t, summary(data)))
    for port, hits in sorted(ports.items(), key=lambda kv: -len(kv[1]))[:20]:
        print(f"  to :{port}: {len(hits)} from {hits[0][0]:.1f} to {hits[-1][0]:.1f} s, first {hits[0][1]}")
    for t, port, peer, data in strays[:30]:
        print(f"  {t:7.1f} s to :{port} from {peer[0]}:{peer[1]} {summary(data)} hex {data[:64].hex()}")


if __name__ == "__main__":
    main()
