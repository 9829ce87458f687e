import { resolveDomainPacks } from "@envtune/core";
import { EXIT, type Command } from "../cli.ts";

export const domainsCommand: Command = {
  name: "domains",
  summary: "List the installed domain packs with versions and tool counts.",
  usage: "envtune domains list [--domains NAME,...] [--json]",
  options: {
    domains: {
      type: "string",
      multiple: true,
      valueName: "names",
      description:
        "Packs to load: package names or paths, `installed` (found by package metadata), `bfcl` (the eight BFCL packs); comma-separated, repeatable. Default: installed + bfcl.",
    },
    pack: { type: "string", multiple: true, valueName: "name", description: "Extra domain pack package or path to load (repeatable)." },
    json: { type: "boolean", description: "Print JSON." },
  },
  details: [
    'A package is found as a domain pack when its package.json has `"envtune": { "domain": true }`',
    "or the keyword `envtune-domain`; `envtune new-domain` scaffolds such a package.",
  ].join("\n"),
  async run({ values, positionals, stdout, stderr }) {
    const sub = positionals[0] ?? "list";
    if (sub !== "list") {
      stderr(`[envtune] [domains] Unknown subcommand \`${sub}\`. Use \`envtune domains list\`.\n`);
      return EXIT.USAGE;
    }
    const extra = (values.pack as string[] | undefined) ?? [];
    const domains = values.domains as string[] | undefined;
    const list = domains?.length || extra.length ? [...(domains ?? ["installed", "bfcl"]), ...extra] : undefined;
    const { packs, missing, sources, discovered } = await resolveDomainPacks(list);
    const rows = [...packs.values()]
      .map((p) => {
        const spec = sources.get(p.meta.className) ?? "";
        const pkg = discovered.find((d) => d.name === spec);
        return {
          package: spec,
          name: p.meta.name,
          className: p.meta.className,
          version: p.meta.version,
          packageVersion: pkg?.version ?? null,
          tools: p.tools.length,
          stateless: p.stateless === true,
          bfclCommit: p.meta.bfclCommit?.slice(0, 8) ?? null,
          description: p.meta.description,
        };
      })
      .sort((a, b) => a.package.localeCompare(b.package));
    if (values.json) {
      stdout(JSON.stringify({ installed: rows, missing }, null, 2) + "\n");
      return EXIT.OK;
    }
    const table = [
      ["package", "class", "version", "tools", "bfcl"],
      ...rows.map((r) => [r.package, r.className, r.version, String(r.tools), r.bfclCommit ?? "-"]),
    ];
    const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
    for (const r of table)
      stdout(
        r
          .map((c, i) => (i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
          .join("  ")
          .trimEnd() + "\n",
      );
    for (const m of missing) stdout(`(not installed) ${m.specifier}\n`);
    if (rows.length === 0) stdout("No domain pack is installed. Install one, e.g. npm install @envtune/domain-ticket.\n");
    return EXIT.OK;
  },
};
