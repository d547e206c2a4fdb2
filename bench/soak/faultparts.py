"""Parts of the fault soak (faults.py): the restartable test API server, the upstream resolver, the true state
of the churned Services and the prober that judges answers against it."""
import json
import os
import random
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

import dnsprobe  # noqa: E402  (bench/soak is on sys.path when faults.py runs)
from soak import DNS_PORT, stop_server  # noqa: E402

UPSTREAM_ZONE = "upstream.test"


def upstream_main(port, ttl):
    """A small authoritative UDP responder for UPSTREAM_ZONE: hostN -> 198.18.(N/250).(N%250), else NXDOMAIN.
    SIGUSR1 blackholes it (reads and drops every query, the socket stays open); SIGUSR2 ends the blackhole."""
    state = {"blackhole": False}
    signal.signal(signal.SIGUSR1, lambda *_: state.update(blackhole=True))
    signal.signal(signal.SIGUSR2, lambda *_: state.update(blackhole=False))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", port))
    print("upstream ready", flush=True)
    while True:
        try:
            data, peer = sock.recvfrom(4096)
        except InterruptedError:
            continue
        if state["blackhole"] or len(data) < 17:
            continue
        pos, labels = 12, []
        while pos < len(data) and data[pos] != 0:
            labels.append(data[pos + 1:pos + 1 + data[pos]].decode("ascii", "replace").lower())
            pos += data[pos] + 1
        question = data[12:pos + 5]
        qtype = struct.unpack(">H", data[pos + 1:pos + 3])[0] if pos + 3 <= len(data) else 0
        name = ".".join(labels)
        answer, rcode = b"", 3
        if name.endswith("." + UPSTREAM_ZONE) and labels[0].startswith("host") and labels[0][4:].isdigit():
            rcode, n = 0, int(labels[0][4:])
            if qtype == 1:
                answer = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, ttl, 4) + bytes([198, 18, (n // 250) % 250, n % 250])
        flags = 0x8400 | (data[2] & 0x01) << 8 | rcode  # QR AA, copy RD
        header = data[0:2] + struct.pack(">HHHHH", flags, 1, 1 if answer else 0, 0, 0)
        sock.sendto(header + question + answer, peer)


def cluster_objects(data, work):
    """Copies the cluster's objects for the test API server into WORK, with the churn namespace first; returns
    (the copy's path, [(name, ClusterIP)] of the stable ClusterIP Services)."""
    objects, stable = os.path.join(work, "objects.jsonl"), []
    with open(os.path.join(data, "objects.jsonl")) as src, open(objects, "w") as dst:
        dst.write('namespaces\t{"metadata":{"name":"churn"}}\n')
        for line in src:
            dst.write(line)
            res, obj = line.split("\t", 1)
            obj = json.loads(obj)
            if res == "services" and obj["spec"].get("clusterIP", "None") != "None":
                stable.append((f"{obj['metadata']['name']}.{obj['metadata']['namespace']}.svc.cluster.local", obj["spec"]["clusterIP"]))
    return objects, stable


def tear_down(procs, api, upstream, server):
    """Ends a run's load generators (those still running), the test API server, the upstream and the server."""
    for proc in procs:
        if proc is not None and proc.poll() is None:
            proc.kill()
    api.close()
    upstream.close()
    stop_server(server)


class Upstream:
    def __init__(self, port, ttl):
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "upstream", str(port), str(ttl)],
                                     stdout=subprocess.PIPE, text=True)
        if not self.proc.stdout.readline().startswith("upstream ready"):
            raise SystemExit("faults: the upstream responder did not start")

    def blackhole(self, on):
        self.proc.send_signal(signal.SIGUSR1 if on else signal.SIGUSR2)

    def close(self):
        self.proc.kill()
        self.proc.wait()


class Api:
    """fake-api as a child process that can be SIGKILLed and restarted as the same API server (same port, CA,
    token, and the same history, replayed from every change made so far)."""

    def __init__(self, dll, objects, work):
        self.dll, self.objects, self.work = dll, objects, work
        self.kubeconfig = os.path.join(work, "kubeconfig")
        self.state = os.path.join(work, "api-state")
        self.changes = []  # every change since the start, as the "--changes" lines
        self.proc, self.port, self.lock = None, 0, threading.Lock()
        self.ready_line = ""

    def start(self, compact=False, on_ready=None):
        """Starts (or restarts) the server; on_ready runs before any further change can be made."""
        with self.lock:
            path = os.path.join(self.work, "api-changes.tsv")
            with open(path, "w") as f:
                f.write("".join(line + "\n" for line in self.changes))
            cmd = ["dotnet", self.dll, "fake-api", "--objects", self.objects, "--kubeconfig", self.kubeconfig,
                   "--state", self.state, "--port", str(self.port), "--changes", path] + (["--compact"] if compact else [])
            for _ in range(20):  # the port may still be held for a moment after a kill
                self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
                line = self.proc.stdout.readline()
                if line.startswith("ready"):
                    self.ready_line = line.strip()
                    self.port = int(line.split()[1].rstrip("/").rsplit(":", 1)[1])
                    if on_ready:
                        on_ready()
                    return
                self.proc.wait()
                time.sleep(0.5)
            raise SystemExit("faults: the test API server did not start")

    @property
    def up(self):
        return self.proc is not None

    def kill(self):
        with self.lock:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def change(self, verb, resource, argument):
        """Applies a change now (API up) or records it for the next start (API down). True when applied live."""
        line = f"{verb}\t{resource}\t{argument}"
        with self.lock:
            self.changes.append(line)
            if self.proc is None:
                return False
            self.proc.stdin.write(f"{verb} {resource} {argument}\n")
            self.proc.stdin.flush()
            reply = self.proc.stdout.readline()
            if not (reply.startswith("ok") or reply.startswith("absent")):
                raise SystemExit(f"faults: fake-api refused {line!r}: {reply!r}")
            return True

    def close(self):
        if self.proc is not None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class Truth:
    """The true state of the churned Services: per name a history of (time, ip or None). A change made while the
    API server is down takes effect (for judging) when the restarted server is ready."""

    def __init__(self, window, restart_window):
        self.window, self.restart_window = window, restart_window
        self.lock = threading.Lock()
        self.history = {}   # name -> [(t, ip|None)]
        self.inflight = set()  # names whose change is being sent: the server may see it before it is recorded
        self.pending = {}   # name -> ip|None made while the API is down
        self.unsure = {}    # name -> ip|None changed just before a kill
        self.last_ready = float("-inf")

    def begin(self, name):
        """A change of name is about to be sent: its watch event may reach the server (and the prober's answer)
        before the API server's acknowledgement reaches us, so the name is not judged until it is recorded."""
        with self.lock:
            self.inflight.add(name)

    def record(self, name, ip, live):
        with self.lock:
            self.inflight.discard(name)
            if live:
                self.history.setdefault(name, []).append((time.time(), ip))
            else:
                self.pending[name] = ip

    def killed(self, t_kill):
        """Changes acknowledged in the last window before a kill may not have reached the watch: judge them like
        changes made while the API server was down (but do not count them as such)."""
        with self.lock:
            self.unsure = {n: h[-1][1] for n, h in self.history.items() if h[-1][0] > t_kill - self.window}

    def restarted(self, t_ready):
        """The API server is back: pending changes take effect now. Returns them (name -> ip|None)."""
        with self.lock:
            self.last_ready = t_ready
            done, self.pending = self.pending, {}
            for name, ip in list(self.unsure.items()) + list(done.items()):
                self.history.setdefault(name, []).append((t_ready, ip))
            self.unsure = {}
            return done

    def judge(self, name, t):
        """(expected ip|None, True if judged): not judged while a change is pending or within its window."""
        with self.lock:
            if name in self.pending or name in self.unsure or name in self.inflight:
                return None, False
            h = self.history.get(name)
            if not h:
                return None, False
            tc, ip = h[-1]
            deadline = tc + self.window
            if self.last_ready <= tc < self.last_ready + self.restart_window:
                deadline = max(deadline, self.last_ready + self.restart_window)
            return ip, t >= deadline

    def current(self, name):
        with self.lock:
            h = self.history.get(name)
            return h[-1][1] if h else None

    def names(self):
        with self.lock:
            return list(self.history)


class Prober(threading.Thread):
    """Asks every churned name and a sample of stable ones a few times a second; counts wrong answers (judged
    after convergence) and the first correct answer for changes made while the API server was down."""

    def __init__(self, truth, stable, stop, every=0.25, sample=5):
        super().__init__(daemon=True)
        self.truth, self.stable, self.stop, self.every, self.sample = truth, stable, stop, every, sample
        self.asked = self.judged = 0
        self.errors = []         # (t, name, what): timeouts and rcodes other than NOERROR/NXDOMAIN
        self.wrong = []          # (t, name, expected, rcode, addresses, the whole reply, the reply when asked again)
        self.strays = []         # (t, name, (source, reason, hex)): datagrams that were not the reply to our query
        self.watching = []       # [restart index, t_ready, {name: ip|None}, {name: seconds}]
        self.lock = threading.Lock()

    def watch_restart(self, index, t_ready, changed):
        with self.lock:
            self.watching.append([index, t_ready, dict(changed), {}])

    def run(self):
        rng = random.Random(1)
        while not self.stop.is_set():
            names = [(n, None) for n in self.truth.names()] + rng.sample(self.stable, min(self.sample, len(self.stable)))
            for name, stable_ip in names:
                t = time.time()
                qname = name + ".churn.svc.cluster.local" if stable_ip is None else name
                try:
                    reply = dnsprobe.ask(qname, DNS_PORT)
                except OSError:
                    self.errors.append((t, name, "timeout"))
                    continue
                self.asked += 1
                self.strays += [(t, name, stray) for stray in reply.strays]
                rcode, addresses = (-1, []) if reply.malformed else (reply.rcode, reply.addresses)
                if stable_ip is not None:
                    expected, judged = stable_ip, True
                else:
                    expected, judged = self.truth.judge(name, t)
                    self.converged(name, t, rcode, addresses)
                if rcode not in (0, 3):
                    self.errors.append((t, name, f"rcode {rcode}: {reply.describe()}"))
                    continue
                if judged:
                    self.judged += 1
                    ok = (rcode == 3 and not addresses) if expected is None else (rcode == 0 and addresses == [expected])
                    if not ok or reply.truncated:
                        self.wrong.append((t, name, expected, rcode, addresses, reply.describe(), self.again(qname)))
            self.stop.wait(self.every)

    @staticmethod
    def again(qname):
        """The answer to the same question asked again at once: does a wrong answer persist?"""
        try:
            return dnsprobe.ask(qname, DNS_PORT).describe()
        except OSError:
            return "timeout"

    def converged(self, name, t, rcode, addresses):
        with self.lock:
            for _, t_ready, changed, seen in self.watching:
                if name in changed and name not in seen and t >= t_ready:
                    want = changed[name]
                    if self.truth.current(name) != want:
                        seen[name] = None  # superseded by a later change before it converged
                    elif (rcode == 3 and want is None) or (rcode == 0 and addresses == [want]):
                        seen[name] = t - t_ready


if __name__ == "__main__" and len(sys.argv) == 4 and sys.argv[1] == "upstream":
    upstream_main(int(sys.argv[2]), int(sys.argv[3]))
