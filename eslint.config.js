// ESLint for the playground's page (src/fcnn/playground/static/js): ESLint's recommended
// rules, for plain ES modules that run in a browser with no build step.
// tests/test_eslint.py runs it (`npx eslint src/fcnn/playground/static/js`) with the
// version package-lock.json pins.
import js from "@eslint/js";

// The browser's names the page uses (listed rather than taken from the `globals`
// package, to keep one dev dependency besides ESLint).
const BROWSER = [
  "cancelAnimationFrame", "clearTimeout", "console", "document", "fetch", "getComputedStyle",
  "history", "location", "Node", "requestAnimationFrame", "ResizeObserver", "setTimeout",
  "URL", "WebSocket", "window",
];

export default [
  {
    files: ["src/fcnn/playground/static/js/**/*.js"],
    ...js.configs.recommended,
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: Object.fromEntries(BROWSER.map((name) => [name, "readonly"])),
    },
    rules: {
      ...js.configs.recommended.rules,
      eqeqeq: ["error", "always"],
      "no-var": "error",
      "prefer-const": "error",
    },
  },
];
