// Uses every export of the packed package as a TypeScript user would (ES module), compiled with `tsc --strict`
// by types.test.mjs against the installed package's .d.ts files. Never run. Each `@ts-expect-error` line is a
// misuse the types must refuse: tsc fails if one compiles.
import ssocreds, {
  buildCommands,
  buildGetRoleCredentialsRequest,
  cacheFileName,
  checkToken,
  exportFormats,
  formatExports,
  getRoleCredentials,
  parseCache,
  parseGetRoleCredentialsResponse,
  version,
} from 'ssocreds';
import type {
  CacheInfo,
  CacheInput,
  CallContext,
  CheckTokenOptions,
  Commands,
  CommandsOptions,
  CredentialsInput,
  ErrorCode,
  ExportFormat,
  FormatOptions,
  GetRoleCredentialsOptions,
  HttpRequest,
  HttpResponseInput,
  PortalFailure,
  RequestOptions,
  RoleCredentials,
  SsoCredsError,
  TimeInput,
  TokenCheck,
  TransportFailure,
} from 'ssocreds';

const cache: CacheInput = new TextEncoder().encode('{"accessToken":"t","expiresAt":"2099-01-01T00:00:00Z"}');
const text: string = version;

const info: CacheInfo = parseCache(cache);
const startUrl: string | null = info.startUrl;
const expiresAt: string = info.expiresAt;
const legacy: string | null = info.legacyCacheFileName;

const checkOptions: CheckTokenOptions = { now: new Date(), region: 'eu-west-1', minValiditySeconds: 60 };
const check: TokenCheck = checkToken(cache, checkOptions);
checkToken('{}');
checkToken(new ArrayBuffer(0), { now: 1676400539000 });
const left: number = check.expiresInSeconds;
const warnings: string[] = check.warnings;
const expiredCode: 'TOKEN_EXPIRED' | null = check.code;

const requestOptions: RequestOptions = { cache, accountId: '111122223333', roleName: 'ReadOnly', endpoint: 'https://x' };
const request: HttpRequest = buildGetRoleCredentialsRequest(requestOptions);
const method: 'GET' | 'POST' = request.method;
const token: string | undefined = request.headers['x-amz-sso_bearer_token'];

const context: CallContext = { accountId: '111122223333', roleName: 'ReadOnly', region: 'eu-west-1' };
const response: HttpResponseInput = { status: 200, headers: new Headers(), body: '{}' };
const credentials: RoleCredentials = parseGetRoleCredentialsResponse(response, context);
parseGetRoleCredentialsResponse({ status: 200, headers: [['a', 'b']], body: new Uint8Array() });
parseGetRoleCredentialsResponse({ status: 200, headers: new Map([['a', 'b']]) });
parseGetRoleCredentialsResponse({ status: 200, headers: { a: 'b' }, body: null });
const account: string | null = credentials.accountId;

const formats: ExportFormat[] = exportFormats();
const when: TimeInput = credentials.expiration;
const input: CredentialsInput = { ...credentials, expiration: when };
const formatOptions: FormatOptions = { region: 'eu-west-1' };
const lines: string = formatExports(input, formats[0] ?? 'env', formatOptions);
formatExports({ accessKeyId: 'A', secretAccessKey: 'S', sessionToken: 'T', expiration: new Date() }, 'fish');

const fileName: string = cacheFileName('my-sso');

const commandsOptions: CommandsOptions = { ...requestOptions, cachePath: '~/.aws/sso/cache/x.json', format: 'fish' };
const commands: Commands = buildCommands(commandsOptions);
const awsCli: string = commands.awsCli;

async function fetchCredentials(): Promise<string> {
  const options: GetRoleCredentialsOptions = {
    ...requestOptions,
    fetch: globalThis.fetch,
    maxAttempts: 2,
    timeoutMs: 1000,
    signal: new AbortController().signal,
    now: '2023-02-14T18:48:59Z',
  };
  try {
    const fetched: RoleCredentials = await getRoleCredentials(options);
    return fetched.sessionToken;
  } catch (error) {
    const failure = error as SsoCredsError;
    const code: ErrorCode = failure.code;
    if (code === 'NETWORK_ERROR' || code === 'TIMEOUT') return `${(failure as TransportFailure).attempts}`;
    if (code.startsWith('PORTAL_')) {
      const portal = failure as PortalFailure;
      const retry: number | null = portal.retryAfterSeconds;
      return `${portal.status} ${portal.errorType ?? ''} ${retry ?? ''} ${portal.retryable}`;
    }
    return failure.message;
  }
}

// The default export carries the same functions.
const same: typeof parseCache = ssocreds.parseCache;
const sameVersion: string = ssocreds.version;
const sameGet: typeof getRoleCredentials = ssocreds.getRoleCredentials;

// Misuses the types refuse.
// @ts-expect-error a misspelt option
buildGetRoleCredentialsRequest({ cache, acountId: '111122223333', roleName: 'ReadOnly' });
// @ts-expect-error accountId is required
buildGetRoleCredentialsRequest({ cache, roleName: 'ReadOnly' });
// @ts-expect-error the cache is required
buildCommands({ accountId: '111122223333', roleName: 'ReadOnly', cachePath: 'x' });
// @ts-expect-error not a format
formatExports(input, 'bash');
// @ts-expect-error expiresAt is a string, not a number
const wrong: number = info.expiresAt;
// @ts-expect-error startUrl may be null
const notNull: string = info.startUrl;
// @ts-expect-error not an error code
const badCode: ErrorCode = 'NO_SUCH_CODE';
// @ts-expect-error the now option takes a time, not a boolean
checkToken(cache, { now: true });
// @ts-expect-error the internal functions are not part of the API
ssocreds.prepareGetRoleCredentials;

export const used = [
  text, startUrl, expiresAt, legacy, left, warnings, expiredCode, method, token, account, lines, fileName, awsCli,
  fetchCredentials, same, sameVersion, sameGet, wrong, notNull, badCode,
];
