/* The Socrates plugin ABI: everything that crosses between the host and an agent plugin.
 *
 * Plain C (C99 and C++), so that a plugin may be built with any compiler and any C++ standard
 * library, or written in C: no C++ type and no exception ever crosses. The C++ SDK
 * (<socrates/sdk.hpp>) is a layer compiled into the plugin on top of this header; a plugin in C
 * uses it directly (docs/plugins.md, "Writing a plugin in C").
 *
 * What crosses:
 *  - the descriptor: one exported variable, SOCRATES_DESCRIPTOR_SYMBOL, read and checked by the
 *    host before it calls any function of the plugin;
 *  - the plugin's entry points (socrates_plugin_api), which the descriptor points to;
 *  - the host's services (socrates_host_api), reached through the socrates_host handed to each
 *    call;
 *  - bytes: requests, parameters, results, rows and errors, as views (socrates_str: borrowed for
 *    the duration of one call) or as owned buffers (socrates_buffer, socrates_rows: released by
 *    calling their own `release`, which the side that filled them set).
 *
 * Versioning. SOCRATES_ABI_VERSION_MAJOR changes when anything is removed or changed; a host loads
 * only plugins of its own major. A minor version only appends: fields at the end of a struct,
 * functions at the end of a table. Every table and every struct that may grow starts with (or
 * carries) its `size`, set by the side that made it, so that the other side knows which fields
 * exist; a host loads plugins of its minor and every older one, and refuses a newer minor.
 * A plugin that must also load into older hosts defines SOCRATES_ABI_TARGET_MINOR (before
 * including this header) to the oldest minor it supports: it then sees only that minor's fields,
 * and its descriptor declares that minor.
 *
 *   ABI   adds
 *   2.0   this boundary (SDK 1.x plugins exchanged C++ objects and are refused: rebuild them)
 *   2.1   socrates_plugin_descriptor.built_with: the compiler and library, shown (never checked)
 *   2.2   socrates_request.handed and .hand_on: bytes one action of a host flow hands the next
 *   2.3   socrates_plugin_descriptor.deadline_ms: the agent's default deadline for one action;
 *         .migrations and .migration_count: the agent's own SQL migrations, applied by the host in a
 *         schema named after the agent (docs/plugins.md, "Migrations")
 *
 * Threading: handle() is called from several threads at once for the same agent; every function
 * of socrates_host_api may be called from any thread; a socrates_db_session belongs to one thread
 * at a time.
 */
#ifndef SOCRATES_ABI_H
#define SOCRATES_ABI_H

#include <stddef.h>
#include <stdint.h>

#define SOCRATES_ABI_VERSION_MAJOR 2
#define SOCRATES_ABI_VERSION_MINOR 3

#ifndef SOCRATES_ABI_TARGET_MINOR
#define SOCRATES_ABI_TARGET_MINOR SOCRATES_ABI_VERSION_MINOR
#endif
#if SOCRATES_ABI_TARGET_MINOR > SOCRATES_ABI_VERSION_MINOR || SOCRATES_ABI_TARGET_MINOR < 0
#error "SOCRATES_ABI_TARGET_MINOR names a minor version this header does not know"
#endif

/* "SOCR": the first field of every descriptor. */
#define SOCRATES_ABI_MAGIC 0x534F4352u
/* The name of the descriptor variable a plugin exports (with default visibility). */
#define SOCRATES_DESCRIPTOR_SYMBOL "socrates_plugin"

#if defined(_WIN32)
#define SOCRATES_ABI_EXPORT __declspec(dllexport)
#else
#define SOCRATES_ABI_EXPORT __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Whether a table or struct of `size` bytes made by the other side has `field`: e.g.
 * SOCRATES_ABI_HAS(host->api, socrates_host_api, llm_complete). */
#define SOCRATES_ABI_HAS(pointer, type, field) \
  ((pointer)->size >= offsetof(type, field) + sizeof(((type*)0)->field))

/* ---- Bytes ------------------------------------------------------------------------------------ */

/* A borrowed view: `size` bytes at `data`, valid for the duration of the call it is passed to (or
 * for as long as the buffer or rows it belongs to). Not necessarily NUL-terminated. An empty view
 * may have a null `data`; where a view stands for an SQL value, a null `data` is SQL NULL. */
typedef struct socrates_str {
  const char* data;
  size_t size;
} socrates_str;

