// The runners the harness knows out of the box; models register here as they arrive (nano tier, then hub tier).
import { ORACLE_POLICY_IDS, createOraclePolicy } from './oracle-policy';
import { ORACLE_SEGMENTER_ID, createOracleSegmenter } from './oracle-segmenter';
import { RunnerRegistry } from './registry';
import type { PolicyRunner, SegmenterRunner } from './types';

export function defaultPolicies(): RunnerRegistry<PolicyRunner> {
  return new RunnerRegistry<PolicyRunner>('policy')
    .register({
      id: ORACLE_POLICY_IDS.short,
      description: "answers with the sample's short reference reasoning (ground truth)",
      create: () => createOraclePolicy('short'),
    })
    .register({
      id: ORACLE_POLICY_IDS.long,
      description: "answers with the sample's long reference reasoning (same answer, more words)",
      create: () => createOraclePolicy('long'),
    });
}

export function defaultSegmenters(): RunnerRegistry<SegmenterRunner> {
  return new RunnerRegistry<SegmenterRunner>('segmenter').register({
    id: ORACLE_SEGMENTER_ID,
    description: 'exact mask of the scene object the box and points select (ground truth)',
    create: createOracleSegmenter,
  });
}
