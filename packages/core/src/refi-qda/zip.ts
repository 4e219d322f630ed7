import { strToU8, Unzip, type UnzipFile, UnzipInflate, zipSync } from 'fflate';
import { QdaFormatError } from './model.js';

/** Limits on what an uploaded archive may unpack to, checked as it inflates (headers can lie). */
export interface UnpackLimits {
  /** Entries in the archive, counted whether read or not. */
  maxEntries: number;
  /** Bytes inflated across the entries read. */
  maxTotalBytes: number;
}

/** Defaults: generous for a study's transcripts, small against a ZIP bomb. */
export const defaultUnpackLimits: UnpackLimits = { maxEntries: 20_000, maxTotalBytes: 64 * 1024 * 1024 };

/** An archive over the limits: the route answers 413. */
export class QdpxTooLargeError extends QdaFormatError {}

/** What a `.qdpx` holds for Calma: `project.qde` and the text files under `sources/`. */
export interface QdpxContent {
  projectXml: string;
  /** By path inside the archive, e.g. `sources/<guid>.txt`. */
  sources: Map<string, string>;
}

/** Packs `project.qde` and the source files into a `.qdpx` (a ZIP). */
export function packQdpx(projectXml: string, sources: ReadonlyMap<string, string>): Uint8Array {
  const files: Record<string, Uint8Array> = { 'project.qde': strToU8(projectXml) };
  for (const [path, body] of sources) files[path] = strToU8(body);
  return zipSync(files, { level: 6, mtime: new Date('2020-01-01T00:00:00Z') });
}

/** Whether a ZIP entry name is one that could escape where it is unpacked (`..`, absolute, drive, NUL). */
export function unsafeEntryName(name: string): boolean {
  if (name.includes('\u0000') || name.includes('\\')) return true;
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return true;
  return name.split('/').some((part) => part === '..');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decode(bytes: Uint8Array, name: string): string {
  try {
    return utf8.decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw new QdaFormatError(`${name} is not UTF-8 text`);
  }
}

/**
 * Unpacks a `.qdpx`: `project.qde` and `sources/*.txt`, everything else skipped. The whole
 * archive is refused when an entry name could traverse paths, when there are too many entries or
 * when inflating passes the byte limit — counted chunk by chunk while inflating, so a bomb stops
 * at the limit whatever its headers claim.
 * @throws QdaFormatError (not a ZIP, no project.qde, unsafe name), QdpxTooLargeError (limits).
 */
export function unpackQdpx(zip: Uint8Array, limits: UnpackLimits = defaultUnpackLimits): QdpxContent {
  const signature =
    zip.length >= 4 ? (zip[0] ?? 0) | ((zip[1] ?? 0) << 8) | ((zip[2] ?? 0) << 16) | ((zip[3] ?? 0) << 24) : 0;
  if (signature !== 0x04034b50) throw new QdaFormatError('The body is not a ZIP archive (.qdpx)');
  const chunks = new Map<string, Uint8Array[]>();
  let entries = 0;
  let total = 0;
  let failure: QdaFormatError | undefined;
  const files: UnzipFile[] = [];
  const complete = new Set<string>();
  const unzip = new Unzip((file) => {
    if (failure) return;
    entries += 1;
    if (entries > limits.maxEntries) {
      failure = new QdpxTooLargeError(`The archive has more than ${limits.maxEntries} entries`);
      return;
    }
    if (unsafeEntryName(file.name)) {
      failure = new QdaFormatError(`The archive has an unsafe entry name "${file.name.slice(0, 80)}"`);
      return;
    }
    const name = file.name.normalize('NFC');
    const wanted = name === 'project.qde' || (name.startsWith('sources/') && !name.endsWith('/'));
    if (!wanted) return;
    const parts: Uint8Array[] = [];
    chunks.set(name, parts);
    files.push(file);
    file.ondata = (err, data, final) => {
      if (failure) return;
      if (err) {
        failure = new QdaFormatError(`The archive entry ${name} is damaged: ${err.message}`);
        return;
      }
      total += data.length;
      if (total > limits.maxTotalBytes) {
        failure = new QdpxTooLargeError(
          `The archive unpacks to more than ${Math.round(limits.maxTotalBytes / 1024 / 1024)} MB`,
        );
        file.terminate();
        return;
      }
      parts.push(data);
      if (final) complete.add(name);
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  // Small steps: deflate expands at most ~1000:1, so one step can never inflate far past the limit.
  const step = 16 * 1024;
  try {
    for (let at = 0; at < zip.length && !failure; at += step) {
      unzip.push(zip.subarray(at, Math.min(at + step, zip.length)), at + step >= zip.length);
    }
  } catch (err) {
    failure ??= new QdaFormatError(`The ZIP archive is damaged: ${err instanceof Error ? err.message : String(err)}`);
  }
  for (const file of files) if (failure) file.terminate();
  if (failure) throw failure;
  const join = (parts: Uint8Array[]) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  const project = chunks.get('project.qde');
  if (!project) throw new QdaFormatError('The archive has no project.qde at its top level');
  for (const name of chunks.keys()) {
    if (!complete.has(name)) throw new QdaFormatError(`The archive entry ${name} is cut short`);
  }
  const sources = new Map<string, string>();
  for (const [name, parts] of chunks) if (name !== 'project.qde') sources.set(name, decode(join(parts), name));
  return { projectXml: decode(join(project), 'project.qde'), sources };
}
