// Network hooks: getting the app's traffic to the harness proxy, readable.
//
// 1. TCP connect redirect. java.net.Socket.connect(SocketAddress, int) - every Socket path funnels
//    through it (new Socket(host, port), HttpURLConnection, OkHttp, SSLSocketFactory.createSocket
//    (host, port)) - and SocketChannel connects (blocking at once, non-blocking ones when
//    finishConnect sees the connection to the proxy complete, see hookSocketChannel) are sent to
//    the harness proxy instead of the destination: the agent connects to the proxy with the
//    original implementation, speaks an HTTP CONNECT preface on the raw socket naming the
//    original address and a fresh correlation token (header X-Consent-Harness-Conn), reads the
//    proxy's 200 and returns to the app as if it had connected directly. mitmproxy then handles TLS or plain HTTP inside the tunnel and
//    records the token on every flow of that connection. One {"k": "conn"} event per redirected
//    connect carries the token, the destination and the Java stack, so each flow joins the code
//    that opened its connection. Never redirected: the proxy itself and the `direct` CIDRs
//    (default loopback). A proxy that cannot be reached fails the connect (nothing leaves
//    unseen) and is reported.
// 2. QUIC refusal. UDP to port 443 (DatagramSocket and DatagramChannel connect/send) throws the
//    SocketException a firewalled network gives, so apps fall back to TCP; every attempt is
//    counted ({"k": "quic"} events, folded per call site).
// 3. Trust (API 34+, where system roots live in the Conscrypt APEX and a CA cannot be installed
//    as a system CA): the platform trust managers (Conscrypt's TrustManagerImpl on Android,
//    X509TrustManagerImpl on HotSpot) accept a chain whose leaf our CA signed, in addition to
//    everything they accept already; any other chain goes to the original check unchanged.
// 4. Unpinning (option): pinning checks that refuse a chain issued by our CA let it pass - OkHttp
//    CertificatePinner (3.x and 4.x), Android's internal com.android.okhttp pinner, the Network
//    Security Config pin sets, app-supplied X509TrustManagers given to SSLContext.init, WebView
//    SSL errors (proceed only for our CA). With unpinning off, a CertificatePinner refusing our
//    chain (after the handshake, so the proxy never sees it) is reported as {"k": "pin"}.
// A class missing on this runtime (Android names on HotSpot and the reverse) is skipped and named
// once in the ready message's "skipped" list.
import Java from "frida-java-bridge";
import { push, type WireEvent } from "./buffer.js";
import { site, threadName, withStack } from "./stacks.js";
import { reportError } from "./report.js";
import { head } from "./text.js";

export interface NetConfig {
  proxy: string; // "host:port" of the harness proxy as the app reaches it; "" = no redirect
  direct: string[]; // CIDRs never redirected (the proxy's own address never is)
  quic: "block" | "allow";
  ca: string; // PEM of the harness CA ("" = no trust or unpinning hooks)
  trust: boolean;
  unpin: boolean;
  prefaceMs: number; // how long the proxy may take to answer CONNECT
  checkFaults: number; // tests only: this many certificate checks fail as the bridge can fail
}

export const netConfig: NetConfig = { proxy: "", direct: ["127.0.0.0/8", "::1/128"], quic: "allow", ca: "", trust: true, unpin: true, prefaceMs: 15000, checkFaults: 0 };

export const netState = {
  hooked: 0,
  skipped: [] as string[],
  redirected: 0,
  direct: 0,
  failed: 0,
  quic: 0,
  trusted: 0,
  unpinned: 0,
  refused: 0,
  checkRetries: 0, // certificate checks tried again after a failure that was not about the certificate
  prefaceUs: 0, // total wall time spent in CONNECT prefaces, microseconds (ms resolution)
};

const TOKEN_HEADER = "X-Consent-Harness-Conn";

// Reads the "net" object of the host's init config; unknown or ill-typed keys are ignored.
export function applyNetConfig(raw: any): void {
  const n = raw !== null && typeof raw === "object" ? raw.net : undefined;
  if (n === null || typeof n !== "object") return;
  if (typeof n.proxy === "string" && /^[A-Za-z0-9.\-:\[\]]{1,300}:\d{1,5}$/.test(n.proxy)) netConfig.proxy = n.proxy;
  if (Array.isArray(n.direct)) netConfig.direct = n.direct.filter((x: unknown) => typeof x === "string").slice(0, 64);
  if (n.quic === "block" || n.quic === "allow") netConfig.quic = n.quic;
  if (typeof n.ca === "string" && n.ca.length < 20000) netConfig.ca = n.ca;
  if (typeof n.trust === "boolean") netConfig.trust = n.trust;
  if (typeof n.unpin === "boolean") netConfig.unpin = n.unpin;
  if (typeof n.checkFaults === "number" && isFinite(n.checkFaults)) netConfig.checkFaults = Math.min(10, Math.max(0, Math.floor(n.checkFaults)));
  if (typeof n.prefaceMs === "number" && isFinite(n.prefaceMs)) netConfig.prefaceMs = Math.min(120000, Math.max(100, Math.floor(n.prefaceMs)));
}

export function netWanted(): boolean {
  return netConfig.proxy !== "" || netConfig.quic === "block" || netConfig.ca !== "";
}

// -- addresses ----------------------------------------------------------------------------------
interface Cidr {
  bytes: number[];
  bits: number;
}

function parseIp(text: string): number[] | null {
  const s = text.replace(/^\[|\]$/g, "");
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) {
    const b = s.split(".").map((x) => parseInt(x, 10));
    return b.every((x) => x <= 255) ? b : null;
  }
  if (!s.includes(":")) return null;
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const part = (p: string): number[] | null => {
    if (p === "") return [];
    const out: number[] = [];
    for (const g of p.split(":")) {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return null;
      const v = parseInt(g, 16);
      out.push(v >> 8, v & 0xff);
    }
    return out;
  };
  const a = part(halves[0]);
  const b = halves.length === 2 ? part(halves[1]) : [];
  if (a === null || b === null) return null;
  if (halves.length === 1) return a.length === 16 ? a : null;
  if (a.length + b.length > 14) return null;
  return [...a, ...new Array(16 - a.length - b.length).fill(0), ...b];
}

let cidrs: Cidr[] | null = null;
function directCidrs(): Cidr[] {
  if (cidrs !== null) return cidrs;
  cidrs = [];
  for (const c of netConfig.direct) {
    const [ip, bits] = c.split("/");
    const bytes = parseIp(ip);
    if (bytes === null) continue;
    const n = bits === undefined ? bytes.length * 8 : parseInt(bits, 10);
    if (isFinite(n) && n >= 0 && n <= bytes.length * 8) cidrs.push({ bytes, bits: n });
  }
  return cidrs;
}

function inCidr(ip: number[], c: Cidr): boolean {
  if (ip.length !== c.bytes.length) return false;
  let left = c.bits;
  for (let i = 0; i < ip.length && left > 0; i++, left -= 8) {
    const mask = left >= 8 ? 0xff : (0xff << (8 - left)) & 0xff;
    if ((ip[i] & mask) !== (c.bytes[i] & mask)) return false;
  }
  return true;
}

let proxyHost = "";
let proxyPort = 0;
let proxyBytes: number[] | null = null;

function splitProxy(): boolean {
  if (netConfig.proxy === "") return false;
  const i = netConfig.proxy.lastIndexOf(":");
  proxyHost = netConfig.proxy.substring(0, i).replace(/^\[|\]$/g, "");
  proxyPort = parseInt(netConfig.proxy.substring(i + 1), 10);
  proxyBytes = parseIp(proxyHost);
  return proxyPort > 0 && proxyPort < 65536;
}

