// consent-harness Frida agent.
//
// The host calls `init(config)` with the hook list (the catalogue, serialized) and options; the
// agent installs native hooks at once and Java hooks as soon as a Java runtime is usable (at
// once on Android and on a running JVM; right after JNI_CreateJavaVM returns when the host
// spawned a `java` launcher), then sends
//   {"type": "agent:ready", "now", "hooks", "skipped", "pid", "version", "stacks"}
// ("stacks" names the way stacks are taken on this runtime, see stacks.ts; it is in "version" too)
// Calls arrive as {"type": "events:add", "events": [...]} batches (see buffer.ts); problems as
// {"type": "agent:error", "where", "message"}. `flush` sends what is buffered, `dispose` (also
// run by Frida when the script unloads or the process exits) flushes too. The wire format is
// documented in harness/instrumentation/protocol.py.
import Java from "frida-java-bridge";
import { applyConfig, config } from "./config.js";
import { buffered, counters, flush, startTimer, stopTimer } from "./buffer.js";
import { installJava, javaState } from "./java.js";
import { installHoneyObjects, honeyObjectState } from "./honey_objects.js";
import { installCipher, cipherState } from "./cipher.js";
import { installNative, nativeState } from "./native.js";
import { applyNetConfig, installNet, installNetNative, netState, netStats, netSummary, netWanted, pollNetNative } from "./net.js";
import { initStacks, siteCount } from "./stacks.js";
import { reportError } from "./report.js";
import { head } from "./text.js";

const VERSION = "1.0.0";
let initialized = false;
let readySent = false;
let javaPath = "";
let stackMode = "";
let installMs = -1; // wall time of installing every Java hook
const extraSkipped: string[] = [];

function sendReady(): void {
  if (readySent) return;
  readySent = true;
  send({
    type: "agent:ready",
    now: Date.now(),
    hooks: javaState.hooked + nativeState.hooked,
    skipped: [...extraSkipped, ...javaState.skipped, ...nativeState.skipped, ...netState.skipped].slice(0, 2000),
    pid: Process.id,
    version: `${VERSION} java=${javaPath || "none"} sites=${stackMode || "none"} sdk=${javaState.sdk || "any"}`,
    net: netSummary(),
    stacks: stackMode || "none",
  });
}

function installJavaNow(): void {
  const tid = Process.getCurrentThreadId();
  const wasQuiet = nativeState.quiet.has(tid);
  nativeState.quiet.add(tid);
  const t0 = Date.now();
  try {
    stackMode = initStacks();
    installJava(config.apis);
    installNet();
    installHoneyObjects();
    try {
      installCipher();
    } catch (e) {
      reportError("cipher hooks", e);
    }
    installMs = Date.now() - t0;
    nativeState.javaReady = true;
  } catch (e) {
    reportError("java hooks", e);
    extraSkipped.push(`java: hooks not installed: ${head(String(e), 200)}`);
  } finally {
    if (!wasQuiet) nativeState.quiet.delete(tid);
  }
}

function javaSpecs(): boolean {
  return netWanted() || config.apis.some((a) => a.kind === "java" || a.kind === "lifecycle");
}

function skipAllJava(why: string): void {
  for (const a of config.apis) if (a.kind !== "native") extraSkipped.push(head(`${a.id}: ${why}`, 290));
}

// Spawned JVM: libjvm.so is not loaded when the script starts. Hook JNI_CreateJavaVM and install
// the Java hooks on the thread that created the VM, before the launcher loads the main class.
// The deadline (waitJavaMs) only covers a process that never loads libjvm.so: once it is loaded the
// agent waits for JNI_CreateJavaVM however long a loaded machine takes, since no Java code runs
// before it returns. (Giving up there reported "ready" without a single Java hook - no redirect,
// no trust, no unpinning - while the app went on normally.)
function waitForJvm(): void {
  let done = false;
  const timer = setTimeout(() => {
    if (!done) {
      done = true;
      skipAllJava(`no Java runtime appeared within ${config.waitJavaMs} ms`);
      sendReady();
    }
  }, config.waitJavaMs);
  const arm = (m: Module): void => {
    const create = m.findExportByName("JNI_CreateJavaVM");
    if (create === null) return;
    clearTimeout(timer);
    const listener = Interceptor.attach(create, {
      onLeave() {
        listener.detach();
        if (done) return;
        done = true;
        clearTimeout(timer);
        javaPath = "JNI_CreateJavaVM";
        if (Java.available) Java.performNow(installJavaNow);
        else skipAllJava("JNI_CreateJavaVM returned but the Java bridge is not available");
        sendReady();
      },
    });
  };
  const loaded = Process.findModuleByName("libjvm.so");
  if (loaded !== null) {
    arm(loaded);
    return;
  }
  const observer = Process.attachModuleObserver({
    onAdded(m: Module) {
      if (/(^|\/)libjvm\.so$/.test(m.name)) {
        observer.detach();
        arm(m);
      }
    },
  });
}

function init(raw: unknown): Record<string, unknown> {
  if (initialized) return { ok: false, error: "already initialized" };
  initialized = true;
  nativeState.quiet.add(Process.getCurrentThreadId()); // the agent's own JS thread
  applyConfig(raw);
  applyNetConfig(raw);
  startTimer();
  if (config.native) {
    try {
      installNative(config.apis);
    } catch (e) {
      reportError("native hooks", e);
    }
  } else {
    for (const a of config.apis) if (a.kind === "native") extraSkipped.push(`${a.id}: native hooks off`);
  }
  try {
    installNetNative();
  } catch (e) {
    reportError("net: native UDP/443", e);
  }
  if (config.java === "off" || !javaSpecs()) {
    if (javaSpecs()) skipAllJava("Java hooks off");
    sendReady();
  } else if (Java.available) {
    javaPath = "perform";
    // On Android this runs once the app's class loader is known (before Application.onCreate);
    // on a running JVM at once.
    Java.perform(() => {
      const t0 = Date.now();
      installJavaNow();
      // On HotSpot frida-java-bridge applies the method replacements on the next tick (one VM
      // operation for all of them): report ready only after that, or the host starts the app's
      // work while the old methods still run.
      Script.nextTick(() => {
        installMs = Date.now() - t0;
        sendReady();
      });
    });
  } else if (config.java === "wait") {
    waitForJvm();
  } else {
    skipAllJava("no Java runtime in this process");
    sendReady();
  }
  return { ok: true, version: VERSION };
}

rpc.exports = {
  init,
  flush(): Record<string, number> {
    pollNetNative();
    const n = flush();
    return { sent: n, calls: counters.calls, events: counters.events, batches: counters.batches, folded: counters.folded };
  },
  stats(): Record<string, unknown> {
    return { ...counters, buffered: buffered(), sites: siteCount(), hooks: javaState.hooked + nativeState.hooked, overloads: javaState.overloads, ready: readySent,
             installMs, lateHooks: javaState.late, sdk: javaState.sdk, net: netStats(), cipher: { ...cipherState }, honeyObjects: { ...honeyObjectState } };
  },
  dispose(): void {
    pollNetNative();
    stopTimer();
    flush();
  },
};
