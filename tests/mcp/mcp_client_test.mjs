// The official MCP TypeScript SDK's client against the real socrates-host, over both transports
// (docs/mcp.md): Streamable HTTP at /mcp and stdio (`socrates-host mcp`). Started by the e2e test
// McpE2eTest.SdkClientDrivesBothTransports (tests/e2e/mcp_e2e_test.cpp), which runs the host on a
// fresh database and passes:
//   SOCRATES_BASE_URL       http://127.0.0.1:PORT of the running host
//   SOCRATES_HOST_BINARY    the socrates-host executable, for the stdio transport
//   SOCRATES_STDIO_ENV      a JSON file with the environment `socrates-host mcp` needs (databases, secret, plugins)
// Node 18 compatible ES module; exits 0 when every check passed, 1 with the failure otherwise.
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { McpError, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';

import { answerFor } from './answers.mjs';

const base = process.env.SOCRATES_BASE_URL;
const hostBinary = process.env.SOCRATES_HOST_BINARY;
const stdioEnv = JSON.parse(readFileSync(process.env.SOCRATES_STDIO_ENV, 'utf8'));
assert.ok(base && hostBinary, 'SOCRATES_BASE_URL and SOCRATES_HOST_BINARY are required');

const EXPECTED_TOOLS = ['list_projects', 'create_project', 'start_session', 'next_question', 'answer', 'send_message',
  'specifications', 'maturity', 'conflicts', 'resolve_conflict', 'advance_phase', 'export'];

async function rest(method, path, body, token) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

async function signUp() {
  const email = `mcp-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`;
  const password = 'correct horse battery staple 42';
  const registered = await rest('POST', '/api/v1/auth/register', { email, password, name: 'MCP tester' });
  assert.equal(registered.status, 201, JSON.stringify(registered.body));
  const login = await rest('POST', '/api/v1/auth/login', { email, password });
  assert.equal(login.status, 200, JSON.stringify(login.body));
  return login.body.access_token;
}

function httpClient(token) {
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', base), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  return { client: new Client({ name: 'socrates-test', version: '1.0.0' }), transport };
}

// Every notifications/resources/updated the client receives, by URI.
function recordUpdates(client) {
  const updates = [];
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (note) => { updates.push(note.params.uri); });
  return updates;
}

async function call(client, name, args) {
  const result = await client.callTool({ name, arguments: args });
  assert.ok(!result.isError, `${name} failed: ${result.content?.[0]?.text}`);
  return result.structuredContent;
}

function toolError(result) {
  assert.equal(result.isError, true, JSON.stringify(result));
  return JSON.parse(result.content[0].text).error;
}

async function checkCatalogue(client) {
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  for (const name of EXPECTED_TOOLS) assert.ok(names.includes(name), `tool ${name} listed (${names})`);
  for (const tool of tools) {
    assert.equal(tool.inputSchema.type, 'object', tool.name);
    assert.ok(tool.description.length > 40, tool.name);
  }
  const { prompts } = await client.listPrompts();
  assert.deepEqual(prompts.map((p) => p.name), ['socratic_interview']);
  const { resourceTemplates } = await client.listResourceTemplates();
  assert.equal(resourceTemplates.length, 2);
}

// A whole interview through the tools: questions one at a time, answers, conflicts settled, until
// the discovery gate opens; then the advance and every export format.
async function interview(client, updates) {
  const project = await call(client, 'create_project', { name: 'Dental bookings', description: 'Online booking for dental clinics' });
  assert.equal(project.current_phase, 'discovery');
  const specUri = `socrates://projects/${project.id}/specification.md`;
  const maturityUri = `socrates://projects/${project.id}/maturity`;

  const { resources } = await client.listResources();
  assert.ok(resources.some((r) => r.uri === specUri), 'the new project\'s document is listed');
  await client.subscribeResource({ uri: specUri });
  await client.subscribeResource({ uri: maturityUri });

  const prompt = await client.getPrompt({ name: 'socratic_interview', arguments: { project_id: project.id } });
  assert.match(prompt.messages[0].content.text, /one question at a time/);

  const gate = toolError(await client.callTool({ name: 'advance_phase', arguments: { project_id: project.id } }));
  assert.equal(gate.code, 'PHASE_GATE', 'an early advance is a tool error carrying the API code');

  const session = await call(client, 'start_session', { project_id: project.id });
  let question = await call(client, 'next_question', { session_id: session.id });
  const used = {};
  let ready = false;
  for (let turn = 0; turn < 40 && !ready; ++turn) {
    const index = used[question.category] ?? 0;
    used[question.category] = index + 1;
    const result = await call(client, 'answer', { session_id: session.id, answer: answerFor(question.category, index) });
    for (const conflict of result.conflicts) {
      const resolved = await call(client, 'resolve_conflict', { conflict_id: conflict.id, resolution: 'keep_existing' });
      assert.equal(resolved.status, 'resolved');
    }
    if (result.maturity.score >= 50) ready = (await call(client, 'maturity', { project_id: project.id })).next_phase.ready;
    question = result.next_question ?? (await call(client, 'next_question', { session_id: session.id }));
  }
  assert.ok(ready, 'the discovery gate opened within 40 answers');
  assert.ok(updates.includes(specUri) && updates.includes(maturityUri),
    `a turn that saved specifications notified the subscriber (${updates})`);

  const specs = await call(client, 'specifications', { project_id: project.id });
  assert.ok(specs.total > 5, 'the answers were recorded');
  const open = await call(client, 'conflicts', { project_id: project.id });
  assert.equal(open.total, 0, 'every conflict was settled');

  const advanced = await call(client, 'advance_phase', { project_id: project.id });
  assert.equal(advanced.current_phase, 'analysis');

  for (const format of ['markdown', 'spec-kit', 'kiro']) {
    const result = await client.callTool({ name: 'export', arguments: { project_id: project.id, format } });
    assert.ok(!result.isError && result.structuredContent.markdown.length > 100, format);
    assert.equal(result.content[0].text, result.structuredContent.markdown, format);
  }
  const json = await call(client, 'export', { project_id: project.id, format: 'json' });
  assert.equal(json.document.project.id, project.id);
  const tasks = toolError(await client.callTool({ name: 'export', arguments: { project_id: project.id, format: 'tasks' } }));
  assert.equal(tasks.code, 'NOT_FOUND', 'no task list before implementation');

  const read = await client.readResource({ uri: specUri });
  assert.match(read.contents[0].text, /Dental bookings/);
  assert.equal(read.contents[0].mimeType, 'text/markdown');
  return project;
}

