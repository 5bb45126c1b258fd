// Checks generated queries: every program designates exactly its target, kinds all occur, and text matches program.
import { describe, expect, it } from 'vitest';
import { splitFilters, evaluate, type Program } from './program';
import { QUERY_KINDS } from './query';
import { sampleQuery } from './sample';
import { SPLIT_SIZES } from './splits';

function attributeValues(program: Program): string[] {
  switch (program.op) {
    case 'scene':
      return [];
    case 'filter':
      return [String(program.value), ...attributeValues(program.of)];
    case 'extreme':
      return attributeValues(program.of);
    case 'relate':
    case 'same':
      return [...attributeValues(program.anchor), ...attributeValues(program.of)];
  }
}

describe('generated queries', () => {
  const queries = Array.from({ length: SPLIT_SIZES.val }, (_, i) => sampleQuery('val', i));

  it('resolve to exactly their target, with no unclear step', () => {
    const wrong = queries.filter((q) => {
      const evaluation = evaluate(q.program, q.scene);
      return 'unclear' in evaluation || evaluation.members.length !== 1 || evaluation.members[0] !== q.target;
    });
    expect(wrong.map((q) => q.id)).toEqual([]);
  });

  it('cover every kind of query', () => {
    const kinds = new Set(queries.map((q) => q.kind));
    expect([...kinds].sort()).toEqual([...QUERY_KINDS].sort());
  });

  it('name every attribute value their program filters on', () => {
    for (const q of queries)
      for (const value of attributeValues(q.program)) expect(q.query, `${q.id}: ${q.query}`).toContain(value);
  });

  it('are lower-case noun phrases without quotes, digits or braces (the prompt quotes them in single quotes)', () => {
    for (const q of queries) expect(q.query).toMatch(/^the [a-z ,]+[a-z]$/);
  });

  it('use relation and same-attribute hops only with a unique anchor', () => {
    for (const q of queries) {
      if (q.program.op !== 'relate' && q.program.op !== 'same') continue;
      const anchor = evaluate(q.program.anchor, q.scene);
      expect('members' in anchor && anchor.members.length).toBe(1);
      expect(splitFilters(q.program.of).base.op).toBe('scene');
    }
  });
});
