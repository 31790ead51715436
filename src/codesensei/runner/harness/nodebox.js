// Inside a box: a warm Node.js that runs each test in a fresh vm context and reports over a private pipe.
// vm is not a security boundary (the box is); a fresh context per test gives each test clean globals.
// Synchronous work, promise jobs and queued callbacks all run inside vm calls that a SIGINT interrupts.
//
// Time limits are decided on CPU time. JavaScript runs on this thread, so nothing here can watch the clock
// while a test runs: the server watches the box's CPU time (and the wall-clock backstop) from outside and
// sends SIGINT when either is spent, which `breakOnSigint` turns into an exception. The CPU time a test used
// is measured here as well and decides the verdict. Only a server that cannot signal the harness asks for
// vm's own wall-clock timeout instead (`interrupt: false`).
//
// Creating a test's context is the costliest step of a test, so contexts are made ahead: a box started
// for the warm pool makes several before it reports ready (it waits in the pool anyway, and the first tests
// of its submission then start at once), and each later test's is made after the previous reply. No
// candidate code has run in a context when its test begins, and each serves exactly one test.
'use strict';
const fs = require('fs');
const vm = require('vm');
const util = require('util');
const { EventEmitter } = require('events');

const ctrlIn = Number(process.argv[2]);
const ctrlOut = Number(process.argv[3]);
const contextsAhead = Math.min(32, Math.max(1, Number(process.argv[4]) || 1));
const state = { script: null, error: null, entries: new Map() };
// A SIGINT that lands while no test runs (the server repeats it until the test's reply arrives) must not
// end the harness; with a listener, Node.js keeps running, and this loop never lets the listener run.
process.on('SIGINT', () => {});

function readExact(n) {
  const buf = Buffer.alloc(n);
  let off = 0;
  while (off < n) {
    const got = fs.readSync(ctrlIn, buf, off, n - off, null);
    if (got === 0) return null;
    off += got;
  }
  return buf;
}

function readFrame() {
  const head = readExact(4);
  if (!head) return null;
  const body = readExact(head.readUInt32BE(0));
  return body && JSON.parse(body.toString('utf8'));
}

function writeFrame(message) {
  const body = Buffer.from(JSON.stringify(message));
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  const all = Buffer.concat([head, body]);
  let off = 0;
  while (off < all.length) off += fs.writeSync(ctrlOut, all, off);
}

// Defined inside every context, so its values, promises and checks belong to the candidate's realm.
const BOOTSTRAP = `
(() => {
  const stringify = JSON.stringify, parse = JSON.parse, isArray = Array.isArray, getProto = Object.getPrototypeOf;
  const ObjectProto = Object.prototype, isFinite_ = Number.isFinite;
  class ListNode { constructor(val = 0, next = null) { this.val = val; this.next = next; } }
  class TreeNode { constructor(val = 0, left = null, right = null) { this.val = val; this.left = left; this.right = right; } }
  globalThis.ListNode = ListNode;
  globalThis.TreeNode = TreeNode;
  const toList = (a) => { let head = null; for (let i = (a || []).length - 1; i >= 0; i--) head = new ListNode(a[i], head); return head; };
  const toTree = (a) => {
    if (!a || !a.length || a[0] === null) return null;
    const root = new TreeNode(a[0]); const queue = [root]; let i = 1;
    for (let q = 0; q < queue.length && i < a.length; q++) {
      for (const side of ['left', 'right']) {
        if (i < a.length && a[i] !== null) { const c = new TreeNode(a[i]); queue[q][side] = c; queue.push(c); }
        i++;
      }
    }
    return root;
  };
  const fromList = (n) => { const out = []; while (n !== null && n !== undefined) { if (out.length > 1e6) throw new Error('list too long or cyclic'); out.push(n.val); n = n.next; } return out; };
  const fromTree = (r) => {
    const out = []; const queue = [r];
    for (let q = 0; q < queue.length; q++) {
      if (queue.length > 2e6) throw new Error('tree too large or cyclic');
      const n = queue[q];
      if (n === null || n === undefined) { out.push(null); continue; }
      out.push(n.val); queue.push(n.left, n.right);
    }
    while (out.length && out[out.length - 1] === null) out.pop();
    return out;
  };
  const plain = (v, depth) => {
    if (depth > 200) throw new TypeError('the returned value is nested too deeply');
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
    if (typeof v === 'number') { if (!isFinite_(v)) throw new TypeError('returned a non-finite number'); return; }
    if (isArray(v)) { for (const x of v) plain(x, depth + 1); return; }
    if (typeof v === 'object' && (getProto(v) === ObjectProto || getProto(v) === null)) { for (const k of Object.keys(v)) plain(v[k], depth + 1); return; }
    throw new TypeError('returned a value that is not plain JSON data (' + (v && v.constructor ? v.constructor.name : typeof v) + ')');
  };
  globalThis.__sensei_queue = [];
  globalThis.__sensei_drain = () => { while (__sensei_queue.length) { const [fn, args] = __sensei_queue.shift(); fn(...args); } };
  globalThis.__sensei_serialize = (v, kind) => {
    if (v === undefined) v = null;
    if (kind === 'ListNode') v = fromList(v); else if (kind === 'TreeNode') v = fromTree(v);
    plain(v, 0);
    return stringify(v);
  };
  globalThis.__sensei_call = (fn, argsJson, types, kind) => {
    const args = parse(argsJson).map((a, i) => types[i] === 'ListNode' ? toList(a) : types[i] === 'TreeNode' ? toTree(a) : a);
    const box = { done: false };
    const v = fn(...args);
    if (v && typeof v.then === 'function') v.then((r) => { box.value = __sensei_serialize(r, kind); box.done = true; });
    else { box.value = __sensei_serialize(v, kind); box.done = true; }
    return box;
  };
  globalThis.__sensei_lines = (lines) => ({ [Symbol.asyncIterator]() { let i = 0; return { next: () => Promise.resolve(i < lines.length ? { value: lines[i++], done: false } : { value: undefined, done: true }) }; } });
})();
`;

