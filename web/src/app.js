import * as ssocreds from './ssocreds/index.browser.mjs';

// The paste-and-convert page. Everything the page shows comes from the `ssocreds` package (the same core as the
// CLI): this file only wires fields to calls and errors to the field they concern. Nothing is stored or sent.

const $ = (id) => document.getElementById(id);

const FORMAT_LABELS = {
  env: 'env — bash, zsh, sh',
  'env-no-export': 'env-no-export — NAME=value',
  dotenv: 'dotenv — .env files',
  fish: 'fish',
  powershell: 'powershell',
  'windows-cmd': 'windows-cmd — cmd.exe',
  process: 'process — credential_process JSON',
  json: 'json',
};

// Which field an error code belongs to; anything else is shown under the token cache file.
const FIELD_OF_CODE = {
  INVALID_ACCOUNT_ID: 'account',
  INVALID_ROLE_NAME: 'role',
  INVALID_REGION: 'region',
  REGION_MISSING: 'region',
  CACHE_INVALID_REGION: 'region',
};

const ERROR_FIELDS = ['cache', 'account', 'role', 'region', 'cache-path', 'response'];

let droppedName = null;
let pathEdited = false;

function showError(field, error) {
  const element = $(`${field}-error`);
  element.textContent = error ? error.message || String(error) : '';
  element.hidden = !error;
  const input = $(field);
  if (error) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

function fieldOf(error) {
  return FIELD_OF_CODE[error.code] || 'cache';
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function definitionList(rows) {
  const list = element('dl');
  for (const [term, value, className] of rows) {
    list.append(element('dt', term), element('dd', value, className));
  }
  return list;
}

function localTime(iso) {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Start URL, region and time left of the pasted token, or that it has expired and how to sign in again. */
function renderTokenStatus(cache) {
  const status = $('token-status');
  status.replaceChildren();
  status.hidden = true;
  if (cache === null) return null;
  const region = $('region').value.trim();
  let check;
  try {
    check = ssocreds.checkToken(cache, { region: region || undefined });
  } catch (error) {
    showError(fieldOf(error), error);
    check = ssocreds.checkToken(cache);
  }
  const timeRow = check.expired
    ? ['Status', `Expired ${check.timeLeft} ago`, 'expired']
    : ['Time left', check.timeLeft, check.expiringSoon ? 'warning' : 'valid'];
  status.append(
    definitionList([
      ['Start URL', check.startUrl || '(not in the file)'],
      ['Region', check.region || check.tokenRegion || '(not in the file)'],
      ['Expires', `${check.expiresAt} (${localTime(check.expiresAt)})`],
      timeRow,
    ]),
  );
  if (check.expired) status.append(element('p', `${check.message}. Then paste the new file here.`, 'expired'));
  for (const warning of check.warnings) status.append(element('p', `Warning: ${warning}`, 'warning'));
  status.hidden = false;
  return check;
}

/** The three commands, or the errors that keep them from being built. */
function renderCommands(cache, check) {
  const accountId = $('account').value.trim();
  const roleName = $('role').value.trim();
  const region = $('region').value.trim();
  const cachePath = $('cache-path').value.trim();
  let commands = null;
  if (accountId || roleName) {
    try {
      commands = ssocreds.buildCommands({
        cache: cache ?? '',
        cachePath,
        accountId,
        roleName,
        region: region || undefined,
        format: $('format').value,
        exportRegion: $('export-region').checked && check?.region ? check.region : undefined,
      });
    } catch (error) {
      const field = fieldOf(error);
      // An empty field is not an error yet, and cache problems are already shown under the cache.
      const blank = (field === 'account' && !accountId) || (field === 'role' && !roleName);
      if (error.code === 'INVALID_ARGUMENT') {
        if (cache !== null) showError('cache-path', new Error('enter the path of the token cache file'));
      } else if (!blank && field !== 'cache') {
        showError(field, error);
      }
    }
  }
  const ready = commands !== null && accountId && roleName && cache !== null;
  $('commands').hidden = !ready;
  $('commands-placeholder').hidden = Boolean(ready);
  if (ready) {
    $('cmd-aws').textContent = commands.awsCli;
    $('cmd-ssocreds').textContent = commands.ssocreds;
    $('cmd-curl').textContent = commands.curl;
  }
}

function parseAnswer(text) {
  const response = { status: 200, body: text };
  const context = {
    accountId: $('account').value.trim() || undefined,
    roleName: $('role').value.trim() || undefined,
  };
  try {
    return ssocreds.parseGetRoleCredentialsResponse(response, context);
  } catch (error) {
    // A bad account id or role name is reported in step 2; the answer itself may still be fine.
    if (error.code === 'INVALID_ACCOUNT_ID' || error.code === 'INVALID_ROLE_NAME') {
      return ssocreds.parseGetRoleCredentialsResponse(response);
    }
    throw error;
  }
}

/** The exports of the pasted answer, in the chosen format, with the credentials' expiry. */
function renderExports(check) {
  const text = $('response').value;
  $('exports').hidden = true;
  if (!text.trim()) return;
  try {
    const credentials = parseAnswer(text);
    const region = $('export-region').checked ? $('region').value.trim() || check?.region : undefined;
    $('exports-out').textContent = ssocreds.formatExports(credentials, $('format').value, {
      region: region || undefined,
    });
    const expired = new Date(credentials.expiration) <= new Date();
    const expiry = $('expiry');
    expiry.textContent = `These credentials ${expired ? 'expired' : 'expire'} at ${credentials.expiration} ` +
      `(${localTime(credentials.expiration)})${expired ? ': run the command again for new ones.' : '.'}`;
    expiry.className = `status ${expired ? 'expired' : 'valid'}`;
    $('exports').hidden = false;
  } catch (error) {
    showError('response', error);
  }
}

function update() {
  for (const field of ERROR_FIELDS) showError(field, null);
  const text = $('cache').value;
  let cache = null;
  if (text.trim()) {
    try {
      const info = ssocreds.parseCache(text);
      cache = text;
      if (!pathEdited) {
        const name = droppedName || info.legacyCacheFileName || 'TOKEN-FILE.json';
        $('cache-path').value = `~/.aws/sso/cache/${name}`;
      }
    } catch (error) {
      showError('cache', error);
    }
  }
  const check = renderTokenStatus(cache);
  renderCommands(cache, check);
  renderExports(check);
}

async function loadFile(file) {
  if (!file) return;
  droppedName = file.name;
  $('cache').value = await file.text();
  update();
}

async function copy(button) {
  const text = $(button.dataset.copy).textContent;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // No clipboard API (an old browser, or a file:// page without permission): copy the selection instead.
    const range = document.createRange();
    range.selectNodeContents($(button.dataset.copy));
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    document.execCommand('copy');
  }
  button.textContent = 'Copied';
  $('copy-status').textContent = 'Copied to the clipboard.';
  setTimeout(() => {
    button.textContent = 'Copy';
    $('copy-status').textContent = '';
  }, 2000);
}

function start() {
  $('version').textContent = ssocreds.version;
  const format = $('format');
  for (const name of ssocreds.exportFormats()) {
    const option = element('option', FORMAT_LABELS[name] || name);
    option.value = name;
    format.append(option);
  }
  for (const id of ['cache', 'account', 'role', 'region', 'response']) $(id).addEventListener('input', update);
  for (const id of ['format', 'export-region']) $(id).addEventListener('change', update);
  $('cache-path').addEventListener('input', () => {
    pathEdited = $('cache-path').value.trim() !== '';
    update();
  });
  $('cache-file').addEventListener('change', (event) => loadFile(event.target.files[0]));
  const section = $('token-section');
  section.addEventListener('dragover', (event) => {
    event.preventDefault();
    section.classList.add('dragging');
  });
  section.addEventListener('dragleave', () => section.classList.remove('dragging'));
  section.addEventListener('drop', (event) => {
    event.preventDefault();
    section.classList.remove('dragging');
    loadFile(event.dataTransfer.files[0]);
  });
  for (const button of document.querySelectorAll('button.copy')) button.addEventListener('click', () => copy(button));
  // Time left changes while the page is open.
  setInterval(() => {
    if (document.visibilityState === 'visible') update();
  }, 30000);
  update();
  document.body.dataset.ready = 'true';
  // For bench/wasm.sh: navigation to a working page (module fetched and compiled, fields wired).
  performance.mark('ssocreds-ready');
}

start();
