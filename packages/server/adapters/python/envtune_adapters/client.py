"""A small, thread-safe HTTP client for one envtune server or a fleet of them (standard library only).

Give it one URL or several (``base_url`` as a list or comma-separated text, else ``$ENVTUNE_URLS`` or
``$ENVTUNE_URL``, comma-separated too). With several servers:

- **Spreading.** A new session goes to the first live server in the rendezvous-hash order of its
  id (the same hashing as ``envtune route``), so a given id always picks the same server while the
  fleet is unchanged, and ids spread evenly.
- **Affinity.** Every later call of a session (step, get, delete, repeated create) goes to the
  server that created it, never elsewhere.
- **Retries** (exponential backoff with seeded jitter, bounded by ``max_retries`` per server and
  ``max_wait`` seconds of sleeping per call). ``Retry-After`` is honoured on 503
  (``CAPACITY_REACHED``, ``SHUTTING_DOWN``). Idempotent calls (GET, DELETE, create with the id the
  client always chooses) are retried on 502/503/504, timeouts and broken connections. A step is
  retried only where the server cannot have applied it: the connection was refused, a kept-alive
  connection turned out closed before the request was read, or the server answered 503 before
  reading it. A step whose answer was lost after it was sent is not repeated (it may have been
  applied): it fails with ``UNREACHABLE``.
- **Dead servers.** A server that refuses connections (or is shutting down) is marked dead: new
  sessions skip it; after ``dead_cooldown`` seconds it is probed (``GET /health``) before it gets new
  sessions again. A session that lived on a server that died fails with :class:`SessionLostError`
  (code ``SESSION_LOST``, naming the server); the other sessions are untouched.

Errors come back as :class:`EnvtuneServerError` with the server's stable ``code``
(``SESSION_NOT_FOUND``, ``CAPACITY_REACHED``, ...) and ``server`` (the URL that answered).
"""

from __future__ import annotations

import collections
import hashlib
import http.client
import json
import os
import queue
import random
import socket
import threading
import time
import urllib.parse
import uuid
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

RETRYABLE_STATUS = (502, 503, 504)
# 503 codes the server sends before it reads the request: safe to repeat anything after them.
REFUSED_CODES = ("CAPACITY_REACHED", "SHUTTING_DOWN")
AFFINITY_LIMIT = 1 << 16


class EnvtuneServerError(Exception):
    """An error answer of the envtune server (or no answer at all: ``code`` = ``UNREACHABLE``)."""

    def __init__(self, code: str, status: int, message: str, details: Any = None, server: Optional[str] = None, hint: Optional[str] = None, retry_after: Optional[float] = None):
        super().__init__(f"{code} ({status}): {message}" + (f" {hint}" if hint else ""))
        self.code = code
        self.status = status
        self.message = message
        self.details = details
        self.server = server
        self.hint = hint
        self.retry_after = retry_after


class SessionLostError(EnvtuneServerError):
    """The server that held the session died (or restarted): the session is gone, start a new one."""

    def __init__(self, session_id: str, server: str, why: str):
        super().__init__(
            "SESSION_LOST",
            0,
            f"[envtune] [adapters] Session `{session_id}` lived on {server}, which {why}.",
            server=server,
            hint="Its episode cannot go on: drop this rollout and start a new session (new sessions go to the live servers).",
        )
        self.session_id = session_id


def new_session_id() -> str:
    """A fresh session id. Adapters choose ids themselves so that a session-id router can pin them."""
    return str(uuid.uuid4())


def server_urls(base_url: Union[None, str, Sequence[str]] = None) -> List[str]:
    """The server list: the argument (list or comma-separated), else ``$ENVTUNE_URLS`` / ``$ENVTUNE_URL``."""
    raw = base_url or os.environ.get("ENVTUNE_URLS") or os.environ.get("ENVTUNE_URL") or "http://127.0.0.1:8000"
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    urls = [u.strip().rstrip("/") for u in items if u and u.strip()]
    if not urls:
        raise ValueError("[envtune] [adapters] No server URL given. Pass base_url or set $ENVTUNE_URLS.")
    for u in urls:
        p = urllib.parse.urlsplit(u)
        if p.scheme not in ("http", "https") or not p.hostname:
            raise ValueError(f"[envtune] [adapters] base_url must be an http(s) URL, got {u!r}.")
    if len(set(urls)) != len(urls):
        raise ValueError(f"[envtune] [adapters] Server URLs repeat: {urls}. List each server once.")
    return urls


