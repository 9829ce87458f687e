import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parsePythonCalls } from "@envtune/core/actions";
import { isDomainPack, type DomainPack, type LongContextConstants, type ToolContext } from "@envtune/core/domain";
import { World, encodeView, type CallLike } from "@envtune/core/exec";
import { PyDict, encodeValue, type PyValue } from "@envtune/core/py";

export interface ConformanceSample {
  /** `initial_config` slice for the pack's class. */
  config: PyDict;
  /** Call strings to run in order. */
  calls: string[];
  longContext?: boolean;
}

export interface ConformanceOptions {
  /** Scenarios to exercise; default: one empty config with one generated call per tool. */
  samples?: ConformanceSample[];
  constants?: LongContextConstants;
}

/** A plausible value for a JSON Schema, to exercise every tool without knowing the domain. */
function sampleValue(schema: Record<string, unknown> | undefined): PyValue {
  const t = Array.isArray(schema?.type) ? schema.type[0] : schema?.type;
  if (Array.isArray(schema?.enum) && schema.enum.length) return schema.enum[0] as PyValue;
  switch (t) {
    case "string":
      return "sample";
    case "integer":
      return 1n;
    case "number":
      return 1.5;
    case "boolean":
      return true;
    case "array":
      return [];
    case "object":
      return new PyDict();
    default:
      return null;
  }
}

/** One generated call per tool, with every parameter of its schema filled in. */
export function generatedCalls(pack: DomainPack): CallLike[] {
  return pack.schemas.map((s) => {
    const props = (s.parameters.properties ?? {}) as Record<string, Record<string, unknown>>;
    return { name: s.name, args: [], kwargs: Object.entries(props).map(([k, p]) => [k, sampleValue(p)] as [string, PyValue]) };
  });
}

function callsOf(sample: ConformanceSample | undefined, pack: DomainPack): CallLike[] {
  if (!sample || sample.calls.length === 0) return generatedCalls(pack);
  return sample.calls.flatMap((c) => parsePythonCalls(c));
}

function run(pack: DomainPack, sample: ConformanceSample | undefined, augmented: boolean, constants?: LongContextConstants) {
  const cls = pack.meta.className;
  const world = new World({
    packs: [pack],
    initialConfig: new PyDict([[cls, sample?.config ?? new PyDict()]]),
    longContext: sample?.longContext ?? false,
    ...(constants ? { constants } : {}),
    augmented,
    shared: new Map(),
  });
  const initial = encodeView(world.view(cls));
  const results = callsOf(sample, pack).map((c) => world.call(c).result);
  return { initial, results, final: encodeView(world.view(cls)) };
}

/**
 * The shared conformance suite every domain pack runs (registers vitest tests):
 * schemas, catalogues, state views, determinism, catalogued error messages, episode isolation.
 */
export function testDomainPack(pack: DomainPack, opts: ConformanceOptions = {}): void {
  const samples = opts.samples?.length ? opts.samples : [undefined];
  describe(`domain pack conformance: ${pack.meta?.name ?? "?"}`, () => {
    it("is a pack made by defineDomain with complete metadata", () => {
      expect(isDomainPack(pack)).toBe(true);
      expect(pack.meta.version).toMatch(/^\d+\.\d+\.\d+/);
      if (pack.meta.bfclCommit !== undefined) expect(pack.meta.bfclCommit).toMatch(/^[0-9a-f]{7,40}$/);
    });

    it("has a valid JSON Schema for every tool and an OpenAI tool list", () => {
      const ajv = new Ajv2020({ strict: false });
      expect(pack.schemas.map((s) => s.name).sort()).toEqual([...pack.toolMap.keys()].sort());
      for (const s of pack.schemas) {
        expect(s.parameters.type, s.name).toBe("object");
        expect(() => ajv.compile(s.parameters), s.name).not.toThrow();
        expect(s.description.length, s.name).toBeGreaterThan(0);
      }
      expect(pack.openaiTools).toHaveLength(pack.schemas.length);
      for (const t of pack.openaiTools) expect(t.type).toBe("function");
    });

    it("has standard and augmented catalogues with the same codes and non-empty texts", () => {
      const std = Object.keys(pack.messages.standard).sort();
      expect(Object.keys(pack.messages.augmented).sort()).toEqual(std);
      for (const c of std) {
        expect(pack.messages.standard[c]!.length, c).toBeGreaterThan(0);
        expect(pack.messages.augmented[c]!.length, c).toBeGreaterThan(0);
      }
    });

    it("produces serializable state views", () => {
      for (const s of samples) {
        const cls = pack.meta.className;
        const world = new World({
          packs: [pack],
          initialConfig: new PyDict([[cls, s?.config ?? new PyDict()]]),
          longContext: s?.longContext ?? false,
          ...(opts.constants ? { constants: opts.constants } : {}),
        });
        const view = world.view(cls);
        if (pack.stateless) expect(view).toEqual([]);
        for (const [k, v] of view) {
          expect(typeof k).toBe("string");
          expect(() => encodeValue(v), k).not.toThrow();
        }
      }
    });

    it("is deterministic: the same scenario gives the same results and states", () => {
      for (const s of samples) {
        for (const augmented of [false, true]) {
          expect(run(pack, s, augmented, opts.constants)).toEqual(run(pack, s, augmented, opts.constants));
        }
      }
    });

    it("shares no mutable state between episodes", () => {
      for (const s of samples) {
        const first = run(pack, s, false, opts.constants);
        const second = run(pack, s, false, opts.constants);
        expect(second.initial).toBe(first.initial);
      }
    });

    it("returns error messages only from its catalogues, in both modes", () => {
      for (const augmented of [false, true]) {
        const catalogue = augmented ? pack.messages.augmented : pack.messages.standard;
        for (const s of samples) {
          const cls = pack.meta.className;
          const world = new World({
            packs: [pack],
            initialConfig: new PyDict([[cls, s?.config ?? new PyDict()]]),
            longContext: s?.longContext ?? false,
            ...(opts.constants ? { constants: opts.constants } : {}),
          });
          const state = world.stateOf(cls);
          const rendered: string[] = [];
          const ctx: ToolContext = {
            augmented,
            msg: (code, vars) => {
              const t = catalogue[code];
              expect(t, `message code ${code}`).toBeDefined();
              const text = vars ? t!.replace(/\{([A-Za-z_]\w*)\}/g, (m, k: string) => (Object.hasOwn(vars, k) ? vars[k]! : m)) : t!;
              rendered.push(text);
              return text;
            },
          };
          for (const c of callsOf(s, pack)) {
            const tool = pack.toolMap.get(c.name);
            if (!tool) continue;
            rendered.length = 0;
            let value: PyValue;
            try {
              const args: Record<string, PyValue> = Object.create(null);
              tool.params.forEach((p, i) => {
                const kw = c.kwargs.find(([k]) => k === p.name);
                const v = kw ? kw[1] : c.args[i];
                if (v !== undefined) args[p.name] = v;
                else if (Object.hasOwn(p, "default"))
                  args[p.name] = typeof p.default === "function" ? (p.default as (x: unknown) => PyValue)(state) : (p.default as PyValue);
              });
              if (tool.params.some((p) => !(p.name in args))) continue;
              value = tool.run(state, args, ctx);
            } catch {
              continue;
            }
            if (value instanceof PyDict && typeof value.get("error") === "string") {
              expect(rendered, `${c.name}: error text must come from ctx.msg`).toContain(value.get("error"));
            }
          }
        }
      }
    });
  });
}
