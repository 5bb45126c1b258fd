// Turns a query program into English: one of several paraphrases per construct, always faithful to the program.
import { article, type Colour, type Shape, type Size } from './attributes';
import { splitFilters, type FilterNode, type Program, type Relation } from './program';
import type { Random } from './random';

export const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth'] as const;

const RELATION_PHRASES: Record<Relation, readonly string[]> = {
  below: ['just below', 'directly below', 'right under', 'immediately beneath'],
  above: ['just above', 'directly above', 'right over', 'immediately above'],
  left: ['just left of', 'immediately to the left of', 'directly to the left of'],
  right: ['just right of', 'immediately to the right of', 'directly to the right of'],
};

/** The head noun with its adjectives ("large red circle", "green shape") and a negation clause, if any. */
function nominal(
  filters: readonly FilterNode[],
  random: Random,
  nouns: readonly string[] = ['shape', 'object'],
): { core: string; clause: string } {
  const positive = (attribute: FilterNode['attribute']) =>
    filters.find((f) => f.attribute === attribute && !f.negate)?.value;
  const size = positive('size') as Size | undefined;
  const colour = positive('colour') as Colour | undefined;
  const shape = positive('shape') as Shape | undefined;
  const noun = shape ?? random.pick(nouns);
  const core = [size, colour, noun].filter(Boolean).join(' ');
  const negations = filters.filter((f) => f.negate).map((f) => negatedValue(f));
  const clause = negations.length
    ? ` ${random.pick(['that is not', 'which is not'])} ${negations.join(' and not ')}`
    : '';
  return { core, clause };
}

function negatedValue(filter: FilterNode): string {
  return filter.attribute === 'shape' ? `${article(filter.value)} ${filter.value}` : filter.value;
}

const SIDE_WORDS = {
  x: { min: 'left', max: 'right' },
  y: { min: 'top', max: 'bottom' },
} as const;

function superlativeOfPosition(key: 'x' | 'y', order: 'max' | 'min', core: string, random: Random): string {
  const side = SIDE_WORDS[key][order];
  const adjective = { left: 'leftmost', right: 'rightmost', top: 'topmost', bottom: 'bottommost' }[side];
  const comparative = {
    left: 'furthest to the left',
    right: 'furthest to the right',
    top: 'highest up',
    bottom: 'lowest down',
  }[side];
  return random.pick([
    `the ${adjective} ${core}`,
    `the ${core} ${comparative}`,
    `the ${core} nearest the ${side} edge`,
  ]);
}

function ordinalOfPosition(
  key: 'x' | 'y',
  order: 'max' | 'min',
  rank: number,
  core: string,
  random: Random,
): string {
  const side = SIDE_WORDS[key][order];
  const ordinal = ORDINALS[rank] ?? `number ${rank + 1}`;
  return random.pick([
    `the ${ordinal} ${core} from the ${side}`,
    `the ${core} ${ordinal} from the ${side}`,
    `the ${ordinal} ${core} counting from the ${side}`,
  ]);
}

function extremePhrase(program: Extract<Program, { op: 'extreme' }>, random: Random): string {
  const { core, clause } = nominal(splitFilters(program.of).filters, random);
  const { key, order, rank } = program;
  if (key === 'size') {
    // "the second tiniest" sounds odd, so ranks after the first only say smallest.
    const smaller = rank === 0 ? ['smallest', 'tiniest'] : ['smallest'];
    const superlative = random.pick(order === 'max' ? ['largest', 'biggest'] : smaller);
    const ordinal = rank === 0 ? '' : `${ORDINALS[rank] ?? `number ${rank + 1}`} `;
    return `the ${ordinal}${superlative} ${core}${clause}`;
  }
  return rank === 0
    ? superlativeOfPosition(key, order, core, random) + clause
    : ordinalOfPosition(key, order, rank, core, random) + clause;
}

function samePhrase(program: Extract<Program, { op: 'same' }>, random: Random): string {
  const { filters } = splitFilters(program.of);
  // "the shape with the same shape as …" reads badly, so a shape comparison always talks about an object.
  const nouns = program.attribute === 'shape' ? ['object'] : ['shape', 'object'];
  const { core } = nominal(
    filters.filter((f) => !f.negate),
    random,
    nouns,
  );
  const anchor = nounPhrase(program.anchor, random);
  const exclusions = filters.filter((f) => f.negate).map(negatedValue);
  const attribute = program.attribute;
  if (exclusions.length === 0)
    return random.pick([
      `the other ${core} with the same ${attribute} as ${anchor}`,
      `the other ${core} that has the same ${attribute} as ${anchor}`,
      `the other ${core} sharing its ${attribute} with ${anchor}`,
    ]);
  const excluded = exclusions.join(' and not ');
  return random.pick([
    `the ${core} with the same ${attribute} as ${anchor}, but not ${excluded}`,
    `the ${core} that has the same ${attribute} as ${anchor} but is not ${excluded}`,
    `the ${core} sharing its ${attribute} with ${anchor}, but not ${excluded}`,
  ]);
}

/** A noun phrase ("the …") that designates exactly what the program designates. */
export function nounPhrase(program: Program, random: Random): string {
  switch (program.op) {
    case 'scene':
      return 'the object';
    case 'filter': {
      const { core, clause } = nominal(splitFilters(program).filters, random);
      return `the ${core}${clause}`;
    }
    case 'extreme':
      return extremePhrase(program, random);
    case 'relate': {
      const { core } = nominal(splitFilters(program.of).filters, random);
      const relation = random.pick(RELATION_PHRASES[program.relation]);
      return `the ${core} ${relation} ${nounPhrase(program.anchor, random)}`;
    }
    case 'same':
      return samePhrase(program, random);
  }
}
