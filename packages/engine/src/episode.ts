/**
 * The episode engine: one BFCL entry as a POMDP episode with Gymnasium's reset/step conventions.
 *
 * The model's world and the ground-truth world live in a {@link TurnChecker} owned by the episode
 * (fresh on every `reset()`, never shared with another episode), so every turn is checked with
 * the official checker's rules while the episode runs, and the ground-truth world executes every
 * turn's ground truth whatever the model did.
 *
 * Fixes of the authors' bugs (paper doc §11), each covered by a test in `episode.test.ts`:
 * - B1: rewards divide by every turn of the entry; turns never reached count as failed.
 * - B3: the ground-truth world advances at every turn end (the checker always runs the GT).
 * - B4: worlds and shared objects belong to one episode; nothing is cached across episodes.
 * - B6: an `<answer>` ends the turn and is never parsed for calls, whatever its text.
 * - B8: `maxActionsPerTurn` N allows exactly N counted actions, and the N-th action's results are
 *   shown before the next user turn.
 *
 * Empty-ground-truth turns under the paper's rule (`emptyTurnRule: "paper"`): the first parsed
 * action ends the turn; tool calls are *not executed* (as the authors' code, paper doc §3.2, and
 * the SYSTEM WARNING text promise), and the turn counts as passed only for an answer. Under the
 * BFCL rule the calls run, as in BFCL inference, but the turn still counts as failed for rewards
 * when the model called a tool.
 */
import {
  EnvtuneError,
  PyDict,
  encodeView,
  formatCall,
  parseAction,
  freezePyValue,
  parsePyJson,
  pyJsonDumps,
  requirePacks,
  toPlainJson,
  type BfclFuncDoc,
  type CallOutcome,
  type DomainPack,
  type LongContextConstants,
  type PyValue,
  type ToolCall,
} from "@envtune/core";
import { TurnChecker } from "@envtune/checker";
import type { BfclEntry } from "@envtune/bfcl-data";
import { resolveEpisodeConfig, type EpisodeConfig, type EpisodeConfigInput } from "./config.ts";
import {
  NOT_EXECUTED_TEXT,
  SYSTEM_WARNING_TEXT,
  additionalFunctionsMessage,
  bfclExecutionResults,
  paperExecutionResults,
  systemPrompt,
} from "./prompts.ts";
import { evaluateReward, type RewardBreakdown, type StepRecord } from "./rewards.ts";
import type {
  AssistantInput,
  ChatMessage,
  EpisodeEvent,
  EpisodeTranscript,
  OpenAITool,
  OpenAIToolCall,
  ResetResult,
  StepResult,
  TurnEndReason,
  TurnRecord,
} from "./types.ts";

/** What an episode is played on. */
export interface EpisodeEnv {
  entry: BfclEntry;
  /** Domain packs by BFCL class name (`loadDomainPacks().packs`). */
  packs: ReadonlyMap<string, DomainPack>;
  /** Long-context constants (`dataset.longContext`); required for long_context entries. */
  constants?: LongContextConstants;
  /** BFCL function docs by class (`dataset.funcDocs`), for the paper prompts; else the packs' schemas. */
  funcDocs?: ReadonlyMap<string, readonly BfclFuncDoc[]>;
}

export interface EpisodeOptions extends EpisodeEnv {
  config?: EpisodeConfigInput;
  /** Resource limits the host sets (a server for its clients); not part of the episode config, which clients choose. */
  limits?: EpisodeLimits;
}

/**
 * What one episode may hold, so that a host serving untrusted actions can bound its memory. An
 * action over a limit is refused (an `EnvtuneError`) before anything runs or is recorded.
 */
export interface EpisodeLimits {
  /** Most tool calls one action may carry, in every format (text and OpenAI `tool_calls`): `TOO_MANY_TOOL_CALLS`. */
  maxCallsPerAction?: number;
  /**
   * Most UTF-8 bytes the messages after the system prompt may hold. An action that alone would
   * pass it is refused (`TRANSCRIPT_TOO_LARGE`); results that pass it truncate the episode
   * (reason `max_transcript_bytes`).
   */
  maxTranscriptBytes?: number;
}

type Interpretation =
  | { kind: "parse_error"; code: string; message: string; feedback: string }
  | { kind: "turn_end"; reason: "answer" | "empty_action" | "undecodable"; text: string; undecodable?: string }
  | { kind: "calls"; calls: ToolCall[] }
  | { kind: "too_many_calls" };

