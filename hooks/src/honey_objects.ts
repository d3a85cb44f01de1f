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
// - location SDK objects, which keep their own coordinates and override or implement the getters
//   (catalogue hooks AMapLocation / BDLocation / TencentLocation getLatitude and getLongitude):
//   the getters return the planted point converted into the datum the SDK hands out - GCJ-02
//   for AMap (WGS-84 when the fix says its coordType is WGS84) and Tencent, BD-09 for Baidu
//   (GCJ-02 or WGS-84 when the fix's coorType says so) - with the formulas the matcher uses
//   (harness/network/encodings.py), and AMap / Baidu fixes are moved too (their setters), so
//   toString and serialisers agree. A failed fix (AMap error code, Baidu location type of a
//   failure) keeps its values. TencentLocation is an interface: its getters are hooked on the
//   class of the first object the manager returns (getLastKnownLocation) or hands a listener
//   given to requestLocationUpdates / requestSingleFreshLocation (the listener's
//   onLocationChanged is hooked before the request runs; the first object of a class it gets is
//   moved in place, its coordinate fields set, see tencentDelivered). One
//   "honey" event per SDK, value the planted point in WGS-84 (the form the matcher expands into
//   every datum), api the getter that handed it out.
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
import { argHooks, hookImplementationOf, retHooks, isHooked } from "./java.js";
import { reportError } from "./report.js";
import { head } from "./text.js";

const SYSTEM_PROVIDERS = new Set(["gps", "network", "fused", "passive"]);
const sent = new Set<string>();
const contactCursors = new Map<number, string>(); // identity hash -> uri
const hookedCursorClasses = new Set<string>();
let inCursorHook = false;
let System_: any = null;

export const honeyObjectState = { planted: 0, cursors: 0 };

