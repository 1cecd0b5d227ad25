// Types of the `ssocreds` npm package.
//
// Times: every timestamp this package returns is an RFC 3339 string in UTC with a `Z` and whole seconds, such as
// "2023-02-14T18:48:59Z" (`new Date(value)` reads it). Every timestamp it accepts may be such a string, epoch
// milliseconds (a number) or a `Date`. Durations are whole seconds.
//
// Errors: every function throws a real `Error` whose `message` says what is wrong and what to do, and whose
// `code` is one of `ErrorCode`; portal failures are `PortalFailure`s with the HTTP details.

/** Stable machine-readable error codes (the same as the CLI's). */
export type ErrorCode =
  // arguments
  | 'INVALID_ARGUMENT'
  | 'INVALID_ACCOUNT_ID'
  | 'INVALID_ROLE_NAME'
  | 'INVALID_REGION'
  | 'INVALID_TIMESTAMP'
  | 'ENDPOINT_INVALID'
  | 'ENDPOINT_INSECURE_HTTP'
  | 'REGION_MISSING'
  // the token cache file
  | 'CACHE_EMPTY'
  | 'CACHE_TOO_LARGE'
  | 'CACHE_INVALID_JSON'
  | 'CACHE_NOT_OBJECT'
  | 'CACHE_IS_CLIENT_REGISTRATION'
  | 'CACHE_MISSING_FIELD'
  | 'CACHE_WRONG_TYPE'
  | 'CACHE_INVALID_TIMESTAMP'
  | 'CACHE_INVALID_REGION'
  | 'TOKEN_EXPIRED'
  // the portal's answer
  | 'PORTAL_UNAUTHORIZED'
  | 'PORTAL_FORBIDDEN'
  | 'PORTAL_NOT_FOUND'
  | 'PORTAL_INVALID_REQUEST'
  | 'PORTAL_THROTTLED'
  | 'PORTAL_SERVER_ERROR'
  | 'PORTAL_UNEXPECTED_RESPONSE'
  // getRoleCredentials only: no HTTP answer at all
  | 'NETWORK_ERROR'
  | 'TIMEOUT'
  // exports
  | 'EXPORT_UNKNOWN_FORMAT'
  | 'EXPORT_UNREPRESENTABLE';

/** What every function throws. */
export interface SsoCredsError extends Error {
  code: ErrorCode;
}

/** A failed portal call (`code` starts with `PORTAL_`). */
export interface PortalFailure extends SsoCredsError {
  /** The HTTP status. */
  status: number;
  /** The error type as the AWS SDKs read it, such as "UnauthorizedException", or null. */
  errorType: string | null;
  /** Whether sending again may succeed (429 and 5xx). */
  retryable: boolean;
  /** The server's `Retry-After`, in seconds, or null. */
  retryAfterSeconds: number | null;
  /** Set by getRoleCredentials: how many attempts were made. */
  attempts?: number;
}

/** Set by getRoleCredentials when no HTTP answer came back (`NETWORK_ERROR`, `TIMEOUT`). */
export interface TransportFailure extends SsoCredsError {
  attempts: number;
  cause: unknown;
}

/** An instant: RFC 3339 text, epoch milliseconds or a `Date`. */
export type TimeInput = string | number | Date;

/** The contents of a token cache file (`~/.aws/sso/cache/<sha1>.json`): text, or its bytes. */
export type CacheInput = string | Uint8Array | ArrayBuffer;

/** The export formats, as the CLI's `--format` names them. */
export type ExportFormat =
  | 'env'
  | 'env-no-export'
  | 'dotenv'
  | 'fish'
  | 'powershell'
  | 'windows-cmd'
  | 'process'
  | 'json';

/** What `parseCache` tells about a token cache file. It never returns the token or any other secret. */
export interface CacheInfo {
  startUrl: string | null;
  /** The region the token was issued in, as written in the file. */
  region: string | null;
  /** When the access token expires (RFC 3339, UTC). */
  expiresAt: string;
  hasRefreshToken: boolean;
  /** When the OIDC client registration expires (RFC 3339, UTC), or null. */
  registrationExpiresAt: string | null;
  /** The file name `aws sso login` gives this token for a legacy profile: the SHA-1 of the start URL, + ".json". */
  legacyCacheFileName: string | null;
}

export interface CheckTokenOptions {
  /** The time to compare with; default: now. */
  now?: TimeInput;
  /** The region calls will go to (sso_region); default: the token's own. */
  region?: string;
  /** Warn (`expiringSoon`) when less than this is left; default 900 (15 minutes, as the CLI). */
  minValiditySeconds?: number;
}

/** How a token stands. An expired token is reported here, not thrown. */
export interface TokenCheck {
  expired: boolean;
  /** Valid, but for less than `minValiditySeconds`. */
  expiringSoon: boolean;
  /** RFC 3339, UTC. */
  expiresAt: string;
  /** Seconds left; negative once expired. */
  expiresInSeconds: number;
  /** The time left (or, once expired, the time since) for people: "7 h 59 min". */
  timeLeft: string;
  startUrl: string | null;
  /** The region calls go to: the one asked for, else the token's; null when neither is usable. */
  region: string | null;
  /** The region written in the token file. */
  tokenRegion: string | null;
  /** Things to tell the user: time running out, a region other than the token's, no region. */
  warnings: string[];
  /** 'TOKEN_EXPIRED' when expired, else null. */
  code: 'TOKEN_EXPIRED' | null;
  /** When expired: when, how long ago, and how to sign in again. */
  message: string | null;
}

