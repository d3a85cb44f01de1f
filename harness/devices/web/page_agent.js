// consent-harness page agent: installed before any page script runs (an init script), with the
// driver's settings in CH_CFG ({browser: "wechat"|"alipay"|"chrome"}) prepended by the driver.
//
// 1. Records calls of APIs that read personal data or fingerprint the device, with the URL of
//    the calling script, through the binding __chReport (events of the agent wire protocol,
//    decoded by harness/instrumentation/protocol.py).
// 2. Models the browser's permission prompts. Headless Chromium draws none, so a call that needs
//    one (geolocation, getUserMedia, clipboard read, the in-app bridges' location and profile
//    calls) is held here and handed to the driver through __chAsk; the driver draws the prompt
//    as browser chrome (outside the page: the page cannot see, forge or click it), the scenario
//    answers it on screen, and the call resolves with the answer (__chPoll): a planted position
//    on allow, PERMISSION_DENIED / NotAllowedError on deny. Nothing is granted in advance.
// 3. With browser=wechat, a simulated WeChat JS-SDK (window.wx, WeixinJSBridge); with
//    browser=alipay, AlipayJSBridge. Every call is recorded; nothing real is reached.
//
// The three bindings are captured when this script runs, before the page: a page that replaces
// window.__chAsk later cannot answer its own prompts. Never throws into the page.
(() => {
  if (window.__chInstalled) return;
  Object.defineProperty(window, "__chInstalled", { value: true });
  const cfg = typeof CH_CFG === "object" && CH_CFG ? CH_CFG : {};
  const sendHost = window.__chReport, askHost = window.__chAsk, pollHost = window.__chPoll;
  for (const n of ["__chReport", "__chAsk", "__chPoll"]) {
    try { delete window[n]; } catch (e) { /* keep going */ }
  }
  const later = window.setTimeout.bind(window);
  const stringify = JSON.stringify;
  const now = Date.now;
  const P = Promise;
  const DOMEx = window.DOMException;

  // when the DOM last changed (the driver's short waits end once the page is quiet)
  let lastChange = now();
  try {
    new MutationObserver(() => { lastChange = now(); }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  } catch (e) { /* no DOM yet */ }
  // a finite CSS transition or animation running (a banner fading out) is not quiet either; an
  // endless one (a spinner) does not count
  const animating = () => {
    try {
      return document.getAnimations().some((a) => a.playState === "running" && a.effect && a.effect.getTiming().iterations !== Infinity);
    } catch (e) { return false; }
  };
  Object.defineProperty(window, "__chQuiet", { value: () => (animating() ? 0 : now() - lastChange) });

  const callerOf = () => {
    const stack = String(new Error().stack || "").split("\n");
    for (const line of stack) {
      const mm = line.match(/(https?:\/\/[^\s)]+?)(?::\d+){0,2}\)?\s*$/);
      if (mm) return mm[1].slice(0, 300);
    }
    return String(location.href).slice(0, 300);
  };
  const report = (id, cat, m, args, caller, limit) => {
    try {
      const ev = { k: "api", ts: now(), id, cat, m, args: String(args || "").slice(0, limit || 300), ret: "", caller: caller || callerOf(), sid: "", tid: 1, th: "page" };
      if (typeof sendHost === "function") sendHost(stringify(ev));
    } catch (e) { /* never break the page */ }
  };
  // Ask the browser (the driver) for a permission; resolves {state: "allow"|"deny", data}.
  const ask = (kind, api, caller) => new P((resolve) => {
    if (typeof askHost !== "function") { resolve({ state: "deny" }); return; }
    let id = 0;
    const loop = (r) => {
      if (!r || typeof r !== "object") { resolve({ state: "deny" }); return; }
      if (r.state && r.state !== "pending") { resolve(r); return; }
      if (r.id) id = r.id;
      later(() => { P.resolve(pollHost(id)).then(loop, () => resolve({ state: "deny" })); }, 60);
    };
    P.resolve(askHost(stringify({ kind, api, caller }))).then(loop, () => resolve({ state: "deny" }));
  });
  const stateOf = (kind) => (typeof askHost === "function" ? P.resolve(askHost(stringify({ kind, query: true }))).then((r) => (r && r.state) || "prompt", () => "prompt") : P.resolve("prompt"));

  const wrap = (obj, name, id, cat, argsOf) => {
    if (!obj || typeof obj[name] !== "function") return;
    const orig = obj[name];
    obj[name] = function (...a) {
      report(id, cat, name, argsOf ? argsOf(a) : "");
      return orig.apply(this, a);
    };
  };
  const notAllowed = (msg) => (DOMEx ? new DOMEx(msg, "NotAllowedError") : new Error(msg));

  // -- geolocation: held, prompted, answered ---------------------------------------------------
  const position = (d) => {
    const c = { latitude: d.lat, longitude: d.lon, accuracy: 20, altitude: null, altitudeAccuracy: null, heading: null, speed: null };
    c.toJSON = () => ({ latitude: c.latitude, longitude: c.longitude, accuracy: c.accuracy });
    const p = { coords: c, timestamp: now() };
    p.toJSON = () => ({ coords: c.toJSON(), timestamp: p.timestamp });
    return p;
  };
  const geoError = () => {
    const proto = window.GeolocationPositionError ? window.GeolocationPositionError.prototype : Object.prototype;
    const e = Object.create(proto);
    Object.defineProperties(e, { code: { value: 1 }, message: { value: "User denied Geolocation" }, PERMISSION_DENIED: { value: 1 }, POSITION_UNAVAILABLE: { value: 2 }, TIMEOUT: { value: 3 } });
    return e;
  };
  if (navigator.geolocation) {
    const g = Object.getPrototypeOf(navigator.geolocation);
    const cleared = new Set();
    let watches = 0;
    const locate = (api, success, error, watchId) => {
      const caller = callerOf();
      report(api, "LOCATION", api.split(".").pop(), "", caller);
      ask("geolocation", api, caller).then((r) => {
        if (watchId && cleared.has(watchId)) return;
        try {
          if (r.state === "allow" && r.data && typeof success === "function") success(position(r.data));
          else if (r.state !== "allow" && typeof error === "function") error(geoError());
        } catch (e) { later(() => { throw e; }, 0); }
      });
    };
    g.getCurrentPosition = function (success, error) { locate("Web.geolocation.getCurrentPosition", success, error, 0); };
    g.watchPosition = function (success, error) { const id = ++watches; locate("Web.geolocation.watchPosition", success, error, id); return id; };
    g.clearWatch = function (id) { cleared.add(id); };
  }

  // -- camera / microphone ---------------------------------------------------------------------
  if (navigator.mediaDevices) {
    const md = Object.getPrototypeOf(navigator.mediaDevices);
    const orig = md.getUserMedia;
    if (typeof orig === "function") {
      md.getUserMedia = function (constraints) {
        const c = constraints || {};
        const caller = callerOf();
        const kinds = [];
        if (c.video) { report("Web.mediaDevices.getUserMedia#video", "CAMERA", "getUserMedia", "video", caller); kinds.push("camera"); }
        if (c.audio) { report("Web.mediaDevices.getUserMedia#audio", "MIC", "getUserMedia", "audio", caller); kinds.push("microphone"); }
        const self = this;
        let chain = P.resolve(true);
        for (const k of kinds) chain = chain.then((ok) => (ok ? ask(k, "Web.mediaDevices.getUserMedia", caller).then((r) => r.state === "allow") : false));
        return chain.then((ok) => (ok ? orig.call(self, constraints) : P.reject(notAllowed("Permission denied"))));
      };
    }
  }

  // -- clipboard read --------------------------------------------------------------------------
  if (navigator.clipboard) {
    const cp = Object.getPrototypeOf(navigator.clipboard);
    for (const name of ["readText", "read"]) {
      const orig = cp[name];
      if (typeof orig !== "function") continue;
      cp[name] = function (...a) {
        const caller = callerOf();
        const api = "Web.clipboard." + name;
        report(api, "CLIPBOARD", name, "", caller);
        const self = this;
        return ask("clipboard-read", api, caller).then((r) => {
          if (r.state !== "allow") throw notAllowed("Read permission denied.");
          return P.resolve(orig.apply(self, a)).catch(() => (name === "readText" ? "" : []));
        });
      };
    }
  }

  // -- permissions.query reflects the answers given on screen -----------------------------------
  if (navigator.permissions && typeof navigator.permissions.query === "function") {
    const pp = Object.getPrototypeOf(navigator.permissions);
    const orig = pp.query;
    const names = { geolocation: "geolocation", camera: "camera", microphone: "microphone", "clipboard-read": "clipboard-read" };
    pp.query = function (desc) {
      const name = desc && names[desc.name];
      if (!name) return orig.apply(this, arguments);
      return stateOf(name).then((s) => {
        const st = { allow: "granted", deny: "denied" }[s] || "prompt";
        const proto = window.PermissionStatus ? window.PermissionStatus.prototype : Object.prototype;
        const o = Object.create(proto);
        Object.defineProperties(o, { state: { value: st }, name: { value: desc.name }, onchange: { value: null, writable: true } });
        return o;
      });
    };
  }

  // -- cookies and storage written by scripts (the host judges them by the writer's party: a
  // third party's identifier is personal data, the site's own consent record is not judged).
  // Only the name is reported, never the value.
  const cd = Object.getOwnPropertyDescriptor(Document.prototype, "cookie");
  if (cd && cd.set && cd.get) {
    Object.defineProperty(Document.prototype, "cookie", {
      configurable: true,
      enumerable: cd.enumerable,
      get() { return cd.get.call(this); },
      set(v) {
        report("Web.document.cookie#set", "STORAGE", "document.cookie", String(v).split(";")[0].split("=")[0].trim().slice(0, 100));
        return cd.set.call(this, v);
      },
    });
  }
  if (window.Storage) wrap(Storage.prototype, "setItem", "Web.storage.setItem", "STORAGE", (a) => String(a[0]).slice(0, 100));

  // -- fingerprinting: recorded only --------------------------------------------------------------
  // Reading back a rendering: a canvas the user can see (a drawing, a code to scan) is device
  // information; one that is not in the document is a device fingerprint (the rendering differs
  // per device and identifies it), recorded as a device identifier read.
  const unseen = (canvas) => { try { return !(canvas && canvas.isConnected); } catch (e) { return true; } };
  const readback = (proto, name, id, ofCanvas, argsOf) => {
    if (!proto || typeof proto[name] !== "function") return;
    const orig = proto[name];
    proto[name] = function (...a) {
      const fp = unseen(ofCanvas(this));
      report(fp ? id + "#unseen" : id, fp ? "DEVICE_ID" : "DEVICE_INFO", name, argsOf ? argsOf(a) : "");
      return orig.apply(this, a);
    };
  };
  readback(HTMLCanvasElement.prototype, "toDataURL", "Web.canvas.toDataURL", (c) => c);
  if (window.CanvasRenderingContext2D) readback(CanvasRenderingContext2D.prototype, "getImageData", "Web.canvas.getImageData", (x) => x.canvas);
  if (window.WebGLRenderingContext) readback(WebGLRenderingContext.prototype, "getParameter", "Web.webgl.getParameter", (x) => x.canvas, (a) => String(a[0]));
  if (window.AudioContext) wrap(AudioContext.prototype, "createOscillator", "Web.audio.createOscillator", "DEVICE_INFO");

  // -- IAB TCF consent signals (window.__tcfapi) -----------------------------------------------------
  // A TCF v2 consent-management platform (its stub first, then the CMP itself) sets
  // window.__tcfapi, and ad tags call it to read the user's choices. The property stays an
  // ordinary one for the page (whatever is assigned is what the page reads back, wrapped); the
  // agent records which scripts call which command (Web.tcfapi#<command>, once per script and
  // command), and registers its own listener once the API exists, recording every TC data the
  // CMP hands out (Web.tcfapi.tcData: event status, CMP id, the TC string, and the object's own
  // purpose consents, legitimate interests, vendor consents and special feature opt-ins). All of
  // it is page data: the host decodes the TC string itself and bounds everything.
  (() => {
    let api, wrapped, listening = false, own = false;
    const seen = new Set();
    const ids = (m) => {
      const out = [];
      try { if (m && typeof m === "object") for (const k of Object.keys(m).slice(0, 2000)) { if (m[k] === true && out.length < 200) out.push(Number(k)); } } catch (e) { /* ignore */ }
      return out;
    };
    const onData = (d, ok) => {
      try {
        if (!ok || !d || typeof d !== "object") return;
        const p = d.purpose || {}, v = d.vendor || {};
        const tc = typeof d.tcString === "string" ? d.tcString.slice(0, 1500) : "";
        const st = String(d.eventStatus || "").slice(0, 40);
        report("Web.tcfapi.tcData", "CONSENT_SIGNAL", st || "tcData", stringify({ s: st, cmp: d.cmpId, g: d.gdprApplies, tc, pc: ids(p.consents), pli: ids(p.legitimateInterests), vc: ids(v.consents), sf: ids(d.specialFeatureOptins) }), null, 2000);
      } catch (e) { /* never break the page */ }
    };
    const listen = () => {
      if (listening || typeof wrapped !== "function") return;
      listening = true;
      own = true;
      try { wrapped("addEventListener", 2, onData); } catch (e) { listening = false; } finally { own = false; }
    };
    const wrap = (fn) => function (...a) {
      if (!own && a.length) {
        try {
          const cmd = String(a[0]).slice(0, 40);
          const caller = callerOf();
          const key = cmd + " " + caller;
          if (cmd !== "ping" && !seen.has(key) && seen.size < 100) { seen.add(key); report("Web.tcfapi#" + cmd, "CONSENT_SIGNAL", cmd, "", caller); }
        } catch (e) { /* ignore */ }
      }
      return fn.apply(this, a);
    };
    try {
      Object.defineProperty(window, "__tcfapi", {
        configurable: true,
        enumerable: true,
        get() { return wrapped; },
        set(fn) { api = fn; wrapped = typeof fn === "function" ? wrap(fn) : fn; if (typeof fn === "function") later(listen, 0); },
      });
    } catch (e) { /* the page defined it first */ }
    // a CMP that redefines the property (defineProperty) is still found: look a few times
    let tries = 0;
    const look = () => {
      if (listening || ++tries > 40) return;
      try {
        const f = window.__tcfapi;
        if (typeof f === "function" && f !== wrapped) { api = f; wrapped = wrap(f); }
        listen();
      } catch (e) { /* ignore */ }
      if (!listening) later(look, 500);
    };
    later(look, 500);
    void api;
  })();

  // -- in-app browser bridges ---------------------------------------------------------------------
  const cb = (fn, arg) => { try { if (typeof fn === "function") fn(arg); } catch (e) { later(() => { throw e; }, 0); } };
  const summary = (o) => { try { return stringify(o, (k, v) => (typeof v === "function" ? undefined : v)).slice(0, 300); } catch (e) { return ""; } };
  const fire = (name) => { try { document.dispatchEvent(new Event(name)); } catch (e) { /* ignore */ } };
  const onReady = (fn) => { if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn); else later(fn, 0); };

  if (cfg.browser === "wechat") {
    const CATS = { getLocation: "LOCATION", openLocation: "LIFECYCLE", chooseImage: "CAMERA", scanQRCode: "CAMERA", startRecord: "MIC", getNetworkType: "NET_ID", getUserInfo: "ACCOUNTS", getUserProfile: "ACCOUNTS", chooseWXPay: "LIFECYCLE", getBrandWCPayRequest: "LIFECYCLE", geoLocation: "LOCATION" };
    const readyFns = [];
    let configured = false;
    // one JS-SDK call: recorded; location and profile go through the prompt; everything else
    // answers as a user who backs out would (":cancel"), so nothing is ever really done
    const jsapi = (name, o, caller) => {
      o = o && typeof o === "object" ? o : {};
      const api = "WeChat.wx." + name;
      report(api, CATS[name] || "LIFECYCLE", name, summary(o), caller);
      // status: ok | fail (refused on screen) | cancel (the user backed out of WeChat's own UI)
      const done = (status, res) => { res.errMsg = res.errMsg || `${name}:${status}`; cb(status === "ok" ? o.success : status === "cancel" ? (o.cancel || o.fail) : o.fail, res); cb(o.complete, res); };
      if (name === "getLocation") {
        ask("wx-location", api, caller).then((r) => {
          if (r.state !== "allow" || !r.data) { done("fail", { errMsg: "getLocation:fail auth deny" }); return; }
          const gcj = String(o.type || "wgs84").toLowerCase() === "gcj02";
          done("ok", { latitude: gcj ? r.data.glat : r.data.lat, longitude: gcj ? r.data.glon : r.data.lon, speed: 0, accuracy: 30 });
        });
      } else if (name === "getUserInfo" || name === "getUserProfile") {
        ask("wx-profile", api, caller).then((r) => {
          if (r.state !== "allow" || !r.data) { done("fail", { errMsg: `${name}:fail auth deny` }); return; }
          done("ok", { userInfo: { nickName: r.data.nickname, avatarUrl: r.data.avatar, gender: 0, country: "", province: "", city: "" } });
        });
      } else if (name === "getNetworkType") {
        later(() => done("ok", { networkType: "wifi" }), 0);
      } else if (name === "checkJsApi") {
        const list = Array.isArray(o.jsApiList) ? o.jsApiList : [];
        const res = {};
        for (const n of list) res[n] = true;
        later(() => done("ok", { checkResult: res }), 0);
      } else {
        later(() => done("cancel", {}), 0);
      }
    };
    const wx = {};
    wx.config = function (o) {
      report("WeChat.wx.config", "LIFECYCLE", "config", summary({ appId: o && o.appId, jsApiList: o && o.jsApiList }));
      configured = true;
      later(() => { while (readyFns.length) cb(readyFns.shift()); }, 0);
    };
    wx.ready = function (fn) { if (configured) later(() => cb(fn), 0); else readyFns.push(fn); };
    wx.error = function () {};
    for (const name of ["getLocation", "openLocation", "chooseImage", "previewImage", "uploadImage", "scanQRCode", "startRecord", "getNetworkType", "getUserInfo", "getUserProfile", "chooseWXPay", "checkJsApi", "closeWindow", "hideMenuItems", "showMenuItems", "updateAppMessageShareData", "updateTimelineShareData", "hideOptionMenu", "showOptionMenu"]) {
      wx[name] = function (o) { if (name === "closeWindow" || name.startsWith("hide") || name.startsWith("show") || name.startsWith("update")) { report("WeChat.wx." + name, "LIFECYCLE", name, ""); return; } jsapi(name, o, callerOf()); };
    }
    window.wx = window.jWeixin = wx;
    const bridge = {
      invoke(name, args, fn) {
        const caller = callerOf();
        const n = String(name || "");
        const map = { geoLocation: "getLocation", getBrandWCPayRequest: "chooseWXPay", scanQRCode: "scanQRCode", imagePreview: "previewImage", getNetworkType: "getNetworkType", chooseImage: "chooseImage" };
        const target = map[n] || "";
        if (!target) { report("WeChat.WeixinJSBridge.invoke", "LIFECYCLE", n.slice(0, 80), summary(args), caller); later(() => cb(fn, { err_msg: `${n}:cancel` }), 0); return; }
        jsapi(target, { ...(args && typeof args === "object" ? args : {}), complete: (res) => cb(fn, { ...res, err_msg: String(res.errMsg || "").replace(/^[^:]*/, n) }) }, caller);
      },
      on() {},
      call(name) { report("WeChat.WeixinJSBridge.call", "LIFECYCLE", String(name || "").slice(0, 80), ""); },
    };
    window.WeixinJSBridge = bridge;
    onReady(() => fire("WeixinJSBridgeReady"));
  } else if (cfg.browser === "alipay") {
    const bridge = {
      call(name, opts, fn) {
        const caller = callerOf();
        const n = String(name || "");
        if (typeof opts === "function") { fn = opts; opts = {}; }
        const o = opts && typeof opts === "object" ? opts : {};
        const api = "Alipay.AlipayJSBridge." + n.slice(0, 60);
        if (n === "getLocation" || n === "getCurrentLocation") {
          report(api, "LOCATION", n, summary(o), caller);
          ask("alipay-location", api, caller).then((r) => cb(fn, r.state === "allow" && r.data ? { latitude: r.data.glat, longitude: r.data.glon, accuracy: 30 } : { error: 11, errorMessage: "用户拒绝授权" }));
        } else if (n === "getAuthCode") {
          const scopes = [].concat(o.scopeNicks || o.scopes || ["auth_base"]).map(String);
          const profile = scopes.some((s) => s === "auth_user" || s === "auth_userinfo");
          report(api, profile ? "ACCOUNTS" : "LIFECYCLE", n, summary(o), caller);
          if (!profile) { later(() => cb(fn, { authCode: "ch-base-" + now().toString(36) }), 0); return; }
          ask("alipay-profile", api, caller).then((r) => cb(fn, r.state === "allow" && r.data ? { authCode: r.data.code } : { error: 11, errorMessage: "用户取消授权" }));
        } else {
          report(api, { scan: "CAMERA", chooseImage: "CAMERA", tradePay: "LIFECYCLE" }[n] || "LIFECYCLE", n, summary(o), caller);
          later(() => cb(fn, { error: 10, errorMessage: "用户取消" }), 0);
        }
      },
    };
    window.AlipayJSBridge = bridge;
    onReady(() => fire("AlipayJSBridgeReady"));
  }
})();
