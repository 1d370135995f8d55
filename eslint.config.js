// Lint: typescript-eslint strict, plus the dependency direction of STYLE.md
// (core ← store ← events/worker/maintenance ← spool ← http ← cli) and no import cycles.
import js from "@eslint/js";
import globals from "globals";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import importX from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

/** Folders that each layer must not import from. */
const layerZones = [
  {
    target: "./src/core",
    from: [
      "./src/store",
      "./src/events",
      "./src/worker",
      "./src/maintenance",
      "./src/http",
      "./src/cli",
      "./src/client",
      "./src/dashboard",
    ],
  },
  {
    target: "./src/store",
    from: [
      "./src/events",
      "./src/worker",
      "./src/maintenance",
      "./src/http",
      "./src/cli",
      "./src/client",
      "./src/dashboard",
    ],
  },
  // The event feed (one per Spool): reads the store's event log; below spool.ts and http/.
  {
    target: "./src/events",
    from: [
      "./src/worker",
      "./src/maintenance",
      "./src/http",
      "./src/cli",
      "./src/client",
      "./src/dashboard",
    ],
  },
  {
    target: "./src/worker",
    from: [
      "./src/events",
      "./src/maintenance",
      "./src/http",
      "./src/cli",
      "./src/client",
      "./src/dashboard",
    ],
  },
  {
    target: "./src/maintenance",
    from: [
      "./src/events",
      "./src/worker",
      "./src/http",
      "./src/cli",
      "./src/client",
      "./src/dashboard",
    ],
  },
  { target: "./src/http", from: ["./src/cli", "./src/dashboard"] },
  // The dashboard runs in the browser and talks to the API: the client and the contracts only.
  {
    target: "./src/dashboard",
    from: ["./src/store", "./src/worker", "./src/maintenance", "./src/cli", "./src/demo"],
  },
  { target: "./src/dashboard", from: "./src/http", except: ["./contracts.ts"] },
];

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "data/", "coverage/", ".tmp/", "examples/**/*.py"] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    plugins: { "import-x": importX },
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: false },
    },
    settings: {
      "import-x/resolver-next": [createTypeScriptImportResolver({ project: "./tsconfig.json" })],
    },
    rules: {
      "import-x/no-cycle": ["error", { maxDepth: 10 }],
      "import-x/no-restricted-paths": ["error", { zones: layerZones }],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-console": "off",
      // With noUncheckedIndexedAccess, `array[i]!` after a bounds check is the honest idiom.
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
  // Issue 11: files and functions stay small enough to read in one sitting (STYLE.md, "Code
  // shape"). Tests are exempt: a table of cases is easier to read in one place.
  {
    files: ["src/**/*.ts"],
    ignores: ["src/**/*.test.ts"],
    rules: {
      "max-lines": ["error", { max: 400 }],
      "max-lines-per-function": ["error", { max: 60 }],
    },
  },
  {
    files: ["src/dashboard/**/*.{ts,tsx}"],
    ignores: ["src/dashboard/vite.config.ts"],
    languageOptions: { globals: { ...globals.browser } },
    settings: {
      "import-x/resolver-next": [
        createTypeScriptImportResolver({ project: "./src/dashboard/tsconfig.json" }),
      ],
    },
  },
);
