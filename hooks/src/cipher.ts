// The cipher hook (config.cipher): every encryption the app finishes is reported with its
// plaintext, so a flow carrying the ciphertext can be searched through what was encrypted
// (harness/network/cipher.py, the matcher).
//
// javax.crypto.Cipher: init (every overload) tells the mode of a Cipher object (remembered by
// identity, at most 512 objects); in ENCRYPT mode update (every overload) and doFinal (every
// overload) collect the input (the first 64 KiB) and the first 48 bytes of the output; doFinal
// sends one event {"k": "cipher", alg, pt (base64), ptLen, ct (base64 head), ctLen, caller,
// sid, stack} and starts the object afresh. ByteBuffer forms (update/doFinal(ByteBuffer,
// ByteBuffer)) are read whether the buffers are heap or direct (a direct buffer's bytes are
// copied out through a duplicate, within the same bounds), and the input is read before the call
// (an in-place encryption overwrites it). Decryption, wrapping and the cipher calls made by
// the TLS stack itself (the caller frame is inside the platform's TLS or crypto provider) are
// passed through untouched.
//
// Bounded: at most config.cipherRate events per second (the rest are counted in cipherState
// and reported once per second as an agent error), at most config.cipherMaxBytes of plaintext
// per process (later events carry the ciphertext head only, ptLen still says how long the
// plaintext was), and identical calls (same site, algorithm, lengths, ciphertext head) inside
// one batch are folded by buffer.ts.
import Java from "frida-java-bridge";
import { config } from "./config.js";
import { push } from "./buffer.js";
import { site, withStack, fullStack, callerOf } from "./stacks.js";
import { isHooked } from "./java.js";
import { reportError } from "./report.js";

const MAX_PT = 64 * 1024;
const MAX_CT = 48;
const MAX_OBJECTS = 512;
const ENCRYPT_MODE = 1;
// Frames of the platform's own TLS and crypto code: their cipher calls are not the app's
const INTERNAL = ["sun.security.", "com.sun.crypto.", "com.android.org.conscrypt.", "org.conscrypt.", "android.security.keystore", "javax.net.ssl.", "okhttp3.internal.tls"];

interface CState {
  alg: string;
  pt: ArrayBuffer[];
  ptLen: number; // bytes kept
  ptTotal: number; // bytes seen
  ct: ArrayBuffer[];
  ctKept: number;
  ctTotal: number;
}

export const cipherState = { hooked: 0, events: 0, dropped: 0, bytes: 0, internal: 0, direct: 0 };
const states = new Map<number, CState>();
const internalSite = new Map<string, boolean>();
const depth = new Map<number, number>();
let System_: any = null;
let Buffer_: any = null;
let ByteBuffer_: any = null;
let windowStart = 0;
let windowCount = 0;
let windowDropped = 0;

function identity(obj: any): number {
  if (System_ === null) System_ = Java.use("java.lang.System");
  return System_.identityHashCode(obj) as number;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

export function base64(parts: ArrayBuffer[], limit: number): string {
  const total = Math.min(limit, parts.reduce((n, p) => n + p.byteLength, 0));
  const bytes = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    if (o >= total) break;
    const take = Math.min(p.byteLength, total - o);
    bytes.set(new Uint8Array(p, 0, take), o);
    o += take;
  }
  let out = "";
  let i = 0;
  for (; i + 2 < total; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + B64[n & 63];
  }
  if (i < total) {
    const n = (bytes[i] << 16) | ((i + 1 < total ? bytes[i + 1] : 0) << 8);
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] + (i + 1 < total ? B64[(n >> 6) & 63] : "=") + "=";
  }
  return out;
}

// Bytes [off, off+len) of a Java byte[] (a frida-java-bridge primitive array), or null.
function slice(arr: any, off: number, len: number): ArrayBuffer | null {
  if (arr === null || arr === undefined || len <= 0) return null;
  const n = arr.length as number;
  if (off < 0 || off >= n) return null;
  const take = Math.min(len, n - off);
  return arr.withElements((p: NativePointer) => p.add(off).readByteArray(take)) as ArrayBuffer | null;
}