function plantEvent(name: string, cat: string, value: string, api: string, ts: number, scope = ""): void {
  const key = name + "|" + value + "|" + scope;
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

// -- location SDK objects -------------------------------------------------------------------------
// WGS-84 -> GCJ-02 -> BD-09: the published approximation (Krasovsky ellipsoid), operation for
// operation as harness/network/encodings.py computes it, so the matcher's forms are these values.
type Datum = "wgs84" | "gcj02" | "bd09";
const KRASOVSKY_A = 6378245.0;
const KRASOVSKY_EE = 0.00669342162296594323;

function tlat(x: number, y: number): number {
  let r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  r += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  r += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0;
  r += ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0;
  return r;
}

function tlon(x: number, y: number): number {
  let r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  r += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  r += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0;
  r += ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0;
  return r;
}

export function gcj02FromWgs84(lat: number, lon: number): [number, number] {
  if (!(lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271)) return [lat, lon];
  let dlat = tlat(lon - 105.0, lat - 35.0);
  let dlon = tlon(lon - 105.0, lat - 35.0);
  const radlat = (lat / 180.0) * Math.PI;
  const magic = 1 - KRASOVSKY_EE * Math.sin(radlat) ** 2;
  const sqrtmagic = Math.sqrt(magic);
  dlat = (dlat * 180.0) / (((KRASOVSKY_A * (1 - KRASOVSKY_EE)) / (magic * sqrtmagic)) * Math.PI);
  dlon = (dlon * 180.0) / ((KRASOVSKY_A / sqrtmagic) * Math.cos(radlat) * Math.PI);
  return [lat + dlat, lon + dlon];
}

export function bd09FromGcj02(lat: number, lon: number): [number, number] {
  const xPi = (Math.PI * 3000.0) / 180.0;
  const z = Math.sqrt(lon * lon + lat * lat) + 0.00002 * Math.sin(lat * xPi);
  const theta = Math.atan2(lat, lon) + 0.000003 * Math.cos(lon * xPi);
  return [z * Math.sin(theta) + 0.006, z * Math.cos(theta) + 0.0065];
}

const points = new Map<Datum, [number, number]>();

function pointIn(d: Datum): [number, number] | null {
  const p = location();
  if (p === null) return null;
  let got = points.get(d);
  if (got === undefined) {
    const g = gcj02FromWgs84(p[0], p[1]);
    got = d === "wgs84" ? p : d === "gcj02" ? g : bd09FromGcj02(g[0], g[1]);
    points.set(d, got);
  }
  return got;
}

type Sdk = "amap" | "baidu" | "tencent";
const BAIDU_FIXES = new Set([61, 65, 66, 68, 161]); // GPS, cache, offline, offline after failure, network

// The datum this SDK object hands out, or null when it is a failed fix (left alone). A method the
// SDK version lacks counts as "not said": the SDK's default datum, and a fix.
function datumOf(sdk: Sdk, obj: any): Datum | null {
  if (sdk === "tencent") return "gcj02";
  if (sdk === "amap") {
    try {
      if ((obj.getErrorCode() as number) !== 0) return null;
    } catch (e) {
      /* no error code: a fix */
    }
    try {
      const t = obj.getCoordType();
      if (t !== null && String(t).toUpperCase().includes("WGS")) return "wgs84";
    } catch (e) {
      /* no coordinate type: GCJ-02, AMap's datum in China */
    }
    return "gcj02";
  }
  try {
    if (!BAIDU_FIXES.has(obj.getLocType() as number)) return null;
  } catch (e) {
    /* no location type: a fix */
  }
  try {
    const t = obj.getCoorType();
    const c = t === null ? "" : String(t).toLowerCase();
    if (c.includes("gcj")) return "gcj02";
    if (c.includes("wgs")) return "wgs84";
  } catch (e) {
    /* no coordinate type: BD-09, Baidu's default */
  }
  return "bd09";
}

// Moves an SDK fix to the planted point in its datum; the point (null: left alone).
function plantSdkObject(obj: any, sdk: Sdk, api: string, ts: number): [number, number] | null {
  const p = location();
  if (p === null || obj === null || obj === undefined) return null;
  const d = datumOf(sdk, obj);
  const q = d === null ? null : pointIn(d);
  if (q === null) return null;
  if (sdk !== "tencent") {
    try {
      obj.setLatitude(q[0]);
      obj.setLongitude(q[1]);
    } catch (e) {
      /* no setters in this SDK version: the getters still return the plant */
    }
  }
  plantEvent("location", "LOCATION", `${p[0]},${p[1]}`, api, ts, sdk);
  return q;
}

function sdkGetter(sdk: Sdk, api: string, half: 0 | 1): (self: any, args: any[], ret: any, ts: number) => any {
  return (self, _args, ret, ts) => {
    for (const d of ["gcj02", "bd09", "wgs84"] as Datum[]) {
      const q = points.get(d);
      if (q !== undefined && ret === q[half]) return ret; // already moved: no further calls
    }
    const q = plantSdkObject(self, sdk, api, ts);
    return q === null ? ret : q[half];
  };
}

const TENCENT_LOCATION = "com.tencent.map.geolocation.TencentLocation";
const hookedListeners = new Set<string>();
let TencentListener: any = undefined;

const seenLocationClasses = new Set<string>();

// A fix handed to a Tencent listener. The first object of a class is moved in place: its double
// fields holding the coordinates its (not yet hooked) getters return are set to the plant - the
// listener reads it at once, and a hook installed from inside a hook takes effect on HotSpot only
// when the outer call returns (on ART at once). Then the class's getters are hooked, which plants
// every later object of it.
function tencentDelivered(loc: any): void {
  if (loc === null || loc === undefined) return;
  const klass = Java.cast(loc, Java.use("java.lang.Object")).getClass();
  const name = String(klass.getName());
  if (seenLocationClasses.has(name)) return;
  seenLocationClasses.add(name);
  const q = pointIn("gcj02");
  const p = location();
  if (q !== null && p !== null && moveFields(loc, klass, q)) plantEvent("location", "LOCATION", `${p[0]},${p[1]}`, "TencentLocationListener.onLocationChanged", Date.now(), "tencent");
  hookImplementationOf(TENCENT_LOCATION, loc);
}

// Sets the instance double fields (of the class and its superclasses) that hold the object's
// latitude / longitude to q; whether both were found.
function moveFields(obj: any, klass: any, q: [number, number]): boolean {
  const real = [obj.getLatitude() as number, obj.getLongitude() as number];
  const Modifier = Java.use("java.lang.reflect.Modifier");
  const dbl = Java.use("java.lang.Double").TYPE.value;
  const found = [false, false];
  let k = klass;
  for (let level = 0; k !== null && level < 8 && String(k.getName()) !== "java.lang.Object"; level++) {
    const fields = k.getDeclaredFields();
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i];
      if (!f.getType().equals(dbl) || Modifier.isStatic(f.getModifiers())) continue;
      f.setAccessible(true);
      const v = f.getDouble(obj) as number;
      for (const half of [0, 1]) {
        if (v === real[half] && real[0] !== real[1]) {
          f.setDouble(obj, q[half]);
          found[half] = true;
        }
      }
    }
    k = k.getSuperclass();
  }
  return found[0] && found[1];
}

