// The web client in a real browser (Debian's Chromium, driven by playwright-core) against the real
// host and database: node tests/web/interview.mjs BASE_URL SCREENSHOT_DIR
// (started by tests/web/web_runner.cpp, which brings the host up on a fresh pair of databases).
// Waits are for elements and answers, never for time; the one clock that is moved (the token
// refresh) is the page's, faked by Playwright.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [base, shots] = process.argv.slice(2);
if (!base || !shots) {
  console.error('usage: node interview.mjs BASE_URL SCREENSHOT_DIR');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

const PASSWORD = 'correct horse battery';
const run = Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
const CATEGORIES = ['goals', 'requirements', 'tech_stack', 'scalability', 'security', 'performance', 'testing',
  'monitoring', 'data_retention', 'disaster_recovery'];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
const problems = [];

async function newPage(options = {}) {
  const context = await browser.newContext({ baseURL: base, acceptDownloads: true, ...options });
  const page = await context.newPage();
  // The page must run without script errors or refused policies (CSP) throughout.
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  return page;
}

async function shot(page, name, { fullPage = true } = {}) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage });
}

// The REST API directly, for what a scenario sets up around the browser (never what it checks).
async function rest(method, path, token, body) {
  const response = await fetch(base + '/api/v1' + path, {
    method,
    headers: { ...(token ? { Authorization: 'Bearer ' + token } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text && response.headers.get('content-type').includes('json') ? JSON.parse(text) : text };
}

async function tokenOf(email) {
  const login = await rest('POST', '/auth/login', null, { email, password: PASSWORD });
  assert.equal(login.status, 200, JSON.stringify(login.body));
  return login.body.access_token;
}

async function register(page, email, name) {
  await page.goto('/#/register');
  await page.getByRole('heading', { name: 'Create an account' }).waitFor();
  await page.getByLabel('Name (optional)').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Your projects' }).waitFor();
}

async function createProject(page, name, description) {
  await page.getByLabel('Name', { exact: true }).fill(name);
  if (description) await page.getByLabel('Description (optional)').fill(description);
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.getByRole('heading', { level: 1, name }).waitFor();
  return page.url().split('#/projects/')[1];
}

async function answer(page, text) {
  const before = await page.locator('#question-text').textContent();
  await page.getByRole('textbox', { name: 'Your answer' }).fill(text);
  const answered = page.waitForResponse((r) => r.url().endsWith('/answer') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Send answer' }).click();
  const response = await answered;
  assert.equal(response.status(), 200, await response.text());
  await page.getByRole('heading', { name: /What was understood from your answer/ }).waitFor();
  // The next question is on the page once its text differs from the one answered.
  await page.waitForFunction((old) => {
    const q = document.querySelector('#question-text');
    return q && q.textContent !== old;
  }, before);
  return response.json();
}

function understoodRows(page) {
  return page.locator('table.understood tbody tr').evaluateAll((rows) =>
    rows.map((r) => Array.from(r.querySelectorAll('td'), (td) => td.textContent)));
}

async function download(page, label) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: label }).click()]);
  return { name: file.suggestedFilename(), text: readFileSync(await file.path(), 'utf8') };
}

// ---- scenarios

