// Bounded text summaries of Java values. A hostile app controls every argument and return
// value, so every string is cut to `config.maxStr` and arrays to a few items. Objects are
// rendered by their declared type unless the type is a small "value" type whose text is the
// evidence (a Uri, an Intent, an Account...), which costs one JNI call.
import Java from "frida-java-bridge";
import { config } from "./config.js";
import { head } from "./text.js";

const VALUE_TYPES = new Set([
  "android.net.Uri",
  "android.content.Intent",
  "android.content.ComponentName",
  "android.accounts.Account",
  "android.location.Location",
  "java.io.File",
  "java.lang.CharSequence",
  "java.lang.Integer",
  "java.lang.Long",
  "java.lang.Boolean",
  "java.lang.Double",
  "java.lang.Float",
]);

// `s` cut to at most `limit` UTF-16 units, ending with "…" when cut; pair-safe (see head).
export function cut(s: string, limit: number = config.maxStr): string {
  return s.length > limit ? head(s, limit - 1) + "\u2026" : s;
}

let JString: any = null;

// String.valueOf(obj): the object's own toString(), also for interface-typed wrappers.
export function javaText(v: any): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  try {
    if (JString === null) JString = Java.use("java.lang.String");
    const s = JString.valueOf.overload("java.lang.Object").call(JString, v);
    return typeof s === "string" ? s : String(s);
  } catch (e) {
    return "<toString failed>";
  }
}

function simpleName(cls: string): string {
  const i = cls.lastIndexOf(".");
  return i >= 0 ? cls.substring(i + 1) : cls;
}

function hexBytes(v: any, max: number): string {
  const n = Math.min(v.length as number, max);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(((v[i] as number) & 0xff).toString(16).padStart(2, "0"));
  return out.join(":") + ((v.length as number) > max ? "\u2026" : "");
}

// `type` is the frida type className ("int", "java.lang.String", "[B", "[Ljava.lang.String;").
// `deep` asks for String.valueOf on any object (used for kept return values).
export function summarize(v: any, type: string, deep: boolean): string {
  if (v === null || v === undefined) return "null";
  const t = typeof v;
  if (t === "string") return cut(v as string);
  if (t === "number" || t === "boolean") return String(v);
  if (t === "object" && v.$className === undefined && typeof v.length === "number") {
    if (type === "[B") return hexBytes(v, 64);
    const n = Math.min(v.length as number, 16);
    const items: string[] = [];
    const inner = type.startsWith("[L") ? type.substring(2, type.length - 1) : type.substring(1);
    for (let i = 0; i < n; i++) items.push(summarize(v[i], inner, deep));
    return cut("[" + items.join(", ") + ((v.length as number) > n ? ", \u2026" : "") + "]");
  }
  if (deep || VALUE_TYPES.has(type)) return cut(javaText(v));
  return "<" + simpleName(type) + ">";
}

// Normalises a frida type className into Java source form: "[Ljava.lang.String;" -> "java.lang.String[]".
const PRIMS: Record<string, string> = { Z: "boolean", B: "byte", C: "char", S: "short", I: "int", J: "long", F: "float", D: "double" };
export function sourceType(name: string): string {
  let dims = 0;
  while (name.startsWith("[")) {
    dims++;
    name = name.substring(1);
  }
  if (dims > 0) {
    if (name.startsWith("L") && name.endsWith(";")) name = name.substring(1, name.length - 1);
    else name = PRIMS[name] ?? name;
  }
  return name + "[]".repeat(dims);
}
