// The package's TypeScript declarations as a TypeScript user meets them: the packed package installed into a fresh
// project, and a usage file for each module system compiled against it with `tsc --strict` (TypeScript from
// crates/wasm/package.json, a dev dependency that crates/wasm/test.sh installs).
//
//   node --test crates/wasm/test/types.test.mjs
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { crateDir, packAndInstall } from './helpers.mjs';

const tsc = join(crateDir, 'node_modules/typescript/bin/tsc');

test('a usage file compiles against the packed .d.ts with tsc --strict, and misuses do not', () => {
  assert.ok(existsSync(tsc), `${tsc} is missing: npm ci --prefix crates/wasm (crates/wasm/test.sh does)`);
  const { project } = packAndInstall();
  for (const file of ['usage.mts', 'usage.cts']) copyFileSync(join(crateDir, 'test/types', file), join(project, file));
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        // fetch, Headers and AbortSignal, which the options name, come from the DOM library (or @types/node).
        lib: ['es2022', 'dom'],
        types: [],
        noUnusedLocals: true,
        // The package's own .d.ts files are checked too.
        skipLibCheck: false,
      },
      files: ['usage.mts', 'usage.cts'],
    }),
  );
  const run = spawnSync(process.execPath, [tsc, '--strict', '-p', project], { encoding: 'utf8' });
  assert.equal(run.status, 0, `tsc --strict failed:\n${run.stdout}${run.stderr}`);
});