// -- helpers ------------------------------------------------------------------------------------
function use(name: string): any {
  try {
    return Java.use(name);
  } catch (e) {
    return null;
  }
}

function skip(why: string): void {
  netState.skipped.push(head(`net: ${why}`, 290));
}

let tokenSeq = 0;
const tokenSalt = Math.floor(Math.random() * 0x7fffffff).toString(36);
function newToken(): string {
  tokenSeq++;
  return `${Process.id.toString(36)}.${tokenSalt}.${tokenSeq.toString(36)}`;
}

function jsBytes(arr: any): number[] {
  const out: number[] = [];
  const n = arr.length as number;
  for (let i = 0; i < n; i++) out.push((arr[i] as number) & 0xff);
  return out;
}

function signed(bytes: number[]): number[] {
  return bytes.map((b) => (b > 127 ? b - 256 : b));
}

function ascii(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i) & 0x7f);
  return out;
}

let SocketException: any = null;
function netError(msg: string): any {
  if (SocketException === null) SocketException = Java.use("java.net.SocketException");
  return SocketException.$new(msg);
}

function connEvent(ev: WireEvent, holder: string, method: string): void {
  const s = site(holder, method);
  ev.caller = s.caller;
  ev.sid = s.sid;
  ev.tid = Process.getCurrentThreadId();
  ev.th = threadName(ev.tid as number, ev.ts as number);
  withStack(ev, s);
}

// -- 1. TCP redirect ----------------------------------------------------------------------------
interface Plan {
  target: string; // what CONNECT names: the address the app chose, or its unresolved name
  host: string; // the name the app used ("" when it connected to a bare address)
  ip: string;
  port: number;
}

let InetSocketAddress: any = null;

// null: connect directly (not an internet address, loopback, the proxy itself).
function planFor(endpoint: any): Plan | null {
  if (endpoint === null || endpoint === undefined || !InetSocketAddress.class.isInstance(endpoint)) return null;
  const isa = Java.cast(endpoint, InetSocketAddress);
  const port = isa.getPort() as number;
  const hostString = String(isa.getHostString());
  const addr = isa.getAddress();
  if (addr === null) {
    if (hostString === proxyHost && port === proxyPort) return null;
    return { target: `${hostString}:${port}`, host: hostString, ip: "", port };
  }
  const bytes = jsBytes(addr.getAddress());
  if (proxyBytes !== null && port === proxyPort && bytes.length === proxyBytes.length && bytes.every((b, i) => b === proxyBytes![i])) return null;
  if (port === proxyPort && addr.isLoopbackAddress() && (proxyHost === "localhost" || (proxyBytes !== null && proxyBytes[0] === 127))) return null;
  for (const c of directCidrs()) if (inCidr(bytes, c)) return null;
  const ip = String(addr.getHostAddress());
  const literal = ip.includes(":") ? `[${ip}]` : ip;
  return { target: `${literal}:${port}`, host: hostString === ip ? "" : hostString, ip, port };
}

function prefaceText(plan: Plan, token: string): string {
  return `CONNECT ${plan.target} HTTP/1.1\r\nHost: ${plan.target}\r\n${TOKEN_HEADER}: ${token}\r\n\r\n`;
}

// Reads the proxy's answer up to its blank line and returns its status line. Nothing past the
// blank line is consumed, whatever the protocol inside the tunnel: each read asks for at most the
// bytes that cannot yet complete "\r\n\r\n" (4 after a plain byte, fewer inside a CR LF run).
function readAnswer(readSome: (max: number) => number[] | null): string {
  const bytes: number[] = [];
  let run = 0; // how much of "\r\n\r\n" the bytes so far end with
  while (bytes.length < 4096 && run < 4) {
    const got = readSome(4 - run);
    if (got === null || got.length === 0) break;
    for (const b of got) {
      bytes.push(b);
      run = b === (run % 2 === 0 ? 13 : 10) ? run + 1 : b === 13 ? 1 : 0;
    }
  }
  return String.fromCharCode(...bytes).split("\r\n", 1)[0];
}

function accepted(status: string): boolean {
  return /^HTTP\/1\.[01] 200( |$)/.test(status);
}

function innerImpl(sock: any): any[] {
  // Socket.impl is a SocketImpl; on HotSpot a SocksSocketImpl delegating to the platform one
  const out: any[] = [];
  try {
    const impl = sock.impl.value;
    if (impl !== null) out.push(impl);
    try {
      const d = impl.delegate !== undefined ? impl.delegate.value : null;
      if (d !== null && d !== undefined) out.push(d);
    } catch (e) {
      /* no delegate */
    }
  } catch (e) {
    /* field not visible on this runtime */
  }
  return out;
}

let SSLSocket: any = null;
let implWarned = false;

function hookSocket(): void {
  SSLSocket = use("javax.net.ssl.SSLSocket");
  const Socket = use("java.net.Socket");
  if (Socket === null) return skip("class java.net.Socket not found: TCP connects not redirected");
  InetSocketAddress = Java.use("java.net.InetSocketAddress");
  const connect2 = Socket.connect.overload("java.net.SocketAddress", "int");
  connect2.implementation = function (this: any, endpoint: any, timeout: number): any {
    let plan: Plan | null = null;
    try {
      plan = planFor(endpoint);
    } catch (e) {
      reportError("net: plan", e);
    }
    // the raw streams: the SocketImpl's (an SSLSocket's own streams would start its handshake), or
    // a plain socket's own when the impl field is not reachable on this runtime
    let impls: any[] = [];
    if (plan !== null) {
      impls = innerImpl(this);
      if (impls.length === 0 && SSLSocket !== null && SSLSocket.class.isInstance(this)) {
        if (!implWarned) {
          implWarned = true;
          reportError("net: redirect", "Socket.impl is not reachable on this runtime: SSL sockets that connect themselves go direct");
        }
        plan = null;
      }
    }
    if (plan === null) {
      netState.direct++;
      return connect2.call(this, endpoint, timeout);
    }
    const t0 = Date.now();
    const ts = t0;
    const token = newToken();
    try {
      connect2.call(this, InetSocketAddress.$new(proxyHost, proxyPort), timeout);
    } catch (e) {
      netState.failed++;
      reportError("net: connect to the harness proxy", e);
      throw e;
    }
    const raw = impls.length > 0 ? impls[0] : this;
    let status = "";
    const oldTimeout = this.getSoTimeout() as number;
    try {
      this.setSoTimeout(netConfig.prefaceMs);
      const out = raw.getOutputStream();
      out.write(Java.array("byte", signed(ascii(prefaceText(plan, token)))));
      out.flush();
      const input = raw.getInputStream();
      const buf = Java.array("byte", [0, 0, 0, 0]);
      status = readAnswer((max) => {
        const n = input.read(buf, 0, max) as number;
        return n <= 0 ? null : jsBytes(buf).slice(0, n);
      });
      this.setSoTimeout(oldTimeout);
    } catch (e) {
      netState.failed++;
      try {
        this.close();
      } catch (e2) {
        /* closing anyway */
      }
      reportError("net: CONNECT preface", e);
      throw netError(`connect to ${plan.target} through the harness proxy failed: ${head(String(e), 200)}`);
    }
    if (!accepted(status)) {
      netState.failed++;
      try {
        this.close();
      } catch (e2) {
        /* closing anyway */
      }
      throw Java.use("java.net.ConnectException").$new(`harness proxy refused CONNECT ${plan.target}: ${head(status, 120)}`);
    }
    // best effort: the socket reports the address the app asked for, not the proxy's
    if (plan.ip !== "") {
      try {
        const isa = Java.cast(endpoint, InetSocketAddress);
        for (const impl of impls) {
          impl.address.value = isa.getAddress();
          impl.port.value = plan.port;
        }
      } catch (e) {
        /* fields differ on this runtime: the socket names the proxy */
      }
    }
    const ms = Date.now() - t0;
    netState.redirected++;
    netState.prefaceUs += ms * 1000;
    const ev: WireEvent = { k: "conn", ts, tok: token, host: head(plan.host, 253), ip: plan.ip, port: plan.port, via: "java.net.Socket", ms };
    connEvent(ev, "java.net.Socket", "connect");
    push(ev, null);
    return undefined;
  };
  netState.hooked++;
}

