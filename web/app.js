// The Socrates web client: sign in, projects, and a project's interview page. Pages are chosen by
// the address's fragment (#/projects, #/projects/<id>); everything comes from the REST API.
import { Api, ApiError } from '/web/api.js';
import { h, replace, words, percent } from '/web/dom.js';

const api = new Api();
const main = document.getElementById('main');
const errorBox = document.getElementById('error');
const status = document.getElementById('status');

// Every format GET /api/v1/projects/{id}/export offers (docs/api.md), with the file it is saved as.
const EXPORTS = [
  { format: 'markdown', label: 'Markdown document', file: 'specification.md' },
  { format: 'json', label: 'JSON document', file: 'specification.json' },
  { format: 'spec-kit', label: 'spec-kit spec.md', file: 'spec.md' },
  { format: 'kiro', label: 'Kiro requirements.md', file: 'requirements.md' },
  { format: 'tasks', label: 'Task list (Markdown)', file: 'tasks.md' },
  { format: 'tasks-json', label: 'Task list (JSON issues)', file: 'tasks.json' },
];

// Plain words for the codes a person meets most; every other error shows the server's message.
const PLAIN = {
  INVALID_CREDENTIALS: 'The email or the password is not right.',
  EMAIL_TAKEN: 'There is already an account with this email. Sign in instead.',
  UNAUTHENTICATED: 'You are signed out. Please sign in again.',
  TOKEN_REUSED: 'This sign-in was used elsewhere and has been closed. Please sign in again.',
  TOO_MANY_ATTEMPTS: 'Too many failed attempts. Wait a few minutes and try again.',
  RATE_LIMITED: 'Too many requests right now. Wait a moment and try again.',
  FORBIDDEN: 'Your role in this project does not allow this.',
  PROJECT_ARCHIVED: 'This project is archived: restore it to change it.',
  PHASE_GATE: 'The project cannot enter the next phase yet.',
  SESSION_NOT_ACTIVE: 'This interview is not active.',
  CONFLICT_ALREADY_RESOLVED: 'This conflict was already resolved.',
  NETWORK_ERROR: 'The server could not be reached. Check your connection and try again.',
  SERVER_BUSY: 'The server is busy. Try again in a moment.',
};

function describe(error) {
  if (!(error instanceof ApiError)) return { text: String(error && error.message || error), code: 'CLIENT_ERROR' };
  let text = PLAIN[error.code] || (error.message.charAt(0).toUpperCase() + error.message.slice(1) + '.');
  const field = error.details && error.details.field;
  if (error.code === 'VALIDATION_ERROR' && field) text = `Please check “${words(field)}”: ${error.message}.`;
  return { text, code: error.code };
}

function showError(error) {
  const { text, code } = describe(error);
  replace(errorBox, h('p', {}, h('strong', {}, 'Something went wrong: '), text, ' ', h('span', { class: 'code' }, `(${code})`)),
    h('button', { type: 'button', class: 'link', onclick: clearError }, 'Dismiss'));
  errorBox.hidden = false;
  if (error instanceof ApiError && error.code === 'UNAUTHENTICATED' && !api.signedIn) location.hash = '#/signin';
}

function clearError() {
  errorBox.hidden = true;
  errorBox.replaceChildren();
}

function announce(text) {
  status.textContent = '';
  // A change the screen reader notices even when the same words come twice.
  requestAnimationFrame(() => { status.textContent = text; });
}

// Runs `work` with `button` (if any) disabled meanwhile; errors are shown, not thrown.
async function act(button, work) {
  clearError();
  if (button) button.disabled = true;
  try {
    return await work();
  } catch (error) {
    showError(error);
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

function page(title, ...children) {
  document.title = `${title} · Socrates`;
  const heading = h('h1', { tabindex: '-1' }, title);
  replace(main, heading, ...children);
  return heading;
}

function field(label, input, hint) {
  const id = input.id || ('f-' + Math.random().toString(36).slice(2));
  input.id = id;
  const hintId = hint ? id + '-hint' : undefined;
  if (hint) input.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'field' }, h('label', { for: id }, label), input,
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null);
}

