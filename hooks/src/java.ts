// Java hooks: every catalogue entry of kind java or lifecycle.
//
// Entries hooking the same (class, method) are grouped: filtered variants are tried in
// catalogue order and the first match names the event; an unfiltered entry is the fallback;
// a call matching nothing is passed through without a trace. Every overload (or the listed
// ones) is replaced; a method missing on this platform, abstract, or a class that cannot be
// loaded is reported as skipped instead of failing the whole agent.
import Java from "frida-java-bridge";
import type { ApiSpec } from "./config.js";
import { config } from "./config.js";
import { push, type WireEvent } from "./buffer.js";
import { site, threadName, fullStack, callerOf, withStack } from "./stacks.js";
import { cut, javaText, sourceType, summarize } from "./summary.js";
import { reportError } from "./report.js";
import { head } from "./text.js";

interface Group {
  cls: string;
  method: string;
  variants: ApiSpec[]; // filtered first, then the unfiltered fallback (if any)
}

export const javaState = { hooked: 0, overloads: 0, skipped: [] as string[], pending: [] as Group[], sdk: 0, late: 0 };
// Groups whose class is an interface or abstract (e.g. FusedLocationProviderClient since
// play-services-location 21): hooked on the concrete class of the first object a hooked factory
// returns with that declared type (LocationServices.getFusedLocationProviderClient).
const abstractGroups = new Map<string, Group[]>();
const implHooked = new Set<string>();
const globCache = new Map<string, RegExp>();
const hookedHandles = new Set<string>();
// What the app gets from a hooked call may be changed after the call (honey_objects.ts): by
// catalogue api id, applied at every nesting depth (a planted object must be the same whoever
// asks). A transform that throws leaves the real value.
export const retHooks = new Map<string, (self: any, args: any[], ret: any, ts: number) => any>();
// Looks at a hooked call's arguments before the call runs (honey_objects.ts: a listener handed to
// a location SDK, which may call it back before the call returns), by catalogue api id.
export const argHooks = new Map<string, (self: any, args: any[]) => void>();

// Whether a method overload is already replaced by a catalogue hook (another module must not
// replace it a second time: the later implementation would win).
export function isHooked(ov: any): boolean {
  return hookedHandles.has(String(ov.handle));
}
const depth = new Map<string, number>();

function groupSpecs(specs: ApiSpec[]): Group[] {
  const groups = new Map<string, Group>();
  for (const spec of specs) {
    if (spec.kind !== "java" && spec.kind !== "lifecycle") continue;
    for (const cls of spec.cls) {
      const key = cls + "#" + spec.m;
      let g = groups.get(key);
      if (g === undefined) {
        g = { cls, method: spec.m, variants: [] };
        groups.set(key, g);
      }
      g.variants.push(spec);
    }
  }
  for (const g of groups.values()) g.variants.sort((a, b) => (a.f === undefined ? 1 : 0) - (b.f === undefined ? 1 : 0));
  return [...groups.values()];
}

function ownPackage(): string {
  if (config.package !== "") return config.package;
  try {
    const name = Java.use("android.app.ActivityThread").currentPackageName();
    if (typeof name === "string") config.package = name;
  } catch (e) {
    /* not on Android, or too early */
  }
  return config.package;
}

function intentTarget(intent: any): string {
  if (intent === null || intent === undefined) return "";
  try {
    const comp = intent.getComponent();
    if (comp !== null) return String(comp.getPackageName());
    const pkg = intent.getPackage();
    return pkg === null ? "" : String(pkg);
  } catch (e) {
    return "";
  }
}

// Does this call pass the variant's filter? Returns the argument text used (for the event).
function passes(spec: ApiSpec, args: any[]): boolean {
  const f = spec.f;
  if (f === undefined) return true;
  if (f.arg >= args.length) return false;
  const a = args[f.arg];
  switch (f.op) {
    case "foreign_package": {
      const own = ownPackage();
      return typeof a === "string" && a !== "" && a !== own;
    }
    case "foreign_component": {
      const target = intentTarget(a);
      return target !== "" && target !== ownPackage();
    }
    case "sensor_type": {
      if (a === null || a === undefined) return false;
      let t = "";
      try {
        t = String(typeof a === "number" ? a : a.getType());
      } catch (e) {
        return false;
      }
      return f.values.includes(t);
    }
    case "path_glob": {
      if (a === null || a === undefined) return false;
      const text = typeof a === "string" ? a : javaText(a);
      for (const v of f.values) if (globRe(v).test(text)) return true;
      return false;
    }
    default: {
      if (a === null || a === undefined) return false;
      const text = typeof a === "string" ? a : javaText(a);
      for (const v of f.values) {
        if (f.op === "equals" ? text === v : f.op === "prefix" ? text.startsWith(v) : text.includes(v)) return true;
      }
      return false;
    }
  }
}