interface Executed {
  call: string;
  name: string;
  result: string;
  status: CallOutcome["status"] | "rejected";
  pyType?: string;
}

const ANSWER_ENDS: ReadonlySet<TurnEndReason> = new Set(["answer", "empty_action", "undecodable"]);

// Function docs are immutable dataset values: parse each once, freeze it so its printed text is cached.
const docValueCache = new WeakMap<object, PyValue>();
function docValue(d: object): PyValue {
  let v = docValueCache.get(d);
  if (v === undefined) {
    v = freezePyValue(parsePyJson(JSON.stringify(d)));
    docValueCache.set(d, v);
  }
  return v;
}
const PACK_SCHEMAS_KEY = {};
const promptCache = new WeakMap<object, Map<string, string>>();

export class Episode {
  readonly entry: BfclEntry;
  readonly config: EpisodeConfig;
  private readonly env: EpisodeEnv;
  private readonly packs: DomainPack[];
  /** Turn index → functions revealed at the start of that turn. */
  private readonly reveals = new Map<number, string[]>();

  private checker: TurnChecker | undefined;
  private turnIndex = 0;
  private attempts = 0;
  private totalSteps = 0;
  private calledThisTurn = false;
  /** Assistant messages in the turn in progress (a turn the model never acted in is not recorded). */
  private actionsThisTurn = 0;
  private withheld = new Set<string>();
  private history: ChatMessage[] = [];
  private decodedTurns: string[][][] = [];
  private turnRecords: TurnRecord[] = [];
  private stepRecords: StepRecord[] = [];
  private finished: { terminated: boolean; truncated: boolean; reason: string } | undefined;
  private lastReward = 0;
  private syntheticIds = 0;
  private readonly limits: EpisodeLimits;
  private bytesHeld = 0;

  constructor(opts: EpisodeOptions) {
    this.entry = opts.entry;
    this.env = opts;
    this.limits = opts.limits ?? {};
    this.config = resolveEpisodeConfig(opts.config);
    this.packs = requirePacks(opts.packs, opts.entry.involvedClasses, `Entry ${opts.entry.id}`);
    for (const [k, names] of Object.entries(opts.entry.missedFunction)) {
      const t = Number(k);
      if (!Number.isInteger(t) || t < 0) {
        throw new EnvtuneError("BAD_ENTRY", "engine", `Entry ${opts.entry.id} has missed_function key \`${k}\`, not a turn index.`, "Use turn indices (\"3\") as missed_function keys.");
      }
      this.reveals.set(t, [...(this.reveals.get(t) ?? []), ...names]);
    }
  }

  /** UTF-8 bytes of the messages after the system prompt (what `limits.maxTranscriptBytes` bounds). */
  get transcriptBytes(): number {
    return this.bytesHeld;
  }

  /** Number of user turns. */
  get turnCount(): number {
    return this.entry.groundTruth.length;
  }

  /** The turn in progress (equals `turnCount` once every turn has ended). */
  get turn(): number {
    return this.turnIndex;
  }

  /** Counted actions taken in the turn in progress. */
  get attempt(): number {
    return this.attempts;
  }

  get done(): boolean {
    return this.finished !== undefined;
  }

  /** The tool list the model currently sees. */
  get tools(): OpenAITool[] {
    const out: OpenAITool[] = [];
    for (const p of this.packs) for (const t of p.openaiTools) if (!this.withheld.has(t.function.name)) out.push({ type: "function", function: t.function });
    return out;
  }

  /** The whole conversation so far (system, user, assistant, tool messages). */
  get messages(): readonly ChatMessage[] {
    return this.history;
  }

  /** Starts (or restarts) the episode from `initial_config` with fresh worlds. */
  reset(): ResetResult {
    this.checker = new TurnChecker(this.entry, {
      packs: this.env.packs,
      ...(this.env.constants ? { constants: this.env.constants } : {}),
      augmented: this.config.augmented,
    });
    this.turnIndex = 0;
    this.attempts = 0;
    this.totalSteps = 0;
    this.calledThisTurn = false;
    this.actionsThisTurn = 0;
    this.withheld = new Set([...this.reveals.values()].flat());
    this.decodedTurns = [[]];
    this.turnRecords = [];
    this.stepRecords = [];
    this.finished = undefined;
    this.lastReward = 0;
    this.syntheticIds = 0;
    const { messages } = this.enterTurn(0, "");
    const system: ChatMessage = { role: "system", content: this.systemText() };
    this.history = [system, ...messages];
    this.bytesHeld = messagesBytes(messages);
    const withheld: Record<string, string[]> = {};
    for (const [t, names] of this.reveals) withheld[String(t)] = [...names];
    return {
      messages: [...this.history],
      tools: this.tools,
      info: {
        id: this.entry.id,
        category: this.entry.category,
        turn: 0,
        turnCount: this.turnCount,
        attempt: 0,
        involvedClasses: [...this.entry.involvedClasses],
        augmented: this.config.augmented,
        maxActionsPerTurn: this.config.maxActionsPerTurn,
        withheld,
      },
    };
  }

