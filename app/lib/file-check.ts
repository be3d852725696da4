/**
 * The checks a file picker can make in the browser before anything is uploaded: size, number of files, total size
 * and type (by the `accept` list of the input). The server checks again, by content; this only spares the citizen an
 * upload that would be refused anyway. Pure: no DOM, so it is the same on the server and in tests.
 */

/** A chosen file as the browser describes it. */
export interface ChosenFile {
  name: string;
  size: number;
  /** MIME type the browser guessed ("" when it does not know). */
  type: string;
}

export interface FileLimits {
  maxFiles: number;
  maxFileBytes: number;
  maxTotalBytes: number;
}

/** Why a file is left out (keys of the "files" section of the common namespace). */
export type FileProblem = "files.tooLarge" | "files.wrongType" | "files.empty" | "files.tooMany" | "files.totalTooLarge";

export interface CheckedFile extends ChosenFile {
  problem: FileProblem | null;
  /** True for an image the browser can show as a thumbnail. */
  isImage: boolean;
}

/** Splits an input's `accept` attribute into MIME types and extensions (lower case, extensions with their dot). */
export function parseAccept(accept: string): { types: string[]; extensions: string[] } {
  const parts = accept
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  return { types: parts.filter((p) => !p.startsWith(".")), extensions: parts.filter((p) => p.startsWith(".")) };
}

function extensionOf(name: string): string {
  const i = name.lastIndexOf(".");
  return i > 0 ? name.slice(i).toLowerCase() : "";
}

/** True when the file matches the accept list by its type or, when the browser gave none that matches, its name. */
export function matchesAccept(file: ChosenFile, accept: string): boolean {
  if (accept.trim() === "") return true;
  const { types, extensions } = parseAccept(accept);
  const type = file.type.toLowerCase();
  if (type && types.some((t) => t === type || (t.endsWith("/*") && type.startsWith(t.slice(0, -1))))) return true;
  return extensions.includes(extensionOf(file.name));
}

/**
 * Checks the files just chosen, in order, after `kept` files (already on the server from an earlier post) that count
 * towards the number and the total. A file that is too big, of the wrong type or empty is left out; then files past
 * the number of files or the total size are left out too. The files that pass stay in their order.
 */
export function checkChosenFiles(
  files: readonly ChosenFile[],
  limits: FileLimits,
  accept: string,
  kept: { count: number; bytes: number } = { count: 0, bytes: 0 },
): CheckedFile[] {
  let count = kept.count;
  let total = kept.bytes;
  return files.map((f) => {
    const isImage = /^image\/(jpeg|png|webp|gif)$/i.test(f.type);
    let problem: FileProblem | null = null;
    if (f.size === 0) problem = "files.empty";
    else if (!matchesAccept(f, accept)) problem = "files.wrongType";
    else if (f.size > limits.maxFileBytes) problem = "files.tooLarge";
    else if (count + 1 > limits.maxFiles) problem = "files.tooMany";
    else if (total + f.size > limits.maxTotalBytes) problem = "files.totalTooLarge";
    if (!problem) {
      count += 1;
      total += f.size;
    }
    return { name: f.name, size: f.size, type: f.type, problem, isImage };
  });
}

/** "2.5 MB" / "120 KB": a size as people read it. */
export function formatFileSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}
