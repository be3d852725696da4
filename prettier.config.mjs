/** One formatter for the repository (checked by `npm run lint`, which `npm test` runs first). */
export default {
  printWidth: 140,
  singleQuote: false,
  trailingComma: "all",
};