  /** Applies one assistant message and returns the environment's response. */
  step(input: AssistantInput): StepResult {
    const checker = this.requireRunning("step");
    const events: EpisodeEvent[] = [];
    const out: ChatMessage[] = [];
    const ctx: StepContext = { events, out };
    const idsBefore = this.syntheticIds;
    const msg = this.normalizeAssistant(input);
    const action = this.interpret(msg);
    const msgBytes = messagesBytes([msg]);
    const refused = this.overLimits(action, msgBytes);
    if (refused || action.kind === "too_many_calls") {
      // Refused actions leave no trace, not even a synthetic call id.
      this.syntheticIds = idsBefore;
      throw refused!;
    }
    this.history.push(msg);
    this.totalSteps++;
    this.actionsThisTurn++;
    const ids = msg.tool_calls?.map((tc) => tc.id);
    const turn = this.turnIndex;
    if (action.kind === "parse_error") {
      this.stepRecords.push({ kind: "parse_error" });
      this.attempts++;
      events.push({ type: "parse_error", turn, detail: { code: action.code, message: action.message, feedback: action.feedback } });
      if (ids) for (const id of ids) out.push({ role: "tool", tool_call_id: id, content: action.feedback });
      else out.push({ role: "user", content: action.feedback });
      if (this.attempts >= this.config.maxActionsPerTurn) this.budgetExhausted(ctx);
    } else if (action.kind === "turn_end") {
      this.stepRecords.push({ kind: "answer" });
      events.push({ type: "answer", turn, detail: { text: action.text, ...(action.undecodable ? { undecodable: action.undecodable } : {}) } });
      // Undecodable tool_calls still need their replies before the next user message.
      if (ids) for (const id of ids) out.push({ role: "tool", tool_call_id: id, content: `Not executed: ${action.undecodable ?? "the tool call could not be decoded"}.` });
      this.endTurn(action.reason, ctx);
    } else if (this.entry.groundTruth[turn]!.length === 0 && this.config.emptyTurnRule === "paper") {
      const calls = action.calls.map((c) => formatCall(c));
      this.stepRecords.push({ kind: "tool_calls", executed: false, calls: calls.length, errorResults: 0, exceptions: 0 });
      this.calledThisTurn = true;
      events.push({ type: "not_executed", turn, detail: { calls, reason: "empty_ground_truth_turn" } });
      if (ids) for (const id of ids) out.push({ role: "tool", tool_call_id: id, content: NOT_EXECUTED_TEXT });
      this.endTurn("called_in_empty_turn", ctx, SYSTEM_WARNING_TEXT);
    } else {
      this.attempts++;
      this.calledThisTurn = true;
      const executed = this.execute(checker, action.calls);
      let errorResults = 0;
      let exceptions = 0;
      for (const e of executed) {
        if (e.status === "exception") exceptions++;
        else if (e.status !== "ok") errorResults++;
        const detail = { call: e.call, result: e.result, status: e.status, ...(e.pyType ? { pyType: e.pyType } : {}) };
        events.push(e.status === "ok" ? { type: "tool_ok", turn, detail } : { type: "tool_error", turn, detail });
      }
      this.stepRecords.push({ kind: "tool_calls", executed: true, calls: executed.length, errorResults, exceptions });
      out.push(...this.observe(executed, ids));
      if (this.attempts >= this.config.maxActionsPerTurn) this.budgetExhausted(ctx);
    }
    this.bytesHeld += msgBytes + messagesBytes(out);
    const maxBytes = this.limits.maxTranscriptBytes;
    if (!this.finished && maxBytes !== undefined && this.bytesHeld > maxBytes) {
      this.finish(ctx, { terminated: false, truncated: true, reason: "max_transcript_bytes" });
    }
    if (!this.finished && this.config.maxEpisodeSteps !== undefined && this.totalSteps >= this.config.maxEpisodeSteps) {
      this.finish(ctx, { terminated: false, truncated: true, reason: "max_episode_steps" });
    }
    return this.result(ctx);
  }

