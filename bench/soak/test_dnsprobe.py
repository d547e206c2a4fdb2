"""Checks of the soak's DNS probe (python3 -m unittest discover bench/soak): what reaches the probe's socket before
the server's reply is a stray, never the answer (the old prober read a NOTIFY or query arriving first as NODATA);
and a change still being sent is not judged."""
import socket
import struct
import threading
import unittest

import dnsprobe


class Responder(threading.Thread):
    """Answers one query on 127.0.0.1, after sending the given datagrams to the client (from its socket, or from
    another one when the first element is "elsewhere")."""

    def __init__(self, before):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port, self.before = self.sock.getsockname()[1], before

    def run(self):
        query, client = self.sock.recvfrom(512)
        qid, question = query[0:2], query[12:]
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as other:
            for where, make in self.before:
                (other if where == "elsewhere" else self.sock).sendto(make(qid, question), client)
        answer = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 5, 4) + bytes([10, 96, 4, 36])
        self.sock.sendto(qid + struct.pack(">HHHHH", 0x8500, 1, 1, 0, 0) + question + answer, client)
        self.sock.close()


def notify(qid, question):
    return qid + struct.pack(">HHHHH", 0x2400, 1, 0, 0, 0) + dnsprobe.question_bytes("cluster.local", 6)


def other_id(qid, question):
    return bytes([qid[0] ^ 0xFF, qid[1]]) + struct.pack(">HHHHH", 0x8500, 1, 0, 0, 0) + question


def same_id_query(qid, question):
    return qid + struct.pack(">HHHHH", 0x0100, 1, 0, 0, 0) + question


def other_question(qid, question):
    return qid + struct.pack(">HHHHH", 0x8500, 1, 0, 0, 0) + dnsprobe.question_bytes("other.ns4.svc.cluster.local", 1)


class AskTest(unittest.TestCase):
    def test_strays_before_the_reply_are_kept_aside(self):
        cases = [
            ("elsewhere", notify, "another source"),
            ("server", notify, "not a response"),  # a NOTIFY (as straycatch.py sees them), even with our ID
            ("server", other_id, "another ID"),
            ("server", same_id_query, "not a response"),
            ("server", other_question, "another question"),
        ]
        responder = Responder([(where, make) for where, make, _ in cases])
        responder.start()
        reply = dnsprobe.ask("svc804.ns4.svc.cluster.local", responder.port, timeout=5)
        responder.join(5)
        self.assertEqual((reply.rcode, reply.addresses, reply.malformed), (0, ["10.96.4.36"], None))
        self.assertEqual([reason for _, reason, _ in reply.strays], [reason for _, _, reason in cases])

    def test_a_reply_that_does_not_parse_is_marked_not_raised(self):
        header = struct.pack(">HHHHHH", 1, 0x8500, 1, 1, 0, 0) + dnsprobe.question_bytes("a.b", 1)
        reply = dnsprobe.Reply(header + b"\xc0\x0c\x00\x01", [])  # an answer cut short
        self.assertIsNotNone(reply.malformed)
        self.assertEqual(reply.addresses, [])
        self.assertIn("MALFORMED", reply.describe())


if __name__ == "__main__":
    unittest.main()


class TruthTests(unittest.TestCase):
    """The prober's knowledge of the churned Services (faultparts.Truth)."""

    def test_a_change_being_sent_is_not_judged(self):
        # The fault hour's one "wrong" answer: the server answered a Service's new address before the API server's
        # acknowledgement had been recorded, and the old history (deleted 10 s earlier) judged it.
        from faultparts import Truth
        truth = Truth(window=7, restart_window=30)
        truth.record("churn35", None, live=True)
        t = truth.history["churn35"][-1][0]
        self.assertEqual((None, True), truth.judge("churn35", t + 10))
        truth.begin("churn35")
        self.assertEqual((None, False), truth.judge("churn35", t + 10))
        truth.record("churn35", "10.200.18.86", live=True)
        recorded = truth.history["churn35"][-1][0]
        self.assertEqual(("10.200.18.86", False), truth.judge("churn35", recorded + 1))
        self.assertEqual(("10.200.18.86", True), truth.judge("churn35", recorded + 7))
