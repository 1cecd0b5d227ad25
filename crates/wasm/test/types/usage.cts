// The package through `require` (CommonJS), compiled with `tsc --strict` by types.test.mjs. Never run.
import ssocreds = require('ssocreds');

const info: ssocreds.CacheInfo = ssocreds.parseCache('{}');
const formats: ssocreds.ExportFormat[] = ssocreds.exportFormats();
const version: string = ssocreds.version;
const pending: Promise<ssocreds.RoleCredentials> = ssocreds.getRoleCredentials({
  cache: '{}',
  accountId: '111122223333',
  roleName: 'ReadOnly',
});
// @ts-expect-error parseCache returns a CacheInfo
const wrong: ssocreds.TokenCheck = ssocreds.parseCache('{}');

export = { info, formats, version, pending, wrong };