  /**
   * Ends the episode early (e.g. the trainer's context is full). The turn in progress and every
   * later turn count as failed.
   */
  truncate(reason = "truncated"): StepResult {
    this.requireRunning("truncate");
    const ctx: StepContext = { events: [], out: [] };
    this.finish(ctx, { terminated: false, truncated: true, reason });
    return this.result(ctx);
  }

  /** The configured reward and every component for the episode so far. */
  rewards(): RewardBreakdown {
    return evaluateReward(this.config.reward, { turnCount: this.turnCount, turns: this.turnRecords, steps: this.stepRecords });
  }

  /** Everything recorded so far. */
  transcript(): EpisodeTranscript {
    return {
      id: this.entry.id,
      messages: [...this.history],
      decoded: this.decodedTurns.map((t) => t.map((s) => [...s])),
      turns: [...this.turnRecords],
      steps: [...this.stepRecords],
      rewards: this.rewards(),
      terminated: this.finished?.terminated ?? false,
      truncated: this.finished?.truncated ?? false,
      ...(this.finished?.truncated ? { truncationReason: this.finished.reason } : {}),
    };
  }

  /** Encoded state (lossless trace encoding, JSON text) of every involved class of the model's world. */
  stateSnapshot(): Record<string, string> {
    const checker = this.checker;
    if (!checker) throw notReset("stateSnapshot");
    const out: Record<string, string> = {};
    for (const c of this.entry.involvedClasses) out[c] = encodeView(checker.model.view(c));
    return out;
  }

  // --- Internal ---------------------------------------------------------------------------------

  private requireRunning(what: string): TurnChecker {
    if (!this.checker) throw notReset(what);
    if (this.finished) {
      throw new EnvtuneError("EPISODE_DONE", "engine", `\`${what}\` called on a finished episode (${this.entry.id}, ${this.finished.reason}).`, "Call `reset()` to start again, or start a new episode.");
    }
    return this.checker;
  }

  private normalizeAssistant(input: AssistantInput): ChatMessage {
    if (typeof input === "string") return { role: "assistant", content: input };
    if (typeof input !== "object" || input === null) {
      throw new EnvtuneError("BAD_ACTION", "engine", `An action must be a string or an assistant message, got ${input === null ? "null" : typeof input}.`, "Pass the model's text or `{ content, tool_calls }`.");
    }
    const content = typeof input.content === "string" ? input.content : null;
    const raw = Array.isArray(input.tool_calls) ? input.tool_calls : [];
    if (raw.length === 0) return { role: "assistant", content };
    // Tool calls keep their ids so every one gets its tool message (the chat protocol requires it).
    const tool_calls = raw.map((tc) => {
      const r = (typeof tc === "object" && tc !== null ? tc : {}) as Record<string, unknown>;
      const id = typeof r.id === "string" && r.id !== "" ? r.id : `call_${this.entry.id}_${this.syntheticIds++}`;
      const fn = (typeof r.function === "object" && r.function !== null ? r.function : {}) as Record<string, unknown>;
      const args = typeof fn.arguments === "string" ? fn.arguments : fn.arguments === undefined ? "" : JSON.stringify(fn.arguments);
      return { id, type: "function", function: { name: typeof fn.name === "string" ? fn.name : "", arguments: args } } satisfies OpenAIToolCall;
    });
    return { role: "assistant", content, tool_calls };
  }

  /** The error refusing an action over the host's limits, if it is. */
  private overLimits(action: Interpretation, msgBytes: number): EnvtuneError | undefined {
    const { maxCallsPerAction: maxCalls, maxTranscriptBytes: maxBytes } = this.limits;
    if (action.kind === "too_many_calls") {
      return new EnvtuneError("TOO_MANY_TOOL_CALLS", "engine", `The action has more than ${maxCalls} tool calls.`, `Send at most ${maxCalls} calls per action.`, { details: [`max_calls: ${maxCalls}`] });
    }
    if (maxBytes !== undefined && this.bytesHeld + msgBytes > maxBytes) {
      return new EnvtuneError(
        "TRANSCRIPT_TOO_LARGE",
        "engine",
        `The episode's messages hold ${this.bytesHeld} bytes; this ${msgBytes}-byte action would pass the limit of ${maxBytes}.`,
        "Send a shorter action, or end the episode and start a new one (the host sets the limit).",
        { details: [`transcript_bytes: ${this.bytesHeld}`, `action_bytes: ${msgBytes}`, `max_transcript_bytes: ${maxBytes}`] },
      );
    }
    return undefined;
  }