const bootScript = new vm.Script(BOOTSTRAP, { filename: 'harness' });
const drainScript = new vm.Script('__sensei_drain()', { filename: 'solution.js' });
const callScript = new vm.Script('__sensei_call(...__sensei_args)', { filename: 'harness' });

class OutputLimit extends Error {}
class ExitSignal extends Error {}

function makeTest(req) {
  const t = { stdout: [], stderr: [], bytes: 0, over: false, exited: false, exitCode: 0, input: req.stdin || '' };
  t.write = (target, chunk) => {
    const text = typeof chunk === 'string' ? chunk : String(chunk);
    const size = Buffer.byteLength(text);
    if (t.bytes + size > req.output_bytes) {
      t.over = true;
      target.push(text.slice(0, Math.max(0, req.output_bytes - t.bytes)));
      t.bytes = req.output_bytes;
      throw new OutputLimit('output limit exceeded');
    }
    t.bytes += size;
    target.push(text);
    return true;
  };
  return t;
}

// A context made before its test is known: every shim reads the test through `env`, filled in by `begin`.
function makeContext() {
  const env = { t: null, lines: [], consumed: false };
  const stdin = new EventEmitter();
  Object.assign(stdin, {
    fd: 0, isTTY: false, setEncoding: () => stdin, resume: () => stdin, pause: () => stdin,
    read: () => (env.consumed ? null : ((env.consumed = true), env.t.input)),
  });
  const fsShim = new Proxy(fs, {
    get(target, name) {
      if (name === 'readFileSync') {
        return (file, options) => {
          if (file === 0 || file === '/dev/stdin') {
            const encoded = typeof options === 'string' || (options && options.encoding);
            return encoded ? env.t.input : Buffer.from(env.t.input);
          }
          return fs.readFileSync(file, options);
        };
      }
      return target[name];
    },
  });
  const interfaces = [];
  const readlineShim = {};
  const processShim = {
    stdin,
    stdout: { write: (s) => env.t.write(env.t.stdout, s), isTTY: false },
    stderr: { write: (s) => env.t.write(env.t.stderr, s), isTTY: false },
    argv: ['node', 'solution.js'], env: {}, platform: 'linux', version: process.version, versions: process.versions,
    exit: (code) => {
      env.t.exited = true;
      env.t.exitCode = code === undefined ? env.t.exitCode : Number(code);
      throw new ExitSignal('exit');
    },
    get exitCode() { return env.t.exitCode; },
    set exitCode(code) { env.t.exitCode = Number(code); },
    hrtime: process.hrtime, memoryUsage: process.memoryUsage, cpuUsage: process.cpuUsage, uptime: process.uptime,
    nextTick: (fn, ...args) => ctx.__sensei_queue.push([fn, args]),
    on: () => processShim, once: () => processShim,
  };
  const requireShim = (name) => {
    const bare = String(name).replace(/^node:/, '');
    if (bare === 'fs') return fsShim;
    if (bare === 'readline') return readlineShim;
    if (bare === 'process') return processShim;
    return require(bare);
  };
  const format = (args) => util.format(...args) + '\n';
  const consoleShim = {
    log: (...a) => env.t.write(env.t.stdout, format(a)), info: (...a) => env.t.write(env.t.stdout, format(a)),
    error: (...a) => env.t.write(env.t.stderr, format(a)), warn: (...a) => env.t.write(env.t.stderr, format(a)),
    debug: (...a) => env.t.write(env.t.stdout, format(a)), table: (...a) => env.t.write(env.t.stdout, format(a)),
  };
  const module = { exports: {} };
  const ctx = vm.createContext(
    {
      console: consoleShim, process: processShim, require: requireShim, module, exports: module.exports,
      Buffer, URL, TextEncoder, TextDecoder, structuredClone, __filename: '/box/solution.js', __dirname: '/box',
    },
    { microtaskMode: 'afterEvaluate' },
  );
  const queueTimer = (fn, ms, ...args) => { ctx.__sensei_timers.push([Number(ms) || 0, fn, args]); return ctx.__sensei_timers.length; };
  ctx.setTimeout = queueTimer;
  ctx.setImmediate = (fn, ...args) => queueTimer(fn, 0, ...args);
  ctx.setInterval = queueTimer;
  ctx.clearTimeout = ctx.clearInterval = ctx.clearImmediate = () => {};
  ctx.queueMicrotask = (fn) => ctx.__sensei_queue.push([fn, []]);
  ctx.__sensei_timers = [];
  bootScript.runInContext(ctx);
  // After the main script: feed stdin to whoever listened, then run queued timers in order.
  const feed = () => {
    const q = ctx.__sensei_queue;
    const input = env.t.input;
    if (input) for (const fn of stdin.listeners('data')) q.push([fn, [input]]);
    for (const fn of stdin.listeners('readable')) q.push([fn, []]);
    for (const fn of stdin.listeners('end')) q.push([fn, []]);
    for (const rl of interfaces) {
      for (const line of env.lines) for (const fn of rl.listeners('line')) q.push([fn, [line]]);
      for (const fn of rl.listeners('close')) q.push([fn, []]);
    }
  };
  readlineShim.createInterface = () => {
    const rl = new EventEmitter();
    rl.close = () => {};
    rl.setPrompt = () => {};
    rl.prompt = () => {};
    rl[Symbol.asyncIterator] = () => ctx.__sensei_lines(env.lines)[Symbol.asyncIterator]();
    interfaces.push(rl);
    return rl;
  };
  const begin = (t) => {
    env.t = t;
    env.lines = t.input.split('\n');
    if (env.lines.length && env.lines[env.lines.length - 1] === '') env.lines.pop();
  };
  return { ctx, feed, begin };
}

