/**
 * The session table every transport shares: a hard capacity, idle-TTL reaping, and counters for
 * `/health`. Values are opaque here; `onEvict` lets an owner release what a session holds (close
 * a WebSocket) whatever removed it.
 */
import { serverError } from "./errors.ts";

export type EvictReason = "deleted" | "reaped" | "replaced" | "closed" | "shutdown";

export interface Session<T> {
  readonly id: string;
  /** Which transport or API created it (`rest`, `ws`, `mcp`, `domain-mcp`). */
  readonly kind: string;
  value: T;
  readonly createdAt: number;
  lastActive: number;
  steps: number;
  /** Called once when the session leaves the table, whatever the reason. */
  onEvict?: (reason: EvictReason) => void;
}

export interface SessionStoreOptions {
  capacity: number;
  /** Idle time after which the reaper removes a session (ms); 0 = never. */
  ttlMs: number;
  /** Reaper period (ms). */
  intervalMs: number;
  now?: () => number;
  onReap?: (ids: string[]) => void;
}

export interface SessionStats {
  active: number;
  capacity: number;
  created: number;
  deleted: number;
  reaped: number;
  rejected: number;
  byKind: Record<string, number>;
}

export class SessionStore<T> {
  private readonly map = new Map<string, Session<T>>();
  private readonly opts: SessionStoreOptions;
  private readonly now: () => number;
  private timer: ReturnType<typeof setInterval> | undefined;
  private counters = { created: 0, deleted: 0, reaped: 0, rejected: 0 };

  constructor(opts: SessionStoreOptions) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.map.size;
  }

  get capacity(): number {
    return this.opts.capacity;
  }

  has(id: string): boolean {
    return this.map.has(id);
  }

  /** The session, without counting as activity. */
  peek(id: string): Session<T> | undefined {
    return this.map.get(id);
  }

  /** The session, marked active now. */
  get(id: string): Session<T> | undefined {
    const s = this.map.get(id);
    if (s) s.lastActive = this.now();
    return s;
  }

  /** Adds a session; throws `CAPACITY_REACHED` when the table is full. The id must be free. */
  add(id: string, kind: string, value: T, onEvict?: Session<T>["onEvict"]): Session<T> {
    if (this.map.has(id)) throw serverError("SESSION_CONFLICT", `Session \`${id}\` already exists.`, "Use another id or delete it first.");
    if (this.map.size >= this.opts.capacity) {
      this.counters.rejected++;
      throw serverError(
        "CAPACITY_REACHED",
        `The server holds ${this.map.size} sessions, its capacity.`,
        "Close finished sessions (DELETE /v1/sessions/{id}), retry later, or start the server with a larger `--capacity`.",
        { active_sessions: this.map.size, max_sessions: this.opts.capacity },
      );
    }
    const t = this.now();
    const s: Session<T> = { id, kind, value, createdAt: t, lastActive: t, steps: 0, ...(onEvict ? { onEvict } : {}) };
    this.map.set(id, s);
    this.counters.created++;
    return s;
  }

  /** Removes a session; false when there was none. */
  delete(id: string, reason: EvictReason = "deleted"): boolean {
    const s = this.map.get(id);
    if (!s) return false;
    this.map.delete(id);
    if (reason === "reaped") this.counters.reaped++;
    else this.counters.deleted++;
    try {
      s.onEvict?.(reason);
    } catch {
      // An owner's cleanup failing must not keep the session table inconsistent.
    }
    return true;
  }

  /** Removes every session idle for longer than the TTL; returns their ids. */
  reap(now = this.now()): string[] {
    if (this.opts.ttlMs <= 0) return [];
    const stale: string[] = [];
    for (const s of this.map.values()) if (now - s.lastActive > this.opts.ttlMs) stale.push(s.id);
    for (const id of stale) this.delete(id, "reaped");
    if (stale.length) this.opts.onReap?.(stale);
    return stale;
  }

  start(): void {
    if (this.timer || this.opts.ttlMs <= 0) return;
    this.timer = setInterval(() => this.reap(), this.opts.intervalMs);
    // The reaper alone must not keep a process alive.
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Removes every session (shutdown). */
  clear(reason: EvictReason = "shutdown"): void {
    for (const id of [...this.map.keys()]) this.delete(id, reason);
  }

  ids(): string[] {
    return [...this.map.keys()];
  }

  stats(): SessionStats {
    const byKind: Record<string, number> = {};
    for (const s of this.map.values()) byKind[s.kind] = (byKind[s.kind] ?? 0) + 1;
    return { active: this.map.size, capacity: this.opts.capacity, ...this.counters, byKind };
  }
}