/* Owned bytes, handed from the side that filled it to the other. `data` is followed by a NUL (not
 * counted in `size`). The receiver releases it by calling socrates_buffer_release() once done;
 * the filler sets `release` (and may use `private_data`) to free it the way it allocated it.
 * A buffer that was never filled is all zeros, and releasing it does nothing. */
typedef struct socrates_buffer {
  const char* data;
  size_t size;
  void (*release)(struct socrates_buffer* self);
  void* private_data;
} socrates_buffer;

static inline void socrates_buffer_release(socrates_buffer* buffer) {
  if (buffer && buffer->release) buffer->release(buffer);
  if (buffer) {
    buffer->data = NULL;
    buffer->size = 0;
    buffer->release = NULL;
    buffer->private_data = NULL;
  }
}

/* ---- Results of calls ------------------------------------------------------------------------- */

/* What handle(), start(), llm_complete() and the database functions answer. */
enum {
  SOCRATES_FAILED = -1,   /* the output buffer holds an error object (see below) */
  SOCRATES_OK = 0,        /* 200 on REST; the output holds the value (JSON) */
  SOCRATES_CREATED = 1,   /* 201 on the host's own routes */
  SOCRATES_NO_CONTENT = 2 /* 204 on the host's own routes; the output is ignored */
};

/* An error object, as JSON text: {"code": "UPPER_SNAKE", "message": "for a person",
 * "details": {...}} (details optional). The codes and their HTTP statuses: docs/api.md. */

/* ---- The plugin: its entry points ------------------------------------------------------------- */

typedef struct socrates_agent socrates_agent; /* the plugin's own object, opaque to the host */
typedef struct socrates_host socrates_host;   /* the host's services for one call (below) */

/* One call of an action. Every view is valid for the duration of handle() only. */
typedef struct socrates_request {
  size_t size;             /* sizeof(socrates_request) of the host */
  socrates_str action;     /* the action's name */
  socrates_str params;     /* a JSON object */
  socrates_str user_id;    /* the caller: set by the host from the verified access token */
  socrates_str role;       /* "user" or "admin" */
  socrates_str request_id; /* the X-Request-Id, for log lines */
#if SOCRATES_ABI_TARGET_MINOR >= 2
  /* Since 2.2 (read them only when SOCRATES_ABI_HAS(request, socrates_request, hand_on)). A flow of
   * the host (docs/architecture.md, "Flows") may let one action hand bytes to the next: `hand_on`,
   * when not null, is where this action may put them (filled like an output buffer; leave it alone
   * to hand nothing on), and the host gives them, untouched and never shown to a client, to the
   * next action as `handed`. Both are empty (null) outside such a flow. Their format is the two
   * actions' own business. */
  socrates_str handed;
  socrates_buffer* hand_on;
#endif
} socrates_request;

/* The plugin's entry points. Functions are only appended (see `size`); none may be null. None may
 * let an exception (or a longjmp) out. */
typedef struct socrates_plugin_api {
  size_t size; /* sizeof(socrates_plugin_api) of the plugin */

  /* Makes the agent, once per load (every reload makes another). Null with `error` filled (plain
   * text) when it cannot. No services yet: keep it to registering actions. */
  socrates_agent* (*create)(socrates_buffer* error);
  /* Destroys the agent, after its last call has returned; then the host unloads the library. */
  void (*destroy)(socrates_agent* agent);
  /* The agent's actions, as JSON: {"actions": [{"name": "greet", "internal": false,
   * "tool": {"description": "...", "input_schema": {...}}}, ...]}. "internal" (default false):
   * only the host's own routes call it. "tool" (optional, public actions only): offered as the MCP
   * tool "<agent id>.<name>", with the JSON Schema (type object) of its params. Read once, after
   * create(). SOCRATES_OK, or SOCRATES_FAILED with an error object. */
  int32_t (*describe)(socrates_agent* agent, socrates_buffer* out);
  /* Once after create() and before the first request, with the services the agent will be given:
   * load data files, check settings. SOCRATES_OK, or SOCRATES_FAILED with `error` filled (plain
   * text, the reason the operator reads); the host then refuses the plugin. */
  int32_t (*start)(socrates_agent* agent, const socrates_host* host, socrates_buffer* error);
  /* One request. Answers SOCRATES_OK/CREATED/NO_CONTENT with `out` filled with the value (JSON
   * text), or SOCRATES_FAILED with `out` filled with an error object. An action the agent does not
   * have answers UNSUPPORTED_ACTION with details.available_capabilities. */
  int32_t (*handle)(socrates_agent* agent, const socrates_host* host, const socrates_request* request,
                    socrates_buffer* out);
} socrates_plugin_api;