const readyContexts = [];

function freshContext(t) {
  const made = readyContexts.shift() || makeContext();
  made.begin(t);
  return made;
}

function runIn(ctx, script, t) {
  const options = { breakOnSigint: true };
  if (!t.interrupt) options.timeout = Math.max(1, Math.floor(t.deadline - Date.now()));
  return script.runInContext(ctx, options);
}

function entryScript(entry) {
  let script = state.entries.get(entry);
  if (!script) {
    script = new vm.Script(
      `typeof ${entry} === 'function' ? ${entry} : (module.exports && typeof module.exports.${entry} === 'function') ` +
      `? module.exports.${entry} : (typeof Solution === 'function' && typeof new Solution().${entry} === 'function') ` +
      `? (...a) => new Solution().${entry}(...a) : undefined`, { filename: 'harness' });
    state.entries.set(entry, script);
  }
  return script;
}

function settle(ctx, feed, t) {
  feed();
  for (let rounds = 0; rounds < 1e6 && !t.exited; rounds++) {
    if (ctx.__sensei_queue.length) { runIn(ctx, drainScript, t); continue; }
    const timers = ctx.__sensei_timers;
    if (!timers.length) break;
    let next = 0;
    for (let i = 1; i < timers.length; i++) if (timers[i][0] < timers[next][0]) next = i;
    const [, fn, args] = timers.splice(next, 1)[0];
    ctx.__sensei_queue.push([fn, args]);
  }
}

