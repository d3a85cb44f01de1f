// Call sites and stacks.
//
// A full Java stack costs 60-200 us a call; the harness needs the stack only to know who called
// (the SDK), and a call site always has the same stack above it. So on every call the agent
// takes a cheap call-site key - on HotSpot a JVMTI GetStackTrace of method ids and bytecode
// indexes hashed in C (one native call, no Java objects), on ART the bridge's native
// Java.backtrace() id - and only the first call from a site pays for the full text stack. The
// host remembers the stack by its `sid`.
import Java from "frida-java-bridge";
import { config } from "./config.js";
import { cut } from "./summary.js";
import { head } from "./text.js";

// Platform and neutral-library code is skipped when naming the caller; the list comes from the
// host (harness/catalog/sdks.yaml: framework + libraries) in config.framework.
let frameworkDots: string[] | null = null;

export function isFramework(frame: string): boolean {
  if (frameworkDots === null) frameworkDots = config.framework.filter((p) => typeof p === "string" && p !== "").map((p) => p + ".");
  for (const p of frameworkDots) if (frame.startsWith(p)) return true;
  return false;
}

// A call site. Its stack travels with the first event *pushed* for it (see withStack): another
// thread may look the site up between its creation and that push, because native calls made
// while building an event release the JS lock.
export interface SiteInfo {
  sid: string;
  caller: string;
  stack: string[] | null; // held until the first event for the site is pushed
}

type Site = SiteInfo;

// Puts the site's stack on the event if no event of this site has carried it yet. Call it right
// before pushing the event, with no native call in between.
export function withStack(ev: Record<string, unknown>, s: SiteInfo): void {
  if (s.stack !== null) {
    ev.stack = s.stack;
    if (s.sid !== "") s.stack = null;
  }
}

const sites = new Map<number | string, Site>();
let nextSid = 1;
let siteKeyFn: any = null;
let jvmtiHandle: NativePointer = NULL;
let getStackTrace: NativePointer = NULL;
let flavor = "";
let useBacktrace = false;
let Log: any = undefined;
let Throwable: any = null;
let JThread: any = null;

const SITE_KEY_C = `
#include <glib.h>
typedef struct { gpointer method; gint64 location; } FrameInfo;
typedef int (* GetStackTraceFn) (gpointer env, gpointer thread, int start, int max, FrameInfo * buf, int * count);
double site_key (gpointer env, gpointer fn, int max) {
  FrameInfo buf[64];
  int n = 0;
  if (max > 64) max = 64;
  if (((GetStackTraceFn) fn) (env, NULL, 0, max, buf, &n) != 0) return -1.0;
  guint64 h = 1469598103934665603ULL;
  for (int i = 0; i < n; i++) {
    h ^= (guint64) (gsize) buf[i].method; h *= 1099511628211ULL;
    h ^= (guint64) buf[i].location; h *= 1099511628211ULL;
  }
  return (double) (gint64) (h & 0xFFFFFFFFFFFFFULL);
}
`;

// Called once Java is usable (inside Java.perform).
export function initStacks(): string {
  const api = (Java as any).api;
  flavor = api !== undefined && api !== null ? String(api.flavor) : "";
  try {
    Log = Java.use("android.util.Log");
  } catch (e) {
    Log = undefined;
  }
  Throwable = Java.use("java.lang.Throwable");
  JThread = Java.use("java.lang.Thread");
  let why = "";
  useBacktrace = false;
  if (config.stackImpl === "throwable") return "throwable (forced)";
  if (config.stackImpl === "broken") return "broken (forced)";
  if (flavor === "art") {
    // Java.backtrace() needs ART internals in the forms of Android 8+; on Android 6/7 it throws.
    // Probe it once: a failure here must not cost every event its stack (or the event itself).
    try {
      const probe: any = (Java as any).backtrace({ limit: 2 });
      if (probe === null || probe === undefined || !Array.isArray(probe.frames)) throw new Error("no frames");
      useBacktrace = true;
      return "art-backtrace";
    } catch (e) {
      return `art-throwable (Java.backtrace unavailable: ${head(String(e), 120)})`;
    }
  }
  if (flavor === "jvm" && (api.jvmti === undefined || api.jvmti === null)) why = " (no JVMTI environment)";
  if (flavor === "jvm" && api.jvmti !== undefined && api.jvmti !== null) {
    try {
      jvmtiHandle = api.jvmti.handle as NativePointer;
      getStackTrace = jvmtiHandle.readPointer().add((104 - 1) * Process.pointerSize).readPointer();
      const cm = new CModule(SITE_KEY_C);
      // exclusive: keep the JS lock across this short call (it never calls back into JS)
      siteKeyFn = new NativeFunction(cm.site_key, "double", ["pointer", "pointer", "int"], { scheduling: "exclusive", exceptions: "propagate" });
      keepAlive.push(cm);
      return "jvmti";
    } catch (e) {
      siteKeyFn = null;
      why = ` (JVMTI call-site keys failed: ${head(String(e), 120)})`;
    }
  }
  return "throwable" + why;
}
const keepAlive: unknown[] = [];

