// Inside a box: a warm Node.js that runs each test in a fresh vm context and reports over a private pipe.
// vm is not a security boundary (the box is); a fresh context per test gives each test clean globals.
// Synchronous work, promise jobs and queued callbacks all run inside runInContext calls with a timeout.
'use strict';
const fs = require('fs');
const vm = require('vm');
const util = require('util');
const assert = require('assert');
const { EventEmitter } = require('events');

const ctrlIn = Number(process.argv[2]);
const ctrlOut = Number(process.argv[3]);
const state = { source: '' };

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

function makeContext(t) {
  const lines = t.input.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const stdin = new EventEmitter();
  let consumed = false;
  Object.assign(stdin, {
    fd: 0, isTTY: false, setEncoding: () => stdin, resume: () => stdin, pause: () => stdin,
    read: () => (consumed ? null : ((consumed = true), t.input)),
  });
  const fsShim = new Proxy(fs, {
    get(target, name) {
      if (name === 'readFileSync') {
        return (file, options) => {
          if (file === 0 || file === '/dev/stdin') {
            const encoded = typeof options === 'string' || (options && options.encoding);
            return encoded ? t.input : Buffer.from(t.input);
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
    stdout: { write: (s) => t.write(t.stdout, s), isTTY: false },
    stderr: { write: (s) => t.write(t.stderr, s), isTTY: false },
    argv: ['node', 'solution.js'], env: {}, platform: 'linux', version: process.version, versions: process.versions,
    exit: (code) => { t.exited = true; t.exitCode = code === undefined ? t.exitCode : Number(code); throw new ExitSignal('exit'); },
    get exitCode() { return t.exitCode; },
    set exitCode(code) { t.exitCode = Number(code); },
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
    log: (...a) => t.write(t.stdout, format(a)), info: (...a) => t.write(t.stdout, format(a)),
    error: (...a) => t.write(t.stderr, format(a)), warn: (...a) => t.write(t.stderr, format(a)),
    debug: (...a) => t.write(t.stdout, format(a)), table: (...a) => t.write(t.stdout, format(a)),
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
  vm.runInContext(BOOTSTRAP, ctx);
  // After the main script: feed stdin to whoever listened, then run queued timers in order.
  const feed = () => {
    const q = ctx.__sensei_queue;
    if (t.input) for (const fn of stdin.listeners('data')) q.push([fn, [t.input]]);
    for (const fn of stdin.listeners('readable')) q.push([fn, []]);
    for (const fn of stdin.listeners('end')) q.push([fn, []]);
    for (const rl of interfaces) {
      for (const line of lines) for (const fn of rl.listeners('line')) q.push([fn, [line]]);
      for (const fn of rl.listeners('close')) q.push([fn, []]);
    }
  };
  readlineShim.createInterface = () => {
    const rl = new EventEmitter();
    rl.close = () => {};
    rl.setPrompt = () => {};
    rl.prompt = () => {};
    rl[Symbol.asyncIterator] = () => ctx.__sensei_lines(lines)[Symbol.asyncIterator]();
    interfaces.push(rl);
    return rl;
  };
  return { ctx, feed };
}

function runIn(ctx, code, t, filename) {
  const remaining = Math.max(1, Math.floor(t.deadline - Date.now()));
  return vm.runInContext(code, ctx, { filename, timeout: remaining });
}

function settle(ctx, feed, t) {
  feed();
  for (let rounds = 0; rounds < 1e6 && !t.exited; rounds++) {
    if (ctx.__sensei_queue.length) { runIn(ctx, '__sensei_drain()', t, 'solution.js'); continue; }
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
  t.deadline = Date.now() + req.cpu_s * 1000;
  const startCpu = process.cpuUsage();
  const startWall = process.hrtime.bigint();
  let status = 'exited';
  let result = null;
  try {
    const { ctx, feed } = makeContext(t);
    runIn(ctx, state.source, t, 'solution.js');
    if (req.kind === 'stdio') {
      settle(ctx, feed, t);
    } else {
      settle(ctx, feed, t);
      const entry = req.entry;
      const fn = entry && runIn(ctx,
        `typeof ${entry} === 'function' ? ${entry} : (module.exports && typeof module.exports.${entry} === 'function') ` +
        `? module.exports.${entry} : (typeof Solution === 'function' && typeof new Solution().${entry} === 'function') ` +
        `? (...a) => new Solution().${entry}(...a) : undefined`, t, 'harness');
      if (req.kind === 'call') {
        if (typeof fn !== 'function') throw new ReferenceError(`the program does not define ${entry}`);
        ctx.__sensei_args = [fn, JSON.stringify(req.args), req.arg_types || [], req.return_type || 'any'];
        const box = runIn(ctx, '__sensei_call(...__sensei_args)', t, 'harness');
        settle(ctx, feed, t);
        if (!t.exited && box.done) result = { value: box.value };
      } else {
        result = runScript(req, ctx, fn, t);
      }
    }
  } catch (err) {
    if (err instanceof OutputLimit || t.over) status = 'output_limit';
    else if (err && err.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') status = 'timeout';
    else if (err instanceof ExitSignal || t.exited) { /* process.exit(): the exit code stands */ }
    else if (req.kind === 'call' && err && err.name === 'TypeError' && /plain JSON|non-finite|nested too deeply/.test(err.message)) result = { invalid: err.message };
    else { t.stderr.push(String((err && err.stack) || err) + '\n'); t.exitCode = 1; result = null; }
  }
  if (t.exited) result = null;
  const cpu = process.cpuUsage(startCpu);
  return {
    status, exit_code: status === 'exited' ? t.exitCode : null, signal: null,
    cpu_ms: (cpu.user + cpu.system) / 1000, wall_ms: Number(process.hrtime.bigint() - startWall) / 1e6,
    memory_kb: process.resourceUsage().maxRSS, stdout: t.stdout.join(''), stderr: t.stderr.join(''),
    truncated: t.over, result: t.exitCode === 0 ? result : null,
  };
}

// Script tests run in a second context whose builtins the candidate never touched; the candidate's
// functions are wrapped so that only plain JSON data crosses back, copied into the test's realm.
function runScript(req, ctx, fn, t) {
  const testCtx = vm.createContext({ console: ctx.console, assert, require }, { microtaskMode: 'afterEvaluate' });
  const wrap = (candidate) => (...args) => {
    const value = candidate(...args);
    return vm.runInContext('JSON.parse', testCtx)(ctx.__sensei_serialize(value, 'any'));
  };
  if (typeof fn === 'function') { testCtx[req.entry] = wrap(fn); testCtx.candidate = testCtx[req.entry]; }
  try {
    runIn(testCtx, req.code, t, 'test');
    if (typeof testCtx.check === 'function' && typeof fn === 'function') runIn(testCtx, 'check(candidate)', t, 'test');
  } catch (err) {
    if (err && (err.name === 'AssertionError' || err.code === 'ERR_ASSERTION')) return { ok: false, message: `assertion failed: ${err.message}` };
    if (err && err.name === 'TypeError' && /plain JSON|non-finite|nested too deeply/.test(err.message)) return { ok: false, message: err.message };
    throw err;
  }
  return { ok: true };
}

function serve() {
  writeFrame({ ready: true, pid: process.pid });
  for (;;) {
    const req = readFrame();
    if (!req || req.op === 'quit') return;
    if (req.op === 'load') { state.source = req.source || ''; writeFrame({ loaded: true }); }
    else if (req.op === 'test') writeFrame(runTest(req));
  }
}

serve();
