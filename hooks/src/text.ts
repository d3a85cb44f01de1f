// Text helpers with no dependencies (config.ts and report.ts use them too).

// The first `n` UTF-16 units of `s`, one fewer when the cut would fall between the halves of a
// surrogate pair: the agent never creates a lone surrogate (the host would have to replace it).
export function head(s: string, n: number): string {
  if (s.length <= n) return s;
  if (n <= 0) return "";
  const last = s.charCodeAt(n - 1);
  return s.substring(0, last >= 0xd800 && last <= 0xdbff ? n - 1 : n);
}

