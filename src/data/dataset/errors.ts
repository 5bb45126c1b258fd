// Typed errors of the dataset: a refused import (with a reason code and the offending entry) and a refused label.

export type DatasetImportErrorCode =
  | 'bad-zip'
  | 'too-large'
  | 'too-many-entries'
  | 'unexpected-entry'
  | 'missing-manifest'
  | 'bad-manifest'
  | 'wrong-format'
  | 'unsupported-version'
  | 'missing-samples'
  | 'bad-json'
  | 'bad-record'
  | 'duplicate-id'
  | 'missing-image'
  | 'bad-image'
  | 'bad-mask';

/** Why an import was refused; nothing was written. `entry` names the file or record at fault, when there is one. */
export class DatasetImportError extends Error {
  override readonly name = 'DatasetImportError';
  constructor(
    readonly code: DatasetImportErrorCode,
    message: string,
    readonly entry: string | null = null,
  ) {
    super(message);
  }
}

export type LabelErrorCode =
  'no-box' | 'no-points' | 'bad-box' | 'bad-points' | 'no-query' | 'bad-query' | 'bad-difficulty';

/** Why a label cannot be saved, in a sentence for the user. */
export class LabelError extends Error {
  override readonly name = 'LabelError';
  constructor(
    readonly code: LabelErrorCode,
    message: string,
  ) {
    super(message);
  }
}
