// The npm package as a user gets it: `npm pack`, installed from the tarball into a fresh project, loaded with
// `require` and `import`, every function called, and getRoleCredentials run against the fake portal binary.
//
//   node --test crates/wasm/test/     (crates/wasm/test.sh builds the package and the fake portal first)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

import { ACCOUNT, DEMO_TOKEN, cacheFile, du, packAndInstall, portalConfig, startFakePortal } from './helpers.mjs';

let installed;
let cjs;
let esm;
before(async () => {
  installed = packAndInstall();
  cjs = createRequire(join(installed.project, 'package.json'))('./load.cjs');
  esm = await import(pathToFileURL(join(installed.project, 'load.mjs')).href);
});

describe('the package', () => {
  test('has no dependencies and ships only its own files', () => {
    const manifest = JSON.parse(readFileSync(join(installed.project, 'node_modules/ssocreds/package.json'), 'utf8'));
    assert.equal(manifest.dependencies, undefined);
    const files = installed.packed.files.map((f) => f.path).sort();
    assert.deepEqual(files, [
      'README.md',
      'index.browser.mjs',
      'index.cjs',
      'index.d.ts',
      'index.mjs',
      'package.json',
      'ssocreds.d.ts',
      'ssocreds_bg.wasm',
      'ssocreds_node.cjs',
      'ssocreds_web.mjs',
    ]);
    const lock = JSON.parse(readFileSync(join(installed.project, 'package-lock.json'), 'utf8'));
    assert.deepEqual(Object.keys(lock.packages).sort(), ['', 'node_modules/ssocreds']);
  });

  // The size caps of issue 11 (with serde, serde_json, chrono and serde-wasm-bindgen inside): fail above them.
  test('fits its size caps: _bg.wasm at most 260 KB, 112 KB gzipped; installed at most 400 KB', (t) => {
    const wasm = readFileSync(join(installed.project, 'node_modules/ssocreds/ssocreds_bg.wasm'));
    const gzipped = gzipSync(wasm, { level: 9 }).length;
    const size = du(join(installed.project, 'node_modules/ssocreds'));
    t.diagnostic(`_bg.wasm ${wasm.length} bytes, ${gzipped} gzipped; installed ${size} bytes`);
    assert.ok(wasm.length <= 260 * 1024, `_bg.wasm is ${wasm.length} bytes`);
    assert.ok(gzipped <= 112 * 1024, `_bg.wasm is ${gzipped} bytes gzipped`);
    assert.ok(size <= 400 * 1024, `installed size ${size} bytes`);
  });

  test('require and import give the same API, sharing one module instance', () => {
    const names = [
      'buildCommands',
      'buildGetRoleCredentialsRequest',
      'cacheFileName',
      'checkToken',
      'exportFormats',
      'formatExports',
      'getRoleCredentials',
      'parseCache',
      'parseGetRoleCredentialsResponse',
      'version',
    ];
    assert.deepEqual(Object.keys(cjs).sort(), names);
    for (const name of names) {
      assert.equal(esm[name], cjs[name], name);
      assert.equal(esm.default[name], cjs[name], name);
    }
    const manifest = JSON.parse(readFileSync(join(installed.project, 'node_modules/ssocreds/package.json'), 'utf8'));
    assert.equal(cjs.version, manifest.version);
  });

  test('the types declare every export', () => {
    // index.d.ts (js/client.d.ts) declares what the glue defines and re-exports the generated ssocreds.d.ts.
    const glue = readFileSync(join(installed.project, 'node_modules/ssocreds/index.d.ts'), 'utf8');
    const generated = readFileSync(join(installed.project, 'node_modules/ssocreds/ssocreds.d.ts'), 'utf8');
    assert.match(glue, /^export \* from '\.\/ssocreds\.js';$/m);
    const types = glue + generated;
    for (const name of Object.keys(cjs)) {
      assert.match(types, new RegExp(`export (function|const) ${name}\\b`), name);
    }
    // Declared beside the Rust code, checked here against what the module does.
    assert.deepEqual(unionMembers(generated, 'ExportFormat'), cjs.exportFormats());
  });
});

