/**
 * The files of a new domain pack. Each template is a function of the pack's names so the
 * generated code type-checks and passes the conformance kit as written; the tests of this package
 * scaffold a pack and run its tests unchanged.
 */

export interface TemplateContext {
  /** kebab-case pack name (`library`). */
  name: string;
  /** The class the pack implements, as dataset entries name it (`LibraryAPI`). */
  className: string;
  packageName: string;
  /** One line about the domain. */
  description: string;
  /** `workspace`: a package of the envtune monorepo; `standalone`: its own project. */
  mode: "workspace" | "standalone";
  /** workspace: the pack directory → repository root, POSIX separators (`../..`). */
  relRoot: string;
  /** workspace: the repository root → the pack directory (`domains/library`). */
  relDir: string;
  versions: VersionRanges;
}

export interface VersionRanges {
  core: string;
  testing: string;
  vitest: string;
  typescript: string;
  changesets: string;
}

const json = (v: unknown): string => JSON.stringify(v, null, 2) + "\n";

export function packageJson(c: TemplateContext): string {
  const ws = c.mode === "workspace";
  return json({
    name: c.packageName,
    version: "0.1.0",
    description: c.description,
    license: "Apache-2.0",
    type: "module",
    exports: {
      ".": { ...(ws ? { "@envtune/source": "./src/index.ts" } : {}), types: "./dist/index.d.ts", default: "./dist/index.js" },
      "./package.json": "./package.json",
    },
    main: "./dist/index.js",
    types: "./dist/index.d.ts",
    files: ["dist", "!dist/**/*.test.*", "data", "README.md", "CHANGELOG.md"],
    scripts: ws
      ? { build: "tsc -b", test: "vitest run", lint: "eslint src" }
      : {
          build: "tsc -p tsconfig.json",
          test: "vitest run",
          typecheck: "tsc -p tsconfig.json --noEmit",
          changeset: "changeset",
          prepublishOnly: "npm run build && npm test",
        },
    dependencies: { "@envtune/core": c.versions.core },
    devDependencies: ws
      ? { "@envtune/testing": c.versions.testing }
      : {
          "@changesets/cli": c.versions.changesets,
          "@envtune/testing": c.versions.testing,
          typescript: c.versions.typescript,
          vitest: c.versions.vitest,
        },
    engines: { node: ">=20.19" },
    keywords: ["envtune", "envtune-domain", "reinforcement-learning", "tool-use"],
    envtune: { domain: true },
  });
}

export function tsconfigJson(c: TemplateContext): string {
  if (c.mode === "workspace") {
    return json({
      extends: `${c.relRoot}/tsconfig.base.json`,
      compilerOptions: { rootDir: "src", outDir: "dist" },
      include: ["src"],
      references: [{ path: `${c.relRoot}/packages/core` }, { path: `${c.relRoot}/packages/testing` }],
    });
  }
  return json({
    compilerOptions: {
      target: "ES2023",
      lib: ["ES2023"],
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      noUncheckedIndexedAccess: true,
      verbatimModuleSyntax: true,
      erasableSyntaxOnly: true,
      allowImportingTsExtensions: true,
      rewriteRelativeImportExtensions: true,
      declaration: true,
      sourceMap: true,
      skipLibCheck: true,
      types: [],
      rootDir: "src",
      outDir: "dist",
    },
    include: ["src"],
  });
}

export function vitestConfig(c: TemplateContext): string {
  if (c.mode === "workspace") {
    return `import { envtuneProject } from "${c.relRoot}/vitest.shared.ts";\n\nexport default envtuneProject(${JSON.stringify(c.packageName)});\n`;
  }
  return `import { defineConfig } from "vitest/config";\n\nexport default defineConfig({ test: { include: ["src/**/*.test.ts"] } });\n`;
}