  private interpret(msg: ChatMessage): Interpretation {
    const text = msg.content ?? "";
    const maxCalls = this.limits.maxCallsPerAction;
    const limit = maxCalls !== undefined ? { maxCalls } : {};
    if (msg.tool_calls) {
      const r = parseAction(msg.tool_calls, { format: "openai", ...limit });
      if (!r.ok && r.error.code === "TOO_MANY_CALLS") return { kind: "too_many_calls" };
      if (r.ok && r.kind === "tool_calls") {
        return r.calls.length ? { kind: "calls", calls: r.calls } : { kind: "turn_end", reason: "empty_action", text };
      }
      const error = r.ok ? undefined : r.error;
      if (error && this.config.parseErrors === "feedback") return { kind: "parse_error", code: error.code, message: error.message, feedback: error.feedback };
      return { kind: "turn_end", reason: "undecodable", text, ...(error ? { undecodable: error.detail } : {}) };
    }
    if (this.config.actionFormat === "openai") return { kind: "turn_end", reason: "answer", text };
    const r = parseAction(text, { format: this.config.actionFormat, ...limit });
    if (!r.ok && r.error.code === "TOO_MANY_CALLS") return { kind: "too_many_calls" };
    if (r.ok) {
      // B6: an answer ends the turn; its text is never looked at for calls.
      if (r.kind === "answer") return { kind: "turn_end", reason: "answer", text: r.answer };
      return r.calls.length ? { kind: "calls", calls: r.calls } : { kind: "turn_end", reason: "empty_action", text };
    }
    // Only the envelope has an explicit answer form; elsewhere text that is not a call list is
    // the model talking to the user, which ends the turn (BFCL's decode-failure rule). Malformed
    // JSON or envelope text is reported as undecodable rather than as an answer.
    if (r.format === "envelope" && this.config.parseErrors === "feedback") {
      return { kind: "parse_error", code: r.error.code, message: r.error.message, feedback: r.error.feedback };
    }
    return { kind: "turn_end", reason: r.format === "python" ? "answer" : "undecodable", text, undecodable: r.error.detail };
  }

  private execute(checker: TurnChecker, calls: readonly ToolCall[]): Executed[] {
    const mode = this.config.validateArguments;
    const texts = calls.map((c) => formatCall(c));
    const rejected = calls.map((c) => (mode === "reject" ? this.schemaHint(c) : undefined));
    const runnable = texts.filter((_, i) => rejected[i] === undefined);
    // Call strings, not parsed calls, go to the checker: exactly what `checkEntry` re-executes
    // from the decoded output, so live results and the official verdict cannot disagree.
    const outcomes = runnable.length ? checker.runModelStep(runnable) : [];
    if (runnable.length) this.decodedTurns[this.turnIndex]!.push(runnable);
    let k = 0;
    return calls.map((c, i) => {
      const why = rejected[i];
      if (why !== undefined) {
        const result = pyJsonDumps(new PyDict([["error", `Invalid arguments for '${c.name}'; the call was not executed.`], ["hint", why]]));
        return { call: texts[i]!, name: c.name, result, status: "rejected" as const };
      }
      const o = outcomes[k++]!;
      const result = mode === "hint" && o.status !== "ok" ? this.withHint(o, c) : o.result;
      return { call: texts[i]!, name: c.name, result, status: o.status, ...(o.pyType ? { pyType: o.pyType } : {}) };
    });
  }

  /** A failed call's result with the schema hint added, when its arguments break the schema. */
  private withHint(o: CallOutcome, call: ToolCall): string {
    if (o.status === "exception" && o.result.includes("(Hint: ")) return o.result;
    const hint = this.schemaHint(call);
    if (hint === undefined) return o.result;
    if (o.status === "exception") return `${o.result} (Hint: ${hint})`;
    let value: PyValue;
    try {
      value = parsePyJson(o.result);
    } catch {
      return o.result;
    }
    if (!(value instanceof PyDict)) return o.result;
    value.set("hint", hint);
    return pyJsonDumps(value);
  }

