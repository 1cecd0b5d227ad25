// Shared by the Node tests: the packed and installed package, and the fake portal as a process.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const crateDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const rootDir = resolve(crateDir, '../..');
export const pkgDir = join(crateDir, 'pkg');

/** Total size of the files under `dir`, in bytes. */
export function du(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? du(path) : statSync(path).size;
  }
  return total;
}

/**
 * `npm pack` the built package and install the tarball into a fresh project, as a user would. Returns the project
 * folder, the tarball path and `npm pack`'s file list.
 */
export function packAndInstall() {
  try {
    statSync(join(pkgDir, 'package.json'));
  } catch {
    throw new Error(`${pkgDir} is missing: build the package first with bash crates/wasm/build.sh`);
  }
  const work = mkdtempSync(join(tmpdir(), 'ssocreds-npm-'));
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: pkgDir, encoding: 'utf8' }),
  );
  const tarball = join(work, packed.filename);
  const project = join(work, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: project });
  // Entry points that resolve `ssocreds` from the project, through its node_modules and the exports map.
  writeFileSync(join(project, 'load.cjs'), "module.exports = require('ssocreds');\n");
  writeFileSync(join(project, 'load.mjs'), "export * from 'ssocreds';\nexport { default } from 'ssocreds';\n");
  return { project, tarball, packed };
}

/** The fake portal binary: $FAKE_PORTAL_BIN, else target/debug/fake-portal (test.sh builds it). */
export function fakePortalBinary() {
  return process.env.FAKE_PORTAL_BIN || join(rootDir, 'target/debug/fake-portal');
}

/** Starts the fake portal; resolves to { url, configure(config), requests(), stop() }. */
export async function startFakePortal(args = []) {
  const child = spawn(fakePortalBinary(), args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolveUrl, reject) => {
    child.once('error', (e) =>
      reject(new Error(`cannot start the fake portal (${e.message}); build it: cargo build -p ssocreds-tests`)),
    );
    child.once('exit', (code) => reject(new Error(`the fake portal exited with code ${code} before serving`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolveUrl(line.trim()));
  });
  child.removeAllListeners('exit');
  const control = async (method, path, body) => {
    const response = await fetch(`${url}/__fake/${path}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`fake portal ${method} /__fake/${path}: ${response.status} ${text}`);
    return JSON.parse(text);
  };
  return {
    url,
    /** Replaces the behaviour and forgets the recorded requests. */
    async configure(config) {
      await control('POST', 'config', config);
      await control('DELETE', 'requests');
    },
    requests: () => control('GET', 'requests'),
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill();
      }),
  };
}

export const DEMO_TOKEN = 'demo-access-token-not-a-secret';
export const ACCOUNT = '111122223333';

/** A token cache file. */
export function cacheFile({ token = DEMO_TOKEN, expiresAt = '2099-01-01T00:00:00Z', region = 'us-east-1' } = {}) {
  return JSON.stringify({
    startUrl: 'https://my-sso-portal.awsapps.com/start',
    region,
    accessToken: token,
    expiresAt,
  });
}

/** A fake-portal config where the demo token sees ReadOnly and Admin in the demo account. */
export function portalConfig(extra = {}) {
  return {
    tokens: {
      [DEMO_TOKEN]: {
        assignments: [
          { accountId: ACCOUNT, accountName: 'demo', emailAddress: 'demo@example.com', roles: ['ReadOnly', 'Admin'] },
        ],
      },
    },
    credentials: {
      [`${ACCOUNT}/ReadOnly`]: {
        accessKeyId: 'ASIAFAKEREADONLY',
        secretAccessKey: "s3cr3t/with+chars'and$HOME",
        sessionToken: 'IQoJb3JpZ2luX2Vj//session==',
        expiration: 1893456000000,
      },
    },
    ...extra,
  };
}