export interface RequestOptions {
  /** The token cache file's contents. */
  cache: CacheInput;
  /** 12 digits. */
  accountId: string;
  /** The role (permission set) name, case-sensitive. */
  roleName: string;
  /** The IAM Identity Center region (sso_region); default: the token's. */
  region?: string;
  /** Send to this base URL instead of the regional portal: https://, or http:// only to this machine. */
  endpoint?: string;
}

/** An HTTP request to send. `headers` carries the access token: do not log it. */
export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
}

/** The portal's answer, as received. */
export interface HttpResponseInput {
  status: number;
  /** A `Headers`, a `Map`, `[name, value]` pairs or a plain object. */
  headers?: Headers | Map<string, string> | Array<[string, string]> | Record<string, string>;
  /** The body as text or bytes. */
  body?: string | Uint8Array | ArrayBuffer | null;
}

/** What was asked for, so that an error can name the account, role and regions. All optional. */
export interface CallContext {
  accountId?: string;
  roleName?: string;
  /** The region called. */
  region?: string;
  /** The region the token was issued in. */
  tokenRegion?: string;
}

/** Temporary role credentials. */
export interface RoleCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** When they expire (RFC 3339, UTC, whole seconds). */
  expiration: string;
  /** The account, when known. */
  accountId: string | null;
}

/** Credentials to format: `RoleCredentials`, with `expiration` in any `TimeInput` form. */
export interface CredentialsInput {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: TimeInput;
  accountId?: string | null;
}

export interface FormatOptions {
  /** Also set AWS_REGION and AWS_DEFAULT_REGION (the CLI's `--export-region`). */
  region?: string;
}

export interface CommandsOptions extends RequestOptions {
  /** Where the user's shell finds the token cache file, such as "~/.aws/sso/cache/<sha1>.json". */
  cachePath: string;
  /** The format for `ssocreds export`; default "env". */
  format?: ExportFormat;
  /** For `ssocreds export`: also export AWS_REGION and AWS_DEFAULT_REGION as this region. */
  exportRegion?: string;
}

/** POSIX shell commands that fetch the credentials, each reading the token from `cachePath` when run. */
export interface Commands {
  /** `aws sso get-role-credentials … --output json --access-token "$(jq -r .accessToken FILE)"` */
  awsCli: string;
  /** `ssocreds export --cache FILE …` */
  ssocreds: string;
  /** `curl … --header "x-amz-sso_bearer_token: $(jq -r .accessToken FILE)" URL` */
  curl: string;
  /** The region the commands call. */
  region: string;
}

export interface GetRoleCredentialsOptions extends RequestOptions {
  /** The fetch to use; default: the global one (Node 18 and later, browsers, Deno, Bun). */
  fetch?: typeof fetch;
  /** Attempts in all for throttling (429), server errors (5xx) and lost connections; 1 to 10, default 4. */
  maxAttempts?: number;
  /** Give up on one attempt after this many milliseconds; default 30000. */
  timeoutMs?: number;
  /** Cancels the call, including the waits between attempts; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Refuse a token that has expired at this time (default: now) without sending anything. */
  now?: TimeInput;
}

/** The package version. */
export const version: string;

/** Reads a token cache file: start URL, region, expiry. Throws `CACHE_*` errors for anything unusable. */
export function parseCache(cache: CacheInput): CacheInfo;

/** Compares the token's expiry with `now`. */
export function checkToken(cache: CacheInput, options?: CheckTokenOptions): TokenCheck;

/** Builds the GetRoleCredentials request, for callers that send it themselves. Does not look at the clock. */
export function buildGetRoleCredentialsRequest(options: RequestOptions): HttpRequest;

/**
 * Reads the portal's answer (or the JSON printed by `aws sso get-role-credentials`, with status 200) into
 * credentials; throws a `PortalFailure` for an error answer.
 */
export function parseGetRoleCredentialsResponse(response: HttpResponseInput, context?: CallContext): RoleCredentials;

/** Formats credentials exactly as `ssocreds export --format <format>` prints them (lines end with "\n"). */
export function formatExports(credentials: CredentialsInput, format: ExportFormat, options?: FormatOptions): string;

/** Every format `formatExports` accepts, in the CLI's order. */
export function exportFormats(): ExportFormat[];

/** The cache file name `aws sso login` uses for a session name or a legacy profile's start URL. */
export function cacheFileName(sessionNameOrStartUrl: string): string;

/** The commands that fetch these credentials with the AWS CLI, ssocreds or curl. */
export function buildCommands(options: CommandsOptions): Commands;

/**
 * Fetches role credentials from the portal: refuses an expired token, sends the request, retries throttling,
 * server errors and lost connections with backoff (as the CLI does), and parses the answer.
 */
export function getRoleCredentials(options: GetRoleCredentialsOptions): Promise<RoleCredentials>;

declare const ssocreds: {
  version: typeof version;
  parseCache: typeof parseCache;
  checkToken: typeof checkToken;
  buildGetRoleCredentialsRequest: typeof buildGetRoleCredentialsRequest;
  parseGetRoleCredentialsResponse: typeof parseGetRoleCredentialsResponse;
  formatExports: typeof formatExports;
  exportFormats: typeof exportFormats;
  cacheFileName: typeof cacheFileName;
  buildCommands: typeof buildCommands;
  getRoleCredentials: typeof getRoleCredentials;
};
export default ssocreds;
