/**
 * report.html: one self-contained page (inline SVG, no scripts) with the learning curves per
 * stage and their promotion points, the gradient norm, entropy and KL, per-category accuracy
 * before vs after training, and the baselines.
 */
import { writeFileAtomic } from "@envtune/policy-tfjs/util";
import type { StageSpec, TrainConfig } from "./config.ts";
import { stageCurves, verdict, type StageCurve } from "./curves.ts";
import type { EvalSummary, FinalEvaluation } from "./evaluate.ts";
import type { RunDir } from "./run-dir.ts";
import { barChart, esc, lineChart } from "./svg.ts";

export interface ReportInput {
  config: TrainConfig;
  stages: readonly StageSpec[];
  evaluation: FinalEvaluation;
  promotions: ReadonlyArray<{ from: string; to: string | null; update: number; stageUpdates: number; reason: string }>;
  /** The learner: its registry name and one-line description (e.g. its backend). */
  learner: string;
  parameters: number;
}

const COLORS = {
  trained: "#1f77b4",
  untrained: "#7f7f7f",
  random: "#ff7f0e",
  answer: "#2ca02c",
  val: "#d62728",
  train: "#1f77b4",
  alt: "#9467bd",
};
const POLICY_COLORS: Record<string, string> = {
  trained: COLORS.trained,
  "trained-last": "#aec7e8",
  "trained-best-val": "#aec7e8",
  untrained: COLORS.untrained,
  "random-valid-call": COLORS.random,
  "always-answer": COLORS.answer,
};
const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

function num(v: unknown): number {
  return typeof v === "number" ? v : Number.NaN;
}

/** Moving average for noisy per-update curves. */
function smooth(points: ReadonlyArray<readonly [number, number]>, k: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < points.length; i++) {
    const lo = Math.max(0, i - k + 1);
    const w = points.slice(lo, i + 1);
    out.push([points[i]![0], w.reduce((a, p) => a + p[1], 0) / w.length]);
  }
  return out;
}

function fmtRise(c: StageCurve): string {
  return c.train.rise.toFixed(3);
}

/** The learning-curve rule's numbers per stage (see curves.ts). */
function curveTable(curves: readonly StageCurve[]): string {
  const r = (x: number) => x.toFixed(3);
  const p = (x: number) => (x * 100).toFixed(2);
  const rows = curves.map((c) => {
    const v = c.validation;
    const vf = (x: number) => (v && v.metric !== "val_reward" ? `${p(x)}%` : r(x));
    const t = c.train;
    const ts = c.turnSuccess;
    return `<tr><td>${c.stage}</td><td>${esc(c.name)}</td><td>${c.updates}</td><td>${esc(c.rewardKind)}</td><td>${r(t.first)} → ${r(t.last)}</td><td>${r(t.rise)} ± ${r(t.riseSe)}</td><td>${r(t.slopePer100)} ± ${r(t.slopeSe)}</td><td><b>${verdict(t)}</b></td><td>${p(ts.first)}% → ${p(ts.last)}% (${p(ts.rise)} ± ${p(ts.riseSe)}; ${verdict(ts)})</td><td>${v ? `${esc(v.metric)} ${vf(v.first)} → ${vf(v.last)} (${v.n} validations)` : "–"}</td></tr>`;
  });
  return `<h2>Does each stage's learning curve rise?</h2>
<p class="note">Rule: on the stage's training reward (per update; R_Stage1 in the syntax stage, the progress reward after it), the mean of the last quarter of the stage's updates minus the mean of the first quarter (± its standard error), and the least-squares slope (± SE, per 100 updates). The curve <i>rises</i> when both are positive, <i>clearly</i> when the rise also exceeds 2 SE. The same quarters are given for the training turn success on turns with non-empty ground truth (points) and for the stage's greedy validations. The black segments in the stage charts are the two quarter means of the reward.</p>
<table><tr><th>#</th><th>stage</th><th>updates</th><th>reward</th><th>first → last quarter</th><th>rise ± SE</th><th>slope per 100 updates ± SE</th><th>verdict</th><th>turn success (rise ± SE points)</th><th>validation (first → last quarter)</th></tr>${rows.join("")}</table>`;
}

