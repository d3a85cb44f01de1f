// agent:error messages, rate-limited so a failing hook on a hot path cannot flood the host.
let errors = 0;
export function reportError(where: string, e: unknown): void {
  errors++;
  if (errors > 50) return;
  const msg = e instanceof Error ? `${e.message}` : String(e);
  send({ type: "agent:error", where: where.substring(0, 200), message: (errors === 50 ? "(further errors suppressed) " : "") + msg.substring(0, 1000) });
}
