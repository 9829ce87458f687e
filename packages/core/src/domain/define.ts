import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { z } from "zod";
import { EnvtuneError } from "../errors.ts";
import { formatZodIssues } from "../zod.ts";
import type { DomainDefinition, DomainPack, ToolDef, ToolSchema } from "./types.ts";

const semver = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const ident = /^[A-Za-z_][A-Za-z0-9_]*$/;

const manifestSchema = z.object({
  meta: z.object({
    name: z.string().regex(/^[a-z][a-z0-9-]*$/, "must be kebab-case"),
    version: z.string().regex(semver, "must be a semver version"),
    className: z.string().regex(ident, "must be a Python identifier"),
    bfclCommit: z
      .string()
      .regex(/^[0-9a-f]{7,40}$/, "must be a git commit hash (omit it for a domain that is not a BFCL port)")
      .optional(),
    description: z.string().min(1),
  }),
  stateless: z.boolean().optional(),
  tools: z
    .array(
      z.object({
        name: z.string().regex(ident, "must be a Python identifier"),
        params: z.array(z.object({ name: z.string().regex(ident, "must be a Python identifier") }).loose()),
        run: z.custom<(...a: unknown[]) => unknown>((v) => typeof v === "function", "must be a function"),
      }),
    )
    .min(1),
  schemas: z.array(z.object({ name: z.string(), description: z.string(), parameters: z.record(z.string(), z.unknown()) })),
  createState: z.custom<(...a: unknown[]) => unknown>((v) => typeof v === "function", "must be a function"),
  view: z.custom<(...a: unknown[]) => unknown>((v) => typeof v === "function", "must be a function"),
  messages: z.object({
    standard: z.record(z.string(), z.string()),
    augmented: z.record(z.string(), z.string()),
  }),
});

/** Every problem of a pack definition, as dot-path messages (empty when valid). */
export function validateDomainDefinition(def: unknown): string[] {
  const problems: string[] = [];
  const parsed = manifestSchema.safeParse(def);
  if (!parsed.success) {
    return formatZodIssues(parsed.error.issues);
  }
  const d = parsed.data;
  const toolNames = new Set<string>();
  d.tools.forEach((t, i) => {
    if (toolNames.has(t.name)) problems.push(`tools.${i}.name: duplicate tool \`${t.name}\``);
    toolNames.add(t.name);
    const seen = new Set<string>();
    t.params.forEach((p, j) => {
      if (seen.has(p.name)) problems.push(`tools.${i}.params.${j}.name: duplicate parameter \`${p.name}\``);
      seen.add(p.name);
    });
  });
  const schemaNames = new Set(d.schemas.map((s) => s.name));
  for (const n of toolNames) if (!schemaNames.has(n)) problems.push(`schemas: no schema for tool \`${n}\``);
  d.schemas.forEach((s, i) => {
    if (!toolNames.has(s.name)) problems.push(`schemas.${i}.name: schema for unknown tool \`${s.name}\``);
    const tool = d.tools.find((t) => t.name === s.name);
    const props = Object.keys((s.parameters.properties as Record<string, unknown> | undefined) ?? {});
    if (tool) {
      const params = tool.params.map((p) => p.name);
      for (const p of params)
        if (!props.includes(p)) problems.push(`schemas.${i}.parameters.properties: missing parameter \`${p}\` of tool \`${s.name}\``);
      for (const p of props)
        if (!params.includes(p))
          problems.push(`tools.${d.tools.indexOf(tool)}.params: schema parameter \`${p}\` is not in the signature of \`${s.name}\``);
    }
  });
  const std = Object.keys(d.messages.standard);
  const aug = new Set(Object.keys(d.messages.augmented));
  for (const c of std) if (!aug.has(c)) problems.push(`messages.augmented: missing code \`${c}\``);
  for (const c of aug) if (!(c in d.messages.standard)) problems.push(`messages.standard: missing code \`${c}\``);
  return problems;
}

let ajv: Ajv2020 | undefined;
function compile(schema: ToolSchema): ValidateFunction {
  ajv ??= new Ajv2020({ allErrors: true, strict: false });
  return ajv.compile(schema.parameters);
}

/**
 * Builds a domain pack from its definition. Validates the whole definition first and reports every
 * problem at once; compiles each tool's JSON Schema once (lazily, on first validation).
 */
export function defineDomain<S>(def: DomainDefinition<S>): DomainPack<S> {
  const problems = validateDomainDefinition(def);
  if (problems.length) {
    const name = (def as { meta?: { name?: string } })?.meta?.name ?? "unknown";
    throw new EnvtuneError(
      "INVALID_DOMAIN_PACK",
      name,
      `The domain pack definition has ${problems.length} problem(s).`,
      "Fix each listed path in the object passed to `defineDomain`.",
      { details: problems },
    );
  }
  const toolMap = new Map<string, ToolDef<S>>(def.tools.map((t) => [t.name, t]));
  const schemaMap = new Map(def.schemas.map((s) => [s.name, s]));
  const validators = new Map<string, ValidateFunction>();
  return Object.freeze({
    ...def,
    kind: "envtune.domain" as const,
    toolMap,
    openaiTools: def.schemas.map((s) => ({ type: "function" as const, function: s })),
    validateArgs(tool: string, args: unknown) {
      const schema = schemaMap.get(tool);
      if (!schema) return { ok: false as const, errors: [`unknown tool \`${tool}\``] };
      let v = validators.get(tool);
      if (!v) {
        v = compile(schema);
        validators.set(tool, v);
      }
      if (v(args)) return { ok: true as const };
      return {
        ok: false as const,
        errors: (v.errors ?? []).map(
          (e) => `${e.instancePath.replace(/^\//, "").replace(/\//g, ".") || "(arguments)"} ${e.message ?? "is invalid"}`,
        ),
      };
    },
  });
}

/** Type guard for objects produced by {@link defineDomain} (e.g. a dynamically imported module's default export). */
export function isDomainPack(v: unknown): v is DomainPack {
  return typeof v === "object" && v !== null && (v as { kind?: unknown }).kind === "envtune.domain";
}
