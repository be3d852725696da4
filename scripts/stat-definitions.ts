/**
 * `npm run stats:definitions`: writes the statistics definitions of app/lib/stat-definitions.ts into the statreport
 * locale (th and en, key `definitions`) and into README.md's generated block. `-- --check` changes nothing and exits 1
 * when either has drifted from the module (also checked by tests/unit/stat-definitions.test.ts).
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { definitionLocale, withReadmeBlock } from "../app/lib/stat-definitions";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Files and their content as generated from the module. */
export function generatedFiles(root = ROOT): { file: string; current: string; generated: string }[] {
  const out: { file: string; current: string; generated: string }[] = [];
  for (const lang of ["th", "en"] as const) {
    const file = path.join(root, "app/locales", lang, "statreport.json");
    const current = fs.readFileSync(file, "utf8");
    const json = JSON.parse(current) as Record<string, unknown>;
    json.definitions = definitionLocale(lang);
    out.push({ file, current, generated: `${JSON.stringify(json, null, 2)}\n` });
  }
  const readme = path.join(root, "README.md");
  const current = fs.readFileSync(readme, "utf8");
  out.push({ file: readme, current, generated: withReadmeBlock(current) });
  return out;
}

function main() {
  const check = process.argv.includes("--check");
  const drift = generatedFiles().filter((f) => f.current !== f.generated);
  if (check) {
    for (const f of drift)
      console.error(`stats:definitions --check: ${path.relative(ROOT, f.file)} differs from app/lib/stat-definitions.ts`);
    if (drift.length) process.exit(1);
    console.log("stats:definitions --check: locale and README match app/lib/stat-definitions.ts");
    return;
  }
  for (const f of drift) {
    fs.writeFileSync(f.file, f.generated);
    console.log(`wrote ${path.relative(ROOT, f.file)}`);
  }
  if (!drift.length) console.log("stats:definitions: nothing to change");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
