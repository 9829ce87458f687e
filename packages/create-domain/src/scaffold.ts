import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { parseArgs } from "node:util";
import * as t from "./templates.ts";

/**
 * Version ranges a new pack depends on. Kept in step with the packages by a test of this package
 * (a release that leaves these ranges fails it).
 */
export const VERSION_RANGES: t.VersionRanges = {
  core: "^0.1.0",
  testing: "^0.1.0",
  vitest: "^4.1.0",
  typescript: "~5.9.3",
  changesets: "^2.31.1",
};

export interface ScaffoldOptions {
  /** kebab-case pack name, e.g. `library`. */
  name: string;
  /** Target directory (must be absent or empty). Default: `domains/<name>` in an envtune monorepo, else `./<name>`. */
  dir?: string;
  /** Class name used by dataset entries (default: PascalCase name + `API`, e.g. `LibraryAPI`). */
  className?: string;
  /** npm package name (default: `@envtune/domain-<name>` in the monorepo, else `envtune-domain-<name>`). */
  packageName?: string;
  description?: string;
  /** `auto` (default): workspace mode when the directory is a workspace package of an envtune monorepo. */
  mode?: "auto" | "workspace" | "standalone";
  /** Base for relative paths (default: the working directory). */
  cwd?: string;
}

export interface ScaffoldResult {
  dir: string;
  mode: "workspace" | "standalone";
  packageName: string;
  className: string;
  /** Written files, relative to the repository root (workspace) or the pack directory. */
  files: string[];
  /** What to do next, one line each. */
  nextSteps: string[];
}

export class ScaffoldError extends Error {
  constructor(what: string, hint: string) {
    super(`[envtune] [create-domain] ${what} ${hint}`);
    this.name = "ScaffoldError";
  }
}

