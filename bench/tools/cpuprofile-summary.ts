// Summarises a V8 .cpuprofile (from `node --cpu-prof`): where the process spent its CPU time,
// by package and by function (self time). Used to profile BoCloud's processes under the bench's
// load; see bench/README.md.  Usage: tsx bench/tools/cpuprofile-summary.ts <file> [top]
import { readFileSync } from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const [file, topArg] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
for (const [i, id] of profile.samples.entries())
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
const total = [...self.values()].reduce((a, b) => a + b, 0);

function pkg(url: string, name: string): string {
  if (!url) return name.startsWith("(") ? name : "(native/builtin)";
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.startsWith("node:")) return "node:internal";
  if (url.includes("/.next/")) return ".next (app bundle)";
  return url
    .replace(/^file:\/\//, "")
    .split("/")
    .slice(-2)
    .join("/");
}

const byPkg = new Map<string, number>();
const byFn = new Map<string, number>();
for (const [id, t] of self) {
  const n = byId.get(id);
  if (!n) continue;
  const p = pkg(n.callFrame.url, n.callFrame.functionName);
  byPkg.set(p, (byPkg.get(p) ?? 0) + t);
  const f = `${n.callFrame.functionName || "(anonymous)"}  ${p}:${n.callFrame.lineNumber + 1}`;
  byFn.set(f, (byFn.get(f) ?? 0) + t);
}
// Inclusive: time with the package anywhere on the stack (a sample counts once per package).
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const inclusive = new Map<string, number>();
for (const [id, t] of self) {
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const n = byId.get(cur);
    if (n?.callFrame.url) seen.add(pkg(n.callFrame.url, n.callFrame.functionName));
  }
  for (const p of seen) inclusive.set(p, (inclusive.get(p) ?? 0) + t);
}
const top = Number(topArg ?? 25);
const pct = (t: number) => `${((100 * t) / total).toFixed(1).padStart(5)} %`;
console.log(
  `profile ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s, sampled ${(total / 1e6).toFixed(1)} s`,
);
console.log("\nby package (self time):");
for (const [p, t] of [...byPkg].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`${pct(t)}  ${p}`);
console.log("\nby package (inclusive: the package on the stack):");
for (const [p, t] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`${pct(t)}  ${p}`);
console.log("\nby function (self time):");
for (const [f, t] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`${pct(t)}  ${f}`);