// SocketChannel connects (sun.nio.ch.SocketChannelImpl, the class behind SocketChannel.open on
// HotSpot and on Android). The channel connects to the proxy with the original connect; the
// CONNECT preface is written and the answer read on the channel itself:
// - blocking channel: at once, inside connect (which then returns true, as a blocking connect does);
// - non-blocking channel (connect returned false: the app waits for OP_CONNECT and calls
//   finishConnect): when finishConnect first sees the TCP connection to the proxy complete. The
//   tunnel is then set up inside that finishConnect call, waiting on a private Selector of the
//   agent's (a channel may be registered with several selectors: the app's registration and its
//   non-blocking mode are left alone), bounded by prefaceMs; finishConnect returns true once the
//   proxy has said 200. Until then the channel stays "connection pending" exactly as the app
//   expects, so an app that waits for OP_CONNECT, one that polls finishConnect, and one that
//   switches back to blocking mode before finishConnect all work. If the original connect to the
//   proxy completes at once (a local proxy may), the tunnel is set up inside connect and connect
//   returns true, which the SocketChannel contract allows for a non-blocking connect.
// The connect event's stack is taken inside connect (the code that asked for the connection, not
// the event loop that finishes it); the event is sent once the tunnel is up.
interface PendingChannel {
  ch: any; // the channel (a global reference), compared by identity
  plan: Plan;
  token: string;
  t0: number;
  ev: WireEvent;
}

const MAX_PENDING = 1024;
const pendingChannels = new Map<number, PendingChannel>();
let System_: any = null;
let Selector_: any = null;
let ByteBuffer_: any = null;
const OP_READ = 1;
const OP_WRITE = 4;

function identity(obj: any): number {
  if (System_ === null) System_ = Java.use("java.lang.System");
  return System_.identityHashCode(obj) as number;
}