// Bytes [from, to) of a ByteBuffer, or null. A heap buffer is read from its backing array; a
// direct (or read-only) buffer has none the agent can reach, so its bytes are copied out through a
// duplicate (own position and limit: the app's buffer is not moved) into a heap buffer of exactly
// that size, one bulk copy (the caller bounds it: MAX_PT or MAX_CT bytes).
function bufferSlice(buf: any, from: number, to: number): ArrayBuffer | null {
  if (buf === null || buf === undefined || to <= from) return null;
  try {
    if (buf.hasArray()) return slice(buf.array(), buf.arrayOffset() + from, to - from);
    if (Buffer_ === null) Buffer_ = Java.use("java.nio.Buffer");
    if (ByteBuffer_ === null) ByteBuffer_ = Java.use("java.nio.ByteBuffer");
    const dup = buf.duplicate();
    const view = Java.cast(dup, Buffer_);
    if (to > (view.capacity() as number) || from < 0) return null;
    view.limit(to);
    view.position(from);
    const heap = ByteBuffer_.allocate(to - from);
    heap.put(dup);
    cipherState.direct++;
    return slice(heap.array(), 0, to - from);
  } catch (e) {
    reportError("cipher ByteBuffer read", e);
    return null;
  }
}

function addPt(st: CState, data: ArrayBuffer | null, seen: number): void {
  st.ptTotal += seen;
  if (data === null || st.ptLen >= MAX_PT) return;
  const take = Math.min(data.byteLength, MAX_PT - st.ptLen);
  st.pt.push(take === data.byteLength ? data : data.slice(0, take));
  st.ptLen += take;
}

function addCt(st: CState, data: ArrayBuffer | null, seen: number): void {
  st.ctTotal += seen;
  if (data === null || st.ctKept >= MAX_CT) return;
  const take = Math.min(data.byteLength, MAX_CT - st.ctKept);
  st.ct.push(data.slice(0, take));
  st.ctKept += take;
}

function fresh(alg: string): CState {
  return { alg, pt: [], ptLen: 0, ptTotal: 0, ct: [], ctKept: 0, ctTotal: 0 };
}

// Input and output of one update/doFinal call, from its signature and results.
// What a ByteBuffer call's input held before the call (the output may be the same memory: an
// in-place encryption overwrites the plaintext) and the buffers' positions.
interface Before {
  at: number[]; // input position, input limit, output position
  pt: ArrayBuffer | null; // the input's first MAX_PT bytes
}

function collect(st: CState, sig: string, args: any[], ret: any, before: Before): void {
  switch (sig) {
    case "":
      break;
    case "[B":
      addPt(st, slice(args[0], 0, MAX_PT), args[0] === null ? 0 : (args[0].length as number));
      break;
    case "[B,int,int":
    case "[B,int,int,[B":
    case "[B,int,int,[B,int":
      addPt(st, slice(args[0], args[1], Math.min(args[2], MAX_PT)), args[2] as number);
      break;
    case "java.nio.ByteBuffer,java.nio.ByteBuffer": {
      const [inPos, inLim, outPos] = before.at;
      addPt(st, before.pt, inLim - inPos);
      addCt(st, bufferSlice(args[1], outPos, outPos + Math.min(ret as number, MAX_CT)), ret as number);
      return;
    }
    default:
      break;
  }
  if (typeof ret === "number") {
    // output written into the caller's array: (out) or (out, outOff)
    const outIdx = sig === "[B,int" ? 0 : sig === "[B,int,int,[B" || sig === "[B,int,int,[B,int" ? 3 : -1;
    if (outIdx < 0) return;
    const outOff = sig === "[B,int" ? (args[1] as number) : sig === "[B,int,int,[B,int" ? (args[4] as number) : 0;
    addCt(st, slice(args[outIdx], outOff, Math.min(ret, MAX_CT)), ret);
  } else if (ret !== null && ret !== undefined) {
    addCt(st, slice(ret, 0, MAX_CT), ret.length as number);
  }
}

function allowed(): boolean {
  const now = Date.now();
  if (now - windowStart >= 1000) {
    if (windowDropped > 0) reportError("cipher", `${windowDropped} encryption(s) in one second over the limit of ${config.cipherRate}/s: counted, not reported`);
    windowStart = now;
    windowCount = 0;
    windowDropped = 0;
  }
  if (windowCount >= config.cipherRate) {
    windowDropped++;
    cipherState.dropped++;
    return false;
  }
  windowCount++;
  return true;
}

