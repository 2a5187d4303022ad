// The packages the Node bundles (dist/stream.mjs, dist/migrate.mjs) import at run time. esbuild
// leaves every package external (--packages=external), so their image needs these and only
// these, with what they depend on. Used by the Dockerfile:
//   node deploy/bundle-deps.mjs unused   the package.json dependencies no bundle imports
//   node deploy/bundle-deps.mjs check    fails unless every package a bundle imports resolves
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const dist = join(root, "dist");
const bundles = readdirSync(dist).filter((f) => f.endsWith(".mjs"));
if (bundles.length === 0) throw new Error(`No bundles in ${dist}: run npm run build first.`);

const specifiers = new Set();
for (const file of bundles) {
  const code = readFileSync(join(dist, file), "utf8");
  for (const m of code.matchAll(/\b(?:from|import|require)\s*\(?\s*["']([^"'./][^"']*)["']/g)) {
    if (!m[1].startsWith("node:")) specifiers.add(m[1]);
  }
}
const packageOf = (s) =>
  s
    .split("/")
    .slice(0, s.startsWith("@") ? 2 : 1)
    .join("/");
const used = new Set([...specifiers].map(packageOf));

const [mode] = process.argv.slice(2);
if (mode === "unused") {
  const { dependencies = {} } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  console.log(
    Object.keys(dependencies)
      .filter((name) => !used.has(name))
      .join("\n"),
  );
} else if (mode === "check") {
  // Resolved from deploy/, which finds the same node_modules as dist/ (Node 20's
  // import.meta.resolve takes no parent URL without a flag).
  const missing = [...specifiers].filter((s) => {
    try {
      import.meta.resolve(s);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) {
    console.error(`Not installed, but imported by dist/*.mjs: ${missing.join(", ")}`);
    process.exit(1);
  }
  console.log(`dist/*.mjs imports resolve: ${[...used].sort().join(", ")}`);
} else {
  console.error("usage: node deploy/bundle-deps.mjs unused|check");
  process.exit(2);
}