function renderAccount() {
  const nav = document.getElementById('account');
  if (!api.signedIn) {
    replace(nav, h('a', { href: '#/signin' }, 'Sign in'), h('a', { href: '#/register' }, 'Register'));
    return;
  }
  const user = api.user || {};
  replace(nav, h('a', { href: '#/projects' }, 'Projects'),
    h('span', { class: 'who' }, user.name || user.email || ''),
    h('button', {
      type: 'button', class: 'link', onclick: (e) => act(e.currentTarget, async () => {
        await api.signOut();
        location.hash = '#/signin';
      }),
    }, 'Sign out'));
}

// ---- sign in and register

function signInPage() {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const form = h('form', {
    class: 'card narrow',
    onsubmit: (e) => {
      e.preventDefault();
      act(submit, async () => {
        await api.signIn(email.value.trim(), password.value);
        location.hash = '#/projects';
      });
    },
  }, field('Email', email), field('Password', password), submit,
  h('p', {}, 'No account yet? ', h('a', { href: '#/register' }, 'Register')));
  return page('Sign in', form);
}

function registerPage() {
  const name = h('input', { type: 'text', name: 'name', autocomplete: 'name', maxlength: '255' });
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', {
    type: 'password', name: 'password', autocomplete: 'new-password', required: true, minlength: '8', maxlength: '128',
  });
  const submit = h('button', { type: 'submit' }, 'Create account');
  const form = h('form', {
    class: 'card narrow',
    onsubmit: (e) => {
      e.preventDefault();
      act(submit, async () => {
        await api.register(email.value.trim(), password.value, name.value.trim());
        await api.signIn(email.value.trim(), password.value);
        announce('Your account is ready.');
        location.hash = '#/projects';
      });
    },
  }, field('Name (optional)', name), field('Email', email), field('Password', password, 'At least 8 characters.'),
  submit, h('p', {}, 'Have an account? ', h('a', { href: '#/signin' }, 'Sign in')));
  return page('Create an account', form);
}

// ---- projects

async function projectsPage() {
  const filter = new URLSearchParams(location.hash.split('?')[1] || '').get('status') || 'active';
  const list = h('ul', { class: 'projects', 'aria-label': 'Projects' });
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: '255' });
  const description = h('textarea', { name: 'description', rows: '2' });
  const create = h('button', { type: 'submit' }, 'Create project');
  const choose = h('select', { name: 'status', onchange: () => { location.hash = `#/projects?status=${choose.value}`; } },
    ['active', 'archived', 'all'].map((s) => h('option', { value: s, selected: s === filter }, s)));

  const heading = page('Your projects',
    h('section', { class: 'card', 'aria-labelledby': 'new-project' },
      h('h2', { id: 'new-project' }, 'New project'),
      h('form', {
        onsubmit: (e) => {
          e.preventDefault();
          act(create, async () => {
            const project = await api.post('/projects', { name: name.value.trim(), description: description.value.trim() || undefined });
            announce(`Project ${project.name} created.`);
            location.hash = `#/projects/${project.id}`;
          });
        },
      }, field('Name', name), field('Description (optional)', description, 'The idea in a sentence or two.'), create)),
    h('section', { 'aria-labelledby': 'list-heading' },
      h('div', { class: 'row' }, h('h2', { id: 'list-heading' }, 'Projects'), field('Show', choose)),
      list));

  const answer = await api.get(`/projects?status=${filter}&limit=200`);
  if (!answer.items.length) list.append(h('li', { class: 'empty' }, 'No projects here yet.'));
  for (const project of answer.items) list.append(projectItem(project));
  return heading;
}

