// Bundles src/ into one script and one stylesheet with content-hashed names (served as immutable),
// and writes index.html pointing at them by absolute path, so the page works at / and at /api/ui.
// The output depends only on the sources and the pinned packages, so a rebuild gives the same bytes.
import { build } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] ?? join(here, '..', 'assets'));
const assetPath = '/api/ui/assets/';

mkdirSync(out, { recursive: true });
for (const name of readdirSync(out)) {
  rmSync(join(out, name), { recursive: true });
}

const result = await build({
  absWorkingDir: here,
  entryPoints: { explorer: 'src/main.js', 'explorer-style': 'src/styles.css' },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  entryNames: '[name]-[hash]',
  outdir: out,
  metafile: true,
  legalComments: 'eof',
  charset: 'utf8',
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((file) => basename(file));
const script = outputs.find((name) => name.endsWith('.js'));
const style = outputs.find((name) => name.endsWith('.css'));
const page = readFileSync(join(here, 'src', 'index.html'), 'utf8')
  .replace('{{script}}', assetPath + script)
  .replace('{{style}}', assetPath + style);
writeFileSync(join(out, 'index.html'), page);
console.log(`explorer: ${outputs.join(', ')}, index.html -> ${out}`);
