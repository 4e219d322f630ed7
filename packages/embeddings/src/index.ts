export { axisSimilarity } from './axis.js';
export { cosine, type Embedder, normalise, stack } from './embedder.js';
export type { CardBox } from './layout/board.js';
export { defaultCardBox } from './layout/board.js';
export {
  computeLayout,
  type LayoutJob,
  type LayoutProgress,
  type LayoutResult,
  type LayoutStage,
  layoutStages,
} from './layout/layout.js';
export { type PlacedCard, type Placement, Placer, placeNear } from './layout/place.js';
export { LayoutRunner, type LayoutRunnerOptions } from './layout/runner.js';
export { type NeighbourReport, neighbourGroups, neighbourReport, neighbourTriples } from './quality/neighbours.js';
export {
  createEmbedder,
  defaultEmbeddingModel,
  type EmbedderSettings,
  type SelectedEmbedder,
  staticModelDirectory,
} from './select.js';
export { StaticEmbedder } from './static/static-embedder.js';
export { isLocalModel, TransformersEmbedder } from './transformers-embedder.js';
