// Writes RESULTS.md again from a results JSON (after a change to the report's wording):
//   tsx bench/tools/render.ts [bench/results.json] [bench/RESULTS.md]
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { BENCH } from "../lib/procs.ts";
import { type Results, renderMarkdown } from "../lib/report.ts";

const [from = resolve(BENCH, "results.json"), to = resolve(BENCH, "RESULTS.md")] =
  process.argv.slice(2);
writeFileSync(to, renderMarkdown(JSON.parse(readFileSync(from, "utf8")) as Results));
console.log(`wrote ${to}`);