async function expectRpcError(promise, code, what) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof McpError, `${what}: ${error}`);
    assert.equal(error.code, code, `${what}: ${error.message}`);
    return true;
  });
}

async function overHttp(accessToken) {
  const { client, transport } = httpClient(accessToken);
  await client.connect(transport);
  assert.equal(client.getServerVersion().name, 'socrates');
  assert.ok(transport.sessionId, 'the server assigned an Mcp-Session-Id');
  const updates = recordUpdates(client);
  await checkCatalogue(client);
  const project = await interview(client, updates);
  await expectRpcError(client.callTool({ name: 'no_such_tool', arguments: {} }), -32602, 'an unknown tool');
  await expectRpcError(client.readResource({ uri: 'socrates://projects/00000000-0000-4000-8000-000000000000/maturity' }),
    -32002, 'another project');
  await transport.terminateSession();
  await client.close();
  return project;
}

async function overStdio(accessToken, project) {
  const created = await rest('POST', '/api/v1/auth/tokens', { name: 'stdio test' }, accessToken);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const pat = created.body.token;
  const cwd = mkdtempSync(join(tmpdir(), 'socrates-mcp-'));
  const transportFor = (token) => new StdioClientTransport({
    command: hostBinary, args: ['mcp'], cwd, stderr: 'pipe',
    env: { ...stdioEnv, PLUGIN_COPY_DIR: join(cwd, 'plugins'), SOCRATES_TOKEN: token },
  });
  try {
    const client = new Client({ name: 'socrates-test-stdio', version: '1.0.0' });
    await client.connect(transportFor(pat));
    const updates = recordUpdates(client);
    await checkCatalogue(client);
    const projects = await call(client, 'list_projects', {});
    assert.ok(projects.items.some((p) => p.id === project.id), 'the same account sees the same data');

    // A second project, interviewed a little in direct chat, with a change notification on stdio.
    const other = await call(client, 'create_project', { name: 'Clinic reminders' });
    await client.subscribeResource({ uri: `socrates://projects/${other.id}/maturity` });
    const chat = await call(client, 'start_session', { project_id: other.id, mode: 'direct_chat' });
    const said = await call(client, 'send_message', { session_id: chat.id, message: answerFor('requirements', 0) });
    assert.ok(said.reply.length > 0 && said.specifications.length > 0, JSON.stringify(said));
    assert.deepEqual(updates, [`socrates://projects/${other.id}/maturity`]);
    const noQuestion = toolError(await client.callTool({ name: 'answer', arguments: { session_id: chat.id, answer: 'yes' } }));
    assert.equal(noQuestion.code, 'QUESTION_NOT_FOUND', 'a chat has no question to answer');

    // Revoked while the process runs: the next message is refused.
    const revoked = await rest('DELETE', `/api/v1/auth/tokens/${created.body.id}`, undefined, accessToken);
    assert.equal(revoked.status, 204);
    await expectRpcError(client.callTool({ name: 'list_projects', arguments: {} }), -32003, 'a revoked token');
    await client.close();

    // And a process started with it refuses to serve at all.
    const refused = new Client({ name: 'socrates-test-revoked', version: '1.0.0' });
    const transport = transportFor(pat);
    let stderr = '';
    transport.stderr?.on('data', (chunk) => { stderr += chunk; });
    await assert.rejects(refused.connect(transport), 'connecting with a revoked token fails');
    assert.match(stderr, /SOCRATES_TOKEN was refused/);
    await refused.close().catch(() => {});
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
  return pat;
}

async function revokedOverHttp(pat) {
  const { client, transport } = httpClient(pat);
  await assert.rejects(client.connect(transport), (error) => {
    assert.equal(error.code, 401, String(error));
    assert.match(error.message, /UNAUTHENTICATED/);
    return true;
  });
}

try {
  const accessToken = await signUp();
  const project = await overHttp(accessToken);
  const pat = await overStdio(accessToken, project);
  await revokedOverHttp(pat);
  console.log('mcp client test: both transports passed');
  process.exit(0);
} catch (error) {
  console.error('mcp client test failed:', error);
  process.exit(1);
}
