// Builds the explorer and the GraphiQL bundles into service/explorer/static/ (git-ignored), reproducibly:
// fixed entry names, no content hashes or timestamps, the locked npm packages only.
import { build } from "esbuild";
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "service", "explorer", "static");
const watch = process.argv.includes("--dev");

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "explorer"), { recursive: true });
cpSync(join(here, "index.html"), join(out, "explorer", "index.html"));

const common = {
  bundle: true,
  minify: !watch,
  sourcemap: "linked",
  sourcesContent: false,
  format: "esm",
  target: ["es2022"],
  legalComments: "linked",
  logLevel: "info",
  define: { "process.env.NODE_ENV": JSON.stringify(watch ? "development" : "production") },
  loader: { ".woff": "file", ".woff2": "file", ".ttf": "file", ".svg": "file" },
  assetNames: "[name]",
};

await Promise.all([
  build({ ...common, entryPoints: { explorer: join(here, "src", "main.ts") }, outdir: join(out, "explorer") }),
  build({ ...common, entryPoints: { graphiql: join(here, "src", "graphiql.tsx") }, outdir: join(out, "graphiql"), jsx: "automatic" }),
]);
