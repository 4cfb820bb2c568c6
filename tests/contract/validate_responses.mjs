// Validates the host's real answers, recorded by the end-to-end suite (tests/support/http_client.cpp
// with SOCRATES_RECORD_DIR set: one JSON line per exchange), against docs/openapi.json.
//
//   node tests/contract/validate_responses.mjs <record dir> <openapi.json> [--min-operations=N]
//
// Each answer is matched to its operation (path template + method), then to the response of its
// status, then to the media type of its Content-Type, and its body is validated against that
// schema with ajv (JSON Schema 2020-12, as OpenAPI 3.1 uses). The front door's refusals, which any
// request may get before a route runs (api.md "Conventions"), are validated against the Error
// schema with their code. Fails with the list of mismatches, and when fewer than N operations were
// seen (naming those that were not).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const [dir, docPath, ...options] = process.argv.slice(2);
if (!dir || !docPath) {
  console.error('usage: validate_responses.mjs <record dir> <openapi.json> [--min-operations=N]');
  process.exit(2);
}
const minOperations = Number((options.find((o) => o.startsWith('--min-operations=')) ?? '=0').split('=')[1]);

const doc = JSON.parse(readFileSync(docPath, 'utf8'));
const ID = 'https://socrates.invalid/openapi.json';
// OpenAPI's own keywords around the schemas are not JSON Schema: not strict about unknown keywords.
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ ...doc, $id: ID });

// What any request may get before a route runs, by status: the code it carries.
const FRONT_DOOR = {
  400: 'VALIDATION_ERROR', 404: 'NOT_FOUND', 405: 'METHOD_NOT_ALLOWED', 408: 'REQUEST_TIMEOUT',
  413: 'PAYLOAD_TOO_LARGE', 431: 'HEADERS_TOO_LARGE', 503: 'SERVER_BUSY',
};
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const pointer = (...parts) => '#/' + parts.map((p) => String(p).replaceAll('~', '~0').replaceAll('/', '~1')).join('/');
const validators = new Map();
function validatorAt(ref) {
  if (!validators.has(ref)) validators.set(ref, ajv.compile({ $ref: ID + ref }));
  return validators.get(ref);
}

// The operations, each with a matcher; literal segments win over captures (as in the router).
const operations = [];
for (const [template, item] of Object.entries(doc.paths)) {
  const segments = template.split('/');
  const regex = new RegExp('^' + segments.map((s) => (/^\{.+\}$/.test(s) ? '[^/]+' : s.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))).join('/') + '$');
  const literals = segments.filter((s) => !/^\{.+\}$/.test(s)).length;
  for (const method of METHODS)
    if (item[method]) operations.push({ key: `${method.toUpperCase()} ${template}`, template, method, regex, literals, op: item[method] });
}

function resolveResponse(response) {
  let ref = null;
  while (response && response.$ref) {
    ref = response.$ref;
    const [, ...parts] = ref.split('/');
    response = parts.reduce((at, p) => at?.[p.replaceAll('~1', '/').replaceAll('~0', '~')], doc);
  }
  return { response, ref };
}

const errorCodeOf = (body) => (body && typeof body === 'object' && body.error && body.error.code) || null;
const mismatches = new Map();  // what went wrong -> { count, example }
function mismatch(where, what, record) {
  const key = `${where}: ${what}`;
  const entry = mismatches.get(key) ?? { count: 0, example: `${record.method} ${record.path} -> ${record.status} ${record.body.slice(0, 300)}` };
  entry.count += 1;
  mismatches.set(key, entry);
}
function validate(ref, body, where, record) {
  const check = validatorAt(ref);
  if (check(body)) return true;
  const errors = check.errors.slice(0, 4).map((e) => `${e.instancePath || '(body)'} ${e.message}${e.params && e.params.additionalProperty ? ` '${e.params.additionalProperty}'` : ''}${e.params && e.params.allowedValues ? ` ${JSON.stringify(e.params.allowedValues)}` : ''}`);
  mismatch(where, `body does not match ${ref}: ${errors.join('; ')}`, record);
  return false;
}