function projectItem(project) {
  const item = h('li', { class: 'project card' });
  const draw = () => {
    const archived = project.status === 'archived';
    replace(item,
      h('h3', {}, h('a', { href: `#/projects/${project.id}` }, project.name)),
      project.description ? h('p', {}, project.description) : null,
      h('p', { class: 'meta' }, `Phase: ${project.current_phase} · Maturity: ${project.maturity_score}% · Your role: ${project.role}`,
        archived ? ' · Archived' : ''),
      h('div', { class: 'actions' },
        archived ? null : h('button', { type: 'button', onclick: rename }, 'Rename'),
        archived
          ? h('button', { type: 'button', onclick: (e) => toggleArchive(e.currentTarget, 'restore') }, 'Restore')
          : h('button', { type: 'button', onclick: (e) => toggleArchive(e.currentTarget, 'archive') }, 'Archive')));
  };
  const toggleArchive = (button, what) => act(button, async () => {
    project = what === 'archive'
      ? (await api.del(`/projects/${project.id}`), { ...project, status: 'archived' })
      : await api.post(`/projects/${project.id}/restore`);
    announce(`Project ${project.name} ${what === 'archive' ? 'archived' : 'restored'}.`);
    draw();
    item.querySelector('button').focus();
  });
  const rename = () => {
    const input = h('input', { type: 'text', value: project.name, required: true, maxlength: '255' });
    const save = h('button', { type: 'submit' }, 'Save name');
    replace(item, h('form', {
      class: 'inline',
      onsubmit: (e) => {
        e.preventDefault();
        act(save, async () => {
          project = await api.patch(`/projects/${project.id}`, { name: input.value.trim() });
          announce(`Project renamed to ${project.name}.`);
          draw();
          item.querySelector('a').focus();
        });
      },
    }, field(`New name for ${project.name}`, input), save,
    h('button', { type: 'button', onclick: () => { draw(); item.querySelector('a').focus(); } }, 'Cancel')));
    input.focus();
    input.select();
  };
  draw();
  return item;
}

// ---- a project: the interview

async function projectPage(projectId) {
  const [project, sessions] = await Promise.all([
    api.get(`/projects/${projectId}`),
    api.get(`/projects/${projectId}/sessions?limit=200`),
  ]);
  const view = new ProjectView(project, sessions.items);
  return view.render();
}

class ProjectView {
  constructor(project, sessions) {
    this.project = project;
    this.sessions = sessions.slice().sort((a, b) => String(b.started_at).localeCompare(String(a.started_at)));
    this.session = this.sessions.find((s) => s.status === 'active') || this.sessions.find((s) => s.status === 'paused') || null;
    this.question = null;
    this.draft = '';  // an answer typed for a question that was no longer waiting (sendAnswer)
    this.summary = h('p', { class: 'meta', id: 'project-summary' });
    this.interview = h('section', { class: 'card interview', 'aria-labelledby': 'interview-heading' });
    this.understood = h('section', { class: 'card', 'aria-labelledby': 'understood-heading', hidden: true });
    this.maturity = h('section', { class: 'card', 'aria-labelledby': 'maturity-heading' });
    this.conflicts = h('section', { class: 'card', 'aria-labelledby': 'conflicts-heading' });
    this.exports = h('section', { class: 'card', 'aria-labelledby': 'export-heading' });
  }

  async render() {
    const heading = page(this.project.name, this.summary,
      h('div', { class: 'columns' },
        h('div', { class: 'column' }, this.interview, this.understood),
        h('div', { class: 'column' }, this.maturity, this.conflicts, this.exports)));
    this.drawSummary();
    this.drawExports();
    await Promise.all([this.drawInterview(), this.refreshMaturity(), this.refreshConflicts()]);
    return heading;
  }

  drawSummary() {
    const p = this.project;
    replace(this.summary, `Phase: ${p.current_phase} · Maturity: ${p.maturity_score}% · Your role: ${p.role}`,
      p.status === 'archived' ? ' · Archived (read-only)' : '');
  }

  // -- the interview: a question at a time, or direct chat
  async drawInterview() {
    const s = this.session;
    const heading = h('h2', { id: 'interview-heading' }, 'Interview');
    if (!s || s.status === 'completed') {
      const start = h('button', { type: 'button', onclick: (e) => act(e.currentTarget, () => this.startSession()) }, 'Start the interview');
      replace(this.interview, heading,
        h('p', {}, 'Socrates asks one question at a time and turns your answers into a specification.'), start);
      return;
    }
    if (s.status === 'paused') {
      replace(this.interview, heading, h('p', {}, 'This interview is paused.'),
        h('button', {
          type: 'button',
          onclick: (e) => act(e.currentTarget, async () => {
            this.session = await api.post(`/sessions/${s.id}/resume`);
            await this.drawInterview();
          }),
        }, 'Resume the interview'));
      return;
    }
    const modes = h('fieldset', { class: 'modes' }, h('legend', {}, 'Mode'),
      ['socratic', 'direct_chat'].map((mode) => h('label', {},
        h('input', {
          type: 'radio', name: 'mode', value: mode, checked: s.mode === mode,
          onchange: (e) => act(null, () => this.switchMode(e.currentTarget.value)),
        }), mode === 'socratic' ? ' Questions' : ' Direct chat')));
    replace(this.interview, heading, modes);
    if (s.mode === 'direct_chat') this.drawChat();
    else await this.drawQuestion();
  }