function cleanFrame(f: string): string {
  // JDK 9+ prints "module@version/" or "app//" before the class; drop it.
  const paren = f.indexOf("(");
  const slash = f.lastIndexOf("/", paren >= 0 ? paren : f.length);
  if (slash >= 0) f = f.substring(slash + 1);
  return cut(f, 300);
}

function fromTraceString(s: string): string[] {
  const out: string[] = [];
  for (const line of s.split("\n")) {
    const l = line.trim();
    if (l.startsWith("at ")) {
      out.push(cleanFrame(l.substring(3)));
      if (out.length >= 64) break;
    } else if (out.length > 0 && !l.startsWith("...")) {
      break; // "Caused by" and the like: only the first trace counts
    }
  }
  return out;
}

// The full text stack of the current thread, one way or another.
export function fullStack(how: "log" | "frames" = "log"): string[] {
  if (useBacktrace && how === "log") {
    const bt: any = (Java as any).backtrace({ limit: 64 });
    return (bt.frames as any[]).map((f: any) => cut(`${f.className}.${f.methodName}(${f.fileName}:${f.lineNumber})`, 300));
  }
  const t = Throwable.$new();
  if (how === "log" && Log !== undefined) return fromTraceString(Log.getStackTraceString(t) as string);
  const frames = t.getStackTrace();
  const out: string[] = [];
  const n = Math.min(frames.length as number, 64);
  for (let i = 0; i < n; i++) out.push(cleanFrame(String(frames[i].toString())));
  return out;
}

export function callerOf(stack: string[]): string {
  for (const f of stack) if (!isFramework(f)) return f;
  return "";
}

// The stack starts inside the hooked method itself (a native frame once replaced); the call
// belongs to whoever called it, so those frames are dropped.
function dropHooked(stack: string[], holder: string, method: string): string[] {
  if (method === "") return stack;
  const mark = "." + (method === "$init" ? "<init>" : method) + "(";
  let i = 0;
  while (i < stack.length && i < 4 && stack[i].includes(mark) && (stack[i].startsWith(holder + ".") || stack[i].endsWith("(Native Method)"))) i++;
  return i === 0 ? stack : stack.slice(i);
}

function siteKey(): number | string | null {
  if (siteKeyFn !== null) {
    const k = siteKeyFn(jvmtiHandle, getStackTrace, config.stackDepth) as number;
    return k >= 0 ? k : null;
  }
  if (useBacktrace) {
    const bt: any = (Java as any).backtrace({ limit: config.stackDepth });
    return bt.id as string;
  }
  return null;
}

// Stack capture failures: the event goes out without a stack (caller "" and no sid), and the
// first failure, plus a count every 1000, is reported as an agent error.
let stackFailures = 0;
function noStack(e: unknown): SiteInfo {
  stackFailures++;
  if (stackFailures === 1 || stackFailures % 1000 === 0) {
    send({ type: "agent:error", where: "stack", message: `stack capture failed (${stackFailures}x), events sent without a stack: ${head(String(e), 200)}` });
  }
  return { sid: "", caller: "", stack: null };
}

export function stackFailureCount(): number {
  return stackFailures;
}

// Site information for the current call according to config.stack. Never throws: an event whose
// stack cannot be taken is still recorded, without a stack.
export function site(holder: string = "", method: string = ""): SiteInfo {
  try {
    return siteOrThrow(holder, method);
  } catch (e) {
    return noStack(e);
  }
}

function siteOrThrow(holder: string, method: string): SiteInfo {
  const mode = config.stack;
  if (config.stackImpl === "broken" && mode !== "none") throw new Error("stack capture disabled by stackImpl=broken");
  if (mode === "none") return { sid: "", caller: "", stack: null };
  if (mode === "every" || mode === "frames") {
    const stack = dropHooked(fullStack(mode === "every" ? "log" : "frames"), holder, method);
    return { sid: "", caller: callerOf(stack), stack };
  }
  const key = siteKey();
  if (key !== null) {
    const known = sites.get(key);
    if (known !== undefined) return known;
  }
  const stack = dropHooked(fullStack("log"), holder, method);
  const caller = callerOf(stack);
  if (key === null || sites.size >= config.siteLimit) return { sid: "", caller, stack };
  const entry: Site = { sid: "s" + (nextSid++).toString(36), caller, stack };
  sites.set(key, entry);
  return entry;
}

export function siteCount(): number {
  return sites.size;
}

// Thread names are cached per thread id for a second (a JNI round trip each otherwise).
const names = new Map<number, [string, number]>();
export function threadName(tid: number, now: number): string {
  const hit = names.get(tid);
  if (hit !== undefined && now - hit[1] < 1000) return hit[0];
  let name = "";
  try {
    name = cut(String(JThread.currentThread().getName()), 120);
  } catch (e) {
    name = "?";
  }
  if (names.size > 4096) names.clear();
  names.set(tid, [name, now]);
  return name;
}
