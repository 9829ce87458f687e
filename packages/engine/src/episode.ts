/**
 * The episode engine: one BFCL entry as a POMDP episode with Gymnasium's reset/step conventions.
 *
 * The model's world and the ground-truth world live in a {@link TurnChecker} owned by the episode
 * (fresh on every `reset()`, never shared with another episode), so every turn is checked with
 * the official checker's rules while the episode runs, and the ground-truth world executes every
 * turn's ground truth whatever the model did.
 *
 * Fixes of the authors' bugs, each covered by a test in `episode.test.ts`:
 * - B1: rewards divide by every turn of the entry; turns never reached count as failed.
 * - B3: the ground-truth world advances at every turn end (the checker always runs the GT).
 * - B4: worlds and shared objects belong to one episode; nothing is cached across episodes.
 * - B6: an `<answer>` ends the turn and is never parsed for calls, whatever its text.
 * - B8: `maxActionsPerTurn` N allows exactly N counted actions, and the N-th action's results are
 *   shown before the next user turn.
 *
 * Empty-ground-truth turns under the paper's rule (`emptyTurnRule: "paper"`): the first parsed
 * action ends the turn; tool calls are *not executed* (as the authors' code and
 * the SYSTEM WARNING text promise), and the turn counts as passed only for an answer. Under the
 * BFCL rule the calls run, as in BFCL inference, but the turn still counts as failed for rewards
 * when the model called a tool.
 */