  async startSession() {
    this.session = await api.post(`/projects/${this.project.id}/sessions`, { mode: 'socratic' });
    this.sessions.unshift(this.session);
    await this.drawInterview();
    const box = this.interview.querySelector('textarea');
    if (box) box.focus();
  }

  async switchMode(mode) {
    this.session = await api.put(`/sessions/${this.session.id}/mode`, { mode });
    announce(mode === 'direct_chat' ? 'Direct chat: write freely.' : 'Questions: Socrates asks, you answer.');
    await this.drawInterview();
  }

  async drawQuestion() {
    if (!this.question) this.question = await api.post(`/sessions/${this.session.id}/next-question`);
    const q = this.question;
    const answer = h('textarea', { name: 'answer', rows: '4', required: true, maxlength: '10000' });
    if (this.draft) {
      answer.value = this.draft;
      this.draft = '';
    }
    const send = h('button', { type: 'submit' }, 'Send answer');
    const block = h('div', { class: 'turn' });
    if (!q) {
      replace(block, h('p', {}, 'No more questions for now.'));
    } else {
      replace(block,
        h('div', { class: 'question', id: 'question' },
          h('p', { class: 'category' }, h('span', { class: 'tag' }, words(q.category))),
          h('p', { class: 'text', id: 'question-text' }, q.text),
          h('p', { class: 'why' }, h('strong', {}, 'Why this is asked: '), q.context || '—')),
        h('form', {
          onsubmit: (e) => {
            e.preventDefault();
            act(send, () => this.sendAnswer(answer.value));
          },
        }, field('Your answer', answer, 'Say what you know; “I don’t know” is a fine answer and is noted as open.'), send));
    }
    this.interview.append(block);
  }

  async sendAnswer(text) {
    let result;
    try {
      result = await api.post(`/sessions/${this.session.id}/answer`, { answer: text, question_id: this.question.id });
    } catch (error) {
      // The question shown is no longer in the session (a crash of the database right after a turn
      // can take the question it asked: docs/architecture.md "Flows"): ask for the one waiting
      // now, and keep what was typed for it.
      if (!(error instanceof ApiError) || error.code !== 'QUESTION_NOT_FOUND') throw error;
      this.question = null;
      this.draft = text;
      await this.drawInterview();
      announce('That question is no longer waiting, so Socrates asks again. Your answer is still in the box.');
      return;
    }
    this.question = result.next_question;
    this.showUnderstood(result, 'your answer');
    await this.drawInterview();
    await this.afterChange(result);
    if (this.question) announce(`New question about ${words(this.question.category)}: ${this.question.text}`);
    const box = this.interview.querySelector('textarea');
    if (box) box.focus();
  }

  drawChat() {
    const message = h('textarea', { name: 'message', rows: '4', required: true, maxlength: '10000' });
    const send = h('button', { type: 'submit' }, 'Send message');
    const log = h('div', { class: 'chat', id: 'chat-log' });
    this.interview.append(log, h('form', {
      onsubmit: (e) => {
        e.preventDefault();
        act(send, async () => {
          const said = message.value;
          const result = await api.post(`/sessions/${this.session.id}/message`, { message: said });
          log.append(h('p', { class: 'you' }, h('strong', {}, 'You: '), said),
            h('p', { class: 'reply' }, h('strong', {}, 'Socrates: '), result.reply));
          message.value = '';
          this.showUnderstood(result, 'your message');
          await this.afterChange(result);
          announce(`Socrates replied: ${result.reply}`);
          message.focus();
        });
      },
    }, field('Your message', message), send));
  }

