// Builds the web app into src/codesensei/web/static (or --outdir DIR): app.js, app.css, index.html, favicon.svg,
// and chunks/ (the editor's grammars and the charting library, loaded when first needed).
//
// The build is deterministic: fixed file names, no timestamps, no source paths, so `scripts/build-web --check`
// can rebuild elsewhere and compare byte for byte. index.html names each file with a hash of its content
// (`app.js?v=…`), so a browser never runs a new page with an old script.

import { createHash } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const at = args.indexOf("--outdir");
const outdir = resolve(at >= 0 && args[at + 1] ? args[at + 1] : resolve(here, "../src/codesensei/web/static"));

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });

const result = await esbuild.build({
  absWorkingDir: here,
  entryPoints: { app: "src/main.tsx" },
  bundle: true,
  minify: true,
  format: "esm",
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  target: ["es2020", "chrome90", "firefox90", "safari15"],
  jsx: "automatic",
  jsxImportSource: "preact",
  charset: "utf8",
  legalComments: "eof",
  sourcemap: false,
  metafile: false,
  write: false,
  outdir,
  define: { "process.env.NODE_ENV": '"production"' },
  logLevel: "warning",
});

const files = Object.fromEntries(result.outputFiles.map((f) => [relative(outdir, f.path).split(sep).join("/"), f.contents]));
const digest = (bytes) => createHash("sha256").update(bytes).digest("hex").slice(0, 12);
const js = files["app.js"];
const css = files["app.css"];
if (!js || !css) throw new Error(`expected app.js and app.css, got ${Object.keys(files).join(", ")}`);

const index = (await readFile(resolve(here, "index.html"), "utf8"))
  .replace("__JS_HASH__", digest(js))
  .replace("__CSS_HASH__", digest(css));

for (const [name, contents] of Object.entries(files).sort()) {
  await mkdir(dirname(resolve(outdir, name)), { recursive: true });
  await writeFile(resolve(outdir, name), contents);
}
await writeFile(resolve(outdir, "index.html"), index);
await writeFile(resolve(outdir, "favicon.svg"), await readFile(resolve(here, "favicon.svg")));

const kb = (bytes) => `${(bytes.length / 1024).toFixed(0)} KB`;
const chunks = Object.keys(files).filter((f) => f.startsWith("chunks/")).length;
console.log(`built ${outdir}: app.js ${kb(js)}, app.css ${kb(css)}, ${chunks} chunks loaded on demand, index.html, favicon.svg`);