def rendezvous_order(session_id: str, urls: Sequence[str]) -> List[str]:
    """``urls`` by descending SHA-1 score of ``id \\0 url``: the first is the id's home server."""

    def score(u: str) -> int:
        return int.from_bytes(hashlib.sha1(session_id.encode() + b"\0" + u.encode()).digest()[:8], "big")

    return sorted(urls, key=score, reverse=True)


class _ConnFailure(Exception):
    """No HTTP answer. ``applied`` is False where the server cannot have read the request."""

    def __init__(self, cause: BaseException, applied: Optional[bool], stale: bool = False):
        super().__init__(str(cause))
        self.cause = cause
        self.applied = applied
        self.stale = stale


class _Server:
    """One server: its connection pool and whether it is believed alive."""

    def __init__(self, url: str, timeout: float, pool_size: int):
        p = urllib.parse.urlsplit(url)
        self.url = url
        self.https = p.scheme == "https"
        self.host = p.hostname or ""
        self.port = p.port or (443 if self.https else 80)
        self.prefix = p.path.rstrip("/")
        self.timeout = timeout
        self.pool: "queue.LifoQueue[http.client.HTTPConnection]" = queue.LifoQueue(maxsize=pool_size)
        self.dead_until = 0.0  # monotonic time before which no new session goes here
        self.deaths = 0  # how often it was seen dying: sessions older than a death are lost

    def connection(self, timeout: Optional[float] = None) -> Tuple[http.client.HTTPConnection, bool]:
        if timeout is None:
            try:
                return self.pool.get_nowait(), True
            except queue.Empty:
                pass
        cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
        return cls(self.host, self.port, timeout=timeout or self.timeout), False

    def release(self, conn: http.client.HTTPConnection) -> None:
        try:
            self.pool.put_nowait(conn)
        except queue.Full:
            conn.close()

    def drain(self) -> None:
        while True:
            try:
                self.pool.get_nowait().close()
            except queue.Empty:
                return

    def send(self, method: str, target: str, data: Optional[bytes], headers: Dict[str, str], timeout: Optional[float] = None) -> Tuple[int, Dict[str, str], Any]:
        """One exchange. Raises :class:`_ConnFailure` when no answer came."""
        conn, reused = self.connection(timeout)
        if not reused:
            try:
                conn.connect()
            except OSError as e:  # refused, unresolvable, connect timeout: nothing was sent
                conn.close()
                raise _ConnFailure(e, applied=False) from e
        try:
            conn.request(method, target, body=data, headers=headers)
            resp = conn.getresponse()
            raw = resp.read()
        except (http.client.HTTPException, OSError) as e:
            conn.close()
            # A pooled connection the server had closed fails before the server reads anything.
            stale = reused and isinstance(e, (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, http.client.CannotSendRequest))
            raise _ConnFailure(e, applied=False if stale else None, stale=stale) from e
        if timeout is not None or resp.getheader("connection", "").lower() == "close":
            conn.close()
        else:
            self.release(conn)
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, _decode(raw)