  // What the last answer or message yielded: its specifications, conflicts and open items.
  showUnderstood(result, source) {
    const specs = result.specifications || [];
    const rows = specs.map((s) => h('tr', {},
      h('td', {}, words(s.category)), h('td', {}, words(s.key)), h('td', {}, s.value), h('td', {}, percent(s.confidence))));
    const notes = [];
    if ((result.conflicts || []).length) notes.push(h('p', { class: 'warn' }, `${result.conflicts.length} conflict(s) with what was said before: see Conflicts.`));
    for (const item of result.open_items || []) {
      notes.push(h('p', {}, item.status === 'open'
        ? `Noted as open (${words(item.category)}): “${item.question}”`
        : `An open point of ${words(item.category)} is now ${item.status}.`));
    }
    replace(this.understood,
      h('h2', { id: 'understood-heading' }, `What was understood from ${source}`),
      specs.length
        ? h('table', { class: 'understood' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Category'), h('th', { scope: 'col' }, 'Key'),
            h('th', { scope: 'col' }, 'Value'), h('th', { scope: 'col' }, 'Confidence'))),
          h('tbody', {}, rows))
        : h('p', {}, 'Nothing specific this time — try naming a choice, a number or a rule.'),
      notes);
    this.understood.hidden = false;
  }

  async afterChange(result) {
    if (result.maturity) this.project = { ...this.project, maturity_score: result.maturity.score };
    this.drawSummary();
    await Promise.all([this.refreshMaturity(), this.refreshConflicts()]);
  }

  // -- maturity per category, and the gate of the next phase
  async refreshMaturity() {
    const [m, project] = await Promise.all([
      api.get(`/projects/${this.project.id}/maturity`),
      api.get(`/projects/${this.project.id}`),
    ]);
    this.project = project;
    this.drawSummary();
    const next = m.next_phase;
    const rows = m.categories.map((c) => h('li', { class: 'bar-row' },
      h('span', { class: 'bar-label', id: `bar-${c.category}` }, words(c.category)),
      bar(c.score, `${words(c.category)}: ${c.score}% covered`),
      h('span', { class: 'bar-value' }, `${c.score}%`)));
    const gate = next
      ? h('div', { class: 'gate' },
        h('p', {}, `Next phase: `, h('strong', {}, next.name), ` — needs ${next.required_score}% (now ${m.score}%). `,
          next.ready ? h('span', { class: 'ok' }, 'Ready.') : h('span', { class: 'warn' }, 'Not ready yet.')),
        next.blockers && next.blockers.length ? blockerList(next.blockers, 'What still stands in the way') : null,
        h('button', { type: 'button', id: 'advance', onclick: (e) => act(e.currentTarget, () => this.advance()) },
          `Advance to ${next.name}`),
        h('div', { id: 'advance-result' }))
      : h('p', {}, 'This is the last phase.');
    replace(this.maturity,
      h('h2', { id: 'maturity-heading' }, 'Maturity'),
      h('div', { class: 'overall' }, h('span', {}, `Overall ${m.score}%`),
        bar(m.score, `overall maturity ${m.score}%`, next ? next.required_score : null)),
      h('ul', { class: 'bars', 'aria-label': 'Maturity per category' }, rows),
      gate);
  }

  async advance() {
    const out = this.maturity.querySelector('#advance-result');
    try {
      this.project = await api.post(`/projects/${this.project.id}/advance`);
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 'PHASE_GATE') throw error;
      replace(out, h('div', { class: 'refused', role: 'alert' },
        h('p', {}, h('strong', {}, `Not yet: ${error.message}.`), ` (${error.code})`),
        blockerList(error.details.blockers || [], 'Blockers')));
      return;
    }
    await this.refreshMaturity();
    this.drawExports();
    const done = this.maturity.querySelector('#advance-result');
    replace(done, h('p', { class: 'ok', role: 'status' }, `The project is now in the ${this.project.current_phase} phase.`));
    announce(`The project is now in the ${this.project.current_phase} phase.`);
  }

  // -- conflicts, each with its four resolutions
  async refreshConflicts() {
    const answer = await api.get(`/projects/${this.project.id}/conflicts?status=open&limit=200`);
    const list = h('ul', { class: 'conflicts' });
    for (const c of answer.items) list.append(this.conflictItem(c));
    replace(this.conflicts, h('h2', { id: 'conflicts-heading' }, `Conflicts (${answer.total} open)`),
      answer.items.length ? list : h('p', {}, 'No open conflicts.'));
  }

  conflictItem(c) {
    const item = h('li', { class: 'conflict' });
    const resolve = (button, resolution, value) => act(button, async () => {
      const body = { resolution };
      if (value !== undefined) body.value = value;
      await api.post(`/conflicts/${c.id}/resolve`, body);
      announce(`Conflict about ${words(c.existing.key)} resolved.`);
      await Promise.all([this.refreshConflicts(), this.refreshMaturity()]);
      const heading = this.conflicts.querySelector('h2');
      heading.setAttribute('tabindex', '-1');
      heading.focus();
    });
    const merged = h('input', { type: 'text', name: 'merged', required: true });
    const mergeForm = h('form', {
      class: 'inline', hidden: true,
      onsubmit: (e) => {
        e.preventDefault();
        resolve(e.submitter, 'merge', merged.value.trim());
      },
    }, field('Merged value', merged), h('button', { type: 'submit' }, 'Save merged value'));
    replace(item,
      h('p', {}, h('span', { class: `tag ${c.severity}` }, `${c.severity} ${c.type}`), ' ', c.description),
      h('dl', {},
        h('dt', {}, 'Recorded'), h('dd', {}, c.existing.value),
        h('dt', {}, 'Now said'), h('dd', {}, c.proposed.value)),
      h('div', { class: 'actions', role: 'group', 'aria-label': `Resolve the conflict about ${words(c.existing.key)}` },
        h('button', { type: 'button', onclick: (e) => resolve(e.currentTarget, 'keep_existing') }, `Keep “${c.existing.value}”`),
        h('button', { type: 'button', onclick: (e) => resolve(e.currentTarget, 'use_proposed') }, `Use “${c.proposed.value}”`),
        h('button', {
          type: 'button', 'aria-expanded': 'false',
          onclick: (e) => {
            mergeForm.hidden = !mergeForm.hidden;
            e.currentTarget.setAttribute('aria-expanded', String(!mergeForm.hidden));
            if (!mergeForm.hidden) merged.focus();
          },
        }, 'Merge…'),
        h('button', { type: 'button', onclick: (e) => resolve(e.currentTarget, 'ignore') }, 'Ignore')),
      mergeForm);
    return item;
  }

  // -- export: every format, as a download
  drawExports() {
    const slug = this.project.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'project';
    replace(this.exports, h('h2', { id: 'export-heading' }, 'Export'),
      h('p', { class: 'hint' }, 'The task lists exist once the project has entered implementation.'),
      h('ul', { class: 'exports' }, EXPORTS.map((x) => h('li', {}, h('button', {
        type: 'button', dataset: { format: x.format },
        onclick: (e) => act(e.currentTarget, async () => {
          const { blob } = await api.download(this.project.id, x.format);
          const url = URL.createObjectURL(blob);
          const link = h('a', { href: url, download: `${slug}-${x.file}`, hidden: true });
          document.body.append(link);
          link.click();
          link.remove();
          setTimeout(() => URL.revokeObjectURL(url), 0);
          announce(`${x.label} downloaded.`);
        }),
      }, x.label)))));
  }
}

