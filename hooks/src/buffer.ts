// Event batching: events are pushed into one buffer and sent as
// {"type": "events:add", "events": [...]} every `flushMs`, or earlier when the buffer holds
// `maxBatch` events or about `maxBatchBytes` of text. Identical consecutive calls from one call
// site (same api, thread, arguments and result) inside one batch are folded into one event
// with a count `n`, so a hot loop costs one event per batch, not one per call.
import { config } from "./config.js";

export type WireEvent = Record<string, unknown>;

let buffer: WireEvent[] = [];
let bytes = 0;
let folds = new Map<string, WireEvent>();
let timer: ReturnType<typeof setInterval> | null = null;

export const counters = { calls: 0, events: 0, batches: 0, folded: 0 };

export function approxSize(ev: WireEvent): number {
  let n = 64;
  for (const k in ev) {
    const v = ev[k];
    if (typeof v === "string") n += v.length;
    else if (Array.isArray(v)) for (const x of v) n += typeof x === "string" ? x.length + 3 : 8;
  }
  return n;
}

export function push(ev: WireEvent, foldKey: string | null): void {
  counters.calls++;
  if (foldKey !== null && config.fold) {
    const prev = folds.get(foldKey);
    if (prev !== undefined) {
      prev.n = (prev.n as number) + 1;
      counters.folded++;
      return;
    }
    ev.n = 1;
    folds.set(foldKey, ev);
  }
  if (!config.batch) {
    counters.events++;
    counters.batches++;
    folds.clear();
    send({ type: "events:add", events: [ev] });
    return;
  }
  buffer.push(ev);
  counters.events++;
  bytes += approxSize(ev);
  if (buffer.length >= config.maxBatch || bytes >= config.maxBatchBytes) flush();
}

export function flush(): number {
  if (buffer.length === 0) return 0;
  const batch = buffer;
  buffer = [];
  bytes = 0;
  folds = new Map();
  counters.batches++;
  send({ type: "events:add", events: batch });
  return batch.length;
}

export function startTimer(): void {
  stopTimer();
  if (config.batch) timer = setInterval(flush, config.flushMs);
}

export function stopTimer(): void {
  if (timer !== null) {
    clearInterval(timer);
    timer = null;
  }
}

export function buffered(): number {
  return buffer.length;
}