import {
  EnvtuneError,
  encodeView,
  formatCall,
  requirePacks,
  type BfclFuncDoc,
  type DomainPack,
  type LongContextConstants,
  type ToolCall,
} from "@envtune/core";
import { TurnChecker } from "@envtune/checker";
import type { BfclEntry } from "@envtune/bfcl-data";
import { rejectedResult, schemaHint, withHint } from "./argument-hints.ts";
import { resolveEpisodeConfig, type EpisodeConfig, type EpisodeConfigInput } from "./config.ts";
import { interpretAction, normalizeAssistant, type Interpretation } from "./interpret.ts";
import { renderObservation, type Executed } from "./observers.ts";
import { cachedSystemPrompt, functionDocs } from "./prompt-cache.ts";
import { NOT_EXECUTED_TEXT, SYSTEM_WARNING_TEXT, additionalFunctionsMessage } from "./prompts.ts";
import { evaluateReward, type RewardBreakdown, type StepRecord } from "./rewards.ts";
import type {
  AssistantInput,
  ChatMessage,
  EpisodeEvent,
  EpisodeTranscript,
  OpenAITool,
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

const ANSWER_ENDS: ReadonlySet<TurnEndReason> = new Set(["answer", "empty_action", "undecodable"]);

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
        throw new EnvtuneError(
          "BAD_ENTRY",
          "engine",
          `Entry ${opts.entry.id} has missed_function key \`${k}\`, not a turn index.`,
          'Use turn indices ("3") as missed_function keys.',
        );
      }
      this.reveals.set(t, [...(this.reveals.get(t) ?? []), ...names]);
    }
  }

  /** Number of user turns. */
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
    for (const p of this.packs)
      for (const t of p.openaiTools) if (!this.withheld.has(t.function.name)) out.push({ type: "function", function: t.function });
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
    const ctx: StepContext = { events: [], out: [] };
    const idsBefore = this.syntheticIds;
    const msg = normalizeAssistant(input, () => this.syntheticId());
    const action = interpretAction(msg, this.config, this.limits.maxCallsPerAction);
    const msgBytes = messagesBytes([msg]);
    if (action.kind === "too_many_calls" || this.wouldOverflow(msgBytes)) {
      // Refused actions leave no trace, not even a synthetic call id.
      this.syntheticIds = idsBefore;
      throw action.kind === "too_many_calls" ? tooManyCalls(this.limits.maxCallsPerAction) : this.transcriptTooLarge(msgBytes);
    }
    this.history.push(msg);
    this.totalSteps++;
    this.actionsThisTurn++;
    const ids = msg.tool_calls?.map((tc) => tc.id);
    if (action.kind === "parse_error") this.onParseError(action, ids, ctx);
    else if (action.kind === "turn_end") this.onTurnEnd(action, ids, ctx);
    else if (this.entry.groundTruth[this.turnIndex]!.length === 0 && this.config.emptyTurnRule === "paper")
      this.onCallsInEmptyTurn(action.calls, ids, ctx);
    else this.onCalls(checker, action.calls, ids, ctx);
    this.bytesHeld += msgBytes + messagesBytes(ctx.out);
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

  /** Whether an action of `msgBytes` would pass the host's transcript limit. */
  private wouldOverflow(msgBytes: number): boolean {
    const max = this.limits.maxTranscriptBytes;
    return max !== undefined && this.bytesHeld + msgBytes > max;
  }

  private transcriptTooLarge(msgBytes: number): EnvtuneError {
    const max = this.limits.maxTranscriptBytes;
    return new EnvtuneError(
      "TRANSCRIPT_TOO_LARGE",
      "engine",
      `The episode's messages hold ${this.bytesHeld} bytes; this ${msgBytes}-byte action would pass the limit of ${max}.`,
      "Send a shorter action, or end the episode and start a new one (the host sets the limit).",
      { details: [`transcript_bytes: ${this.bytesHeld}`, `action_bytes: ${msgBytes}`, `max_transcript_bytes: ${max}`] },
    );
  }

  private requireRunning(what: string): TurnChecker {
    if (!this.checker) throw notReset(what);
    if (this.finished) {
      throw new EnvtuneError(
        "EPISODE_DONE",
        "engine",
        `\`${what}\` called on a finished episode (${this.entry.id}, ${this.finished.reason}).`,
        "Call `reset()` to start again, or start a new episode.",
      );
    }
    return this.checker;
  }

  private syntheticId(): string {
    return `call_${this.entry.id}_${this.syntheticIds++}`;
  }

  private onParseError(action: Extract<Interpretation, { kind: "parse_error" }>, ids: string[] | undefined, ctx: StepContext): void {
    this.stepRecords.push({ kind: "parse_error" });
    this.attempts++;
    ctx.events.push({
      type: "parse_error",
      turn: this.turnIndex,
      detail: { code: action.code, message: action.message, feedback: action.feedback },
    });
    if (ids) for (const id of ids) ctx.out.push({ role: "tool", tool_call_id: id, content: action.feedback });
    else ctx.out.push({ role: "user", content: action.feedback });
    if (this.attempts >= this.config.maxActionsPerTurn) this.budgetExhausted(ctx);
  }

  private onTurnEnd(action: Extract<Interpretation, { kind: "turn_end" }>, ids: string[] | undefined, ctx: StepContext): void {
    this.stepRecords.push({ kind: "answer" });
    ctx.events.push({
      type: "answer",
      turn: this.turnIndex,
      detail: { text: action.text, ...(action.undecodable ? { undecodable: action.undecodable } : {}) },
    });
    // Undecodable tool_calls still need their replies before the next user message.
    if (ids)
      for (const id of ids)
        ctx.out.push({
          role: "tool",
          tool_call_id: id,
          content: `Not executed: ${action.undecodable ?? "the tool call could not be decoded"}.`,
        });
    this.endTurn(action.reason, ctx);
  }

  /** The paper's empty-turn rule: calls are not executed, and the next question carries the warning. */
  private onCallsInEmptyTurn(toolCalls: readonly ToolCall[], ids: string[] | undefined, ctx: StepContext): void {
    const calls = toolCalls.map((c) => formatCall(c));
    this.stepRecords.push({ kind: "tool_calls", executed: false, calls: calls.length, errorResults: 0, exceptions: 0 });
    this.calledThisTurn = true;
    ctx.events.push({ type: "not_executed", turn: this.turnIndex, detail: { calls, reason: "empty_ground_truth_turn" } });
    if (ids) for (const id of ids) ctx.out.push({ role: "tool", tool_call_id: id, content: NOT_EXECUTED_TEXT });
    this.endTurn("called_in_empty_turn", ctx, SYSTEM_WARNING_TEXT);
  }

  private onCalls(checker: TurnChecker, calls: readonly ToolCall[], ids: string[] | undefined, ctx: StepContext): void {
    const turn = this.turnIndex;
    this.attempts++;
    this.calledThisTurn = true;
    const executed = this.execute(checker, calls);
    let errorResults = 0;
    let exceptions = 0;
    for (const e of executed) {
      if (e.status === "exception") exceptions++;
      else if (e.status !== "ok") errorResults++;
      const detail = { call: e.call, result: e.result, status: e.status, ...(e.pyType ? { pyType: e.pyType } : {}) };
      ctx.events.push(e.status === "ok" ? { type: "tool_ok", turn, detail } : { type: "tool_error", turn, detail });
    }
    this.stepRecords.push({ kind: "tool_calls", executed: true, calls: executed.length, errorResults, exceptions });
    ctx.out.push(...renderObservation(this.config.observation, executed, ids, () => this.syntheticId()));
    if (this.attempts >= this.config.maxActionsPerTurn) this.budgetExhausted(ctx);
  }

  private execute(checker: TurnChecker, calls: readonly ToolCall[]): Executed[] {
    const mode = this.config.validateArguments;
    const texts = calls.map((c) => formatCall(c));
    const rejected = calls.map((c) => (mode === "reject" ? schemaHint(this.packs, c) : undefined));
    const runnable = texts.filter((_, i) => rejected[i] === undefined);
    // Call strings, not parsed calls, go to the checker: exactly what `checkEntry` re-executes
    // from the decoded output, so live results and the official verdict cannot disagree.
    const outcomes = runnable.length ? checker.runModelStep(runnable) : [];
    if (runnable.length) this.decodedTurns[this.turnIndex]!.push(runnable);
    let k = 0;
    return calls.map((c, i) => {
      const why = rejected[i];
      if (why !== undefined) {
        return { call: texts[i]!, name: c.name, result: rejectedResult(c, why), status: "rejected" as const };
      }
      const o = outcomes[k++]!;
      const result = mode === "hint" && o.status !== "ok" ? withHint(this.packs, o, c) : o.result;
      return { call: texts[i]!, name: c.name, result, status: o.status, ...(o.pyType ? { pyType: o.pyType } : {}) };
    });
  }

  private budgetExhausted(ctx: StepContext): void {
    const then = this.config.onBudgetExhausted;
    ctx.events.push({
      type: "budget_exhausted",
      turn: this.turnIndex,
      detail: { actions: this.attempts, budget: this.config.maxActionsPerTurn, then },
    });
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
      texts.push(
        additionalFunctionsMessage(
          style,
          functionDocs(this.packs, this.env.funcDocs, (n) => added.includes(n)),
        ),
      );
    }
    if (texts.length === 0) texts.push("");
    texts[0] = prefix + texts[0]!;
    return { messages: texts.map((content) => ({ role: "user", content })), added };
  }

  /** The system prompt for the current tool list. */
  private systemText(): string {
    return cachedSystemPrompt(this.config.systemPrompt, this.packs, this.env.funcDocs, this.withheld);
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
      detail: {
        terminated: how.terminated,
        truncated: how.truncated,
        reason: how.reason,
        reward: r.reward,
        components: { ...r.components },
      },
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

function tooManyCalls(maxCalls: number | undefined): EnvtuneError {
  return new EnvtuneError(
    "TOO_MANY_TOOL_CALLS",
    "engine",
    `The action has more than ${maxCalls} tool calls.`,
    `Send at most ${maxCalls} calls per action.`,
    { details: [`max_calls: ${maxCalls}`] },
  );
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
  return new EnvtuneError(
    "EPISODE_NOT_STARTED",
    "engine",
    `\`${what}\` called before \`reset()\`.`,
    "Call `reset()` first; it returns the first observation.",
  );
}
