// How much memory a test's browser holds: the proportional set size (PSS)
// of every process below this one, so that pages shared between Chromium's
// processes count once. Linux only (/proc).

import { readdirSync, readFileSync } from 'node:fs';

/** PSS of every descendant of `rootPid`, in bytes. */
export function descendantsPssBytes(rootPid: number = process.pid): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const parent = parentPid(Number(entry));
    if (parent === null) continue;
    const siblings = children.get(parent) ?? [];
    siblings.push(Number(entry));
    children.set(parent, siblings);
  }

  let totalBytes = 0;
  const pending = [...(children.get(rootPid) ?? [])];
  while (pending.length > 0) {
    const pid = pending.pop() as number;
    pending.push(...(children.get(pid) ?? []));
    totalBytes += pssBytes(pid);
  }
  return totalBytes;
}

function parentPid(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The name in parentheses may hold spaces; the fields after it do not.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return null; // gone meanwhile
  }
}

function pssBytes(pid: number): number {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const match = /^Pss:\s+(\d+) kB$/m.exec(rollup);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Samples descendantsPssBytes() until stopped; keeps the peak. */
export class PeakMemory {
  peakBytes = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs: number) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.peakBytes;
  }

  private sample(): void {
    this.peakBytes = Math.max(this.peakBytes, descendantsPssBytes());
  }
}
