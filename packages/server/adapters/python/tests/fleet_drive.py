"""Drives episodes through EnvtuneClient for test/server/fleet.test.ts, one JSON command per stdin line.

argv[1]: JSON {"urls": [...], "task_id", "actions": [...], "client": {EnvtuneClient keyword args}}.
Commands (one JSON answer line each on stdout):
- {"op": "start", "ids": [...]}: create each session and take its first step -> {"servers": {id: url}}
- {"op": "finish", "ids": [...]}: play the remaining steps, delete at the end -> {"results": {id: outcome}}
- {"op": "play", "ids": [...]}: create and play whole episodes -> {"results": {id: outcome}}
An outcome is {"server", "reward_sum", "done"} or {"server", "error": {"type", "code", "server", "message"}}.
"""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from envtune_adapters.client import EnvtuneClient, EnvtuneServerError  # noqa: E402


def main() -> None:
    plan = json.loads(sys.argv[1])
    client = EnvtuneClient(plan["urls"], **plan.get("client", {}))
    actions = plan["actions"]
    progress = {}  # id -> (next action index, reward so far)

    def advance(sid: str) -> dict:
        i, total = progress[sid]
        done = False
        while i < len(actions) and not done:
            r = client.step(sid, actions[i])
            i, total, done = i + 1, total + float(r["reward"]), bool(r["done"])
        progress[sid] = (i, total)
        server = client.server_of(sid)  # before the delete forgets it
        client.delete_session(sid)
        return {"server": server, "reward_sum": total, "done": done}

    def outcome(sid: str, fn) -> dict:
        try:
            return fn()
        except EnvtuneServerError as e:
            return {"server": client.server_of(sid), "error": {"type": type(e).__name__, "code": e.code, "server": e.server, "message": str(e)}}

    def start(sid: str) -> str:
        client.create_session(task_id=plan["task_id"], session_id=sid)
        r = client.step(sid, actions[0])
        progress[sid] = (1, float(r["reward"]))
        return client.server_of(sid)

    def play(sid: str) -> dict:
        start(sid)
        return advance(sid)

    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd["op"] == "start":
            out = {"servers": {sid: start(sid) for sid in cmd["ids"]}}
        elif cmd["op"] == "finish":
            out = {"results": {sid: outcome(sid, lambda sid=sid: advance(sid)) for sid in cmd["ids"]}}
        elif cmd["op"] == "play":
            out = {"results": {sid: outcome(sid, lambda sid=sid: play(sid)) for sid in cmd["ids"]}}
        else:
            out = {"error": f"unknown op {cmd['op']!r}"}
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