def _decode(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except ValueError:
        return {"error": {"code": "INVALID_JSON", "message": raw[:200].decode("utf-8", "replace")}}


def _error(status: int, payload: Any, server: str) -> EnvtuneServerError:
    err = (payload or {}).get("error", {}) if isinstance(payload, dict) else {}
    if not isinstance(err, dict):
        err = {}
    return EnvtuneServerError(err.get("code", "HTTP_%d" % status), status, err.get("message", ""), err.get("details"), server=server)


def _retry_after(headers: Dict[str, str]) -> Optional[float]:
    try:
        v = float(headers.get("retry-after", ""))
    except ValueError:
        return None
    return v if v >= 0 else None


class EnvtuneClient:
    """Client of one envtune server, of several (a fleet), or of ``envtune route`` in front of them.

    ``base_url``: a URL, a list of URLs or comma-separated URLs (default ``$ENVTUNE_URLS``, then
    ``$ENVTUNE_URL``, then ``http://127.0.0.1:8000``); ``token`` defaults to ``$ENVTUNE_TOKEN``.
    ``seed`` seeds the retry jitter (default ``$ENVTUNE_CLIENT_SEED`` or 0; give each worker its own).
    """

    def __init__(
        self,
        base_url: Union[None, str, Sequence[str]] = None,
        token: Optional[str] = None,
        timeout: float = 120.0,
        pool_size: int = 8,
        *,
        max_retries: int = 4,
        backoff_base: float = 0.1,
        backoff_max: float = 5.0,
        max_wait: float = 30.0,
        dead_cooldown: float = 10.0,
        probe_timeout: float = 2.0,
        seed: Optional[int] = None,
    ):
        self.base_urls = server_urls(base_url)
        self.base_url = self.base_urls[0]
        self.token = token if token is not None else os.environ.get("ENVTUNE_TOKEN")
        self.timeout = timeout
        self.max_retries = max(0, int(max_retries))
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.max_wait = max_wait
        self.dead_cooldown = dead_cooldown
        self.probe_timeout = probe_timeout
        self._servers = {u: _Server(u, timeout, pool_size) for u in self.base_urls}
        self._rng = random.Random(int(os.environ.get("ENVTUNE_CLIENT_SEED", "0")) if seed is None else seed)
        self._lock = threading.Lock()
        self._rr = 0
        # session id -> (server url, the server's death count when the session was created)
        self._affinity: "collections.OrderedDict[str, Tuple[str, int]]" = collections.OrderedDict()
        self._sleep = time.sleep
        self._clock = time.monotonic

    # --- server state ----------------------------------------------------------------------------

    def _mark_dead(self, srv: _Server) -> None:
        with self._lock:
            if srv.dead_until <= self._clock():
                srv.deaths += 1
            srv.dead_until = self._clock() + self.dead_cooldown
        srv.drain()

    def _is_live(self, srv: _Server) -> bool:
        """Alive, or dead past its cool-down and answering ``GET /health`` now (the re-probe)."""
        if srv.dead_until == 0.0:
            return True
        if self._clock() < srv.dead_until:
            return False
        if self._probe(srv):
            srv.dead_until = 0.0
            return True
        self._mark_dead(srv)
        return False

    def _probe(self, srv: _Server) -> bool:
        """Whether the server answers ``GET /health`` with 200 within ``probe_timeout``."""
        try:
            status, _, _ = srv.send("GET", srv.prefix + "/health", None, self._headers(None, None), timeout=self.probe_timeout)
        except _ConnFailure:
            return False
        return status == 200

    def live_servers(self) -> List[str]:
        """The servers new sessions may go to now (probes those whose cool-down has passed)."""
        return [u for u, s in self._servers.items() if self._is_live(s)]

    def server_of(self, session_id: str) -> str:
        """The server a session lives on (the one that created it; else its rendezvous home)."""
        with self._lock:
            pinned = self._affinity.get(session_id)
        return pinned[0] if pinned else rendezvous_order(session_id, self.base_urls)[0]

    def _pin(self, session_id: str, url: str) -> None:
        with self._lock:
            self._affinity[session_id] = (url, self._servers[url].deaths)
            self._affinity.move_to_end(session_id)
            while len(self._affinity) > AFFINITY_LIMIT:
                self._affinity.popitem(last=False)

    # --- transport -------------------------------------------------------------------------------

    def _headers(self, data: Optional[bytes], session_id: Optional[str]) -> Dict[str, str]:
        headers = {"accept": "application/json"}
        if data is not None:
            headers["content-type"] = "application/json"
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        if session_id:
            headers["x-session-id"] = session_id
        return headers

    def _backoff(self, attempt: int, retry_after: Optional[float], waited: float) -> Optional[float]:
        """Seconds to sleep before the next try, or None when the wait budget is spent."""
        cap = min(self.backoff_max, self.backoff_base * (2 ** attempt))
        with self._lock:
            delay = cap / 2 + self._rng.uniform(0, cap / 2)  # "equal jitter": never 0, never above cap
        if retry_after is not None:
            delay = max(delay, retry_after)
        return None if waited + delay > self.max_wait else delay

    def _call(self, srv: _Server, method: str, path: str, body: Any, query: Optional[Dict[str, Any]], session_id: Optional[str], idempotent: bool, patient: bool = True) -> Any:
        """Sends to one server with bounded retries; returns the JSON answer or raises.

        ``patient=False``: a full server (``CAPACITY_REACHED``) raises at once, so that the caller
        can try another server first.
        """
        target = srv.prefix + path
        if query:
            target += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = self._headers(data, session_id)
        waited, attempt, stale_retried = 0.0, 0, False
        while True:
            retry_after: Optional[float] = None
            try:
                status, rh, payload = srv.send(method, target, data, headers)
            except _ConnFailure as f:
                if f.stale and not stale_retried:
                    # The server closed idle keep-alives (or died): the pool's others are as old.
                    stale_retried = True
                    srv.drain()
                    continue
                if f.applied is None and not idempotent:
                    if not self._probe(srv):
                        self._mark_dead(srv)
                    raise EnvtuneServerError("UNREACHABLE", 0, f"{method} {srv.url}{path}: no answer after the request was sent ({f}).", server=srv.url, hint="It may have been applied, so it is not repeated.") from f.cause
                if f.applied is False and srv.dead_until > self._clock():
                    raise self._unreachable(srv, method, path, f)  # already known dead: fail fast
                err: EnvtuneServerError = self._unreachable(srv, method, path, f)
            else:
                if status < 400:
                    return payload
                err = _error(status, payload, srv.url)
                err.retry_after = retry_after = _retry_after(rh)
                if status not in RETRYABLE_STATUS or not (idempotent or err.code in REFUSED_CODES):
                    raise err
                if err.code == "SHUTTING_DOWN":
                    self._mark_dead(srv)
                    raise err
                if err.code == "CAPACITY_REACHED" and not patient:
                    raise err
            delay = self._backoff(attempt, retry_after, waited) if attempt < self.max_retries else None
            if delay is None:
                if err.code == "UNREACHABLE":
                    self._mark_dead(srv)
                raise err
            self._sleep(delay)
            waited += delay
            attempt += 1

    @staticmethod
    def _unreachable(srv: _Server, method: str, path: str, f: _ConnFailure) -> EnvtuneServerError:
        return EnvtuneServerError("UNREACHABLE", 0, f"{method} {srv.url}{path}: {f}", server=srv.url, hint="Check that the server is up.")

    def request(self, method: str, path: str, body: Any = None, query: Optional[Dict[str, Any]] = None, session_id: Optional[str] = None) -> Any:
        """Sends one request; returns the decoded JSON answer or raises :class:`EnvtuneServerError`.

        With ``session_id`` it goes to the session's server (and out as the ``X-Session-Id`` header,
        so a hashing proxy can pin it without reading bodies); a failure of that server raises
        :class:`SessionLostError`. Without, it goes to any live server.
        """
        idempotent = method in ("GET", "HEAD", "DELETE", "PUT")
        if session_id is None:
            return self._any_server(method, path, body, query, idempotent)
        url = self.server_of(session_id)
        srv = self._servers[url]
        with self._lock:
            pinned = self._affinity.get(session_id)
        try:
            return self._call(srv, method, path, body, query, session_id, idempotent)
        except EnvtuneServerError as e:
            raise self._lost_or(e, session_id, srv, pinned) from e

    def _lost_or(self, e: EnvtuneServerError, session_id: str, srv: _Server, pinned: Optional[Tuple[str, int]]) -> EnvtuneServerError:
        """A session call's error, as SESSION_LOST where the session's server died under it."""
        if e.code == "UNREACHABLE" and srv.dead_until > self._clock():
            return SessionLostError(session_id, srv.url, "does not answer")
        if e.code == "SHUTTING_DOWN":
            return SessionLostError(session_id, srv.url, "is shutting down")
        if e.code == "SESSION_NOT_FOUND" and pinned is not None and srv.deaths > pinned[1]:
            return SessionLostError(session_id, srv.url, "went down and came back without it")
        return e

    def _any_server(self, method: str, path: str, body: Any, query: Optional[Dict[str, Any]], idempotent: bool) -> Any:
        live = self.live_servers() or list(self.base_urls)
        with self._lock:
            start = self._rr
            self._rr += 1
        last: Optional[EnvtuneServerError] = None
        for i in range(len(live)):
            srv = self._servers[live[(start + i) % len(live)]]
            try:
                return self._call(srv, method, path, body, query, None, idempotent)
            except EnvtuneServerError as e:
                if e.code not in ("UNREACHABLE",) + REFUSED_CODES:
                    raise
                last = e
        assert last is not None
        raise last

    def close(self) -> None:
        for s in self._servers.values():
            s.drain()

    # --- API -------------------------------------------------------------------------------------

    def create_session(
        self,
        task_id: Optional[str] = None,
        session_id: Optional[str] = None,
        stage: Optional[str] = None,
        split: Optional[str] = None,
        part: Optional[str] = None,
        seed: Optional[int] = None,
        config: Optional[Dict[str, Any]] = None,
    ) -> Dict[str, Any]:
        """``POST /v1/sessions``; repeating it with the same id and parameters is safe.

        A new id goes to the first live server of its rendezvous order that accepts it (a full or
        dying server passes it on); a known id goes back to its server only.
        """
        body: Dict[str, Any] = {"session_id": session_id or new_session_id()}
        for k, v in (("task_id", task_id), ("stage", None if stage is None else str(stage)), ("split", split), ("part", part), ("seed", seed), ("config", config)):
            if v is not None:
                body[k] = v
        sid = body["session_id"]
        with self._lock:
            known = sid in self._affinity
        if known:
            return self.request("POST", "/v1/sessions", body, session_id=sid)
        return self._create_new(sid, body)

    def _create_new(self, sid: str, body: Dict[str, Any]) -> Dict[str, Any]:
        """Rounds over the live servers in the id's rendezvous order; a full round waits and repeats."""
        waited = 0.0
        for attempt in range(self.max_retries + 1):
            live = set(self.live_servers())
            order = [u for u in rendezvous_order(sid, self.base_urls) if u in live] or rendezvous_order(sid, self.base_urls)
            last: Optional[EnvtuneServerError] = None
            for url in order:
                try:
                    out = self._call(self._servers[url], "POST", "/v1/sessions", body, None, sid, idempotent=True, patient=len(order) == 1)
                except EnvtuneServerError as e:
                    if e.code not in ("UNREACHABLE",) + REFUSED_CODES and e.status not in RETRYABLE_STATUS:
                        raise
                    last = e
                    continue
                self._pin(sid, url)
                return out
            assert last is not None
            # Every server is full (or gone): wait as the last one asked, within the budget.
            delay = self._backoff(attempt, last.retry_after, waited) if len(order) > 1 and last.code == "CAPACITY_REACHED" else None
            if delay is None:
                raise last
            self._sleep(delay)
            waited += delay
        raise last

    def step(self, session_id: str, message: Any) -> Dict[str, Any]:
        """``POST /v1/sessions/{id}/step`` with an assistant message (text or ``{content, tool_calls}``)."""
        return self.request("POST", f"/v1/sessions/{urllib.parse.quote(session_id, safe='')}/step", {"message": message}, session_id=session_id)

    def get_session(self, session_id: str, messages: bool = False) -> Dict[str, Any]:
        return self.request("GET", f"/v1/sessions/{urllib.parse.quote(session_id, safe='')}", query={"messages": "1" if messages else None}, session_id=session_id)

    def delete_session(self, session_id: str, missing_ok: bool = True) -> bool:
        """``DELETE /v1/sessions/{id}``; with ``missing_ok`` a session already gone (or lost) gives False."""
        try:
            self.request("DELETE", f"/v1/sessions/{urllib.parse.quote(session_id, safe='')}", session_id=session_id)
            return True
        except EnvtuneServerError as e:
            if missing_ok and e.code in ("SESSION_NOT_FOUND", "SESSION_LOST"):
                return False
            raise
        finally:
            with self._lock:
                self._affinity.pop(session_id, None)

    def tasks(self, split: Optional[str] = None, part: Optional[str] = None, stage: Optional[str] = None, limit: Optional[int] = None, offset: Optional[int] = None) -> Dict[str, Any]:
        return self.request("GET", "/v1/tasks", query={"split": split, "part": part, "stage": stage, "limit": limit, "offset": offset})

    def schema(self) -> Dict[str, Any]:
        return self.request("GET", "/schema")

    def tools(self, task_id: Optional[str] = None, stage: Optional[str] = None) -> Dict[str, Any]:
        """``{"tools": [...]}``: the OpenAI tool list of a task (or of every domain)."""
        return self.request("GET", "/v1/tools", query={"task_id": task_id, "stage": stage})

    def health(self) -> Dict[str, Any]:
        """``GET /v1/health`` of one live server: status, session counts, memory (ask each URL's own
        client for a per-server view; ``/health`` itself is OpenEnv's bare ``{status}``)."""
        return self.request("GET", "/v1/health")

    def metadata(self) -> Dict[str, Any]:
        """``GET /v1/info``: OpenEnv's metadata plus domains, stages, splits and limits."""
        return self.request("GET", "/v1/info")


def parse_config(value: Any) -> Optional[Dict[str, Any]]:
    """Episode config from a dataset field: a dict, a JSON string, or nothing."""
    if value is None or value == "":
        return None
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        parsed = json.loads(value)
        if not isinstance(parsed, dict):
            raise ValueError("[envtune] [adapters] config must be a JSON object.")
        return parsed
    raise ValueError(f"[envtune] [adapters] config must be a dict or JSON text, got {type(value).__name__}.")


def observation_text(messages: Any, joiner: str = "\n\n") -> str:
    """The environment's new messages as one text (what a user-role turn shows)."""
    return joiner.join(m.get("content") or "" for m in messages or [] if m.get("content"))