  /**
   * What is wrong with a call's arguments according to its tool's JSON Schema, as an actionable
   * sentence; undefined when they fit (or the tool or arity is wrong, which the executor reports).
   */
  private schemaHint(call: ToolCall): string | undefined {
    let pack: DomainPack | undefined;
    for (const p of this.packs) if (p.toolMap.has(call.name)) pack = p;
    if (!pack) return undefined;
    const tool = pack.toolMap.get(call.name)!;
    if (call.args.length > tool.params.length) return undefined;
    const args: Record<string, unknown> = {};
    call.args.forEach((v, i) => (args[tool.params[i]!.name] = toPlainJson(v)));
    for (const [k, v] of call.kwargs) args[k] = toPlainJson(v);
    const check = pack.validateArgs(call.name, args);
    if (check.ok) return undefined;
    const schema = pack.schemas.find((s) => s.name === call.name);
    const props = (schema?.parameters.properties ?? {}) as Record<string, { type?: unknown }>;
    const required = new Set(((schema?.parameters.required ?? []) as string[]).map(String));
    const sig = Object.entries(props)
      .map(([k, p]) => `${k}${required.has(k) ? "" : "?"}: ${Array.isArray(p.type) ? p.type.join(" | ") : String(p.type ?? "any")}`)
      .join(", ");
    return `the arguments of '${call.name}' do not match its parameters: ${check.errors.join("; ")}. Expected ${call.name}(${sig}). Fix the arguments and call it again.`;
  }

  private observe(executed: readonly Executed[], ids: readonly string[] | undefined): ChatMessage[] {
    if (ids || this.config.observation === "tool") {
      return executed.map((e, i) => ({ role: "tool", tool_call_id: ids?.[i] ?? `call_${this.entry.id}_${this.syntheticIds++}`, name: e.name, content: e.result }));
    }
    if (this.config.observation === "paper") return [{ role: "user", content: paperExecutionResults(executed.map((e) => e.result)) }];
    return [{ role: "user", content: bfclExecutionResults(executed.map((e) => ({ call: e.call, result: e.result }))) }];
  }

  private budgetExhausted(ctx: StepContext): void {
    const then = this.config.onBudgetExhausted;
    ctx.events.push({ type: "budget_exhausted", turn: this.turnIndex, detail: { actions: this.attempts, budget: this.config.maxActionsPerTurn, then } });
    this.endTurn("budget", ctx, "", then === "truncate");
  }

  /**
   * Ends the turn in progress: the checker executes its ground truth and checks it; then the next
   * user turn starts, or the episode ends.
   */
  private endTurn(reason: TurnEndReason, ctx: StepContext, prefix = "", stopAfter = false): void {
    const checker = this.checker!;
    const v = checker.endTurn();
    // An empty-GT turn is won by not calling: an answer (question or refusal) with no tool call.
    const passed = v.gtEmpty ? ANSWER_ENDS.has(reason) && !this.calledThisTurn : v.passed;
    const record: TurnRecord = {
      turn: v.turn,
      reason,
      passed,
      checkerPassed: v.passed,
      gtEmpty: v.gtEmpty,
      stateOk: v.stateOk,
      responseOk: v.responseOk,
      errorType: v.errorType,
      modelSteps: v.modelSteps,
      ...(v.className !== undefined ? { className: v.className } : {}),
      ...(v.differingAttrs ? { differingAttrs: v.differingAttrs } : {}),
      ...(v.missingItems ? { missingItems: v.missingItems } : {}),
    };
    this.turnRecords.push(record);
    const { turn: _t, ...detail } = record;
    ctx.events.push({ type: "turn_end", turn: v.turn, detail });
    this.turnIndex++;
    this.attempts = 0;
    this.calledThisTurn = false;
    this.actionsThisTurn = 0;
    if (this.turnIndex >= this.turnCount) {
      this.finish(ctx, { terminated: true, truncated: false, reason: "completed" });
      return;
    }
    if (stopAfter) {
      this.finish(ctx, { terminated: false, truncated: true, reason });
      return;
    }
    this.decodedTurns.push([]);
    const next = this.enterTurn(this.turnIndex, prefix);
    ctx.out.push(...next.messages);
    if (next.added.length) {
      ctx.toolsChanged = this.tools;
      ctx.events.push({ type: "tools_changed", turn: this.turnIndex, detail: { added: next.added } });
    }
  }