function bar(value, label, mark) {
  const fill = h('span', { class: 'fill' });
  fill.style.width = Math.max(0, Math.min(100, Number(value) || 0)) + '%';
  const track = h('span', {
    class: 'bar', role: 'meter', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(value), 'aria-label': label,
  }, fill);
  if (mark !== null && mark !== undefined) {
    const gate = h('span', { class: 'mark', title: `needed: ${mark}%` });
    gate.style.left = mark + '%';
    track.append(gate);
  }
  return track;
}

function blockerList(blockers, title) {
  return h('div', { class: 'blockers' }, h('p', {}, h('strong', {}, title + ':')),
    h('ul', {}, blockers.map((b) => h('li', { dataset: { code: b.code } }, b.message || words(b.code)))));
}

// ---- pages by address

async function route() {
  clearError();
  renderAccount();
  const hash = location.hash || '#/';
  const path = hash.slice(1).split('?')[0];
  let heading;
  try {
    if (path === '/register') heading = registerPage();
    else if (!api.signedIn) heading = signInPage();
    else if (path === '/' || path === '/signin' || path === '/projects') heading = await projectsPage();
    else if (path.startsWith('/projects/')) heading = await projectPage(decodeURIComponent(path.split('/')[2]));
    else heading = page('Not found', h('p', {}, 'There is no such page. ', h('a', { href: '#/projects' }, 'Go to your projects')));
  } catch (error) {
    heading = page('Could not load this page');
    showError(error);
  }
  renderAccount();
  if (heading && document.activeElement !== document.body && main.contains(document.activeElement)) return;
  if (heading) heading.focus();
}

api.onSignedOut = (error) => {
  showError(error);
  location.hash = '#/signin';
};
window.addEventListener('hashchange', route);
route();
