import { defineProject } from "vitest/config";

/** Shared project settings: resolve workspace packages to their TypeScript sources (no build needed). */
export function envtuneProject(name: string, extra: { testTimeout?: number } = {}) {
  return defineProject({
    resolve: { conditions: ["@envtune/source"] },
    ssr: { resolve: { conditions: ["@envtune/source"] } },
    test: {
      name,
      include: ["src/**/*.test.ts", "test/**/*.test.ts", "*.test.ts"],
      testTimeout: extra.testTimeout ?? 20_000,
    },
  });
}
