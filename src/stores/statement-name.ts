import { hash } from 'node:crypto';

/** Statement names by text: a handful of shapes, each hashed once. */
const statementNames = new Map<string, string>();

/** A named statement's name, from its text: the same shape is planned once per connection. */
export function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    if (statementNames.size >= 1000) statementNames.clear();
    name = `meridian-${hash('sha256', text).slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return name;
}
