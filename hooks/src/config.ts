// Agent configuration, sent by the host through the `init` export.
// The hook list is the catalogue (harness/catalog/apis.yaml) serialized by Api.to_agent():
// the agent holds no list of its own, so the catalogue stays data.

import { head } from "./text.js";

export interface ArgFilter {
  arg: number;
  op: "equals" | "prefix" | "contains" | "glob" | "fd_path" | "foreign_package" | "foreign_component" | "sensor_type" | "path_glob";
  values: string[];
}

export interface ApiSpec {
  id: string;
  kind: "java" | "native" | "lifecycle";
  cat: string;
  cls: string[];
  m: string;
  ret: boolean;
  api?: [number, number | null]; // API levels where the method exists; others are skipped
  ov?: string[];
  f?: ArgFilter;
  perms?: number;
  life?: "started" | "foreground" | "background" | "visible" | "hidden";
  sym?: string[];
  retArg?: number;
}

// stack: how Java stacks are captured.
//   site   - a cheap call-site key on every call, the full stack once per call site (default)
//   every  - full stack on every call via android.util.Log.getStackTraceString (one JNI call)
//   frames - full stack on every call via Throwable.getStackTrace(), one JNI call per frame
//            (the usual approach of public scripts; kept for the benchmark)
//   none   - no stacks
// stackImpl: how a stack is taken on the device.
//   auto      - ART: the bridge's Java.backtrace() (call-site keys + frames) when it works on
//               this runtime, checked once at start; on runtimes that lack the ART functions it
//               needs (Android 6/7) Log.getStackTraceString(new Throwable()), one JNI call.
//               HotSpot: JVMTI call-site keys, text stacks through Log or Throwable.
//   throwable - always the Throwable route, without call-site keys (forces the fallback).
//   broken    - every capture throws (tests: the event must still be sent, without a stack).
// java: auto = hook Java if the runtime is present now; wait = wait for a JVM to be created
//       (spawned `java` launcher); off = no Java hooks.
export interface Config {
  apis: ApiSpec[];
  package: string;
  flushMs: number;
  maxBatch: number;
  maxBatchBytes: number;
  batch: boolean;
  fold: boolean;
  record: boolean;
  stack: "site" | "every" | "frames" | "none";
  stackImpl: "auto" | "throwable" | "broken";
  // honey values: [api id, planted value] pairs; a hooked String getter with an entry returns
  // the planted value instead of the real one (never in place of null: an API that gives a
  // normal app nothing keeps giving nothing), and the agent sends one "honey" event per pair
  honey: string[][];
  // object honey (honey_objects.ts): a planted point [lat, lon], contact [name, phone],
  // clipboard text and package name; empty = not planted
  honeyLoc: number[];
  honeyContact: string[];
  honeyClip: string;
  honeyPkg: string;
  // the cipher hook (cipher.ts): Cipher.doFinal plaintexts in ENCRYPT mode; at most cipherRate
  // events per second (the rest counted) and cipherMaxBytes of plaintext per process
  cipher: boolean;
  cipherRate: number;
  cipherMaxBytes: number;
  stackDepth: number;
  siteLimit: number;
  maxStr: number;
  java: "auto" | "wait" | "off";
  native: boolean;
  waitJavaMs: number;
  searchLoaders: boolean;
  framework: string[];
  sdk: number; // the device's API level; 0 = read android.os.Build$VERSION.SDK_INT (none on a JVM: no level check)
}

export const config: Config = {
  apis: [],
  package: "",
  flushMs: 50,
  maxBatch: 2000,
  maxBatchBytes: 1 << 20,
  batch: true,
  fold: true,
  record: true,
  stack: "site",
  stackImpl: "auto",
  honey: [],
  honeyLoc: [],
  honeyContact: [],
  honeyClip: "",
  honeyPkg: "",
  cipher: false,
  cipherRate: 50,
  cipherMaxBytes: 16 << 20,
  stackDepth: 16,
  siteLimit: 20000,
  maxStr: 512,
  java: "auto",
  native: true,
  waitJavaMs: 15000,
  searchLoaders: true,
  sdk: 0,
  framework: ["java", "javax", "android", "androidx", "kotlin", "kotlinx", "dalvik", "com.android", "sun", "jdk", "libcore"],
};

const LIMITS: Record<string, [number, number]> = {
  flushMs: [5, 10000],
  maxBatch: [1, 20000],
  maxBatchBytes: [4096, 4 << 20],
  stackDepth: [2, 64],
  siteLimit: [0, 50000],
  maxStr: [16, 2048],
  waitJavaMs: [0, 120000],
  sdk: [0, 100],
  cipherRate: [1, 10000],
  cipherMaxBytes: [0, 64 << 20],
};

// Copies known keys from the host's object, clamping numbers to sane bounds.
export function applyConfig(raw: any): void {
  if (raw === null || typeof raw !== "object") return;
  const c: any = config;
  for (const key of Object.keys(config)) {
    if (!(key in raw)) continue;
    const v = raw[key];
    const cur = c[key];
    if (typeof cur === "number" && typeof v === "number" && isFinite(v)) {
      const [lo, hi] = LIMITS[key] ?? [0, Number.MAX_SAFE_INTEGER];
      c[key] = Math.min(hi, Math.max(lo, Math.floor(v)));
    } else if (typeof cur === "boolean" && typeof v === "boolean") {
      c[key] = v;
    } else if (typeof cur === "string" && typeof v === "string") {
      c[key] = head(v, 300);
    } else if (Array.isArray(cur) && Array.isArray(v)) {
      c[key] = v;
    }
  }
}
