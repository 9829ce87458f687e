import { defineConfig } from "vitest/config";

// One run over every workspace project gives one summary line; each project keeps its own
// vitest.config.ts so `npm test -w <pkg>` works on its own.
export default defineConfig({
  test: {
    projects: ["packages/*", "domains/*", "tools/*", "test"],
  },
});