export function indexTs(c: TemplateContext): string {
  const blurb = `This tool belongs to ${c.className}: ${c.description.replace(/\.$/, "")}.`;
  return `import { defineDomain, toolSchemas } from "@envtune/core/domain";
import { augmented, standard } from "./messages.ts";
import { createState, view, type ${c.className} } from "./state.ts";
import { tools } from "./tools.ts";

export { ${c.className} } from "./state.ts";

/** Opens every tool description the model reads: which system the tool belongs to. */
const DOMAIN = ${JSON.stringify(blurb)};

/** ${c.description} */
export default defineDomain<${c.className}>({
  meta: {
    name: ${JSON.stringify(c.name)},
    // Keep equal to package.json's version (changesets bump package.json; bump this with it).
    version: "0.1.0",
    // Dataset entries name this class in involved_classes and initial_config.
    className: ${JSON.stringify(c.className)},
    // BFCL packs pin the gorilla commit they reproduce; a new domain has none.
    description: ${JSON.stringify(c.description)},
  },
  tools,
  // What the model sees of each tool (OpenAI function-calling layout, JSON Schema 2020-12), derived
  // from the tools' typed parameter lists so that schema and signature cannot disagree.
  schemas: toolSchemas(tools, (d) => \`\${DOMAIN} Tool description: \${d}\`),
  createState,
  view,
  messages: { standard, augmented },
});
`;
}

export function stateTs(c: TemplateContext): string {
  return `import type { StateInit } from "@envtune/core/domain";
import { PyDict, pyDeepCopy, type PyValue } from "@envtune/core/py";

/**
 * One ${c.className} instance: the state of the domain in one episode. Values are Python values
 * (\`int\` = bigint, \`float\` = number, \`dict\` = PyDict) so results and state checks read exactly
 * as the dataset's Python-style ground truth expects.
 */
export class ${c.className} {
  /** Item name → quantity (int). */
  items: PyDict;

  constructor(items: PyDict) {
    this.items = items;
  }
}

/**
 * Builds the state from the entry's \`initial_config.${c.className}\` (an empty dict when absent).
 * The config is shared by every episode and read-only: copy what an episode may change.
 */
export function createState(init: StateInit): ${c.className} {
  const items = init.config.get("items");
  return new ${c.className}(items instanceof PyDict ? (pyDeepCopy(items) as PyDict) : new PyDict());
}

/**
 * The attributes the checker compares between the model's world and the ground truth's world
 * after every turn, in a fixed order.
 */
export function view(self: ${c.className}): Array<[string, PyValue]> {
  return [["items", self.items]];
}
`;
}

export function toolsTs(c: TemplateContext): string {
  return `import { defineTool, type ParamSpec, type ToolContext, type ToolDef } from "@envtune/core/domain";
import { PyDict, pyRepr, type PyValue } from "@envtune/core/py";
import type { ${c.className} } from "./state.ts";

/** A soft error: the model reads \`{"error": "..."}\` and can recover. Texts come from the catalogues. */
const error = (text: string): PyDict => PyDict.from({ error: text });

// Arguments arrive as the model wrote them. Each parameter declares its type (and a further
// \`check\` where needed); defineTool checks them in signature order before a body runs and
// answers a misfit with \`reject\`, so each body receives typed values. The same parameter list
// is the JSON Schema the model sees (\`toolSchemas\` in index.ts).

function reject(ctx: ToolContext, param: ParamSpec<${c.className}>, value: PyValue): PyDict {
  if (param.name === "quantity") return error(ctx.msg("invalid_quantity", { quantity: pyRepr(value) }));
  return error(ctx.msg("invalid_name", { name: pyRepr(value) }));
}

const tool = defineTool<${c.className}>({ reject });

const nonEmpty = (s: string): boolean => s.trim() !== "";

const addItem = tool({
  name: "add_item",
  description: "Add a quantity of an item; returns the item's new quantity.",
  params: [
    { name: "name", type: "string", check: nonEmpty, description: "Name of the item, as the user gives it." },
    {
      name: "quantity",
      type: "integer",
      default: 1n,
      check: (q) => q >= 1n,
      description: "How many to add (at least 1). Defaults to 1.",
      schema: { minimum: 1 },
    },
  ],
  run(self, { name, quantity }) {
    const have = self.items.get(name);
    const total = (typeof have === "bigint" ? have : 0n) + quantity;
    self.items.set(name, total);
    return PyDict.from({ name, quantity: total });
  },
});

const getItem = tool({
  name: "get_item",
  description: "Look up one item's quantity.",
  params: [{ name: "name", type: "string", check: nonEmpty, description: "Name of the item." }],
  run(self, { name }, ctx) {
    const quantity = self.items.get(name);
    if (quantity === undefined) return error(ctx.msg("item_not_found", { name }));
    return PyDict.from({ name, quantity });
  },
});

const listItems = tool({
  name: "list_items",
  description: "List the names of every item.",
  params: [],
  run(self) {
    return PyDict.from({ items: [...self.items.keys()] as PyValue[] });
  },
});

/** Every tool of ${c.className}, in the order the model sees them. */
export const tools: ToolDef<${c.className}>[] = [addItem, getItem, listItems];
`;
}

