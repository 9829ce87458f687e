import { EnvtuneError } from "../errors.ts";
import { isDomainPack } from "./define.ts";
import type { DomainPack } from "./types.ts";

/** The eight BFCL domain packs, by BFCL class name → npm package. */
export const BFCL_DOMAIN_PACKAGES: Readonly<Record<string, string>> = {
  GorillaFileSystem: "@envtune/domain-file-system",
  MathAPI: "@envtune/domain-math",
  MessageAPI: "@envtune/domain-message",
  TwitterAPI: "@envtune/domain-posting",
  TicketAPI: "@envtune/domain-ticket",
  TradingBot: "@envtune/domain-trading",
  TravelAPI: "@envtune/domain-travel",
  VehicleControlAPI: "@envtune/domain-vehicle-control",
};

export interface LoadedPacks {
  /** Packs by BFCL class name. */
  packs: Map<string, DomainPack>;
  /** Package specifiers that could not be imported, with the reason. */
  missing: Array<{ specifier: string; reason: string }>;
}

/**
 * Imports domain packs by package name or path (their default export must come from
 * `defineDomain`). Only the given specifiers are imported: configuration, never model output,
 * decides what is loaded.
 */
export async function loadDomainPacks(specifiers: readonly string[] = Object.values(BFCL_DOMAIN_PACKAGES)): Promise<LoadedPacks> {
  const packs = new Map<string, DomainPack>();
  const missing: LoadedPacks["missing"] = [];
  for (const spec of specifiers) {
    let mod: { default?: unknown };
    try {
      mod = (await import(spec)) as { default?: unknown };
    } catch (e) {
      missing.push({ specifier: spec, reason: (e as Error).message.split("\n")[0]! });
      continue;
    }
    const pack = mod.default;
    if (!isDomainPack(pack)) {
      throw new EnvtuneError(
        "NOT_A_DOMAIN_PACK",
        "core",
        `\`${spec}\` does not export a domain pack as its default export.`,
        "Export the result of `defineDomain(...)` as the module's default export.",
      );
    }
    const prev = packs.get(pack.meta.className);
    if (prev) {
      throw new EnvtuneError(
        "DUPLICATE_DOMAIN",
        "core",
        `Two packs implement \`${pack.meta.className}\`: \`${prev.meta.name}\` and \`${pack.meta.name}\`.`,
        "Load only one pack per class.",
      );
    }
    packs.set(pack.meta.className, pack);
  }
  return { packs, missing };
}

/** Throws a clear error naming the packs an entry needs but that are not installed. */
export function requirePacks(packs: ReadonlyMap<string, DomainPack>, classes: readonly string[], what: string): DomainPack[] {
  const absent = classes.filter((c) => !packs.has(c));
  if (absent.length) {
    const known = absent.flatMap((c) => (BFCL_DOMAIN_PACKAGES[c] ? [BFCL_DOMAIN_PACKAGES[c]] : []));
    const unknown = absent.filter((c) => !BFCL_DOMAIN_PACKAGES[c]);
    // A BFCL class has a package name we can give; for any other class only its author knows it.
    const hints = [
      ...(known.length ? [`Install ${known.map((n) => `\`${n}\``).join(", ")} (npm install ${known.join(" ")})`] : []),
      ...(unknown.length
        ? [
            `${known.length ? "install" : "Install"} the domain pack that implements ${unknown.join(", ")} and load it (--domains <package or path>)`,
          ]
        : []),
    ];
    throw new EnvtuneError(
      "DOMAIN_NOT_INSTALLED",
      "core",
      `${what} needs ${absent.join(", ")}, which no loaded domain pack implements.`,
      `${hints.join(", and ")}, or leave such entries out.`,
    );
  }
  return classes.map((c) => packs.get(c)!);
}
