/**
 * Policy diagnostics on the paper split (the trainer README's "Why Stages 3–4 stay flat"):
 *
 *   node --conditions=@envtune/source --import tsx packages/trainer/scripts/diagnose.ts expressible [train|val|test]
 *   node --conditions=@envtune/source --import tsx packages/trainer/scripts/diagnose.ts first-calls RUN_DIR/last [train|val|test] [base,miss_func,…]
 *   node --conditions=@envtune/source --import tsx packages/trainer/scripts/diagnose.ts answer-auc [train|val|test]
 *
 * The BFCL data is found as everywhere in envtune ($ENVTUNE_BFCL_DATA, the download cache).
 */
import { resolveDomainPacks } from "@envtune/core";
import { getSplit, loadDataSource } from "@envtune/bfcl-data";
import { TfjsPolicy, selectBackend } from "@envtune/policy-tfjs";
import { answerFeatureRows, expressibility, firstCallBreakdown, logisticAuc } from "@envtune/trainer";

const [cmd, a, b, c] = process.argv.slice(2);
const usage = "usage: diagnose.ts expressible [part] | first-calls POLICY_DIR [part] [categories] | answer-auc [part]";
if (!cmd) throw new Error(usage);
const { ds } = await loadDataSource({}, "trainer");
const { packs } = await resolveDomainPacks(["bfcl"]);
const world = { packs, constants: ds.longContext, funcDocs: ds.funcDocs };
const partOf = (x: string | undefined) => (x ?? "train") as "train" | "val" | "test";
const paperSplit = getSplit("paper", ds);
const entriesOf = (part: "train" | "val" | "test", cats?: string) =>
  paperSplit[part].map((id) => ds.byId.get(id)!).filter((e) => !cats || cats.split(",").includes(e.category));

if (cmd === "expressible") {
  const r = expressibility(entriesOf(partOf(a)), world);
  for (const [k, v] of Object.entries(r.perCategory))
    console.log(`${k.padEnd(13)} ${v.expressible}/${v.gtTurns} turns with calls fully expressible (${(v.share * 100).toFixed(1)}%)`);
  console.log(
    "most often missing:",
    Object.entries(r.missing)
      .sort((x, y) => y[1] - x[1])
      .slice(0, 15)
      .map(([k, n]) => `${k} ${n}`)
      .join(", "),
  );
} else if (cmd === "first-calls") {
  await selectBackend({});
  const { policy } = await TfjsPolicy.load(a ?? "");
  const r = firstCallBreakdown(policy, entriesOf(partOf(b), c ?? "base"), world);
  const t = r.turns || 1;
  console.log(
    Object.entries(r)
      .map(([k, v]) => (k === "turns" ? `${k} ${v}` : `${k} ${v} (${((v / t) * 100).toFixed(0)}%)`))
      .join(", "),
  );
} else if (cmd === "answer-auc") {
  const rows = answerFeatureRows(entriesOf(partOf(a)), world);
  const fit = (xs: typeof rows) => logisticAuc(xs.map((r) => ({ label: r.emptyGt, features: r.features })));
  console.log(`all: AUC ${fit(rows).toFixed(3)} (${rows.filter((r) => r.emptyGt).length} of ${rows.length} turns without calls)`);
  for (const cat of ["miss_func", "miss_param"]) console.log(`${cat}: AUC ${fit(rows.filter((r) => r.category === cat)).toFixed(3)}`);
} else throw new Error(usage);
