// consent-harness page instrumentation: installed before any page script runs (an init script).
// Records calls of APIs that read personal data or fingerprint the device, with the URL of the
// calling script, and hands them to the host through the exposed binding __chReport as events of
// the agent wire protocol (harness/instrumentation/protocol.py). Never changes what the page gets.
(() => {
  if (window.__chInstalled) return;
  Object.defineProperty(window, "__chInstalled", { value: true });
  const report = (id, cat, m, args) => {
    try {
      let caller = "";
      const stack = String(new Error().stack || "").split("\n");
      for (const line of stack) {
        const mm = line.match(/(https?:\/\/[^\s)]+?)(?::\d+){0,2}\)?\s*$/);
        if (mm && !mm[1].includes("__ch")) { caller = mm[1]; break; }
      }
      const ev = { k: "api", ts: Date.now(), id, cat, m, args: String(args || "").slice(0, 300), ret: "", caller: caller.slice(0, 300), sid: "", tid: 1, th: "page" };
      if (typeof window.__chReport === "function") window.__chReport(JSON.stringify(ev));
    } catch (e) { /* never break the page */ }
  };
  const wrap = (obj, name, id, cat, argsOf) => {
    if (!obj || typeof obj[name] !== "function") return;
    const orig = obj[name];
    obj[name] = function (...a) {
      report(id, cat, name, argsOf ? argsOf(a) : "");
      return orig.apply(this, a);
    };
  };
  if (navigator.geolocation) {
    const g = Object.getPrototypeOf(navigator.geolocation);
    wrap(g, "getCurrentPosition", "Web.geolocation.getCurrentPosition", "LOCATION");
    wrap(g, "watchPosition", "Web.geolocation.watchPosition", "LOCATION");
  }
  if (navigator.clipboard) {
    const c = Object.getPrototypeOf(navigator.clipboard);
    wrap(c, "readText", "Web.clipboard.readText", "CLIPBOARD");
    wrap(c, "read", "Web.clipboard.read", "CLIPBOARD");
  }
  if (navigator.mediaDevices) {
    const md = Object.getPrototypeOf(navigator.mediaDevices);
    const orig = md.getUserMedia;
    if (typeof orig === "function") {
      md.getUserMedia = function (constraints) {
        const c = constraints || {};
        if (c.video) report("Web.mediaDevices.getUserMedia#video", "CAMERA", "getUserMedia", "video");
        if (c.audio) report("Web.mediaDevices.getUserMedia#audio", "MIC", "getUserMedia", "audio");
        return orig.apply(this, arguments);
      };
    }
  }
  // Cookies and storage written by scripts (the host judges them by the writer's party: a
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
  wrap(HTMLCanvasElement.prototype, "toDataURL", "Web.canvas.toDataURL", "DEVICE_INFO");
  if (window.CanvasRenderingContext2D) wrap(CanvasRenderingContext2D.prototype, "getImageData", "Web.canvas.getImageData", "DEVICE_INFO");
  if (window.WebGLRenderingContext) wrap(WebGLRenderingContext.prototype, "getParameter", "Web.webgl.getParameter", "DEVICE_INFO", (a) => String(a[0]));
  if (window.AudioContext) wrap(AudioContext.prototype, "createOscillator", "Web.audio.createOscillator", "DEVICE_INFO");
})();
