import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { syncFolder } from './durable-file.js';

/** The log as read from disk: complete lines, and what follows the last newline. */
export interface LogContents {
  /** Complete lines (each ended by a newline), without their newlines. */
  readonly lines: readonly string[];
  /** Text after the last newline: an append interrupted mid-write, or '' (the normal case). */
  readonly tail: string;
  /** Bytes of the file up to and including the last newline (counted from the file's start). */
  readonly completeBytes: number;
}

/**
 * Reads the log from byte `from` (a line's start; default the whole log); a missing file is
 * an empty log, and so is a log that ends before `from`.
 */
export async function readTransactionLog(file: string, from = 0): Promise<LogContents> {
  let bytes: Buffer;
  try {
    bytes = await readFrom(file, from);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], tail: '', completeBytes: 0 };
    throw err;
  }
  const complete = bytes.lastIndexOf(0x0a) + 1;
  const text = bytes.subarray(0, complete).toString('utf8');
  return {
    lines: text === '' ? [] : text.slice(0, -1).split('\n'),
    tail: bytes.subarray(complete).toString('utf8'),
    completeBytes: from + complete,
  };
}

async function readFrom(file: string, from: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const bytes = Buffer.alloc(Math.max(0, size - from));
    let read = 0;
    while (read < bytes.length) {
      const { bytesRead } = await handle.read(bytes, read, bytes.length - read, from + read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return bytes.subarray(0, read);
  } finally {
    await handle.close();
  }
}

/**
 * The append-only transaction log file. An append resolves only once the line is on disk
 * (fdatasync), so a transaction is acknowledged only when it survives a crash.
 */
export class TransactionLog {
  readonly #handle: FileHandle;
  #size: number;
  /** Set when a failed append could not be undone: the file's end is then unknown. */
  #broken: Error | null = null;

  private constructor(handle: FileHandle, size: number) {
    this.#handle = handle;
    this.#size = size;
  }

  /** Opens `file` for appending after its first `size` bytes, cutting off anything beyond them. */
  static async open(file: string, size: number): Promise<TransactionLog> {
    const handle = await open(file, 'a');
    try {
      const { size: actual } = await handle.stat();
      if (actual !== size) {
        await handle.truncate(size);
        await handle.datasync();
      }
      // A newly created log is durable only once its folder entry is.
      if (size === 0) await syncFolder(path.dirname(file));
    } catch (err) {
      await handle.close();
      throw err;
    }
    return new TransactionLog(handle, size);
  }

  /** Bytes in the log: where the next line starts. */
  get size(): number {
    return this.#size;
  }

  /** Appends one line (a newline is added) and waits until it is durable. */
  async append(line: string): Promise<void> {
    if (this.#broken) throw new Error('the transaction log is unusable after a failed write', { cause: this.#broken });
    const bytes = Buffer.from(`${line}\n`, 'utf8');
    try {
      await this.#handle.appendFile(bytes);
      await this.#handle.datasync();
    } catch (err) {
      // A partial line would break every later append; put the end back where it was.
      try {
        await this.#handle.truncate(this.#size);
      } catch (undo) {
        this.#broken = undo instanceof Error ? undo : new Error(String(undo));
      }
      throw err;
    }
    this.#size += bytes.length;
  }

  close(): Promise<void> {
    return this.#handle.close();
  }
}
