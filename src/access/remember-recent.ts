/**
 * Sets `key` as the most recently used entry of an insertion-ordered map, dropping the
 * least recently used ones beyond `max`: the bounded memories of what was last verified.
 */
export function rememberRecent<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > max) {
    const oldest = map.keys().next();
    if (oldest.done === true) break;
    map.delete(oldest.value);
  }
}
