"""A small, thread-safe HTTP client for the envtune server (standard library only).

Connections are kept alive in a small pool; a request that finds its pooled connection closed by
the server is retried once on a fresh one. Errors come back as :class:`EnvtuneServerError` with
the server's stable ``code`` (``SESSION_NOT_FOUND``, ``CAPACITY_REACHED``, ...).
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import socket
import urllib.parse
import uuid
from typing import Any, Dict, Optional


class EnvtuneServerError(Exception):
    """An error answer of the envtune server (or no answer at all: ``code`` = ``UNREACHABLE``)."""

    def __init__(self, code: str, status: int, message: str, details: Any = None):
        super().__init__(f"{code} ({status}): {message}")
        self.code = code
        self.status = status
        self.message = message
        self.details = details


def new_session_id() -> str:
    """A fresh session id. Adapters choose ids themselves so that a session-id router can pin them."""
    return str(uuid.uuid4())


class EnvtuneClient:
    """Client of one envtune server (or of the session router in front of several).

    ``base_url`` defaults to ``$ENVTUNE_URL`` (else ``http://127.0.0.1:8000``) and ``token`` to
    ``$ENVTUNE_TOKEN``.
    """

    def __init__(self, base_url: Optional[str] = None, token: Optional[str] = None, timeout: float = 120.0, pool_size: int = 8):
        url = base_url or os.environ.get("ENVTUNE_URL") or "http://127.0.0.1:8000"
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError(f"[envtune] [adapters] base_url must be an http(s) URL, got {url!r}.")
        self.base_url = url.rstrip("/")
        self._https = parsed.scheme == "https"
        self._host = parsed.hostname
        self._port = parsed.port or (443 if self._https else 80)
        self._prefix = parsed.path.rstrip("/")
        self.token = token if token is not None else os.environ.get("ENVTUNE_TOKEN")
        self.timeout = timeout
        self._pool: "queue.LifoQueue[http.client.HTTPConnection]" = queue.LifoQueue(maxsize=pool_size)

    # --- transport -------------------------------------------------------------------------------

    def _connection(self) -> http.client.HTTPConnection:
        try:
            return self._pool.get_nowait()
        except queue.Empty:
            cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            return cls(self._host, self._port, timeout=self.timeout)

    def _release(self, conn: http.client.HTTPConnection) -> None:
        try:
            self._pool.put_nowait(conn)
        except queue.Full:
            conn.close()

    def request(self, method: str, path: str, body: Any = None, query: Optional[Dict[str, Any]] = None, session_id: Optional[str] = None) -> Any:
        """Sends one request; returns the decoded JSON answer or raises :class:`EnvtuneServerError`.

        ``session_id`` goes out as the ``X-Session-Id`` header too, so that any hashing proxy can pin
        the session to one server without reading bodies.
        """
        target = self._prefix + path
        if query:
            target += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = {"accept": "application/json"}
        if data is not None:
            headers["content-type"] = "application/json"
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        if session_id:
            headers["x-session-id"] = session_id
        last: Optional[BaseException] = None
        for attempt in range(2):
            conn = self._connection()
            try:
                conn.request(method, target, body=data, headers=headers)
                resp = conn.getresponse()
                raw = resp.read()
            except (http.client.RemoteDisconnected, http.client.CannotSendRequest, ConnectionError, BrokenPipeError, socket.timeout, OSError) as e:
                conn.close()
                last = e
                # A kept-alive connection the server closed fails on first use: retry on a new one.
                if attempt == 0 and not isinstance(e, socket.timeout):
                    continue
                raise EnvtuneServerError("UNREACHABLE", 0, f"{method} {self.base_url}{path}: {e}") from e
            if resp.getheader("connection", "").lower() == "close":
                conn.close()
            else:
                self._release(conn)
            payload: Any = None
            if raw:
                try:
                    payload = json.loads(raw.decode("utf-8"))
                except ValueError:
                    payload = {"error": {"code": "INVALID_JSON", "message": raw[:200].decode("utf-8", "replace")}}
            if resp.status >= 400:
                err = (payload or {}).get("error", {}) if isinstance(payload, dict) else {}
                raise EnvtuneServerError(err.get("code", "HTTP_%d" % resp.status), resp.status, err.get("message", ""), err.get("details"))
            return payload
        raise EnvtuneServerError("UNREACHABLE", 0, str(last))

    def close(self) -> None:
        while True:
            try:
                self._pool.get_nowait().close()
            except queue.Empty:
                return

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
        """``POST /v1/sessions``; repeating it with the same id and parameters is safe."""
        body: Dict[str, Any] = {"session_id": session_id or new_session_id()}
        for k, v in (("task_id", task_id), ("stage", None if stage is None else str(stage)), ("split", split), ("part", part), ("seed", seed), ("config", config)):
            if v is not None:
                body[k] = v
        return self.request("POST", "/v1/sessions", body, session_id=body["session_id"])

    def step(self, session_id: str, message: Any) -> Dict[str, Any]:
        """``POST /v1/sessions/{id}/step`` with an assistant message (text or ``{content, tool_calls}``)."""
        return self.request("POST", f"/v1/sessions/{urllib.parse.quote(session_id, safe='')}/step", {"message": message}, session_id=session_id)

    def get_session(self, session_id: str, messages: bool = False) -> Dict[str, Any]:
        return self.request("GET", f"/v1/sessions/{urllib.parse.quote(session_id, safe='')}", query={"messages": "1" if messages else None}, session_id=session_id)

    def delete_session(self, session_id: str, missing_ok: bool = True) -> bool:
        try:
            self.request("DELETE", f"/v1/sessions/{urllib.parse.quote(session_id, safe='')}", session_id=session_id)
            return True
        except EnvtuneServerError as e:
            if missing_ok and e.code == "SESSION_NOT_FOUND":
                return False
            raise

    def tasks(self, split: Optional[str] = None, part: Optional[str] = None, stage: Optional[str] = None, limit: Optional[int] = None, offset: Optional[int] = None) -> Dict[str, Any]:
        return self.request("GET", "/v1/tasks", query={"split": split, "part": part, "stage": stage, "limit": limit, "offset": offset})

    def schema(self) -> Dict[str, Any]:
        return self.request("GET", "/schema")

    def tools(self, task_id: Optional[str] = None, stage: Optional[str] = None) -> Dict[str, Any]:
        """``{"tools": [...]}``: the OpenAI tool list of a task (or of every domain)."""
        return self.request("GET", "/v1/tools", query={"task_id": task_id, "stage": stage})

    def health(self) -> Dict[str, Any]:
        return self.request("GET", "/health")

    def metadata(self) -> Dict[str, Any]:
        return self.request("GET", "/metadata")


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