const scenarios = {
  // Registration to an exported document, with what each answer yielded shown right after it.
  async wholeInterview() {
    const page = await newPage();
    await page.goto('/');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await shot(page, 'sign-in');
    await page.getByRole('link', { name: 'Register' }).first().click();
    await page.getByRole('heading', { name: 'Create an account' }).waitFor();
    await shot(page, 'register');
    const email = `ann-${run}@example.com`;
    await register(page, email, 'Ann');
    await page.getByText('No projects here yet.').waitFor();
    await shot(page, 'projects-empty');

    const id = await createProject(page, 'Bakery orders', 'Small bakeries take orders online.');
    assert.match(id, /^[0-9a-f-]{36}$/);
    await page.getByRole('button', { name: 'Start the interview' }).click();
    const question = page.locator('#question');
    await question.waitFor();
    assert.equal(await page.locator('#question .tag').textContent(), 'goals');
    assert.match(await page.locator('#question .why').textContent(), /Why this is asked: .*goals/);
    await shot(page, 'interview-question');

    const first = await answer(page, 'We will use PostgreSQL as the database.');
    assert.equal(first.specifications.length, 1);
    assert.deepEqual(await understoodRows(page), [['tech stack', 'database', 'PostgreSQL', '90%']]);
    await page.waitForFunction(() => /New question about/.test(document.querySelector('#status').textContent));
    // The bars follow: tech stack is above zero now.
    assert.notEqual(await page.locator('[aria-label^="tech stack:"]').getAttribute('aria-valuenow'), '0');
    await answer(page, 'Bakers must confirm each order before the evening. Customers will pay online with Stripe.');
    assert.ok((await understoodRows(page)).length >= 1);
    await shot(page, 'interview-answered');

    // Direct chat, then back to questions.
    await page.getByLabel('Direct chat').check();
    await page.getByLabel('Your message').waitFor();
    await page.getByLabel('Your message').fill('Orders must be retained for ten years.');
    await page.getByRole('button', { name: 'Send message' }).click();
    await page.locator('#chat-log .reply').waitFor();
    await page.getByRole('heading', { name: 'What was understood from your message' }).waitFor();
    await shot(page, 'direct-chat');
    await page.getByLabel('Questions').check();
    await page.locator('#question-text').waitFor();

    const markdown = await download(page, 'Markdown document');
    assert.equal(markdown.name, 'bakery-orders-specification.md');
    assert.match(markdown.text, /^# Bakery orders/m);
    assert.match(markdown.text, /PostgreSQL/);
    const json = await download(page, 'JSON document');
    const document = JSON.parse(json.text);
    assert.equal(document.project.id, id);
    assert.ok(document.requirements.some((r) => r.value === 'PostgreSQL'));
    assert.match((await download(page, 'spec-kit spec.md')).text, /PostgreSQL/);
    assert.match((await download(page, 'Kiro requirements.md')).text, /PostgreSQL/);
    // The task lists come with the implementation phase: until then the API's refusal is shown.
    await page.getByRole('button', { name: 'Task list (Markdown)' }).click();
    await page.locator('#error').getByText('(NOT_FOUND)').waitFor();
    await shot(page, 'export-refused');
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await page.context().close();
  },

  // The question on the page is no longer in the session (a crash of the database right after a
  // turn can take it: docs/architecture.md "Flows"), seen here as the server's 404 for the answer
  // of a question it does not know: the page asks again and keeps what was typed.
  async aQuestionNoLongerWaitingIsAskedAgain() {
    const page = await newPage();
    await register(page, `cleo-${run}@example.com`, 'Cleo');
    await createProject(page, 'Lost question');
    await page.getByRole('button', { name: 'Start the interview' }).click();
    await page.locator('#question').waitFor();
    const typed = 'Bike shops take repair bookings online.';
    await page.route('**/answer', (route) => {
      const body = JSON.parse(route.request().postData());
      route.continue({ postData: JSON.stringify({ ...body, question_id: '00000000-0000-4000-8000-000000000000' }) });
    }, { times: 1 });
    await page.getByRole('textbox', { name: 'Your answer' }).fill(typed);
    const refused = page.waitForResponse((r) => r.url().endsWith('/answer'));
    const askedAgain = page.waitForResponse((r) => r.url().endsWith('/next-question'));
    await page.getByRole('button', { name: 'Send answer' }).click();
    assert.equal((await refused).status(), 404);
    assert.ok([200, 201].includes((await askedAgain).status()));
    await page.waitForFunction(() => /no longer waiting/.test(document.querySelector('#status').textContent));
    assert.equal(await page.getByRole('textbox', { name: 'Your answer' }).inputValue(), typed);
    assert.equal(await page.locator('#error').isVisible(), false, 'the page showed an error instead of asking again');
    const answered = await answer(page, typed);
    assert.ok(answered.next_question);
    await page.context().close();
  },

  // Two answers that contradict: the conflict is shown with its four resolutions, one click resolves it.
  async conflictResolvedByAClick() {
    const page = await newPage();
    const email = `bob-${run}@example.com`;
    await register(page, email, 'Bob');
    const id = await createProject(page, 'Conflicted');
    await page.getByRole('button', { name: 'Start the interview' }).click();
    await page.locator('#question').waitFor();
    await answer(page, 'We will use PostgreSQL as the database.');
    const second = await answer(page, 'The data will live in MySQL.');
    assert.equal(second.conflicts.length, 1);
    await page.getByRole('heading', { name: 'Conflicts (1 open)' }).waitFor();
    const group = page.getByRole('group', { name: 'Resolve the conflict about database' });
    for (const label of ['Keep “PostgreSQL”', 'Use “MySQL”', 'Merge…', 'Ignore'])
      await group.getByRole('button', { name: label }).waitFor();
    await shot(page, 'conflict-open');
    const resolved = page.waitForResponse((r) => r.url().includes('/resolve'));
    await group.getByRole('button', { name: 'Use “MySQL”' }).click();
    assert.equal((await resolved).status(), 200);
    await page.getByRole('heading', { name: 'Conflicts (0 open)' }).waitFor();
    const token = await tokenOf(email);
    const all = await rest('GET', `/projects/${id}/conflicts?status=all`, token);
    assert.equal(all.body.items[0].resolution, 'use_proposed');
    const specs = await rest('GET', `/projects/${id}/specifications?category=tech_stack`, token);
    assert.equal(specs.body.items.find((s) => s.key === 'database').value, 'MySQL');
    await shot(page, 'conflict-resolved');
    await page.context().close();
  },

  // Advance refused with its blockers shown, then (the specification complete) allowed.
  async phaseAdvanceRefusedThenAllowed() {
    const page = await newPage();
    const email = `cy-${run}@example.com`;
    await register(page, email, 'Cy');
    const id = await createProject(page, 'Gated');
    await page.getByRole('button', { name: 'Advance to analysis' }).click();
    const refused = page.locator('.refused');
    await refused.waitFor();
    assert.match(await refused.textContent(), /PHASE_GATE/);
    assert.match(await refused.locator('[data-code="maturity_below_required"]').textContent(), /needs at least 60/);
    await shot(page, 'advance-refused');

    // Enough specifications in every category, added through the API around the browser.
    const token = await tokenOf(email);
    for (const category of CATEGORIES)
      for (let i = 1; i <= 7; ++i) {
        const made = await rest('POST', `/projects/${id}/specifications`, token,
          { category, key: `point_${i}`, value: `We must settle point ${i} of ${category} before release.` });
        assert.equal(made.status, 201, JSON.stringify(made.body));
      }
    await page.reload();
    await page.getByText('Ready.', { exact: true }).waitFor();
    const advanced = page.waitForResponse((r) => r.url().endsWith('/advance'));
    await page.getByRole('button', { name: 'Advance to analysis' }).click();
    assert.equal((await advanced).status(), 200);
    await page.locator('#advance-result').getByText('The project is now in the analysis phase.').waitFor();
    assert.match(await page.locator('#project-summary').textContent(), /Phase: analysis/);
    await page.getByRole('button', { name: 'Advance to design' }).waitFor();
    await shot(page, 'advance-allowed');
    await page.context().close();
  },

  // Projects: rename and archive, then restore.
  async projectsRenameArchiveRestore() {
    const page = await newPage();
    await register(page, `dee-${run}@example.com`, 'Dee');
    await createProject(page, 'First name');
    await page.getByRole('link', { name: 'Projects' }).click();
    await page.getByRole('heading', { name: 'Your projects' }).waitFor();
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByLabel('New name for First name').fill('Second name');
    await page.getByRole('button', { name: 'Save name' }).click();
    await page.getByRole('link', { name: 'Second name' }).waitFor();
    await page.getByRole('button', { name: 'Archive' }).click();
    await page.getByRole('button', { name: 'Restore' }).waitFor();
    await page.getByLabel('Show').selectOption('archived');
    await page.getByText('Archived', { exact: false }).first().waitFor();
    await page.getByRole('link', { name: 'Second name' }).waitFor();
    await shot(page, 'projects-archived');
    await page.getByRole('button', { name: 'Restore' }).click();
    await page.getByRole('button', { name: 'Archive' }).waitFor();
    await page.context().close();
  },

  // Signing in, opening a project and answering its question with the keyboard alone.
  async keyboardOnly() {
    const setup = await newPage();
    const email = `eve-${run}@example.com`;
    await register(setup, email, 'Eve');
    await createProject(setup, 'Keyboard');
    await setup.context().close();

    const page = await newPage();
    await page.goto('/');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const focused = () => page.evaluate(() => {
      const e = document.activeElement;
      return `${e.tagName.toLowerCase()}:${e.getAttribute('name') || e.textContent.trim()}`;
    });
    const tabTo = async (want, limit = 40) => {
      for (let i = 0; i < limit; ++i) {
        await page.keyboard.press('Tab');
        if ((await focused()) === want) return;
      }
      assert.fail(`Tab never reached ${want}`);
    };
    await tabTo('input:email');
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'input:password');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Your projects' }).waitFor();
    await tabTo('a:Keyboard');
    // The focused link is visibly marked.
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Keyboard' }).waitFor();
    await tabTo('button:Start the interview');
    await page.keyboard.press('Enter');
    await page.locator('#question').waitFor();
    // Starting moves the focus into the answer box.
    await page.waitForFunction(() => document.activeElement && document.activeElement.name === 'answer');
    await page.keyboard.type('We will use PostgreSQL as the database.');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'button:Send answer');
    await shot(page, 'keyboard-focus');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /What was understood from your answer/ }).waitFor();
    assert.deepEqual(await understoodRows(page), [['tech stack', 'database', 'PostgreSQL', '90%']]);
    // And the focus is back in the answer box for the next question.
    await page.waitForFunction(() => document.activeElement && document.activeElement.name === 'answer');
    await page.context().close();
  },

  // A phone's width: nothing wider than the screen, every page readable.
  async phoneWidth() {
    const page = await newPage({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    const email = `fay-${run}@example.com`;
    await register(page, email, 'Fay');
    const noSideways = async (where) => {
      const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
      assert.ok(scroll <= width, `${where}: the page is ${scroll}px wide on a ${width}px screen`);
    };
    await noSideways('projects');
    await shot(page, 'phone-projects');
    await createProject(page, 'Pocket interview with a rather long project name');
    await page.getByRole('button', { name: 'Start the interview' }).click();
    await page.locator('#question').waitFor();
    await answer(page, 'We will use PostgreSQL as the database.');
    await answer(page, 'The data will live in MySQL.');
    await page.getByRole('heading', { name: 'Conflicts (1 open)' }).waitFor();
    await noSideways('interview');
    await shot(page, 'phone-interview');
    await page.context().close();
  },

  // The access token is refreshed before it expires: the page's clock is moved, not waited for.
  async tokenRefreshedBeforeExpiry() {
    const page = await newPage();
    await page.clock.install();
    const email = `gus-${run}@example.com`;
    await register(page, email, 'Gus');
    const refreshed = page.waitForResponse((r) => r.url().endsWith('/auth/refresh'));
    await page.clock.runFor(29 * 60 * 1000);  // the token lives 30 minutes; refreshed a minute early
    assert.equal((await refreshed).status(), 200);
    // The new token works.
    await createProject(page, 'After refresh');
    await page.context().close();
  },

  // The API's reference at /docs: Redoc renders docs/openapi.json, everything from the host itself.
  async referenceDocs() {
    const page = await newPage();
    const elsewhere = [];  // requests that left for another origin
    const refused = [];    // ... and those the page's Content-Security-Policy stopped in the browser
    page.on('request', (request) => {
      if (!request.url().startsWith(base) && !/^(data|blob):/.test(request.url())) elsewhere.push(request.url());
    });
    page.on('requestfailed', (request) => {
      if (request.failure()?.errorText === 'csp') refused.push(request.url());
    });
    await page.goto('/docs');
    await page.getByRole('heading', { level: 1, name: /Socrates REST API/ }).waitFor();
    // An operation of each door's group is rendered, with its summary from the document.
    const summaries = ['Log in', 'One MCP message (Streamable HTTP)', 'Prometheus metrics'];
    await page.waitForFunction((wanted) => {
      const shown = new Set([...document.querySelectorAll('h2')].map((h) => h.textContent.trim()));
      return wanted.every((summary) => shown.has(summary));
    }, summaries);
    // Redoc's footer asks for Redocly's logo from their CDN; the page's policy refuses it (that
    // refusal is the one console error expected here), and nothing else goes anywhere.
    assert.deepEqual(elsewhere.filter((url) => !refused.includes(url)), [], 'the reference page loads nothing from elsewhere');
    const refusal = /image 'https:\/\/cdn\.redoc\.ly\/[^']*' violates the following Content Security Policy/;
    for (let i = problems.length - 1; i >= 0; --i) if (refusal.test(problems[i])) problems.splice(i, 1);
    await shot(page, 'reference-docs', { fullPage: false });
    await page.context().close();
  },
};

const only = process.env.WEB_SCENARIO;
let failed = 0;
for (const [name, scenario] of Object.entries(scenarios)) {
  if (only && only !== name) continue;
  const started = Date.now();
  try {
    await scenario();
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    failed++;
    console.log(`FAIL ${name}: ${error.stack || error}`);
  }
}
if (problems.length) {
  failed++;
  console.log('FAIL the pages reported errors:\n  ' + problems.join('\n  '));
}
await browser.close();
process.exit(failed ? 1 : 0);