export function messagesTs(c: TemplateContext): string {
  return `import type { MessageCatalogue } from "@envtune/core/domain";

/**
 * Every error text of ${c.className}, by code. \`standard\` is what a plain environment says;
 * \`augmented\` says the same thing plus an actionable hint (what went wrong and which kind of step
 * fixes it, never the value a task expects), the paper's environment augmentation. Both catalogues
 * must have the same codes. Placeholders: \`{name}\`, \`{quantity}\` (Python reprs).
 */
export const standard: MessageCatalogue = {
  invalid_name: "Invalid item name: {name}.",
  invalid_quantity: "Invalid quantity: {quantity}.",
  item_not_found: "Item {name} not found.",
};

export const augmented: MessageCatalogue = {
  invalid_name: "Invalid item name: {name}. The name must be a non-empty string; use the item name exactly as the user wrote it.",
  invalid_quantity: "Invalid quantity: {quantity}. The quantity must be a whole number of at least 1 (an integer, not a string); retry add_item with it.",
  item_not_found: "Item {name} not found. Item names are matched exactly; call list_items to see the names that exist, then retry with one of them.",
};
`;
}

export function testTs(c: TemplateContext): string {
  return `import { describe, expect, it } from "vitest";
import { World } from "@envtune/core/exec";
import { PyDict, type PyValue } from "@envtune/core/py";
import { testDomainPack } from "@envtune/testing";
import pack from "./index.ts";

// The shared conformance kit: schemas, catalogues, state views, determinism, episode isolation,
// catalogued error texts. Samples exercise the tools from real starting states.
testDomainPack(pack, {
  samples: [
    { config: new PyDict(), calls: [] },
    {
      config: PyDict.from({ items: PyDict.from({ apple: 3n }) }),
      calls: ["get_item(name='apple')", "add_item(name='apple', quantity=2)", "get_item(name='pear')", "add_item(name='', quantity=0)", "list_items()"],
    },
  ],
});

function world(config: PyDict = new PyDict(), augmented = false): World {
  return new World({ packs: [pack], initialConfig: new PyDict([[pack.meta.className, config]]), longContext: false, augmented });
}

const call = (w: World, name: string, kwargs: Array<[string, PyValue]> = []) => w.call({ name, args: [], kwargs }).result;

describe("${c.className}", () => {
  it("adds, reads and lists items", () => {
    const w = world();
    expect(call(w, "add_item", [["name", "apple"], ["quantity", 2n]])).toBe('{"name": "apple", "quantity": 2}');
    expect(call(w, "add_item", [["name", "apple"]])).toBe('{"name": "apple", "quantity": 3}');
    expect(call(w, "get_item", [["name", "apple"]])).toBe('{"name": "apple", "quantity": 3}');
    expect(call(w, "list_items")).toBe('{"items": ["apple"]}');
  });

  it("starts from initial_config and shows its state to the checker", () => {
    const w = world(PyDict.from({ items: PyDict.from({ pear: 5n }) }));
    expect(w.view(pack.meta.className)).toEqual([["items", PyDict.from({ pear: 5n })]]);
  });

  it("answers mistakes with catalogued errors, with hints in the augmented environment", () => {
    expect(call(world(), "get_item", [["name", "kiwi"]])).toBe('{"error": "Item kiwi not found."}');
    expect(call(world(new PyDict(), true), "get_item", [["name", "kiwi"]])).toContain("call list_items");
    expect(call(world(), "add_item", [["name", "kiwi"], ["quantity", "2"]])).toBe('{"error": "Invalid quantity: \\'2\\'."}');
  });

  it("reports Python-style argument errors from the executor", () => {
    expect(call(world(), "get_item")).toBe("Error during execution: ${c.className}.get_item() missing 1 required positional argument: 'name'");
  });
});
`;
}

