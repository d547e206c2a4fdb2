"""A checked DNS query over UDP for the soak's probers: a random ID, and only a reply from the server that carries
that ID and the question asked is taken as the answer. Anything else that reaches the socket meanwhile (a late
reply to an earlier query on a reused port, a datagram from another process on the machine) is kept as a stray,
as a stub resolver would ignore it, so a report can say exactly what arrived. The reply keeps its bytes (hex) and
every record of every section, so a wrong answer can be shown whole."""
import random
import socket
import struct
import time

_ids = random.Random()


class Reply:
    """One checked reply: rcode, flags, the records of each section as (owner, type, ttl, rdata bytes), the whole
    message (hex) and the strays that arrived before it as (source "ip:port", reason, hex). A reply that does not
    parse has `malformed` set (why) and the records read before the fault."""

    def __init__(self, data, strays):
        self.hex, self.strays = data.hex(), strays
        self.id, self.flags = struct.unpack(">HH", data[0:4])
        self.rcode = self.flags & 0xF
        self.truncated = bool(self.flags & 0x0200)
        self.sections, self.malformed = [[], [], []], None
        try:
            counts = struct.unpack(">HHHH", data[4:12])
            pos = _skip_name(data, 12) + 4 if counts[0] else 12
            for section, count in enumerate(counts[1:]):
                for _ in range(count):
                    owner, pos = _read_name(data, pos)
                    rtype, _, ttl, rdlen = struct.unpack(">HHIH", data[pos:pos + 10])
                    if pos + 10 + rdlen > len(data):
                        raise ValueError("record data past the end")
                    self.sections[section].append((owner, rtype, ttl, data[pos + 10:pos + 10 + rdlen]))
                    pos += 10 + rdlen
        except (IndexError, ValueError, struct.error) as e:
            self.malformed = str(e) or type(e).__name__  # a wrong answer in itself: judged and shown, never raised

    @property
    def answers(self):
        return self.sections[0]

    @property
    def addresses(self):
        """The A records' addresses of the answer section, in order."""
        return [socket.inet_ntoa(rdata) for _, rtype, _, rdata in self.answers if rtype == 1 and len(rdata) == 4]

    def describe(self):
        """One line for a report: flags, counts, every answer record, the hex, and any strays."""
        records = "; ".join(f"{o} {rtype} ttl {ttl} {rdata.hex()}" for o, rtype, ttl, rdata in self.answers)
        text = f"MALFORMED ({self.malformed}) " if self.malformed else ""
        text += (f"id {self.id:#06x} flags {self.flags:#06x} rcode {self.rcode} tc {int(self.truncated)} "
                f"counts {[len(s) for s in self.sections]} answers [{records}] hex {self.hex}")
        for source, reason, data in self.strays:
            text += f" | STRAY from {source} ({reason}) hex {data}"
        return text


def question_bytes(name, qtype):
    labels = b"".join(bytes([len(p)]) + p.encode() for p in name.rstrip(".").split(".")) + b"\0"
    return labels + struct.pack(">HH", qtype, 1)


def ask(name, port, qtype=1, timeout=1.0, server="127.0.0.1"):
    """Asks NAME (type QTYPE) of SERVER:PORT; returns the Reply. Raises OSError (socket.timeout) when no matching
    reply comes within TIMEOUT."""
    qid = _ids.getrandbits(16)
    question = question_bytes(name, qtype)
    packet = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + question
    strays, deadline = [], time.monotonic() + timeout
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(packet, (server, port))
        while True:
            s.settimeout(max(0.001, deadline - time.monotonic()))
            data, peer = s.recvfrom(65535)
            reason = _mismatch(data, peer, server, port, qid, question)
            if reason is None:
                return Reply(data, strays)
            strays.append((f"{peer[0]}:{peer[1]}", reason, data.hex()))


def _mismatch(data, peer, server, port, qid, question):
    """Why DATA is not the reply to our query (None when it is)."""
    if peer != (server, port):
        return "another source"
    if len(data) < 12 or struct.unpack(">H", data[0:2])[0] != qid:
        return "another ID"
    if not data[2] & 0x80:
        return "not a response"
    if struct.unpack(">H", data[4:6])[0] != 1 or data[12:12 + len(question)].lower() != question.lower():
        return "another question"
    return None


def _skip_name(data, pos):
    while data[pos] != 0 and data[pos] < 0xC0:
        pos += data[pos] + 1
    return pos + (2 if data[pos] >= 0xC0 else 1)


def _read_name(data, pos):
    """(dotted name, position after it), following compression pointers."""
    labels, end, hops = [], None, 0
    while data[pos] != 0:
        if data[pos] >= 0xC0:
            end = pos + 2 if end is None else end
            pos = ((data[pos] & 0x3F) << 8) | data[pos + 1]
            hops += 1
            if hops > 64:
                raise ValueError("compression loop")
            continue
        labels.append(data[pos + 1:pos + 1 + data[pos]].decode("ascii", "replace"))
        pos += data[pos] + 1
    return ".".join(labels) + ".", (pos + 1 if end is None else end)