// A listener handed to the Tencent manager: its onLocationChanged hooks the getters of the
// location class it is given (once per class), then runs as before.
function watchTencentListener(obj: any): void {
  if (obj === null || obj === undefined || typeof obj !== "object") return;
  if (TencentListener === undefined) {
    try {
      TencentListener = Java.use("com.tencent.map.geolocation.TencentLocationListener");
    } catch (e) {
      TencentListener = null;
    }
  }
  if (TencentListener === null || !TencentListener.class.isInstance(obj)) return;
  const klass = Java.cast(obj, Java.use("java.lang.Object")).getClass();
  const name = String(klass.getName());
  if (hookedListeners.has(name)) return;
  hookedListeners.add(name);
  const loader = klass.getClassLoader();
  const L = loader === null ? Java.use(name) : Java.ClassFactory.get(loader).use(name);
  for (const ov of L.onLocationChanged.overloads as any[]) {
    const types = (ov.argumentTypes as any[]).map((t: any) => String(t.className));
    if (types[0] !== TENCENT_LOCATION || isHooked(ov)) continue;
    ov.implementation = function (this: any, ...args: any[]): any {
      try {
        tencentDelivered(args[0]);
      } catch (e) {
        reportError("honey tencent listener", e);
      }
      return ov.apply(this, args);
    };
  }
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
    retHooks.set("LocationManager.getLastKnownLocation", (_self, _args, ret, ts) => {
      plantFix(ret, "LocationManager.getLastKnownLocation", ts);
      return ret;
    });
    // SDK fixes: moved in their own datum when the app gets them, and whenever it reads them
    const sdkCached: [string, Sdk][] = [["AMapLocationClient.getLastKnownLocation", "amap"], ["LocationClient.getLastKnownLocation", "baidu"]];
    for (const [api, sdk] of sdkCached) {
      retHooks.set(api, (_self, _args, ret, ts) => {
        plantSdkObject(ret, sdk, api, ts);
        return ret;
      });
    }
    const getters: [string, Sdk][] = [["AMapLocation", "amap"], ["BDLocation", "baidu"], ["TencentLocation", "tencent"]];
    for (const [cls, sdk] of getters) {
      retHooks.set(`${cls}.getLatitude`, sdkGetter(sdk, `${cls}.getLatitude`, 0));
      retHooks.set(`${cls}.getLongitude`, sdkGetter(sdk, `${cls}.getLongitude`, 1));
    }
    for (const api of ["TencentLocationManager.requestLocationUpdates", "TencentLocationManager.requestSingleFreshLocation"]) {
      argHooks.set(api, (_self, args) => {
        for (const a of args) watchTencentListener(a);
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
