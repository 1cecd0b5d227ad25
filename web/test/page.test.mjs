// The paste-and-convert page in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core):
// served over HTTP from web/dist and as the single file from file://. Exports are compared byte for byte with
// the CLI's output for the same answer of the fake portal.
//
//   node --test web/test/     (crates/wasm/test.sh builds the package, the page, the CLI and the fake portal)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { chromium } from 'playwright-core';

import {
  ACCOUNT,
  cacheFile,
  portalConfig,
  rootDir,
  startFakePortal,
} from '../../crates/wasm/test/helpers.mjs';

const webDir = resolve(fileURLToPath(import.meta.url), '../..');
const distDir = join(webDir, 'dist');
const outputDir = join(webDir, 'test-output');
const CHROMIUM = '/usr/bin/chromium';
const SERVED_FILES = [
  '/',
  '/style.css',
  '/app.js',
  '/ssocreds/index.browser.mjs',
  '/ssocreds/ssocreds_web.mjs',
  '/ssocreds/ssocreds_bg.wasm',
];
const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** A static server of web/dist on 127.0.0.1 that records every request path. */
async function serveDist() {
  const paths = [];
  const server = createServer((request, response) => {
    const path = new URL(request.url, 'http://x').pathname;
    paths.push(path);
    const file = join(distDir, path === '/' ? 'index.html' : path);
    if (!file.startsWith(distDir) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': MIME[extname(file)] || 'application/octet-stream' });
    response.end(readFileSync(file));
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${server.address().port}`, paths, close: () => server.close() };
}

/** The CLI binary: target/debug/ssocreds or target/release/ssocreds, built if neither exists. */
function cliBinary() {
  for (const profile of ['debug', 'release']) {
    const path = join(rootDir, 'target', profile, 'ssocreds');
    if (existsSync(path)) return path;
  }
  execFileSync('cargo', ['build', '--quiet', '-p', 'ssocreds'], { cwd: rootDir, stdio: 'inherit' });
  return join(rootDir, 'target/debug/ssocreds');
}

let browser;
let userDataDir;
let site;
let portal;
let work;
const pageErrors = [];

before(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (scripts/setup.sh does: apt-get install chromium)`);
  }
  if (!existsSync(join(distDir, 'ssocreds-offline.html'))) {
    throw new Error('web/dist is not built: run bash crates/wasm/build.sh && node web/build.mjs');
  }
  mkdirSync(outputDir, { recursive: true });
  work = mkdtempSync(join(tmpdir(), 'ssocreds-web-'));
  userDataDir = join(work, 'chromium-profile');
  browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  site = await serveDist();
  portal = await startFakePortal();
});

