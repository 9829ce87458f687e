"""EnvtuneClient's fleet behaviour against scripted HTTP servers on loopback (no envtune server needed).

Each scripted server answers from a queue of (status, headers, body) and records what it got; an
empty queue answers 200 ``{}``. Sleeping and the clock are the client's injectable ``_sleep`` and
``_clock``, so waits are asserted, not spent.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from envtune_adapters.client import EnvtuneClient, EnvtuneServerError, SessionLostError, rendezvous_order, server_urls  # noqa: E402


class Scripted:
    def __init__(self) -> None:
        self.script: list = []
        self.seen: list = []
        self.conns: list = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def setup(self):
                super().setup()
                owner.conns.append(self.connection)

            def _answer(self):
                n = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(n)) if n else None
                owner.seen.append((self.command, self.path, body))
                status, headers, payload = owner.script.pop(0) if owner.script else (200, {}, {})
                raw = json.dumps(payload).encode()
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            do_GET = do_POST = do_DELETE = _answer

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def close(self) -> None:
        """Stops like a killed process: the port refuses, open connections are cut."""
        self.httpd.shutdown()
        self.httpd.server_close()
        for c in self.conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            c.close()


def closed_port_url() -> str:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now: connections are refused
    return "http://127.0.0.1:%d" % port


def error(code: str) -> dict:
    return {"error": {"code": code, "message": code.lower()}}


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0
        self.sleeps: list = []

    def sleep(self, s: float) -> None:
        self.sleeps.append(s)
        self.t += s


CLIENTS: list = []


def client(urls, clock: Clock, **kw) -> EnvtuneClient:
    c = EnvtuneClient(urls, **{"max_retries": 3, "backoff_base": 0.1, "backoff_max": 1.0, "max_wait": 10.0, "dead_cooldown": 5.0, "probe_timeout": 0.5, "seed": 1, **kw})
    c._sleep = clock.sleep
    c._clock = lambda: clock.t
    CLIENTS.append(c)
    return c


def close_clients() -> None:
    while CLIENTS:
        CLIENTS.pop().close()


class UrlTests(unittest.TestCase):
    def test_list_comma_text_and_env(self):
        self.assertEqual(server_urls(["http://a:1/", " http://b:2"]), ["http://a:1", "http://b:2"])
        self.assertEqual(server_urls("http://a:1,http://b:2"), ["http://a:1", "http://b:2"])
        old = {k: os.environ.pop(k, None) for k in ("ENVTUNE_URLS", "ENVTUNE_URL")}
        try:
            os.environ["ENVTUNE_URL"] = "http://c:3"
            os.environ["ENVTUNE_URLS"] = "http://a:1,http://b:2"
            self.assertEqual(EnvtuneClient().base_urls, ["http://a:1", "http://b:2"])  # ENVTUNE_URLS wins
            del os.environ["ENVTUNE_URLS"]
            self.assertEqual(EnvtuneClient().base_urls, ["http://c:3"])
        finally:
            for k, v in old.items():
                os.environ.pop(k, None)
                if v is not None:
                    os.environ[k] = v

    def test_bad_lists_fail_clearly(self):
        with self.assertRaisesRegex(ValueError, "http"):
            server_urls(["http://a:1", "ftp://b"])
        with self.assertRaisesRegex(ValueError, "repeat"):
            server_urls("http://a:1,http://a:1/")


class RetryTests(unittest.TestCase):
    def setUp(self) -> None:
        self.s = Scripted()
        self.clock = Clock()

    def tearDown(self) -> None:
        close_clients()
        self.s.close()

    def test_retry_after_is_honoured_on_capacity_reached(self):
        self.s.script = [(503, {"retry-after": "0.7"}, error("CAPACITY_REACHED"))] * 2 + [(201, {}, {"session_id": "x"})]
        out = client(self.s.url, self.clock).create_session(task_id="t", session_id="x")
        self.assertEqual(out["session_id"], "x")
        self.assertEqual(len(self.s.seen), 3)
        self.assertEqual(len(self.clock.sleeps), 2)
        self.assertTrue(all(d >= 0.7 for d in self.clock.sleeps), self.clock.sleeps)

    def test_backoff_is_exponential_jittered_seeded_and_bounded(self):
        def delays(seed: int) -> list:
            clock = Clock()
            self.s.script = [(502, {}, error("UPSTREAM_ERROR"))] * 10
            with self.assertRaises(EnvtuneServerError) as cm:
                client(self.s.url, clock, seed=seed).tasks()
            self.assertEqual(cm.exception.code, "UPSTREAM_ERROR")
            return clock.sleeps

        a, b, c = delays(3), delays(3), delays(4)
        self.assertEqual(a, b)  # same seed, same waits
        self.assertNotEqual(a, c)
        self.assertEqual(len(a), 3)  # max_retries
        for i, d in enumerate(a):  # "equal jitter" within [cap/2, cap], cap = min(max, base * 2^i)
            cap = min(1.0, 0.1 * 2**i)
            self.assertTrue(cap / 2 <= d <= cap, (i, d))

    def test_total_wait_is_bounded(self):
        self.s.script = [(503, {"retry-after": "100"}, error("CAPACITY_REACHED"))] * 5
        with self.assertRaises(EnvtuneServerError) as cm:
            client(self.s.url, self.clock, max_wait=3.0).create_session(task_id="t", session_id="x")
        self.assertEqual(cm.exception.code, "CAPACITY_REACHED")
        self.assertEqual(cm.exception.retry_after, 100.0)
        self.assertEqual(self.clock.sleeps, [])  # a 100 s wait does not fit a 3 s budget

    def test_a_step_is_not_repeated_after_an_ambiguous_502_but_a_get_is(self):
        c = client(self.s.url, self.clock)
        c.create_session(task_id="t", session_id="s1")
        self.s.script = [(502, {}, error("UPSTREAM_ERROR"))] * 2
        with self.assertRaises(EnvtuneServerError) as cm:
            c.step("s1", "hi")
        self.assertEqual(cm.exception.code, "UPSTREAM_ERROR")
        self.assertEqual([m for m, _, _ in self.s.seen].count("POST"), 2)  # the create and one step
        self.s.seen.clear()
        self.s.script = [(502, {}, error("UPSTREAM_ERROR"))]
        c.get_session("s1")
        self.assertEqual(len(self.s.seen), 2)

    def test_a_step_refused_before_it_was_read_is_repeated(self):
        c = client(self.s.url, self.clock)
        c.create_session(task_id="t", session_id="s1")
        self.s.script = [(503, {"retry-after": "0"}, error("CAPACITY_REACHED")), (200, {}, {"done": False})]
        self.assertEqual(c.step("s1", "hi"), {"done": False})


class FleetTests(unittest.TestCase):
    def setUp(self) -> None:
        self.live = Scripted()
        self.clock = Clock()

    def tearDown(self) -> None:
        close_clients()
        self.live.close()

    def test_new_sessions_skip_a_dead_server_and_it_is_probed_after_the_cool_down(self):
        dead = closed_port_url()
        c = client([dead, self.live.url], self.clock)
        # An id whose home is the dead server still lands on the live one.
        sid = next(f"s{i}" for i in range(100) if rendezvous_order(f"s{i}", [dead, self.live.url])[0] == dead)
        c.create_session(task_id="t", session_id=sid)
        self.assertEqual(c.server_of(sid), self.live.url)
        self.assertEqual(c.live_servers(), [self.live.url])
        slept = len(self.clock.sleeps)
        sid2 = next(f"u{i}" for i in range(100) if rendezvous_order(f"u{i}", [dead, self.live.url])[0] == dead)
        c.create_session(task_id="t", session_id=sid2)
        self.assertEqual(len(self.clock.sleeps), slept)  # a known-dead server costs no retries
        # After the cool-down it is probed (GET /health) and, still refusing, stays out.
        self.clock.t += 6.0
        self.assertEqual(c.live_servers(), [self.live.url])
        # A server that answers the probe after its cool-down takes new sessions again.
        again = Scripted()
        c2 = client([again.url, self.live.url], self.clock)
        c2._mark_dead(c2._servers[again.url])
        self.assertEqual(c2.live_servers(), [self.live.url])
        self.clock.t += 6.0
        self.assertEqual(c2.live_servers(), [again.url, self.live.url])
        self.assertEqual(again.seen[-1][:2], ("GET", "/health"))
        again.close()

    def test_sessions_on_a_dead_server_raise_session_lost_naming_it(self):
        other = Scripted()
        c = client([other.url, self.live.url], self.clock)
        sid = next(f"s{i}" for i in range(100) if rendezvous_order(f"s{i}", [other.url, self.live.url])[0] == other.url)
        c.create_session(task_id="t", session_id=sid)
        self.assertEqual(c.server_of(sid), other.url)
        other.close()  # the server goes away
        with self.assertRaises(SessionLostError) as cm:
            c.step(sid, "hi")
        self.assertEqual(cm.exception.code, "SESSION_LOST")
        self.assertEqual(cm.exception.server, other.url)
        self.assertIn(other.url, str(cm.exception))
        self.assertFalse(c.delete_session(sid))  # gone: missing_ok

    def test_a_full_server_passes_a_new_session_on_without_waiting(self):
        full = Scripted()
        full.script = [(503, {"retry-after": "5"}, error("CAPACITY_REACHED"))] * 10
        c = client([full.url, self.live.url], self.clock)
        sid = next(f"s{i}" for i in range(100) if rendezvous_order(f"s{i}", [full.url, self.live.url])[0] == full.url)
        c.create_session(task_id="t", session_id=sid)
        self.assertEqual(c.server_of(sid), self.live.url)
        self.assertEqual(self.clock.sleeps, [])
        full.close()

    def test_a_session_stays_on_its_server(self):
        other = Scripted()
        c = client([other.url, self.live.url], self.clock)
        for i in range(20):
            c.create_session(task_id="t", session_id=f"s{i}")
            c.step(f"s{i}", "hi")
        for srv in (other, self.live):
            creates = {b["session_id"] for m, p, b in srv.seen if p == "/v1/sessions"}
            steps = {p.split("/")[3] for m, p, b in srv.seen if p.endswith("/step")}
            self.assertEqual(creates, steps)
            self.assertTrue(creates)  # both servers got some
        other.close()


if __name__ == "__main__":
    unittest.main()
