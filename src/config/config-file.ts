import { readFile } from 'node:fs/promises';
import type { z } from 'zod';

/** A configuration file that is missing, unreadable or malformed; the message names the setting, the file and the fault. */
export class ConfigFileError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigFileError';
  }
}

const FILE_FAULTS: Readonly<Record<string, string>> = {
  ENOENT: 'does not exist',
  EACCES: 'cannot be read (permission denied)',
  EPERM: 'cannot be read (permission denied)',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'is not a path to a file (a part of it is not a folder)',
};

/** The bytes of the file a setting names; a fault says which setting, which file and what is wrong. */
export async function readConfigFile(setting: string, file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const fault = FILE_FAULTS[code] ?? `cannot be read (${code || String(err)})`;
    throw new ConfigFileError(`${setting}: ${file} ${fault}`, { cause: err });
  }
}

/** A JSON configuration file, parsed; invalid JSON is reported with the parser's position. */
export async function readJsonConfigFile(setting: string, file: string): Promise<unknown> {
  const text = (await readConfigFile(setting, file)).toString('utf8');
  if (text.trim() === '') throw new ConfigFileError(`${setting}: ${file} is empty; it must hold a JSON object`);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ConfigFileError(`${setting}: ${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

/** Where in the file: `charite-berlin.keys[0].kty`, or `(the whole file)`. */
function where(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(the whole file)';
  return path.map((p, i) => (typeof p === 'number' ? `[${String(p)}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** What is at `path` in `input`, to say what was found instead of what was expected. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** One issue as `where: what is wrong`, naming a bad key and a missing member as such. */
function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const at = where(issue.path);
  if (issue.code === 'invalid_key') {
    const inner = issue.issues.map((i) => i.message).join('; ');
    return `${at}: "${String(issue.path.at(-1))}" is not a valid key: ${inner}`;
  }
  if (issue.code === 'invalid_type') {
    const found = valueAt(input, issue.path);
    if (found === undefined) return `${at}: required (${issue.expected}) but missing`;
    return `${at}: must be ${issue.expected === 'array' ? 'an array' : `a ${issue.expected}`}, found ${typeName(found)}`;
  }
  if (issue.code === 'unrecognized_keys') {
    return `${at}: unknown ${issue.keys.length === 1 ? 'member' : 'members'} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  return `${at}: ${issue.message}`;
}

/**
 * A file that fails its schema, with one line per problem: where in the file and what is
 * wrong, rather than zod's bare "Invalid key in record".
 */
export function configFileInvalid(setting: string, file: string, error: z.ZodError, input: unknown): ConfigFileError {
  const problems = error.issues.map((issue) => `  - ${describeIssue(issue, input)}`).join('\n');
  return new ConfigFileError(`${setting}: ${file} is invalid:\n${problems}`);
}