after(async () => {
  await browser?.close();
  site?.close();
  await portal?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A new page that records every request it makes and every error it logs. */
async function open(url, { colorScheme = 'light', viewport = { width: 1100, height: 900 } } = {}) {
  const page = await browser.newPage();
  const requests = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (error) => pageErrors.push(`${url}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(`${url}: console: ${message.text()}`);
  });
  await page.emulateMedia({ colorScheme });
  await page.setViewportSize(viewport);
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]');
  return { page, requests };
}

const cache = cacheFile({ region: 'us-east-1' });

/** What the fake portal answers for the demo role: the JSON the AWS CLI would print. */
async function portalAnswer() {
  await portal.configure(portalConfig());
  const response = await fetch(`${portal.url}/federation/credentials?role_name=ReadOnly&account_id=${ACCOUNT}`, {
    headers: { 'x-amz-sso_bearer_token': JSON.parse(cache).accessToken },
  });
  assert.equal(response.status, 200);
  return JSON.stringify(JSON.parse(await response.text()), null, 4);
}

/** Pastes a cache file and fills the fields, as a user would. */
async function fillIn(page) {
  await page.getByLabel('Token cache file', { exact: true }).fill(cache);
  await page.getByLabel('Account ID').fill(ACCOUNT);
  await page.getByLabel('Role name').fill('ReadOnly');
}

const EXPECTED_AWS_CLI =
  'aws sso get-role-credentials --account-id 111122223333 --role-name ReadOnly --region us-east-1 --output json ' +
  '--access-token "$(jq -r .accessToken ~/.aws/sso/cache/c7aaaf71fcc8777ae2475525ed049d39fe16c484.json)"';

describe('the page served over HTTP', () => {
  test('paste a cache file, fill the fields, read the commands', async () => {
    const { page, requests } = await open(site.url);
    await fillIn(page);
    const status = await page.locator('#token-status').innerText();
    assert.match(status, /Start URL\s+https:\/\/my-sso-portal\.awsapps\.com\/start/);
    assert.match(status, /Region\s+us-east-1/);
    assert.match(status, /Time left\s+\d+ d \d+ h/);
    assert.equal(await page.locator('#cmd-aws').textContent(), EXPECTED_AWS_CLI);
    assert.equal(
      await page.locator('#cmd-ssocreds').textContent(),
      'ssocreds export --cache ~/.aws/sso/cache/c7aaaf71fcc8777ae2475525ed049d39fe16c484.json --account-id ' +
        '111122223333 --role-name ReadOnly --region us-east-1 --format env',
    );
    assert.match(
      await page.locator('#cmd-curl').textContent(),
      /^curl .* --header "x-amz-sso_bearer_token: \$\(jq -r \.accessToken .*\)" 'https:\/\/portal\.sso\.us-east-1\.amazonaws\.com\/federation\/credentials\?role_name=ReadOnly&account_id=111122223333'$/,
    );
    const html = await page.content();
    assert.ok(!html.includes(JSON.parse(cache).accessToken), 'the token is shown on the page');
    await page.screenshot({ path: join(outputDir, 'page.png'), fullPage: true });
    assertOwnFilesOnly(requests);
    await page.close();
  });

  test('the exports of a pasted answer equal the CLI output, in every format', async () => {
    const { page } = await open(site.url);
    await fillIn(page);
    const answer = await portalAnswer();
    await page.getByLabel('get-role-credentials output').fill(answer);
    const cli = cliBinary();
    const cacheOnDisk = join(work, 'cache.json');
    writeFileSync(cacheOnDisk, cache);
    const formats = await page.locator('#format option').evaluateAll((options) => options.map((o) => o.value));
    assert.equal(formats.length, 8);
    for (const exportRegion of [false, true]) {
      await page.getByLabel('Also set AWS_REGION').setChecked(exportRegion);
      for (const format of formats) {
        await page.getByLabel('Export format').selectOption(format);
        const shown = await page.locator('#exports-out').textContent();
        const args = ['export', '--cache', cacheOnDisk, '--account-id', ACCOUNT, '--role-name', 'ReadOnly'];
        args.push('--endpoint-url', portal.url, '--format', format, '--quiet');
        if (exportRegion) args.push('--export-region', 'us-east-1');
        const printed = execFileSync(cli, args, { encoding: 'utf8' });
        assert.equal(shown, printed, `${format}${exportRegion ? ' with region' : ''}`);
      }
    }
    assert.match(await page.locator('#expiry').innerText(), /These credentials expire at 2030-01-01T00:00:00Z/);
    await page.screenshot({ path: join(outputDir, 'page-exports.png'), fullPage: true });
    await page.close();
  });

  test('the commands shown run as they are: ssocreds and curl print the credentials', async () => {
    const { page } = await open(site.url);
    await fillIn(page);
    const cacheOnDisk = join(work, 'run-cache.json');
    writeFileSync(cacheOnDisk, cache);
    await page.getByLabel('Cache file path').fill(cacheOnDisk);
    await portal.configure(portalConfig());
    const env = { ...process.env, PATH: `${join(cliBinary(), '..')}:${process.env.PATH}` };
    const ssocredsCommand = await page.locator('#cmd-ssocreds').textContent();
    const exported = execFileSync('sh', ['-c', `${ssocredsCommand} --endpoint-url ${portal.url} --quiet`], {
      encoding: 'utf8',
      env,
    });
    assert.match(exported, /^export AWS_ACCESS_KEY_ID=ASIAFAKEREADONLY$/m);
    const haveCurlAndJq = ['curl', 'jq'].every((tool) => {
      try {
        execFileSync('sh', ['-c', `command -v ${tool}`]);
        return true;
      } catch {
        return false;
      }
    });
    if (haveCurlAndJq) {
      const curlCommand = (await page.locator('#cmd-curl').textContent()).replace(
        'https://portal.sso.us-east-1.amazonaws.com',
        portal.url,
      );
      const answer = execFileSync('sh', ['-c', curlCommand], { encoding: 'utf8' });
      await page.getByLabel('get-role-credentials output').fill(answer);
      assert.equal(await page.locator('#exports-out').textContent(), exported);
    }
    await page.close();
  });

  test('bad input shows its error inline, next to the field', async () => {
    const { page } = await open(site.url);
    await page.getByLabel('Token cache file', { exact: true }).fill('{"accessToken": "t", ');
    assert.match(await page.locator('#cache-error').innerText(), /not valid JSON \(line 1, column \d+\)/);
    assert.equal(await page.getByLabel('Token cache file', { exact: true }).getAttribute('aria-invalid'), 'true');
    await page.getByLabel('Token cache file', { exact: true }).fill('{"clientId": "c", "clientSecret": "s", "expiresAt": "x"}');
    assert.match(await page.locator('#cache-error').innerText(), /client-registration file/);
    await fillIn(page);
    await page.getByLabel('Account ID').fill('12345x');
    assert.match(await page.locator('#account-error').innerText(), /12 digits \(0-9 only\)/);
    assert.equal(await page.locator('#commands').isHidden(), true);
    await page.getByLabel('Account ID').fill(ACCOUNT);
    await page.getByLabel('Role name').fill('Read Only');
    assert.match(await page.locator('#role-error').innerText(), /invalid role name "Read Only"/);
    await page.getByLabel('Role name').fill('ReadOnly');
    await page.getByRole('textbox', { name: /^Region/ }).fill('Europe');
    assert.match(await page.locator('#region-error').innerText(), /invalid region "Europe"/);
    await page.getByRole('textbox', { name: /^Region/ }).fill('');
    await page.getByLabel('get-role-credentials output').fill('{"roleCredentials": {"accessKeyId": "A"}}');
    assert.match(await page.locator('#response-error').innerText(), /roleCredentials\.secretAccessKey is missing/);
    await page.screenshot({ path: join(outputDir, 'page-errors.png'), fullPage: true });
    await page.close();
  });

  test('an expired token says so, and how to sign in again', async () => {
    const { page } = await open(site.url);
    await page.getByLabel('Token cache file', { exact: true }).fill(cacheFile({ expiresAt: '2020-06-17T10:02:08UTC' }));
    const status = await page.locator('#token-status').innerText();
    assert.match(status, /Expired .* ago/);
    assert.match(status, /sign in again with `ssocreds login` or `aws sso login`/);
    await page.close();
  });

  test('the page makes no request beyond its own files, and its CSP blocks any other', async () => {
    let hits = 0;
    const other = createServer((_, response) => {
      hits += 1;
      response.end('{}');
    });
    await new Promise((done) => other.listen(0, '127.0.0.1', done));
    try {
      const { page, requests } = await open(site.url);
      await fillIn(page);
      await page.getByLabel('get-role-credentials output').fill(await portalAnswer());
      const outcome = await page.evaluate(
        (url) => fetch(url).then(() => 'sent', () => 'blocked'),
        `http://127.0.0.1:${other.address().port}/steal`,
      );
      assert.equal(outcome, 'blocked');
      assert.equal(hits, 0);
      const ownRequests = requests.filter((url) => url.startsWith(site.url));
      assert.deepEqual(
        [...new Set(ownRequests.map((url) => new URL(url).pathname))].sort(),
        [...SERVED_FILES].sort(),
      );
      assertOwnFilesOnly(requests.filter((url) => !url.includes('/steal')));
      // The blocked fetch logged a CSP error on purpose; forget it.
      pageErrors.splice(0, pageErrors.length, ...pageErrors.filter((e) => !e.includes('/steal')));
      await page.close();
    } finally {
      other.close();
    }
  });

  test('keyboard only: Tab to a copy button, Enter copies the command', async () => {
    await browser.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: site.url });
    const { page } = await open(site.url);
    await fillIn(page);
    await page.locator('body').click({ position: { x: 1, y: 1 } });
    let focused = '';
    for (let i = 0; i < 40 && focused !== 'cmd-aws'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.dataset?.copy ?? '');
    }
    assert.equal(focused, 'cmd-aws', 'the AWS CLI copy button is reachable with Tab');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('copy-status').textContent !== '');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), EXPECTED_AWS_CLI);
    await page.close();
  });

  test('readable on a phone, and dark when the system is', async () => {
    const { page } = await open(site.url, { colorScheme: 'dark', viewport: { width: 360, height: 780 } });
    await fillIn(page);
    await page.getByLabel('get-role-credentials output').fill(await portalAnswer());
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than a 360 px screen`);
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(background, 'rgb(13, 17, 23)');
    await page.screenshot({ path: join(outputDir, 'page-phone-dark.png'), fullPage: true });
    await page.close();
  });
});

describe('the single-file build', () => {
  test('works from file://, offline, with no request but itself', async () => {
    const url = pathToFileURL(join(distDir, 'ssocreds-offline.html')).href;
    const { page, requests } = await open(url);
    await fillIn(page);
    assert.equal(await page.locator('#cmd-aws').textContent(), EXPECTED_AWS_CLI);
    const answer = await portalAnswer();
    await page.getByLabel('get-role-credentials output').fill(answer);
    await page.getByLabel('Export format').selectOption('process');
    const exports = JSON.parse(await page.locator('#exports-out').textContent());
    assert.equal(exports.AccessKeyId, 'ASIAFAKEREADONLY');
    assert.equal(exports.AccountId, ACCOUNT);
    const others = requests.filter((u) => u !== url && !u.startsWith('data:'));
    assert.deepEqual(others, []);
    await page.screenshot({ path: join(outputDir, 'offline.png'), fullPage: true });
    await page.close();
  });
});

test('no page logged an error', () => {
  assert.deepEqual(pageErrors, []);
});

function assertOwnFilesOnly(requests) {
  for (const url of requests) {
    if (url.startsWith('data:')) continue;
    assert.ok(url.startsWith(`${site.url}/`), `request to another origin: ${url}`);
    assert.ok(SERVED_FILES.includes(new URL(url).pathname), `request for a file the page does not ship: ${url}`);
  }
}
