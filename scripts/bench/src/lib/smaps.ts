// Where a process's resident memory is, read from outside (/proc/<pid>/smaps): the program's own file
// (node or docker-registry), shared libraries and native modules, malloc's brk heap, and the rest of the
// anonymous memory (for Node: V8's heap, malloc's mmap'd arenas, thread stacks). Works for any process, so
// Wharf and Distribution are broken down the same way.
import * as fs from 'node:fs';

type MappingKind = 'program' | 'libraries' | 'mallocBrk' | 'otherAnonymous' | 'otherFiles';

export interface ResidentByMapping {
  exe: string;
  totalRssKiB: number;
  anonymousKiB: number;
  programKiB: number;
  librariesKiB: number;
  mallocBrkKiB: number;
  otherAnonymousKiB: number;
  otherFilesKiB: number;
}

/** Resident KiB of `pid` by kind of mapping, plus the totals smaps gives (Rss, Anonymous). */
export function residentByMapping(pid: number): ResidentByMapping {
  const exe = fs.readlinkSync(`/proc/${pid}/exe`);
  const text = fs.readFileSync(`/proc/${pid}/smaps`, 'utf8');
  const kinds: Record<MappingKind, number> = { program: 0, libraries: 0, mallocBrk: 0, otherAnonymous: 0, otherFiles: 0 };
  let totalRss = 0;
  let totalAnonymous = 0;
  let kind: MappingKind = 'otherAnonymous';
  for (const line of text.split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (header) {
      kind = kindOf((header[1] ?? '').trim(), exe);
      continue;
    }
    const field = /^(Rss|Anonymous):\s+(\d+) kB/.exec(line);
    if (!field) continue;
    const kib = Number(field[2]);
    if (field[1] === 'Anonymous') {
      totalAnonymous += kib;
      continue;
    }
    totalRss += kib;
    kinds[kind] += kib;
  }
  return {
    exe,
    totalRssKiB: totalRss,
    anonymousKiB: totalAnonymous,
    programKiB: kinds.program,
    librariesKiB: kinds.libraries,
    mallocBrkKiB: kinds.mallocBrk,
    otherAnonymousKiB: kinds.otherAnonymous,
    otherFilesKiB: kinds.otherFiles,
  };
}

function kindOf(name: string, exe: string): MappingKind {
  if (name === exe) return 'program';
  if (name === '[heap]') return 'mallocBrk';
  if (name === '' || name.startsWith('[')) return 'otherAnonymous'; // [stack], [anon:...], [vvar], plain anonymous
  if (/\.so(\.|$)|\.node$/.test(name)) return 'libraries';
  return 'otherFiles';
}
