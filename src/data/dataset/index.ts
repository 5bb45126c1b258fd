// Public entry of the dataset: labels, the zip format (export, validated import), the RefCOCOg-840 export, ShapeWorld entries.
export { DatasetImportError, LabelError } from './errors';
export type { DatasetImportErrorCode, LabelErrorCode } from './errors';
export { DATASET_FORMAT, DATASET_FORMAT_VERSION, LABEL_FRAME, LIMITS } from './format';
export {
  boxToFrame,
  difficultyProblem,
  estimateDifficulty,
  fromFrame,
  groundTruthProblem,
  labelFromMask,
  MAX_DIFFICULTY,
  MIN_DIFFICULTY,
  toFrame,
  validateLabel,
} from './label';
export type { BoxAndPoints, DifficultyEstimate, ImageSize, Label, LabelInput } from './label';
export { encodeDatasetZip } from './export';
export type { DatasetExport, SkippedSample } from './export';
export { importDatasetZip, parseDatasetZip, writeDataset } from './import';
export type { ImportSummary, ParsedDataset } from './import';
export { encodeRefcocoZip, framePng, isFramePng, refcocoSolution, REFCOCO_ROOT } from './refcoco';
export type { FramePngMaker, RefcocoDifficulty, RefcocoRecord } from './refcoco';
export { deleteSample, listSamples, putSamples } from './samples';
export { shapeWorldSample, unusedShapeWorldIndices } from './shapeworld';
export type { RenderedShapeWorldSample } from './shapeworld';
