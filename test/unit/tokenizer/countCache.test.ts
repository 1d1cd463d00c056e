import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CountCache, countCacheKey } from '../../../src/core/tokenizer/countCache';

describe('CountCache', () => {
  it('keys by encoding, source and hash', () => {
    assert.equal(countCacheKey('o200k_base', 'bytes', 'abc'), 'o200k_base:bytes:abc');
    assert.notEqual(countCacheKey('o200k_base', 'bytes', 'abc'), countCacheKey('cl100k_base', 'bytes', 'abc'));
    assert.notEqual(countCacheKey('o200k_base', 'bytes', 'abc'), countCacheKey('o200k_base', 'text', 'abc'));
  });

  it('evicts the least recently used entry', () => {
    const cache = new CountCache<number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    assert.equal(cache.get('a'), 1); // a is now the most recent
    cache.set('c', 3);
    assert.equal(cache.get('b'), undefined);
    assert.equal(cache.get('a'), 1);
    assert.equal(cache.get('c'), 3);
    assert.equal(cache.size, 2);
  });

  it('overwrites without growing and clears', () => {
    const cache = new CountCache<number>(3);
    cache.set('a', 1);
    cache.set('a', 2);
    assert.equal(cache.size, 1);
    assert.equal(cache.get('a'), 2);
    cache.clear();
    assert.equal(cache.size, 0);
  });

  it('rejects a non-positive capacity', () => {
    assert.throws(() => new CountCache(0), RangeError);
  });
});