/* One migration of the agent's own data (ABI 2.3): a script of SQL statements that the host runs once,
 * in the agent's schema, and records by `name` with the SHA-256 of `sql`. Migrations are applied in
 * the byte order of their names ("001_greetings", "002_..."); an applied one must never change. */
typedef struct socrates_migration {
  const char* name; /* unique in the plugin; [A-Za-z0-9_.-], at most 128 characters */
  const char* sql;  /* NUL-terminated; run with the agent's schema first on the search path */
} socrates_migration;

/* The descriptor: `SOCRATES_ABI_EXPORT const socrates_plugin_descriptor socrates_plugin = {...};`
 * The host reads it before it calls any function of the plugin. Fields are only appended; `size`
 * says how many this plugin has. The strings are the plugin's and live as long as its library. */
typedef struct socrates_plugin_descriptor {
  uint32_t magic;   /* SOCRATES_ABI_MAGIC */
  uint32_t size;    /* sizeof(socrates_plugin_descriptor) of the plugin */
  int32_t abi_major; /* SOCRATES_ABI_VERSION_MAJOR */
  int32_t abi_minor; /* SOCRATES_ABI_TARGET_MINOR */
  const char* agent_id;      /* routing key: lower_snake_case, at most 64 characters, unique in a host */
  const char* agent_name;    /* for people */
  const char* agent_version; /* the agent's own version, free form */
  const socrates_plugin_api* api;
#if SOCRATES_ABI_TARGET_MINOR >= 1
  /* Since 2.1: what the plugin was built with ("gcc 12, libstdc++", "clang 15, libc++", "C"), shown
   * by `plugin-check` and GET /api/v1/admin/agents; the host never checks it. May be null. */
  const char* built_with;
#endif
#if SOCRATES_ABI_TARGET_MINOR >= 3
  /* Since 2.3: how long one call of handle() may take, in milliseconds, before the host answers
   * the caller 504 AGENT_TIMEOUT (docs/plugins.md, "Deadlines"); 0: the host's default. The host
   * caps it with its AGENT_DEADLINE_MS setting. A plugin of an older minor gets the host's default. */
  uint32_t deadline_ms;
  /* Since 2.3: the agent's migrations (`migration_count` of them at `migrations`; null and 0 for
   * none). The host applies the pending ones at load and at reload, before the agent's start(), in
   * the schema named after agent_id; every database session the agent opens has that schema first
   * on its search path. The array lives as long as the library. */
  const socrates_migration* migrations;
  size_t migration_count;
#endif
} socrates_plugin_descriptor;

/* ---- The host: its services ------------------------------------------------------------------- */

/* Log levels of socrates_host_api.log. */
enum { SOCRATES_LOG_DEBUG = 0, SOCRATES_LOG_INFO = 1, SOCRATES_LOG_WARN = 2, SOCRATES_LOG_ERROR = 3 };

/* The databases an agent may open: the specifications database only. (Value 0 was the accounts
 * database, which is the host's alone: asking for it is refused.) */
enum { SOCRATES_DB_SPECS = 1 };

/* What went wrong with a database call. */
enum {
  SOCRATES_DB_OK = 0,
  SOCRATES_DB_UNAVAILABLE = 1,      /* no connection could be had (pool exhausted, server down) */
  SOCRATES_DB_UNIQUE_VIOLATION = 2, /* SQLSTATE 23505; `constraint` names the index */
  SOCRATES_DB_CONSTRAINT = 3,       /* other integrity violations */
  SOCRATES_DB_SERIALIZATION = 4,    /* serialization failure or deadlock: may be retried */
  SOCRATES_DB_QUERY = 5,            /* anything else: a bug in the SQL or the schema */
  SOCRATES_DB_REFUSED = 6           /* the host does not give agents this database */
};

/* Filled by a failing database call (zero it before the call). Release both buffers. */
typedef struct socrates_db_status {
  int32_t kind;              /* SOCRATES_DB_* */
  char sqlstate[6];          /* five characters and a NUL; empty when none */
  socrates_buffer constraint; /* the violated constraint's name, if any */
  socrates_buffer message;    /* for logs only: never send it to a client */
} socrates_db_status;

