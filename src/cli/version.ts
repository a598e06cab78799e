import { readFileSync } from 'node:fs';

/** The version in the package.json beside src/ and dist/ (`meridian --version`). */
export function packageVersion(): string {
  const file = new URL('../../package.json', import.meta.url);
  const { version } = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
  return typeof version === 'string' ? version : 'unknown';
}

/**
 * `meridian` alone serves. Commander's default command would also take every unknown word
 * as an argument of `serve` ("too many arguments for 'serve'"); naming it only when no
 * command is given lets an unknown one be refused with the list of commands.
 */
export function withDefaultCommand(argv: readonly string[]): string[] {
  const [node = 'node', script = 'meridian', ...rest] = argv;
  return rest.length === 0 ? [node, script, 'serve'] : [node, script, ...rest];
}