describe('offline functions', () => {
  const cache = cacheFile({ region: 'eu-west-1', expiresAt: '2023-02-14T18:48:59UTC' });

  test('parseCache returns what the file says, never the token', () => {
    const info = cjs.parseCache(Buffer.from(cache));
    assert.deepEqual(info, {
      startUrl: 'https://my-sso-portal.awsapps.com/start',
      region: 'eu-west-1',
      expiresAt: '2023-02-14T18:48:59Z',
      hasRefreshToken: false,
      registrationExpiresAt: null,
      legacyCacheFileName: cjs.cacheFileName('https://my-sso-portal.awsapps.com/start'),
    });
    assert.ok(!JSON.stringify(info).includes(DEMO_TOKEN));
  });

  test('checkToken: valid, expiring soon, expired, other region', () => {
    const valid = cjs.checkToken(cache, { now: new Date('2023-02-14T10:48:59Z') });
    assert.equal(valid.expired, false);
    assert.equal(valid.expiresInSeconds, 8 * 3600);
    assert.equal(valid.timeLeft, '8 h 0 min');
    assert.deepEqual(valid.warnings, []);
    const soon = cjs.checkToken(cache, { now: '2023-02-14T18:44:59Z', region: 'us-east-1' });
    assert.equal(soon.expiringSoon, true);
    assert.equal(soon.region, 'us-east-1');
    assert.equal(soon.tokenRegion, 'eu-west-1');
    assert.equal(soon.warnings.length, 2);
    const expired = cjs.checkToken(cache);
    assert.equal(expired.expired, true);
    assert.equal(expired.code, 'TOKEN_EXPIRED');
    assert.match(expired.message, /^the SSO token expired at 2023-02-14T18:48:59Z \(.* ago\); sign in again/);
  });

  test('buildGetRoleCredentialsRequest puts the token in the header only', () => {
    const request = esm.buildGetRoleCredentialsRequest({ cache, accountId: ACCOUNT, roleName: 'ReadOnly' });
    assert.equal(request.method, 'GET');
    assert.equal(
      request.url,
      'https://portal.sso.eu-west-1.amazonaws.com/federation/credentials?role_name=ReadOnly&account_id=111122223333',
    );
    assert.equal(request.headers['x-amz-sso_bearer_token'], DEMO_TOKEN);
    assert.ok(!request.url.includes(DEMO_TOKEN));
  });

  test('parseGetRoleCredentialsResponse takes Headers, Maps, pairs or objects', () => {
    const body = JSON.stringify({
      roleCredentials: { accessKeyId: 'A', secretAccessKey: 'S', sessionToken: 'T', expiration: 1676400539000 },
    });
    for (const headers of [new Headers({ a: 'b' }), new Map([['a', 'b']]), [['a', 'b']], { a: 'b' }, undefined]) {
      assert.deepEqual(cjs.parseGetRoleCredentialsResponse({ status: 200, headers, body }, { accountId: ACCOUNT }), {
        accessKeyId: 'A',
        secretAccessKey: 'S',
        sessionToken: 'T',
        expiration: '2023-02-14T18:48:59Z',
        accountId: ACCOUNT,
      });
    }
    const error = captured(() =>
      cjs.parseGetRoleCredentialsResponse({
        status: 429,
        headers: new Headers({ 'retry-after': '7' }),
        body: new TextEncoder().encode('{"message":"slow down","__type":"TooManyRequestsException"}'),
      }),
    );
    assert.equal(error.code, 'PORTAL_THROTTLED');
    assert.equal(error.retryable, true);
    assert.equal(error.retryAfterSeconds, 7);
    assert.equal(error.errorType, 'TooManyRequestsException');
  });

  test('formatExports prints every format', () => {
    const credentials = { accessKeyId: 'A', secretAccessKey: 'S', sessionToken: 'T', expiration: 1676400539000 };
    assert.deepEqual(cjs.exportFormats(), [
      'env',
      'env-no-export',
      'dotenv',
      'fish',
      'powershell',
      'windows-cmd',
      'process',
      'json',
    ]);
    assert.equal(
      cjs.formatExports(credentials, 'fish', { region: 'eu-west-1' }),
      'set -gx AWS_ACCESS_KEY_ID "A"\nset -gx AWS_SECRET_ACCESS_KEY "S"\nset -gx AWS_SESSION_TOKEN "T"\n' +
        'set -gx AWS_CREDENTIAL_EXPIRATION "2023-02-14T18:48:59Z"\nset -gx AWS_REGION "eu-west-1"\n' +
        'set -gx AWS_DEFAULT_REGION "eu-west-1"\n',
    );
    assert.deepEqual(JSON.parse(cjs.formatExports(credentials, 'process')), {
      Version: 1,
      AccessKeyId: 'A',
      SecretAccessKey: 'S',
      SessionToken: 'T',
      Expiration: '2023-02-14T18:48:59Z',
    });
  });

  test('buildCommands reads the token from the file when they run', () => {
    const commands = cjs.buildCommands({
      cache,
      cachePath: '~/.aws/sso/cache/abc.json',
      accountId: ACCOUNT,
      roleName: 'ReadOnly',
      format: 'powershell',
    });
    assert.equal(
      commands.awsCli,
      'aws sso get-role-credentials --account-id 111122223333 --role-name ReadOnly --region eu-west-1 ' +
        '--output json --access-token "$(jq -r .accessToken ~/.aws/sso/cache/abc.json)"',
    );
    assert.match(commands.ssocreds, / --format powershell$/);
    for (const command of Object.values(commands)) assert.ok(!command.includes(DEMO_TOKEN));
  });

  test('every failure is an Error with a code and a message that says what to do', () => {
    const cases = [
      [() => cjs.parseCache(''), 'CACHE_EMPTY', /sign in again with `ssocreds login` or `aws sso login`/],
      [() => cjs.parseCache('[]'), 'CACHE_NOT_OBJECT', /not an object/],
      [() => cjs.parseCache('{"clientId":"c","clientSecret":"s"}'), 'CACHE_IS_CLIENT_REGISTRATION', /token files/],
      [() => cjs.parseCache('{"accessToken":"t"}'), 'CACHE_MISSING_FIELD', /`expiresAt`/],
      [() => cjs.parseCache('{"accessToken":1,"expiresAt":"x"}'), 'CACHE_WRONG_TYPE', /a number, expected a string/],
      [() => cjs.parseCache('{"accessToken":"t","expiresAt":"x"}'), 'CACHE_INVALID_TIMESTAMP', /"x" is not a timestamp/],
      [() => cjs.parseCache(' '.repeat(1024 * 1024 + 1)), 'CACHE_TOO_LARGE', /larger than/],
      [() => cjs.parseCache(42), 'INVALID_ARGUMENT', /parseCache: expected the contents/],
      [
        () => cjs.buildGetRoleCredentialsRequest({ cache, accountId: '12a', roleName: 'R' }),
        'INVALID_ACCOUNT_ID',
        /12 digits \(0-9 only\)/,
      ],
      [
        () => cjs.buildGetRoleCredentialsRequest({ cache, accountId: ACCOUNT, roleName: 'R', acountId: 1 }),
        'INVALID_ARGUMENT',
        /unknown field `acountId`, expected one of `cache`, `accountId`/,
      ],
      [
        () => cjs.buildGetRoleCredentialsRequest({ cache: '{"accessToken":"t","expiresAt":"2099-01-01T00:00:00Z"}', accountId: ACCOUNT, roleName: 'R' }),
        'REGION_MISSING',
        /pass --region/,
      ],
      [
        () => cjs.buildGetRoleCredentialsRequest({ cache: cacheFile({ region: 'moon' }), accountId: ACCOUNT, roleName: 'R' }),
        'CACHE_INVALID_REGION',
        /`region` field is not usable: invalid region "moon"/,
      ],
      [
        () => cjs.buildGetRoleCredentialsRequest({ cache, accountId: ACCOUNT, roleName: 'R', endpoint: 'http://example.com' }),
        'ENDPOINT_INSECURE_HTTP',
        /clear text/,
      ],
      [() => cjs.checkToken(cache, { now: 'later' }), 'INVALID_TIMESTAMP', /"later" is not a timestamp/],
      [() => cjs.checkToken(cache, { region: 'EU' }), 'INVALID_REGION', /invalid region "EU"/],
      [() => cjs.formatExports({ accessKeyId: 'A', secretAccessKey: 'S', sessionToken: 'T', expiration: 0 }, 'sh'), 'EXPORT_UNKNOWN_FORMAT', /choose one of/],
      [
        () => cjs.formatExports({ accessKeyId: 'A', secretAccessKey: '100%', sessionToken: 'T', expiration: 0 }, 'windows-cmd'),
        'EXPORT_UNREPRESENTABLE',
        /use another format/,
      ],
      [() => cjs.formatExports({ accessKeyId: 'A' }, 'env'), 'INVALID_ARGUMENT', /invalid credentials.expiration passed to formatExports: it is missing/],
      [() => cjs.parseGetRoleCredentialsResponse({ status: 200, body: '{}' }), 'PORTAL_UNEXPECTED_RESPONSE', /roleCredentials is missing/],
      [() => cjs.parseGetRoleCredentialsResponse({ status: 404, body: '' }), 'PORTAL_NOT_FOUND', /no such resource/],
      [() => cjs.parseGetRoleCredentialsResponse({ status: 400, body: '' }), 'PORTAL_INVALID_REQUEST', /rejected the request/],
      [() => cjs.parseGetRoleCredentialsResponse({ status: 503, body: '' }), 'PORTAL_SERVER_ERROR', /try again later/],
    ];
    const declared = unionMembers(
      readFileSync(join(installed.project, 'node_modules/ssocreds/ssocreds.d.ts'), 'utf8'),
      'ErrorCode',
    );
    for (const [call, code, message] of cases) {
      const error = captured(call);
      assert.ok(error instanceof Error, `${code}: not an Error`);
      assert.equal(error.code, code, error.message);
      assert.match(error.message, message);
      assert.ok(declared.includes(code), `${code} is not in the ErrorCode type`);
    }
  });
});

