// Honey objects: planted location, contact, clipboard text and installed package (config
// honeyLoc / honeyContact / honeyClip / honeyPkg, chosen per run by the host, see
// harness/network/honey.py). Each is planted through the catalogue's own hooks (java.ts
// retHooks, by api id), so a hook the catalogue switches off plants nothing; each planted value
// is reported once as a "honey" event with the value the app got.
//
// - location: a fix from a system provider (gps, network, fused, passive) is moved to the
//   planted point when the app reads it (Location.getLatitude / getLongitude) or gets it
//   (LocationManager / AMap getLastKnownLocation): the getters return the planted value and the
//   object's own fields are set too, so toString and serialisers agree. A Location the app
//   builds with its own provider name (a shop's address) is never touched.
// - contacts: the cursor a contacts query returns (ContentResolver / ContentProviderClient query
//   on a contacts or SIM URI) is remembered by identity; getString on that cursor gives the
//   planted name in name columns and the planted number in number columns. Other cursors of
//   the same class pass through unchanged (getString is hooked on the cursor's class, but only
//   remembered cursors are answered from the plant).
// - clipboard: getPrimaryClip returns a plain-text clip of the planted text when the real clip
//   holds text (so ClipData.Item.getText and coerceToText both give it); the legacy getText
//   returns it. Clips the app builds itself are never touched.
// - apps: the installed-apps lists get one planted package appended (a copy of the real list:
//   the app still finds itself and the system apps).
import Java from "frida-java-bridge";
import { config } from "./config.js";
import { push } from "./buffer.js";
import { retHooks, isHooked } from "./java.js";
import { reportError } from "./report.js";
import { head } from "./text.js";

const SYSTEM_PROVIDERS = new Set(["gps", "network", "fused", "passive"]);
const sent = new Set<string>();
const contactCursors = new Map<number, string>(); // identity hash -> uri
const hookedCursorClasses = new Set<string>();
let inCursorHook = false;
let System_: any = null;

export const honeyObjectState = { planted: 0, cursors: 0 };

function plantEvent(name: string, cat: string, value: string, api: string, ts: number): void {
  const key = name + "|" + value;
  if (sent.has(key)) return;
  sent.add(key);
  honeyObjectState.planted++;
  push({ k: "honey", ts, name, cat, value: head(value, 256), api }, null);
}

function identity(obj: any): number {
  if (System_ === null) System_ = Java.use("java.lang.System");
  return System_.identityHashCode(obj) as number;
}

function location(): [number, number] | null {
  const v = config.honeyLoc;
  if (!Array.isArray(v) || v.length !== 2) return null;
  const [lat, lon] = v;
  if (typeof lat !== "number" || typeof lon !== "number" || !isFinite(lat) || !isFinite(lon)) return null;
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
  return [lat, lon];
}

function str(v: unknown): string {
  return typeof v === "string" ? head(v, 256) : "";
}

// Move a system fix to the planted point; false when it is not a system fix (left alone).
function plantFix(loc: any, api: string, ts: number): boolean {
  const p = location();
  if (p === null || loc === null || loc === undefined) return false;
  let provider = "";
  try {
    const v = loc.getProvider();
    provider = v === null ? "" : String(v);
  } catch (e) {
    return false;
  }
  if (!SYSTEM_PROVIDERS.has(provider)) return false;
  try {
    loc.setLatitude(p[0]);
    loc.setLongitude(p[1]);
  } catch (e) {
    /* a fix class without setters: the getters still return the plant */
  }
  plantEvent("location", "LOCATION", `${p[0]},${p[1]}`, api, ts);
  return true;
}

function contactColumn(self: any, index: number, uri: string): string | null {
  const [name, phone] = config.honeyContact;
  let col = "";
  try {
    col = String(self.getColumnName(index)).toLowerCase();
  } catch (e) {
    return null;
  }
  if (col.startsWith("display_name") || col === "name") return name;
  if (col === "number" || col === "normalized_number") return col === "normalized_number" ? "+86" + phone : phone;
  if (col === "data1" || col === "data4") {
    // Phone rows keep the number in data1 (normalised in data4); name rows the name in data1
    let kind = /\/phones|icc\//.test(uri) ? "phone" : "";
    if (kind === "") {
      try {
        const mi = self.getColumnIndex("mimetype");
        const mime = mi >= 0 ? String(self.getString(mi)) : "";
        kind = mime.endsWith("/phone_v2") ? "phone" : mime.endsWith("/name") ? "name" : "";
      } catch (e) {
        kind = "";
      }
    }
    if (kind === "phone") return col === "data4" ? "+86" + phone : phone;
    if (kind === "name" && col === "data1") return name;
  }
  return null;
}

function hookCursorClass(cursor: any): void {
  let klass: any;
  let name = "";
  try {
    klass = Java.cast(cursor, Java.use("java.lang.Object")).getClass();
    name = String(klass.getName());
  } catch (e) {
    reportError("honey contacts cursor", e);
    return;
  }
  if (hookedCursorClasses.has(name)) return;
  hookedCursorClasses.add(name);
  try {
    const loader = klass.getClassLoader();
    const factory = loader === null ? null : Java.ClassFactory.get(loader);
    const C = factory === null ? Java.use(name) : factory.use(name);
    for (const ov of C.getString.overloads as any[]) {
      if (isHooked(ov)) {
        reportError("honey contacts", `${name}.getString is a catalogue hook: contacts are not planted`);
        continue;
      }
      ov.implementation = function (this: any, ...args: any[]): any {
        const real = ov.apply(this, args);
        if (inCursorHook || contactCursors.size === 0 || real === null) return real;
        let uri: string | undefined;
        try {
          uri = contactCursors.get(identity(this));
        } catch (e) {
          uri = undefined;
        }
        if (uri === undefined) return real;
        inCursorHook = true;
        try {
          const planted = contactColumn(this, args[0] as number, uri);
          if (planted === null) return real;
          const [name, phone] = config.honeyContact;
          plantEvent(planted === name ? "contact_name" : "contact_phone", "CONTACTS", planted === name ? name : phone, "ContentResolver.query#contacts", Date.now());
          return planted;
        } finally {
          inCursorHook = false;
        }
      };
    }
  } catch (e) {
    reportError("honey contacts " + name, e);
  }
}

