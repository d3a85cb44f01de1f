// Turns the page's visible DOM into a uiautomator-format hierarchy (CSS pixels), so the one
// bounded screen parser and the consent-UI recogniser read a web page like an Android screen.
// Runs in an isolated world of the page (the driver's own JavaScript world: the page's scripts
// cannot replace the functions used here), with the app's package and the resource ids reserved
// for browser chrome (a page element with such an id is renamed page_<id>, so no page can pass
// for a permission prompt). Returns a string; everything the page controls is escaped.
(pkg, reserved) => {
  const RESERVED = new Set(reserved || []);
  const MAX = 20000;
  let count = 0;
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "");
  const cut = (s, n) => (s.length > n ? s.slice(0, n) : s);
  // "gone": nothing of it or inside it shows. "box": it shows as a node. Otherwise (a zero-size
  // wrapper, an element with visibility:hidden) it is not a node itself but what is inside it may
  // show: a consent banner is often a fixed-position box inside a zero-size container.
  const show = (el) => {
    const st = getComputedStyle(el);
    if (st.display === "none" || Number(st.opacity) === 0) return "gone";
    if (st.visibility === "hidden" || st.visibility === "collapse") return "inside";
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 ? "box" : "inside";
  };
  const kind = (el) => {
    const tag = el.tagName.toLowerCase();
    const type = (el.getAttribute("type") || "").toLowerCase();
    const role = (el.getAttribute("role") || "").toLowerCase();
    if (tag === "input" && type === "checkbox") return "android.widget.CheckBox";
    if (role === "checkbox") return "android.widget.CheckBox";
    if (role === "switch" || (tag === "input" && role === "switch")) return "android.widget.Switch";
    if (tag === "button" || role === "button" || (tag === "input" && (type === "button" || type === "submit"))) return "android.widget.Button";
    if (tag === "input" || tag === "textarea") return "android.widget.EditText";
    if (tag === "a") return "android.widget.TextView";
    if (tag === "img") return "android.widget.ImageView";
    return "android.view.View";
  };
  const ownText = (el) => {
    let t = "";
    for (const n of el.childNodes) if (n.nodeType === 3) t += n.nodeValue;
    t = t.replace(/\s+/g, " ").trim();
    if (!t && (el.tagName === "BUTTON" || el.tagName === "A")) t = (el.innerText || "").replace(/\s+/g, " ").trim();
    // a field shows what is typed in it (never a password), else its placeholder (as Android
    // shows a hint); the placeholder is also the node's hint
    if (!t && (el.tagName === "INPUT" || el.tagName === "TEXTAREA")) t = el.value ? (el.type === "password" ? "" : String(el.value)) : el.getAttribute("placeholder") || "";
    return cut(t, 500);
  };
  // A styled switch: the native checkbox is hidden (opacity 0, clipped, 1px) and the user sees and
  // taps its <label> (which toggles it). Such a label is read as the checkbox itself.
  const hiddenBox = (input) => {
    if (!input || input.tagName !== "INPUT" || (input.type !== "checkbox" && input.type !== "radio")) return false;
    if (show(input) !== "box") return true;
    const r = input.getBoundingClientRect();
    return r.width < 4 || r.height < 4;
  };
  const switchLabel = (el, b) => {
    const input = el.control;
    const text = cut((el.innerText || "").replace(/\s+/g, " ").trim() || input.getAttribute("aria-label") || "", 500);
    const cls = input.type === "radio" ? "android.widget.RadioButton" : (input.getAttribute("role") || "").toLowerCase() === "switch" ? "android.widget.Switch" : "android.widget.CheckBox";
    return `<node index="0" text="${esc(text)}" resource-id="${esc(input.id ? "web:id/" + cut(input.id, 100) : "")}" class="${cls}" package="${esc(pkg || "web")}" content-desc="${esc(cut(input.getAttribute("aria-label") || "", 300))}" checkable="true" checked="${input.checked === true}" clickable="true" enabled="${!input.disabled}" focusable="true" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="${b}"></node>`;
  };
  const walk = (el, depth) => {
    if (count >= MAX || depth > 60) return "";
    const how = show(el);
    if (how === "gone") return "";
    count++;
    if (how === "box" && el.tagName === "LABEL" && hiddenBox(el.control)) {
      const r = el.getBoundingClientRect();
      return switchLabel(el, `[${Math.max(0, Math.round(r.left))},${Math.max(0, Math.round(r.top))}][${Math.round(r.right)},${Math.round(r.bottom)}]`);
    }
    if (how === "inside") {
      let kids = "";
      for (const c of el.children) kids += walk(c, depth + 1);
      return kids;
    }
    const r = el.getBoundingClientRect();
    const b = `[${Math.max(0, Math.round(r.left))},${Math.max(0, Math.round(r.top))}][${Math.round(r.right)},${Math.round(r.bottom)}]`;
    const cls = kind(el);
    const pointer = getComputedStyle(el).cursor === "pointer" && !(el.parentElement && getComputedStyle(el.parentElement).cursor === "pointer");
    const clickable = cls === "android.widget.Button" || cls === "android.widget.CheckBox" || cls === "android.widget.Switch" || el.tagName === "A" || typeof el.onclick === "function" || el.hasAttribute("onclick") || pointer;
    const checkable = cls === "android.widget.CheckBox" || cls === "android.widget.Switch";
    const checked = checkable && (el.checked === true || el.getAttribute("aria-checked") === "true");
    const text = ownText(el);
    const id = cut(el.id || "", 100);
    const rid = id ? "web:id/" + (RESERVED.has(id.toLowerCase()) || /^perm/i.test(id) ? "page_" + id : id) : "";
    const desc = cut(el.getAttribute("aria-label") || el.getAttribute("alt") || "", 300);
    let inner = "";
    if (!(el.tagName === "BUTTON" || el.tagName === "A")) {
      for (const c of el.children) inner += walk(c, depth + 1);
      if (el.shadowRoot) for (const c of el.shadowRoot.children) inner += walk(c, depth + 1);
    }
    return `<node index="0" text="${esc(text)}" resource-id="${esc(rid)}" class="${cls}" package="${esc(pkg || "web")}" content-desc="${esc(desc)}" checkable="${checkable}" checked="${checked}" clickable="${clickable}" enabled="${!el.disabled}" focusable="${clickable}" focused="false" scrollable="false" long-clickable="false" password="${el.type === "password"}" selected="false" hint="${esc(cut(el.getAttribute("placeholder") || "", 300))}" bounds="${b}">${inner}</node>`;
  };
  const w = Math.round(window.innerWidth), h = Math.round(window.innerHeight);
  return `<?xml version="1.0" encoding="UTF-8"?><hierarchy rotation="0" width="${w}" height="${h}">${document.body ? walk(document.body, 0) : ""}</hierarchy>`;
}
