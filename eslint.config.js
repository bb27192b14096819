// Lint rules for hotframe's TypeScript (the Python agent is checked by its tests).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", ".nodes/", "examples/", "test/fixtures/", "bench/fixtures/", "bench/.work/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // The VS Code extension: plain CommonJS, what the extension host loads without a build step.
    files: ["extension/**/*.js"],
    languageOptions: { sourceType: "commonjs", globals: { require: "readonly", module: "writable" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // An empty catch is how "this may fail and that is fine" reads; other empty blocks are bugs.
      "no-empty": ["error", { allowEmptyCatch: true }],
    },
  },
);
