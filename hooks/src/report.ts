// agent:error messages, rate-limited so a failing hook on a hot path cannot flood the host.
import { head } from "./text.js";

let errors = 0;
export function reportError(where: string, e: unknown): void {
  errors++;
  if (errors > 50) return;
  const msg = e instanceof Error ? `${e.message}` : String(e);
  send({ type: "agent:error", where: head(where, 200), message: (errors === 50 ? "(further errors suppressed) " : "") + head(msg, 1000) });
}