export function tasksJsonl(c: TemplateContext): { questions: string; answers: string } {
  const entries = [
    {
      id: "multi_turn_base_0",
      question: [
        [{ role: "user", content: "We just received 4 boxes of apples, please record them." }],
        [{ role: "user", content: "How many apples do we have now?" }],
      ],
      initial_config: { [c.className]: { items: { apple: 2 } } },
      path: [],
      involved_classes: [c.className],
    },
    {
      id: "multi_turn_base_1",
      question: [[{ role: "user", content: "Which items are there?" }], [{ role: "user", content: "Add one pear." }]],
      initial_config: { [c.className]: { items: { apple: 1, plum: 7 } } },
      path: [],
      involved_classes: [c.className],
    },
  ];
  const answers = [
    { id: "multi_turn_base_0", ground_truth: [["add_item(name='apple', quantity=4)"], ["get_item(name='apple')"]] },
    { id: "multi_turn_base_1", ground_truth: [["list_items()"], ["add_item(name='pear')"]] },
  ];
  const lines = (xs: unknown[]) => xs.map((x) => JSON.stringify(x)).join("\n") + "\n";
  return { questions: lines(entries), answers: lines(answers) };
}

export function readme(c: TemplateContext): string {
  const tasksUsage =
    c.mode === "workspace"
      ? [
          `npx envtune dataset validate ${c.relDir}/data --domains ${c.packageName}`,
          `npx envtune eval --policy oracle --split all --dataset ${c.relDir}/data --domains ${c.packageName} --out runs/${c.name}-oracle`,
        ].join("\n")
      : [
          "npm run build   # envtune loads the built pack",
          "npx envtune dataset validate data --domains .",
          "npx envtune eval --policy oracle --split all --dataset data --domains . --out runs/oracle",
        ].join("\n");
  const repoNote =
    c.mode === "workspace"
      ? "```sh\n# from the repository root\nnpx vitest run --project " +
        c.packageName +
        "\nnpx tsc -b " +
        c.relDir +
        "\nnpx eslint " +
        c.relDir +
        "\n```"
      : "```sh\nnpm install\nnpm test          # the conformance kit and the tool tests\nnpm run build     # dist/ for publishing\n```";
  return `# ${c.packageName}

${c.description}

An [envtune](https://www.npmjs.com/package/envtune) domain pack: the \`${c.className}\` class as tools a
tool-using agent can call, with state the checker compares after every turn. Scaffolded by
\`envtune new-domain\`; see the authoring guide in \`@envtune/create-domain\` (docs/authoring-a-domain.md).

## Tools

| tool | params | what it does |
|---|---|---|
| \`add_item\` | \`name, quantity=1\` | adds \`quantity\` (≥ 1) to the item; returns \`{"name", "quantity"}\` |
| \`get_item\` | \`name\` | the item's quantity, or an \`item_not_found\` error |
| \`list_items\` | — | \`{"items": [names]}\` |

State compared by the checker (\`view\`): \`items\` (name → quantity).
\`initial_config.${c.className}\`: \`{"items": {name: quantity}}\`.

## Messages

Every error text has a code in \`src/messages.ts\`: \`standard\` (plain) and \`augmented\` (with an
actionable hint). Tool bodies only ever return \`ctx.msg(code, vars)\` texts.

## Tasks

\`data/\` holds sample tasks in the BFCL multi-turn format (question file + \`possible_answer/\`).

\`\`\`sh
${tasksUsage}
\`\`\`

## Development

${repoNote}
`;
}

export function changeset(c: TemplateContext): string {
  return `---\n${JSON.stringify(c.packageName)}: minor\n---\n\nFirst release of the \`${c.name}\` domain pack (\`${c.className}\`).\n`;
}

export const changesetConfig = json({
  $schema: "https://unpkg.com/@changesets/config@3.1.4/schema.json",
  changelog: "@changesets/cli/changelog",
  commit: false,
  fixed: [],
  linked: [],
  access: "public",
  baseBranch: "main",
  updateInternalDependencies: "patch",
  ignore: [],
});

export const gitignore = "node_modules/\ndist/\n*.tsbuildinfo\nruns/\n";