describe('getRoleCredentials against the fake portal', () => {
  let portal;
  before(async () => {
    portal = await startFakePortal();
  });
  after(() => portal?.stop());

  const call = (extra = {}) =>
    cjs.getRoleCredentials({
      cache: cacheFile(),
      accountId: ACCOUNT,
      roleName: 'ReadOnly',
      endpoint: portal.url,
      ...extra,
    });

  test('success: the credentials, one request, the token in its header', async () => {
    await portal.configure(portalConfig());
    const credentials = await call();
    assert.deepEqual(credentials, {
      accessKeyId: 'ASIAFAKEREADONLY',
      secretAccessKey: "s3cr3t/with+chars'and$HOME",
      sessionToken: 'IQoJb3JpZ2luX2Vj//session==',
      expiration: '2030-01-01T00:00:00Z',
      accountId: ACCOUNT,
    });
    const requests = await portal.requests();
    assert.equal(requests.length, 1);
    assert.equal(requests[0].path, '/federation/credentials');
    assert.equal(requests[0].query, 'role_name=ReadOnly&account_id=111122223333');
    assert.equal(requests[0].headers['x-amz-sso_bearer_token'], DEMO_TOKEN);
  });

  test('import works the same way', async () => {
    await portal.configure(portalConfig());
    const credentials = await esm.getRoleCredentials({ cache: cacheFile(), accountId: ACCOUNT, roleName: 'ReadOnly', endpoint: portal.url });
    assert.equal(credentials.accessKeyId, 'ASIAFAKEREADONLY');
  });

  test('401 for an unknown token: sign in again, not retried', async () => {
    await portal.configure(portalConfig());
    const error = await rejected(call({ cache: cacheFile({ token: 'someone-else' }) }));
    assert.equal(error.code, 'PORTAL_UNAUTHORIZED');
    assert.equal(error.status, 401);
    assert.match(error.message, /Session token not found or invalid.*sign in again with `ssocreds login` or `aws sso login`/);
    assert.equal(error.attempts, 1);
    assert.equal((await portal.requests()).length, 1);
  });

  test('401 for a session revoked on the server while the file says it is valid', async () => {
    const config = portalConfig();
    config.tokens[DEMO_TOKEN].expired = true;
    await portal.configure(config);
    const error = await rejected(call());
    assert.equal(error.code, 'PORTAL_UNAUTHORIZED');
    assert.match(error.message, /whatever the cache file's expiresAt says/);
  });

  test('403 No access names the account and role', async () => {
    await portal.configure(portalConfig());
    const error = await rejected(call({ roleName: 'Billing' }));
    assert.equal(error.code, 'PORTAL_FORBIDDEN');
    assert.equal(error.errorType, 'ForbiddenException');
    assert.match(error.message, /no access to role "Billing" in account 111122223333 \(HTTP 403 ForbiddenException: No access\)/);
    assert.equal((await portal.requests()).length, 1);
  });

  test('429 twice, then success', async () => {
    await portal.configure(portalConfig({ throttle: { failFirst: 2 } }));
    const credentials = await call();
    assert.equal(credentials.accessKeyId, 'ASIAFAKEREADONLY');
    assert.deepEqual((await portal.requests()).map((r) => r.status), [429, 429, 200]);
  });

  test('429 with Retry-After: waits as long as the server says', async () => {
    await portal.configure(portalConfig({ throttle: { failFirst: 1, retryAfterSeconds: 1 } }));
    const started = Date.now();
    await call();
    assert.ok(Date.now() - started >= 1000, `retried after ${Date.now() - started} ms`);
  });

  test('429 every time: PORTAL_THROTTLED after maxAttempts', async () => {
    await portal.configure(portalConfig({ throttle: { failFirst: 100 } }));
    const error = await rejected(call({ maxAttempts: 3 }));
    assert.equal(error.code, 'PORTAL_THROTTLED');
    assert.equal(error.attempts, 3);
    assert.equal((await portal.requests()).length, 3);
  });

  test('500, then success', async () => {
    await portal.configure(portalConfig({ failFirstWith500: 1 }));
    await call();
    assert.deepEqual((await portal.requests()).map((r) => r.status), [500, 200]);
  });

  test('500 every time: PORTAL_SERVER_ERROR after 4 attempts (the default)', async () => {
    await portal.configure(portalConfig({ failFirstWith500: 100 }));
    const error = await rejected(call());
    assert.equal(error.code, 'PORTAL_SERVER_ERROR');
    assert.equal(error.attempts, 4);
  });

  test('an unreadable 200 answer is not retried', async () => {
    await portal.configure(portalConfig({ fault: 'invalidJson' }));
    const error = await rejected(call());
    assert.equal(error.code, 'PORTAL_UNEXPECTED_RESPONSE');
    assert.match(error.message, /could not be understood .*not valid JSON/);
    assert.equal((await portal.requests()).length, 1);
  });

  test('a reset connection is retried', async () => {
    await portal.configure(portalConfig({ fault: 'reset', faultCount: 1 }));
    assert.equal((await call()).accessKeyId, 'ASIAFAKEREADONLY');
  });

  test('a body cut short is retried', async () => {
    await portal.configure(portalConfig({ fault: 'halfBody', faultCount: 2 }));
    assert.equal((await call()).accessKeyId, 'ASIAFAKEREADONLY');
  });

  test('no answer at all: NETWORK_ERROR after the retries', async () => {
    await portal.configure(portalConfig({ fault: 'reset' }));
    const error = await rejected(call({ maxAttempts: 2 }));
    assert.equal(error.code, 'NETWORK_ERROR');
    assert.equal(error.attempts, 2);
    assert.match(error.message, /^no answer from 127\.0\.0\.1:\d+ after 2 attempt\(s\): /);
  });

  test('a hanging server: TIMEOUT', async () => {
    await portal.configure(portalConfig({ fault: 'hang' }));
    const error = await rejected(call({ timeoutMs: 200, maxAttempts: 1 }));
    assert.equal(error.code, 'TIMEOUT');
    assert.match(error.message, /no answer within 200 ms/);
  });

  test('an AbortSignal cancels the call, waits included', async () => {
    await portal.configure(portalConfig({ throttle: { failFirst: 1, retryAfterSeconds: 20 } }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop')), 300);
    const started = Date.now();
    const error = await rejected(call({ signal: controller.signal }));
    assert.equal(error.message, 'stop');
    assert.ok(Date.now() - started < 5000);
  });

  test('an expired token or a bad id is refused before any request', async () => {
    await portal.configure(portalConfig());
    const expired = await rejected(call({ cache: cacheFile({ expiresAt: '2020-06-17T10:02:08UTC' }) }));
    assert.equal(expired.code, 'TOKEN_EXPIRED');
    assert.match(expired.message, /sign in again with `ssocreds login` or `aws sso login`/);
    assert.equal((await rejected(call({ accountId: 'x' }))).code, 'INVALID_ACCOUNT_ID');
    assert.equal((await rejected(call({ endpoint: 'http://10.0.0.1' }))).code, 'ENDPOINT_INSECURE_HTTP');
    assert.equal((await rejected(call({ maxAttempts: 0 }))).code, 'INVALID_ARGUMENT');
    assert.equal((await portal.requests()).length, 0);
  });

  test('a given fetch is used', async () => {
    await portal.configure(portalConfig());
    const seen = [];
    const credentials = await call({
      fetch: (url, init) => {
        seen.push([url, init.headers['x-amz-sso_bearer_token']]);
        return fetch(url, init);
      },
    });
    assert.equal(credentials.accessKeyId, 'ASIAFAKEREADONLY');
    assert.deepEqual(seen, [[`${portal.url}/federation/credentials?role_name=ReadOnly&account_id=111122223333`, DEMO_TOKEN]]);
  });
});

/** The string literals of `export type NAME = 'a' | 'b' …;` in a .d.ts. */
function unionMembers(types, name) {
  const union = types.match(new RegExp(`export type ${name} =([^;]*);`));
  assert.ok(union, `no type ${name}`);
  return [...union[1].replace(/\/\/.*$/gm, '').matchAll(/'([^']*)'/g)].map((m) => m[1]);
}

function captured(fn) {
  try {
    fn();
  } catch (error) {
    return error;
  }
  assert.fail('expected an exception');
}

async function rejected(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
}