/* The answer of one statement, owned by the host until the receiver calls release(). Cells are
 * PostgreSQL's text format, row by row: cells[row * column_count + column]; a null `data` is NULL. */
typedef struct socrates_rows {
  size_t column_count;
  size_t row_count;
  const socrates_str* columns;
  const socrates_str* cells;
  int64_t affected_rows;
  void (*release)(struct socrates_rows* self); /* null when there is nothing to release */
  void* private_data;
} socrates_rows;

/* One statement of a batch; parameters are text (a null `data` is SQL NULL). */
typedef struct socrates_statement {
  socrates_str sql;
  const socrates_str* params;
  size_t param_count;
} socrates_statement;

typedef struct socrates_llm_message {
  socrates_str role; /* "user" or "assistant" */
  socrates_str content;
} socrates_llm_message;

typedef struct socrates_llm_request {
  size_t size; /* sizeof(socrates_llm_request) of the plugin */
  socrates_str system;
  const socrates_llm_message* messages;
  size_t message_count;
  int32_t max_tokens;
  double temperature;
  socrates_str purpose;    /* what the call is for; recorded with its usage */
  socrates_str project_id; /* the project it is made for (a UUID), recorded with it; empty: none */
} socrates_llm_request;

typedef struct socrates_db_session socrates_db_session; /* one leased connection, opaque */

/* The host's services. Functions are only appended (see `size`). Every function is safe to call
 * from any thread, never blocks without bound, and never lets an exception out. */
typedef struct socrates_host_api {
  size_t size; /* sizeof(socrates_host_api) of the host */

  /* One log line; the host adds time, request id, agent and action of the current request. */
  void (*log)(const socrates_host* host, int32_t level, socrates_str message);
  /* A configuration value (environment or .env); secrets are never handed out. 1 and `value`
   * filled when set, 0 when not. */
  int32_t (*setting)(const socrates_host* host, socrates_str name, socrates_buffer* value);

  /* The configured LLM provider ("anthropic", "openai"), or null for the built-in engine, when
   * llm_complete() must not be called. The string lives as long as the host. */
  const char* (*llm_provider)(const socrates_host* host);
  /* Blocks until the model answers or the host gives up. SOCRATES_OK and `out` = {"text", "model",
   * "input_tokens", "output_tokens", "latency_ms"}; or SOCRATES_FAILED and `out` = an error object
   * (LLM_ERROR, LLM_UNAVAILABLE, RATE_LIMITED with details.retry_after_s, DATABASE_UNAVAILABLE). */
  int32_t (*llm_complete)(const socrates_host* host, const socrates_llm_request* request, socrates_buffer* out);

  /* Leases a pooled connection to `database` (SOCRATES_DB_SPECS); waits a bounded time. Null and
   * `status` filled when none could be had. Close it with db_close(), from the thread that uses it;
   * it may outlive the call that opened it only until that call returns. */
  socrates_db_session* (*db_open)(const socrates_host* host, int32_t database, socrates_db_status* status);
  /* Opens a transaction; costs no round trip (BEGIN goes with the next statement). */
  int32_t (*db_begin)(socrates_db_session* session, socrates_db_status* status);
  int32_t (*db_commit)(socrates_db_session* session, socrates_db_status* status);
  void (*db_rollback)(socrates_db_session* session);
  /* One statement. SOCRATES_OK and `out` filled (release it), or SOCRATES_FAILED and `status`. */
  int32_t (*db_query)(socrates_db_session* session, socrates_str sql, const socrates_str* params,
                      size_t param_count, socrates_rows* out, socrates_db_status* status);
  /* `count` statements in one round trip, then COMMIT when `commit` (needs db_begin()); fills
   * outs[0..count). On failure: SOCRATES_FAILED, `status`, and `*failed` the failing statement's
   * index (`count` for the COMMIT); nothing after it ran, and no `outs` need releasing. */
  int32_t (*db_batch)(socrates_db_session* session, const socrates_statement* statements, size_t count,
                      int32_t commit, socrates_rows* outs, size_t* failed, socrates_db_status* status);
  /* Rolls back an open transaction and gives the connection back. */
  void (*db_close)(socrates_db_session* session);
} socrates_host_api;

/* What each call hands the plugin: valid for that call only (start() or handle()). The host's own
 * data follows `api` in memory; a plugin reads only `api`. */
struct socrates_host {
  const socrates_host_api* api;
};

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif /* SOCRATES_ABI_H */
