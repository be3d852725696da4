// Lint rules for the whole repository: TypeScript (typescript-eslint), React hooks, and accessibility (jsx-a11y).
// Formatting is Prettier's job (prettier.config.mjs); nothing here is about layout.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";
import jsxA11y from "eslint-plugin-jsx-a11y";
import globals from "globals";

/** Pages link with ~/components/links: the same markup as Remix's components, without their per-link cost on the server. */
const REMIX_LINKS = {
  name: "@remix-run/react",
  importNames: ["Link", "NavLink"],
  message: "Use Link and NavLink from ~/components/links (Remix's markup, written directly on the server).",
};
const ROOT_ROUTE = {
  group: ["~/root", "../root", "./root"],
  message: "Components do not import the root route; use ~/components/root-data.",
};

export default tseslint.config(
  {
    ignores: [
      "bench/.before/**",
      "bench/.scratch/**",
      "bench/.data/**",
      "tests/.tmp/**",
      "build/**",
      "public/build/**",
      "data/**",
      "node_modules/**",
      "test-results/**",
      "playwright-report/**",
      ".cache/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.{ts,tsx,mjs,js}"],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports", disallowTypeAnnotations: false }],
      // Text cleaning matches control characters on purpose (to refuse them).
      "no-control-regex": "off",
      "no-restricted-imports": ["error", { paths: [REMIX_LINKS], patterns: [ROOT_ROUTE] }],
    },
  },
  {
    files: ["app/**/*.tsx"],
    plugins: { "react-hooks": reactHooks, "jsx-a11y": jsxA11y },
    rules: {
      // The two classic hook rules. (The React-compiler rules of v7 flag "detect a browser capability after hydration",
      // which is how every page here starts from a working no-JavaScript form.)
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "warn",
      ...jsxA11y.flatConfigs.recommended.rules,
      // Scrollable tables and charts are focusable named regions, so keyboard users can scroll them (axe asks for it).
      "jsx-a11y/no-noninteractive-tabindex": ["error", { tags: [], roles: ["region"], allowExpressionValues: true }],
    },
  },
  {
    // Migrations and the statistics triggers run on Kysely<any> (Kysely's own convention: a migration must not depend
    // on today's schema types).
    files: ["db/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // Tests and benchmarks poke at raw rows and third-party shapes; \`any\` there is a test's business.
    files: ["tests/**", "bench/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // The root route itself and its data hook may name it.
    files: ["app/root.tsx", "app/components/root-data.ts"],
    rules: { "no-restricted-imports": ["error", { paths: [REMIX_LINKS] }] },
  },
  {
    // The one module that wraps Remix's Link and NavLink.
    files: ["app/components/links.tsx"],
    rules: { "no-restricted-imports": ["error", { patterns: [ROOT_ROUTE] }] },
  },
);