  /** The user messages that open turn `t` (revealing withheld functions when it is their turn). */
  private enterTurn(t: number, prefix: string): { messages: ChatMessage[]; added: string[] } {
    const added = (this.reveals.get(t) ?? []).filter((n) => this.withheld.has(n));
    for (const n of added) this.withheld.delete(n);
    const texts = (this.entry.question[t] ?? []).map((m) => m.content);
    if (added.length) {
      const style = this.config.systemPrompt === "fc" ? "fc" : this.config.observation === "bfcl" ? "bfcl" : "paper";
      texts.push(additionalFunctionsMessage(style, this.docs((n) => added.includes(n))));
    }
    if (texts.length === 0) texts.push("");
    texts[0] = prefix + texts[0]!;
    return { messages: texts.map((content) => ({ role: "user", content })), added };
  }

  /** BFCL function docs (as Python values, for `json.dumps`) of the involved classes' tools that pass `keep`. */
  private docs(keep: (name: string) => boolean): PyValue[] {
    const out: PyValue[] = [];
    for (const p of this.packs) {
      const docs = this.env.funcDocs?.get(p.meta.className);
      const items: Array<{ name: string }> = docs ? [...docs] : p.schemas;
      for (const d of items) if (keep(d.name)) out.push(docValue(d));
    }
    return out;
  }

  /**
   * The system prompt for the current tool list. Thousands of episodes share a handful of
   * (classes, withheld functions, style) combinations, so the ~27k-character text is built once each.
   */
  private systemText(): string {
    const owner: object = this.env.funcDocs ?? PACK_SCHEMAS_KEY;
    let byKey = promptCache.get(owner);
    if (!byKey) promptCache.set(owner, (byKey = new Map()));
    const key = `${this.config.systemPrompt}\u0000${this.packs.map((p) => p.meta.className).join(",")}\u0000${[...this.withheld].sort().join(",")}`;
    let text = byKey.get(key);
    if (text === undefined) {
      text = systemPrompt(this.config.systemPrompt, this.docs((n) => !this.withheld.has(n)));
      byKey.set(key, text);
    }
    return text;
  }

  private finish(ctx: StepContext, how: { terminated: boolean; truncated: boolean; reason: string }): void {
    this.finished = how;
    // As in BFCL's result files, a turn the model never got to act in is not part of the output.
    if (how.truncated && this.turnIndex < this.turnCount && this.actionsThisTurn === 0) this.decodedTurns.length = this.turnIndex;
    const r = this.rewards();
    ctx.events.push({
      type: "episode_end",
      turn: Math.min(this.turnIndex, this.turnCount),
      // Written out: `{ ...how, reward }` (a spread followed by more properties) costs V8 11 about
      // a microsecond per added property.
      detail: { terminated: how.terminated, truncated: how.truncated, reason: how.reason, reward: r.reward, components: { ...r.components } },
    });
  }

  private result(ctx: StepContext): StepResult {
    const r = this.rewards();
    const delta = r.reward - this.lastReward;
    this.lastReward = r.reward;
    this.history.push(...ctx.out);
    return {
      messages: ctx.out,
      reward: delta,
      rewardComponents: { ...r.components },
      events: ctx.events,
      terminated: this.finished?.terminated ?? false,
      truncated: this.finished?.truncated ?? false,
      info: { turn: this.turnIndex, attempt: this.attempts, ...(ctx.toolsChanged ? { toolsChanged: ctx.toolsChanged } : {}) },
    };
  }
}

interface StepContext {
  events: EpisodeEvent[];
  out: ChatMessage[];
  toolsChanged?: OpenAITool[];
}

/** UTF-8 bytes of messages: content plus tool-call names and arguments (what a transcript holds). */
function messagesBytes(messages: readonly ChatMessage[]): number {
  let n = 0;
  for (const m of messages) {
    if (typeof m.content === "string") n += Buffer.byteLength(m.content);
    for (const tc of m.tool_calls ?? []) n += Buffer.byteLength(tc.function.arguments) + Buffer.byteLength(tc.function.name) + tc.id.length;
  }
  return n;
}

function notReset(what: string): EnvtuneError {
  return new EnvtuneError("EPISODE_NOT_STARTED", "engine", `\`${what}\` called before \`reset()\`.`, "Call `reset()` first; it returns the first observation.");
}