export function renderReport(metrics: ReadonlyArray<Record<string, unknown>>, r: ReportInput): string {
  const updates = metrics.filter((m) => m.type === "update");
  const vals = metrics.filter((m) => m.type === "validation" || (m.type === "update" && m.val_metric !== undefined));
  const promos = metrics.filter((m) => m.type === "promotion");
  // Stage bands from the updates' stage numbers.
  const bands: Array<{ x0: number; x1: number; label: string }> = [];
  for (const m of updates) {
    const u = num(m.update);
    const name = String(m.stage_name);
    const last = bands[bands.length - 1];
    if (last && last.label === name) last.x1 = u;
    else bands.push({ x0: u - 1, x1: u, label: name });
  }
  const markers = promos.map((p) => ({ x: num(p.update), label: `${String(p.from)} → ${String(p.to)}: ${String(p.reason)}` }));
  const k = Math.max(1, Math.round(updates.length / 40));
  const pts = (key: string, src = updates): Array<[number, number]> =>
    src.map((m) => [num(m.update), num(m[key])] as [number, number]).filter((p) => Number.isFinite(p[1]));
  const valPts = (key: string): Array<[number, number]> =>
    vals
      .map((m) => [num(m.update), num(m[key === "value" && m.type === "update" ? "val_metric" : key])] as [number, number])
      .filter((p) => Number.isFinite(p[1]));

  const charts: string[] = [];
  const curves = stageCurves(metrics, r.stages);
  // One chart per stage: each stage has its own reward (R_Stage1 ∈ [0, 2], progress ∈ [0, 1]).
  const stageCharts: string[] = [];
  for (const band of bands) {
    const inStage = updates.filter((m) => String(m.stage_name) === band.label);
    const curve = curves.find((c) => c.name === band.label);
    // The rule's first- and last-quarter means, drawn over the quarters they average.
    const q = Math.max(1, Math.floor(inStage.length / 4));
    const quarter = (from: number, value: number): Array<[number, number]> => {
      const xs = inStage.slice(from, from + q).map((m) => num(m.update));
      return xs.length && Number.isFinite(value)
        ? [
            [xs[0]!, value],
            [xs[xs.length - 1]!, value],
          ]
        : [];
    };
    const ruleSeries = curve
      ? [
          { name: "reward: first-quarter mean", points: quarter(0, curve.train.first), color: "#000000", dashed: true },
          {
            name: `last-quarter mean (rise ${fmtRise(curve)})`,
            points: quarter(Math.max(0, inStage.length - q), curve.train.last),
            color: "#000000",
          },
        ]
      : [];
    const stageVals = vals.filter((m) => String(m.stage_name) === band.label);
    const kk = Math.max(1, Math.round(inStage.length / 15));
    const metricName = String(r.stages.find((st) => st.name === band.label)?.promotion.metric ?? "validation");
    stageCharts.push(
      lineChart({
        title: `${band.label}: reward and ${metricName}`,
        xLabel: "update",
        yLabel: "value",
        width: 470,
        height: 250,
        markers: markers.filter((mk) => mk.x >= band.x0 && mk.x <= band.x1),
        series: [
          { name: `train reward (avg ${kk})`, points: smooth(pts("reward", inStage), kk), color: COLORS.train },
          { name: `train turn success`, points: smooth(pts("train_turn_success", inStage), kk), color: COLORS.alt, dashed: true },
          {
            name: metricName,
            points: stageVals
              .map((m) => [num(m.update), num(m.type === "update" ? m.val_metric : m.value)] as [number, number])
              .filter((p) => Number.isFinite(p[1])),
            color: COLORS.val,
            dots: true,
          },
          ...ruleSeries,
        ],
      }),
    );
  }
  charts.push(`<div class="grid">${stageCharts.join("\n")}</div>`);
  charts.push(curveTable(curves));
  charts.push(
    lineChart({
      title: "Turn success on turns with non-empty ground truth",
      xLabel: "update",
      yLabel: "success rate",
      bands,
      markers,
      series: [
        { name: `train rollouts (avg ${k})`, points: smooth(pts("train_turn_success"), k), color: COLORS.train },
        { name: "validation (greedy)", points: valPts("val_turn_success"), color: COLORS.val, dots: true },
      ],
    }),
  );
  const comp = (name: string): Array<[number, number]> =>
    updates
      .map((m) => [num(m.update), num((m.components as Record<string, unknown> | undefined)?.[name])] as [number, number])
      .filter((p) => Number.isFinite(p[1]));
  charts.push(
    lineChart({
      title: "Reward components in training rollouts",
      xLabel: "update",
      yLabel: "component",
      bands,
      markers,
      series: [
        { name: "progress R_P", points: smooth(comp("progress"), k), color: COLORS.train },
        { name: "format R_format", points: smooth(comp("format"), k), color: COLORS.answer },
        { name: "tool R_tool", points: smooth(comp("tool"), k), color: COLORS.random },
        { name: "binary", points: smooth(comp("binary"), k), color: COLORS.alt, dashed: true },
      ],
    }),
  );
  charts.push(
    lineChart({
      title: "Gradient norm (before clipping)",
      xLabel: "update",
      yLabel: "‖g‖",
      bands,
      markers,
      series: [{ name: "grad norm", points: pts("grad_norm"), color: COLORS.alt }],
    }),
  );
  charts.push(
    lineChart({
      title: "Entropy and KL to the reference policy (per token)",
      xLabel: "update",
      yLabel: "nats",
      bands,
      markers,
      series: [
        { name: "entropy", points: pts("entropy"), color: COLORS.train },
        { name: "KL (k3)", points: pts("kl"), color: COLORS.val },
      ],
    }),
  );

  const ev = r.evaluation;
  const cats = [...new Set(ev.policies.flatMap((p) => Object.keys(p.perCategory)))];
  const order = ["base", "miss_func", "miss_param", "long_context"];
  cats.sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
  const groups = ["all", ...cats];
  const val = (p: EvalSummary, g: string, key: "turnSuccess" | "entryAccuracy") => (g === "all" ? p[key] : (p.perCategory[g]?.[key] ?? 0));
  charts.push(
    barChart({
      title: `Per-category turn success (non-empty ground truth), ${ev.split}/${ev.part}: before vs after training, and baselines`,
      yLabel: "success rate",
      groups,
      series: ev.policies.map((p) => ({
        name: p.policy,
        color: POLICY_COLORS[p.policy] ?? COLORS.alt,
        values: groups.map((g) => val(p, g, "turnSuccess")),
      })),
    }),
  );
  charts.push(
    barChart({
      title: "Per-category entry accuracy (every turn passed)",
      yLabel: "accuracy",
      groups,
      series: ev.policies.map((p) => ({
        name: p.policy,
        color: POLICY_COLORS[p.policy] ?? COLORS.alt,
        values: groups.map((g) => val(p, g, "entryAccuracy")),
      })),
    }),
  );

  const trained = ev.policies.find((p) => p.policy === "trained");
  const best = ev.policies.filter((p) => !p.policy.startsWith("trained")).sort((a, b) => b.turnSuccess - a.turnSuccess)[0];
  const head = [
    "policy",
    "turn success (non-empty GT)",
    "all turns",
    "entry accuracy",
    "progress",
    ...cats.map((c) => `${c} turn success`),
  ];
  const rows = ev.policies.map(
    (p) =>
      `<tr><td>${esc(p.policy)}${p.note ? `<br><span class="note">${esc(p.note)}</span>` : ""}</td><td>${pct(p.turnSuccess)} (${p.nonEmptyPassed}/${p.nonEmptyTurns})</td><td>${pct(p.allTurnSuccess)}</td><td>${pct(p.entryAccuracy)}</td><td>${p.progress.toFixed(4)}</td>${cats
        .map((c) => `<td>${pct(p.perCategory[c]?.turnSuccess ?? 0)}</td>`)
        .join("")}</tr>`,
  );
  const last = updates[updates.length - 1];
  const totalS = last ? num(last.elapsed_s) : 0;
  const eps = updates.length ? updates.reduce((a, m) => a + num(m.episodes), 0) / Math.max(totalS, 1e-9) : 0;
  const stageRows = r.stages.map(
    (s, i) =>
      `<tr><td>${i + 1}</td><td>${esc(s.name)}</td><td>${esc(s.description)}</td><td>${esc(s.reward.kind)}</td><td>${s.augmented ? "augmented" : "standard"}</td><td>${esc(s.prompt)}</td><td>${esc(`${s.data.part} · ${s.data.categories.join(", ")}${s.data.limit ? ` · first ${s.data.limit} (${s.data.order})` : ""}`)}</td><td>${s.promotion.minUpdates}–${s.promotion.maxUpdates}</td></tr>`,
  );
  const promoRows = r.promotions.map(
    (p) =>
      `<tr><td>${p.update}</td><td>${esc(p.from)}</td><td>${esc(p.to ?? "(end)")}</td><td>${p.stageUpdates}</td><td>${esc(p.reason)}</td></tr>`,
  );

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>envtune training report</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:980px;color:#222;line-height:1.45}
table{border-collapse:collapse;margin:10px 0 18px;font-size:13px}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f5f5f5}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}.note{color:#555;font-size:13px}pre{background:#f7f7f7;padding:10px;overflow:auto;font-size:12px}
svg{display:block;margin:8px 0 14px;max-width:100%;height:auto}.grid{display:flex;flex-wrap:wrap;gap:6px}.grid svg{margin:4px 0}
</style></head><body>
<h1>envtune training report</h1>
<p class="note">Preset <b>${esc(r.config.preset)}</b>, seed ${r.config.seed}, split <b>${esc(ev.split)}</b>, learner ${esc(r.learner)}, ${r.parameters.toLocaleString("en")} parameters.
${updates.length} updates, ${totalS.toFixed(0)} s of training (${(updates.length / Math.max(totalS, 1e-9)).toFixed(3)} updates/s, ${eps.toFixed(1)} episodes/s).</p>
<h2>Final evaluation: ${esc(ev.split)}/${esc(ev.part)} (${ev.entries} entries; ${esc(ev.environment)})</h2>
<table><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr>${rows.join("")}</table>
${trained && best ? `<p><b>Trained − best baseline (${esc(best.policy)})</b>: ${((trained.turnSuccess - best.turnSuccess) * 100).toFixed(2)} points of turn success on turns with non-empty ground truth.</p>` : ""}
<p class="note">Baselines: <i>untrained</i> = the same network at its random initialization (greedy); <i>random-valid-call</i> = a uniformly random tool with schema-valid arguments drawn from the dialogue each step, answering with probability ⅓ after its first call of a turn; <i>always-answer</i> = never calls a tool. A turn passes when the model's world state and results match the ground truth's (BFCL checker); a turn never reached counts as failed.</p>
${charts.join("\n")}
<h2>Curriculum</h2>
<table><tr><th>#</th><th>stage</th><th>description</th><th>reward</th><th>environment</th><th>prompt</th><th>data</th><th>updates (min–max)</th></tr>${stageRows.join("")}</table>
<h2>Promotions</h2>
<table><tr><th>update</th><th>from</th><th>to</th><th>updates in stage</th><th>why</th></tr>${promoRows.join("")}</table>
<h2>Resolved configuration</h2>
<pre>${esc(JSON.stringify(r.config, null, 2))}</pre>
</body></html>
`;
}

export function writeReport(run: RunDir, r: ReportInput): void {
  writeFileAtomic(run.path("report.html"), renderReport(run.readMetrics(), r));
}
