// Types of the `ssocreds` npm package: what js/client.js itself defines, over the declarations generated from the
// Rust types and functions (ssocreds.d.ts, made by wasm-bindgen and tsify; build.sh ships this file as index.d.ts).
//
// Times: every timestamp this package returns is an RFC 3339 string in UTC with a `Z` and whole seconds, such as
// "2023-02-14T18:48:59Z" (`new Date(value)` reads it). Every timestamp it accepts may be such a string, epoch
// milliseconds (a number) or a `Date`. Durations are whole seconds.
//
// Errors: every function throws a real `Error` whose `message` says what is wrong and what to do, and whose
// `code` is one of `ErrorCode`; portal failures are `PortalFailure`s with the HTTP details.

import type { CallContext, RequestOptions, RoleCredentials, SsoCredsError, TimeInput } from './ssocreds.js';
import * as generated from './ssocreds.js';

export * from './ssocreds.js';

/** The package version. */
export const version: string;

/** The portal's answer, as received. */
export interface HttpResponseInput {
  status: number;
  /** A `Headers`, a `Map`, `[name, value]` pairs or a plain object. */
  headers?: Headers | Map<string, string> | Array<[string, string]> | Record<string, string>;
  /** The body as text or bytes. */
  body?: string | Uint8Array | ArrayBuffer | null;
}

/**
 * Reads the portal's answer (or the JSON printed by `aws sso get-role-credentials`, with status 200) into
 * credentials; throws a `PortalFailure` for an error answer.
 */
export function parseGetRoleCredentialsResponse(response: HttpResponseInput, context?: CallContext): RoleCredentials;

/** Set by getRoleCredentials when no HTTP answer came back (`NETWORK_ERROR`, `TIMEOUT`). */
export interface TransportFailure extends SsoCredsError {
  code: 'NETWORK_ERROR' | 'TIMEOUT';
  attempts: number;
  cause: unknown;
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

/**
 * Fetches role credentials from the portal: refuses an expired token, sends the request, retries throttling,
 * server errors and lost connections with backoff (as the CLI does), and parses the answer.
 */
export function getRoleCredentials(options: GetRoleCredentialsOptions): Promise<RoleCredentials>;

declare const ssocreds: typeof generated & {
  version: typeof version;
  parseGetRoleCredentialsResponse: typeof parseGetRoleCredentialsResponse;
  getRoleCredentials: typeof getRoleCredentials;
};
export default ssocreds;
