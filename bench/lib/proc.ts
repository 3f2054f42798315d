/**
 * What Linux's /proc tells about a process the bench started: resident memory (now and peak),
 * CPU time used, and this process's limit on open files (children inherit it).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Memory {
  /** VmRSS: resident now, bytes. */
  rss: number;
  /** VmHWM: the peak resident size so far, bytes. */
  peak: number;
}

/** The resident memory of process `pid` (from /proc/<pid>/status, which reports kB). */
export function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!m) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(m[1]) * 1024;
  };
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

let ticksPerSecond: number | undefined;

/** Clock ticks per second, the unit of /proc/<pid>/stat's times (getconf CLK_TCK; 100 on Linux). */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** CPU seconds process `pid` has used so far, user plus system (utime + stime of /proc/<pid>/stat). */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces: count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`/proc/${pid}/stat: cannot read utime and stime`);
  return (utime + stime) / clockTicks();
}

export interface FileLimit {
  soft: number;
  hard: number;
}

/** This process's limit on open files (from /proc/self/limits; Infinity for "unlimited"). */
export function openFileLimit(): FileLimit {
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  if (!m) throw new Error('/proc/self/limits has no "Max open files" line');
  const n = (s: string) => (s === 'unlimited' ? Infinity : Number(s));
  return { soft: n(m[1]!), hard: n(m[2]!) };
}

/**
 * The command that runs `command args…` with at least `need` open files allowed: as is when the
 * soft limit suffices, else through `sh -c 'ulimit -n …; exec …'` (the same process id, so /proc
 * figures are the command's). Throws when the hard limit is below `need`.
 */
export function withOpenFiles(need: number, command: string, args: string[]): [string, string[]] {
  const { soft, hard } = openFileLimit();
  if (soft >= need) return [command, args];
  if (hard < need) throw new Error(`the hard limit on open files is ${hard}, below the ${need} a process needs here: raise it (ulimit -Hn, as root) or lower BENCH_FLEET_N`);
  return ['/bin/sh', ['-c', `ulimit -n ${hard === Infinity ? need : hard} && exec "$0" "$@"`, command, ...args]];
}