let records = 0, validated = 0, skipped = 0;
const seen = new Set();
const seenStatus = new Set();
const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
for (const file of files) {
  for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const record = JSON.parse(line);
    records += 1;
    const method = record.method.toLowerCase();
    const path = record.path.split('?')[0];
    if (record.status === 0 || method === 'options') { skipped += 1; continue; }
    const mediaType = (record.content_type || '').split(';')[0].trim().toLowerCase();
    let body = null;
    // A HEAD answer has the headers of a GET and never a body: nothing to parse.
    if (method !== 'head' && (mediaType === 'application/json' || mediaType.endsWith('+json'))) {
      try { body = JSON.parse(record.body); } catch { mismatch(`${record.method} ${path}`, 'a JSON content type with a body that is not JSON', record); continue; }
    }
    const candidates = operations.filter((o) => o.regex.test(path)).sort((a, b) => b.literals - a.literals);
    const found = candidates.find((o) => o.method === method);
    const where = found ? found.key : `${record.method} ${path}`;
    const documented = found ? found.op.responses[String(record.status)] : undefined;
    // A HEAD answer is a GET's headers, or a front-door refusal's, and never has a body.
    if (method === 'head' && (documented || FRONT_DOOR[record.status])) {
      if (documented) {
        seen.add(found.key);
        seenStatus.add(`${found.key} ${record.status}`);
      }
      if (record.body.length > 0) mismatch(where, 'a HEAD answer with a body', record);
      else validated += 1;
      continue;
    }
    if (!documented) {
      // A refusal of the front door: the one error shape, with the code of its status.
      const code = FRONT_DOOR[record.status];
      const frontDoor = code && errorCodeOf(body) === code && (found || record.status !== 405 || candidates.length > 0);
      if (frontDoor) {
        if (validate(pointer('components', 'schemas', 'Error'), body, where, record)) validated += 1;
      } else if (!found) {
        mismatch(where, `no operation of the document matches, and ${record.status} ${errorCodeOf(body) ?? ''} is no front-door refusal`, record);
      } else {
        mismatch(where, `status ${record.status} (${errorCodeOf(body) ?? mediaType}) is not documented for this operation`, record);
      }
      continue;
    }
    seen.add(found.key);
    seenStatus.add(`${found.key} ${record.status}`);
    const { response, ref } = resolveResponse(documented);
    const base = ref ? ref.split('/').slice(1) : ['paths', found.template, found.method, 'responses', String(record.status)];
    if (!response.content) {
      if (record.body.length > 0) mismatch(where, `status ${record.status} has no body in the document, but one was answered`, record);
      else validated += 1;
      continue;
    }
    // The media type, else its range (`text/*`), else any (`*/*`).
    const media = [mediaType, mediaType.split('/')[0] + '/*', '*/*'].find((m) => response.content[m]);
    if (!media) {
      mismatch(where, `status ${record.status} answered ${mediaType || 'no content type'}; the document has ${Object.keys(response.content).join(', ')}`, record);
      continue;
    }
    if (body === null) { validated += 1; continue; }  // text: no schema beyond "a string"
    if (validate(pointer(...base, 'content', media, 'schema'), body, where, record)) validated += 1;
  }
}

const unseen = operations.filter((o) => !seen.has(o.key)).map((o) => o.key);
console.log(`${records} answers recorded in ${files.length} file(s); ${validated} validated, ${skipped} skipped (no answer, OPTIONS)`);
console.log(`${seen.size} of ${operations.length} operations seen, ${seenStatus.size} operation-status pairs`);
if (unseen.length) console.log(`not seen:\n  ${unseen.join('\n  ')}`);
let failed = false;
if (mismatches.size) {
  failed = true;
  console.log(`\n${mismatches.size} kind(s) of answer do not match docs/openapi.json:`);
  for (const [what, { count, example }] of mismatches) console.log(`- ${what}  (${count}×)\n    e.g. ${example}`);
}
if (seen.size < minOperations) {
  failed = true;
  console.log(`\nonly ${seen.size} operations were seen; at least ${minOperations} must be (run more of the e2e suite)`);
}
process.exit(failed ? 1 : 0);
