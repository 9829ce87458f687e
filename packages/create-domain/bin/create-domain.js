#!/usr/bin/env node
// `npm create @envtune/domain <name>` runs this; the scaffolder lives in dist/ after the build.
import { runCreateDomain } from "../dist/index.js";

runCreateDomain(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`[envtune] [create-domain] ${err?.stack ?? err}\n`);
    process.exitCode = 1;
  },
);