// A path glob: "*" is any run of characters within one path segment, "**" crosses segments.
function globRe(glob: string): RegExp {
  let re = globCache.get(glob);
  if (re === undefined) {
    const body = glob
      .split("**")
      .map((part) => part.split("*").map((x) => x.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[^/]*"))
      .join(".*");
    re = new RegExp("^" + body + "$");
    globCache.set(glob, re);
  }
  return re;
}

function permsOf(v: any): string[] {
  if (v === null || v === undefined) return [];
  if (typeof v === "string") return [cut(v, 160)];
  if (typeof v === "object" && typeof v.length === "number") {
    const out: string[] = [];
    const n = Math.min(v.length as number, 32);
    for (let i = 0; i < n; i++) out.push(cut(String(v[i]), 160));
    return out;
  }
  return [cut(javaText(v), 160)];
}

// Foreground and background from the system's view, not from onPause: the app is in the
// foreground while at least one of its activities is started (visible). A dialog of another
// app over it (a permission dialog) pauses the activity but does not stop it, so it is not a
// background period; moving from one of the app's activities to another never reaches zero.
let visibleActivities = 0;

function lifeEvent(spec: ApiSpec, self: any, ts: number): void {
  let state: string = spec.life ?? "";
  if (state === "visible") {
    visibleActivities++;
    if (visibleActivities !== 1) return;
    state = "foreground";
  } else if (state === "hidden") {
    if (visibleActivities === 0) return;
    visibleActivities--;
    if (visibleActivities !== 0) return;
    state = "background";
  }
  let activity = "";
  if (spec.life !== "started") {
    try {
      activity = cut(String(self.getClass().getName()), 300);
    } catch (e) {
      activity = "";
    }
  }
  push({ k: "life", ts, state, activity, pid: Process.id, cause: state === "started" ? "process" : "" }, null);
}

// Per-overload constants, read once (the bridge computes some of these properties on access).
interface OvInfo {
  holder: string;
  method: string;
  label: string;
  argTypes: string[];
  retType: string;
}

function ovInfo(ov: any): OvInfo {
  const holder = String(ov.holder.$className);
  const method = String(ov.methodName);
  return {
    holder,
    method,
    label: holder + "." + method,
    argTypes: (ov.argumentTypes as any[]).map((t: any) => String(t.className)),
    retType: String(ov.returnType.className),
  };
}

function record(spec: ApiSpec, info: OvInfo, self: any, args: any[], ts: number, tid: number, ret: any, threw: any): void {
  if (spec.kind === "lifecycle") {
    lifeEvent(spec, self, ts);
    return;
  }
  const s = site(info.holder, info.method);
  if (spec.perms !== undefined) {
    const ev: WireEvent = { k: "perm", ts, perms: permsOf(args[spec.perms]), api: spec.id, caller: s.caller, sid: s.sid };
    withStack(ev, s);
    push(ev, null);
    return;
  }
  const parts: string[] = [];
  for (let i = 0; i < args.length && i < 12; i++) parts.push(summarize(args[i], info.argTypes[i], false));
  const argText = parts.length === 0 ? "" : cut(parts.join(", "), 1024);
  let retText = "";
  if (threw !== null) retText = cut("!threw " + String(threw), 300);
  else if (spec.ret) retText = summarize(ret, info.retType, true);
  const ev: WireEvent = {
    k: "api", id: spec.id, cat: spec.cat, m: info.label,
    ts, tid, th: threadName(tid, ts), args: argText, ret: retText, caller: s.caller, sid: s.sid,
  };
  const foldKey = s.sid === "" ? null : `${spec.id}|${s.sid}|${tid}|${argText}|${retText}`;
  withStack(ev, s);
  push(ev, foldKey);
}

// Honey values (config.honey): planted per run by the host, so a match in a network flow proves
// the value left the device. Built on first use from the config.
let honeyMap: Map<string, string> | null = null;
const honeySent = new Set<string>();

function honeyFor(spec: ApiSpec, retType: string, ret: any, ts: number): any {
  if (honeyMap === null) {
    honeyMap = new Map();
    for (const pair of config.honey) {
      if (Array.isArray(pair) && pair.length === 2 && typeof pair[0] === "string" && typeof pair[1] === "string" && pair[1] !== "") honeyMap.set(pair[0], head(pair[1], 256));
    }
  }
  if (honeyMap.size === 0 || retType !== "java.lang.String" || ret === null || ret === undefined) return ret;
  const planted = honeyMap.get(spec.id);
  if (planted === undefined) return ret;
  const key = spec.id + "|" + planted;
  if (!honeySent.has(key)) {
    honeySent.add(key);
    push({ k: "honey", ts, name: spec.id, cat: spec.cat, value: planted, api: spec.id }, null);
  }
  return planted;
}

function makeImpl(g: Group, ov: any): (this: any, ...args: any[]) => any {
  const variants = g.variants;
  const info = ovInfo(ov);
  return function (this: any, ...args: any[]): any {
    if (!config.record) return ov.apply(this, args);
    let spec: ApiSpec | null = null;
    for (const v of variants) {
      if (passes(v, args)) {
        spec = v;
        break;
      }
    }
    if (spec === null) return ov.apply(this, args);
    const ts = Date.now();
    // A hooked call made from inside another hooked call of the same category on the same
    // thread (ActivityCompat -> Activity.requestPermissions) is the same request: only the
    // outer one, the one the app made, is recorded.
    const tid = Process.getCurrentThreadId();
    const key = tid + ":" + spec.cat;
    const d = depth.get(key) ?? 0;
    depth.set(key, d + 1);
    let ret: any = null;
    let threw: any = null;
    if (argHooks.size > 0) {
      const look = argHooks.get(spec.id);
      if (look !== undefined) {
        try {
          look(this, args);
        } catch (e) {
          reportError("honey " + spec.id, e);
        }
      }
    }
    try {
      ret = ov.apply(this, args);
    } catch (e) {
      threw = e;
    } finally {
      if (d === 0) depth.delete(key);
      else depth.set(key, d);
    }
    if (threw === null && ret !== null && abstractGroups.has(info.retType)) hookImplementation(info.retType, ret);
    // the app gets the planted value, and the record shows what the app got
    if (threw === null && d === 0 && config.honey.length > 0) ret = honeyFor(spec, info.retType, ret, ts);
    if (threw === null && retHooks.size > 0) {
      const transform = retHooks.get(spec.id);
      if (transform !== undefined) {
        try {
          ret = transform(this, args, ret, ts);
        } catch (e) {
          reportError("honey " + spec.id, e);
        }
      }
    }
    if (d === 0) {
      try {
        record(spec, info, this, args, ts, tid, ret, threw);
      } catch (e) {
        reportError("record " + spec.id, e);
      }
    }
    if (threw !== null) throw threw;
    return ret;
  };
}

function signatureOf(ov: any): string {
  return "(" + (ov.argumentTypes as any[]).map((t: any) => sourceType(String(t.className))).join(",") + ")";
}

function abstractSigs(klass: any): Set<string> | null {
  try {
    const Modifier = Java.use("java.lang.reflect.Modifier");
    const out = new Set<string>();
    const methods = klass.class.getDeclaredMethods();
    for (let i = 0; i < methods.length; i++) {
      const m = methods[i];
      if (Modifier.isAbstract(m.getModifiers())) {
        const params = m.getParameterTypes();
        const names: string[] = [];
        for (let j = 0; j < params.length; j++) names.push(sourceType(String(params[j].getName())));
        out.add(m.getName() + "(" + names.join(",") + ")");
      }
    }
    return out;
  } catch (e) {
    return null;
  }
}

function useClass(name: string): any {
  try {
    return Java.use(name);
  } catch (e) {
    return null;
  }
}

// Returns null when hooked, or the reason it was not.
function hookGroup(g: Group, klass: any): string | null {
  const dispatcher = g.method === "$init" ? klass.$init : klass[g.method];
  if (dispatcher === undefined || dispatcher === null || dispatcher.overloads === undefined) return `method ${g.method} not found in ${g.cls}`;
  const wanted = new Set<string>();
  for (const v of g.variants) for (const s of v.ov ?? []) wanted.add(s);
  const all = g.variants.some((v) => v.ov === undefined);
  const abstracts = abstractSigs(klass);
  let n = 0;
  let abstractSeen = 0;
  for (const ov of dispatcher.overloads as any[]) {
    const sig = signatureOf(ov);
    if (!all && !wanted.has(sig)) continue;
    if (abstracts !== null && abstracts.has(g.method + sig)) {
      abstractSeen++;
      continue;
    }
    const handle = String(ov.handle);
    if (hookedHandles.has(handle)) {
      n++;
      continue;
    }
    try {
      ov.implementation = makeImpl(g, ov);
      hookedHandles.add(handle);
      javaState.overloads++;
      n++;
    } catch (e) {
      return `${g.cls}.${g.method}${sig}: ${cut(String(e), 160)}`;
    }
  }
  if (n > 0) return null;
  if (abstractSeen > 0) {
    const list = abstractGroups.get(g.cls) ?? [];
    if (!list.includes(g)) list.push(g);
    abstractGroups.set(g.cls, list);
    return `${g.cls}.${g.method} is abstract: hooked later on the implementation a hooked factory returns`;
  }
  return `no overload of ${g.cls}.${g.method} matches ${[...wanted].join(" ")}`;
}

// The concrete class behind an interface-typed return value: hook the interface's groups there.
function hookImplementation(iface: string, obj: any): void {
  let name = "";
  try {
    // an interface-typed wrapper has no Object methods: cast before asking for the class
    const klass = Java.cast(obj, Java.use("java.lang.Object")).getClass();
    name = String(klass.getName());
    if (implHooked.has(iface + ">" + name)) return;
    implHooked.add(iface + ">" + name);
    const loader = klass.getClassLoader();
    const factory = loader === null ? null : Java.ClassFactory.get(loader);
    const impl = factory === null ? Java.use(name) : factory.use(name);
    for (const g of abstractGroups.get(iface) ?? []) {
      const why = hookGroup({ cls: name, method: g.method, variants: g.variants }, impl);
      if (why === null) javaState.late++;
      else reportError(`hook ${g.variants[0]?.id ?? g.method} on ${name}`, why);
    }
  } catch (e) {
    reportError(`hook implementation ${name || iface}`, e);
  }
}

// The catalogue's groups of interface `iface` hooked on the class of `obj` (an object of that
// interface the app is handed some other way than by a hooked factory's return value); false when
// the catalogue has no such interface group (switched off, or the class was not found).
export function hookImplementationOf(iface: string, obj: any): boolean {
  if (obj === null || obj === undefined || !abstractGroups.has(iface)) return false;
  hookImplementation(iface, obj);
  return true;
}

// The device's API level: the host's value, else Build.VERSION.SDK_INT, else 0 (a desktop JVM:
// no Build class, every entry is tried).
function deviceSdk(): number {
  if (config.sdk > 0) return config.sdk;
  try {
    const v = Java.use("android.os.Build$VERSION").SDK_INT.value;
    return typeof v === "number" && v > 0 ? v : 0;
  } catch (e) {
    return 0;
  }
}

export function installJava(all: ApiSpec[]): void {
  const failures = new Map<string, string>();
  const hookedIds = new Set<string>();
  const missing: Group[] = [];
  const sdk = deviceSdk();
  javaState.sdk = sdk;
  const specs: ApiSpec[] = [];
  for (const a of all) {
    if (a.kind === "native") continue;
    const r = a.api;
    if (sdk > 0 && r !== undefined && (sdk < r[0] || (r[1] !== null && sdk > r[1]))) {
      javaState.skipped.push(cut(`${a.id}: not on API ${sdk} (exists in ${r[0]}-${r[1] === null ? "" : r[1]})`, 290));
      continue;
    }
    specs.push(a);
  }
  for (const g of groupSpecs(specs)) {
    const klass = useClass(g.cls);
    if (klass === null) {
      missing.push(g);
      continue;
    }
    const why = hookGroup(g, klass);
    for (const v of g.variants) {
      if (why === null) hookedIds.add(v.id);
      else failures.set(v.id, why);
    }
  }
  // Classes not visible to the default loader may live in another one (attach to a running app).
  if (missing.length > 0 && config.searchLoaders && (Java as any).api?.flavor === "art") {
    try {
      const loaders = Java.enumerateClassLoadersSync();
      for (const g of missing.splice(0)) {
        let done = false;
        for (const loader of loaders) {
          try {
            const factory = Java.ClassFactory.get(loader);
            const klass = factory.use(g.cls);
            const why = hookGroup(g, klass);
            for (const v of g.variants) {
              if (why === null) hookedIds.add(v.id);
              else failures.set(v.id, why);
            }
            done = true;
            break;
          } catch (e) {
            /* not in this loader */
          }
        }
        if (!done) missing.push(g);
      }
    } catch (e) {
      reportError("enumerate class loaders", e);
    }
  }
  for (const g of missing) for (const v of g.variants) if (!failures.has(v.id)) failures.set(v.id, `class ${g.cls} not found`);
  for (const id of hookedIds) failures.delete(id);
  javaState.hooked += hookedIds.size;
  for (const [id, why] of failures) javaState.skipped.push(cut(`${id}: ${why}`, 290));
}

export { fullStack, callerOf };
