import { describe, expect, it } from 'vitest';
import { checkDocument, checkVariables } from './document-limits.js';

const limits = { maxTokens: 50, maxNesting: 8 };

describe('checkDocument', () => {
  it('passes an ordinary query, and counts tokens as the parser does (comments excluded)', () => {
    expect(checkDocument('{ me { subject roles } }', limits)).toBeNull();
    expect(checkDocument(`# ${'comment '.repeat(1000)}\n{ me { subject } }`, limits)).toBeNull();
  });

  it('stops at the first token past the limit', () => {
    expect(checkDocument('{me{roles}}'.repeat(8000), limits)).toMatchObject({
      code: 'QUERY_TOO_LARGE',
      message: expect.stringMatching(/more than 50 tokens/) as unknown,
    });
  });

  it('refuses nesting deeper than the limit in literals and selections, before the parser recurses', () => {
    const deep = { maxTokens: 100_000, maxNesting: 8 };
    expect(checkDocument(`{ f(a: ${'['.repeat(3000)}${']'.repeat(3000)}) }`, deep)).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringMatching(/nests deeper than 8/) as unknown,
    });
    expect(checkDocument(`{ f(a: ${'{a:'.repeat(9)}1${'}'.repeat(9)}) }`, deep)?.code).toBe('BAD_USER_INPUT');
    expect(checkDocument(`{ f(a: ${'{a:'.repeat(6)}1${'}'.repeat(6)}) }`, deep)).toBeNull();
  });

  it('refuses U+0000 in a string or block string literal, and leaves syntax errors to the parser', () => {
    expect(checkDocument('{ f(a: "x\\u0000y") }', limits)).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(checkDocument('{ f(a: """x\u0000y""") }', limits)).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(checkDocument('{ f(a: "unterminated', limits)).toBeNull();
  });
});

describe('checkVariables', () => {
  it('passes ordinary variables and nothing at all', () => {
    expect(checkVariables(undefined, limits)).toBeNull();
    expect(checkVariables({ input: { grantee: { kind: 'JURISDICTION' }, purposes: ['TREAT'] } }, limits)).toBeNull();
  });

  it('refuses U+0000 in any string or key, naming the variable', () => {
    expect(checkVariables({ j: 'Unconscious\u0000' }, limits)).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringContaining('$j') as unknown,
    });
    expect(checkVariables({ input: { purposes: ['TREAT', 'x\u0000'] } }, limits)?.message).toContain(
      '$input.purposes[1]',
    );
    expect(checkVariables({ doc: { 'k\u0000': 1 } }, limits)?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses nesting deeper than the limit without recursing', () => {
    const deep = JSON.parse(`{"j":${'['.repeat(100_000)}${']'.repeat(100_000)}}`) as unknown;
    expect(checkVariables(deep, limits)).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringMatching(/Variable \$j(\[0\])+ nests deeper than 8/) as unknown,
    });
    expect(checkVariables({ j: [[[[[[[1]]]]]]] }, limits)).toBeNull();
  });
});