function plantContacts(self: any, args: any[], ret: any): any {
  if (ret === null || ret === undefined) return ret;
  const uri = args.length > 0 && args[0] !== null ? String(args[0]) : "";
  const id = identity(ret);
  contactCursors.set(id, uri);
  honeyObjectState.cursors++;
  if (contactCursors.size > 64) {
    const first = contactCursors.keys().next();
    if (!first.done) contactCursors.delete(first.value);
  }
  hookCursorClass(ret);
  return ret;
}

function plantClip(ret: any, api: string, ts: number): any {
  const text = str(config.honeyClip);
  if (text === "" || ret === null || ret === undefined) return ret;
  try {
    if (ret.getItemCount() < 1) return ret;
    const item = ret.getItemAt(0);
    if (item === null || item.getText() === null) return ret; // an image or a URI: left alone
  } catch (e) {
    return ret;
  }
  let label: any = "text";
  try {
    const d = ret.getDescription();
    if (d !== null && d.getLabel() !== null) label = d.getLabel();
  } catch (e) {
    /* keep the default label */
  }
  const clip = Java.use("android.content.ClipData").newPlainText(label, Java.use("java.lang.String").$new(text));
  plantEvent("clipboard", "CLIPBOARD", text, api, ts);
  return clip;
}

function plantedEntry(kind: string, pkg: string): any {
  const AppInfo = Java.use("android.content.pm.ApplicationInfo");
  const app = AppInfo.$new();
  app.packageName.value = pkg;
  if (kind === "packages") {
    const pi = Java.use("android.content.pm.PackageInfo").$new();
    pi.packageName.value = pkg;
    pi.applicationInfo.value = app;
    return pi;
  }
  if (kind === "applications") return app;
  const ai = Java.use("android.content.pm.ActivityInfo").$new();
  ai.packageName.value = pkg;
  ai.name.value = pkg + ".MainActivity";
  ai.applicationInfo.value = app;
  const ri = Java.use("android.content.pm.ResolveInfo").$new();
  ri.activityInfo.value = ai;
  return ri;
}

function plantApp(kind: string, ret: any, api: string, ts: number): any {
  const pkg = str(config.honeyPkg);
  if (pkg === "" || ret === null || ret === undefined) return ret;
  const list = Java.use("java.util.ArrayList").$new(Java.cast(ret, Java.use("java.util.Collection")));
  list.add(Java.cast(plantedEntry(kind, pkg), Java.use("java.lang.Object")));
  plantEvent("app_list", "APP_LIST", pkg, api, ts);
  return list;
}

// Registers the transforms for whatever the host planted (nothing when it planted nothing).
export function installHoneyObjects(): void {
  if (location() !== null) {
    const p = location() as [number, number];
    // a fix already moved returns the plant itself: no further calls on the hot path
    retHooks.set("Location.getLatitude", (self, _args, ret, ts) => (ret === p[0] || plantFix(self, "Location.getLatitude", ts) ? p[0] : ret));
    retHooks.set("Location.getLongitude", (self, _args, ret, ts) => (ret === p[1] || plantFix(self, "Location.getLongitude", ts) ? p[1] : ret));
    for (const api of ["LocationManager.getLastKnownLocation", "AMapLocationClient.getLastKnownLocation"]) {
      retHooks.set(api, (_self, _args, ret, ts) => {
        plantFix(ret, api, ts);
        return ret;
      });
    }
  }
  const c = config.honeyContact;
  if (Array.isArray(c) && c.length === 2 && str(c[0]) !== "" && str(c[1]) !== "") {
    config.honeyContact = [str(c[0]), str(c[1])];
    retHooks.set("ContentResolver.query#contacts", (self, args, ret) => plantContacts(self, args, ret));
    retHooks.set("ContentProviderClient.query#contacts", (self, args, ret) => plantContacts(self, args, ret));
  }
  if (str(config.honeyClip) !== "") {
    retHooks.set("ClipboardManager.getPrimaryClip", (_self, _args, ret, ts) => plantClip(ret, "ClipboardManager.getPrimaryClip", ts));
    retHooks.set("ClipboardManager.getText", (_self, _args, ret, ts) => {
      if (ret === null || ret === undefined) return ret;
      const text = str(config.honeyClip);
      plantEvent("clipboard", "CLIPBOARD", text, "ClipboardManager.getText", ts);
      return Java.use("java.lang.String").$new(text);
    });
  }
  if (str(config.honeyPkg) !== "") {
    retHooks.set("PackageManager.getInstalledPackages", (_s, _a, ret, ts) => plantApp("packages", ret, "PackageManager.getInstalledPackages", ts));
    retHooks.set("PackageManager.getInstalledApplications", (_s, _a, ret, ts) => plantApp("applications", ret, "PackageManager.getInstalledApplications", ts));
    retHooks.set("PackageManager.queryIntentActivities", (_s, _a, ret, ts) => plantApp("activities", ret, "PackageManager.queryIntentActivities", ts));
  }
}
