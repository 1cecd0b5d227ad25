// Builds the paste-and-convert page from web/src and the npm package in crates/wasm/pkg (build that first:
// bash crates/wasm/build.sh). Output in web/dist/ (git-ignored):
//   index.html, style.css, app.js, ssocreds/…   the page, to serve over HTTP (CSP: its own files only)
//   ssocreds-offline.html                       one self-contained file (JS and wasm inlined), for file://
//
//   node web/build.mjs
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = dirname(fileURLToPath(import.meta.url));
const srcDir = join(webDir, 'src');
const distDir = join(webDir, 'dist');
const pkgDir = resolve(webDir, '../crates/wasm/pkg');
const clientJs = resolve(webDir, '../crates/wasm/js/client.js');

if (!existsSync(join(pkgDir, 'ssocreds_bg.wasm'))) {
  console.error(`web/build.mjs: ${pkgDir} is not built; run bash crates/wasm/build.sh first`);
  process.exit(1);
}

const read = (path) => readFileSync(path, 'utf8');
const sha256 = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

const template = read(join(srcDir, 'index.html'));
const css = read(join(srcDir, 'style.css'));
const app = read(join(srcDir, 'app.js'));
const IMPORT_LINE = "import * as ssocreds from './ssocreds/index.browser.mjs';\n";
if (!app.startsWith(IMPORT_LINE)) throw new Error('web/src/app.js must start with: ' + IMPORT_LINE);

function page({ csp, style, script }) {
  for (const placeholder of ['__CSP__', '__STYLE__', '__SCRIPT__']) {
    if (!template.includes(placeholder)) throw new Error(`index.html has no ${placeholder}`);
  }
  // Functions as replacements: the script contains `$'` and the like, which a replacement string would expand.
  return template
    .replace('__CSP__', () => csp)
    .replace('__STYLE__', () => style)
    .replace('__SCRIPT__', () => script);
}

// 1. The served page: every file from 'self'. connect-src 'self' is for the one fetch of ssocreds_bg.wasm;
// 'wasm-unsafe-eval' allows compiling WebAssembly and nothing else (no eval).
rmSync(distDir, { recursive: true, force: true });
mkdirSync(join(distDir, 'ssocreds'), { recursive: true });
const servedCsp = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
writeFileSync(
  join(distDir, 'index.html'),
  page({
    csp: servedCsp,
    style: '<link rel="stylesheet" href="style.css">',
    script: '<script type="module" src="app.js"></script>',
  }),
);
writeFileSync(join(distDir, 'style.css'), css);
writeFileSync(join(distDir, 'app.js'), app);
for (const file of ['index.browser.mjs', 'ssocreds_web.mjs', 'ssocreds_bg.wasm']) {
  cpSync(join(pkgDir, file), join(distDir, 'ssocreds', file));
}

// 2. The single file: the wasm-bindgen glue (its exports made local), the module as base64, the client and the
// app, in one inline module script. The CSP allows exactly that script and style (by hash) and no connection.
const glue = read(join(pkgDir, 'ssocreds_web.mjs'));
const exported = [...glue.matchAll(/^export function (\w+)\(/gm)].map((m) => m[1]);
const localGlue = glue
  .replace(/^export function /gm, 'function ')
  .replace(/^export \{[^}]*\};?$/gm, '')
  .replace(/^export default .*$/gm, '');
if (/^export /m.test(localGlue)) throw new Error('the wasm-bindgen glue has an export form build.mjs does not handle');
if (!/^async function __wbg_init\(/m.test(localGlue)) throw new Error('the wasm-bindgen glue has no __wbg_init');
const wasmBase64 = readFileSync(join(pkgDir, 'ssocreds_bg.wasm')).toString('base64');
const script = [
  '// The ssocreds page in one file: wasm-bindgen glue, WebAssembly module, package client, page.',
  localGlue,
  `await __wbg_init({ module_or_path: Uint8Array.from(atob('${wasmBase64}'), (c) => c.charCodeAt(0)) });`,
  `const ssocreds = (() => {\n${read(clientJs)}\nreturn createClient({ ${exported.join(', ')} });\n})();`,
  `{\n${app.slice(IMPORT_LINE.length)}\n}`,
].join('\n');
const offlineCsp = [
  "default-src 'none'",
  `script-src ${sha256(script)} 'wasm-unsafe-eval'`,
  `style-src ${sha256(css)}`,
  'img-src data:',
  "connect-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
writeFileSync(
  join(distDir, 'ssocreds-offline.html'),
  page({ csp: offlineCsp, style: `<style>${css}</style>`, script: `<script type="module">${script}</script>` }),
);
console.error(`web/build.mjs: built ${distDir} (index.html and ssocreds-offline.html)`);
