import { defineProject } from "vitest/config";

export default defineProject({
  resolve: { conditions: ["@envtune/source"] },
  ssr: { resolve: { conditions: ["@envtune/source"] } },
  test: { name: "e2e", include: ["**/*.test.ts"], exclude: ["**/node_modules/**"], testTimeout: 120_000 },
});