// Writes the preface and reads the proxy's answer on a channel already connected to the proxy;
// returns the status line (throws on an I/O error or when prefaceMs runs out).
function channelTunnel(ch: any, plan: Plan, token: string): string {
  if (ByteBuffer_ === null) ByteBuffer_ = Java.use("java.nio.ByteBuffer");
  const buf = ByteBuffer_.wrap(Java.array("byte", signed(ascii(prefaceText(plan, token)))));
  const readSome = (chunk: any, n: number): number[] | null => {
    if (n <= 0) return null;
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((chunk.get(i) as number) & 0xff);
    return out;
  };
  if (ch.isBlocking()) {
    while (buf.hasRemaining()) ch.write(buf);
    return readAnswer((max) => {
      const chunk = ByteBuffer_.allocate(max);
      return readSome(chunk, ch.read(chunk) as number);
    });
  }
  if (Selector_ === null) Selector_ = Java.use("java.nio.channels.Selector");
  const deadline = Date.now() + netConfig.prefaceMs;
  const sel = Selector_.open();
  let key: any = null;
  try {
    key = ch.register(sel, OP_WRITE, null);
    const wait = (ops: number): void => {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no answer from the harness proxy within ${netConfig.prefaceMs} ms`);
      key.interestOps(ops);
      sel.select(left);
      sel.selectedKeys().clear();
    };
    while (buf.hasRemaining()) if ((ch.write(buf) as number) === 0) wait(OP_WRITE);
    return readAnswer((max) => {
      const chunk = ByteBuffer_.allocate(max);
      for (;;) {
        const n = ch.read(chunk) as number;
        if (n !== 0) return readSome(chunk, n);
        wait(OP_READ);
      }
    });
  } finally {
    try {
      if (key !== null) key.cancel();
      sel.close();
    } catch (e) {
      /* the private selector is gone either way */
    }
  }
}

// Tunnel on a channel connected to the proxy, or close it and throw what connect/finishConnect
// would throw had the network refused.
function channelTunnelOrFail(ch: any, plan: Plan, token: string): void {
  let status = "";
  try {
    status = channelTunnel(ch, plan, token);
  } catch (e) {
    netState.failed++;
    reportError("net: CONNECT preface", e);
    try {
      ch.close();
    } catch (e2) {
      /* closing anyway */
    }
    throw netError(`connect to ${plan.target} through the harness proxy failed: ${head(String(e), 200)}`);
  }
  if (!accepted(status)) {
    netState.failed++;
    try {
      ch.close();
    } catch (e2) {
      /* closing anyway */
    }
    throw Java.use("java.net.ConnectException").$new(`harness proxy refused CONNECT ${plan.target}: ${head(status, 120)}`);
  }
}

function channelDone(p: PendingChannel): void {
  const ms = Date.now() - p.t0;
  netState.redirected++;
  netState.prefaceUs += ms * 1000;
  p.ev.ms = ms;
  push(p.ev, null);
}

// A boolean-returning replacement that throws a Java exception: raised in the JVM here and false
// returned (frida-java-bridge would raise it too, but then hands the NativeCallback a default
// return value a jboolean cannot take, and reports a script error for every refused connect).
function javaThrows(fn: (this: any, ...args: any[]) => any): (this: any, ...args: any[]) => any {
  return function (this: any, ...args: any[]): any {
    try {
      return fn.apply(this, args);
    } catch (e: any) {
      if (e !== null && typeof e === "object" && e.$h !== undefined) {
        Java.vm.getEnv().throw(e.$h);
        return false;
      }
      throw e;
    }
  };
}

function hookSocketChannel(): void {
  const Impl = use("sun.nio.ch.SocketChannelImpl");
  if (Impl === null) return skip("class sun.nio.ch.SocketChannelImpl not found: SocketChannel connects not redirected");
  let connect: any = null;
  let finish: any = null;
  try {
    connect = Impl.connect.overload("java.net.SocketAddress");
  } catch (e) {
    return skip("sun.nio.ch.SocketChannelImpl.connect(SocketAddress) not found");
  }
  try {
    finish = Impl.finishConnect.overload();
  } catch (e) {
    skip("sun.nio.ch.SocketChannelImpl.finishConnect() not found: non-blocking SocketChannel connects not redirected");
  }
  connect.implementation = javaThrows(function (this: any, endpoint: any): any {
    let plan: Plan | null = null;
    let blocking = true;
    try {
      blocking = this.isBlocking() as boolean;
      plan = blocking || finish !== null ? planFor(endpoint) : null;
    } catch (e) {
      reportError("net: plan", e);
    }
    if (plan === null) {
      netState.direct++;
      return connect.call(this, endpoint);
    }
    if (!blocking && pendingChannels.size >= MAX_PENDING) {
      for (const [id, p] of pendingChannels) {
        try {
          if (!(p.ch.isOpen() as boolean)) pendingChannels.delete(id);
        } catch (e) {
          pendingChannels.delete(id);
        }
      }
      if (pendingChannels.size >= MAX_PENDING) {
        netState.failed++;
        reportError("net: redirect", `over ${MAX_PENDING} non-blocking connects pending at once: ${plan.target} refused`);
        throw netError(`connect to ${plan.target}: too many connections pending`);
      }
    }
    const t0 = Date.now();
    const token = newToken();
    const via = blocking ? "java.nio.channels.SocketChannel" : "java.nio.channels.SocketChannel (non-blocking)";
    const ev: WireEvent = { k: "conn", ts: t0, tok: token, host: head(plan.host, 253), ip: plan.ip, port: plan.port, via, ms: 0 };
    connEvent(ev, "sun.nio.ch.SocketChannelImpl", "connect");
    let now = false;
    try {
      now = connect.call(this, InetSocketAddress.$new(proxyHost, proxyPort)) as boolean;
    } catch (e) {
      netState.failed++;
      reportError("net: connect to the harness proxy", e);
      throw e;
    }
    const p: PendingChannel = { ch: null, plan, token, t0, ev };
    if (!now && !blocking) {
      p.ch = Java.retain(this);
      pendingChannels.set(identity(this), p);
      return false; // finishConnect completes the tunnel
    }
    channelTunnelOrFail(this, plan, token);
    channelDone(p);
    return true;
  });
  netState.hooked++;
  if (finish === null) return;
  finish.implementation = javaThrows(function (this: any): any {
    if (pendingChannels.size === 0) return finish.call(this);
    let id = 0;
    let p: PendingChannel | undefined;
    try {
      id = identity(this);
      p = pendingChannels.get(id);
      // the same object, not one with the same identity hash (JNI IsSameObject: no Java call)
      if (p !== undefined && !Java.vm.getEnv().isSameObject(p.ch.$h, this.$h)) p = undefined;
    } catch (e) {
      p = undefined;
    }
    if (p === undefined) return finish.call(this);
    let done = false;
    try {
      done = finish.call(this) as boolean;
    } catch (e) {
      pendingChannels.delete(id);
      netState.failed++;
      reportError("net: connect to the harness proxy", e);
      throw e;
    }
    if (!done) return false;
    pendingChannels.delete(id);
    channelTunnelOrFail(this, p.plan, p.token);
    channelDone(p);
    return true;
  });
  netState.hooked++;
}

// -- 2. QUIC refusal ----------------------------------------------------------------------------
const QUIC_MSG = "sendto failed: EPERM (Operation not permitted)";

function quicRefused(host: string, port: number, via: string, holder: string, method: string): any {
  netState.quic++;
  const ts = Date.now();
  const s = site(holder, method);
  const ev: WireEvent = { k: "quic", ts, host: head(host, 253), port, via, caller: s.caller, sid: s.sid };
  withStack(ev, s);
  push(ev, s.sid === "" ? null : `quic|${s.sid}|${host}|${port}`);
  return netError(QUIC_MSG);
}

function addrText(isa: any): string {
  try {
    const a = isa.getAddress();
    return a === null ? String(isa.getHostString()) : String(a.getHostAddress());
  } catch (e) {
    return "";
  }
}

function hookDatagrams(): void {
  const DS = use("java.net.DatagramSocket");
  if (DS === null) {
    skip("class java.net.DatagramSocket not found");
  } else {
    const send = DS.send.overload("java.net.DatagramPacket");
    send.implementation = function (this: any, p: any): any {
      let port = -1;
      let host = "";
      try {
        port = p.getPort() as number;
        const a = p.getAddress();
        if (a !== null) host = String(a.getHostAddress());
        if (port <= 0) {
          port = this.getPort() as number;
          const ra = this.getInetAddress();
          if (ra !== null) host = String(ra.getHostAddress());
        }
      } catch (e) {
        port = -1;
      }
      if (port === 443) throw quicRefused(host, port, "java.net.DatagramSocket.send", "java.net.DatagramSocket", "send");
      return send.call(this, p);
    };
    const c1 = DS.connect.overload("java.net.InetAddress", "int");
    c1.implementation = function (this: any, a: any, port: number): any {
      if (port === 443) throw quicRefused(a === null ? "" : String(a.getHostAddress()), port, "java.net.DatagramSocket.connect", "java.net.DatagramSocket", "connect");
      return c1.call(this, a, port);
    };
    const c2 = DS.connect.overload("java.net.SocketAddress");
    c2.implementation = function (this: any, sa: any): any {
      if (sa !== null && InetSocketAddress.class.isInstance(sa)) {
        const isa = Java.cast(sa, InetSocketAddress);
        if ((isa.getPort() as number) === 443) throw quicRefused(addrText(isa), 443, "java.net.DatagramSocket.connect", "java.net.DatagramSocket", "connect");
      }
      return c2.call(this, sa);
    };
    netState.hooked += 3;
  }
  const DC = use("sun.nio.ch.DatagramChannelImpl");
  if (DC === null) return skip("class sun.nio.ch.DatagramChannelImpl not found: DatagramChannel UDP/443 not refused");
  try {
    const send = DC.send.overload("java.nio.ByteBuffer", "java.net.SocketAddress");
    send.implementation = function (this: any, buf: any, sa: any): any {
      if (sa !== null && InetSocketAddress.class.isInstance(sa)) {
        const isa = Java.cast(sa, InetSocketAddress);
        if ((isa.getPort() as number) === 443) throw quicRefused(addrText(isa), 443, "java.nio.channels.DatagramChannel.send", "sun.nio.ch.DatagramChannelImpl", "send");
      }
      return send.call(this, buf, sa);
    };
    netState.hooked++;
  } catch (e) {
    skip(`sun.nio.ch.DatagramChannelImpl.send: ${head(String(e), 120)}`);
  }
  try {
    for (const ov of DC.connect.overloads as any[]) {
      if (ov.argumentTypes.length < 1 || String(ov.argumentTypes[0].className) !== "java.net.SocketAddress") continue;
      ov.implementation = function (this: any, ...args: any[]): any {
        const sa = args[0];
        if (sa !== null && InetSocketAddress.class.isInstance(sa)) {
          const isa = Java.cast(sa, InetSocketAddress);
          if ((isa.getPort() as number) === 443) throw quicRefused(addrText(isa), 443, "java.nio.channels.DatagramChannel.connect", "sun.nio.ch.DatagramChannelImpl", "connect");
        }
        return ov.apply(this, args);
      };
      netState.hooked++;
    }
  } catch (e) {
    skip(`sun.nio.ch.DatagramChannelImpl.connect: ${head(String(e), 120)}`);
  }
}

// Native code (NDK libraries, Cronet) goes through libc, filtered in C (a CModule) on the
// Interceptor's enter/leave of connect, sendto, sendmsg and sendmmsg:
// - UDP to port 443 fails with EPERM: a refused call gets fd -1 (EBADF, nothing sent), then -1 and
//   errno EPERM as its result. Refusals are counted in C and reported every 250 ms (and before a
//   flush) as one folded "quic" event without a stack (native code has no Java stack to name).
// - TCP connect (option redirect; IPv4, IPv6 and IPv4-mapped destinations) outside the direct list
//   and not to the proxy: the socket is connected to the proxy instead (made blocking for the
//   tunnel, with 15 s send/receive timeouts, then restored), the CONNECT preface with a token is
//   sent and the answer read up to its blank line; then the app's own call runs on fd -1 and is
//   made to return 0 (connected; a non-blocking caller may get 0 instead of EINPROGRESS, which POSIX
//   allows). A failed tunnel returns -1 with ECONNREFUSED. Each tunnel is one "conn" event (via
//   libc), its caller the native module and symbol that called connect. A Java connect reaches
//   libc already pointed at the proxy (the Java hook ran first), so it is never redirected twice.
const NATIVE_C = `
#include <gum/guminterceptor.h>
extern int getsockopt (int fd, int level, int name, void * val, unsigned int * len);
extern int setsockopt (int fd, int level, int name, const void * val, unsigned int len);
extern int fcntl (int fd, int cmd, ...);
extern long send (int fd, const void * buf, unsigned long n, int flags);
extern long recv (int fd, void * buf, unsigned long n, int flags);
extern int real_connect (int fd, const void * sa, unsigned int len);
extern const char * inet_ntop (int af, const void * src, char * dst, unsigned int size);
extern int next_token (char * out);
extern void on_conn (const char * token, const char * target, int port, int ok, void * ra);
extern gint quic_count;
extern int net_flags[4];
extern unsigned char proxy4[16];
extern unsigned char proxy6[28];
extern unsigned char direct_tab[640];
typedef struct { int mode; } State;
typedef struct { long s; long u; } Tv;
static int fam_of (const unsigned char * sa) { return *(const unsigned short *) sa; }
static int port_of (const unsigned char * sa) { return (sa[2] << 8) | sa[3]; }
static int sock_type (int fd) {
  int type = 0;
  unsigned int l = sizeof (type);
  if (fd < 0 || getsockopt (fd, 1, 3, &type, &l) != 0) return 0;
  return type;
}
/* the destination's IPv4 address (also inside ::ffff:a.b.c.d), else NULL */
static const unsigned char * v4_of (const unsigned char * sa) {
  if (fam_of (sa) == 2) return sa + 4;
  const unsigned char * a = sa + 8;
  for (int i = 0; i < 10; i++) if (a[i] != 0) return NULL;
  if (a[10] != 0xff || a[11] != 0xff) return NULL;
  return a + 12;
}
static int prefix_eq (const unsigned char * a, const unsigned char * b, int bits) {
  for (int i = 0; bits > 0; i++, bits -= 8) {
    int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((a[i] & mask) != (b[i] & mask)) return 0;
  }
  return 1;
}
static int is_direct (const unsigned char * sa) {
  const unsigned char * v4 = v4_of (sa);
  if (v4 != NULL && port_of (sa) == port_of (proxy4) && prefix_eq (v4, proxy4 + 4, 32)) return 1;
  for (int i = 0; i < net_flags[1]; i++) {
    const unsigned char * e = direct_tab + i * 20;
    if (e[0] == 4 && v4 != NULL && prefix_eq (v4, e + 4, e[1])) return 1;
    if (e[0] == 6 && fam_of (sa) == 10 && prefix_eq (sa + 8, e + 4, e[1])) return 1;
  }
  return 0;
}
static int add (char * out, int at, const char * s) {
  while (*s != 0 && at < 500) out[at++] = *s++;
  out[at] = 0;
  return at;
}
static int add_int (char * out, int at, int v) {
  char d[12];
  int n = 0;
  do { d[n++] = '0' + v % 10; v /= 10; } while (v > 0 && n < 11);
  while (n > 0 && at < 500) out[at++] = d[--n];
  out[at] = 0;
  return at;
}
static int tunnel (int fd, const unsigned char * sa, char * target, char * token) {
  char ip[64];
  const unsigned char * v4 = v4_of (sa);
  int at = 0;
  if (v4 != NULL) {
    inet_ntop (2, v4, ip, sizeof (ip));
    at = add (target, 0, ip);
  } else {
    inet_ntop (10, sa + 8, ip, sizeof (ip));
    at = add (target, 0, "[");
    at = add (target, at, ip);
    at = add (target, at, "]");
  }
  at = add (target, at, ":");
  add_int (target, at, port_of (sa));
  next_token (token);
  int fl = fcntl (fd, 3);
  if (fl >= 0 && (fl & 2048)) fcntl (fd, 4, fl & ~2048);
  Tv tv = { 15, 0 }, old_r = { 0, 0 }, old_s = { 0, 0 };
  unsigned int l = sizeof (Tv);
  getsockopt (fd, 1, 20, &old_r, &l);
  l = sizeof (Tv);
  getsockopt (fd, 1, 21, &old_s, &l);
  setsockopt (fd, 1, 20, &tv, sizeof (tv));
  setsockopt (fd, 1, 21, &tv, sizeof (tv));
  int ok = 0;
  const unsigned char * proxy = fam_of (sa) == 2 ? proxy4 : proxy6;
  if (real_connect (fd, proxy, fam_of (sa) == 2 ? 16 : 28) == 0) {
    char req[600];
    int n = add (req, 0, "CONNECT ");
    n = add (req, n, target);
    n = add (req, n, " HTTP/1.1\\r\\nHost: ");
    n = add (req, n, target);
    n = add (req, n, "\\r\\nX-Consent-Harness-Conn: ");
    n = add (req, n, token);
    n = add (req, n, "\\r\\n\\r\\n");
    if (send (fd, req, n, 0x4000) == n) {
      char got[256];
      int have = 0, run = 0;
      while (run < 4 && have < 250) {
        long r = recv (fd, got + have, 4 - run, 0);
        if (r <= 0) break;
        for (long i = 0; i < r; i++) {
          char c = got[have + i];
          run = c == (run % 2 == 0 ? '\\r' : '\\n') ? run + 1 : (c == '\\r' ? 1 : 0);
        }
        have += r;
      }
      ok = run == 4 && have >= 12 && got[0] == 'H' && got[1] == 'T' && got[2] == 'T' && got[3] == 'P' && got[9] == '2' && got[10] == '0' && got[11] == '0';
    }
  }
  setsockopt (fd, 1, 20, &old_r, sizeof (old_r));
  setsockopt (fd, 1, 21, &old_s, sizeof (old_s));
  if (fl >= 0 && (fl & 2048)) fcntl (fd, 4, fl);
  return ok;
}
static void refuse (GumInvocationContext * ic, State * s, int mode) {
  s->mode = mode;
  gum_invocation_context_replace_nth_argument (ic, 0, GSIZE_TO_POINTER ((gssize) -1));
}
static void check_udp (GumInvocationContext * ic, const unsigned char * sa, unsigned int len) {
  State * s = GUM_IC_GET_INVOCATION_DATA (ic, State);
  s->mode = 0;
  if (!net_flags[2] || sa == NULL || len < 4 || (fam_of (sa) != 2 && fam_of (sa) != 10) || port_of (sa) != 443) return;
  int fd = (int) GPOINTER_TO_SIZE (gum_invocation_context_get_nth_argument (ic, 0));
  if (sock_type (fd) != 2) return;
  refuse (ic, s, 1);
  quic_count++; /* not atomic (TinyCC has no atomics): two threads refused at once may count once */
}
void connect_enter (GumInvocationContext * ic) {
  const unsigned char * sa = gum_invocation_context_get_nth_argument (ic, 1);
  unsigned int len = (unsigned int) GPOINTER_TO_SIZE (gum_invocation_context_get_nth_argument (ic, 2));
  check_udp (ic, sa, len);
  State * s = GUM_IC_GET_INVOCATION_DATA (ic, State);
  if (s->mode != 0 || !net_flags[0] || sa == NULL || len < 16) return;
  int fam = fam_of (sa);
  if ((fam != 2 && fam != 10) || (fam == 10 && len < 28)) return;
  int fd = (int) GPOINTER_TO_SIZE (gum_invocation_context_get_nth_argument (ic, 0));
  if (is_direct (sa) || sock_type (fd) != 1) return;
  char target[520], token[80];
  target[0] = 0;
  token[0] = 0;
  int ok = tunnel (fd, sa, target, token);
  on_conn (token, target, port_of (sa), ok, gum_invocation_context_get_return_address (ic));
  refuse (ic, s, ok ? 2 : 3);
}
void sendto_enter (GumInvocationContext * ic) {
  check_udp (ic, gum_invocation_context_get_nth_argument (ic, 4), (unsigned int) GPOINTER_TO_SIZE (gum_invocation_context_get_nth_argument (ic, 5)));
}
void sendmsg_enter (GumInvocationContext * ic) {
  const unsigned char * msg = gum_invocation_context_get_nth_argument (ic, 1);
  if (msg == NULL) { check_udp (ic, NULL, 0); return; }
  check_udp (ic, *(const unsigned char * const *) msg, *(const unsigned int *) (msg + sizeof (void *)));
}
void any_leave (GumInvocationContext * ic) {
  State * s = GUM_IC_GET_INVOCATION_DATA (ic, State);
  if (s->mode == 1 || s->mode == 3) {
    ic->system_error = s->mode == 1 ? 1 : 111; /* EPERM, ECONNREFUSED: set as errno when the call returns */
    gum_invocation_context_replace_return_value (ic, GSIZE_TO_POINTER ((gssize) -1));
  } else if (s->mode == 2) {
    ic->system_error = 0;
    gum_invocation_context_replace_return_value (ic, GSIZE_TO_POINTER ((gssize) 0));
  }
}
`;

const nativeKeep: unknown[] = [];

function sockaddr4(host: string, port: number): NativePointer {
  const m = Memory.alloc(16);
  m.writeByteArray(new Array(16).fill(0));
  const ip = parseIp(host) ?? [127, 0, 0, 1];
  m.writeU16(2);
  m.add(2).writeU8(port >> 8);
  m.add(3).writeU8(port & 0xff);
  if (ip.length === 4) m.add(4).writeByteArray(ip);
  return m;
}

function sockaddr6(host: string, port: number): NativePointer {
  const m = Memory.alloc(28);
  m.writeByteArray(new Array(28).fill(0));
  const ip = parseIp(host) ?? [127, 0, 0, 1];
  m.writeU16(10);
  m.add(2).writeU8(port >> 8);
  m.add(3).writeU8(port & 0xff);
  m.add(8).writeByteArray(ip.length === 16 ? ip : [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...ip]);
  return m;
}

export function installNetNative(): void {
  const redirect = splitProxy() && proxyBytes !== null && proxyBytes.length === 4;
  if (netConfig.quic !== "block" && !redirect) return;
  if (netConfig.proxy !== "" && !redirect) skip("the proxy is not an IPv4 address: native TCP connects not redirected");
  const find = (n: string): NativePointer | null => Module.findGlobalExportByName(n);
  const need = ["getsockopt", "setsockopt", "fcntl", "send", "recv", "connect", "inet_ntop"];
  const sym: Record<string, NativePointer> = {};
  for (const n of need) {
    const a = find(n);
    if (a === null) return skip(`libc ${n} not found: native UDP/443 and TCP redirect off`);
    sym[n] = a;
  }
  const counter = Memory.alloc(4);
  counter.writeS32(0);
  const flags = Memory.alloc(16);
  const tab = Memory.alloc(640);
  tab.writeByteArray(new Array(640).fill(0));
  let n = 0;
  for (const c of directCidrs()) {
    if (n >= 32) break;
    const e = tab.add(n * 20);
    e.writeU8(c.bytes.length === 4 ? 4 : 6);
    e.add(1).writeU8(c.bits);
    e.add(4).writeByteArray(c.bytes);
    n++;
  }
  flags.writeS32(redirect ? 1 : 0);
  flags.add(4).writeS32(n);
  flags.add(8).writeS32(netConfig.quic === "block" ? 1 : 0);
  const nextToken = new NativeCallback((out: NativePointer): number => {
    out.writeUtf8String(newToken());
    return 0;
  }, "int", ["pointer"]);
  const onConn = new NativeCallback((tok: NativePointer, target: NativePointer, port: number, ok: number, ra: NativePointer): void => {
    try {
      const token = tok.readUtf8String() ?? "";
      const text = target.readUtf8String() ?? "";
      if (ok === 0) {
        netState.failed++;
        reportError("net: native connect through the harness proxy", `CONNECT ${text} failed`);
        return;
      }
      netState.redirected++;
      const ip = text.substring(0, text.lastIndexOf(":")).replace(/^\[|\]$/g, "");
      let caller = "";
      try {
        const d = DebugSymbol.fromAddress(ra);
        caller = head(`${d.moduleName ?? "?"}!${d.name ?? ra.toString()}`, 300);
      } catch (e) {
        caller = "";
      }
      push({ k: "conn", ts: Date.now(), tok: token, host: "", ip, port, via: "libc connect (native code)", ms: 0, tid: Process.getCurrentThreadId(), th: "", caller, sid: "" }, null);
    } catch (e) {
      reportError("net: native connect event", e);
    }
  }, "void", ["pointer", "pointer", "int", "int", "pointer"]);
  let cm: CModule;
  try {
    cm = new CModule(NATIVE_C, {
      getsockopt: sym.getsockopt, setsockopt: sym.setsockopt, fcntl: sym.fcntl, send: sym.send, recv: sym.recv, real_connect: sym.connect,
      inet_ntop: sym.inet_ntop, next_token: nextToken, on_conn: onConn, quic_count: counter, net_flags: flags,
      proxy4: sockaddr4(proxyHost, proxyPort), proxy6: sockaddr6(proxyHost, proxyPort), direct_tab: tab,
    });
  } catch (e) {
    return skip(`native network filter did not compile: ${head(String(e), 160)}`);
  }
  nativeKeep.push(cm, counter, flags, tab, nextToken, onConn);
  const targets: [string, NativePointer][] = [["connect", cm.connect_enter]];
  if (netConfig.quic === "block") targets.push(["sendto", cm.sendto_enter], ["sendmsg", cm.sendmsg_enter], ["sendmmsg", cm.sendmsg_enter]);
  for (const [name, enter] of targets) {
    const addr = find(name);
    if (addr === null) {
      skip(`libc ${name} not found: native UDP/443 through it not refused`);
      continue;
    }
    try {
      Interceptor.attach(addr, { onEnter: enter, onLeave: cm.any_leave } as any);
      netState.hooked++;
    } catch (e) {
      skip(`libc ${name}: ${head(String(e), 120)}`);
    }
  }
  let seen = 0;
  const poll = (): void => {
    const now = counter.readS32();
    if (now === seen) return;
    const k = now - seen;
    seen = now;
    netState.quic += k;
    push({ k: "quic", ts: Date.now(), host: "", port: 443, via: "libc (native code)", caller: "", sid: "", n: k }, null);
  };
  nativeKeep.push(setInterval(poll, 250));
  nativePoll = poll;
}

let nativePoll: (() => void) | null = null;

// Reports native refusals counted since the last poll (called before a flush).
export function pollNetNative(): void {
  if (nativePoll !== null) nativePoll();
}

// -- 3 and 4. trust and unpinning -----------------------------------------------------------------
let caCert: any = null;
let caKey: any = null;
let X509: any = null;
const verdicts = new Map<string, boolean>();

function loadCa(): boolean {
  if (netConfig.ca === "") return false;
  try {
    const CF = Java.use("java.security.cert.CertificateFactory");
    const BAIS = Java.use("java.io.ByteArrayInputStream");
    X509 = Java.use("java.security.cert.X509Certificate");
    const cert = CF.getInstance("X.509").generateCertificate(BAIS.$new(Java.array("byte", signed(ascii(netConfig.ca)))));
    caCert = Java.retain(Java.cast(cert, X509));
    caKey = Java.retain(caCert.getPublicKey());
    return true;
  } catch (e) {
    reportError("net: harness CA", e);
    skip(`the harness CA could not be read: ${head(String(e), 160)}`);
    return false;
  }
}

// What the certificate checks throw when the answer is a real "no" (a signature by another key, an
// expired or not yet valid leaf). Anything else (the bridge, JNI, a class not found) says nothing
// about the certificate.
const CERT_NO = /^(Error: )?(java\.security\.(SignatureException|InvalidKeyException|NoSuchAlgorithmException|NoSuchProviderException)|java\.security\.cert\.(CertificateException|CertificateExpiredException|CertificateNotYetValidException))\b/;

function verdictOf(x: any): boolean | null {
  try {
    if (netConfig.checkFaults > 0) {
      netConfig.checkFaults--;
      throw new Error("java.lang.NoClassDefFoundError: injected by checkFaults");
    }
    Java.cast(x, Java.use("java.security.cert.Certificate")).verify.overload("java.security.PublicKey").call(x, caKey);
    x.checkValidity();
    return true;
  } catch (e) {
    return CERT_NO.test(String(e)) ? false : null;
  }
}

// Is this certificate (a leaf) signed by the harness CA? Cached per certificate - but only a real
// answer: a check that failed for another reason is tried once more and never cached (a cached
// "no" from one failed check refused every later connection to that host, pinned or not).
function ours(cert: any): boolean {
  if (caKey === null || cert === null || cert === undefined) return false;
  let x: any;
  try {
    x = Java.cast(cert, X509);
  } catch (e) {
    reportError("net: certificate check", e);
    return false;
  }
  let key = "";
  try {
    key = String(x.getSerialNumber().toString(16)) + "|" + String(x.getIssuerX500Principal().getName());
  } catch (e) {
    key = "";
  }
  const hit = key === "" ? undefined : verdicts.get(key);
  if (hit !== undefined) return hit;
  let ok = verdictOf(x);
  if (ok === null) {
    netState.checkRetries++;
    ok = verdictOf(x);
  }
  if (ok === null) {
    reportError("net: certificate check", "the check against the harness CA failed twice for a reason other than the certificate; not cached");
    return false;
  }
  if (key !== "" && verdicts.size < 4096) verdicts.set(key, ok);
  return ok;
}

// The leaf of a chain given as X509Certificate[] / Certificate[] or a List of certificates.
function leafOf(args: any[], types: string[]): any {
  for (let i = 0; i < args.length; i++) {
    const t = types[i];
    const a = args[i];
    if (a === null || a === undefined) continue;
    if (t === "[Ljava.security.cert.X509Certificate;" || t === "[Ljava.security.cert.Certificate;") return a.length > 0 ? a[0] : null;
    if (t === "java.util.List") {
      const l = Java.cast(a, Java.use("java.util.List"));
      return (l.size() as number) > 0 ? l.get(0) : null;
    }
    if (t === "kotlin.jvm.functions.Function0") {
      const got = Java.cast(a, Java.use("kotlin.jvm.functions.Function0")).invoke();
      if (got === null) return null;
      const l = Java.cast(got, Java.use("java.util.List"));
      return (l.size() as number) > 0 ? l.get(0) : null;
    }
  }
  return null;
}

function chainList(args: any[], types: string[]): any {
  for (let i = 0; i < args.length; i++) {
    if (types[i] === "[Ljava.security.cert.X509Certificate;" && args[i] !== null) {
      const AL = Java.use("java.util.ArrayList").$new();
      for (let j = 0; j < args[i].length; j++) AL.add(args[i][j]);
      return AL;
    }
    if (types[i] === "java.util.List" && args[i] !== null) return args[i];
  }
  return Java.use("java.util.ArrayList").$new();
}

// trust: a platform trust manager (option trust); unpin: a pinning check inside the handshake
// (option unpin; with it off the proxy records the refused handshake); pinner: a pinning check
// after the handshake (option unpin; with it off the refusal is reported here, the proxy never
// sees it).
type Role = "trust" | "unpin" | "pinner";

const hookedMethods = new Set<string>();

// Hooks every overload of cls.method that takes a chain: the original runs; when it throws and the
// chain is ours, the call succeeds instead if the role's option is on; otherwise it throws as before
// (role pinner: and the refusal is reported).
function guard(klass: any, clsName: string, method: string, role: Role, label: string): number {
  const disp = klass[method];
  if (disp === undefined || disp === null || disp.overloads === undefined) return 0;
  let n = 0;
  for (const ov of disp.overloads as any[]) {
    const types = (ov.argumentTypes as any[]).map((t: any) => String(t.className));
    const chainAt = types.findIndex((t) => t === "[Ljava.security.cert.X509Certificate;" || t === "[Ljava.security.cert.Certificate;" || t === "java.util.List" || t === "kotlin.jvm.functions.Function0");
    if (chainAt < 0) continue;
    const handle = String(ov.handle);
    if (hookedMethods.has(handle)) continue;
    const ret = String(ov.returnType.className);
    const host = types.indexOf("java.lang.String") === 0 ? 0 : -1;
    try {
      ov.implementation = function (this: any, ...args: any[]): any {
        try {
          return ov.apply(this, args);
        } catch (e) {
          let mine = false;
          try {
            mine = ours(leafOf(args, types));
          } catch (e2) {
            mine = false;
          }

          if (!mine) throw e;
          const on = role === "trust" ? netConfig.trust : netConfig.unpin;
          if (!on) {
            if (role === "pinner") {
              netState.refused++;
              const hostName = host === 0 && typeof args[0] === "string" ? (args[0] as string) : "";
              const ts = Date.now();
              const s = site(clsName, method);
              const ev: WireEvent = { k: "pin", ts, host: head(hostName, 253), via: label, caller: s.caller, sid: s.sid };
              withStack(ev, s);
              push(ev, null);
            }
            throw e;
          }
          if (role === "trust") netState.trusted++;
          else netState.unpinned++;
          if (ret === "void") return undefined;
          if (ret === "boolean") return true;
          if (ret === "java.util.List") return chainList(args, types);
          throw e;
        }
      };
      hookedMethods.add(handle);
      n++;
    } catch (e) {
      skip(`${clsName}.${method}: ${head(String(e), 120)}`);
    }
  }
  return n;
}

function guardClass(clsName: string, methods: string[], role: Role, label: string, factory: any = null): void {
  let klass: any = null;
  try {
    klass = factory === null ? Java.use(clsName) : factory.use(clsName);
  } catch (e) {
    klass = null;
  }
  if (klass === null) return skip(`class ${clsName} not found (${label})`);
  let n = 0;
  for (const m of methods) n += guard(klass, clsName, m, role, label);
  if (n === 0) skip(`no chain-taking ${methods.join("/")} in ${clsName} (${label})`);
  netState.hooked += n;
}

// Trust managers the app hands to SSLContext.init: hooked on their own class (unpinning). On
// HotSpot this reaches X509ExtendedTrustManager subclasses (called through the abstract class);
// plain X509TrustManager implementations are reached through the JSSE wrapper (see hookTrust).
const customSeen = new Set<string>();
const PLATFORM_TMS = /^(sun\.security\.|com\.android\.org\.conscrypt\.|org\.conscrypt\.|android\.security\.net\.config\.|javax\.net\.ssl\.)/;

function hookCustomTrustManagers(): void {
  const Ctx = use("javax.net.ssl.SSLContext");
  if (Ctx === null) return skip("class javax.net.ssl.SSLContext not found");
  const Cls = Java.use("java.lang.Class");
  const init = Ctx.init.overload("[Ljavax.net.ssl.KeyManager;", "[Ljavax.net.ssl.TrustManager;", "java.security.SecureRandom");
  init.implementation = function (this: any, km: any, tms: any, rnd: any): any {
    if (tms !== null && netConfig.unpin) {
      for (let i = 0; i < tms.length; i++) {
        try {
          // the class through JNI, not through a java.lang.Object wrapper: on HotSpot the bridge
          // may have to look Object's class handle up again from here (its LRU keeps 10), and
          // from inside this hook (a JDK class) FindClass cannot see the app class it reaches
          // Object through (NoClassDefFoundError, every time on the JVM test bed)
          const env = Java.vm.getEnv();
          const h = env.getObjectClass(tms[i].$h);
          const klass = Java.cast(h, Cls);
          env.deleteLocalRef(h);
          const name = String(klass.getName());
          if (customSeen.has(name) || PLATFORM_TMS.test(name)) continue;
          customSeen.add(name);
          const loader = klass.getClassLoader();
          const factory = loader === null ? null : Java.ClassFactory.get(loader);
          const before = netState.skipped.length;
          guardClass(name, ["checkServerTrusted"], "unpin", `app trust manager ${name}`, factory);
          netState.skipped.splice(before); // an app class without the method is no news
        } catch (e) {
          reportError("net: app trust manager", e);
        }
      }
    }
    return init.call(this, km, tms, rnd);
  };
  netState.hooked++;
}

// WebView: an SSL error on a page served with our CA's certificate proceeds; any other error goes to
// the app's handler (or the default, cancel).
function hookWebView(): void {
  const WVC = use("android.webkit.WebViewClient");
  if (WVC === null) return skip("class android.webkit.WebViewClient not found (WebView SSL errors)");
  const handle = (ov: any) =>
    function (this: any, view: any, handler: any, error: any): any {
      try {
        let cert: any = null;
        try {
          cert = error.getCertificate().getX509Certificate();
        } catch (e) {
          cert = null;
        }
        if (netConfig.unpin && ours(cert)) {
          netState.unpinned++;
          handler.proceed();
          return undefined;
        }
      } catch (e) {
        reportError("net: WebView SSL error", e);
      }
      return ov.call(this, view, handler, error);
    };
  try {
    const ov = WVC.onReceivedSslError.overload("android.webkit.WebView", "android.webkit.SslErrorHandler", "android.net.http.SslError");
    ov.implementation = handle(ov);
    netState.hooked++;
  } catch (e) {
    return skip(`android.webkit.WebViewClient.onReceivedSslError: ${head(String(e), 120)}`);
  }
  // app subclasses override the method: hook theirs when the client is set
  const WV = use("android.webkit.WebView");
  if (WV === null) return;
  const Obj = Java.use("java.lang.Object");
  const seen = new Set<string>();
  try {
    const set = WV.setWebViewClient.overload("android.webkit.WebViewClient");
    set.implementation = function (this: any, client: any): any {
      try {
        if (client !== null) {
          const klass = Java.cast(client, Obj).getClass();
          const name = String(klass.getName());
          if (!seen.has(name) && name !== "android.webkit.WebViewClient") {
            seen.add(name);
            const loader = klass.getClassLoader();
            const k = loader === null ? Java.use(name) : Java.ClassFactory.get(loader).use(name);
            for (const ov of k.onReceivedSslError.overloads as any[]) {
              if (String(ov.holder.$className) !== name) continue; // inherited: the base hook has it
              ov.implementation = handle(ov);
              netState.hooked++;
            }
          }
        }
      } catch (e) {
        reportError("net: WebViewClient subclass", e);
      }
      return set.call(this, client);
    };
    netState.hooked++;
  } catch (e) {
    skip(`android.webkit.WebView.setWebViewClient: ${head(String(e), 120)}`);
  }
}

function hookTrust(): void {
  if (!loadCa()) {
    skip("no harness CA given: trust and unpinning hooks not installed");
    return;
  }
  // platform trust managers: our CA in addition to the platform's roots
  guardClass("com.android.org.conscrypt.TrustManagerImpl", ["checkServerTrusted", "checkTrusted"], "trust", "Conscrypt (Android platform)");
  guardClass("org.conscrypt.TrustManagerImpl", ["checkServerTrusted", "checkTrusted"], "trust", "Conscrypt (bundled)");
  guardClass("sun.security.ssl.X509TrustManagerImpl", ["checkServerTrusted"], "trust", "JSSE (HotSpot)");
  // pinning checks
  guardClass("android.security.net.config.NetworkSecurityTrustManager", ["checkPins"], "unpin", "Network Security Config pins");
  guardClass("okhttp3.CertificatePinner", ["check", "check$okhttp"], "pinner", "OkHttp 3/4 CertificatePinner");
  guardClass("com.android.okhttp.CertificatePinner", ["check"], "pinner", "Android's internal OkHttp CertificatePinner");
  // HotSpot wraps an app's plain X509TrustManager in this class and calls the app's method through
  // the interface, which a replaced method does not intercept on HotSpot (ART's hooks do): the
  // wrapper is where the app's check runs there
  guardClass("sun.security.ssl.AbstractTrustManagerWrapper", ["checkServerTrusted"], "unpin", "app trust manager (JSSE wrapper)");
  hookCustomTrustManagers();
  hookWebView();
}

// Called inside Java.perform, after the catalogue's hooks.
export function installNet(): void {
  if (!netWanted()) return;
  try {
    InetSocketAddress = Java.use("java.net.InetSocketAddress");
  } catch (e) {
    reportError("net", e);
    return;
  }
  const steps: [string, () => void][] = [];
  if (splitProxy()) steps.push(["socket", hookSocket], ["socket channel", hookSocketChannel]);
  if (netConfig.quic === "block") steps.push(["udp", hookDatagrams]);
  if (netConfig.ca !== "") steps.push(["trust", hookTrust]);
  for (const [what, fn] of steps) {
    try {
      fn();
    } catch (e) {
      reportError(`net: ${what}`, e);
      skip(`${what} hooks failed: ${head(String(e), 200)}`);
    }
  }
}

// "redirect+quic+trust+unpin, <n> hooks" (what is on, and how many net hooks went in), or "".
export function netSummary(): string {
  if (!netWanted()) return "";
  const on: string[] = [];
  if (netConfig.proxy !== "") on.push("redirect");
  if (netConfig.quic === "block") on.push("quic");
  if (netConfig.ca !== "" && netConfig.trust) on.push("trust");
  if (netConfig.ca !== "" && netConfig.unpin) on.push("unpin");
  return `${on.join("+") || "none"}, ${netState.hooked} hooks`;
}

export function netStats(): Record<string, unknown> {
  return { ...netState, skipped: netState.skipped.length };
}
