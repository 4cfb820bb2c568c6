// The REST API of docs/api.md, as the web client uses it: one login (access and refresh token),
// refreshed before the access token expires, and every error as an ApiError with the API's code.

const BASE = '/api/v1';
const STORE = 'socrates.login';
// Refresh this long before the access token expires (or at half its life, if that is sooner).
const REFRESH_MARGIN_S = 60;

export class ApiError extends Error {
  constructor(status, code, message, details = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || {};
  }
}

// What a failed fetch (no answer at all) or an answer that is not the API's error shape becomes.
function errorFrom(status, body) {
  const e = body && body.error;
  if (e && typeof e.code === 'string') return new ApiError(status, e.code, e.message || e.code, e.details);
  return new ApiError(status, 'HTTP_' + status, 'the server answered with HTTP status ' + status);
}

export class Api {
  constructor() {
    this.login = null;  // {access_token, refresh_token, expires_at (ms), user}
    this.timer = null;
    this.refreshing = null;
    this.onSignedOut = () => {};
    try {
      const saved = JSON.parse(sessionStorage.getItem(STORE) || 'null');
      if (saved && saved.access_token && saved.refresh_token) this.keep(saved);
    } catch (_) {
      sessionStorage.removeItem(STORE);
    }
  }

  get signedIn() { return this.login !== null; }
  get user() { return this.login ? this.login.user : null; }

  keep(login) {
    this.login = login;
    sessionStorage.setItem(STORE, JSON.stringify(login));
    clearTimeout(this.timer);
    const lifeMs = login.expires_at - Date.now();
    const marginMs = Math.min(REFRESH_MARGIN_S * 1000, lifeMs / 2);
    this.timer = setTimeout(() => this.refresh().catch(() => {}), Math.max(0, lifeMs - marginMs));
  }

  fromTokens(answer, user) {
    return {
      access_token: answer.access_token,
      refresh_token: answer.refresh_token,
      expires_at: Date.now() + (answer.expires_in || 1800) * 1000,
      user: answer.user || user,
    };
  }

  forget() {
    clearTimeout(this.timer);
    this.login = null;
    sessionStorage.removeItem(STORE);
  }

  // A new token pair from the refresh token; the old refresh token is spent. One at a time.
  refresh() {
    if (!this.login) return Promise.reject(new ApiError(401, 'UNAUTHENTICATED', 'you are not signed in'));
    if (!this.refreshing) {
      const { refresh_token, user } = this.login;
      this.refreshing = this.raw('POST', '/auth/refresh', { refresh_token })
        .then((answer) => this.keep(this.fromTokens(answer, user)))
        .catch((error) => {
          if (error.status === 401) {
            this.forget();
            this.onSignedOut(error);
          }
          throw error;
        })
        .finally(() => { this.refreshing = null; });
    }
    return this.refreshing;
  }

  async raw(method, path, body, token, asBlob) {
    const headers = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers['Authorization'] = 'Bearer ' + token;
    let response;
    try {
      response = await fetch(BASE + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (_) {
      throw new ApiError(0, 'NETWORK_ERROR', 'the server could not be reached');
    }
    if (response.status === 204) return null;
    const type = response.headers.get('Content-Type') || '';
    if (!response.ok) {
      const payload = type.includes('json') ? await response.json().catch(() => null) : null;
      throw errorFrom(response.status, payload);
    }
    if (asBlob) return { blob: await response.blob(), type };
    return type.includes('json') ? response.json() : response.text();
  }

  // An authenticated call; refreshes first when the token is about to expire, and once more when
  // the server says the token is no longer good.
  async call(method, path, body, asBlob) {
    if (!this.login) throw new ApiError(401, 'UNAUTHENTICATED', 'you are not signed in');
    if (this.login.expires_at - Date.now() < 5000) await this.refresh();
    try {
      return await this.raw(method, path, body, this.login.access_token, asBlob);
    } catch (error) {
      if (error.status !== 401 || error.code !== 'UNAUTHENTICATED' || !this.login) throw error;
      await this.refresh();
      return this.raw(method, path, body, this.login.access_token, asBlob);
    }
  }

  get(path) { return this.call('GET', path); }
  post(path, body = {}) { return this.call('POST', path, body); }
  put(path, body) { return this.call('PUT', path, body); }
  patch(path, body) { return this.call('PATCH', path, body); }
  del(path) { return this.call('DELETE', path); }

  // ---- accounts

  register(email, password, name) {
    return this.raw('POST', '/auth/register', { email, password, name: name || undefined });
  }

  async signIn(email, password) {
    const answer = await this.raw('POST', '/auth/login', { email, password });
    this.keep(this.fromTokens(answer));
    return answer.user;
  }

  async signOut() {
    try {
      if (this.login) await this.raw('POST', '/auth/logout', undefined, this.login.access_token);
    } finally {
      this.forget();
    }
  }

  // ---- the export, as a file to save
  async download(projectId, format) {
    const { blob, type } = await this.call('GET', `/projects/${projectId}/export?format=${encodeURIComponent(format)}`,
      undefined, true);
    return { blob, type };
  }
}