function runTest(req) {
  const t = makeTest(req);
  t.interrupt = req.interrupt === true;
  t.deadline = Date.now() + req.wall_s * 1000;
  const startCpu = process.cpuUsage();
  const startWall = process.hrtime.bigint();
  let status = 'exited';
  let result = null;
  try {
    const { ctx, feed } = freshContext(t);
    if (state.error) throw state.error;
    runIn(ctx, state.script, t);
    if (req.kind === 'stdio') {
      settle(ctx, feed, t);
    } else {
      settle(ctx, feed, t);
      const entry = req.entry;
      const fn = entry && runIn(ctx, entryScript(entry), t);
      if (req.kind === 'call') {
        if (typeof fn !== 'function') throw new ReferenceError(`the program does not define ${entry}`);
        ctx.__sensei_args = [fn, JSON.stringify(req.args), req.arg_types || [], req.return_type || 'any'];
        const box = runIn(ctx, callScript, t);
        settle(ctx, feed, t);
        if (!t.exited && box.done) result = { value: box.value };
      } else {
        result = runScript(req, ctx, fn, t);
      }
    }
  } catch (err) {
    const code = err && err.code;
    if (err instanceof OutputLimit || t.over) status = 'output_limit';
    else if (code === 'ERR_SCRIPT_EXECUTION_TIMEOUT' || code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED') status = 'timeout';
    else if (err instanceof ExitSignal || t.exited) { /* process.exit(): the exit code stands */ }
    else if (req.kind === 'call' && err && err.name === 'TypeError' && /plain JSON|non-finite|nested too deeply/.test(err.message)) result = { invalid: err.message };
    else { t.stderr.push(String((err && err.stack) || err) + '\n'); t.exitCode = 1; result = null; }
  }
  if (t.exited) result = null;
  const cpu = process.cpuUsage(startCpu);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  // Decided on CPU time: a test that finished but used more than its limit did not pass in time either.
  if (status === 'exited' && cpuMs > req.cpu_s * 1000) status = 'timeout';
  return {
    status, exit_code: status === 'exited' ? t.exitCode : null, signal: null,
    cpu_ms: cpuMs, wall_ms: Number(process.hrtime.bigint() - startWall) / 1e6,
    memory_kb: process.resourceUsage().maxRSS, stdout: t.stdout.join(''), stderr: t.stderr.join(''),
    truncated: t.over, result: t.exitCode === 0 ? result : null,
  };
}

// Script tests run in a second context whose builtins the candidate never touched; the candidate's
// functions are wrapped so that only plain JSON data crosses back, copied into the test's realm.
function runScript(req, ctx, fn, t) {
  const assert = require('assert');
  const testCtx = vm.createContext({ console: ctx.console, assert, require }, { microtaskMode: 'afterEvaluate' });
  const wrap = (candidate) => (...args) => {
    const value = candidate(...args);
    return vm.runInContext('JSON.parse', testCtx)(ctx.__sensei_serialize(value, 'any'));
  };
  if (typeof fn === 'function') { testCtx[req.entry] = wrap(fn); testCtx.candidate = testCtx[req.entry]; }
  try {
    runIn(testCtx, new vm.Script(req.code, { filename: 'test' }), t);
    if (typeof testCtx.check === 'function' && typeof fn === 'function') {
      runIn(testCtx, new vm.Script('check(candidate)', { filename: 'test' }), t);
    }
  } catch (err) {
    if (err && (err.name === 'AssertionError' || err.code === 'ERR_ASSERTION')) return { ok: false, message: `assertion failed: ${err.message}` };
    if (err && err.name === 'TypeError' && /plain JSON|non-finite|nested too deeply/.test(err.message)) return { ok: false, message: err.message };
    throw err;
  }
  return { ok: true };
}

function load(source) {
  state.entries.clear();
  try {
    state.script = new vm.Script(source, { filename: 'solution.js' });
    state.error = null;
  } catch (err) {
    // A syntax error fails every test as a runtime error, as running the file would.
    state.script = null;
    state.error = err;
  }
}

function serve() {
  while (readyContexts.length < contextsAhead) readyContexts.push(makeContext());
  writeFrame({ ready: true, pid: process.pid });
  let more = true;
  for (;;) {
    // No context ahead of a test the server said will not come (the box is discarded after its last).
    if (!readyContexts.length && more) readyContexts.push(makeContext());
    const req = readFrame();
    if (!req || req.op === 'quit') return;
    if (req.op === 'load') { load(req.source || ''); writeFrame({ loaded: true }); }
    else if (req.op === 'test') { writeFrame(runTest(req)); more = req.last !== true; }
  }
}

serve();
