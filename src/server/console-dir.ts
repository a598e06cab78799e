import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The built console (`vite build` writes it to `dist/console`): beside the compiled server in
 * `dist/`, or, when the server runs from its sources (tests, tsx), in the project's `dist/`.
 * Undefined when it has not been built.
 */
export function findConsoleDir(): string | undefined {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, '../console'), path.resolve(here, '../../dist/console')];
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html')));
}