const KEBAB = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const PY_IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PKG_NAME = /^(?:@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;

/** `example-library` → `ExampleLibraryAPI`. */
export function defaultClassName(name: string): string {
  return (
    name
      .split("-")
      .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
      .join("") + "API"
  );
}

interface Monorepo {
  root: string;
  /** Workspace folders that hold packages directly (`domains` from `domains/*`). */
  packageParents: string[];
}

/** The envtune monorepo around `start`, recognised by its workspace root and shared configs. */
export function findMonorepo(start: string): Monorepo | undefined {
  let dir = resolve(start);
  for (;;) {
    const pj = join(dir, "package.json");
    if (existsSync(pj) && existsSync(join(dir, "tsconfig.base.json")) && existsSync(join(dir, "vitest.shared.ts"))) {
      try {
        const pkg = JSON.parse(readFileSync(pj, "utf8")) as { workspaces?: unknown };
        if (Array.isArray(pkg.workspaces)) {
          const parents = pkg.workspaces.filter((w): w is string => typeof w === "string" && w.endsWith("/*")).map((w) => w.slice(0, -2));
          return { root: dir, packageParents: parents };
        }
      } catch {
        // not a readable package.json: keep looking further up
      }
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

const posix = (p: string) => p.split(sep).join("/");

/** Writes a new domain pack. Refuses to write into a non-empty directory. */
export function scaffoldDomain(opts: ScaffoldOptions): ScaffoldResult {
  const cwd = resolve(opts.cwd ?? process.cwd());
  const name = opts.name;
  if (!KEBAB.test(name))
    throw new ScaffoldError(
      `The pack name \`${name}\` is not kebab-case.`,
      "Use lower-case words joined by dashes, e.g. `library` or `smart-home`.",
    );
  const className = opts.className ?? defaultClassName(name);
  if (!PY_IDENT.test(className))
    throw new ScaffoldError(
      `The class name \`${className}\` is not an identifier.`,
      "Use letters, digits and underscores, starting with a letter, e.g. `LibraryAPI`.",
    );

  const repo = findMonorepo(cwd);
  const dir = resolve(cwd, opts.dir ?? (repo && opts.mode !== "standalone" ? join(repo.root, "domains", name) : name));
  const inWorkspace = repo !== undefined && repo.packageParents.some((p) => resolve(repo.root, p) === dirname(dir));
  let mode: "workspace" | "standalone";
  if (opts.mode === "workspace") {
    if (!repo || !inWorkspace)
      throw new ScaffoldError(
        `\`${dir}\` is not a workspace package folder of an envtune monorepo.`,
        "Put it under one of the workspace folders (e.g. domains/<name>) or use standalone mode.",
      );
    mode = "workspace";
  } else mode = opts.mode === "standalone" || !inWorkspace ? "standalone" : "workspace";

  const packageName = opts.packageName ?? (mode === "workspace" ? `@envtune/domain-${name}` : `envtune-domain-${name}`);
  if (!PKG_NAME.test(packageName))
    throw new ScaffoldError(
      `\`${packageName}\` is not a valid npm package name.`,
      "Use lower case, e.g. `@acme/domain-library` or `envtune-domain-library`.",
    );
  const description = (
    opts.description ?? `A ${name.replace(/-/g, " ")} domain for envtune: a small inventory of items to add, look up and list.`
  ).trim();
  if (description.includes("\n")) throw new ScaffoldError("The description spans several lines.", "Give one line.");

  if (existsSync(dir) && readdirSync(dir).length > 0)
    throw new ScaffoldError(`\`${dir}\` exists and is not empty.`, "Choose a new directory (--dir) or empty it first.");

  const ctx: t.TemplateContext = {
    name,
    className,
    packageName,
    description,
    mode,
    relRoot: mode === "workspace" ? posix(relative(dir, repo!.root)) : ".",
    relDir: mode === "workspace" ? posix(relative(repo!.root, dir)) : ".",
    versions: VERSION_RANGES,
  };
  const tasks = t.tasksJsonl(ctx);
  const files: Array<[string, string]> = [
    ["package.json", t.packageJson(ctx)],
    ["tsconfig.json", t.tsconfigJson(ctx)],
    ["vitest.config.ts", t.vitestConfig(ctx)],
    ["README.md", t.readme(ctx)],
    ["src/index.ts", t.indexTs(ctx)],
    ["src/state.ts", t.stateTs(ctx)],
    ["src/tools.ts", t.toolsTs(ctx)],
    ["src/messages.ts", t.messagesTs(ctx)],
    [`src/${name}.test.ts`, t.testTs(ctx)],
    ["data/tasks.jsonl", tasks.questions],
    ["data/possible_answer/tasks.jsonl", tasks.answers],
  ];
  if (mode === "standalone") {
    files.push(
      [".gitignore", t.gitignore],
      [".changeset/config.json", t.changesetConfig],
      [".changeset/initial-release.md", t.changeset(ctx)],
    );
  }
  const written: string[] = [];
  for (const [rel, text] of files) {
    const file = join(dir, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    written.push(mode === "workspace" ? posix(relative(repo!.root, file)) : rel);
  }
  const nextSteps: string[] = [];
  if (mode === "workspace") {
    const csDir = join(repo!.root, ".changeset");
    if (existsSync(csDir)) {
      const cs = join(csDir, `${name}-domain-initial.md`);
      if (!existsSync(cs)) {
        writeFileSync(cs, t.changeset(ctx));
        written.push(posix(relative(repo!.root, cs)));
      }
    }
    const relDir = posix(relative(repo!.root, dir));
    nextSteps.push(
      "npm install   # links the new workspace package",
      `add { "path": "${relDir}" } to the references of the root tsconfig.json`,
      `npx vitest run --project ${packageName}`,
      `npx envtune eval --policy oracle --split all --dataset ${relDir}/data --domains ${packageName} --out runs/${name}-oracle`,
    );
  } else {
    const relDir = posix(relative(cwd, dir)) || ".";
    nextSteps.push(
      `cd ${relDir}`,
      "npm install",
      "npm test",
      `npm run build && npx envtune eval --policy oracle --split all --dataset data --domains . --out runs/oracle`,
    );
  }
  return { dir, mode, packageName, className, files: written, nextSteps };
}

const HELP = `Usage: create-domain <name> [options]   (also: npm create @envtune/domain <name>, envtune new-domain <name>)

Scaffolds an envtune domain pack: manifest (defineDomain), three sample tools with JSON Schemas,
state and state view, standard and augmented messages, conformance-kit tests, sample tasks in the
BFCL format, README and a changeset. The scaffolded pack passes its tests unchanged.

Options:
  --dir <dir>            target directory (default: domains/<name> in the envtune repo, else ./<name>)
  --class <Name>         class name used by datasets (default: <Name>API)
  --package <name>       npm package name (default: @envtune/domain-<name> in the repo, else envtune-domain-<name>)
  --description <text>   one line about the domain
  --standalone           its own project even inside the envtune repository
  -h, --help             this help
`;

/** The `create-domain` command line; returns the exit code (0 ok, 2 usage error). */
export async function runCreateDomain(
  argv: string[],
  io: { stdout?: (s: string) => void; stderr?: (s: string) => void; cwd?: string } = {},
): Promise<number> {
  const out = io.stdout ?? ((s: string) => void process.stdout.write(s));
  const err = io.stderr ?? ((s: string) => void process.stderr.write(s));
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        dir: { type: "string" },
        class: { type: "string" },
        package: { type: "string" },
        description: { type: "string" },
        standalone: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    err(`[envtune] [create-domain] ${(e as Error).message}. Run \`create-domain --help\`.\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out(HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    err("[envtune] [create-domain] Give exactly one pack name. Example: create-domain library\n");
    return 2;
  }
  try {
    const r = scaffoldDomain({
      name: positionals[0]!,
      ...(io.cwd ? { cwd: io.cwd } : {}),
      ...(values.dir ? { dir: values.dir } : {}),
      ...(values.class ? { className: values.class } : {}),
      ...(values.package ? { packageName: values.package } : {}),
      ...(values.description ? { description: values.description } : {}),
      ...(values.standalone ? { mode: "standalone" as const } : {}),
    });
    out(
      `Created ${r.packageName} (${r.className}, ${r.mode}) in ${r.dir}:\n${r.files.map((f) => `  ${f}`).join("\n")}\nNext:\n${r.nextSteps.map((s) => `  ${s}`).join("\n")}\n`,
    );
    return 0;
  } catch (e) {
    if (e instanceof ScaffoldError) {
      err(e.message + "\n");
      return 2;
    }
    throw e;
  }
}