function finish(st: CState, ts: number): void {
  if (!allowed()) return;
  let s = site("javax.crypto.Cipher", "doFinal");
  if (s.stack === null && s.sid === "" && s.caller === "" && config.stack !== "none") {
    // The usual capture failed. On a desktop JVM it goes through the app's android.util.Log,
    // which a bootstrap class (Cipher) cannot resolve; Throwable's own frames always work.
    try {
      const frames = fullStack("frames");
      let i = 0;
      while (i < frames.length && i < 6 && (frames[i].startsWith("javax.crypto.Cipher.") || frames[i].endsWith("(Native Method)"))) i++;
      const stack = frames.slice(i);
      s = { sid: "", caller: callerOf(stack), stack };
    } catch (e) {
      /* no stack: the event still goes out */
    }
  }
  let internal = false;
  if (s.stack !== null) {
    const first = s.stack.length > 0 ? s.stack[0] : "";
    internal = INTERNAL.some((p) => first.startsWith(p));
    if (s.sid !== "") internalSite.set(s.sid, internal);
  } else if (s.sid !== "") {
    internal = internalSite.get(s.sid) ?? false;
  }
  if (internal) {
    cipherState.internal++;
    return;
  }
  const keepPt = cipherState.bytes + st.ptLen <= config.cipherMaxBytes;
  if (keepPt) cipherState.bytes += st.ptLen;
  const ct = base64(st.ct, MAX_CT);
  const ev: Record<string, unknown> = {
    k: "cipher", ts, alg: st.alg, pt: keepPt ? base64(st.pt, MAX_PT) : "", ptLen: st.ptTotal, ct, ctLen: st.ctTotal, caller: s.caller, sid: s.sid,
  };
  withStack(ev, s);
  cipherState.events++;
  const fold = s.sid === "" ? null : `cipher|${s.sid}|${st.alg}|${st.ptTotal}|${st.ctTotal}|${ct}`;
  push(ev, fold);
}

export function installCipher(): void {
  if (!config.cipher) return;
  let C: any;
  try {
    C = Java.use("javax.crypto.Cipher");
  } catch (e) {
    reportError("cipher", e);
    return;
  }
  const sigOf = (ov: any): string => (ov.argumentTypes as any[]).map((t: any) => String(t.className)).join(",");
  for (const ov of C.init.overloads as any[]) {
    if (isHooked(ov)) continue;
    ov.implementation = function (this: any, ...args: any[]): any {
      const r = ov.apply(this, args);
      try {
        const id = identity(this);
        if (args[0] === ENCRYPT_MODE) {
          states.delete(id);
          states.set(id, fresh(String(this.getAlgorithm())));
          if (states.size > MAX_OBJECTS) {
            const first = states.keys().next();
            if (!first.done) states.delete(first.value);
          }
        } else {
          states.delete(id);
        }
      } catch (e) {
        reportError("cipher init", e);
      }
      return r;
    };
    cipherState.hooked++;
  }
  for (const method of ["update", "doFinal"]) {
    const final = method === "doFinal";
    for (const ov of C[method].overloads as any[]) {
      if (isHooked(ov)) continue;
      const sig = sigOf(ov);
      ov.implementation = function (this: any, ...args: any[]): any {
        if (states.size === 0) return ov.apply(this, args);
        const tid = Process.getCurrentThreadId();
        const d = depth.get(tid) ?? 0;
        let st: CState | undefined;
        let id = 0;
        if (d === 0) {
          try {
            id = identity(this);
            st = states.get(id);
          } catch (e) {
            st = undefined;
          }
        }
        if (st === undefined) return ov.apply(this, args);
        const before: Before = { at: [0, 0, 0], pt: null };
        if (sig === "java.nio.ByteBuffer,java.nio.ByteBuffer") {
          try {
            // position() and limit() are Buffer's: ByteBuffer itself declares only the setters
            if (Buffer_ === null) Buffer_ = Java.use("java.nio.Buffer");
            const inb = Java.cast(args[0], Buffer_);
            before.at = [inb.position(), inb.limit(), Java.cast(args[1], Buffer_).position()];
            before.pt = bufferSlice(args[0], before.at[0], Math.min(before.at[1], before.at[0] + MAX_PT));
          } catch (e) {
            reportError("cipher ByteBuffer", e);
          }
        }
        const ts = Date.now();
        depth.set(tid, d + 1);
        let ret: any;
        try {
          ret = ov.apply(this, args);
        } finally {
          if (d === 0) depth.delete(tid);
          else depth.set(tid, d);
        }
        try {
          collect(st, sig, args, ret, before);
          if (final) {
            finish(st, ts);
            states.set(id, fresh(st.alg)); // a Cipher is reset to its init state by doFinal
          }
        } catch (e) {
          reportError("cipher " + method, e);
        }
        return ret;
      };
      cipherState.hooked++;
    }
  }
}
