import { describe, expect, it } from 'vitest';
import { WorldState } from './world-state.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (value: Uint8Array | undefined): string | undefined =>
  value === undefined ? undefined : new TextDecoder().decode(value);

describe('WorldState', () => {
  it('ranges over keys in UTF-8 byte order, end exclusive, an empty end unbounded', () => {
    const state = new WorldState();
    // UTF-16 order would put U+FF5E before U+1F600 (a surrogate pair); UTF-8 byte order does not.
    const keys = ['b', 'a\u0000x', '\u{1F600}', '\uFF5E', 'a', 'ab'];
    state.apply(
      keys.map((key) => ({ key, value: bytes(key) })),
      '1:0',
    );
    expect(state.range('', '').map((kv) => kv.key)).toEqual(['a', 'a\u0000x', 'ab', 'b', '\uFF5E', '\u{1F600}']);
    expect(state.range('a', 'b').map((kv) => kv.key)).toEqual(['a', 'a\u0000x', 'ab']);
    expect(state.range('a\u0000', 'a\u0000\u{10FFFF}').map((kv) => kv.key)).toEqual(['a\u0000x']);
    state.apply([{ key: 'ab', value: null }], '2:0');
    expect(state.range('a', 'b').map((kv) => [kv.key, kv.version])).toEqual([
      ['a', '1:0'],
      ['a\u0000x', '1:0'],
    ]);
    expect(state.size).toBe(5);
  });

  it('keeps a snapshot on the state it was taken from while later commits land', () => {
    const state = new WorldState();
    state.apply(
      [
        { key: 'k1', value: bytes('one') },
        { key: 'k2', value: bytes('two') },
      ],
      '1:0',
    );
    const snapshot = state.snapshot();
    state.apply(
      [
        { key: 'k1', value: bytes('ONE') },
        { key: 'k2', value: null },
        { key: 'k3', value: bytes('three') },
      ],
      '2:0',
    );
    expect(text(snapshot.get('k1')?.value)).toBe('one');
    expect(snapshot.get('k3')).toBeUndefined();
    expect([...snapshot.range('k', 'l')].map((kv) => [kv.key, text(kv.value), kv.version])).toEqual([
      ['k1', 'one', '1:0'],
      ['k2', 'two', '1:0'],
    ]);
    expect(state.range('k', 'l').map((kv) => kv.key)).toEqual(['k1', 'k3']);
    snapshot.release();
    const fresh = state.snapshot();
    expect(text(fresh.get('k1')?.value)).toBe('ONE');
    fresh.release();
  });
});
