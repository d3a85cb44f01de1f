// Native hooks on libc: open/openat (+ fortified variants), read and close for identifier
// files, and __system_property_get for serial/IMEI properties.
//
// These functions run for every file the process touches (the JVM's own class loading too), so
// the filter is C compiled into a CModule: it matches the path against the catalogue's globs,
// tracks which file descriptors point at sensitive files, and enters JavaScript only for a
// match. A raw syscall bypasses libc and is not seen (a documented limit).
import Java from "frida-java-bridge";
import type { ApiSpec } from "./config.js";
import { push, type WireEvent } from "./buffer.js";
import { site, isFramework, withStack, type SiteInfo } from "./stacks.js";
import { cut } from "./summary.js";
import { reportError } from "./report.js";

// quiet: threads whose libc calls are the agent's own (its JS loop, a thread while it installs
// Java hooks - loading java.net classes makes the JVM read /proc/net/if_inet6, for instance).
export const nativeState = { hooked: 0, skipped: [] as string[], javaReady: false, quiet: new Set<number>() };
const keep: unknown[] = [];

function cString(s: string): string {
  return '"' + s.replace(/[^\x20-\x7e]/g, "").replace(/\\/g, "\\\\").replace(/"/g, '\\"') + '"';
}

function tagOf(id: string): string {
  const i = id.indexOf("#");
  return i >= 0 ? id.substring(i + 1) : "";
}

const FAMILY_SYMBOLS: Record<string, string> = {
  open: "open", open64: "open", __open_2: "open", openat: "openat", openat64: "openat", __openat_2: "openat", fopen: "fopen", fopen64: "fopen",
};
const FAMILIES = ["open", "openat", "fopen"];

function buildC(tags: string[], globs: Array<[string, number]>, props: Array<[string, number]>): string {
  const g = globs.map(([p]) => cString(p)).join(", ");
  const gc = globs.map(([, c]) => String(c)).join(", ");
  const p = props.map(([s]) => cString(s)).join(", ");
  const pc = props.map(([, c]) => String(c)).join(", ");
  void tags;
  return `
#include <gum/guminterceptor.h>
extern int fileno (void * stream);
extern void on_open (int family, int cls, const char * path, int fd, void * ra);
extern void on_read (int cls, int fd, const void * buf, int n, void * ra);
extern void on_prop (int cls, const char * name, const char * value, void * ra);
#define MAX_FD 65536
extern signed char fd_class[MAX_FD];
static const char * GLOBS[] = { ${g}${globs.length ? ", " : ""}0 };
static const int GLOB_CLASS[] = { ${gc}${globs.length ? ", " : ""}-1 };
static const char * PROPS[] = { ${p}${props.length ? ", " : ""}0 };
static const int PROP_CLASS[] = { ${pc}${props.length ? ", " : ""}-1 };
typedef struct { int cls; int fd; const char * path; void * buf; } State;
static int glob_match (const char * p, const char * s) {
  while (*p != 0) {
    if (*p == '*') {
      p++;
      for (;;) {
        if (glob_match (p, s)) return 1;
        if (*s == 0 || *s == '/') return 0;
        s++;
      }
    }
    if (*s != *p) return 0;
    p++; s++;
  }
  return *s == 0;
}
static int str_eq (const char * a, const char * b) { while (*a != 0 && *a == *b) { a++; b++; } return *a == *b; }
static int path_class (const char * s) {
  if (s == 0 || s[0] != '/') return -1;
  for (int i = 0; GLOBS[i] != 0; i++) if (glob_match (GLOBS[i], s)) return GLOB_CLASS[i];
  return -1;
}
static void enter_path (GumInvocationContext * ic, int idx) {
  State * st = GUM_IC_GET_INVOCATION_DATA (ic, State);
  st->path = gum_invocation_context_get_nth_argument (ic, idx);
  st->cls = path_class (st->path);
}
static void leave_open (GumInvocationContext * ic, int family) {
  State * st = GUM_IC_GET_INVOCATION_DATA (ic, State);
  int fd = (int) (gssize) gum_invocation_context_get_return_value (ic);
  if (fd >= 0 && fd < MAX_FD) fd_class[fd] = (signed char) (st->cls + 1);
  /* depth > 0: called from inside another hooked call (open inside fopen): reported there */
  if (st->cls >= 0 && gum_invocation_context_get_depth (ic) == 0)
    on_open (family, st->cls, st->path, fd, gum_invocation_context_get_return_address (ic));
}
void fopen_leave (GumInvocationContext * ic) {
  State * st = GUM_IC_GET_INVOCATION_DATA (ic, State);
  void * f = gum_invocation_context_get_return_value (ic);
  if (st->cls >= 0 && gum_invocation_context_get_depth (ic) == 0)
    on_open (2, st->cls, st->path, f == 0 ? -1 : fileno (f), gum_invocation_context_get_return_address (ic));
}
void open_enter (GumInvocationContext * ic) { enter_path (ic, 0); }
void openat_enter (GumInvocationContext * ic) { enter_path (ic, 1); }
void open_leave (GumInvocationContext * ic) { leave_open (ic, 0); }
void openat_leave (GumInvocationContext * ic) { leave_open (ic, 1); }
void read_enter (GumInvocationContext * ic) {
  State * st = GUM_IC_GET_INVOCATION_DATA (ic, State);
  int fd = (int) (gssize) gum_invocation_context_get_nth_argument (ic, 0);
  st->fd = fd;
  st->cls = (fd >= 0 && fd < MAX_FD) ? fd_class[fd] - 1 : -1;
  st->buf = gum_invocation_context_get_nth_argument (ic, 1);
}
void read_leave (GumInvocationContext * ic) {
  State * st = GUM_IC_GET_INVOCATION_DATA (ic, State);
  if (st->cls < 0) return;
  int n = (int) (gssize) gum_invocation_context_get_return_value (ic);
  if (n > 0) on_read (st->cls, st->fd, st->buf, n, gum_invocation_context_get_return_address (ic));
}
void close_enter (GumInvocationContext * ic) {
  int fd = (int) (gssize) gum_invocation_context_get_nth_argument (ic, 0);
  if (fd >= 0 && fd < MAX_FD) fd_class[fd] = 0;
}
void prop_enter (GumInvocationContext * ic) {
  State * st = GUM_IC_GET_INVOCATION_DATA (ic, State);
  const char * name = gum_invocation_context_get_nth_argument (ic, 0);
  st->cls = -1;
  st->path = name;
  st->buf = gum_invocation_context_get_nth_argument (ic, 1);
  if (name == 0) return;
  for (int i = 0; PROPS[i] != 0; i++) if (str_eq (PROPS[i], name)) { st->cls = PROP_CLASS[i]; break; }
}
void prop_leave (GumInvocationContext * ic) {
  State * st = GUM_IC_GET_INVOCATION_DATA (ic, State);
  if (st->cls >= 0) on_prop (st->cls, st->path, st->buf, gum_invocation_context_get_return_address (ic));
}
`;
}

function libc(): Module | null {
  return Process.findModuleByName("libc.so") ?? Process.findModuleByName("libc.so.6");
}

function findSymbol(lib: Module | null, name: string): NativePointer | null {
  const a = lib !== null ? lib.findExportByName(name) : null;
  return a ?? Module.findGlobalExportByName(name);
}

function where(ra: NativePointer): string {
  try {
    const sym = DebugSymbol.fromAddress(ra);
    const mod = sym.moduleName ?? "";
    const name = sym.name ?? "";
    if (mod !== "") return cut(name !== "" ? `${mod}!${name}` : `${mod}!${ra.sub(Process.getModuleByName(mod).base)}`, 300);
    return ra.toString();
  } catch (e) {
    return ra.toString();
  }
}

// Thread names from /proc (cached per thread id). Frida runs its own threads inside the target
// (the script's JS loop, its I/O): calls they make are the instrumentation's, never the app's.
const comms = new Map<number, string>();
function threadComm(tid: number): string {
  let name = comms.get(tid);
  if (name === undefined) {
    try {
      name = cut(File.readAllText(`/proc/self/task/${tid}/comm`).trim(), 120);
    } catch (e) {
      name = "";
    }
    if (comms.size > 4096) comms.clear();
    comms.set(tid, name);
  }
  return name;
}
function isFridaThread(tid: number): boolean {
  return /^(gum-js-loop|gmain|gdbus|pool-frida|frida-|pool-spawner)/.test(threadComm(tid));
}

const nativeSites = new Map<string, NSite>();
let nextNativeSid = 1;

// Site of a native event: the Java site when the thread runs Java code, else the native caller
// (the return address of the hooked libc function: a C filter cannot unwind further).
function nativeSite(ra: NativePointer, extra: string): NSite {
  if (nativeState.javaReady) {
    try {
      const env = (Java as any).vm.tryGetEnv();
      if (env !== null) {
        let s: any = null;
        Java.performNow(() => {
          s = site();
        });
        if (s !== null) return s;
      }
    } catch (e) {
      /* not a Java thread after all */
    }
  }
  const key = ra.toString() + "|" + extra;
  const known = nativeSites.get(key);
  if (known !== undefined) return known;
  const frame = where(ra);
  const entry: NSite = { sid: "n" + (nextNativeSid++).toString(36), caller: frame, stack: [frame] };
  if (nativeSites.size < 20000) nativeSites.set(key, entry);
  return entry;
}

type NSite = SiteInfo;
const fdSites = new Map<number, NSite>(); // the site that opened a tracked fd: reads inherit it

function emitNative(spec: ApiSpec, m: string, args: string, ret: string, ra: NativePointer, inherited: NSite | null = null): NSite | null {
  const ts = Date.now();
  const tid = Process.getCurrentThreadId();
  if (nativeState.quiet.has(tid) || isFridaThread(tid)) return null;
  const s = inherited !== null ? inherited : nativeSite(ra, spec.id);
  const ev: WireEvent = { k: "api", id: spec.id, cat: spec.cat, m, ts, tid, th: threadComm(tid), args, ret, caller: s.caller, sid: s.sid };
  withStack(ev, s);
  push(ev, s.sid === "" ? null : `${spec.id}|${s.sid}|${tid}|${args}|${ret}`);
  return s;
}

export function installNative(specs: ApiSpec[]): void {
  const natives = specs.filter((s) => s.kind === "native");
  if (natives.length === 0) return;
  // Path classes: one per tag; the globs of every entry with that tag.
  const tags: string[] = [];
  const globs: Array<[string, number]> = [];
  const props: Array<[string, number]> = [];
  const byKey = new Map<string, ApiSpec>(); // "open#tag" / "read#tag" / "prop#<class>"
  const propSpecs: ApiSpec[] = [];
  for (const s of natives) {
    if (s.f === undefined) continue;
    const tag = tagOf(s.id);
    if (s.f.op === "glob" || s.f.op === "fd_path") {
      let cls = tags.indexOf(tag);
      if (cls < 0) {
        cls = tags.length;
        tags.push(tag);
      }
      for (const v of s.f.values) if (!globs.some(([p, c]) => p === v && c === cls)) globs.push([v, cls]);
      byKey.set(`${s.m}#${tag}`, s);
    } else if (s.f.op === "equals") {
      const cls = propSpecs.length;
      propSpecs.push(s);
      for (const v of s.f.values) props.push([v, cls]);
    }
  }
  const lib = libc();
  const onOpen = new NativeCallback(function (family: number, cls: number, path: NativePointer, fd: number, ra: NativePointer) {
    try {
      const tag = tags[cls];
      const fam = FAMILIES[family] ?? "open";
      const spec = byKey.get(`${fam}#${tag}`) ?? byKey.get(`open#${tag}`) ?? byKey.get(`openat#${tag}`);
      if (spec === undefined) return;
      const s = emitNative(spec, "libc." + fam, cut(path.readCString() ?? "", 300), String(fd), ra);
      if (fd >= 0 && s !== null) fdSites.set(fd, s);
    } catch (e) {
      reportError("native open", e);
    }
  }, "void", ["int", "int", "pointer", "int", "pointer"]);
  const onRead = new NativeCallback(function (cls: number, fd: number, buf: NativePointer, n: number, ra: NativePointer) {
    try {
      const spec = byKey.get(`read#${tags[cls]}`);
      if (spec === undefined) return;
      const data = buf.readByteArray(Math.min(n, 512));
      let text = "";
      if (data !== null) {
        const bytes = new Uint8Array(data);
        for (const b of bytes) text += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : b === 10 ? "\\n" : ".";
      }
      emitNative(spec, "libc.read", `fd=${fd}`, spec.ret ? cut(text, 512) : `${n} bytes`, ra, fdSites.get(fd) ?? null);
    } catch (e) {
      reportError("native read", e);
    }
  }, "void", ["int", "int", "pointer", "int", "pointer"]);
  const onProp = new NativeCallback(function (cls: number, name: NativePointer, value: NativePointer, ra: NativePointer) {
    try {
      const spec = propSpecs[cls];
      const v = value.isNull() ? "" : cut(value.readCString() ?? "", 92);
      emitNative(spec, "libc.__system_property_get", cut(name.readCString() ?? "", 120), spec.ret ? v : "", ra);
    } catch (e) {
      reportError("native property", e);
    }
  }, "void", ["int", "pointer", "pointer", "pointer"]);
  let cm: CModule;
  try {
    // The fd table lives in memory allocated here (zeroed): CModule static storage is not
    // reliable for large writable arrays.
    const fdTable = Memory.alloc(65536);
    fdTable.writeByteArray(new ArrayBuffer(65536));
    keep.push(fdTable);
    cm = new CModule(buildC(tags, globs, props), {
      on_open: onOpen, on_read: onRead, on_prop: onProp, fd_class: fdTable,
      fileno: findSymbol(lib, "fileno") ?? new NativeCallback(() => -1, "int", ["pointer"]),
    });
  } catch (e) {
    for (const s of natives) nativeState.skipped.push(cut(`${s.id}: native filter did not compile: ${e}`, 290));
    return;
  }
  keep.push(cm, onOpen, onRead, onProp);
  const attached = new Map<string, boolean>(); // address -> attached
  const attach = (addr: NativePointer, enter: NativePointer, leave: NativePointer | null): boolean => {
    const k = addr.toString();
    if (attached.has(k)) return attached.get(k) === true;
    try {
      const cb: any = { onEnter: enter };
      if (leave !== null) cb.onLeave = leave;
      Interceptor.attach(addr, cb);
      attached.set(k, true);
      return true;
    } catch (e) {
      attached.set(k, false);
      return false;
    }
  };
  let closeHooked = false;
  for (const s of natives) {
    let ok = 0;
    for (const sym of s.sym ?? []) {
      const addr = findSymbol(lib, sym);
      if (addr === null) continue;
      let done = false;
      if (s.m === "open" || s.m === "openat") {
        const fam = FAMILY_SYMBOLS[sym] ?? s.m;
        done = fam === "open" ? attach(addr, cm.open_enter, cm.open_leave) : attach(addr, cm.openat_enter, cm.openat_leave);
      } else if (s.m === "fopen") {
        done = attach(addr, cm.open_enter, cm.fopen_leave);
      } else if (s.m === "read") {
        done = attach(addr, cm.read_enter, cm.read_leave);
        if (done && !closeHooked) {
          const c = findSymbol(lib, "close");
          closeHooked = c !== null && attach(c, cm.close_enter, null);
        }
      } else if (s.m === "__system_property_get") {
        done = attach(addr, cm.prop_enter, cm.prop_leave);
      }
      if (done) ok++;
    }
    if (ok > 0) nativeState.hooked++;
    else nativeState.skipped.push(cut(`${s.id}: no symbol of ${(s.sym ?? []).join(", ")} found`, 290));
  }
}

export { isFramework };
