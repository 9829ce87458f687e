import { BFCL_DOMAIN_PACKAGES, loadDomainPacks } from "@envtune/core";
import { EXIT, type Command } from "../cli.ts";

export const domainsCommand: Command = {
  name: "domains",
  summary: "List the installed domain packs with versions and tool counts.",
  usage: "envtune domains list [--pack NAME ...] [--json]",
  options: {
    pack: { type: "string", multiple: true, valueName: "name", description: "Extra domain pack package or path to load (repeatable)." },
    json: { type: "boolean", description: "Print JSON." },
  },
  async run({ values, positionals, stdout }) {
    const sub = positionals[0] ?? "list";
    if (sub !== "list") {
      stdout(`unknown subcommand \`${sub}\`; try \`envtune domains list\`\n`);
      return EXIT.USAGE;
    }
    const { packs, missing } = await loadDomainPacks([...Object.values(BFCL_DOMAIN_PACKAGES), ...((values.pack as string[] | undefined) ?? [])]);
    const rows = [...packs.values()].map((p) => ({ name: p.meta.name, className: p.meta.className, version: p.meta.version, tools: p.tools.length, bfclCommit: p.meta.bfclCommit.slice(0, 8) }));
    if (values.json) {
      stdout(JSON.stringify({ installed: rows, missing }, null, 2) + "\n");
      return EXIT.OK;
    }
    stdout(`${"pack".padEnd(18)} ${"class".padEnd(20)} ${"version".padEnd(9)} tools\n`);
    for (const r of rows) stdout(`${r.name.padEnd(18)} ${r.className.padEnd(20)} ${r.version.padEnd(9)} ${r.tools}\n`);
    for (const m of missing) stdout(`(not installed) ${m.specifier}\n`);
    return EXIT.OK;
  },
};
