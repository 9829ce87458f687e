import { downloadBfclData, resolveBfclDataDir, verifyBfclData, loadBfclDataset } from "@envtune/bfcl-data";
import { EXIT, type Command } from "../cli.ts";

export const dataCommand: Command = {
  name: "data",
  summary: "Download (pinned commit, checksums, cache), verify or describe the BFCL data.",
  usage: "envtune data <download|verify|info> [--data DIR] [--cache DIR] [--base-url URL] [--json]",
  options: {
    data: { type: "string", valueName: "dir", description: "BFCL data directory (else $ENVTUNE_BFCL_DATA or the cache)." },
    cache: { type: "string", valueName: "dir", description: "Cache directory for downloads." },
    "base-url": { type: "string", valueName: "url", description: "Raw-file server to download from (default: GitHub raw)." },
    json: { type: "boolean", description: "Print JSON." },
  },
  async run({ values, positionals, stdout, stderr }) {
    const sub = positionals[0] ?? "info";
    if (sub === "download") {
      const dir = await downloadBfclData({
        ...(values.cache ? { cacheDir: values.cache as string } : {}),
        ...(values["base-url"] ? { baseUrl: values["base-url"] as string } : {}),
        onProgress: (p) => stderr(`[${p.index + 1}/${p.total}] ${p.file} ${p.cached ? "(cached)" : `${p.bytes} bytes`}\n`),
      });
      stdout((values.json ? JSON.stringify({ dir }) : dir) + "\n");
      return EXIT.OK;
    }
    const dir = await resolveBfclDataDir({
      ...(values.data ? { dataDir: values.data as string } : {}),
      ...(values.cache ? { downloadOptions: { cacheDir: values.cache as string } } : {}),
    });
    if (sub === "verify") {
      const bad = verifyBfclData(dir);
      stdout(
        values.json
          ? JSON.stringify({ dir, problems: bad }) + "\n"
          : bad.length
            ? bad.map((b) => `${b.problem}: ${b.file}`).join("\n") + "\n"
            : `all files match the pinned checksums (${dir})\n`,
      );
      return bad.length ? EXIT.FAILURE : EXIT.OK;
    }
    if (sub === "info") {
      const ds = loadBfclDataset(dir);
      const counts: Record<string, number> = {};
      for (const e of ds.entries) counts[e.category] = (counts[e.category] ?? 0) + 1;
      stdout(
        values.json
          ? JSON.stringify({ dir, entries: ds.entries.length, categories: counts }) + "\n"
          : `${dir}\n${ds.entries.length} entries: ${Object.entries(counts)
              .map(([k, v]) => `${k} ${v}`)
              .join(", ")}\n`,
      );
      return EXIT.OK;
    }
    stderr(`unknown subcommand \`${sub}\`; try \`envtune data --help\`\n`);
    return EXIT.USAGE;
  },
};
