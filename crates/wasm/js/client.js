// The JavaScript half of the `ssocreds` package: sending the request (`fetch`) and retrying, which the
// WebAssembly core leaves to its host. Everything else is a call into the core.
//
// build.sh wraps this file, unchanged, into the CommonJS entry (index.cjs) and the ES module entry
// (index.browser.mjs), so it has no import or export of its own: it defines `createClient(wasm)`.

/* eslint-disable no-unused-vars */
function createClient(wasm) {
  'use strict';

  const DEFAULT_TIMEOUT_MS = 30000;

  /** An `Error` with a stable `code`, like the ones the core throws. */
  function codedError(code, message, extra) {
    const error = new Error(message);
    error.code = code;
    return Object.assign(error, extra);
  }

  /** Headers as `[name, value]` pairs, from a `Headers`, a `Map`, an array of pairs or a plain object. */
  function headerPairs(headers) {
    if (headers == null) return [];
    if (Array.isArray(headers)) return headers.map(([name, value]) => [String(name), String(value)]);
    if (typeof headers.entries === 'function' && typeof headers.get === 'function') {
      return Array.from(headers.entries(), ([name, value]) => [String(name), String(value)]);
    }
    return Object.entries(headers).map(([name, value]) => [name, String(value)]);
  }

  function parseGetRoleCredentialsResponse(response, context) {
    const input =
      response !== null && typeof response === 'object'
        ? { status: response.status, headers: headerPairs(response.headers), body: response.body }
        : response;
    return wasm.parseGetRoleCredentialsResponse(input, context);
  }

  function randomU32() {
    const crypto = globalThis.crypto;
    if (crypto && typeof crypto.getRandomValues === 'function') {
      return crypto.getRandomValues(new Uint32Array(1))[0];
    }
    // Jitter only spreads retries out; it need not be unpredictable.
    return Math.floor(Math.random() * 0x100000000);
  }

  function sleep(ms, signal) {
    return new Promise((resolve, reject) => {
      if (signal && signal.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        if (signal) signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      if (signal) signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** One attempt: the response as `{ status, headers, body }`, or a thrown transport failure. */
  async function send(fetchImpl, request, timeoutMs, signal) {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = () => controller.abort(signal.reason);
    if (signal) signal.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await fetchImpl(request.url, {
        method: request.method,
        headers: request.headers,
        signal: controller.signal,
        // The token travels in a header, and fetch keeps custom headers across redirects: follow none.
        redirect: 'error',
        credentials: 'omit',
      });
      const body = new Uint8Array(await response.arrayBuffer());
      return { status: response.status, headers: headerPairs(response.headers), body };
    } catch (error) {
      error.timedOut = timedOut;
      throw error;
    } finally {
      clearTimeout(timer);
      if (signal) signal.removeEventListener('abort', onAbort);
    }
  }

  /** The innermost cause's message: `fetch failed` alone says nothing, `connect ECONNREFUSED …` does. */
  function rootCause(error) {
    let cause = error;
    while (cause && cause.cause instanceof Error) cause = cause.cause;
    return (cause && cause.message) || String(error);
  }

  function transportFailure(url, error, attempts, timeoutMs) {
    const host = new URL(url).host;
    const what = error.timedOut ? `no answer within ${timeoutMs} ms` : rootCause(error);
    return codedError(
      error.timedOut ? 'TIMEOUT' : 'NETWORK_ERROR',
      `no answer from ${host} after ${attempts} attempt(s): ${what}. Check the network and any proxy; ` +
        'from a web page, note that the AWS portal refuses cross-origin requests: run the AWS CLI command ' +
        'and pass its answer to parseGetRoleCredentialsResponse instead',
      { attempts, cause: error },
    );
  }

  async function getRoleCredentials(options) {
    if (options === null || typeof options !== 'object') {
      // Let the core name the problem, with its usual code.
      return wasm.prepareGetRoleCredentials(options);
    }
    const {
      fetch: fetchImpl = globalThis.fetch,
      maxAttempts,
      timeoutMs = DEFAULT_TIMEOUT_MS,
      signal,
      ...coreOptions
    } = options;
    if (typeof fetchImpl !== 'function') {
      throw codedError(
        'INVALID_ARGUMENT',
        'invalid options.fetch passed to getRoleCredentials: there is no global fetch here; pass one ' +
          '(Node 18 and later, Deno, Bun and browsers have it)',
      );
    }
    if (maxAttempts !== undefined && !(Number.isInteger(maxAttempts) && maxAttempts >= 1 && maxAttempts <= 10)) {
      throw codedError(
        'INVALID_ARGUMENT',
        'invalid options.maxAttempts passed to getRoleCredentials: expected a whole number from 1 to 10',
      );
    }
    if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
      throw codedError(
        'INVALID_ARGUMENT',
        'invalid options.timeoutMs passed to getRoleCredentials: expected a number of milliseconds above 0',
      );
    }
    // Refuses an expired token (TOKEN_EXPIRED) and bad ids before anything is sent.
    const { request, context } = wasm.prepareGetRoleCredentials(coreOptions);
    for (let attempt = 1; ; attempt++) {
      let response;
      try {
        response = await send(fetchImpl, request, timeoutMs, signal);
      } catch (error) {
        if (signal && signal.aborted) throw signal.reason;
        // GET is idempotent, so a failed connection or a lost answer is retried like a 5xx.
        const delay = wasm.retryDelayMs(attempt, true, undefined, randomU32(), maxAttempts);
        if (delay === undefined) throw transportFailure(request.url, error, attempt, timeoutMs);
        await sleep(delay, signal);
        continue;
      }
      try {
        return wasm.parseGetRoleCredentialsResponse(response, context);
      } catch (error) {
        const delay = wasm.retryDelayMs(
          attempt,
          error.retryable === true,
          error.retryAfterSeconds,
          randomU32(),
          maxAttempts,
        );
        if (delay === undefined) {
          error.attempts = attempt;
          throw error;
        }
        await sleep(delay, signal);
      }
    }
  }

  return Object.freeze({
    version: wasm.version(),
    parseCache: (cache) => wasm.parseCache(cache),
    checkToken: (cache, options) => wasm.checkToken(cache, options),
    buildGetRoleCredentialsRequest: (options) => wasm.buildGetRoleCredentialsRequest(options),
    parseGetRoleCredentialsResponse,
    formatExports: (credentials, format, options) => wasm.formatExports(credentials, format, options),
    exportFormats: () => wasm.exportFormats(),
    cacheFileName: (sessionNameOrStartUrl) => wasm.cacheFileName(sessionNameOrStartUrl),
    buildCommands: (options) => wasm.buildCommands(options),
    getRoleCredentials,
  });
}
