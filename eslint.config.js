// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/**
 * Import boundaries of shared/ARCHITECTURE.md, enforced per folder with no-restricted-imports.
 * test/lint/boundaries.test.ts proves a forbidden import is reported.
 */
const SDKS = {
  "@octokit/*": "adapters/github",
  "@aws-sdk/*": "adapters/bedrock",
  "@smithy/*": "adapters/bedrock",
  "better-sqlite3": "adapters/sqlite",
  pg: "adapters/postgres",
  "simple-git": "adapters/git",
  axios: "adapters/vanta",
  "p-limit": "daemon",
};

/** @param {string} except the folder allowed to import its SDK */
function sdkPatterns(except = "") {
  return Object.entries(SDKS)
    .filter(([, folder]) => folder !== except)
    .map(([group, folder]) => ({ group: [group], message: `only src/${folder} may import ${group} (ARCHITECTURE.md boundaries)` }));
}

const noNetwork = [
  { group: ["node:http", "node:https", "node:http2", "node:net", "node:child_process", "http", "https", "net", "child_process"], message: "domain/, terraform/ and controls/ are pure: no network or process spawning" },
];
const noAdapters = [{ group: ["**/adapters/**", "../adapters/*", "../../adapters/*"], message: "depend on ports/, not adapters/ (adapters are injected by the composition root)" }];

export default tseslint.config(
  { ignores: ["node_modules/**", "dist/**", "coverage/**", "bench/results/**", "test/lint/fixtures/**", "infra/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ["eslint.config.js", "bin/*.js"] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: true }],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
      "no-restricted-imports": ["error", { patterns: sdkPatterns() }],
    },
  },
  {
    files: ["src/domain/**", "src/terraform/**", "src/controls/**"],
    rules: { "no-restricted-imports": ["error", { patterns: [...sdkPatterns(), ...noNetwork, ...noAdapters] }] },
  },
  {
    files: ["src/pipeline/**", "src/remediation/**"],
    rules: { "no-restricted-imports": ["error", { patterns: [...sdkPatterns(), ...noAdapters] }] },
  },
  ...Object.values(SDKS).map((folder) => ({
    files: [`src/${folder}/**`],
    rules: { "no-restricted-imports": ["error", { patterns: sdkPatterns(folder) }] },
  })),
  {
    // Tests, fakes and benchmarks drive the real SDKs against the fakes.
    files: ["test/**", "bench/**", "scripts/**", "demo/**"],
    rules: {
      "no-restricted-imports": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/unbound-method": "off",
    },
  },
  { files: ["**/*.js"], ...tseslint.configs.disableTypeChecked },
  { files: ["bin/*.js", "eslint.config.js"], languageOptions: { globals: { process: "readonly", console: "readonly" } } },
);
