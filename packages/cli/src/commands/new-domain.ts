import { ScaffoldError, scaffoldDomain } from "@envtune/create-domain";
import { assertCreatableDir } from "@envtune/trainer";
import { EXIT, usageError, type Command } from "../cli.ts";

export const newDomainCommand: Command = {
  name: "new-domain",
  summary: "Scaffold a new domain pack that passes its tests unchanged (same as `npm create @envtune/domain`).",
  usage: "envtune new-domain NAME [--dir DIR] [--class NAME] [--package NAME] [--description TEXT] [--standalone]",
  options: {
    dir: {
      type: "string",
      valueName: "dir",
      description: "Target directory (default: domains/NAME in the envtune repository, else ./NAME).",
    },
    class: { type: "string", valueName: "name", description: "Class name datasets use in involved_classes (default: <Name>API)." },
    package: {
      type: "string",
      valueName: "name",
      description: "npm package name (default: @envtune/domain-NAME in the repository, else envtune-domain-NAME).",
    },
    description: { type: "string", valueName: "text", description: "One line about the domain." },
    standalone: { type: "boolean", description: "Make it its own project even inside the envtune repository." },
  },
  details: [
    "Writes: package.json (envtune domain metadata), src/index.ts (defineDomain manifest), src/state.ts",
    "(state and the checker's view), src/tools.ts + src/schemas.ts (sample tools and JSON Schemas),",
    "src/messages.ts (standard and augmented catalogues), src/NAME.test.ts (the conformance kit),",
    "data/ (sample tasks in the BFCL format), README.md and a changeset.",
    "Guide: docs/authoring-a-domain.md of @envtune/create-domain.",
    "Example: envtune new-domain smart-home --class SmartHomeAPI",
  ].join("\n"),
  async run({ values, positionals, stdout }) {
    if (positionals.length !== 1)
      throw usageError("new-domain", "Give exactly one pack NAME (kebab-case).", "Example: envtune new-domain library.");
    // Before anything is created: a bad path (/proc/x, a file, a read-only mount) gets exit 3 and a hint.
    if (values.dir) assertCreatableDir(values.dir as string, "the domain's folder");
    try {
      const r = scaffoldDomain({
        name: positionals[0]!,
        ...(values.dir ? { dir: values.dir as string } : {}),
        ...(values.class ? { className: values.class as string } : {}),
        ...(values.package ? { packageName: values.package as string } : {}),
        ...(values.description ? { description: values.description as string } : {}),
        ...(values.standalone ? { mode: "standalone" as const } : {}),
      });
      stdout(
        `Created ${r.packageName} (${r.className}, ${r.mode}) in ${r.dir}:\n${r.files.map((f) => `  ${f}`).join("\n")}\nNext:\n${r.nextSteps.map((s) => `  ${s}`).join("\n")}\n`,
      );
      return EXIT.OK;
    } catch (e) {
      if (e instanceof ScaffoldError) throw usageError("new-domain", e.message.replace(/^\[envtune\] \[create-domain\] /, ""));
      throw e;
    }
  },
};
